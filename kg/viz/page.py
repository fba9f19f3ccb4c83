"""The page: one self-contained HTML file (template + CSS + the graph library + kg's script + data).

The page's own code lives in web/ (page.html, viz.css, viz.js) and the graph library in
web/vendor/ (Cytoscape.js, MIT, see web/vendor/README.md); this module only puts them together.
Nothing is fetched when the page opens: its Content-Security-Policy allows no network request.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from kg.errors import ConfigError, KGError
from kg.serialize import write_atomic
from kg.stores import open_store
from kg.viz.data import graph_data

WEB_DIR = Path(__file__).parent / "web"
#: The vendored graph library (minified); its licence and version are beside it.
LIBRARY = WEB_DIR / "vendor" / "cytoscape.min.js"

# Each marker is replaced once; they sit where a comment is valid, so the template is valid HTML.
_MARKERS = ("/* kg:css */", "/* kg:library */", "/* kg:data */", "/* kg:script */", "kg:title")
_CLOSING = re.compile(r"</(script|style)", re.IGNORECASE)


@dataclass
class VizReport:
    """What `kg viz` wrote."""

    output: Optional[Path]
    entities: int
    relations: int
    claims: int
    articles: int
    bytes: int


def _inline(text: str, where: str) -> str:
    """Code to put inside a <script> or <style> element, which must not close it early."""
    if _CLOSING.search(text):
        raise KGError(f"{where} contains a closing </script> or </style> tag and cannot be inlined")
    return text


def data_json(data: dict[str, Any]) -> str:
    """The data as JSON that is safe inside <script type="application/json"> (no `<` at all)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render_page(data: dict[str, Any]) -> str:
    """The whole page for data from graph_data()."""
    template = (WEB_DIR / "page.html").read_text(encoding="utf-8")
    parts = {
        "/* kg:css */": _inline((WEB_DIR / "viz.css").read_text(encoding="utf-8"), "viz.css"),
        "/* kg:library */": _inline(LIBRARY.read_text(encoding="utf-8"), LIBRARY.name),
        "/* kg:data */": data_json(data),
        "/* kg:script */": _inline((WEB_DIR / "viz.js").read_text(encoding="utf-8"), "viz.js"),
        "kg:title": html.escape(data.get("title") or "kg graph"),
    }
    # one pass, so that a marker inside the inserted text is never replaced again
    pattern = re.compile("|".join(re.escape(m) for m in _MARKERS))
    counts = {m: template.count(m) for m in _MARKERS}
    if any(n != 1 for n in counts.values()):
        raise KGError(f"page.html must hold each marker once, found {counts}")
    return pattern.sub(lambda m: parts[m.group(0)], template)


def default_title(data: dict[str, Any]) -> str:
    n = len(data["articles"])
    return f"kg graph: {n} article{'s' if n != 1 else ''}, {len(data['nodes'])} entities, {len(data['claims'])} claims"


def write_viz(
    graph_files: Optional[Sequence[Path]] = None,
    *,
    store: Optional[Path] = None,
    endpoint: Optional[str] = None,
    output: Optional[Path] = None,
    title: Optional[str] = None,
    dialect: str = "auto",
    timeout: float = 60.0,
) -> VizReport:
    """Read a graph (files, --store or --endpoint, as `kg query` does), write the page atomically.

    `output` None writes to stdout.
    """
    if graph_files and (store or endpoint):
        raise ConfigError("give graph files, --store or --endpoint, only one of them")
    target = open_store(store=store, endpoint=endpoint, graph_files=graph_files or None,
                        dialect=dialect, timeout=timeout, read_only=True)
    try:
        data = graph_data(target)
    finally:
        target.close()
    data["title"] = title or default_title(data)
    page = render_page(data).encode("utf-8")
    write_atomic(page, output)
    return VizReport(output, len(data["nodes"]), len(data["edges"]), len(data["claims"]), len(data["articles"]), len(page))

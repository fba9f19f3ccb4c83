"""Reading documents: paths, directories, JSONL lines and HTML pages become `Document`s.

Bad inputs never stop a build: `read_documents` yields an `InputError` in place of each input it
cannot read (naming the file and line), and the caller reports it and goes on with the rest.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator, Union

from kg import config
from kg.errors import InputError
from kg.records import Document

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%A, %B %d, %Y")

Item = Union[Document, InputError]


def parse_date(value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) from common news date forms, or None when it is not a date."""
    if not value:
        return None
    text = value.strip().rstrip(".")
    m = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$", text)
    if m:
        text = m.group(1)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Expand directories recursively (sorted, known suffixes only); keep explicit files as given."""
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in SUFFIXES and not any(
                    part.startswith(".") for part in child.relative_to(path).parts
                ):
                    yield child
        elif path.exists():
            yield path
        else:
            yield InputError(f"{path}: no such file or directory")


def read_documents(paths: Iterable[Path]) -> Iterator[Item]:
    """Every document under `paths`, in a stable order, or an InputError for each bad input."""
    for item in iter_input_files(paths):
        if isinstance(item, InputError):
            yield item
            continue
        suffix = item.suffix.lower()
        if suffix in JSONL_SUFFIXES:  # a feed: streamed line by line, any size
            yield from read_jsonl(item)
            continue
        try:
            text = read_text(item)
        except InputError as exc:
            yield exc
            continue
        try:
            if suffix in HTML_SUFFIXES:
                yield parse_html(text, item)
            elif suffix in MARKDOWN_SUFFIXES:
                yield parse_markdown(text, item)
            else:
                yield parse_plain(text, item)
        except InputError as exc:
            yield exc


def read_text(path: Path) -> str:
    """The file as text, refusing what is not a news article: too large, empty, binary, not UTF-8."""
    try:
        size = path.stat().st_size
        if size > config.MAX_INPUT_BYTES:
            raise InputError(
                f"{path}: {size} bytes is over the {config.MAX_INPUT_BYTES} byte limit for one input; "
                "split it (e.g. into JSONL lines)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError(f"{path}: empty input")
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start}); re-encode it as UTF-8") from None


def _leading_meta(lines: list[str]) -> tuple[str | None, str | None]:
    """Title and date from the head of a plain-text article: a headline line, then a dateline."""
    head = [ln.strip() for ln in lines[:4] if ln.strip()]
    title = None
    if head and len(head[0]) <= 200 and not head[0].endswith((".", "!", "?", ":")) or (
        head and head[0].endswith("?")
    ):
        title = head[0]
    day = parse_date(head[1]) if len(head) > 1 else None
    return title, day


def parse_plain(text: str, path: Path) -> Document:
    title, day = _leading_meta(text.splitlines())
    return Document(id=path.stem, text=text, title=title, date=day, source=str(path))


MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MD_MARK = re.compile(r"(\*\*|__|\*|_|`)")


def parse_markdown(text: str, path: Path) -> Document:
    """Strip Markdown syntax but keep the line structure (headings stay separate lines)."""
    lines = []
    title = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("!["):
            continue
        heading = re.match(r"^#{1,6}\s+(.*)$", stripped)
        if heading:
            stripped = heading.group(1).strip()
            title = title or stripped
        stripped = re.sub(r"^([-*+]|\d+\.)\s+", "• ", stripped)
        stripped = re.sub(r"^>\s?", "", stripped)
        stripped = MD_LINK.sub(r"\1", stripped)
        stripped = MD_MARK.sub("", stripped)
        lines.append(stripped)
    body = "\n".join(lines)
    t2, day = _leading_meta(lines)
    return Document(id=path.stem, text=body, title=title or t2, date=day, source=str(path))


class _HTMLText(HTMLParser):
    """Main text of a news page: <article> or <main> when present, else <body>; no scripts or nav."""

    SKIP = {"script", "style", "noscript", "nav", "footer", "header", "aside", "form", "svg", "figure", "template"}
    BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "section", "article",
             "main", "blockquote", "pre", "figcaption", "dd", "dt", "td"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: dict[str, list[str]] = {"article": [], "main": [], "body": []}
        self.open: dict[str, int] = {"article": 0, "main": 0, "body": 0}
        self.skip = 0
        self.in_title = False
        self.title = ""
        self.h1 = ""
        self.in_h1 = False
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
        elif tag == "link" and a.get("rel", "").lower() == "canonical":
            self.canonical = a.get("href")
        elif tag == "time" and a.get("datetime"):
            self.meta.setdefault("time", a["datetime"])
        if tag in self.SKIP:
            self.skip += 1
        if tag == "title":
            self.in_title = True
        if tag == "h1":
            self.in_h1 = True
        if tag in self.open:
            self.open[tag] += 1
        if tag in self.BLOCK:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        if tag == "title":
            self.in_title = False
        if tag == "h1":
            self.in_h1 = False
        if tag in self.BLOCK:
            self._emit("\n")
        if tag in self.open and self.open[tag]:
            self.open[tag] -= 1

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
            return
        if self.skip:
            return
        if self.in_h1:
            self.h1 += data
        self._emit(re.sub(r"\s+", " ", data))

    def _emit(self, text: str) -> None:
        for part, depth in self.open.items():
            if depth:
                self.parts[part].append(text)

    def text(self) -> str:
        for part in ("article", "main", "body"):
            raw = "".join(self.parts[part])
            if raw.strip():
                lines = [ln.strip() for ln in raw.splitlines()]
                return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
        return ""


def parse_html(text: str, path: Path) -> Document:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    body = parser.text()
    if not body.strip():
        raise InputError(f"{path}: no text found in the HTML page")
    meta = parser.meta
    title = (meta.get("og:title") or parser.h1 or parser.title).strip() or None
    day = None
    for key in ("article:published_time", "datepublished", "date", "dc.date", "pubdate", "time"):
        day = parse_date(meta.get(key))
        if day:
            break
    url = meta.get("og:url") or parser.canonical or None
    return Document(id=path.stem, text=body, title=title, date=day, url=url, source=str(path))


def read_jsonl(path: Path) -> Iterator[Item]:
    """The documents of a JSONL feed, read line by line: a feed may be any size, and only a line
    (one article) over MAX_INPUT_BYTES is refused. A line that is not UTF-8 is an error of its
    own; the other lines are still read."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputError(f"{path}: cannot read: {exc.strerror or exc}")
        return
    with fh:
        head = fh.read(8192)
        if b"\x00" in head:
            yield InputError(f"{path}: binary file, not text")
            return
        fh.seek(0)
        seen = False
        n = 0
        while True:
            try:
                raw = fh.readline(config.MAX_INPUT_BYTES + 1)
            except OSError as exc:
                yield InputError(f"{path}:{n + 1}: cannot read: {exc.strerror or exc}")
                return
            if not raw:
                break
            n += 1
            if len(raw) > config.MAX_INPUT_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = fh.readline(1 << 20)
                yield InputError(f"{path}:{n}: line over the {config.MAX_INPUT_BYTES} byte limit for one article; skipped")
                continue
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield InputError(f"{path}:{n}: not UTF-8 (byte {exc.start}); re-encode it as UTF-8")
                continue
            if line.strip():
                seen = True
                yield from parse_jsonl(line, path, first_line=n)
    if not seen:
        yield InputError(f"{path}: empty input")


def parse_jsonl(text: str, path: Path, first_line: int = 1) -> Iterator[Item]:
    """One {"id", "text"} object per line (optional "title", "date", "url"); bad lines become errors."""
    # split on "\n" only: a JSON string may hold U+2028 or U+0085 unescaped, which splitlines() splits on
    for n, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield InputError(f"{where}: malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield InputError(f"{where}: expected a JSON object with \"id\" and \"text\"")
            continue
        doc_id, body = obj.get("id"), obj.get("text")
        if doc_id is None or str(doc_id).strip() == "":
            yield InputError(f"{where}: missing \"id\"")
            continue
        if not isinstance(body, str) or not body.strip():
            yield InputError(f"{where}: missing or empty \"text\"")
            continue
        raw_date = obj.get("date")
        day = parse_date(str(raw_date)) if raw_date else None
        if raw_date and not day:
            yield InputError(f"{where}: unreadable \"date\" {raw_date!r} (use YYYY-MM-DD); the article is read without a date")
        yield Document(
            id=str(doc_id), text=body, title=(obj.get("title") or None), date=day,
            url=(obj.get("url") or None), source=where,
        )


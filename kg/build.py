"""The main job: documents -> extraction records -> resolved entities -> (links) -> quads -> sink."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pyoxigraph import Quad

from kg import config
from kg.documents import read_documents
from kg.errors import ConfigError, InputError
from kg.records import ArticleRecord, Document


@dataclass
class BuildOptions:
    paths: list[Path] = field(default_factory=lambda: [Path("seeds")])
    output: Path | None = None
    format: str = "turtle"
    model: str = config.DEFAULT_MODEL
    base: str = config.DEFAULT_BASE
    link: str = "offline"  # none | offline | wikidata


@dataclass
class BuildReport:
    articles: int = 0
    triples: int = 0
    errors: list[str] = field(default_factory=list)


def check_base(base: str) -> str:
    if not base.startswith(("http://", "https://", "urn:")) or any(c in base for c in ' <>"{}|\\^`'):
        raise ConfigError(f"--base {base!r} is not an absolute IRI; use e.g. https://example.org/kg/")
    if not base.endswith(("/", "#")):
        base += "/"
    return base


def collect_documents(paths: list[Path], report: BuildReport) -> list[Document]:
    """Readable documents, in input order; each bad input becomes an error line, duplicates too."""
    docs: list[Document] = []
    seen: dict[str, str] = {}
    for item in read_documents(paths):
        if isinstance(item, InputError):
            report.errors.append(str(item))
            continue
        if item.id in seen:
            report.errors.append(f"{item.source}: duplicate article id {item.id!r} (also {seen[item.id]}); skipped")
            continue
        seen[item.id] = item.source
        docs.append(item)
    return docs


def extract_records(docs: list[Document], model: str) -> Iterator[ArticleRecord]:
    from kg.extract import extract_many
    from kg.nlp import load_pipeline

    nlp = load_pipeline(model)
    yield from extract_many(docs, nlp, batch_size=config.BATCH_SIZE)


def build_quads(opts: BuildOptions) -> tuple[list[Quad], BuildReport]:
    """Every quad of the build (graph = article IRI) and a report of what went wrong."""
    from kg.rdf import quads_for
    from kg.resolve import resolve

    base = check_base(opts.base)
    report = BuildReport()
    docs = collect_documents(list(opts.paths), report)
    records = list(extract_records(docs, opts.model))
    resolution = resolve(records, base)
    link_entities(resolution, opts)
    quads = list(quads_for(records, resolution, base))
    report.articles = len(records)
    return quads, report


def link_entities(resolution, opts: BuildOptions) -> None:
    """Attach owl:sameAs links to resolved entities (kg.link; skipped while it is absent)."""
    if opts.link == "none":
        return
    try:
        from kg.link import link_resolution
    except ImportError:
        return
    link_resolution(resolution, mode=opts.link)


def build_graph(opts: BuildOptions) -> BuildReport:
    """Build and write the graph to opts.output (or stdout) in opts.format."""
    from kg.serialize import format_for, serialize, write_atomic

    format_for(opts.format)  # fail on a bad format before the expensive part
    quads, report = build_quads(opts)
    data = serialize(quads, opts.format)
    report.triples = len({(q.subject, q.predicate, q.object) for q in quads})
    if report.articles == 0 and report.errors:
        return report  # nothing readable: write nothing
    write_atomic(data, opts.output)
    return report

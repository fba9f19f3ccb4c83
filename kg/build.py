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
    wikidata_endpoint: str | None = None  # SPARQL endpoint for --link wikidata (None: Wikidata's)
    wikidata_api: str | None = None  # MediaWiki API for --link wikidata (None: Wikidata's)
    cache_dir: Path | None = None  # linker cache (None: config.CACHE_DIR)
    enrich: bool = False  # add Wikidata facts of linked items in <base>graph/wikidata
    user_agent: str | None = None  # sent to Wikidata (None: config.USER_AGENT)


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
    check_link_options(opts)
    report = BuildReport()
    docs = collect_documents(list(opts.paths), report)
    records = list(extract_records(docs, opts.model))
    resolution = resolve(records, base)
    link_entities(resolution, opts, records)
    quads = list(quads_for(records, resolution, base))
    quads += enrich(resolution, opts, base)
    report.articles = len(records)
    return quads, report


def link_settings(opts: BuildOptions):
    """kg.link.LinkSettings from the build options (defaults: Wikidata's own services)."""
    from kg.link import WIKIDATA_API, WIKIDATA_SPARQL, LinkSettings

    return LinkSettings(
        endpoint=WIKIDATA_SPARQL if opts.wikidata_endpoint is None else opts.wikidata_endpoint,
        api=WIKIDATA_API if opts.wikidata_api is None else opts.wikidata_api,
        cache_dir=config.CACHE_DIR if opts.cache_dir is None else opts.cache_dir,
        user_agent=opts.user_agent or config.USER_AGENT,
    )


def check_link_options(opts: BuildOptions) -> None:
    """Fail on bad linking options before the expensive part."""
    from kg.link import check_mode

    check_mode(opts.link)
    if opts.enrich and opts.link != "wikidata":
        raise ConfigError("--enrich needs --link wikidata (the facts come from Wikidata or a mirror)")


def link_entities(resolution, opts: BuildOptions, records: list[ArticleRecord] | None = None) -> None:
    """Attach owl:sameAs links to resolved entities (kg.link; the article records give context)."""
    from kg.link import link_resolution

    check_link_options(opts)
    if opts.link == "none":
        return
    settings = link_settings(opts) if opts.link == "wikidata" else None
    link_resolution(resolution, mode=opts.link, settings=settings, records=records)


def enrich(resolution, opts: BuildOptions, base: str) -> list[Quad]:
    """Wikidata's facts about the linked items, in the named graph <base>graph/wikidata."""
    if not opts.enrich or opts.link != "wikidata":
        return []
    from kg.link import enrich_quads

    return list(enrich_quads(resolution, base, link_settings(opts)))


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

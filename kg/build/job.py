"""The main job: documents -> extraction records -> resolved entities -> (links) -> quads -> sink."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

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
    # -- scale (kg.pipeline, kg.engines, kg.cache) --
    workers: int | None = None  # extraction processes / Ray actors (None: 1 locally, every CPU on Ray)
    engine: str = "local"  # local | ray
    address: str | None = None  # Ray cluster to use with engine "ray" (None: start a local Ray)
    build_cache: Path | None = None  # build cache directory (None: no build cache; the CLI passes one)
    progress: Callable[[int, int | None], None] | None = None  # (articles done, expected) as they finish
    # -- sinks besides the file (kg.stores) --
    store: Path | None = None  # embedded Oxigraph store directory to load the graph into
    endpoint: str | None = None  # SPARQL 1.1 server to load the graph into


@dataclass
class BuildReport:
    articles: int = 0
    triples: int = 0
    errors: list[str] = field(default_factory=list)
    extracted: int = 0  # articles parsed in this build
    cached: int = 0  # articles whose record came from the build cache
    load: object | None = None  # kg.stores.LoadReport when the graph went to a store


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


def default_build_cache(cache_dir: Path | None = None) -> Path:
    """Where the CLI keeps the build cache: `build/` under --cache-dir (default config.CACHE_DIR)."""
    return (config.CACHE_DIR if cache_dir is None else Path(cache_dir)) / "build"


def extract_documents(opts: BuildOptions, report: BuildReport) -> list[ArticleRecord]:
    """Records of all readable documents, in input order: streamed, cached, on the chosen engine."""
    from kg.build.extraction import ExtractStats, extract_all

    stats = ExtractStats()
    records = extract_all(
        list(opts.paths), opts.model, report.errors, engine=opts.engine, workers=opts.workers,
        address=opts.address, cache_dir=opts.build_cache, batch_size=config.BATCH_SIZE,
        progress=opts.progress, stats=stats,
    )
    report.extracted, report.cached = stats.extracted, stats.cached
    return records


@dataclass
class Prepared:
    """A build up to the RDF mapping: records in input order, their resolution (linked), the base."""

    records: list[ArticleRecord]
    resolution: object  # kg.resolve.Resolution
    base: str
    report: BuildReport
    extra: list[Quad] | None = None  # the enrichment graph's quads, fetched once (iter_graphs)


def prepare(opts: BuildOptions) -> Prepared:
    """Extract, resolve and link: everything before quads. Records hold no spaCy objects."""
    from kg.resolve import resolve

    base = check_base(opts.base)
    check_link_options(opts)
    report = BuildReport()
    records = extract_documents(opts, report)
    resolution = resolve(records, base)
    link_entities(resolution, opts, records)
    report.articles = len(records)
    return Prepared(records, resolution, base, report)


def iter_graphs(prepared: Prepared, opts: BuildOptions) -> Iterator[list[Quad]]:
    """The quads of each article's named graph, in input order, then the enrichment graph's.

    For sinks that write graph by graph (a store replaces one article's graph at a time).
    """
    from kg.rdf import article_quads

    for rec in prepared.records:
        yield list(article_quads(rec, prepared.resolution, prepared.base))
    if prepared.extra is None:
        prepared.extra = enrich(prepared.resolution, opts, prepared.base)
    if prepared.extra:
        yield prepared.extra


def build_quads(opts: BuildOptions) -> tuple[list[Quad], BuildReport]:
    """Every quad of the build (graph = article IRI) and a report of what went wrong."""
    prepared = prepare(opts)
    quads = [q for graph in iter_graphs(prepared, opts) for q in graph]
    return quads, prepared.report


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
    """Build and write the graph to opts.output (or stdout) in opts.format.

    The quads stream into an external sort (kg.pipeline.SortedQuadWriter): the same bytes as
    kg.serialize.serialize, without the whole graph in memory.
    """
    from kg.build.extraction import SortedQuadWriter

    writer = SortedQuadWriter(opts.format)  # fails on a bad format before the expensive part
    to_store = opts.store is not None or opts.endpoint is not None
    if opts.store is not None and opts.endpoint is not None:
        raise ConfigError("give either --store or --endpoint, not both")
    prepared = prepare(opts)
    report = prepared.report
    if report.articles == 0 and report.errors:
        return report  # nothing readable: write nothing
    for quads in iter_graphs(prepared, opts):
        writer.add(quads)
    if opts.output is not None or not to_store:
        writer.write(opts.output)
        report.triples = writer.triples
    else:
        report.triples = writer.count_triples()
    if to_store:  # a second pass over the records: the quads are cheap to remake, costly to keep
        report.load = store_graphs(iter_graphs(prepared, opts), opts)
    return report


def store_graphs(graphs: Iterable[list[Quad]], opts: BuildOptions):
    """Load the build into the embedded store or a SPARQL server: each article's graph replaced."""
    from kg.stores import load_quads

    target = opts.endpoint if opts.endpoint is not None else opts.store
    return load_quads((q for graph in graphs for q in graph), target)

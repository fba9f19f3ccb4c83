"""The main job: documents -> extraction records -> resolved entities -> (links) -> quads -> sink."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from pyoxigraph import Quad

from kg import config
from kg.build.extraction import ExtractStats, extract_all
from kg.build.options import BuildOptions, BuildReport, check_base, check_link_options, link_settings
from kg.build.sorted_writer import SortedQuadWriter
from kg.errors import ConfigError
from kg.link import enrich_quads, link_resolution
from kg.rdf import article_quads
from kg.records import ArticleRecord, Document
from kg.resolve import Resolution, resolve

if TYPE_CHECKING:
    from kg.stores import LoadReport


def extract_documents(opts: BuildOptions, report: BuildReport,
                      documents: Iterable[Document] | None = None) -> list[ArticleRecord]:
    """Records of all readable documents (`documents`, else those under opts.paths), in input order:
    streamed, cached, on the chosen engine."""
    stats = ExtractStats()
    records = extract_all(
        list(opts.paths), opts.model, report.errors, engine=opts.engine, workers=opts.workers,
        address=opts.address, cache_dir=opts.build_cache, batch_size=config.BATCH_SIZE,
        progress=opts.progress, stats=stats, documents=documents,
    )
    report.extracted, report.cached = stats.extracted, stats.cached
    return records


@dataclass
class Prepared:
    """A build up to the RDF mapping: records in input order, their resolution (linked), the base."""

    records: list[ArticleRecord]
    resolution: Resolution
    base: str
    report: BuildReport
    extra: list[Quad] | None = None  # the enrichment graph's quads, fetched once (iter_graphs)


def prepare(opts: BuildOptions, documents: Iterable[Document] | None = None) -> Prepared:
    """Extract, resolve and link: everything before quads. Records hold no spaCy objects."""
    base = check_base(opts.base)
    check_link_options(opts)
    report = BuildReport()
    records = extract_documents(opts, report, documents)
    resolution = resolve(records, base, link=linker(opts, records))
    report.articles = len(records)
    return Prepared(records, resolution, base, report)


def iter_graphs(prepared: Prepared, opts: BuildOptions) -> Iterator[list[Quad]]:
    """The quads of each article's named graph, in input order, then the enrichment graph's.

    For sinks that write graph by graph (a store replaces one article's graph at a time).
    """
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


def linker(opts: BuildOptions, records: list[ArticleRecord]) -> Callable[[Resolution], None] | None:
    """What resolution calls to link its nodes of one name each (a link decides merges), or None."""
    check_link_options(opts)
    if opts.link == "none":
        return None
    return lambda nodes: link_entities(nodes, opts, records)


def link_entities(resolution: Resolution, opts: BuildOptions, records: list[ArticleRecord] | None = None) -> None:
    """Attach owl:sameAs links to resolved entities (kg.link; the article records give context)."""
    check_link_options(opts)
    if opts.link == "none":
        return
    settings = link_settings(opts) if opts.link == "wikidata" else None
    link_resolution(resolution, mode=opts.link, settings=settings, records=records)


def enrich(resolution: Resolution, opts: BuildOptions, base: str) -> list[Quad]:
    """Wikidata's facts about the linked items, in the named graph <base>graph/wikidata."""
    if not opts.enrich or opts.link != "wikidata":
        return []
    return list(enrich_quads(resolution, base, link_settings(opts)))


def build_graph(opts: BuildOptions, documents: Iterable[Document] | None = None) -> BuildReport:
    """Build and write the graph to opts.output (or stdout) in opts.format, and into the store.

    `documents` are built instead of the files under opts.paths (kg ingest hands over articles).

    The quads stream into an external sort (kg.build.sorted_writer.SortedQuadWriter): the same
    bytes as kg.serialize.serialize, without the whole graph in memory.
    """
    writer = SortedQuadWriter(opts.format)  # fails on a bad format before the expensive part
    to_store = opts.store is not None or opts.endpoint is not None
    if opts.store is not None and opts.endpoint is not None:
        raise ConfigError("give either --store or --endpoint, not both")
    prepared = prepare(opts, documents)
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


def store_graphs(graphs: Iterable[list[Quad]], opts: BuildOptions) -> LoadReport:
    """Load the build into the embedded store or a SPARQL server: each article's graph replaced."""
    from kg.stores import load_quads  # the HTTP and SPARQL clients: only a build with a store sink needs them

    target = opts.endpoint if opts.endpoint is not None else opts.store
    return load_quads((q for graph in graphs for q in graph), target)

"""The main job: documents -> extraction records -> resolved entities -> (links) -> quads -> sink."""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from pyoxigraph import Quad

from kg import config
from kg.build.extraction import ExtractStats, extract_all
from kg.build.incremental import Target, combine, earlier_records, load_changes, open_target
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
    """A build up to the RDF mapping: records in input order, their resolution (linked), the base.

    `everything` is what the resolution was made from: `records`, plus, in a build into a store,
    the records of the other articles built into it before (kg.build.incremental)."""

    records: list[ArticleRecord]
    resolution: Resolution
    base: str
    report: BuildReport
    extra: list[Quad] | None = None  # the enrichment graph's quads, fetched once (iter_graphs)
    everything: list[ArticleRecord] | None = None
    renewed: list[ArticleRecord] = field(default_factory=list)  # earlier articles extracted again


def prepare(opts: BuildOptions, documents: Iterable[Document] | None = None,
            target: Target | None = None) -> Prepared:
    """Extract, resolve and link: everything before quads. Records hold no spaCy objects.

    With a `target` store, the records already built into it are resolved and linked with this
    build's (which replace those of the same article ids)."""
    base = check_base(opts.base)
    check_link_options(opts)
    report = BuildReport()
    records = extract_documents(opts, report, documents)
    everything, renewed = records, []
    if target is not None:
        earlier, stale = earlier_records(target)
        ids = {r.doc.id for r in records}
        stale = [r for r in stale if r.doc.id not in ids]
        if stale:  # made by another pipeline version: extracted again, as one build over all would
            again = BuildReport()
            renewed = extract_documents(replace(opts, progress=None), again, [r.doc for r in stale])
            report.errors += again.errors
            report.extracted += again.extracted
            report.cached += again.cached
        everything = combine(earlier + renewed, records)
    resolution = resolve(everything, base, link=linker(opts, everything))
    report.articles = len(records)
    return Prepared(records, resolution, base, report, everything=everything, renewed=renewed)


def iter_graphs(prepared: Prepared, opts: BuildOptions, records: list[ArticleRecord] | None = None) -> Iterator[list[Quad]]:
    """The quads of each article's named graph (`records`, default this build's), in order, then
    the enrichment graph's.

    For sinks that write graph by graph (a store replaces one article's graph at a time).
    """
    for rec in prepared.records if records is None else records:
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
    with ExitStack() as stack:
        target = stack.enter_context(open_target(opts, check_base(opts.base))) if to_store else None
        prepared = prepare(opts, documents, target)
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
        if target is not None:  # passes over all records: the quads are cheap to remake, costly to keep
            report.load = store_graphs(prepared, opts, target)
    return report


def store_graphs(prepared: Prepared, opts: BuildOptions, target: Target) -> LoadReport:
    """Load into the embedded store or a SPARQL server what this build changes there: the graphs
    of all the articles built into it, sent where they differ from what it holds."""
    return load_changes(target, prepared.records + prepared.renewed,
                        lambda: iter_graphs(prepared, opts, prepared.everything))

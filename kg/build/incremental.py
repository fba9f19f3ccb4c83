"""Builds that add to a store: `kg build B --store S` after `kg build A --store S` gives the
triples of `kg build A B --store S`.

A build into a store reads the records of the articles already built into it (kg.build.state),
lets this build's records replace those of the same article ids, resolves and links all of them
together, maps all of them to quads and sends only what changed (kg.build.changes): the article
graphs whose triples differ (this build's articles, and earlier ones whose entities a new article
merged or renamed) and the entity descriptions that differ. A build that changes nothing sends
nothing. Records of another pipeline version (an upgraded kg) are extracted again from their
stored text, as one build over all inputs would. docs/identity.md tells the whole story.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from pyoxigraph import Quad

from kg.build.cache import pipeline_version
from kg.build.changes import changed_quads, changes, digests, is_entities_graph
from kg.build.options import BuildOptions
from kg.build.state import StoreState, state_path
from kg.records import ArticleRecord

if TYPE_CHECKING:
    from kg.stores import GraphStore, LoadReport

#: makes the graphs of all the store's articles anew each time it is called (two passes)
GraphSource = Callable[[], Iterable[list[Quad]]]
#: graphs of the state asked for in the store at the start of a build (an evenly spaced sample)
PROBES = 200


@dataclass
class Target:
    """An open store and the state of what was built into it."""

    store: GraphStore
    state: StoreState
    version: str  # the pipeline version of this build's records

    def close(self) -> None:
        try:
            self.state.close()
        finally:
            self.store.close()

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_target(opts: BuildOptions, base: str) -> Target:
    """Open the store (or server) and its state under `base`; a state that the store no longer
    matches (the store was emptied or replaced) is forgotten."""
    from kg.stores import open_store  # the HTTP and SPARQL clients: only a build with a store sink needs them

    store = open_store(store=opts.store, endpoint=opts.endpoint)
    try:
        state = StoreState(state_path(opts.store, opts.endpoint, opts.cache_dir), base)
    except BaseException:
        store.close()
        raise
    target = Target(store, state, pipeline_version(opts.model))
    try:
        check_state(target)
    except BaseException:
        target.close()
        raise
    return target


def check_state(target: Target) -> None:
    """Ask the store for (a sample of) the graphs the state says were written: none there, the
    state is forgotten (an emptied or new store); some missing, they will be sent again."""
    graphs = sorted(target.state.graph_digests())
    if not graphs:
        return
    sample = graphs[::max(1, len(graphs) // PROBES)]
    values = " ".join(f"<{g}>" for g in sample)
    answer = target.store.query(f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}")
    present = {row[0].value for row in answer.rows if row and row[0] is not None}
    if not present:
        target.state.reset()
    elif len(present) < len(sample):
        target.state.forget_graphs(sorted(set(sample) - present))


def earlier_records(target: Target) -> tuple[list[ArticleRecord], list[ArticleRecord]]:
    """The records built into the store before: those of this pipeline version, and those to
    extract again."""
    return target.state.records(target.version)


def combine(earlier: Iterable[ArticleRecord], records: list[ArticleRecord]) -> list[ArticleRecord]:
    """Every record the store will hold: this build's, and the earlier ones of other articles."""
    ids = {r.doc.id for r in records}
    return [r for r in earlier if r.doc.id not in ids] + records


def load_changes(target: Target, records: list[ArticleRecord], graphs: GraphSource) -> LoadReport:
    """Send what differs from the store (from two passes over `graphs()`, all the store's
    articles), then remember what was written; records are remembered before the load."""
    from kg.stores import load_quads

    state = target.state
    state.save_records(records, target.version)
    new = digests(graphs())
    send = changes(new, state.graph_digests(), state.description_digests())
    report = load_quads(changed_quads(graphs(), send) if send else iter(()), target.store)
    failed = set(report.failed)
    written = {g: d for g, d in new.graphs.items() if g not in failed}
    entities_failed = any(is_entities_graph(g) for g in failed)
    state.save_digests(written, None if entities_failed else new.descriptions)
    return report

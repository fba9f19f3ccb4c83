"""What every store shares: the GraphStore interface, the LoadReport, and cutting quads into batches.

A backend (embedded.py, sparql.py, or your own, see registry.py) only writes one batch and runs
one query; `GraphStore.replace_graphs` does the rest: it replaces each graph the first time a load
meets it, and turns failed batches into a report that names the graphs that were not loaded.
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Mapping, Optional, Sequence, TypeVar, Union

import pyoxigraph as ox

from kg.errors import ConfigError, InputError, StoreError
from kg.sparql import QueryResult, Term

#: Quads per request in the default (atomic) mode, and in --bulk mode.
DEFAULT_BATCH_SIZE = 10_000
DEFAULT_BULK_BATCH_SIZE = 100_000
#: Requests that fail with a transient fault are retried this often, waiting BACKOFF * 2**n s.
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5
DEFAULT_TIMEOUT = 60.0

GraphName = Union[ox.NamedNode, ox.DefaultGraph]
Batch = Mapping[GraphName, Sequence[ox.Quad]]
Progress = Callable[["LoadReport"], None]

DEFAULT_GRAPH_LABEL = "(default graph)"


def graph_label(graph: GraphName) -> str:
    """How reports name a graph: its IRI (an article IRI for kg's own graphs)."""
    return graph.value if isinstance(graph, ox.NamedNode) else DEFAULT_GRAPH_LABEL


# --------------------------------------------------------------------------- reports


@dataclass
class LoadReport:
    """What a load did. `failed` maps each graph that was not (completely) loaded to the reason."""

    target: str
    loaded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    triples: int = 0
    batches: int = 0
    seconds: float = 0.0
    total: Optional[int] = None  # quads to load, when known in advance (for progress)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def rate(self) -> float:
        """Triples per second."""
        return self.triples / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        head = (
            f"{len(self.loaded)} graph(s), {self.triples} triple(s) loaded into {self.target} "
            f"in {self.seconds:.1f} s ({self.rate:,.0f} triples/s)"
        )
        if self.failed:
            head += f"; {len(self.failed)} graph(s) NOT loaded"
        return head


class BatchFailure(Exception):
    """Raised by a writer: `done` graphs of the batch were written before `error` happened."""

    def __init__(self, error: StoreError, done: Sequence[GraphName] = ()):
        super().__init__(str(error))
        self.error = error
        self.done = list(done)


class FatalStoreError(StoreError):
    """A failure after which further requests are pointless (server gone, auth refused)."""

    transient = False  # True when retries of a transient fault ran out


# --------------------------------------------------------------------------- batching


def batches(quads: Iterable[ox.Quad], batch_size: int) -> Iterator[dict[GraphName, list[ox.Quad]]]:
    """Group a quad stream into batches of whole graphs of about `batch_size` quads.

    A batch is cut only where the graph changes, so a graph that arrives contiguously (as kg
    writes them) is never split: its blank nodes stay in one request. A graph bigger than
    `batch_size` makes a batch of its own.
    """
    if batch_size < 1:
        raise ConfigError(f"batch size must be at least 1, got {batch_size}")
    current: dict[GraphName, list[ox.Quad]] = {}
    size = 0
    last: object = None
    bucket: list[ox.Quad] = []
    for quad in quads:
        graph = quad.graph_name
        if graph != last:
            if isinstance(graph, ox.BlankNode):
                raise InputError("a graph named by a blank node cannot be loaded: name it with an IRI")
            if size >= batch_size:
                yield current
                current, size = {}, 0
            last = graph
            bucket = current.setdefault(graph, [])
        bucket.append(quad)
        size += 1
    if current:
        yield current


T = TypeVar("T")


def prefetch(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """Produce `items` in a background thread, so that parsing the next batch overlaps sending
    this one to a server (the GIL is free while we wait for its answer)."""
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(entry: tuple[bool, object]) -> None:
        while not stop.is_set():
            try:
                slots.put(entry, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for item in items:
                put((True, item))
                if stop.is_set():
                    return
            put((True, end))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            put((False, exc))

    worker = threading.Thread(target=produce, name="kg-load-reader", daemon=True)
    worker.start()
    try:
        while True:
            ok, item = slots.get()
            if not ok:
                raise item  # type: ignore[misc]
            if item is end:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()


def fresh_blank_nodes(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Give blank nodes fresh ids, so `_:b0` of one article never merges with another's `_:b0`."""
    mapping: dict[str, ox.BlankNode] = {}

    def fresh(node: ox.BlankNode) -> ox.BlankNode:
        new = mapping.get(node.value)
        if new is None:
            new = mapping[node.value] = ox.BlankNode()
        return new

    for quad in quads:
        s, o = quad.subject, quad.object
        s_blank, o_blank = type(s) is ox.BlankNode, type(o) is ox.BlankNode
        if s_blank or o_blank:
            yield ox.Quad(fresh(s) if s_blank else s, quad.predicate, fresh(o) if o_blank else o, quad.graph_name)
        else:
            yield quad


def update_text(batch: Batch, replace: Iterable[GraphName], *, template: bool = False) -> str:
    """One SPARQL Update request: DROP the graphs to replace, then INSERT DATA the batch.

    `template=True` writes `INSERT { ... } WHERE {}` instead, for servers that refuse blank
    nodes in INSERT DATA (Virtuoso); the blank nodes are then minted fresh by the server.
    """
    ops = [
        "DROP SILENT DEFAULT" if isinstance(g, ox.DefaultGraph) else f"DROP SILENT GRAPH {g}" for g in replace
    ]
    body = []
    for graph, quads in batch.items():
        triples = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        body.append(triples if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{\n{triples}}}")
    ops.append(("INSERT {\n" if template else "INSERT DATA {\n") + "\n".join(body) + ("} WHERE {}" if template else "}"))
    return " ;\n".join(ops)


def has_blank_nodes(batch: Batch) -> bool:
    return any(
        type(q.subject) is ox.BlankNode or type(q.object) is ox.BlankNode
        for quads in batch.values() for q in quads
    )


# --------------------------------------------------------------------------- the interface


class GraphStore:
    """A place to load graphs into and run queries against. Subclasses write one batch."""

    #: Human description for messages ("embedded store ./kg-store").
    description: str = "store"
    #: Read the next batch in a background thread while this one is written (remote servers).
    overlap: bool = False

    def write_batch(self, batch: Batch, replace: Sequence[GraphName], bulk: bool) -> None:
        """Write a batch, first dropping the graphs in `replace`. Raise BatchFailure on error."""
        raise NotImplementedError

    def query(self, sparql: str, bindings: Optional[Mapping[str, Optional[Term]]] = None) -> QueryResult:
        """Run a SELECT/CONSTRUCT/DESCRIBE/ASK query with parameters bound as RDF terms."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the store (flush to disk, close connections)."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def replace_graphs(
        self,
        groups: Iterable[Batch],
        *,
        bulk: bool = False,
        progress: Optional[Progress] = None,
        total: Optional[int] = None,
    ) -> LoadReport:
        """Load batches of quads grouped by graph, replacing each graph the first time it is met.

        Within one call, a graph met again in a later batch is appended to (not replaced). A batch
        that fails marks its graphs as failed; after a fatal failure (server unreachable after
        retries, authentication refused) the remaining graphs are listed as not loaded too.
        """
        report = LoadReport(self.description, total=total)
        start = time.perf_counter()
        seen: set[GraphName] = set()
        loaded: dict[str, None] = {}
        failed: dict[str, str] = {}
        iterator = prefetch(groups) if self.overlap else iter(groups)
        for batch in iterator:
            replace = [g for g in batch if g not in seen]
            try:
                self.write_batch(batch, replace, bulk)
            except BatchFailure as failure:
                done = set(failure.done)
                for graph in batch:
                    seen.add(graph)
                    if graph in done:
                        loaded[graph_label(graph)] = None
                        report.triples += len(batch[graph])
                    else:
                        failed[graph_label(graph)] = str(failure.error)
                        loaded.pop(graph_label(graph), None)
                report.batches += 1
                if isinstance(failure.error, FatalStoreError):
                    reason = "not attempted: the load stopped at the error above"
                    for rest in iterator:
                        for graph in rest:
                            if graph_label(graph) not in failed:
                                failed[graph_label(graph)] = reason
                                loaded.pop(graph_label(graph), None)
                    break
                continue
            for graph, quads in batch.items():
                seen.add(graph)
                if graph_label(graph) not in failed:
                    loaded[graph_label(graph)] = None
                report.triples += len(quads)
            report.batches += 1
            report.seconds = time.perf_counter() - start
            if progress:
                report.loaded = [g for g in loaded if g not in failed]
                progress(report)
        report.loaded = [g for g in loaded if g not in failed]
        report.failed = failed
        report.seconds = time.perf_counter() - start
        return report


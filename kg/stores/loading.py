"""Loading: a quad stream (`kg build`) or graph files (`kg load`) into any store, graph by graph.

Each graph met replaces the graph of that name in the store; the result is a LoadReport naming
the graphs that were not (completely) loaded.
"""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

import pyoxigraph as ox

from kg.errors import ConfigError, InputError
from kg.stores.base import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_BULK_BATCH_SIZE,
    GraphStore,
    LoadReport,
    Progress,
    batches,
    fresh_blank_nodes,
)
from kg.stores.embedded import EmbeddedStore
from kg.stores.files import check_file, count_quads, read_file_quads
from kg.stores.registry import as_store
from kg.stores.sparql import SparqlStore


def load_quads(
    quads: Iterable[ox.Quad],
    target: Union[GraphStore, str, Path, None] = None,
    *,
    batch_size: Optional[int] = None,
    bulk: bool = False,
    progress: Optional[Progress] = None,
    total: Optional[int] = None,
    **open_kw: object,
) -> LoadReport:
    """Load a quad stream (e.g. from `kg build`) into a store, replacing each graph it contains.

    `target` is a GraphStore, an http(s) endpoint URL, a store directory, or None for ./kg-store.
    Blank nodes get fresh ids. Returns a LoadReport; check `.ok` / `.failed`.
    """
    store, own = as_store(target, **open_kw)
    try:
        size = batch_size or (DEFAULT_BULK_BATCH_SIZE if bulk else DEFAULT_BATCH_SIZE)
        return store.replace_graphs(
            batches(fresh_blank_nodes(quads), size), bulk=bulk, progress=progress, total=total
        )
    finally:
        if own:
            store.close()


def load_files(
    paths: Sequence[Path],
    target: Union[GraphStore, str, Path, None] = None,
    *,
    batch_size: Optional[int] = None,
    bulk: bool = False,
    default_graph: Optional[str] = None,
    progress: Optional[Progress] = None,
    **open_kw: object,
) -> LoadReport:
    """Load Turtle/N-Triples/TriG/N-Quads (and JSON-LD, RDF/XML) files into a store.

    Each named graph in the files replaces the graph of that name in the store. Triples outside a
    named graph go to the graph `default_graph`, else to one named after the file. In the default
    mode every file is parsed once before anything is written, so a broken file loads nothing;
    --bulk skips that check and the transactions for speed.
    """
    files = [check_file(Path(p)) for p in paths]
    if not files:
        raise InputError("no files to load")
    if default_graph is not None:
        try:
            ox.NamedNode(default_graph)
        except ValueError as exc:
            raise ConfigError(f"--default-graph {default_graph!r} is not an IRI ({exc})") from exc
    total = None if bulk else sum(count_quads(f) for f in files)  # refuse a broken file up front
    store, own = as_store(target, **open_kw)
    try:
        if bulk and isinstance(store, EmbeddedStore) and store.path is not None and store.is_empty():
            return store.bulk_load_files(files, default_graph)
        size = batch_size or (DEFAULT_BULK_BATCH_SIZE if bulk else DEFAULT_BATCH_SIZE)
        lenient = bulk and isinstance(store, SparqlStore)  # the server parses and checks it again
        quads = itertools.chain.from_iterable(read_file_quads(f, default_graph, lenient=lenient) for f in files)
        return store.replace_graphs(batches(quads, size), bulk=bulk, progress=progress, total=total)
    finally:
        if own:
            store.close()

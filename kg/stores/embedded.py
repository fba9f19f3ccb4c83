"""The embedded store: an Oxigraph database in this process, on disk (default ./kg-store) or in memory."""
from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Mapping, Optional, Sequence

import pyoxigraph as ox

from kg.errors import InputError, QueryError, StoreError
from kg.sparql import QueryResult, Term, bind_values, query_shape, result_from_pyoxigraph
from kg.stores.base import Batch, BatchFailure, FatalStoreError, GraphName, GraphStore, LoadReport, update_text
from kg.stores.files import file_format


class EmbeddedStore(GraphStore):
    """An Oxigraph store in this process: on disk at `path`, or in memory when `path` is None."""

    def __init__(self, path: Optional[Path] = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        self.description = f"embedded store {self.path}" if self.path else "in-memory store"
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                if not (self.path / "CURRENT").is_file():
                    raise StoreError(
                        f"no store at {self.path}: load a graph first (kg load FILE --store {self.path})"
                    )
                self._store = ox.Store.read_only(str(self.path))
            else:
                if self.path.exists() and not self.path.is_dir():
                    raise StoreError(f"{self.path} is a file, not a store directory")
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {self.path}: {exc}. Is another kg or oxigraph process using it?"
            ) from exc

    @property
    def store(self) -> ox.Store:
        """The underlying pyoxigraph.Store (for callers that need the raw API)."""
        return self._store

    def is_empty(self) -> bool:
        return next(iter(self._store), None) is None

    def write_batch(self, batch: Batch, replace: Sequence[GraphName], bulk: bool) -> None:
        try:
            if bulk:  # fast, not atomic: drop, then write sorted runs straight to disk
                for graph in replace:
                    if isinstance(graph, ox.DefaultGraph):
                        self._store.clear_graph(graph)
                    elif self._store.contains_named_graph(graph):
                        self._store.remove_graph(graph)
                self._store.bulk_extend(itertools.chain.from_iterable(batch.values()))
            else:  # one update = one transaction: the drop and the insert land together or not at all
                self._store.update(update_text(batch, replace))
        except (OSError, SyntaxError, ValueError) as exc:
            raise BatchFailure(FatalStoreError(f"{self.description}: write failed: {exc}")) from exc

    def bulk_load_files(self, files: Sequence[Path], default_graph: Optional[str]) -> LoadReport:
        """Fastest path for an empty store: Oxigraph's parallel bulk loader reads the files itself."""
        report = LoadReport(self.description)
        start = time.perf_counter()
        for path in files:
            fmt = file_format(path)
            try:
                self._store.bulk_load(
                    path=str(path),
                    format=fmt,
                    base_iri=path.resolve().as_uri(),
                    to_graph=ox.NamedNode(default_graph or path.resolve().as_uri()),
                )
            except SyntaxError as exc:
                raise InputError(f"{path}: {exc} (a --bulk load keeps what was read before the error)") from exc
            except OSError as exc:
                raise StoreError(f"{self.description}: bulk load of {path} failed: {exc}") from exc
        self._store.flush()
        report.loaded = sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        report.triples = len(self._store)
        report.batches = len(files)
        report.seconds = time.perf_counter() - start
        return report

    def load_file_plain(self, path: Path) -> None:
        """Read one file into this store as is (for `kg query --graph FILE`)."""
        fmt = file_format(path)
        try:
            self._store.load(
                path=str(path), format=fmt, base_iri=path.resolve().as_uri(),
                to_graph=ox.NamedNode(path.resolve().as_uri()),
            )
        except SyntaxError as exc:
            raise InputError(f"{path}: {exc}") from exc
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc}") from exc

    def query(self, sparql: str, bindings: Optional[Mapping[str, Optional[Term]]] = None) -> QueryResult:
        text = bind_values(sparql, bindings or {})
        form = query_shape(text).form
        try:
            answer = self._store.query(text, use_default_graph_as_union=True)
            return result_from_pyoxigraph(form, answer)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{self.description}: query failed: {exc}") from exc

    def close(self) -> None:
        """Flush, and let go of the database (and its lock) now rather than at garbage collection."""
        store = self.__dict__.pop("_store", None)
        if store is not None and self.path is not None and not self.read_only:
            try:
                store.flush()
            except OSError:
                pass


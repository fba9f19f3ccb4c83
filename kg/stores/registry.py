"""Backends by name, in the spirit of rdflib's plugin registry, and opening what the command line names.

`open_store` picks the backend from --store PATH, --endpoint URL or --graph FILE...; another
GraphStore implementation plugs in with `register_backend(name, cls)`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence, Union

from kg import config
from kg.errors import ConfigError
from kg.stores.base import DEFAULT_BACKOFF, DEFAULT_RETRIES, DEFAULT_TIMEOUT, GraphStore
from kg.stores.embedded import EmbeddedStore
from kg.stores.files import check_file
from kg.stores.sparql import SparqlStore

#: Backends by name, in the spirit of rdflib's plugin registry; add your own with register_backend.
BACKENDS: dict[str, type[GraphStore]] = {"embedded": EmbeddedStore, "sparql": SparqlStore}


def register_backend(name: str, cls: type[GraphStore]) -> None:
    """Register a GraphStore implementation under `name`. open_store opens BACKENDS["embedded"]
    for --store and BACKENDS["sparql"] for --endpoint, so registering under one of those names
    swaps the backend kg uses; other names are for callers that look them up in BACKENDS."""
    BACKENDS[name] = cls


def open_store(
    store: Optional[Path] = None,
    endpoint: Optional[str] = None,
    graph_files: Optional[Sequence[Path]] = None,
    *,
    dialect: str = "auto",
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    protocol: str = "update",
    read_only: bool = False,
) -> GraphStore:
    """Open what the command line names: --store PATH, --endpoint URL or --graph FILE...

    With none of them, the embedded store at the default location (./kg-store).
    """
    chosen = [n for n, v in (("--store", store), ("--endpoint", endpoint), ("--graph", graph_files)) if v]
    if len(chosen) > 1:
        raise ConfigError(f"give only one of --store, --endpoint, --graph (got {' and '.join(chosen)})")
    if endpoint:
        return BACKENDS["sparql"](
            endpoint, dialect=dialect, timeout=timeout, retries=retries, backoff=backoff, protocol=protocol
        )
    if graph_files:
        memory = EmbeddedStore(None)
        for path in graph_files:
            memory.load_file_plain(check_file(Path(path)))
        return memory
    return BACKENDS["embedded"](Path(store) if store else config.DEFAULT_STORE, read_only=read_only)


def as_store(target: Union[GraphStore, str, Path, None], **kw: object) -> tuple[GraphStore, bool]:
    """(store, opened here?) for a target given as a store, an http(s) URL or a path.

    With no target, `kw` may name one with store=PATH or endpoint=URL (as the CLI does).
    """
    if isinstance(target, GraphStore):
        return target, False
    if isinstance(target, str) and target.startswith(("http://", "https://")):
        return open_store(endpoint=target, **kw), True  # type: ignore[arg-type]
    if target:
        return open_store(store=Path(target), **kw), True  # type: ignore[arg-type]
    return open_store(**kw), True  # type: ignore[arg-type]

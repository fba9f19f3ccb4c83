"""Stores: load the graph into an embedded Oxigraph store or any SPARQL 1.1 server, and query it.

Two swappable backends share one interface (`GraphStore`), in the spirit of rdflib's plugins:

- `EmbeddedStore`: an on-disk pyoxigraph.Store (default `./kg-store`), or an in-memory one.
- `SparqlStore`: a remote server through SPARQL 1.1 Update and the Graph Store HTTP Protocol,
  with server dialects (oxigraph, virtuoso, fuseki, graphdb, generic) that know the endpoint
  layout and quirks. SPARQLWrapper does queries and updates; a plain urllib client only does
  the Graph Store Protocol requests that SPARQLWrapper has no verb for.

Loading replaces per-article named graphs: the first time a load meets a graph it drops it and
inserts the new triples in the same request (one transaction where the server makes an update
request one: embedded store, Oxigraph, Fuseki, GraphDB), so loading an article twice leaves no
duplicate or stale triples. A load never raises for a failed batch: it returns a `LoadReport`
that names exactly the articles that were not (completely) loaded.

The modules, bottom up: base (GraphStore, LoadReport, batching), files (reading graph files),
embedded (EmbeddedStore), auth (credentials), dialects (server layouts), faults (what a failed
request means), sparql (SparqlStore), registry (backends by name, open_store) and loading
(load_quads, load_files). Import from `kg.stores`: these names are the public API.
"""
from __future__ import annotations

from kg.stores.auth import Credentials, credentials_for, redact
from kg.stores.base import (
    DEFAULT_BACKOFF,
    DEFAULT_BATCH_SIZE,
    DEFAULT_BULK_BATCH_SIZE,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    GraphStore,
    LoadReport,
    batches,
)
from kg.stores.dialects import DIALECTS, Dialect, Endpoint, resolve_endpoint
from kg.stores.embedded import EmbeddedStore
from kg.stores.files import FILE_FORMATS, check_file, read_file_quads
from kg.stores.loading import load_files, load_quads
from kg.stores.registry import BACKENDS, open_store, register_backend
from kg.stores.sparql import SparqlStore

__all__ = [
    "BACKENDS", "DEFAULT_BACKOFF", "DEFAULT_BATCH_SIZE", "DEFAULT_BULK_BATCH_SIZE", "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT", "DIALECTS", "FILE_FORMATS", "Credentials", "Dialect", "EmbeddedStore", "Endpoint",
    "GraphStore", "LoadReport", "SparqlStore", "batches", "check_file", "credentials_for", "load_files",
    "load_quads", "open_store", "read_file_quads", "redact", "register_backend", "resolve_endpoint",
]

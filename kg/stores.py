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
"""
from __future__ import annotations

import ast
import http.client
import itertools
import netrc
import os
import queue
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Optional, Sequence, TypeVar, Union

import pyoxigraph as ox

from kg import config
from kg.errors import ConfigError, InputError, KGError, QueryError, StoreError
from kg.queries import QueryResult, Term, bind_values, query_shape, result_from_pyoxigraph, unique_triples

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

#: File suffix -> pyoxigraph format, for `kg load` and `kg query --graph`.
FILE_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}
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


class _BatchFailure(Exception):
    """Raised by a writer: `done` graphs of the batch were written before `error` happened."""

    def __init__(self, error: StoreError, done: Sequence[GraphName] = ()):
        super().__init__(str(error))
        self.error = error
        self.done = list(done)


class _Fatal(StoreError):
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
        """Write a batch, first dropping the graphs in `replace`. Raise _BatchFailure on error."""
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
            except _BatchFailure as failure:
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
                if isinstance(failure.error, _Fatal):
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


# --------------------------------------------------------------------------- embedded


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
            raise _BatchFailure(_Fatal(f"{self.description}: write failed: {exc}")) from exc

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


# --------------------------------------------------------------------------- remote servers


@dataclass(frozen=True)
class Dialect:
    """Where a server family puts its endpoints, relative to the base URL, and its quirks."""

    name: str
    query: str
    update: str
    gsp: Optional[str]
    #: URL parameter that makes the default graph the union of all graphs (None: the server does it,
    #: or must be configured to).
    union_param: Optional[str] = None
    #: Send updates as an HTML form (update=...) instead of an application/sparql-update body.
    form_update: bool = False
    #: Accepts N-Quads POSTed to the GSP endpoint outside any transaction (fast --bulk path).
    bulk_nquads: bool = False
    #: One update request is one transaction.
    atomic: bool = True
    #: Takes blank nodes in INSERT DATA (Virtuoso does not: "not allowed in a constant clause").
    bnodes_in_data: bool = True


DIALECTS: dict[str, Dialect] = {
    # `oxigraph serve`: http://host:7878 -> /query, /update, /store
    "oxigraph": Dialect("oxigraph", "query", "update", "store", union_param="union-default-graph", bulk_nquads=True),
    # Virtuoso: http://host:8890 -> /sparql (query and update), /sparql-graph-crud (GSP).
    # Its default graph is already the union of all graphs; an update request is not one transaction.
    "virtuoso": Dialect(
        "virtuoso", "sparql", "sparql", "sparql-graph-crud", form_update=True, atomic=False, bnodes_in_data=False
    ),
    # Apache Jena Fuseki: http://host:3030/DATASET -> /query, /update, /data
    "fuseki": Dialect("fuseki", "query", "update", "data"),
    # Ontotext GraphDB (and RDF4J): http://host:7200/repositories/REPO -> itself, /statements, /rdf-graphs/service
    "graphdb": Dialect("graphdb", "", "statements", "rdf-graphs/service"),
    # Anything else: the URL is the SPARQL endpoint for both query and update, no GSP.
    "generic": Dialect("generic", "", "", None),
}


@dataclass(frozen=True)
class Endpoint:
    """A resolved server: dialect and the URLs of its services."""

    dialect: Dialect
    base: str
    query_url: str
    update_url: str
    gsp_url: Optional[str]


def _join(base: str, path: str) -> str:
    return f"{base}/{path}" if path else base


def resolve_endpoint(url: str, dialect: str = "auto") -> Endpoint:
    """Work out the server's service URLs from `--endpoint` and `--dialect`.

    `auto` goes by the URL's shape: http://host:7878 -> oxigraph; .../sparql -> virtuoso;
    .../repositories/REPO -> graphdb; .../DATASET/query -> fuseki; anything else -> generic.
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"endpoint {redact(url)!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            "credentials in the endpoint URL are refused (they would show in process lists and shell "
            "history): set KG_SPARQL_USER and KG_SPARQL_PASSWORD, or KG_SPARQL_TOKEN, or use ~/.netrc"
        )
    path = parts.path.rstrip("/")
    root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    segments = [s for s in path.split("/") if s]
    name = dialect.lower()
    if name == "auto":
        if not segments or segments == ["query"] or segments == ["update"] or segments == ["store"]:
            name = "oxigraph"
        elif segments[-1] in ("sparql", "sparql-auth") and len(segments) == 1:
            name = "virtuoso"
        elif "repositories" in segments[:-1]:
            name = "graphdb"
        elif len(segments) == 2 and segments[-1] in ("query", "update", "data"):
            name = "fuseki"  # /DATASET/query; a .../sparql URL stays generic (query and update there)
        else:
            name = "generic"
    if name not in DIALECTS:
        raise ConfigError(f"unknown dialect {dialect!r}; use auto or one of {', '.join(DIALECTS)}")
    d = DIALECTS[name]
    if name == "generic":
        return Endpoint(d, root + path, root + path, root + path, None)
    # strip a trailing service name so that both the base URL and a service URL are accepted
    services = {d.query, d.update, d.gsp or "", "sparql", "query", "update", "store", "data", "sparql-auth"} - {""}
    if name == "graphdb":
        if "repositories" in segments:
            i = segments.index("repositories")
            segments = segments[: i + 2]
    elif segments and segments[-1] in services:
        segments = segments[:-1]
    base = root + "".join(f"/{s}" for s in segments)
    gsp = _join(base, d.gsp) if d.gsp else None
    return Endpoint(d, base, _join(base, d.query), _join(base, d.update), gsp)


def redact(url: str) -> str:
    """A URL without any user:password part, for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class Credentials:
    """Basic/digest user and password, or a bearer token. Never printed: repr hides the secret."""

    kind: str  # basic | digest | bearer
    user: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)

    def header(self) -> Optional[str]:
        import base64

        if self.kind == "bearer":
            return f"Bearer {self.secret}"
        if self.kind == "basic":
            return "Basic " + base64.b64encode(f"{self.user}:{self.secret}".encode()).decode()
        return None  # digest is a challenge-response, done by a handler


def credentials_for(url: str, environ: Optional[Mapping[str, str]] = None) -> Optional[Credentials]:
    """Credentials from KG_SPARQL_TOKEN, KG_SPARQL_USER/KG_SPARQL_PASSWORD, else ~/.netrc (or $NETRC)."""
    env = os.environ if environ is None else environ
    token = env.get("KG_SPARQL_TOKEN")
    if token:
        return Credentials("bearer", secret=token)
    kind = env.get("KG_SPARQL_AUTH", "basic").lower()
    if kind not in ("basic", "digest"):
        raise ConfigError(f"KG_SPARQL_AUTH must be basic or digest, not {kind!r}")
    user = env.get("KG_SPARQL_USER")
    if user:
        return Credentials(kind, user, env.get("KG_SPARQL_PASSWORD", ""))
    host = urllib.parse.urlsplit(url).hostname or ""
    path = Path(env.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as exc:  # the parser's message may quote a secret: only say where
        raise ConfigError(f"{path}: cannot parse (line {exc.lineno}); fix it or set KG_SPARQL_USER") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if entry is None:
        return None
    login, _account, password = entry
    return Credentials(kind, login or "", password or "")


def _clean_message(raw: object, limit: int = 400) -> str:
    """The server's message, short: decoded, whitespace collapsed, echoed request text cut off."""
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", "replace")
    else:
        text = str(raw)
    for marker in ("SPARQL query:", "SPARQL request:"):  # Virtuoso echoes the whole request
        if marker in text:
            text = text[: text.index(marker)]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wrapper_message(exc: Exception) -> str:
    """The response body inside a SPARQLWrapper exception (it only keeps it in its message)."""
    text = str(exc)
    marker = "Response:\n"
    if marker in text:
        raw = text.split(marker, 1)[1]
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        return _clean_message(value)
    return _clean_message(text)


def _classify(exc: BaseException) -> tuple[Optional[int], str, bool]:
    """(HTTP status or None, message, transient?) for a failed request; transient faults are retried."""
    from SPARQLWrapper import SPARQLExceptions as SE

    codes = {
        SE.EndPointInternalError: 500, SE.QueryBadFormed: 400, SE.EndPointNotFound: 404,
        SE.Unauthorized: 401, SE.URITooLong: 414,
    }
    for cls, code in codes.items():
        if isinstance(exc, cls):
            return code, _wrapper_message(exc), code >= 500
    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = exc.read()
        except Exception:  # noqa: BLE001 - the body is only a nicety
            body = b""
        return exc.code, _clean_message(body or exc.reason), exc.code >= 500 or exc.code in (408, 429)
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, BaseException):
            return _classify(reason)
        return None, _clean_message(reason), False
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return None, "timed out", True
    if isinstance(exc, ConnectionRefusedError):
        return None, "connection refused", True
    if isinstance(exc, (ConnectionError, http.client.HTTPException)):
        return None, f"connection lost ({type(exc).__name__}: {exc})".replace(" ()", ""), True
    if isinstance(exc, socket.gaierror):
        return None, f"cannot resolve the host name ({exc.strerror})", False
    if isinstance(exc, OSError):
        return None, f"{type(exc).__name__}: {exc}", True
    return None, "", False


class SparqlStore(GraphStore):
    """A SPARQL 1.1 server: queries and updates with SPARQLWrapper, GSP with urllib.

    `protocol` chooses how batches are written: "update" (default; one DROP + INSERT DATA request
    per batch) or "gsp" (one Graph Store Protocol PUT per graph). `bulk=True` on a server that
    takes N-Quads outside a transaction (Oxigraph) POSTs whole batches that way instead.
    """

    overlap = True

    def __init__(
        self,
        url: str,
        *,
        dialect: str = "auto",
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = DEFAULT_BACKOFF,
        protocol: str = "update",
        credentials: Optional[Credentials] = None,
        environ: Optional[Mapping[str, str]] = None,
    ):
        self.endpoint = resolve_endpoint(url, dialect)
        self.dialect = self.endpoint.dialect
        if protocol not in ("update", "gsp"):
            raise ConfigError(f"unknown protocol {protocol!r}; use update or gsp")
        if protocol == "gsp" and not self.endpoint.gsp_url:
            raise ConfigError(f"the {self.dialect.name} dialect has no Graph Store Protocol endpoint; use --protocol update")
        if timeout <= 0:
            raise ConfigError(f"timeout must be positive, got {timeout}")
        if retries < 0:
            raise ConfigError(f"retries must be 0 or more, got {retries}")
        self.protocol = protocol
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.credentials = credentials if credentials is not None else credentials_for(url, environ)
        self.description = f"{self.dialect.name} server {self.endpoint.base}"
        self._empty_at_start = False

    def replace_graphs(self, groups: Iterable[Batch], *, bulk: bool = False, progress: Optional[Progress] = None,
                       total: Optional[int] = None) -> LoadReport:
        """As GraphStore.replace_graphs. A bulk load into a server that holds no named graph yet
        sends no DROP at all: every graph it writes is new (one ASK first, instead of a DROP per
        graph, which costs the server about as much as the load on many small graphs)."""
        self._empty_at_start = self._posts_nquads(bulk) and self._holds_no_graph()
        try:
            return super().replace_graphs(groups, bulk=bulk, progress=progress, total=total)
        finally:
            self._empty_at_start = False

    def _posts_nquads(self, bulk: bool) -> bool:
        """Whether a bulk batch goes as N-Quads on POST /store (the server's own bulk path)."""
        return bulk and bool(self.dialect.bulk_nquads and self.endpoint.gsp_url)

    def _holds_no_graph(self) -> bool:
        try:
            return self.query("ASK { GRAPH ?g { ?s ?p ?o } }").boolean is False
        except KGError:
            return False  # then replace graph by graph, as always

    # -- plumbing

    def _call(self, what: str, url: str, fn: Callable[[], object]) -> object:
        """Run one request with retries on transient faults; turn failures into StoreErrors."""
        delay = self.backoff
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except KGError:
                raise
            except Exception as exc:  # noqa: BLE001 - classified below, unknown ones re-raised
                status, message, transient = _classify(exc)
                if status is None and not message:
                    raise
                refused = status is not None and "No permission" in message  # Virtuoso: SR186 as HTTP 500
                if transient and not refused and attempt <= self.retries:
                    time.sleep(delay)
                    delay *= 2
                    continue
                where = f"{what} at {redact(url)}"
                if refused:
                    raise _Fatal(
                        f"{where}: HTTP {status}: {message} (the server refuses to write: on Virtuoso run "
                        "GRANT SPARQL_UPDATE TO \"SPARQL\", or set KG_SPARQL_USER/KG_SPARQL_PASSWORD for a user "
                        "who may; see docs/stores.md)"
                    ) from None
                if status is not None and not transient:
                    error_cls = _Fatal if status in (401, 403, 404, 405, 406, 407, 415) else StoreError
                    hint = " (check KG_SPARQL_USER/KG_SPARQL_PASSWORD, KG_SPARQL_TOKEN or ~/.netrc)" if status in (401, 403) else ""
                    raise error_cls(f"{where}: HTTP {status}: {message}{hint}") from None
                if status is not None:
                    detail = f"HTTP {status}: {message}. The server kept failing"
                else:
                    detail = message
                    if "timed out" in message:
                        detail += f" (timeout {self.timeout:g} s)"
                    detail += ". Is the server running and reachable?"
                error = _Fatal(f"{where} failed after {attempt} attempt(s): {detail}")
                error.transient = True
                raise error from None

    def _wrapper(self, url: str, update: bool = False):  # -> SPARQLWrapper
        from SPARQLWrapper import DIGEST, POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

        sw = SPARQLWrapper(url, updateEndpoint=url, agent=config.USER_AGENT)
        sw.setOnlyConneg(True)
        sw.setMethod(POST)
        sw.setRequestMethod(URLENCODED if (self.dialect.form_update or not update) else POSTDIRECTLY)
        sw.setTimeout(max(1, int(round(self.timeout))))
        creds = self.credentials
        if creds is not None:
            if creds.kind == "bearer":
                sw.addCustomHttpHeader("Authorization", creds.header())
            else:
                if creds.kind == "digest":
                    sw.setHTTPAuth(DIGEST)
                sw.setCredentials(creds.user, creds.secret)
        return sw

    def _http(self, method: str, url: str, body: bytes, content_type: str) -> bytes:
        """A plain HTTP request (Graph Store Protocol), with the same auth, timeout and retries."""
        handlers: list[urllib.request.BaseHandler] = []
        headers = {"Content-Type": content_type, "User-Agent": config.USER_AGENT}
        creds = self.credentials
        if creds is not None:
            if creds.kind == "digest":
                mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                mgr.add_password(None, url, creds.user, creds.secret)
                handlers.append(urllib.request.HTTPDigestAuthHandler(mgr))
            else:
                headers["Authorization"] = creds.header() or ""
        opener = urllib.request.build_opener(*handlers)

        def send() -> bytes:
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            with opener.open(request, timeout=self.timeout) as response:
                return response.read()

        return self._call(f"{method} (Graph Store Protocol)", url, send)  # type: ignore[return-value]

    def _update(self, text: str) -> None:
        sw = self._wrapper(self.endpoint.update_url, update=True)
        sw.setQuery(text)
        sw.queryType = "INSERT"  # never let a regex guess the request kind

        def send() -> None:
            with sw.query().response as response:
                response.read()

        self._call("SPARQL update", self.endpoint.update_url, send)

    # -- the interface

    def write_batch(self, batch: Batch, replace: Sequence[GraphName], bulk: bool) -> None:
        if any(isinstance(g, ox.DefaultGraph) for g in batch):
            raise _BatchFailure(StoreError(
                "triples outside a named graph cannot be loaded into a SPARQL server: put them in a named graph"
            ))
        try:
            if self._posts_nquads(bulk):
                if replace and not self._empty_at_start:
                    self._update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in replace))
                body = ox.serialize(itertools.chain.from_iterable(batch.values()), format=ox.RdfFormat.N_QUADS)
                self._http("POST", self.endpoint.gsp_url + "?no_transaction", body, "application/n-quads")
            elif self.protocol == "gsp":
                done: list[GraphName] = []
                for graph, quads in batch.items():
                    body = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
                    url = f"{self.endpoint.gsp_url}?graph={urllib.parse.quote(graph.value, safe='')}"
                    try:  # N-Triples is Turtle: text/turtle is what every GSP server takes
                        self._http("PUT" if graph in replace else "POST", url, body, "text/turtle")
                    except StoreError as exc:
                        raise _BatchFailure(exc, done) from exc
                    done.append(graph)
            else:
                template = not self.dialect.bnodes_in_data and has_blank_nodes(batch)
                try:
                    self._update(update_text(batch, replace, template=template))
                except StoreError as exc:
                    if not self.dialect.atomic and getattr(exc, "transient", False):  # part may be applied
                        exc.args = (f"{exc} (this server may have written part of the batch; load again to repair it)",)
                    raise
        except StoreError as exc:
            raise _BatchFailure(exc) from exc

    def query(self, sparql: str, bindings: Optional[Mapping[str, Optional[Term]]] = None) -> QueryResult:
        from SPARQLWrapper import JSON, TURTLE

        text = bind_values(sparql, bindings or {})
        form = query_shape(text).form
        sw = self._wrapper(self.endpoint.query_url)
        sw.setQuery(text)
        sw.queryType = form  # SPARQLWrapper guesses by regex; we know
        sw.setReturnFormat(JSON if form in ("SELECT", "ASK") else TURTLE)
        if self.dialect.union_param:
            sw.addParameter(self.dialect.union_param, "")

        def send() -> tuple[bytes, str]:
            with sw.query().response as response:
                return response.read(), response.headers.get("Content-Type", "")

        data, content_type = self._call("SPARQL query", self.endpoint.query_url, send)  # type: ignore[misc]
        try:
            if form in ("SELECT", "ASK"):
                answer = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
                return result_from_pyoxigraph(form, answer)
            media = content_type.split(";")[0].strip()
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
            return QueryResult(form, triples=unique_triples(q.triple for q in ox.parse(data, format=fmt)))
        except (SyntaxError, ValueError) as exc:
            raise StoreError(
                f"{self.description} sent an answer kg cannot read ({content_type or 'no content type'}): {exc}"
            ) from exc


# --------------------------------------------------------------------------- plugins and entry points

#: Backends by name, in the spirit of rdflib's plugin registry; add your own with register_backend.
BACKENDS: dict[str, type[GraphStore]] = {"embedded": EmbeddedStore, "sparql": SparqlStore}


def register_backend(name: str, cls: type[GraphStore]) -> None:
    """Make another GraphStore implementation available to open_store(backend=name)."""
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


def _as_store(target: Union[GraphStore, str, Path, None], **kw: object) -> tuple[GraphStore, bool]:
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


def file_format(path: Path) -> ox.RdfFormat:
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF file type {path.suffix!r}; use one of {', '.join(sorted(FILE_FORMATS))}")
    return fmt


def check_file(path: Path) -> Path:
    """A readable RDF file of a known type, or an InputError saying what is wrong."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: not readable")
    file_format(path)
    return path


def read_file_quads(path: Path, default_graph: Optional[str] = None, *, lenient: bool = False) -> Iterator[ox.Quad]:
    """Quads of one file with fresh blank nodes; triples outside a named graph go to a graph
    named `default_graph`, or after the file (its file:// IRI), so reloading the file replaces them.
    `lenient` skips pyoxigraph's IRI checks: only for data that a server will check again."""
    fmt = file_format(path)
    uri = path.resolve().as_uri()
    target = ox.NamedNode(default_graph or uri)
    try:
        for quad in ox.parse(path=str(path), format=fmt, base_iri=uri, rename_blank_nodes=True, lenient=lenient):
            if type(quad.graph_name) is ox.DefaultGraph:
                yield ox.Quad(quad.subject, quad.predicate, quad.object, target)
            else:
                yield quad
    except SyntaxError as exc:
        raise InputError(f"{path}: {exc}") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def count_quads(path: Path) -> int:
    """Parse a whole file once (so a broken file is refused before anything is written)."""
    try:
        return sum(1 for _ in ox.parse(path=str(path), format=file_format(path), base_iri=path.resolve().as_uri()))
    except SyntaxError as exc:
        raise InputError(f"{path}: {exc}; nothing was loaded") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


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
    store, own = _as_store(target, **open_kw)
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
    store, own = _as_store(target, **open_kw)
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

"""A SPARQL 1.1 server as a store: SPARQLWrapper for queries and updates, urllib for the Graph
Store Protocol requests that SPARQLWrapper has no verb for.

Each request is retried on transient faults (faults.py says which), with exponential backoff;
the dialect (dialects.py) says where the server's endpoints are and which quirks to work around.
"""
from __future__ import annotations

import itertools
import time
import urllib.parse
import urllib.request
from typing import Callable, Iterable, Mapping, Optional, Sequence

import pyoxigraph as ox

from kg import config
from kg.errors import ConfigError, KGError, StoreError
from kg.sparql import QueryResult, Term, bind_values, query_shape, result_from_pyoxigraph, unique_triples
from kg.stores.auth import Credentials, credentials_for, redact
from kg.stores.base import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    Batch,
    BatchFailure,
    FatalStoreError,
    GraphName,
    GraphStore,
    LoadReport,
    Progress,
    has_blank_nodes,
    update_text,
)
from kg.stores.dialects import resolve_endpoint
from kg.stores.faults import classify


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
                status, message, transient = classify(exc)
                if status is None and not message:
                    raise
                refused = status is not None and "No permission" in message  # Virtuoso: SR186 as HTTP 500
                if transient and not refused and attempt <= self.retries:
                    time.sleep(delay)
                    delay *= 2
                    continue
                where = f"{what} at {redact(url)}"
                if refused:
                    raise FatalStoreError(
                        f"{where}: HTTP {status}: {message} (the server refuses to write: on Virtuoso run "
                        "GRANT SPARQL_UPDATE TO \"SPARQL\", or set KG_SPARQL_USER/KG_SPARQL_PASSWORD for a user "
                        "who may; see docs/stores.md)"
                    ) from None
                if status is not None and not transient:
                    error_cls = FatalStoreError if status in (401, 403, 404, 405, 406, 407, 415) else StoreError
                    hint = " (check KG_SPARQL_USER/KG_SPARQL_PASSWORD, KG_SPARQL_TOKEN or ~/.netrc)" if status in (401, 403) else ""
                    raise error_cls(f"{where}: HTTP {status}: {message}{hint}") from None
                if status is not None:
                    detail = f"HTTP {status}: {message}. The server kept failing"
                else:
                    detail = message
                    if "timed out" in message:
                        detail += f" (timeout {self.timeout:g} s)"
                    detail += ". Is the server running and reachable?"
                error = FatalStoreError(f"{where} failed after {attempt} attempt(s): {detail}")
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
            raise BatchFailure(StoreError(
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
                        raise BatchFailure(exc, done) from exc
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
            raise BatchFailure(exc) from exc

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

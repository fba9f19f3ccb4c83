"""Loading into the embedded store and real SPARQL servers: graphs replaced, never duplicated;
credentials kept out of command lines and messages; faults retried, then reported per article."""
from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ConfigError, InputError
from kg.stores import (
    EmbeddedStore,
    GraphStore,
    SparqlStore,
    batches,
    credentials_for,
    load_files,
    load_quads,
    resolve_endpoint,
)
from servers import Server, free_port, oxigraph_server

EX = "http://test.example/"
runner = CliRunner()


def articles_trig(prefix: str, ids: range, version: str, per_article: int = 4) -> str:
    """TriG with one graph per article <prefix a{i}>; `version` shows up in every object."""
    out = []
    for i in ids:
        g = f"<{prefix}a{i}>"
        body = [f'<{prefix}s{i}> <{EX}p{k}> "{version}-{i}-{k}" .' for k in range(per_article)]
        body.append(f'_:n{i} <{EX}kind> "{version}" ; <{EX}of> <{prefix}s{i}> .')
        out.append(f"{g} {{\n" + "\n".join(body) + "\n}\n")
    return "".join(out)


def graph_contents(store: GraphStore, prefix: str) -> dict[str, set[str]]:
    """{graph IRI: set of object values} for the test graphs under `prefix`."""
    result = store.query(
        f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
    )
    out: dict[str, set[str]] = {}
    for g, o in result.rows:
        out.setdefault(g.value, set()).add(o.value)
    return out


def drop(server: Optional[Server], store: GraphStore, prefix: str) -> None:
    """Drop the test graphs under `prefix` from a shared server (an embedded store is a temp dir)."""
    if server is not None:
        server.drop_graphs(graph_contents(store, prefix))


# --------------------------------------------------------------------------- embedded store


def test_load_and_query_the_seed_in_the_embedded_store(tmp_path: Path, seed_trig: Path) -> None:
    store = tmp_path / "kg-store"
    out = runner.invoke(app, ["load", str(seed_trig), "--store", str(store)])
    assert out.exit_code == 0, out.output
    assert "1 graph(s)" in out.output and "embedded store" in out.output
    out = runner.invoke(app, ["query", "people", "--store", str(store), "-p", "name=lavrov", "-f", "csv"])
    assert out.exit_code == 0, out.output
    assert "Sergei Lavrov" in out.stdout and "Foreign Minister" in out.stdout and "Russia" in out.stdout


def test_default_store_location_is_kg_store(tmp_path: Path, mini_trig: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["load", str(mini_trig)]).exit_code == 0
    assert (tmp_path / "kg-store").is_dir()
    out = runner.invoke(app, ["query", "is-mentioned"])
    assert out.exit_code == 0 and out.stdout == "true\n"


MODES = [
    ("embedded", "update", False),
    ("embedded", "update", True),
    ("oxigraph", "update", False),
    ("oxigraph", "gsp", False),
    ("oxigraph", "update", True),
    ("virtuoso", "update", False),
    ("virtuoso", "gsp", False),
]


@pytest.fixture
def make_store(request, tmp_path: Path) -> Iterator[Callable[[str, str], tuple[GraphStore, Optional[Server]]]]:
    """(a store of the backend, the server behind it or None for the embedded store)."""
    opened: list[GraphStore] = []

    def make(backend: str, protocol: str = "update") -> tuple[GraphStore, Optional[Server]]:
        server: Optional[Server] = None
        if backend == "embedded":
            store: GraphStore = EmbeddedStore(tmp_path / f"store{len(opened)}")
        else:
            server = request.getfixturevalue(backend)
            store = SparqlStore(server.url, protocol=protocol, timeout=30)
        opened.append(store)
        return store, server

    yield make
    for store in opened:
        store.close()


@pytest.mark.parametrize("backend, protocol, bulk", MODES, ids=[f"{b}-{p}{'-bulk' if k else ''}" for b, p, k in MODES])
def test_loading_again_replaces_each_article_graph(backend, protocol, bulk, make_store, tmp_path: Path) -> None:
    store, server = make_store(backend, protocol)
    prefix = f"{EX}{backend}-{protocol}-{bulk}/"
    v1, v2 = tmp_path / "v1.trig", tmp_path / "v2.trig"
    v1.write_text(articles_trig(prefix, range(3), "old"))
    v2.write_text(articles_trig(prefix, range(1, 2), "new", per_article=2))
    try:
        first = load_files([v1], store, bulk=bulk, batch_size=5)
        assert first.ok and sorted(first.loaded) == [f"{prefix}a{i}" for i in range(3)]
        assert first.triples == 3 * 6
        if not (backend == "embedded" and bulk):  # (that one is Oxigraph's bulk loader reading the file)
            assert first.batches == 3  # a batch is cut between graphs only
        before = graph_contents(store, prefix)
        again = load_files([v1], store, bulk=bulk)  # the same file twice: nothing doubles
        contents = graph_contents(store, prefix)
        assert again.ok and contents == before
        assert contents[f"{prefix}a0"] == {"old-0-0", "old-0-1", "old-0-2", "old-0-3", "old", f"{prefix}s0"}
        count = store.query(f'SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}')
        assert int(count.rows[0][0].value) == 18
        blank = store.query(f'SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ ?b <{EX}kind> "old" }}')
        assert int(blank.rows[0][0].value) == 3  # one blank node per article, not 3 per load
        second = load_files([v2], store, bulk=bulk)  # a new version of one article
        assert second.ok and second.loaded == [f"{prefix}a1"]
        contents = graph_contents(store, prefix)
        assert contents[f"{prefix}a1"] == {"new-1-0", "new-1-1", "new", f"{prefix}s1"}  # no stale triple
        assert contents[f"{prefix}a0"] == {"old-0-0", "old-0-1", "old-0-2", "old-0-3", "old", f"{prefix}s0"}
    finally:
        drop(server, store, prefix)


@pytest.mark.parametrize("backend", ["embedded", "oxigraph", "virtuoso"])
def test_blank_nodes_of_different_loads_never_merge(backend, make_store, tmp_path: Path) -> None:
    store, server = make_store(backend)
    prefix = f"{EX}bnodes-{backend}/"
    same = ox.BlankNode("b0")
    quads = [
        ox.Quad(same, ox.NamedNode(EX + "kind"), ox.Literal("mark"), ox.NamedNode(prefix + "g1")),
        ox.Quad(same, ox.NamedNode(EX + "kind"), ox.Literal("mark"), ox.NamedNode(prefix + "g2")),
    ]
    try:
        assert load_quads(quads[:1], store).ok and load_quads(quads[1:], store).ok
        distinct = store.query(f'SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ ?b <{EX}kind> "mark" }}')
        assert int(distinct.rows[0][0].value) == 2
    finally:
        drop(server, store, prefix)


def test_bulk_load_into_an_empty_store_then_replace(tmp_path: Path) -> None:
    prefix = EX + "bulk/"
    v1, v2 = tmp_path / "v1.nq", tmp_path / "v2.trig"
    ox.serialize(ox.parse(articles_trig(prefix, range(50), "old"), format=ox.RdfFormat.TRIG), str(v1), ox.RdfFormat.N_QUADS)
    v2.write_text(articles_trig(prefix, range(10, 11), "new", per_article=1))
    store = EmbeddedStore(tmp_path / "kg-store")
    first = load_files([v1], store, bulk=True)
    assert first.ok and len(first.loaded) == 50 and first.triples == 50 * 6
    assert load_files([v2], store, bulk=True).loaded == [f"{prefix}a10"]
    assert graph_contents(store, prefix)[f"{prefix}a10"] == {"new-10-0", "new", f"{prefix}s10"}
    assert len(store.store) == 49 * 6 + 3
    store.close()


def test_a_broken_file_loads_nothing(tmp_path: Path, mini_trig: Path) -> None:
    broken = tmp_path / "broken.trig"
    broken.write_text(articles_trig(EX + "broken/", range(3), "x") + "<http://test.example/g> { <a:b> <a:c> \n")
    store = tmp_path / "kg-store"
    out = runner.invoke(app, ["load", str(mini_trig), str(broken), "--store", str(store)])
    assert out.exit_code == 2 and "broken.trig" in out.output and "line" in out.output
    assert "nothing was loaded" in out.output
    assert len(EmbeddedStore(store).store) == 0


def test_triples_without_a_graph_go_to_a_graph_named_after_the_file(tmp_path: Path) -> None:
    ttl = tmp_path / "people.ttl"
    ttl.write_text(f'<{EX}s> <{EX}p> "one" .\n')
    store = EmbeddedStore(tmp_path / "kg-store")
    assert load_files([ttl], store).loaded == [ttl.resolve().as_uri()]
    ttl.write_text(f'<{EX}s> <{EX}p> "two" .\n')
    load_files([ttl], store)
    assert [q.object.value for q in store.store] == ["two"]  # replaced, not added
    assert load_files([ttl], store, default_graph=EX + "people").loaded == [EX + "people"]
    with pytest.raises(ConfigError, match="--default-graph"):
        load_files([ttl], store, default_graph="not an iri")
    store.close()


@pytest.mark.parametrize("name, content, message", [
    ("missing.trig", None, "no such file"),
    ("graph.xyz", "x", "unknown RDF file type"),
])
def test_bad_inputs_are_input_errors(tmp_path: Path, name: str, content: Optional[str], message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_files([path], tmp_path / "kg-store")


def test_a_store_in_use_is_reported(tmp_path: Path, mini_trig: Path) -> None:
    busy = EmbeddedStore(tmp_path / "kg-store")
    out = runner.invoke(app, ["load", str(mini_trig), "--store", str(tmp_path / "kg-store")])
    assert out.exit_code == 4 and "another kg or oxigraph process" in out.output
    busy.close()


def test_batches_keep_graphs_whole_and_report_progress(tmp_path: Path) -> None:
    quads = list(ox.parse(articles_trig(EX + "b/", range(5), "v", per_article=8), format=ox.RdfFormat.TRIG))
    groups = list(batches(quads, 25))
    assert [sum(len(v) for v in b.values()) for b in groups] == [30, 20]  # 3 graphs of 10, then 2
    assert [len(b) for b in groups] == [3, 2]
    seen = []
    report = load_quads(quads, EmbeddedStore(None), batch_size=10, progress=lambda r: seen.append(r.triples))
    assert seen == [10, 20, 30, 40, 50] and report.ok


# --------------------------------------------------------------------------- endpoints and credentials


@pytest.mark.parametrize("url, dialect, query, update, gsp", [
    ("http://localhost:7878", "oxigraph", "http://localhost:7878/query", "http://localhost:7878/update", "http://localhost:7878/store"),
    ("http://localhost:7878/query", "oxigraph", "http://localhost:7878/query", "http://localhost:7878/update", "http://localhost:7878/store"),
    ("http://h:8890/sparql", "virtuoso", "http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud"),
    ("http://h:3030/news/query", "fuseki", "http://h:3030/news/query", "http://h:3030/news/update", "http://h:3030/news/data"),
    ("https://h/repositories/kg", "graphdb", "https://h/repositories/kg", "https://h/repositories/kg/statements", "https://h/repositories/kg/rdf-graphs/service"),
    ("http://h:3030/news/sparql", "generic", "http://h:3030/news/sparql", "http://h:3030/news/sparql", None),
    ("https://h/blazegraph/namespace/kb/sparql/", "generic", "https://h/blazegraph/namespace/kb/sparql", "https://h/blazegraph/namespace/kb/sparql", None),
])
def test_endpoint_layouts(url, dialect, query, update, gsp) -> None:
    e = resolve_endpoint(url)
    assert (e.dialect.name, e.query_url, e.update_url, e.gsp_url) == (dialect, query, update, gsp)
    assert resolve_endpoint(url, dialect).query_url == query  # the same when named explicitly


def test_credentials_in_the_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(ConfigError, match="KG_SPARQL_USER") as info:
        SparqlStore("http://alice:s3cret-pw@127.0.0.1:9/sparql")
    assert "s3cret-pw" not in str(info.value)


def test_credentials_from_env_then_netrc(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine db.example login carol password n3trc-pw\n")
    netrc.chmod(0o600)
    assert credentials_for("http://db.example/sparql", {"KG_SPARQL_TOKEN": "tok"}).header() == "Bearer tok"
    basic = credentials_for("http://db.example/sparql", {"KG_SPARQL_USER": "bob", "KG_SPARQL_PASSWORD": "pw", "NETRC": str(netrc)})
    assert (basic.user, basic.secret) == ("bob", "pw")
    from_netrc = credentials_for("http://db.example:8890/sparql", {"NETRC": str(netrc)})
    assert (from_netrc.kind, from_netrc.user, from_netrc.secret) == ("basic", "carol", "n3trc-pw")
    assert "n3trc-pw" not in repr(from_netrc)
    assert credentials_for("http://other.example/sparql", {"NETRC": str(netrc)}) is None
    netrc.write_text("machine db.example login carol password n3trc-pw\nbogus s3cr3t\n")
    with pytest.raises(ConfigError, match="cannot parse") as info:
        credentials_for("http://db.example/sparql", {"NETRC": str(netrc)})
    assert "s3cr3t" not in str(info.value) and "line 2" in str(info.value)


# --------------------------------------------------------------------------- a scriptable fake server


@dataclass
class Fake:
    """An HTTP server on 127.0.0.1 whose answers a test scripts: handler(body) -> (status, text, delay)."""

    handler: Callable[[str], tuple[int, str, float]]
    requests: list[tuple[str, dict, str]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def fake() -> Iterator[Callable[[Callable[[str], tuple[int, str, float]]], Fake]]:
    servers = []

    def start(handler) -> Fake:
        state = Fake(handler)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
                state.requests.append((self.path, dict(self.headers), body))
                status, text, delay = state.handler(body)
                time.sleep(delay)
                data = text.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_PUT = do_POST

            def log_message(self, *args) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        state.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def three_articles(tmp_path: Path) -> Path:
    path = tmp_path / "three.trig"
    path.write_text(articles_trig(EX + "f/", range(3), "v"))
    return path


ALL = {f"{EX}f/a{i}" for i in range(3)}


def test_credentials_are_sent_but_never_printed(fake, tmp_path: Path, monkeypatch) -> None:
    server = fake(lambda body: (401, "Unauthorized: who are you?", 0))
    monkeypatch.setenv("KG_SPARQL_USER", "alice")
    monkeypatch.setenv("KG_SPARQL_PASSWORD", "pa55-w0rd")
    out = runner.invoke(app, ["load", str(three_articles(tmp_path)), "--endpoint", server.url, "--dialect", "generic"])
    assert out.exit_code == 4
    assert "HTTP 401" in out.output and "who are you" in out.output and "KG_SPARQL_USER" in out.output
    assert "pa55-w0rd" not in out.output and "alice" not in out.output
    assert len(server.requests) == 1  # 401 is not retried, and the load stops
    assert server.requests[0][1]["Authorization"].startswith("Basic ")
    monkeypatch.delenv("KG_SPARQL_USER")
    monkeypatch.setenv("KG_SPARQL_TOKEN", "t0ken-xyz")
    out = runner.invoke(app, ["query", "people", "--endpoint", server.url, "--dialect", "generic"])
    assert out.exit_code == 4 and "t0ken-xyz" not in out.output
    assert server.requests[-1][1]["Authorization"] == "Bearer t0ken-xyz"


def test_a_server_that_answers_500_is_retried_then_every_article_reported(fake, tmp_path: Path) -> None:
    server = fake(lambda body: (500, "Internal error: disk on fire", 0))
    report = load_files([three_articles(tmp_path)], server.url, dialect="generic", retries=2, backoff=0.01, batch_size=1)
    assert set(report.failed) == ALL and not report.loaded
    first = report.failed[f"{EX}f/a0"]
    assert "HTTP 500" in first and "disk on fire" in first and "3 attempt(s)" in first
    assert "not attempted" in report.failed[f"{EX}f/a2"]
    assert len(server.requests) == 3  # 1 + 2 retries, then the load stops


def test_a_refused_write_is_not_retried_and_says_what_to_grant(fake, tmp_path: Path) -> None:
    message = "Virtuoso 42000 Error SR186:SECURITY: No permission to execute procedure DB.DBA.SPARUL_DROP"
    server = fake(lambda body: (500, message + "\n\nSPARQL query:\nDROP SILENT GRAPH <x> ...", 0))
    report = load_files([three_articles(tmp_path)], server.url, dialect="virtuoso", retries=3, backoff=0.01)
    assert len(server.requests) == 1 and set(report.failed) == ALL
    reason = report.failed[f"{EX}f/a0"]
    assert "No permission" in reason and 'GRANT SPARQL_UPDATE TO "SPARQL"' in reason
    assert "SPARQL query:" not in reason  # Virtuoso's echo of the whole request is cut off


def test_transient_faults_are_retried_until_they_pass(fake, tmp_path: Path) -> None:
    answers = iter([(503, "busy", 0), (502, "bad gateway", 0)])
    server = fake(lambda body: next(answers, (204, "", 0)))
    report = load_files([three_articles(tmp_path)], server.url, dialect="generic", retries=3, backoff=0.01)
    assert report.ok and set(report.loaded) == ALL
    assert len(server.requests) == 3
    sent = server.requests[-1][2]
    assert all(f"DROP SILENT GRAPH <{g}>" in sent for g in ALL) and "INSERT DATA" in sent


def test_a_slow_server_times_out(fake, tmp_path: Path) -> None:
    server = fake(lambda body: (204, "", 3.0))
    start = time.monotonic()
    report = load_files([three_articles(tmp_path)], server.url, dialect="generic", timeout=1, retries=1, backoff=0.01)
    assert time.monotonic() - start < 8
    assert set(report.failed) == ALL
    assert "timed out (timeout 1 s)" in report.failed[f"{EX}f/a0"] and "2 attempt(s)" in report.failed[f"{EX}f/a0"]


def test_a_4xx_is_reported_with_the_servers_message_and_the_rest_still_loads(fake, tmp_path: Path) -> None:
    server = fake(lambda body: (400, "Parse error: bad literal in a1", 0) if f"{EX}f/a1>" in body else (204, "", 0))
    report = load_files([three_articles(tmp_path)], server.url, dialect="generic", batch_size=1, backoff=0.01)
    assert report.loaded == [f"{EX}f/a0", f"{EX}f/a2"]
    assert list(report.failed) == [f"{EX}f/a1"]
    assert "HTTP 400: Parse error: bad literal in a1" in report.failed[f"{EX}f/a1"]
    assert len(server.requests) == 3  # a 400 is not retried


def test_connection_refused_is_reported_clearly(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    out = runner.invoke(app, ["load", str(three_articles(tmp_path)), "--endpoint", url, "--retries", "1"])
    assert out.exit_code == 4
    assert "connection refused" in out.output and "Is the server running" in out.output
    for graph in ALL:
        assert f"not loaded: {graph}" in out.output


def test_server_killed_mid_load_reports_exactly_what_was_not_loaded(tmp_path: Path) -> None:
    server = oxigraph_server(tmp_path / "ox").start()
    prefix = EX + "killed/"
    data = tmp_path / "twenty.trig"
    data.write_text(articles_trig(prefix, range(20), "v"))
    calls = []

    def kill_after_two_batches(report) -> None:
        calls.append(report.triples)
        if len(calls) == 2:
            server.kill()

    try:
        report = load_files([data], server.url, batch_size=12, retries=1, backoff=0.01, progress=kill_after_two_batches)
        loaded = [f"{prefix}a{i}" for i in range(4)]  # two batches of two articles (2 x 6 triples)
        assert report.loaded == loaded
        assert set(report.failed) == {f"{prefix}a{i}" for i in range(4, 20)}
        assert "failed after 2 attempt(s)" in report.failed[f"{prefix}a4"]
        assert "not attempted" in report.failed[f"{prefix}a19"]
        server.start()  # same database: exactly the reported articles are there
        assert sorted(graph_contents(SparqlStore(server.url), prefix)) == loaded
    finally:
        server.stop()


def test_server_answers_are_queried_with_the_union_of_graphs(oxigraph, mini_trig: Path) -> None:
    store = SparqlStore(oxigraph.url)
    prefix = EX + "union/"
    try:
        load_quads([ox.Quad(ox.NamedNode(prefix + "s"), ox.NamedNode(EX + "p"), ox.Literal("in a named graph"),
                            ox.NamedNode(prefix + "g"))], store)
        got = store.query(f"SELECT ?o WHERE {{ <{prefix}s> ?p ?o }}")
        assert [r[0].value for r in got.rows] == ["in a named graph"]
    finally:
        drop(oxigraph, store, prefix)


def test_default_graph_triples_are_refused_by_servers(fake) -> None:
    server = fake(lambda body: (204, "", 0))
    quad = ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("x"))
    report = load_quads([quad], server.url, dialect="generic")
    assert "outside a named graph" in report.failed["(default graph)"] and not server.requests



def paths(server: Fake) -> list[str]:
    """The paths the server was sent requests to, in order (without an empty query string)."""
    return [path.rstrip("?") for path, _headers, _body in server.requests]


def test_a_bulk_load_into_an_empty_server_sends_no_drop(fake, tmp_path: Path) -> None:
    """An Oxigraph server that holds no named graph gets one ASK, then the N-Quads and no DROP
    (every graph is new); one that holds graphs gets the DROPs of the graphs being replaced."""
    holds_graphs = False

    def answer(body: str) -> tuple[int, str, float]:
        if "query=ASK" in body:
            return 200, json.dumps({"head": {}, "boolean": holds_graphs}), 0
        return 204, "", 0

    server = fake(answer)
    base = server.url.rsplit("/", 1)[0]  # http://127.0.0.1:PORT: the Oxigraph layout
    data = three_articles(tmp_path)
    assert load_files([data], base, bulk=True).ok
    assert paths(server) == ["/query", "/store?no_transaction"]
    holds_graphs = True
    server.requests.clear()
    assert load_files([data], base, bulk=True).ok
    assert paths(server) == ["/query", "/update", "/store?no_transaction"]
    drops = server.requests[1][2]
    assert all(f"DROP SILENT GRAPH <{g}>" in drops for g in ALL) and "INSERT" not in drops


@pytest.mark.server
def test_bulk_load_into_an_empty_server_keeps_split_graphs_whole_yet_replaces_later(tmp_path: Path) -> None:
    """A bulk load into a server with no named graph (which sends no DROP, see the test above): a
    graph split over two batches keeps both halves; the next bulk load replaces graphs as always."""
    prefix = EX + "fresh/"
    v1, v2 = tmp_path / "v1.nq", tmp_path / "v2.trig"
    ox.serialize(ox.parse(articles_trig(prefix, range(20), "old"), format=ox.RdfFormat.TRIG), str(v1), ox.RdfFormat.N_QUADS)
    split = tmp_path / "split.nq"  # article a0 again at the end: appended within one load, not dropped
    split.write_text(v1.read_text() + f'<{prefix}s0> <{EX}extra> "late" <{prefix}a0> .\n')
    v2.write_text(articles_trig(prefix, range(5, 6), "new", per_article=1))
    server = oxigraph_server(tmp_path / "ox").start()
    try:
        store = SparqlStore(server.url)
        first = load_files([split], store, bulk=True, batch_size=30)
        assert first.ok and len(first.loaded) == 20
        contents = graph_contents(store, prefix)
        assert "late" in contents[f"{prefix}a0"] and "old-0-0" in contents[f"{prefix}a0"]
        assert load_files([v2], store, bulk=True).loaded == [f"{prefix}a5"]
        assert graph_contents(store, prefix)[f"{prefix}a5"] == {"new-5-0", "new", f"{prefix}s5"}
        assert store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0][0].value == str(19 * 6 + 1 + 3)
    finally:
        server.stop()

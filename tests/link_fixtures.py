"""Test servers for the linker: a real Oxigraph SPARQL server loaded with the Wikidata fixture, and
a small MediaWiki-API look-alike answering wbsearchentities / wbgetentities from the same file.

The fake API can be told to misbehave (`faults`: answers to give before the real ones: a 429
with Retry-After, a 503, an HTML page with status 200) and records every request it saw.

Run either by hand, e.g. for the seed referee run:
    .venv/bin/python tests/link_fixtures.py api 8766       # http://127.0.0.1:8766/w/api.php
    .venv/bin/python tests/link_fixtures.py sparql 8765    # http://127.0.0.1:8765/query
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph

FIXTURE = Path(__file__).resolve().parent / "data" / "wikidata_fixture.nt"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
DESC = "https://schema.org/description"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str | None:
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.exists() else shutil.which("oxigraph")


class OxigraphServer:
    """`oxigraph serve-read-only` on 127.0.0.1 over a store loaded with `data`."""

    def __init__(self, data: Path = FIXTURE) -> None:
        binary = oxigraph_binary()
        if binary is None:
            raise RuntimeError("the oxigraph server binary is not installed (pip install oxigraph)")
        self.dir = tempfile.mkdtemp(prefix="kg-wd-oxigraph-")
        subprocess.run([binary, "load", "--location", self.dir, "--file", str(data)],
                       check=True, capture_output=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.proc = subprocess.Popen([binary, "serve-read-only", "--location", self.dir,
                                      "--bind", f"127.0.0.1:{self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(self.stop)  # no orphaned server when the caller dies of an exception
        for _ in range(200):  # bounded wait for the port to answer
            try:
                q = urllib.parse.urlencode({"query": "ASK {}"})
                with urllib.request.urlopen(f"{self.url}?{q}", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the oxigraph server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class FixtureKB:
    """The fixture as Wikidata-API-shaped items."""

    def __init__(self, data: Path = FIXTURE) -> None:
        self.labels: dict[str, str] = {}
        self.aliases: dict[str, list[str]] = defaultdict(list)
        self.descriptions: dict[str, str] = {}
        self.claims: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for t in pyoxigraph.parse(path=str(data), format=pyoxigraph.RdfFormat.N_TRIPLES):
            s = t.subject.value
            if not s.startswith(WD):
                continue
            q, p, o = s[len(WD):], t.predicate.value, t.object
            if p == LABEL:
                self.labels[q] = o.value
            elif p == ALT:
                self.aliases[q].append(o.value)
            elif p == DESC:
                self.descriptions[q] = o.value
            elif p.startswith(WDT):
                self.claims[q][p[len(WDT):]].append(o.value[len(WD):] if isinstance(o, pyoxigraph.NamedNode) else o.value)
        for q in self.aliases:
            self.aliases[q].sort()

    def search(self, text: str, limit: int) -> list[dict]:
        """wbsearchentities: label or alias starting with `text` (case-insensitive); exact first."""
        want = text.casefold()
        hits = []
        for q, label in self.labels.items():
            for rank, name, kind in [(0, label, "label")] + [(1, a, "alias") for a in self.aliases.get(q, [])]:
                if name.casefold().startswith(want):
                    exact = name.casefold() == want
                    hits.append(((0 if exact else 2) + rank, int(q[1:]), q, name, kind))
                    break
        hits.sort()
        return [{"id": q, "title": q, "label": self.labels[q], "description": self.descriptions.get(q),
                 "match": {"type": kind, "language": "en", "text": name},
                 **({"aliases": [name]} if kind == "alias" else {})}
                for _r, _n, q, name, kind in hits[:limit]]

    def entity(self, q: str) -> dict:
        if q not in self.labels and q not in self.claims:
            return {"id": q, "missing": ""}
        claims = {}
        for prop, values in sorted(self.claims.get(q, {}).items()):
            claims[prop] = []
            for v in values:
                if prop == "P1566":
                    dv = {"value": v, "type": "string"}
                else:
                    dv = {"value": {"entity-type": "item", "numeric-id": int(v[1:]), "id": v},
                          "type": "wikibase-entityid"}
                claims[prop].append({"mainsnak": {"snaktype": "value", "property": prop, "datavalue": dv},
                                     "type": "statement", "rank": "normal"})
        ent = {"type": "item", "id": q, "claims": claims,
               "labels": {"en": {"language": "en", "value": self.labels[q]}} if q in self.labels else {},
               "descriptions": {"en": {"language": "en", "value": self.descriptions[q]}} if q in self.descriptions else {},
               "aliases": {"en": [{"language": "en", "value": a} for a in self.aliases.get(q, [])]}}
        return ent  # no "sitelinks": the fixture holds none


class FakeWikidataAPI:
    """A threaded HTTP server with /w/api.php (wbsearchentities, wbgetentities) and /sparql."""

    def __init__(self, kb: FixtureKB | None = None, port: int = 0) -> None:
        self.kb = kb or FixtureKB()
        self.faults: list[tuple[int, dict[str, str], bytes]] = []
        self.log: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self, params: dict[str, str]) -> None:
                path = urllib.parse.urlsplit(self.path).path
                outer.log.append({"path": path, "params": params, "user_agent": self.headers.get("User-Agent")})
                if outer.faults:
                    self._answer(*outer.faults.pop(0))
                    return
                if path == "/sparql":
                    body = json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode()
                    self._answer(200, {"Content-Type": "application/sparql-results+json"}, body)
                    return
                if path != "/w/api.php":
                    self._answer(404, {"Content-Type": "text/plain"}, b"not found")
                    return
                action = params.get("action")
                if action == "wbsearchentities":
                    limit = int(params.get("limit", "7"))
                    data = {"searchinfo": {"search": params.get("search", "")},
                            "search": outer.kb.search(params.get("search", ""), limit), "success": 1}
                elif action == "wbgetentities":
                    ids = [i for i in params.get("ids", "").split("|") if i]
                    if len(ids) > 50:
                        data = {"error": {"code": "toomanyvalues",
                                          "info": "Too many values supplied for parameter \"ids\". The limit is 50."}}
                    else:
                        data = {"entities": {q: outer.kb.entity(q) for q in ids}, "success": 1}
                else:
                    data = {"error": {"code": "badvalue", "info": f"Unrecognized value for parameter \"action\": {action}"}}
                self._answer(200, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(data).encode())

            def do_GET(self) -> None:
                query = urllib.parse.urlsplit(self.path).query
                self._handle(dict(urllib.parse.parse_qsl(query)))

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                self._handle(dict(urllib.parse.parse_qsl(self.rfile.read(n).decode())))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/w/api.php"
        self.sparql_url = f"http://127.0.0.1:{self.port}/sparql"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def requests(self, action: str | None = None) -> list[dict]:
        return [r for r in self.log if action is None or r["params"].get("action") == action]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("api", "sparql"):
        print(__doc__)
        return 2
    port = int(argv[1])
    if argv[0] == "api":
        server = FakeWikidataAPI(port=port)
        print(server.url, flush=True)
        server.thread.join()
    else:
        binary = oxigraph_binary()
        d = tempfile.mkdtemp(prefix="kg-wd-oxigraph-")
        subprocess.run([binary, "load", "--location", d, "--file", str(FIXTURE)], check=True)
        print(f"http://127.0.0.1:{port}/query", flush=True)
        os.execv(binary, [binary, "serve-read-only", "--location", d, "--bind", f"127.0.0.1:{port}"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def make_resolution(*entities: tuple):
    """A Resolution from (type, label, alt_labels, article ids, code) tuples; IRIs are made up."""
    from kg.records import ResolvedEntity
    from kg.resolve import Resolution, slug

    res = Resolution()
    for type_, label, alts, articles, code in entities:
        iri = f"https://example.org/kg/{type_.lower()}/{slug(label)}"
        res.entities[iri] = ResolvedEntity(iri, type_, label, list(alts), list(articles), code)
    return res


def wd_links(res, label: str) -> list[str]:
    """QIDs the entity labelled `label` is linked to."""
    ent = next(e for e in res.entities.values() if e.label == label)
    return [t.rsplit("/", 1)[-1] for t, _c, _m in ent.links if "wikidata.org" in t]

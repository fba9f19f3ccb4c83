"""`kg ingest` against a real HTTP server on 127.0.0.1 (threads, started here; no mock of the client).

The site serves an RSS feed and an Atom feed whose items link to pages: boilerplate, scripts and a
cookie banner, a windows-1252 page, a page with JSON-LD metadata; a robots.txt that disallows one
path, a 404, a 429 with Retry-After, a page that never finishes, a redirect loop, a PDF and an
oversized page. The server counts requests, so the tests see what a second run asks for.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph
import pytest
from typer.testing import CliRunner

from kg.build import BuildOptions
from kg.cli import app
from kg.ingest import FetchSettings, IngestOptions, IngestReport, ingest, watch
from kg.ingest.crawl import article_id
from kg.ingest.feeds import parse_feed
from kg.namespaces import DCTERMS, KG, RDFS, SCHEMA

TIMEOUT = 1.0  # seconds for one request: the page that never finishes costs this much per run
MAX_BYTES = 100_000


# -- the site ------------------------------------------------------------------------------------
@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    length: bool = True  # send Content-Length


@dataclass
class Hit:
    path: str
    status: int
    conditional: bool
    at: float


class Site:
    """Resources by path, special behaviours by path, and a log of every request."""

    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.special: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.hits: list[Hit] = []
        self.user_agents: set[str] = set()
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.url = ""

    def paths(self, status: int | None = None, since: int = 0) -> list[str]:
        return [h.path for h in self.hits[since:] if status is None or h.status == status]


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?")[0]
            conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
            site.user_agents.add(self.headers.get("User-Agent", ""))
            self.hit = Hit(path, 0, conditional, time.monotonic())  # logged now: a handler may never return
            with site.lock:
                site.hits.append(self.hit)
            if path in site.special:
                site.special[path](self)
            else:
                self.serve(site.resources.get(path))

        def send_response(self, code: int, message: str | None = None) -> None:
            self.hit.status = code  # before the client can see the answer
            super().send_response(code, message)

        def serve(self, res: Resource | None) -> None:
            if res is None:
                return self.reply(404, b"<html><body><p>Not found</p></body></html>", "text/html")
            inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            if (res.etag and inm == res.etag) or (not res.etag and res.last_modified and ims == res.last_modified):
                self.send_response(304)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            headers = dict(res.headers)
            if res.etag:
                headers["ETag"] = res.etag
            if res.last_modified:
                headers["Last-Modified"] = res.last_modified
            return self.reply(res.status, res.body, res.content_type, headers, res.length)

        def reply(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None,
                  length: bool = True) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def serve() -> Iterator[Callable[[Site], str]]:
    """Start a site on a free port of 127.0.0.1; every server is shut down after the test."""
    servers: list[tuple[ThreadingHTTPServer, Site]] = []

    def start(site: Site) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, site))
        site.url = f"http://127.0.0.1:{server.server_address[1]}"
        return site.url

    yield start
    for server, site in servers:
        site.closing.set()
        server.shutdown()
        server.server_close()


# -- pages ---------------------------------------------------------------------------------------
def page(title: str, paragraphs: list[str], head: str = "", before: str = "", lang: str = "en") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><title>{title} | Daily Example</title>{head}</head><body>'
            f'{before}<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav></header>'
            f'<div class="content"><h1>{title}</h1>{body}</div>'
            '<aside><h3>Most read</h3><ul><li><a href="/x">Celebrity gossip of the week</a></li></ul></aside>'
            "<footer>Copyright 2025 Daily Example. All rights reserved.</footer></body></html>")


COOKIES = ('<div id="cookie-banner" class="cookie-consent"><p>We use cookies from Google Analytics and Facebook '
           "Pixel to improve your experience. Accept all cookies?</p><button>Accept</button></div>")
SCRIPT = "<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>"

GENEVA = page("Macron and Scholz meet in Geneva", [
    "Emmanuel Macron met Olaf Scholz in Geneva on Tuesday to discuss the trade agreement.",
    "The two leaders said the European Union would sign the deal next month.",
    "Officials from the United Nations also attended the talks in the Swiss city.",
], head='<meta property="article:published_time" content="2025-03-04T10:00:00Z">'
        '<link rel="canonical" href="https://news.example/world/geneva-talks">' + SCRIPT,
    before=COOKIES + SCRIPT)

CP1252 = page("Caf\u00e9 diplomacy in Z\u00fcrich", [
    "The na\u00efve \u2018plan\u2019 would cost \u20ac5 billion \u2014 Ignazio Cassis said in Z\u00fcrich on Monday.",
    "Cassis met Annalena Baerbock, the German foreign minister, at the Caf\u00e9 Odeon.",
], head='<meta charset="windows-1252"><meta name="date" content="2025-02-10">')

JSONLD = page("Quiet visit", [
    "Narendra Modi visited Tokyo on Friday, where he met Fumio Kishida.",
    "The two prime ministers agreed to expand the high-speed rail project.",
], head='<script type="application/ld+json">' + json.dumps({
    "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Modi visits Tokyo for rail talks",
    "datePublished": "2025-01-17T08:30:00+09:00", "author": {"@type": "Person", "name": "Aiko Tanaka"},
}) + "</script>")

BUSY = page("Lavrov arrives in Pyongyang", [
    "Sergei Lavrov arrived in Pyongyang on Thursday and met Choe Son Hui.",
    "Russia and North Korea signed a cooperation agreement in Wonsan.",
], head='<meta property="article:published_time" content="2025-07-12">')

PRIVATE = page("Internal draft", ["This draft must never be fetched by a polite crawler."])


def rss(base: str, links: list[str]) -> bytes:
    items = "".join(f"<item><title>Item {i}</title><link>{base}{link}</link>"
                    f"<pubDate>Mon, 0{i % 9 + 1} Dec 2024 09:00:00 GMT</pubDate></item>" for i, link in enumerate(links))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Daily Example</title><link>{base}/</link>'
            f"<description>News</description>{items}</channel></rss>").encode()


def atom(links: list[str]) -> bytes:  # relative links: resolved against the feed's URL
    entries = "".join(f'<entry><title>Entry {i}</title><link rel="alternate" href="{link}"/><id>urn:e{i}</id>'
                      "<updated>2025-01-20T00:00:00Z</updated></entry>" for i, link in enumerate(links))
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Asia</title>'
            f"<id>urn:asia</id><updated>2025-01-20T00:00:00Z</updated>{entries}</feed>").encode()


def never_finishes(site: Site) -> Callable[[BaseHTTPRequestHandler], None]:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.wfile.write(b"<html><body><p>The beginning of a page that ")
        h.wfile.flush()
        site.closing.wait(30)
    return handle


def busy_once(site: Site) -> Callable[[BaseHTTPRequestHandler], None]:
    """429 with Retry-After: 1 on the first request, then the page (with an ETag)."""
    res = Resource(BUSY.encode(), etag='"busy-1"')

    def handle(h: BaseHTTPRequestHandler) -> None:
        if [hit.path for hit in site.hits].count("/news/busy.html") == 1:  # this request is the first
            h.send_response(429)
            h.send_header("Retry-After", "1")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        h.serve(res)  # type: ignore[attr-defined]
    return handle


def redirect(to: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return handle


def news_site() -> Site:
    site = Site()
    r = site.resources
    r["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    r["/news/geneva.html"] = Resource(GENEVA.encode(), etag='"geneva-1"')
    r["/news/cp1252.html"] = Resource(CP1252.encode("cp1252"), "text/html",
                                      last_modified=formatdate(1_700_000_000, usegmt=True))
    r["/asia/modi.html"] = Resource(JSONLD.encode(), etag='"modi-1"')
    r["/private/draft.html"] = Resource(PRIVATE.encode())
    r["/files/report.pdf"] = Resource(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf")
    r["/news/huge.html"] = Resource(page("Huge", ["All work and no play. " * 40] * 200).encode(), length=False)
    site.special["/news/busy.html"] = busy_once(site)
    site.special["/news/slow.html"] = never_finishes(site)
    site.special["/loop/a"] = redirect("/loop/b")
    site.special["/loop/b"] = redirect("/loop/a")
    return site


def feeds(site: Site) -> None:
    links = ["/news/geneva.html", "/news/cp1252.html", "/private/draft.html", "/news/missing.html",
             "/news/busy.html", "/news/slow.html", "/loop/a", "/files/report.pdf", "/news/huge.html"]
    site.resources["/rss.xml"] = Resource(rss(site.url, links), "application/rss+xml", etag='"rss-1"')
    site.resources["/asia/atom.xml"] = Resource(
        atom(["modi.html", "../news/geneva.html"]), "application/atom+xml",
        last_modified=formatdate(1_700_000_000, usegmt=True))


def options(site: Site, tmp: Path, **build: object) -> IngestOptions:
    settings = FetchSettings(user_agent="kg/test (+https://w3id.org/newskg; test@example.org)", delay=0.0,
                             timeout=TIMEOUT, max_bytes=MAX_BYTES, retries=2, backoff=0.05)
    build_opts = BuildOptions(store=tmp / "store", build_cache=tmp / "cache" / "build", **build)  # type: ignore[arg-type]
    return IngestOptions(sources=[f"{site.url}/rss.xml", f"{site.url}/asia/atom.xml"], build=build_opts,
                         fetch=settings, cache_dir=tmp / "cache")


def articles_in(store_dir: Path) -> dict[str, dict[str, str]]:
    """url -> {title, date, id} of every kg:Article in the store."""
    store = pyoxigraph.Store.read_only(str(store_dir))
    try:
        rows = store.query(f"""SELECT ?url ?title ?date ?id WHERE {{ GRAPH ?g {{
            ?a a <{KG}Article>; <{SCHEMA}url> ?url; <{DCTERMS}identifier> ?id .
            OPTIONAL {{ ?a <{DCTERMS}title> ?title }} OPTIONAL {{ ?a <{DCTERMS}date> ?date }} }} }}""")
        return {r["url"].value: {"title": r["title"].value if r["title"] else "",
                                 "date": r["date"].value if r["date"] else "", "id": r["id"].value} for r in rows}
    finally:
        del store


def labels_in(store_dir: Path) -> set[str]:
    store = pyoxigraph.Store.read_only(str(store_dir))
    try:
        return {r["l"].value for r in store.query(f"SELECT ?l WHERE {{ GRAPH ?g {{ ?e <{RDFS}label> ?l }} }}")}
    finally:
        del store


# -- the tests -----------------------------------------------------------------------------------
def test_feeds_into_the_store_then_only_what_changed(serve, tmp_path: Path) -> None:
    site = news_site()
    serve(site)
    feeds(site)
    opts = options(site, tmp_path)
    lines: list[str] = []

    # 1. the first run: the right articles land, the others are reported and skipped
    started = time.monotonic()
    report = ingest(opts, progress=lines.append)
    first = time.monotonic() - started
    got = articles_in(tmp_path / "store")
    assert set(got) == {"https://news.example/world/geneva-talks", f"{site.url}/news/cp1252.html",
                        f"{site.url}/asia/modi.html", f"{site.url}/news/busy.html"}, lines
    geneva = got["https://news.example/world/geneva-talks"]
    assert geneva == {"title": "Macron and Scholz meet in Geneva", "date": "2025-03-04",
                      "id": "https://news.example/world/geneva-talks"}
    assert got[f"{site.url}/news/cp1252.html"]["title"] == "Caf\u00e9 diplomacy in Z\u00fcrich"
    assert got[f"{site.url}/news/cp1252.html"]["date"] == "2025-02-10"
    assert got[f"{site.url}/asia/modi.html"]["title"] == "Modi visits Tokyo for rail talks"
    assert got[f"{site.url}/asia/modi.html"]["date"] == "2025-01-17"
    assert got[f"{site.url}/news/busy.html"]["date"] == "2025-07-12"
    labels = labels_in(tmp_path / "store")
    assert {"Emmanuel Macron", "Olaf Scholz", "Z\u00fcrich"} <= labels
    assert not {"Google Analytics", "Facebook Pixel", "Daily Example"} & labels

    skipped = "\n".join(report.crawl.skipped)
    for path, reason in [("/private/draft.html", "disallowed by"), ("/news/missing.html", "HTTP 404"),
                         ("/news/slow.html", f"within {TIMEOUT:g} s"), ("/loop/a", "redirect loop"),
                         ("/files/report.pdf", "not HTML (application/pdf)"), ("/news/huge.html", "byte limit")]:
        line = next((s for s in report.crawl.skipped if path in s), "")
        assert reason in line and line.count("\n") == 0, skipped
    assert len(report.crawl.skipped) == 6, skipped
    assert all(line in lines for line in report.crawl.skipped)  # reported as they happen
    assert (report.crawl.feeds, report.crawl.new, report.crawl.changed, report.articles) == (2, 4, 0, 4)
    assert "/private/draft.html" not in site.paths()  # robots.txt is asked first, the page never
    assert site.paths().count("/news/geneva.html") == 1  # in both feeds, fetched once
    busy = [h for h in site.hits if h.path == "/news/busy.html"]
    assert [h.status for h in busy] == [429, 200] and busy[1].at - busy[0].at >= 1.0  # Retry-After honoured
    assert site.user_agents == {"kg/test (+https://w3id.org/newskg; test@example.org)"}
    assert first < 30

    # 2. a second run fetches nothing new: feeds and pages answer 304 to conditional requests
    mark = len(site.hits)
    report = ingest(opts)
    again = site.hits[mark:]
    assert {h.path for h in again if h.status == 200 and h.path != "/news/slow.html"} == set()
    assert {h.path for h in again if h.status == 304} == {
        "/rss.xml", "/asia/atom.xml", "/news/geneva.html", "/news/cp1252.html", "/asia/modi.html", "/news/busy.html"}
    assert all(h.conditional for h in again if h.status == 304)
    # robots.txt is kept for a day; lasting failures wait; the timeout (a passing failure) is tried again
    assert {h.path for h in again} - {h.path for h in again if h.status == 304} == {"/news/slow.html"}
    assert (report.crawl.new, report.crawl.changed, report.crawl.not_modified, report.articles) == (0, 0, 4, 0)
    assert report.crawl.waiting == 5  # 404, redirect loop, PDF, oversized, disallowed

    # 3. one page changes: only it is fetched in full and extracted again
    site.resources["/news/geneva.html"] = Resource(
        GENEVA.replace("Macron and Scholz meet in Geneva", "Macron and Scholz agree in Geneva").encode(),
        etag='"geneva-2"')
    mark = len(site.hits)
    report = ingest(opts)
    assert [h.path for h in site.hits[mark:] if h.status == 200 and h.path != "/news/slow.html"] == ["/news/geneva.html"]
    assert (report.crawl.new, report.crawl.changed, report.articles) == (0, 1, 1)
    got = articles_in(tmp_path / "store")
    assert got["https://news.example/world/geneva-talks"]["title"] == "Macron and Scholz agree in Geneva"
    assert len(got) == 4  # replaced, not added


def test_same_content_under_a_new_etag_is_not_extracted_again(serve, tmp_path: Path) -> None:
    site = Site()
    serve(site)
    site.resources["/robots.txt"] = Resource(b"", "text/plain")
    site.resources["/a.html"] = Resource(GENEVA.encode(), etag='"v1"')
    opts = options(site, tmp_path)
    opts.sources = [f"{site.url}/a.html"]  # an article URL as a source
    assert ingest(opts).crawl.new == 1
    site.resources["/a.html"] = Resource(GENEVA.encode(), etag='"v2"')
    report = ingest(opts)
    assert (report.crawl.fetched, report.crawl.unchanged, report.crawl.changed, report.articles) == (1, 1, 0, 0)
    mark = len(site.hits)
    ingest(opts)  # the new ETag was kept
    assert [(h.path, h.status) for h in site.hits[mark:]] == [("/a.html", 304)]


def test_crawl_delay_redirect_hops_and_a_long_retry_after(serve, tmp_path: Path) -> None:
    """robots.txt's Crawl-delay spaces the requests to a host; a redirect into a disallowed path is
    not followed; a server asking to wait an hour is given up on for this run, after one request."""
    site = Site()
    serve(site)
    site.resources["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n", "text/plain")
    site.resources["/a.html"] = Resource(GENEVA.encode())
    site.resources["/private/x.html"] = Resource(PRIVATE.encode())
    site.special["/b.html"] = redirect("/private/x.html")
    site.resources["/c.html"] = Resource(b"", status=503, headers={"Retry-After": "3600"})
    opts = options(site, tmp_path)
    opts.sources = [f"{site.url}/a.html", f"{site.url}/b.html", f"{site.url}/c.html"]
    report = ingest(opts)
    assert report.crawl.new == 1 and len(report.crawl.skipped) == 2
    assert "disallowed by" in report.crawl.skipped[0] and "/b.html" in report.crawl.skipped[0]
    assert "HTTP 503" in report.crawl.skipped[1] and "Retry-After 3600 s" in report.crawl.skipped[1]
    assert site.paths() == ["/robots.txt", "/a.html", "/b.html", "/c.html"]
    gaps = [b.at - a.at for a, b in zip(site.hits, site.hits[1:])]
    assert min(gaps) >= 0.25, gaps  # (the server's clock sees the client's sleeps to within a few ms)


def test_cli_ingest_to_a_file_from_a_list_of_urls(serve, tmp_path: Path) -> None:
    site = Site()
    serve(site)
    site.resources["/robots.txt"] = Resource(b"User-agent: kg\nDisallow: /no/\n", "text/plain")
    site.resources["/feed.json"] = Resource(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "JSON news",
        "items": [{"id": "1", "url": "/a.html", "title": "From the feed", "date_published": "2025-05-06T07:00:00Z"},
                  {"id": "2", "url": f"{site.url}/no/b.html"}],
    }).encode(), "application/feed+json")
    plain = page("Kishida in Seoul", ["Fumio Kishida visited Seoul, where he met Yoon Suk Yeol on Monday.",
                                      "Japan and South Korea signed a new security agreement."])
    site.resources["/a.html"] = Resource(plain.encode())
    listing = tmp_path / "sources.txt"
    listing.write_text(f"# my feeds\n{site.url}/feed.json\n\nnot a url\n")
    out = tmp_path / "new.trig"
    args = ["ingest", str(listing), "-o", str(out), "-f", "trig", "--cache-dir", str(tmp_path / "cache"),
            "--delay", "0", "--timeout", "2", "--contact", "ops@example.org"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "sources.txt:4" in result.output and "disallowed by" in result.output
    assert "1 new, 0 changed" in result.output and "1 article(s)" in result.output
    text = out.read_text()
    assert f"{site.url}/a.html" in text and '"2025-05-06"' in text  # the feed's date: the page names none
    graph = pyoxigraph.Dataset(pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.TRIG))
    assert any(q.object.value == "Kishida in Seoul" for q in graph if q.predicate.value == f"{DCTERMS}title")
    assert any("ops@example.org" in ua and ua.startswith("kg/") for ua in site.user_agents)
    result = CliRunner().invoke(app, args)  # nothing new: the file is left as it was
    assert result.exit_code == 0 and "0 new, 0 changed" in result.output
    assert out.read_text() == text


def test_watch_loads_new_articles_until_stopped(serve, tmp_path: Path) -> None:
    site = Site()
    serve(site)
    site.resources["/robots.txt"] = Resource(b"", "text/plain")
    site.resources["/a.html"] = Resource(GENEVA.encode(), etag='"a"')
    site.resources["/feed.xml"] = Resource(rss(site.url, ["/a.html"]), "application/rss+xml", etag='"1"')
    opts = options(site, tmp_path)
    opts.sources = [f"{site.url}/feed.xml"]
    report, stop = IngestReport(), threading.Event()
    loaded: list[str] = []

    def progress(line: str) -> None:
        if line.startswith("loaded"):
            loaded.append(line)
            if len(loaded) == 1:  # after the first load, a new item appears in the feed
                site.resources["/b.html"] = Resource(BUSY.encode())
                site.resources["/feed.xml"] = Resource(rss(site.url, ["/a.html", "/b.html"]), "application/rss+xml",
                                                       etag='"2"')
            else:
                stop.set()

    thread = threading.Thread(target=watch, args=(opts, 0.2, report, progress, stop))
    thread.start()
    thread.join(60)
    assert not thread.is_alive() and len(loaded) == 2
    assert report.rounds >= 2 and report.crawl.new == 2 and report.articles == 2
    assert set(articles_in(tmp_path / "store")) == {"https://news.example/world/geneva-talks", f"{site.url}/b.html"}
    assert "2 new, 0 changed" in report.summary()


def test_watch_needs_a_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", "http://127.0.0.1:9/feed", "--watch", "60", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 3 and "--watch" in result.output and "--store" in result.output


def test_feed_formats_rss1_rss091_atom_json() -> None:
    rss1 = b"""<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="http://h/"><title>R</title><link>http://h/</link></channel>
      <item rdf:about="http://h/r1"><title>R1</title><link>http://h/r1</link><dc:date>2025-01-05</dc:date></item></rdf:RDF>"""
    rss091 = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title><link>http://h/</link>
      <item><title>Old one</title><link>http://h/old#top</link></item><item><title>Dup</title><link>http://h/old</link></item>
      </channel></rss>"""
    jf = json.dumps({"version": "https://jsonfeed.org/version/1", "items": [
        {"id": "x", "url": "p/1", "title": " One ", "date_published": "2025-02-03T23:30:00-05:00"},
        {"id": "y", "content_text": "no url"}]}).encode()
    assert [(i.url, i.title, i.date) for i in parse_feed(rss1, "http://h/rss1", "application/rdf+xml")] == [
        ("http://h/r1", "R1", "2025-01-05")]
    assert [(i.url, i.title) for i in parse_feed(rss091, "http://h/r", "text/xml")] == [("http://h/old", "Old one")]
    assert [(i.url, i.title, i.date) for i in parse_feed(jf, "http://h/feeds/f.json", "application/json")] == [
        ("http://h/feeds/p/1", "One", "2025-02-03")]
    assert [i.url for i in parse_feed(atom(["a.html"]), "http://h/x/atom.xml", "application/atom+xml")] == ["http://h/x/a.html"]
    assert parse_feed(b"<html><body>hi</body></html>", "http://h/", "text/xml") is None
    assert parse_feed(b'{"items": []}', "http://h/", "application/json") is None


def test_article_id_is_the_canonical_url_unless_it_is_the_front_page() -> None:
    assert article_id("https://n.example/a/story?id=3#x", "http://mirror/x") == "https://n.example/a/story?id=3"
    assert article_id("https://n.example/", "http://n.example/story-9") == "http://n.example/story-9"
    assert article_id(None, "http://n.example/story-9#comments") == "http://n.example/story-9"


def test_watch_goes_on_when_the_store_is_down_and_remembers_nothing(serve, tmp_path: Path) -> None:
    """An article that did not reach the store is fetched in full and loaded again next round."""
    site = Site()
    serve(site)
    site.resources["/robots.txt"] = Resource(b"", "text/plain")
    site.resources["/a.html"] = Resource(GENEVA.encode(), etag='"a"')
    opts = options(site, tmp_path)
    opts.sources = [f"{site.url}/a.html"]
    opts.build = BuildOptions(endpoint="http://127.0.0.1:9/sparql", build_cache=tmp_path / "cache" / "build")
    report, stop = IngestReport(), threading.Event()
    failures: list[str] = []

    def progress(line: str) -> None:
        if line.startswith("not loaded:"):
            failures.append(line)
            if len(failures) == 2:
                stop.set()

    thread = threading.Thread(target=watch, args=(opts, 0.1, report, progress, stop))
    thread.start()
    thread.join(60)
    assert not thread.is_alive() and len(failures) == 2 and "geneva-talks" in failures[0]
    a_hits = [h for h in site.hits if h.path == "/a.html"]
    assert [(h.status, h.conditional) for h in a_hits] == [(200, False), (200, False)]
    assert report.rounds == 2 and report.errors == failures and report.articles == 0 and report.crawl.new == 2

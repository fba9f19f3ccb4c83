"""What `kg ingest` remembers between runs, in `<cache dir>/ingest.sqlite`.

- feeds: each feed's validators (ETag / Last-Modified) and its last list of items, so a feed that
  answers 304 still names the pages to look at again;
- pages: each page asked for, by the URL asked for: its validators, the hash of the document made
  from it (a page that answers 200 with the same article is not extracted again), the article id
  it became, the metadata kg does not put in the graph (author, language, encoding), and its last
  failure with the time before which it is not asked for again;
- robots: each site's robots.txt and when it was read (kept for a day, RFC 9309).

A page's validators and hash are written only once its article is in the sink, so an article that
failed to load is fetched and extracted again next time. One transaction per write; safe for
concurrent runs (WAL).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from kg.errors import ConfigError
from kg.ingest.fetch import Validators
from kg.records import Document

FILE_NAME = "ingest.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, items TEXT NOT NULL, checked REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, hash TEXT, article_id TEXT, final_url TEXT,
    author TEXT, language TEXT, encoding TEXT, failure TEXT, retry_at REAL, checked REAL NOT NULL);
CREATE INDEX IF NOT EXISTS pages_article ON pages (article_id);
CREATE TABLE IF NOT EXISTS robots (origin TEXT PRIMARY KEY, body TEXT NOT NULL, fetched REAL NOT NULL);
"""


@dataclass
class FeedItem:
    """One entry of a feed: the page it links to and what the feed says of it."""

    url: str
    title: str | None = None
    date: str | None = None  # ISO date


@dataclass
class KnownPage:
    """A page as the last run left it."""

    validators: Validators
    hash: str | None  # None: never loaded
    article_id: str | None
    failure: str | None
    retry_at: float | None  # epoch seconds


@dataclass
class PageVersion:
    """What to remember of a page once its article is in the sink."""

    url: str
    validators: Validators
    hash: str
    article_id: str
    final_url: str
    author: str | None = None
    language: str | None = None
    encoding: str | None = None


def document_hash(doc: Document) -> str:
    """The content hash that decides whether a known article changed (what the graph is made of)."""
    payload = json.dumps([doc.id, doc.text, doc.title, doc.date, doc.url], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class IngestState:
    """The sqlite file of one cache directory."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / FILE_NAME
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=60, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"{self.path}: cannot open the ingest state: {exc}; pass --cache-dir DIR to use another") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> IngestState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, args: tuple) -> None:
        try:
            with self._db:
                self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: cannot write the ingest state: {exc}") from None

    # -- feeds -----------------------------------------------------------------------------------
    def feed(self, url: str) -> tuple[Validators, list[FeedItem]] | None:
        row = self._db.execute("SELECT etag, last_modified, items FROM feeds WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        return Validators(row[0], row[1]), [FeedItem(*item) for item in json.loads(row[2])]

    def put_feed(self, url: str, validators: Validators, items: list[FeedItem]) -> None:
        data = json.dumps([[i.url, i.title, i.date] for i in items], ensure_ascii=False)
        self._write("INSERT OR REPLACE INTO feeds (url, etag, last_modified, items, checked) VALUES (?, ?, ?, ?, ?)",
                    (url, validators.etag, validators.last_modified, data, time.time()))

    # -- pages -----------------------------------------------------------------------------------
    def page(self, url: str) -> KnownPage | None:
        row = self._db.execute(
            "SELECT etag, last_modified, hash, article_id, failure, retry_at FROM pages WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        return KnownPage(Validators(row[0], row[1]), row[2], row[3], row[4], row[5])

    def has_article(self, article_id: str, digest: str) -> bool:
        """Whether some page already gave this article, as it is (a second URL of one article)."""
        row = self._db.execute("SELECT 1 FROM pages WHERE article_id = ? AND hash = ? LIMIT 1", (article_id, digest))
        return row.fetchone() is not None

    def put_page(self, version: PageVersion) -> None:
        """The page's article is in the sink: remember its validators and hash, forget failures."""
        v = version
        self._write(
            "INSERT OR REPLACE INTO pages (url, etag, last_modified, hash, article_id, final_url, author, language, "
            "encoding, failure, retry_at, checked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
            (v.url, v.validators.etag, v.validators.last_modified, v.hash, v.article_id, v.final_url, v.author,
             v.language, v.encoding, time.time()),
        )

    def page_failed(self, url: str, reason: str, retry_at: float | None) -> None:
        """A failure of a page; what it was before (its last good version) is kept."""
        now = time.time()
        self._write(
            "INSERT INTO pages (url, failure, retry_at, checked) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET failure = excluded.failure, retry_at = excluded.retry_at, "
            "checked = excluded.checked",
            (url, reason, retry_at, now),
        )

    # -- robots.txt ------------------------------------------------------------------------------
    def robots(self, origin: str, max_age: float) -> str | None:
        row = self._db.execute("SELECT body, fetched FROM robots WHERE origin = ?", (origin,)).fetchone()
        if row is None or time.time() - row[1] > max_age:
            return None
        return row[0]

    def put_robots(self, origin: str, body: str) -> None:
        self._write("INSERT OR REPLACE INTO robots (origin, body, fetched) VALUES (?, ?, ?)", (origin, body, time.time()))

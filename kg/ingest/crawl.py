"""Sources -> new or changed articles: feeds read, their pages fetched and extracted (kg.pages).

A SOURCE is a feed URL, an article URL or a local file listing URLs (one a line, `#` comments).
Every run asks again, conditionally, for each feed and each page the feeds list: an unchanged one
costs a 304, a page that answers 200 with the same article (same content hash) is not passed on.
A page that failed for a lasting reason (404, not HTML, too large, no text, a redirect loop) is
not asked for again before `recheck_failed` seconds; one that failed for a passing reason
(timeout, 429/5xx, a lost connection) is asked for again next run.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

from kg.documents import parse_date
from kg.errors import FetchError
from kg.ingest.feeds import FEED_TYPES, parse_feed
from kg.ingest.fetch import HTML_TYPES, Fetched, Fetcher
from kg.ingest.state import FeedItem, IngestState, PageVersion, document_hash
from kg.pages import extract_page
from kg.records import Document

#: progress callback: one line saying what happened
Progress = Callable[[str], None]


@dataclass
class Article:
    """A new or changed article, and what to remember of its page once it is in the sink."""

    doc: Document
    version: PageVersion
    changed: bool  # an article kg had before, whose content changed


@dataclass
class CrawlStats:
    """What a crawl did, summed over runs (`--watch`)."""

    feeds: int = 0  # feeds read (200 or 304)
    fetched: int = 0  # pages that answered 200
    not_modified: int = 0  # pages that answered 304
    unchanged: int = 0  # pages that answered 200 with the article kg has
    new: int = 0  # new articles passed on
    changed: int = 0  # changed articles passed on
    waiting: int = 0  # pages that failed before, not asked for again yet
    skipped: list[str] = field(default_factory=list)  # one line each: what and why

    def add(self, other: CrawlStats) -> None:
        for name in ("feeds", "fetched", "not_modified", "unchanged", "new", "changed", "waiting"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped.extend(other.skipped)


def read_sources(sources: list[str], stats: CrawlStats, progress: Progress | None = None) -> list[str]:
    """The URLs of the SOURCE arguments, in order, each once; a file lists URLs one a line."""
    urls: list[str] = []

    def skip(line: str) -> None:
        stats.skipped.append(line)
        if progress:
            progress(line)

    for source in sources:
        if _is_url(source):
            urls.append(source)
            continue
        path = Path(source)
        if not path.is_file():
            skip(f"{source}: neither an http(s) URL nor a file listing URLs; skipped")
            continue
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            skip(f"{source}: cannot read the list of URLs ({exc}); skipped")
            continue
        for n, line in enumerate(lines, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if _is_url(line):
                urls.append(line)
            else:
                skip(f"{source}:{n}: {line[:100]!r} is not an http(s) URL; skipped")
    return list(dict.fromkeys(urls))


class Crawler:
    """One run over the sources: fetches politely (kg.ingest.fetch), remembers in the state."""

    def __init__(self, fetcher: Fetcher, state: IngestState, *, recheck_failed: float = 24 * 3600.0,
                 progress: Progress | None = None) -> None:
        self.fetcher = fetcher
        self.state = state
        self.recheck_failed = recheck_failed
        self.progress = progress or (lambda line: None)

    def articles(self, urls: list[str], stats: CrawlStats) -> Iterator[Article]:
        """The new and changed articles behind `urls`, in order, as their pages are fetched."""
        asked: set[str] = set()  # pages asked for in this run
        ids: dict[str, str] = {}  # article id -> the page it came from, in this run
        for url in urls:
            for item, fetched in self._source(url, stats):
                if item.url in asked:
                    continue
                asked.add(item.url)
                article = self._page(item, fetched, stats)
                if article is None:
                    continue
                other = ids.setdefault(article.doc.id, item.url)
                if other != item.url:
                    self._skip(stats, f"{item.url}: the same article as {other} ({article.doc.id}); skipped")
                    continue
                if article.changed:
                    stats.changed += 1
                else:
                    stats.new += 1
                self.progress(f"{'changed' if article.changed else 'new'}: {article.doc.id}"
                              + (f" ({article.doc.title})" if article.doc.title else ""))
                yield article

    # -- a source: a feed or a page ------------------------------------------------------------
    def _source(self, url: str, stats: CrawlStats) -> Iterator[tuple[FeedItem, Fetched | None]]:
        """The pages of a source: a feed's items (not fetched yet), or the page itself (fetched)."""
        feed = self.state.feed(url)
        page = self.state.page(url)
        if feed is None and page is not None:  # a page given as a source
            yield FeedItem(url), None
            return
        try:
            fetched = self.fetcher.get(url, HTML_TYPES | FEED_TYPES, feed[0] if feed else None)
        except FetchError as exc:
            self._skip(stats, str(exc))
            return
        if fetched.not_modified:
            stats.feeds += 1
            items = feed[1] if feed else []
            self.progress(f"feed {url}: not modified, {len(items)} item(s)")
            for item in items:
                yield item, None
            return
        if fetched.media_type in HTML_TYPES:
            yield FeedItem(url), fetched
            return
        items = parse_feed(fetched.body, fetched.final_url, fetched.media_type, fetched.content_type)
        if items is None:
            self._skip(stats, f"{url}: {fetched.media_type} but not an RSS, Atom or JSON feed; skipped")
            return
        stats.feeds += 1
        self.state.put_feed(url, fetched.validators, items)
        self.progress(f"feed {url}: {len(items)} item(s)")
        for item in items:
            yield item, None

    # -- a page --------------------------------------------------------------------------------
    def _page(self, item: FeedItem, fetched: Fetched | None, stats: CrawlStats) -> Article | None:
        url = item.url
        known = self.state.page(url)
        if known is not None and known.retry_at is not None and time.time() < known.retry_at:
            stats.waiting += 1
            return None
        if fetched is None:
            try:
                fetched = self.fetcher.get(url, HTML_TYPES, known.validators if known and known.hash else None)
            except FetchError as exc:
                self._failed(url, stats, exc)
                return None
        if fetched.not_modified:
            stats.not_modified += 1
            return None
        stats.fetched += 1
        page = extract_page(fetched.body, fetched.final_url, content_type=fetched.content_type,
                            language=fetched.language)
        if page is None:
            self._failed(url, stats, FetchError(f"{url}: no article text found in the page; skipped"))
            return None
        doc_id = article_id(page.url, fetched.final_url)
        doc = Document(id=doc_id, text=page.text, title=page.title or item.title,
                       date=parse_date(page.date) or item.date, url=doc_id, source=url)
        version = PageVersion(url, fetched.validators, document_hash(doc), doc_id, fetched.final_url,
                              page.author, page.language, page.encoding)
        if (known is not None and known.hash == version.hash) or self.state.has_article(doc_id, version.hash):
            stats.unchanged += 1
            self.state.put_page(version)  # new validators, same article
            return None
        return Article(doc, version, changed=known is not None and known.hash is not None)

    def _failed(self, url: str, stats: CrawlStats, exc: FetchError) -> None:
        retry_at = None if exc.transient else time.time() + self.recheck_failed
        self.state.page_failed(url, str(exc), retry_at)
        self._skip(stats, str(exc))

    def _skip(self, stats: CrawlStats, line: str) -> None:
        stats.skipped.append(line)
        self.progress(line)


def article_id(canonical: str | None, final_url: str) -> str:
    """A fetched article's id: the canonical URL the page declares, else the URL it came from.

    A canonical URL that is a site's front page is taken for a template's mistake (many sites
    declare it on every page), not for the article's identity.
    """
    if canonical:
        parts = urlsplit(canonical)
        if parts.path.strip("/") or parts.query:
            return canonical.split("#", 1)[0]
    return final_url.split("#", 1)[0]


def _is_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)

"""Feeds -> the pages they link to: RSS 0.9x/1.0/2.0 and Atom with feedparser, JSON Feed with json.

feedparser 6.0 does not read JSON Feed; a JSON Feed is a JSON object whose `items` carry `url`,
`title` and `date_published`, read here as the spec (jsonfeed.org/version/1.1) names them.
"""
from __future__ import annotations

import json
import time
from urllib.parse import urljoin, urlsplit

from kg.documents import parse_date
from kg.ingest.state import FeedItem

XML_FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
})
JSON_FEED_TYPES = frozenset({"application/feed+json", "application/json"})
FEED_TYPES = XML_FEED_TYPES | JSON_FEED_TYPES


def parse_feed(body: bytes, url: str, media_type: str, content_type: str | None = None) -> list[FeedItem] | None:
    """The items of a feed, in the feed's order, each page once; None when `body` is not a feed."""
    if media_type in JSON_FEED_TYPES:
        items = _json_feed(body, url)
    else:
        items = _xml_feed(body, url, content_type or media_type)
    if items is None:
        return None
    seen: set[str] = set()
    out = []
    for item in items:
        if item.url not in seen and urlsplit(item.url).scheme in ("http", "https"):
            seen.add(item.url)
            out.append(item)
    return out


def _xml_feed(body: bytes, url: str, content_type: str) -> list[FeedItem] | None:
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": url, "content-type": content_type})
    if not parsed.version:
        return None
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        items.append(FeedItem(
            url=_without_fragment(link), title=(entry.get("title") or "").strip() or None,
            date=time.strftime("%Y-%m-%d", stamp) if stamp else None,
        ))
    return items


def _json_feed(body: bytes, url: str) -> list[FeedItem] | None:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/version/"):
        return None
    items = []
    for entry in data.get("items") or []:
        if not isinstance(entry, dict):
            continue
        link = entry.get("url") or entry.get("external_url")
        if not isinstance(link, str) or not link.strip():
            continue
        title = entry.get("title")
        raw_date = entry.get("date_published") or entry.get("date_modified")
        items.append(FeedItem(
            url=_without_fragment(urljoin(url, link.strip())),
            title=title.strip() or None if isinstance(title, str) else None,
            date=parse_date(raw_date) if isinstance(raw_date, str) else None,
        ))
    return items


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]

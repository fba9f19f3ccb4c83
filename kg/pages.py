"""HTML pages -> article text and metadata: one extractor for local `.html` inputs (kg.documents)
and fetched pages (kg.ingest).

The bytes are decoded as a browser does (w3lib: byte-order mark, the HTTP charset, the page's
`<meta charset>`, valid UTF-8, else a guess from the bytes and the URL's domain), so a page that
declares windows-1252 reads correctly. trafilatura then finds the main text (navigation, cookie
banners, scripts and other boilerplate left out) and the metadata: title, date, author and the
canonical URL from `<meta>`, JSON-LD and the markup. Precision is favoured over recall: a stray
menu or consent notice would become entities in the graph, while a missed paragraph costs little.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

#: htmldate's options: the publication date, not the last change; only the metadata and the markup
#: (no dates guessed from free text); no upper bound that moves with the day the page is read, so
#: the same page gives the same date whenever it is built.
DATE_PARAMS = {"original_date": True, "extensive_search": False, "max_date": "2099-12-31"}


@dataclass
class Page:
    """What kg keeps of an HTML page."""

    text: str  # the main text, one paragraph a line
    title: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD)
    author: str | None = None
    url: str | None = None  # the canonical URL the page declares (link rel=canonical, og:url, JSON-LD)
    language: str | None = None  # the declared language's primary subtag ("en"), from <html lang>
    encoding: str = "utf-8"  # how the bytes were decoded


def decode_html(data: bytes, content_type: str | None = None, url: str | None = None) -> tuple[str, str]:
    """(text, encoding) of a page's bytes, found as a browser finds it (never fails: bytes that do
    not decode become U+FFFD)."""
    from w3lib.encoding import html_to_unicode

    encoding, text = html_to_unicode(content_type, data, url=url)
    return text, encoding


def extract_page(html: str | bytes, url: str | None = None, *, content_type: str | None = None,
                 language: str | None = None) -> Page | None:
    """The article in an HTML page, or None when the page holds no main text.

    `url` is where the page came from (for relative links and the encoding guess); `content_type`
    the HTTP header, whose charset wins over the page's own; `language` a Content-Language header,
    used when the page declares none.
    """
    import trafilatura

    encoding = "utf-8"
    if isinstance(html, bytes):
        html, encoding = decode_html(html, content_type, url)
    tree = trafilatura.load_html(html)
    if tree is None:
        return None
    declared = tree.get("lang") or language
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, favor_precision=True, date_extraction_params=DATE_PARAMS,
    )
    if doc is None or not (doc.text or "").strip():
        return None
    return Page(
        text=doc.text.strip() + "\n",
        title=_clean(doc.title),
        date=doc.date or None,
        author=_clean(doc.author),
        url=_absolute(doc.url, url),
        language=_primary_subtag(declared),
        encoding=encoding,
    )


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _absolute(link: str | None, base: str | None) -> str | None:
    """The canonical URL made absolute against where the page came from; None unless http(s)."""
    link = _clean(link)
    if link is None:
        return None
    link = urljoin(base, link) if base else link
    return link if urlsplit(link).scheme in ("http", "https") else None


def _primary_subtag(tag: str | None) -> str | None:
    """"en-GB" -> "en"; the first of a list ("en, fr")."""
    tag = (tag or "").split(",")[0].strip().replace("_", "-")
    return tag.split("-")[0].lower() or None

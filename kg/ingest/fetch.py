"""Polite HTTP fetching for `kg ingest` (httpx, protego, tenacity).

Each request: allowed by the site's robots.txt (cached for a day, in the ingest state), at least
`delay` seconds after the previous request to the same host (longer when robots.txt asks), a
User-Agent naming kg and a contact, conditional when validators are known (ETag /
Last-Modified: an unchanged resource costs a 304), done within `timeout` seconds in all, its body
capped at `max_bytes`, retried with backoff after a 429 or 5xx (honouring Retry-After) or a lost
connection, redirects followed one by one (each hop checked against robots.txt) up to
`max_redirects`. Anything else becomes a `FetchError` with a one-line reason.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urlsplit

import httpx
from protego import Protego
from tenacity import Retrying, RetryCallState, retry_if_exception_type, retry_if_result, stop_after_attempt

from kg import config
from kg.errors import FetchError

#: the product token robots.txt groups are matched against
ROBOTS_TOKEN = "kg"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: robots.txt bodies past this are ignored (RFC 9309 asks crawlers to read at least 500 KiB)
ROBOTS_MAX_BYTES = 512 * 1024
#: seconds before an unreachable robots.txt is asked for again (within one `kg ingest --watch`)
ROBOTS_RETRY = 600.0
#: a robots.txt Crawl-delay is honoured up to this many seconds
MAX_CRAWL_DELAY = 60.0


def user_agent(contact: str) -> str:
    """kg's User-Agent for fetching, naming who runs it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("kg")
    except PackageNotFoundError:
        release = "0"
    return f"kg/{release} (news knowledge-graph builder; +https://w3id.org/newskg; {contact})"


@dataclass
class FetchSettings:
    """How politely and how long to fetch."""

    user_agent: str = field(default_factory=lambda: user_agent(config.CONTACT))
    delay: float = config.FETCH_DELAY  # seconds between two requests to one host
    timeout: float = config.FETCH_TIMEOUT  # seconds for one request in all
    max_bytes: int = config.MAX_INPUT_BYTES  # a larger body is refused
    retries: int = config.FETCH_RETRIES  # more tries after a 429, a 5xx or a lost connection
    max_redirects: int = 5
    max_retry_after: float = 300.0  # a server asking to wait longer is given up on for this run
    backoff: float = 1.0  # first wait between tries when the server names none (doubles each time)
    robots_ttl: float = 24 * 3600.0  # seconds a robots.txt is kept


@dataclass
class Validators:
    """What makes a request conditional."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass
class Fetched:
    """A successful answer: 200 with a body, or 304 (the known version is current)."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    media_type: str = ""  # "text/html", without parameters
    content_type: str | None = None  # the whole header (its charset decodes the body)
    language: str | None = None  # Content-Language
    body: bytes = b""
    validators: Validators = field(default_factory=Validators)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Answer:
    """One HTTP exchange, read within the limits."""

    status: int
    headers: httpx.Headers
    body: bytes = b""
    location: str | None = None  # the next hop of a redirect


class Fetcher:
    """An HTTP client that keeps the rules above. `robots_get` / `robots_put` keep robots.txt
    bodies between runs (the ingest state)."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        robots_get: Callable[[str, float], str | None] | None = None,
        robots_put: Callable[[str, str], None] | None = None,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._robots_get = robots_get
        self._robots_put = robots_put
        self._robots: dict[str, tuple[Protego | None, float]] = {}  # origin -> (rules or None: all disallowed, when read)
        self._last: dict[str, float] = {}  # host -> when its last request started
        self.requests = 0  # requests sent, robots.txt included
        timeout = self.settings.timeout
        self._client = httpx.Client(
            headers={"User-Agent": self.settings.user_agent}, timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the public call -----------------------------------------------------------------------
    def get(self, url: str, accept: frozenset[str] = HTML_TYPES, validators: Validators | None = None) -> Fetched:
        """The resource at `url` (200) or a 304 when `validators` still hold; FetchError otherwise."""
        seen = [url]
        current = url
        while True:
            self._check_robots(current, url)
            answer = self._retrying(current, validators, accept)
            if answer.location is None:
                break
            nxt = httpx.URL(current).join(answer.location)
            nxt_str = str(nxt.copy_with(fragment=None))
            if nxt.scheme not in ("http", "https"):
                raise FetchError(f"{url}: redirected to {nxt_str}, not an http(s) URL; skipped")
            if nxt_str in seen:
                raise FetchError(f"{url}: redirect loop ({' -> '.join(seen + [nxt_str])}); skipped")
            if len(seen) > self.settings.max_redirects:
                raise FetchError(f"{url}: more than {self.settings.max_redirects} redirects; skipped")
            seen.append(nxt_str)
            current = nxt_str
        return self._result(url, current, answer)

    def _result(self, url: str, final: str, answer: _Answer) -> Fetched:
        status = answer.status
        if status == 304:
            return Fetched(url, final, 304)
        if status != 200:
            phrase = httpx.codes.get_reason_phrase(status)
            what = f"{url}: HTTP {status}{' ' + phrase if phrase else ''}"
            if status in RETRY_STATUSES:  # still, after the retries (or a Retry-After longer than we wait)
                raise FetchError(f"{what}{_retry_after_note(answer)}; skipped for this run", transient=True)
            raise FetchError(f"{what}; skipped", transient=status >= 500)
        headers = answer.headers
        return Fetched(
            url, final, 200, media_type=_media_type(headers), content_type=headers.get("content-type"),
            language=headers.get("content-language"), body=answer.body,
            validators=Validators(headers.get("etag"), headers.get("last-modified")),
        )

    # -- one hop, retried ------------------------------------------------------------------------
    def _retrying(self, url: str, validators: Validators | None, accept: frozenset[str]) -> _Answer:
        s = self.settings

        def wait(state: RetryCallState) -> float:
            answer = state.outcome.result() if state.outcome and not state.outcome.failed else None
            backoff = s.backoff * 2 ** (state.attempt_number - 1)
            named = _retry_after(answer.headers) if answer is not None else None
            return max(backoff, named) if named is not None else backoff

        def too_long(state: RetryCallState) -> bool:
            """Stop when the server asks for a wait longer than we give it."""
            if state.outcome is None or state.outcome.failed:
                return False
            named = _retry_after(state.outcome.result().headers)
            return named is not None and named > s.max_retry_after

        retrying = Retrying(
            stop=stop_after_attempt(s.retries + 1) | too_long,
            wait=wait,
            retry=retry_if_result(lambda a: a.status in RETRY_STATUSES)
            | retry_if_exception_type((httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)),
            retry_error_callback=_last_outcome,
            sleep=time.sleep,
        )
        try:
            return retrying(self._exchange, url, validators, accept)
        except httpx.TransportError as exc:
            raise FetchError(f"{url}: {_transport_reason(exc, s.timeout)}; skipped for this run", transient=True) from None

    def _exchange(self, url: str, validators: Validators | None, accept: frozenset[str]) -> _Answer:
        """One request within the deadline, size cap and content-type check."""
        s = self.settings
        self._wait_turn(url)
        headers = {"Accept": ", ".join(sorted(accept)) + ", */*;q=0.1"}
        if validators is not None:
            headers.update(validators.headers())
        deadline = time.monotonic() + s.timeout
        self.requests += 1
        with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if response.is_redirect:
                return _Answer(status, response.headers, location=response.headers.get("location"))
            if status != 200:
                return _Answer(status, response.headers)
            media = _media_type(response.headers)
            if media not in accept:
                what = "HTML" if accept == HTML_TYPES else "HTML or a feed"
                raise FetchError(f"{url}: not {what} ({media or 'no Content-Type'}); skipped")
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > s.max_bytes:
                raise FetchError(f"{url}: {int(length)} bytes is over the {s.max_bytes} byte limit; skipped")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > s.max_bytes:
                    raise FetchError(f"{url}: over the {s.max_bytes} byte limit; skipped")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: not complete within {s.timeout:g} s; skipped for this run",
                                     transient=True)
                chunks.append(chunk)
            return _Answer(status, response.headers, b"".join(chunks))

    def _wait_turn(self, url: str) -> None:
        """Keep `delay` (or the robots.txt Crawl-delay, once known) after the last request to the host."""
        host = urlsplit(url).netloc.lower()
        last = self._last.get(host)
        if last is not None:
            wait = last + self._delay(url) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._last[host] = time.monotonic()

    def _delay(self, url: str) -> float:
        rules = self._robots.get(_origin(url), (None, 0.0))[0]
        crawl = rules.crawl_delay(ROBOTS_TOKEN) if rules is not None else None
        return max(self.settings.delay, min(float(crawl), MAX_CRAWL_DELAY)) if crawl else self.settings.delay

    # -- robots.txt ------------------------------------------------------------------------------
    def _check_robots(self, url: str, asked: str) -> None:
        """FetchError unless robots.txt allows `url` (a hop of the redirects from `asked`)."""
        where = asked if url == asked else f"{asked}: redirected to {url}"
        rules = self._rules(_origin(url))
        if rules is None:
            raise FetchError(f"{where}: {_origin(url)}/robots.txt could not be read, so nothing there is fetched "
                             "(RFC 9309); skipped for this run", transient=True)
        if not rules.can_fetch(url, ROBOTS_TOKEN):
            raise FetchError(f"{where}: disallowed by {_origin(url)}/robots.txt; skipped")

    def _rules(self, origin: str) -> Protego | None:
        """The origin's robots.txt rules; None when it could not be read (then nothing is allowed)."""
        now = time.monotonic()
        held = self._robots.get(origin)
        if held is not None and now - held[1] < (self.settings.robots_ttl if held[0] is not None else ROBOTS_RETRY):
            return held[0]
        body = self._robots_get(origin, self.settings.robots_ttl) if self._robots_get else None
        if body is None:
            body = self._fetch_robots(origin)
            if body is not None and self._robots_put:
                self._robots_put(origin, body)
        rules = Protego.parse(body) if body is not None else None
        self._robots[origin] = (rules, now)
        return rules

    def _fetch_robots(self, origin: str) -> str | None:
        """robots.txt's text; "" (all allowed) when there is none (4xx); None when unreachable."""
        url = f"{origin}/robots.txt"
        self._wait_turn(url)
        self.requests += 1
        try:
            with self._client.stream("GET", url, follow_redirects=True) as response:
                if 400 <= response.status_code < 500:
                    return ""
                if response.status_code != 200:
                    return None
                data = b""
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) >= ROBOTS_MAX_BYTES:
                        break
        except (httpx.TransportError, httpx.TooManyRedirects):
            return None
        return data[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")


def _last_outcome(state: RetryCallState) -> _Answer:
    """After the last try: its answer (a 429 or 5xx the caller reports) or its exception."""
    assert state.outcome is not None
    return state.outcome.result()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _media_type(headers: httpx.Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _retry_after(headers: httpx.Headers) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), or None."""
    value = (headers.get("retry-after") or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _retry_after_note(answer: _Answer) -> str:
    named = _retry_after(answer.headers)
    return f" (Retry-After {named:.0f} s)" if named is not None else ""


def _transport_reason(exc: httpx.TransportError, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g} s"
    return f"connection failed ({type(exc).__name__}: {str(exc)[:120] or 'no detail'})"

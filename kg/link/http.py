"""Polite HTTP for Wikidata and its mirrors: a descriptive User-Agent, Retry-After, backoff.

Every request of the linker goes through `Polite.call`, which retries a 429 after the time the
server asks for (never longer than `max_wait`), retries a 5xx with exponential backoff, and turns
everything else into a LinkError that says which service failed and what to do.
"""
from __future__ import annotations

import email.utils
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, TypeVar

from kg.errors import LinkError
from kg.link.settings import LinkSettings

T = TypeVar("T")
HINT = "use --link offline, or point --wikidata-endpoint/--wikidata-api at a reachable mirror"


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Polite:
    """Runs requests with the retry policy of `settings`; counts what it sent."""

    def __init__(self, settings: LinkSettings) -> None:
        self.settings = settings
        self.requests = 0  # requests sent (tries included)
        self.waited: list[float] = []  # every wait, in seconds (tests read this)

    def _wait(self, seconds: float) -> None:
        self.waited.append(seconds)
        self.settings.sleep(seconds)

    def call(self, fn: Callable[[], T], service: str) -> T:
        """fn() with retries on 429 and 5xx; `service` names the URL in error messages."""
        s = self.settings
        delay = s.backoff
        for attempt in range(s.retries + 1):
            last = attempt == s.retries
            self.requests += 1
            try:
                return fn()
            except urllib.error.HTTPError as exc:
                code = exc.code
                if code == 429:
                    wait = retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                    wait = delay if wait is None else wait
                    if wait > s.max_wait:
                        raise LinkError(f"{service}: rate limited (429), asked to wait {wait:.0f} s "
                                        f"(more than {s.max_wait:.0f} s); try again later or {HINT}") from None
                    if last:
                        break
                    self._wait(wait)
                    delay *= 2
                    continue
                if 500 <= code < 600:
                    if last:
                        break
                    self._wait(delay)
                    delay *= 2
                    continue
                raise LinkError(f"{service}: HTTP {code} {exc.reason}; {HINT}") from None
            except _ServerError as exc:  # SPARQLWrapper's 500 (it drops the HTTPError)
                if last:
                    raise LinkError(f"{service}: server error: {exc}; {HINT}") from None
                self._wait(delay)
                delay *= 2
                continue
            except urllib.error.URLError as exc:
                raise LinkError(f"{service}: cannot connect ({exc.reason}); {HINT}") from None
            except (TimeoutError, ConnectionError, OSError) as exc:
                raise LinkError(f"{service}: request failed ({exc}); {HINT}") from None
        raise LinkError(f"{service}: still failing after {s.retries + 1} tries (429/5xx); "
                        f"try again later or {HINT}")


class _ServerError(Exception):
    """Raised by callers for a 5xx that arrived without an HTTPError."""


ServerError = _ServerError


def get_json(polite: Polite, url: str, params: dict[str, str]) -> Any:
    """GET url?params and parse JSON; a 200 that is not JSON is an error (an HTML error page)."""
    full = f"{url}?{urllib.parse.urlencode(params)}"
    s = polite.settings

    def once() -> tuple[bytes, str]:
        req = urllib.request.Request(full, headers={"User-Agent": s.user_agent, "Accept": "application/json"})
        with urllib.request.urlopen(req, timeout=s.timeout) as resp:
            return resp.read(), resp.headers.get("Content-Type", "")

    body, ctype = polite.call(once, url)
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        snippet = body[:80].decode("utf-8", "replace").replace("\n", " ")
        raise LinkError(f"{url}: answered 200 but not with JSON (Content-Type {ctype or 'none'}: "
                        f"{snippet!r}); is this a MediaWiki API? {HINT}") from None

"""Linking settings with their defaults (every one is a command-line option or a keyword)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kg import config

#: Wikidata's own services; any mirror with the same interface can replace either.
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
WIKIDATA_API = "https://www.wikidata.org/w/api.php"
MODES = ("none", "offline", "wikidata")


@dataclass
class LinkSettings:
    """How to link: which services, where the cache lives, how cautious to be."""

    endpoint: str | None = WIKIDATA_SPARQL  # SPARQL endpoint (None: details from wbgetentities)
    api: str | None = WIKIDATA_API  # MediaWiki API (None: candidates from SPARQL label lookup)
    cache_dir: Path | None = field(default_factory=lambda: config.CACHE_DIR)  # None: memory only
    user_agent: str = config.USER_AGENT
    language: str = "en"
    #: a candidate needs this score to be linked ...
    threshold: float = 0.65
    #: ... and must beat the runner-up by this much (else the name is ambiguous: no link)
    margin: float = 0.08
    search_limit: int = 7  # wbsearchentities hits per name
    names_per_entity: int = 4  # names (label, aliases) searched per entity
    batch_size: int = 50  # ids per wbgetentities call (Wikidata's limit) and per SPARQL VALUES
    timeout: float = 30.0  # seconds per HTTP request
    retries: int = 4  # extra tries after a 429 or 5xx
    backoff: float = 1.0  # first wait after a 5xx (doubles each time)
    max_wait: float = 120.0  # a Retry-After longer than this is an error, not a wait
    sleep: Callable[[float], None] = time.sleep  # injectable so tests need not wait

    def __post_init__(self) -> None:
        self.endpoint = _service(self.endpoint)
        self.api = _service(self.api)
        self.batch_size = max(1, min(50, self.batch_size))


def _service(url: str | None) -> str | None:
    """'' / 'none' / 'off' mean: do not use that service."""
    if url is None or url.strip().lower() in ("", "none", "off"):
        return None
    return url.strip()

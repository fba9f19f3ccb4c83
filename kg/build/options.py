"""What a build is asked to do (`BuildOptions`), what it reports (`BuildReport`), and the checks
and settings derived from the options before any work starts."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kg import config
from kg.errors import ConfigError
from kg.link import WIKIDATA_API, WIKIDATA_SPARQL, LinkSettings, check_mode

if TYPE_CHECKING:
    from kg.stores import LoadReport


@dataclass
class BuildOptions:
    """What `kg build` can be asked, with its defaults; a library caller gets no build cache
    unless it names a directory."""

    paths: list[Path] = field(default_factory=lambda: [Path("seeds")])
    output: Path | None = None
    format: str = "turtle"
    model: str = config.DEFAULT_MODEL
    base: str = config.DEFAULT_BASE
    link: str = "offline"  # none | offline | wikidata
    wikidata_endpoint: str | None = None  # SPARQL endpoint for --link wikidata (None: Wikidata's)
    wikidata_api: str | None = None  # MediaWiki API for --link wikidata (None: Wikidata's)
    cache_dir: Path | None = None  # linker cache (None: config.CACHE_DIR)
    enrich: bool = False  # add Wikidata facts of linked items in <base>graph/wikidata
    user_agent: str | None = None  # sent to Wikidata (None: config.USER_AGENT)
    # -- scale (kg.build.extraction, kg.build.engines, kg.build.cache) --
    workers: int | None = None  # extraction processes / Ray actors (None: 1 locally, every CPU on Ray)
    engine: str = "local"  # local | ray
    address: str | None = None  # Ray cluster to use with engine "ray" (None: start a local Ray)
    build_cache: Path | None = None  # build cache directory (None: no build cache; the CLI passes one)
    progress: Callable[[int, int | None], None] | None = None  # (articles done, expected) as they finish
    # -- sinks besides the file (kg.stores) --
    store: Path | None = None  # embedded Oxigraph store directory to load the graph into
    endpoint: str | None = None  # SPARQL 1.1 server to load the graph into


@dataclass
class BuildReport:
    """What a build did: its counts, one line per input it could not use, the store load."""

    articles: int = 0
    triples: int = 0
    errors: list[str] = field(default_factory=list)
    extracted: int = 0  # articles parsed in this build
    cached: int = 0  # articles whose record came from the build cache
    load: LoadReport | None = None  # when the graph went to a store


def check_base(base: str) -> str:
    """The base IRI for minted resources, ending in "/" or "#"; a ConfigError when it is no IRI."""
    if not base.startswith(("http://", "https://", "urn:")) or any(c in base for c in ' <>"{}|\\^`'):
        raise ConfigError(f"--base {base!r} is not an absolute IRI; use e.g. https://example.org/kg/")
    if not base.endswith(("/", "#")):
        base += "/"
    return base


def default_build_cache(cache_dir: Path | None = None) -> Path:
    """Where the CLI keeps the build cache: `build/` under --cache-dir (default config.CACHE_DIR)."""
    return (config.CACHE_DIR if cache_dir is None else Path(cache_dir)) / "build"


def link_settings(opts: BuildOptions) -> LinkSettings:
    """kg.link.LinkSettings from the build options (defaults: Wikidata's own services)."""
    return LinkSettings(
        endpoint=WIKIDATA_SPARQL if opts.wikidata_endpoint is None else opts.wikidata_endpoint,
        api=WIKIDATA_API if opts.wikidata_api is None else opts.wikidata_api,
        cache_dir=config.CACHE_DIR if opts.cache_dir is None else opts.cache_dir,
        user_agent=opts.user_agent or config.USER_AGENT,
    )


def check_link_options(opts: BuildOptions) -> None:
    """Fail on bad linking options before the expensive part."""
    check_mode(opts.link)
    if opts.enrich and opts.link != "wikidata":
        raise ConfigError("--enrich needs --link wikidata (the facts come from Wikidata or a mirror)")

"""`kg ingest`: crawl the sources, hand the new and changed articles to the build (extraction,
resolution, linking, RDF mapping, the same sinks as `kg build`), remember what landed.

Into a store (`--store`, `--endpoint`) articles are loaded in small groups as they are extracted,
so a long crawl shows up in the store as it goes; into a file (or stdout) the run's articles are
written at once, the file then holding this run's new and changed articles. A page is remembered
as done only once its article is in the sink: one that failed to load is fetched again next run.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

from kg import config
from kg.build import BuildOptions, build_graph, check_base
from kg.errors import ConfigError, KGError
from kg.ingest.crawl import Article, Crawler, CrawlStats, Progress, read_sources
from kg.ingest.fetch import Fetcher, FetchSettings
from kg.ingest.state import IngestState
from kg.resolve import article_iri


@dataclass
class IngestOptions:
    """What to ingest, where to, and how politely."""

    sources: list[str]
    build: BuildOptions = field(default_factory=BuildOptions)  # the sink, model, base, linking; paths unused
    fetch: FetchSettings = field(default_factory=FetchSettings)
    cache_dir: Path | None = None  # where the state lives (None: config.CACHE_DIR)
    recheck_failed: float = 24 * 3600.0  # seconds before a page that failed for good is asked for again
    load_every: int = config.BATCH_SIZE  # articles per load into a store
    load_after: float = 10.0  # seconds a fetched article waits at most for others to load with


@dataclass
class IngestReport:
    """What `kg ingest` did, over all its rounds."""

    crawl: CrawlStats = field(default_factory=CrawlStats)
    rounds: int = 0
    articles: int = 0  # articles written or loaded
    triples: int = 0  # triples written or loaded
    errors: list[str] = field(default_factory=list)  # build errors and graphs not loaded
    requests: int = 0  # HTTP requests sent, robots.txt included
    target: str = ""

    def summary(self) -> str:
        """One line for the end of a run."""
        c = self.crawl
        parts = [f"{c.feeds} feed(s)",
                 f"{c.fetched + c.not_modified} page(s) checked ({c.not_modified} not modified, "
                 f"{c.unchanged} unchanged)",
                 f"{c.new} new, {c.changed} changed", f"{len(c.skipped)} skipped"]
        if c.waiting:
            parts.append(f"{c.waiting} waiting to be retried")
        line = ", ".join(parts) + f", {self.requests} request(s); {self.articles} article(s), {self.triples} triple(s)"
        if self.target:
            line += f" -> {self.target}"
        if self.rounds > 1:
            line += f" in {self.rounds} rounds"
        if self.errors:
            line += f"; {len(self.errors)} error(s)"
        return line


def ingest(options: IngestOptions, report: IngestReport | None = None, progress: Progress | None = None) -> IngestReport:
    """One run over the sources."""
    report = report if report is not None else IngestReport()
    check_sink(options.build, watch=False)
    with _session(options, progress) as (crawler, fetcher):
        _round(options, crawler, report, progress)
        report.requests = fetcher.requests
    return report


def watch(options: IngestOptions, interval: float, report: IngestReport, progress: Progress | None = None,
          stop: threading.Event | None = None) -> IngestReport:
    """Run over the sources every `interval` seconds until `stop` is set (or Ctrl-C, which the
    caller catches: `report` holds what was done up to then)."""
    if interval <= 0:
        raise ConfigError(f"--watch {interval:g}: the interval must be a positive number of seconds")
    check_sink(options.build, watch=True)
    stop = stop or threading.Event()
    with _session(options, progress) as (crawler, fetcher):
        while not stop.is_set():
            started = time.monotonic()
            try:
                _round(options, crawler, report, progress)
            except ConfigError:
                raise  # a wrong setting stays wrong: no point in polling on
            except KGError as exc:  # a store or server that failed may be back next round
                report.errors.append(str(exc))
                if progress:
                    progress(f"error: {exc}; trying again in the next round")
            report.requests = fetcher.requests
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
    return report


def check_sink(opts: BuildOptions, watch: bool) -> None:
    """Fail on a bad sink before fetching anything."""
    from kg.serialize import format_for

    check_base(opts.base)
    format_for(opts.format)
    if opts.store is not None and opts.endpoint is not None:
        raise ConfigError("give either --store or --endpoint, not both")
    if watch and opts.store is None and opts.endpoint is None:
        raise ConfigError("--watch loads each new article into a store: give --store PATH or --endpoint URL")


@contextmanager
def _session(options: IngestOptions, progress: Progress | None) -> Iterator[tuple[Crawler, Fetcher]]:
    """The state and the fetcher of a run (or of all rounds of --watch)."""
    with IngestState(config.CACHE_DIR if options.cache_dir is None else options.cache_dir) as state, \
            Fetcher(options.fetch, robots_get=state.robots, robots_put=state.put_robots) as fetcher:
        yield Crawler(fetcher, state, recheck_failed=options.recheck_failed, progress=progress), fetcher


def _round(options: IngestOptions, crawler: Crawler, report: IngestReport, progress: Progress | None) -> None:
    stats = CrawlStats()
    try:
        urls = read_sources(options.sources, stats, progress)
        articles = crawler.articles(urls, stats)
        opts = options.build
        to_store = opts.store is not None or opts.endpoint is not None
        groups = _groups(articles, options.load_every, options.load_after) if to_store else _all(articles)
        for group in groups:
            _deliver(group, opts, crawler, report, progress)
    finally:
        report.crawl.add(stats)
        report.rounds += 1


def _deliver(group: list[Article], opts: BuildOptions, crawler: Crawler, report: IngestReport,
             progress: Progress | None) -> None:
    """Build the group's articles into the sink; remember the pages of those that landed."""
    if not group:
        return
    built = build_graph(replace(opts, paths=[], progress=None), documents=[a.doc for a in group])
    problems = list(built.errors)
    failed: set[str] = set()
    if built.load is not None:
        report.target = built.load.target
        for graph, reason in built.load.failed.items():
            problems.append(f"not loaded: {graph}: {reason}")
            failed.add(graph)
    report.errors.extend(problems)
    for line in problems if progress else ():
        progress(line)
    else:
        report.target = str(opts.output) if opts.output else ""
    base = check_base(opts.base)
    articles = {article_iri(base, a.doc.id) for a in group}
    if failed - articles:  # a graph shared by the articles (entities) failed: none of them is complete
        failed |= articles
    landed = [a for a in group if article_iri(base, a.doc.id) not in failed]
    for article in landed:
        crawler.state.put_page(article.version)
    report.articles += len(landed)
    report.triples += built.load.triples if built.load is not None else built.triples
    if progress:
        done = "loaded" if built.load is not None else "wrote"
        progress(f"{done} {len(landed)} article(s)" + (f" into {report.target}" if report.target else ""))


def _groups(articles: Iterator[Article], size: int, wait: float) -> Iterator[list[Article]]:
    """Articles in groups of `size`, or fewer when the first has waited `wait` seconds."""
    group: list[Article] = []
    first = 0.0
    for article in articles:
        if not group:
            first = time.monotonic()
        group.append(article)
        if len(group) >= size or time.monotonic() - first >= wait:
            yield group
            group = []
    if group:
        yield group


def _all(articles: Iterator[Article]) -> Iterator[list[Article]]:
    yield list(articles)


"""The `kg` command: thin typer commands that parse arguments, call one library function, print.

All work lives in library modules; errors derive from KGError and map to exit codes here,
so a user never sees a stack trace for a user error.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape

from kg import config
from kg.errors import KGError

app = typer.Typer(
    name="kg",
    help="Build a linked, queryable RDF knowledge graph from news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)


def fail(exc: KGError) -> None:
    """Print a one-line error and exit with the error's code."""
    err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


LINK_HELP = "none | offline (country table + GeoNames, no network) | wikidata (Wikidata or a mirror)."
ENDPOINT_HELP = "SPARQL endpoint in Wikidata's vocabulary (a mirror: QLever, a local Oxigraph); 'none' to skip."
API_HELP = "MediaWiki API for wbsearchentities/wbgetentities; 'none': find candidates by SPARQL labels."
CACHE_HELP = f"Where Wikidata answers are cached (sqlite). Default: {config.CACHE_DIR}."
ENRICH_HELP = "Add description, coordinates and country of linked items (graph <base>graph/wikidata)."
WORKERS_HELP = "Extraction processes (one spaCy model each); with --engine ray, actors. Default: 1; Ray: all CPUs."
ENGINE_HELP = "local (this machine) | ray (a Ray cluster; needs the ray extra, see docs/scale.md)."
ADDRESS_HELP = "Ray cluster address for --engine ray (e.g. ray://head:10001). Default: a local Ray."
BUILD_CACHE_HELP = "Build cache (extraction records by article content and pipeline version). Default: <--cache-dir>/build."


@app.command()
def build(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Input files or directories (.txt, .md, .html, .jsonl). Default: seeds/."
    ),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (written atomically). Default: stdout."),
    format: str = typer.Option("turtle", "--format", "-f", help="turtle | nt | trig | nquads | jsonld"),
    model: str = typer.Option(config.DEFAULT_MODEL, "--model", help="Any installed spaCy pipeline."),
    base: str = typer.Option(config.DEFAULT_BASE, "--base", help="Base IRI for minted resources."),
    link: str = typer.Option("offline", "--link", help=LINK_HELP),
    wikidata_endpoint: Optional[str] = typer.Option(None, "--wikidata-endpoint", help=ENDPOINT_HELP),
    wikidata_api: Optional[str] = typer.Option(None, "--wikidata-api", help=API_HELP),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    enrich: bool = typer.Option(False, "--enrich", help=ENRICH_HELP),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", min=1, help=WORKERS_HELP),
    engine: str = typer.Option("local", "--engine", help=ENGINE_HELP),
    address: Optional[str] = typer.Option(None, "--address", help=ADDRESS_HELP),
    build_cache: Optional[Path] = typer.Option(None, "--build-cache", help=BUILD_CACHE_HELP),
    no_build_cache: bool = typer.Option(False, "--no-build-cache", help="Extract every article again; read and write no build cache."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Progress bar on stderr. Default: when stderr is a terminal."),
    store: Optional[Path] = typer.Option(
        None, "--store",
        help=f"Also load the graph into this embedded Oxigraph store (a bare --store at the end: ./{config.DEFAULT_STORE}); "
        "the articles join those built into it before, as one build of all (docs/identity.md).",
    ),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help="Also load the graph into this SPARQL 1.1 server (see kg load), "
                                           "adding to what earlier builds put there (docs/identity.md)."),
) -> None:
    """Read articles, extract entities, relations and claims, and write the graph (file, stdout, store)."""
    from kg.build import BuildOptions, build_graph, default_build_cache
    from kg.build.progress import rich_progress

    opts = BuildOptions(
        paths=paths or [Path("seeds")], output=output, format=format, model=model, base=base,
        link=link, wikidata_endpoint=wikidata_endpoint, wikidata_api=wikidata_api,
        cache_dir=cache_dir, enrich=enrich,
        workers=workers, engine=engine, address=address,
        build_cache=None if no_build_cache else (build_cache or default_build_cache(cache_dir)),
        store=store, endpoint=endpoint,
    )
    try:
        with rich_progress(err.is_terminal if progress is None else progress) as opts.progress:
            report = build_graph(opts)
    except KGError as exc:
        fail(exc)
        return
    for problem in report.errors:
        err.print(f"[bold red]error:[/] {escape(problem)}", markup=True, soft_wrap=True)
    err.print(
        f"{report.articles} article(s), {report.triples} triple(s)"
        + (f" ({report.extracted} extracted, {report.cached} from the build cache)" if report.cached else "")
        + (f" -> {output}" if output else ""),
        highlight=False,
    )
    if report.load is not None:
        for graph, reason in report.load.failed.items():
            err.print(f"[bold red]not loaded:[/] {graph}: {reason}", markup=True, soft_wrap=True, highlight=False)
        err.print(report.load.summary(), highlight=False, soft_wrap=True)
        if report.load.failed:
            raise typer.Exit(4)
    if report.errors:
        raise typer.Exit(2)


@app.command("ingest")
def ingest_cmd(
    sources: List[str] = typer.Argument(..., help="Feed URLs (RSS, Atom, JSON Feed), article URLs, or files listing URLs (one a line)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write this run's new and changed articles to this file. Default: stdout."),
    format: str = typer.Option("turtle", "--format", "-f", help="turtle | nt | trig | nquads | jsonld"),
    store: Optional[Path] = typer.Option(None, "--store", help=f"Load the articles into this embedded Oxigraph store (a bare --store: ./{config.DEFAULT_STORE})."),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help="Load the articles into this SPARQL 1.1 server (see kg load)."),
    watch: Optional[float] = typer.Option(None, "--watch", metavar="SECONDS", help="Poll the sources again every SECONDS until Ctrl-C, loading each new article into the store."),
    contact: str = typer.Option(config.CONTACT, "--contact", help="E-mail or URL named in the User-Agent, for site owners (default: KG_CONTACT)."),
    delay: float = typer.Option(config.FETCH_DELAY, "--delay", min=0, help="Seconds between two requests to one host (a longer robots.txt Crawl-delay wins)."),
    timeout: float = typer.Option(config.FETCH_TIMEOUT, "--timeout", min=0.1, help="Seconds for one request in all (connect, headers, body)."),
    model: str = typer.Option(config.DEFAULT_MODEL, "--model", help="Any installed spaCy pipeline."),
    base: str = typer.Option(config.DEFAULT_BASE, "--base", help="Base IRI for minted resources."),
    link: str = typer.Option("offline", "--link", help=LINK_HELP),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=f"Where the ingest state (ingest.sqlite), the build cache and Wikidata answers live. Default: {config.CACHE_DIR}."),
    no_build_cache: bool = typer.Option(False, "--no-build-cache", help="Extract every article again; read and write no build cache."),
) -> None:
    """Fetch feeds and article pages (politely), extract the new and changed articles, load them like kg build."""
    from kg.build import BuildOptions, default_build_cache
    from kg.ingest import FetchSettings, IngestOptions, IngestReport, ingest, user_agent
    from kg.ingest import watch as watch_sources

    build_opts = BuildOptions(
        output=output, format=format, model=model, base=base, link=link, cache_dir=cache_dir,
        build_cache=None if no_build_cache else default_build_cache(cache_dir), store=store, endpoint=endpoint,
    )
    opts = IngestOptions(sources=sources, build=build_opts, cache_dir=cache_dir,
                         fetch=FetchSettings(user_agent=user_agent(contact), delay=delay, timeout=timeout))

    def show(line: str) -> None:
        err.print(escape(line), soft_wrap=True, highlight=False)

    report = IngestReport()
    try:
        if watch is None:
            ingest(opts, report, progress=show)
        else:
            watch_sources(opts, watch, report, progress=show)
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
    except KGError as exc:
        fail(exc)
        return
    err.print(report.summary(), highlight=False, soft_wrap=True)  # (errors were shown as they happened)
    c = report.crawl
    if any(e.startswith("not loaded:") for e in report.errors):
        raise typer.Exit(4)
    if report.errors or (c.skipped and not (c.feeds or c.fetched or c.not_modified)):
        raise typer.Exit(2)


@app.command("link")
def link_cmd(
    graph: Path = typer.Argument(..., help="A graph kg built (Turtle, N-Triples, TriG, N-Quads, JSON-LD)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (written atomically). Default: stdout."),
    format: Optional[str] = typer.Option(None, "--format", "-f", help="Output format. Default: from -o's suffix, else the input's."),
    link: str = typer.Option("offline", "--link", help=LINK_HELP),
    wikidata_endpoint: Optional[str] = typer.Option(None, "--wikidata-endpoint", help=ENDPOINT_HELP),
    wikidata_api: Optional[str] = typer.Option(None, "--wikidata-api", help=API_HELP),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help=CACHE_HELP),
    enrich: bool = typer.Option(False, "--enrich", help=ENRICH_HELP),
    base: str = typer.Option(config.DEFAULT_BASE, "--base", help="Base IRI (names the --enrich graph)."),
) -> None:
    """Link the entities of an existing graph to Wikidata/GeoNames (replacing old links) and write it."""
    from kg.build import BuildOptions, check_base, link_settings
    from kg.link.graphfile import link_file

    try:
        base = check_base(base)
        opts = BuildOptions(link=link, wikidata_endpoint=wikidata_endpoint, wikidata_api=wikidata_api,
                            cache_dir=cache_dir, enrich=enrich)
        settings = link_settings(opts) if link == "wikidata" else None
        report = link_file(graph, output, mode=link, settings=settings, fmt=format, enrich=enrich, base=base)
    except KGError as exc:
        fail(exc)
        return
    err.print(
        f"{report.entities} entities, {report.links} link(s), {report.wikidata} to Wikidata"
        + (f" -> {output}" if output else ""),
        highlight=False,
    )


@app.command()
def validate(graph: Path = typer.Argument(..., help="A graph file (Turtle, N-Triples, TriG, N-Quads, JSON-LD).")) -> None:
    """Check a graph against the SHACL shapes (ontology/shapes.ttl); exit 1 on any violation."""
    from kg.validate import validate_file

    try:
        report = validate_file(graph)
    except KGError as exc:
        fail(exc)
        return
    if report.conforms:
        typer.echo(f"{graph}: conforms")
        return
    for line in report.violations:
        typer.echo(line)
    err.print(f"{graph}: {len(report.violations)} violation(s)", soft_wrap=True)
    raise typer.Exit(1)


_STORE_HELP = f"Embedded Oxigraph store directory (default: ./{config.DEFAULT_STORE})."
_ENDPOINT_HELP = "SPARQL 1.1 server URL, e.g. http://localhost:7878 (Oxigraph) or http://host:8890/sparql (Virtuoso)."
_DIALECT_HELP = "Server kind: auto | oxigraph | virtuoso | fuseki | graphdb | generic (see docs/stores.md)."


@app.command()
def load(
    files: List[Path] = typer.Argument(..., help="Graph files: .trig .nq .ttl .nt (also .jsonld .rdf)."),
    store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help=_ENDPOINT_HELP),
    dialect: str = typer.Option("auto", "--dialect", help=_DIALECT_HELP),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", min=1, help="Triples per request (default 10000; 100000 with --bulk). Graphs are never split."),
    bulk: bool = typer.Option(False, "--bulk", help="Fastest load, not atomic: Oxigraph's bulk loader (embedded store, Oxigraph server)."),
    protocol: str = typer.Option("update", "--protocol", help="update: one SPARQL Update per batch (atomic where the server allows) | gsp: one Graph Store Protocol PUT per graph."),
    default_graph: Optional[str] = typer.Option(None, "--default-graph", help="Graph IRI for triples outside a named graph (default: the file's file:// IRI)."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds to wait for each request."),
    retries: int = typer.Option(3, "--retries", min=0, help="Retries (with backoff) after connection errors, timeouts and 5xx."),
) -> None:
    """Load graph files into the embedded store or a SPARQL server; an article's graph is replaced, never duplicated."""
    from rich.progress import Progress

    from kg.stores import load_files

    try:
        with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
            task = bar.add_task("loading", total=None)

            def show(report) -> None:
                bar.update(task, completed=report.triples, total=report.total,
                           description=f"{len(report.loaded)} graph(s)")

            report = load_files(
                files, store=store, endpoint=endpoint, dialect=dialect, batch_size=batch_size, bulk=bulk,
                protocol=protocol, default_graph=default_graph, timeout=timeout, retries=retries, progress=show,
            )
    except KGError as exc:
        fail(exc)
        return
    for graph, reason in report.failed.items():
        err.print(f"[bold red]not loaded:[/] {graph}: {reason}", markup=True, soft_wrap=True, highlight=False)
    err.print(report.summary(), highlight=False, soft_wrap=True)
    if report.failed:
        raise typer.Exit(4)


@app.command("queries")
def queries_cmd() -> None:
    """List the saved queries (queries/*.rq) with their descriptions and parameters."""
    from kg.queries import list_queries

    try:
        saved = list_queries()
    except KGError as exc:
        fail(exc)
        return
    for q in saved:
        typer.echo(f"{q.name}  [{q.form}]  {q.title}")
        if q.description:
            typer.echo(f"    {q.description}")
        for p in q.params:
            default = f'"{p.default}"' if p.type == "string" else (p.default or "(unbound)")
            typer.echo(f"    --param {p.name}=…  ({p.type}, default {default})  {p.description}")


@app.command()
def query(
    name: Optional[str] = typer.Argument(None, help="A saved query name (see `kg queries`)."),
    param: List[str] = typer.Option([], "--param", "-p", help="KEY=VALUE, bound as an RDF term, never spliced into the text (repeatable)."),
    file: Optional[Path] = typer.Option(None, "--file", help="Run the SPARQL query in this file."),
    sparql: Optional[str] = typer.Option(None, "--sparql", help="Run this SPARQL query."),
    store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help=_ENDPOINT_HELP),
    graph: List[Path] = typer.Option([], "--graph", help="Query graph file(s) in memory instead of a store (repeatable)."),
    dialect: str = typer.Option("auto", "--dialect", help=_DIALECT_HELP),
    format: str = typer.Option("table", "--format", "-f", help="table | csv | tsv | json; CONSTRUCT/DESCRIBE: turtle | nt | jsonld."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds to wait for a server's answer."),
) -> None:
    """Run a saved query (or --file Q.rq, --sparql "...") against a store, a server or graph files."""
    from kg.queries import format_result, run_query

    try:
        result = run_query(
            name, file=file, sparql=sparql, params=param, store=store, endpoint=endpoint,
            graph=graph or None, dialect=dialect, timeout=timeout,
        )
        text = format_result(result, format, width=shutil.get_terminal_size((120, 24)).columns)
    except KGError as exc:
        fail(exc)
        return
    typer.echo(text, nl=False)
    if result.form == "SELECT" and format == "table":
        err.print(f"{len(result.rows)} row(s)", highlight=False)


@app.command()
def viz(
    graph: Optional[List[Path]] = typer.Argument(None, help="Graph files (.trig .nq keep the articles' graphs; .ttl .nt too)."),
    output: Path = typer.Option(..., "-o", "--output", help="The HTML page to write (atomically); '-' for stdout."),
    store: Optional[Path] = typer.Option(None, "--store", help=_STORE_HELP),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help=_ENDPOINT_HELP),
    dialect: str = typer.Option("auto", "--dialect", help=_DIALECT_HELP),
    title: Optional[str] = typer.Option(None, "--title", help="The page's title. Default: counts of articles, entities, claims."),
    timeout: float = typer.Option(60.0, "--timeout", help="Seconds to wait for a server's answer."),
) -> None:
    """Write one self-contained HTML page to explore the graph in a browser (works offline, from disk)."""
    from kg.viz import write_viz

    try:
        report = write_viz(graph or None, store=store, endpoint=endpoint, output=None if str(output) == "-" else output,
                           title=title, dialect=dialect, timeout=timeout)
    except KGError as exc:
        fail(exc)
        return
    err.print(
        f"{report.entities} entities, {report.relations} relations, {report.claims} claims, {report.articles} articles"
        f" -> {report.output or 'stdout'} ({report.bytes / 1e6:.1f} MB)",
        highlight=False, soft_wrap=True,
    )


def optional_store_value(argv: list[str]) -> list[str]:
    """`kg build … --store` with no path means the default store: click options cannot have an
    optional value, so a bare `--store` (last, or before another option) gets it here."""
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == "--store" and (i + 1 == len(out) or out[i + 1].startswith("-")):
            out.insert(i + 1, str(config.DEFAULT_STORE))
            break
    return out


def main() -> None:
    """Entry point of the `kg` script."""
    try:
        app(args=optional_store_value(sys.argv[1:]))
    except KGError as exc:  # a library error that escaped a command
        err.print(f"error: {exc}")
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()

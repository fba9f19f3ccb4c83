"""The `kg` command: thin typer commands that parse arguments, call one library function, print.

All work lives in library modules; errors derive from KGError and map to exit codes here,
so a user never sees a stack trace for a user error.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

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
    err.print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


LINK_HELP = "none | offline (country table + GeoNames, no network) | wikidata (Wikidata or a mirror)."
ENDPOINT_HELP = "SPARQL endpoint in Wikidata's vocabulary (a mirror: QLever, a local Oxigraph); 'none' to skip."
API_HELP = "MediaWiki API for wbsearchentities/wbgetentities; 'none': find candidates by SPARQL labels."
CACHE_HELP = f"Where Wikidata answers are cached (sqlite). Default: {config.CACHE_DIR}."
ENRICH_HELP = "Add description, coordinates and country of linked items (graph <base>graph/wikidata)."


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
) -> None:
    """Read articles, extract entities, relations and claims, and write the graph."""
    from kg.build import BuildOptions, build_graph

    opts = BuildOptions(
        paths=paths or [Path("seeds")], output=output, format=format, model=model, base=base,
        link=link, wikidata_endpoint=wikidata_endpoint, wikidata_api=wikidata_api,
        cache_dir=cache_dir, enrich=enrich,
    )
    try:
        report = build_graph(opts)
    except KGError as exc:
        fail(exc)
        return
    for problem in report.errors:
        err.print(f"[bold red]error:[/] {problem}", markup=True, soft_wrap=True)
    err.print(
        f"{report.articles} article(s), {report.triples} triple(s)"
        + (f" -> {output}" if output else ""),
        highlight=False,
    )
    if report.errors:
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
    err.print(f"{graph}: {len(report.violations)} violation(s)")
    raise typer.Exit(1)


def main() -> None:
    """Entry point of the `kg` script."""
    try:
        app()
    except KGError as exc:  # a library error that escaped a command
        err.print(f"error: {exc}")
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()

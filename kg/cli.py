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


@app.command()
def build(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Input files or directories (.txt, .md, .html, .jsonl). Default: seeds/."
    ),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Output file (written atomically). Default: stdout."),
    format: str = typer.Option("turtle", "--format", "-f", help="turtle | nt | trig | nquads | jsonld"),
    model: str = typer.Option(config.DEFAULT_MODEL, "--model", help="Any installed spaCy pipeline."),
    base: str = typer.Option(config.DEFAULT_BASE, "--base", help="Base IRI for minted resources."),
) -> None:
    """Read articles, extract entities, relations and claims, and write the graph."""
    from kg.build import BuildOptions, build_graph

    opts = BuildOptions(
        paths=paths or [Path("seeds")], output=output, format=format, model=model, base=base
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

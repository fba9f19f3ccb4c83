"""Graph files: which RDF format a file is in, whether it can be read, and its quads.

Used by `kg load` (through loading.py) and `kg query --graph` (through registry.py); nothing here
writes to a store.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Optional

import pyoxigraph as ox

from kg.errors import InputError

#: File suffix -> pyoxigraph format, for `kg load` and `kg query --graph`.
FILE_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


def file_format(path: Path) -> ox.RdfFormat:
    """The pyoxigraph format of a graph file, by its suffix."""
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF file type {path.suffix!r}; use one of {', '.join(sorted(FILE_FORMATS))}")
    return fmt


def check_file(path: Path) -> Path:
    """A readable RDF file of a known type, or an InputError saying what is wrong."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: not readable")
    file_format(path)
    return path


def read_file_quads(path: Path, default_graph: Optional[str] = None, *, lenient: bool = False) -> Iterator[ox.Quad]:
    """Quads of one file with fresh blank nodes; triples outside a named graph go to a graph
    named `default_graph`, or after the file (its file:// IRI), so reloading the file replaces them.
    `lenient` skips pyoxigraph's IRI checks: only for data that a server will check again."""
    fmt = file_format(path)
    uri = path.resolve().as_uri()
    target = ox.NamedNode(default_graph or uri)
    try:
        for quad in ox.parse(path=str(path), format=fmt, base_iri=uri, rename_blank_nodes=True, lenient=lenient):
            if type(quad.graph_name) is ox.DefaultGraph:
                yield ox.Quad(quad.subject, quad.predicate, quad.object, target)
            else:
                yield quad
    except SyntaxError as exc:
        raise InputError(f"{path}: {exc}") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def count_quads(path: Path) -> int:
    """Parse a whole file once (so a broken file is refused before anything is written)."""
    try:
        return sum(1 for _ in ox.parse(path=str(path), format=file_format(path), base_iri=path.resolve().as_uri()))
    except SyntaxError as exc:
        raise InputError(f"{path}: {exc}; nothing was loaded") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


"""Check a graph against the contract's SHACL shapes (kg/data/ontology/shapes.ttl).

Used by `kg validate` and by tests of the writers: a graph that conforms is one the evaluation
and the saved queries can read. Quad formats are validated as the union of their named graphs,
because the contract holds for the whole graph (a claim's article may sit in another graph).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyshacl
from rdflib import BNode, ConjunctiveGraph, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, NamespaceManager
from rdflib.term import Node

from kg.errors import InputError
from kg.namespaces import PREFIXES

#: File suffix -> rdflib parser name. Quad formats (and JSON-LD, which may hold named graphs)
#: are parsed into a Dataset and merged.
SUFFIX_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".trig": "trig",
    ".nq": "nquads",
    ".jsonld": "json-ld",
}

_SHAPES_PREFIXES = {**PREFIXES, "sh": str(SH), "kgsh": "https://w3id.org/newskg/shapes#"}


@dataclass
class ValidationReport:
    """The outcome: `violations` holds one sorted line per SHACL result (focus, path: message)."""

    conforms: bool
    violations: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _shapes_text() -> str:
    """The shapes file shipped as package data (works from a wheel or a source tree)."""
    return resources.files("kg").joinpath("data/ontology/shapes.ttl").read_text(encoding="utf-8")


def load_shapes() -> Graph:
    """A fresh rdflib Graph of the shapes (fresh, so callers cannot corrupt a shared copy)."""
    return Graph().parse(data=_shapes_text(), format="turtle")


@contextmanager
def _quiet_literal_warnings() -> Iterator[None]:
    """rdflib logs a full traceback for every ill-typed literal ("2025-13-45"^^xsd:date); the
    shapes report those as violations, so the log is noise that looks like a crash."""
    log = logging.getLogger("rdflib.term")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def _one_line(text: str, limit: int = 400) -> str:
    """Parser messages span several lines; the CLI prints errors on one."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def load_graph(path: Path) -> Graph:
    """Parse a graph file by its suffix into one rdflib Graph (named graphs merged)."""
    path = Path(path)
    suffix = path.suffix.lower()
    known = ", ".join(SUFFIX_FORMATS)
    if not path.exists():
        raise InputError(f"{path}: no such file; give the path of a graph file ({known})")
    if not path.is_file():
        raise InputError(f"{path}: not a file; give the path of a graph file ({known})")
    fmt = SUFFIX_FORMATS.get(suffix)
    if fmt is None:
        raise InputError(
            f"{path}: cannot tell the RDF format from the suffix '{suffix or '(none)'}'; "
            f"rename it to one of {known}"
        )
    dataset = Dataset() if fmt in ("trig", "nquads", "json-ld") else None
    try:
        if dataset is not None:
            dataset.parse(source=str(path), format=fmt)
            return _union(dataset)
        return Graph().parse(source=str(path), format=fmt)
    except Exception as exc:  # rdflib's parsers raise many unrelated types; all mean "bad input"
        raise InputError(f"{path}: not valid {fmt}: {_one_line(str(exc) or type(exc).__name__)}") from exc


def _union(data: Graph) -> Graph:
    """All triples of a Dataset/ConjunctiveGraph in one Graph, whatever named graph holds them."""
    merged = Graph()
    for s, p, o, _ in data.quads((None, None, None, None)):
        merged.add((s, p, o))
    return merged


def _namespace_manager() -> NamespaceManager:
    nsm = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, iri in _SHAPES_PREFIXES.items():
        nsm.bind(prefix, iri, override=True, replace=True)
    return nsm


def _render(term: Node | None, data: Graph, nsm: NamespaceManager) -> str:
    """A term as short Turtle; blank nodes by how the data reaches them, since ids are random."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        refs = sorted(
            (_render(p, data, nsm), s.n3(nsm))
            for s, p in data.subject_predicates(term)
            if not isinstance(s, BNode)
        )
        if refs:
            pred, subj = refs[0]
            return f"[] ({pred} of {subj})"
        types = sorted(t.n3(nsm) for t in data.objects(term, RDF.type) if isinstance(t, URIRef))
        return f"[] (a {types[0]})" if types else "[]"
    if isinstance(term, (URIRef, Literal)):
        return term.n3(nsm)
    return str(term)


def validate_graph(data: Graph | Dataset) -> ValidationReport:
    """Validate an rdflib Graph, or a Dataset/ConjunctiveGraph as the union of its graphs."""
    graph = _union(data) if isinstance(data, ConjunctiveGraph) else data
    with _quiet_literal_warnings():
        conforms, results, _text = pyshacl.validate(
            graph,
            shacl_graph=load_shapes(),
            inference="none",
            advanced=True,  # for the SHACL-AF SPARQL target in shapes.ttl
            abort_on_first=False,
            allow_warnings=False,
        )
    nsm = _namespace_manager()
    lines: set[str] = set()
    # Only the report's own results: nested sh:detail results repeat them less readably.
    for result in results.objects(None, SH.result):
        focus = _render(results.value(result, SH.focusNode), graph, nsm)
        path = results.value(result, SH.resultPath)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        message = "; ".join(messages) or "does not conform"
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        line = focus
        if path is not None:
            line += f" {_render(path, graph, nsm)}"
        line += f": {message}"
        if value is not None and value != results.value(result, SH.focusNode):
            line += f" (value: {_render(value, graph, nsm)})"
        if severity is not None and severity != SH.Violation:
            line = f"[{severity.n3(nsm)}] {line}"
        lines.add(line)
    return ValidationReport(conforms=bool(conforms), violations=sorted(lines))


def validate_file(path: Path) -> ValidationReport:
    """Parse a graph file (by suffix) and validate it. Raises InputError if it cannot be read."""
    with _quiet_literal_warnings():
        return validate_graph(load_graph(Path(path)))

"""The saved-query library and the query runner.

Saved queries are `.rq` files under `kg/data/queries/` (the top-level `queries/` links there).
Each starts with a comment header that `kg queries` lists and `kg query NAME` uses:

    # title: People with roles and affiliations
    # description: Every person with the roles they hold and whom they are affiliated with.
    # param: name | string | | Only people whose label contains this text (any case).

A `param:` line is `NAME | TYPE | DEFAULT | DESCRIPTION`; TYPE is one of string, iri,
integer, decimal, boolean, date. An empty DEFAULT means the empty string for `string`
parameters and "unbound" (SPARQL `UNDEF`) for the others.

Parameters are bound as RDF terms, never spliced into the text as strings (see kg/sparql.py:
one `VALUES` block at the top of the WHERE clause). Parameters are not visible inside
sub-SELECTs (SPARQL scoping); saved queries do not use them there.
"""
from __future__ import annotations

import csv
import datetime as _dt
import difflib
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

import pyoxigraph as ox

from kg.errors import QueryError
from kg.namespaces import PREFIXES, XSD
from kg.sparql import VAR_NAME, QueryResult, Term, query_shape
from kg.stores import open_store

#: Where the saved queries live (package data).
QUERY_DIR = Path(__file__).parent / "data" / "queries"

PARAM_TYPES = ("string", "iri", "integer", "decimal", "boolean", "date")
#: --format names: tabular ones for SELECT/ASK, RDF ones for CONSTRUCT/DESCRIBE.
RESULT_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
_QUERY_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


# --------------------------------------------------------------------------- saved queries


@dataclass(frozen=True)
class Param:
    """One declared parameter of a saved query."""

    name: str
    type: str
    default: str
    description: str


@dataclass(frozen=True)
class SavedQuery:
    """A `.rq` file with its parsed header."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path

    @property
    def form(self) -> str:
        return query_shape(self.text).form


def parse_query_file(path: Path) -> SavedQuery:
    """Read a saved query and its header; a malformed header is an error naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"{path}: cannot read query file: {exc.strerror}") from exc
    title = description = ""
    params: list[Param] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break  # the header is the leading comment block
        body = stripped.lstrip("#").strip()
        key, sep, value = body.partition(":")
        key = key.strip().lower()
        if not sep or key not in ("title", "description", "param"):
            continue
        value = value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description = f"{description} {value}".strip()
        else:
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 4:
                raise QueryError(
                    f"{path}:{lineno}: a param line is 'NAME | TYPE | DEFAULT | DESCRIPTION', got {value!r}"
                )
            pname, ptype, pdefault, pdesc = parts
            if not VAR_NAME.match(pname):
                raise QueryError(f"{path}:{lineno}: bad parameter name {pname!r}")
            if ptype not in PARAM_TYPES:
                raise QueryError(f"{path}:{lineno}: unknown parameter type {ptype!r}; use one of {', '.join(PARAM_TYPES)}")
            params.append(Param(pname, ptype, pdefault, pdesc))
    query = SavedQuery(path.stem, title or path.stem, description, tuple(params), text, path)
    query_shape(text)  # fail early on a file that is not a query
    return query


def list_queries(directory: Path = QUERY_DIR) -> list[SavedQuery]:
    """All saved queries, sorted by name."""
    return [parse_query_file(p) for p in sorted(directory.glob("*.rq"))]


def get_query(name: str, directory: Path = QUERY_DIR) -> SavedQuery:
    """The saved query called `name`; an unknown name suggests the closest ones."""
    path = directory / f"{name}.rq"
    if not _QUERY_NAME.match(name) or not path.is_file():
        names = [p.stem for p in sorted(directory.glob("*.rq"))]
        close = difflib.get_close_matches(name, names, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise QueryError(f"no saved query named {name!r}.{hint} `kg queries` lists them.")
    return parse_query_file(path)


def expand_iri(value: str) -> str:
    """`<iri>`, an absolute IRI, or a prefixed name with one of kg's prefixes (kgr:person/x)."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return value


def make_term(param: Param, raw: str) -> Optional[Term]:
    """Turn a command-line value into the RDF term the parameter's type asks for."""
    if raw == "" and param.type != "string":
        return None  # unbound
    try:
        if param.type == "string":
            return ox.Literal(raw)
        if param.type == "iri":
            return ox.NamedNode(expand_iri(raw))
        if param.type == "integer":
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
        if param.type == "decimal":
            number = Decimal(raw)
            if not number.is_finite():
                raise ValueError("not a finite number")
            return ox.Literal(format(number, "f"), datatype=ox.NamedNode(XSD + "decimal"))
        if param.type == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError("use true or false")
            return ox.Literal(raw.lower(), datatype=ox.NamedNode(XSD + "boolean"))
        if param.type == "date":
            return ox.Literal(_dt.date.fromisoformat(raw).isoformat(), datatype=ox.NamedNode(XSD + "date"))
    except (ValueError, InvalidOperation) as exc:
        raise QueryError(f"parameter {param.name}: {raw!r} is not a valid {param.type} ({exc})") from exc
    raise QueryError(f"parameter {param.name}: unknown type {param.type!r}")


def parse_param_args(args: Iterable[str]) -> dict[str, str]:
    """`["key=value", ...]` from the command line into a dict (the last one wins)."""
    out: dict[str, str] = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        key = key.strip()
        if not sep or not key:
            raise QueryError(f"--param {arg!r}: expected KEY=VALUE")
        out[key] = value
    return out


def resolve_bindings(query: Optional[SavedQuery], values: Mapping[str, str]) -> dict[str, Optional[Term]]:
    """Bindings for a run: declared parameters with defaults, or ad-hoc ones for a raw query.

    For a saved query, unknown keys are errors. For an ad-hoc query each key is a variable:
    `<...>` (or a kg prefixed name like kgr:country/russia) binds an IRI, anything else a string.
    """
    if query is None:
        out: dict[str, Optional[Term]] = {}
        for key, raw in values.items():
            if not VAR_NAME.match(key):
                raise QueryError(f"bad parameter name {key!r}: use letters, digits and _")
            is_iri = raw.startswith("<") and raw.endswith(">")
            try:
                out[key] = ox.NamedNode(expand_iri(raw)) if is_iri else ox.Literal(raw)
            except ValueError as exc:
                raise QueryError(f"parameter {key}: {raw!r} is not a valid IRI ({exc})") from exc
        return out
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        takes = ", ".join(declared) or "no parameters"
        raise QueryError(f"query {query.name!r} has no parameter {', '.join(unknown)}; it takes: {takes}")
    return {p.name: make_term(p, values.get(p.name, p.default)) for p in query.params}


# --------------------------------------------------------------------------- formatting results


def _compact(term: Optional[Term]) -> str:
    """A short human form: prefixed IRIs, literal values, nothing for unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in PREFIXES.items():
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns):]}"
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def _csv_value(term: Optional[Term]) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def render_table(result: QueryResult, width: int = 120) -> str:
    """An aligned text table for people (rich), with prefixed IRIs and plain literal values."""
    from rich.console import Console
    from rich.table import Table

    table = Table(*result.variables, show_lines=False, header_style="bold")
    for row in result.rows:
        table.add_row(*(_compact(t) for t in row))
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, color_system=None, highlight=False).print(table)
    return buf.getvalue()


def format_result(result: QueryResult, fmt: str = "table", width: int = 120) -> str:
    """Serialize a result: table/csv/tsv/json for SELECT and ASK, turtle/nt/jsonld for graphs.

    Graph results default to Turtle when `fmt` is "table" (the human default).
    """
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        if fmt == "table":
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"--format {fmt} is for SELECT/ASK results; a {result.form} result is RDF: "
                f"use {', '.join(GRAPH_FORMATS)}"
            )
        triples = sorted(result.triples, key=str)  # same answer, same bytes
        # kgr: is left out: its local names have slashes, which Turtle must escape (kgr:person\/x)
        prefixes = {k: v for k, v in PREFIXES.items() if k != "kgr"} if fmt == "turtle" else None
        data = ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes) if triples else b""
        return data.decode("utf-8")
    if fmt in GRAPH_FORMATS:
        raise QueryError(f"--format {fmt} is for CONSTRUCT/DESCRIBE results; use {', '.join(RESULT_FORMATS)}")
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown --format {fmt!r}; use {', '.join(RESULT_FORMATS + tuple(GRAPH_FORMATS))}")
    if result.form == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "table":
        return render_table(result, width)
    if fmt == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows
        ]
        doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    if fmt == "csv":  # W3C SPARQL 1.1 CSV: plain values, CRLF line ends
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([_csv_value(t) for t in row])
        return buf.getvalue()
    # TSV: terms in SPARQL/N-Triples syntax (tabs and newlines in literals are escaped there)
    buf.write("\t".join(f"?{v}" for v in result.variables) + "\n")
    for row in result.rows:
        buf.write("\t".join("" if t is None else str(t) for t in row) + "\n")
    return buf.getvalue()


# --------------------------------------------------------------------------- running


def load_query_text(name: Optional[str], file: Optional[Path], sparql: Optional[str]) -> tuple[Optional[SavedQuery], str]:
    """Exactly one of a saved query name, a .rq file or inline SPARQL -> (saved query or None, text)."""
    given = [x for x in (name, file, sparql) if x]
    if len(given) != 1:
        raise QueryError("give exactly one of: a saved query NAME, --file Q.rq, or --sparql '...'")
    if name:
        saved = get_query(name)
        return saved, saved.text
    if file:
        saved = parse_query_file(Path(file))
        # a file with a header behaves like a saved query (declared params, defaults)
        return (saved if saved.params else None), saved.text
    assert sparql is not None
    return None, sparql


def run_query(
    name: Optional[str] = None,
    *,
    file: Optional[Path] = None,
    sparql: Optional[str] = None,
    params: Mapping[str, str] | Sequence[str] = (),
    store: Optional[Path] = None,
    endpoint: Optional[str] = None,
    graph: Optional[Sequence[Path]] = None,
    dialect: str = "auto",
    timeout: float = 60.0,
) -> QueryResult:
    """Run a saved or ad-hoc query against an embedded store, a SPARQL endpoint or graph files."""
    saved, text = load_query_text(name, file, sparql)
    values = params if isinstance(params, Mapping) else parse_param_args(params)
    bindings = resolve_bindings(saved, values)
    target = open_store(store=store, endpoint=endpoint, graph_files=graph, dialect=dialect, timeout=timeout, read_only=True)
    try:
        return target.query(text, bindings)
    finally:
        target.close()

"""SPARQL text and answers, whatever runs the query: the result model and the text helpers.

Both the stores (which run queries) and the saved-query library (which prepares and prints them)
use these, so they live here, below both: `query_shape` finds a query's form and its WHERE group,
`bind_values` binds parameters, `QueryResult` is the one answer type every store returns.

Parameters are bound as RDF terms, never spliced into the text as strings: each value is a
pyoxigraph term (which validates IRIs and escapes literals) and the terms are added as one
`VALUES (?a ?b) { (term term) }` block at the top of the WHERE clause. A value such as
`x" } ; DROP ALL ; #` is then just an odd string literal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Union

import pyoxigraph as ox

from kg.errors import QueryError

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
#: A SPARQL variable name (without its ? or $): what a parameter may be called.
VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# --------------------------------------------------------------------------- SPARQL text

# One pass over SPARQL text that knows where strings, IRIs and comments are, so that braces
# and keywords inside them are never mistaken for structure.
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
              | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              | '(?:[^'\\\n]|\\.)*'
              | "(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.\-]*(?::[^\s{}()<>,;"'\#]*)?|:[^\s{}()<>,;"'\#]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryShape:
    """What the runner needs to know about a query: its form and where its WHERE group opens."""

    form: str
    where_open: Optional[int]  # index of the "{" that opens the WHERE group, None if there is none


def query_shape(text: str) -> QueryShape:
    """Find the query form and the WHERE group; refuse anything that is not a query (updates)."""
    depth = 0
    form: Optional[str] = None
    after_prefix = False
    where_at: Optional[int] = None  # index of the WHERE keyword at depth 0
    opens: list[int] = []  # "{" at depth 0, in order
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word" and depth == 0:
            word = m.group()
            upper = word.upper()
            if form is None:
                if upper in ("BASE", "PREFIX"):
                    after_prefix = upper == "PREFIX"
                    continue
                if after_prefix and word.endswith(":"):
                    after_prefix = False
                    continue
                if upper not in FORMS:
                    raise QueryError(
                        f"not a query: it starts with {word!r}; kg query runs SELECT, CONSTRUCT, "
                        "DESCRIBE and ASK (updates are refused)"
                    )
                form = upper
            elif upper == "WHERE" and where_at is None:
                where_at = m.start()
        elif kind == "open":
            if depth == 0 and form is not None:
                opens.append(m.start())
            depth += 1
        elif kind == "close":
            depth -= 1
    if form is None:
        raise QueryError("empty query: expected SELECT, CONSTRUCT, DESCRIBE or ASK")
    where_open: Optional[int] = None
    if where_at is not None:
        where_open = next((i for i in opens if i > where_at), None)
    else:  # WHERE is optional: the group is the first "{" (the second after a CONSTRUCT template)
        index = 1 if form == "CONSTRUCT" else 0
        where_open = opens[index] if len(opens) > index else None
    return QueryShape(form, where_open)


def term_sparql(term: Optional[Term]) -> str:
    """A term in SPARQL syntax (N-Triples form, escaped by pyoxigraph); None is UNDEF."""
    if term is None:
        return "UNDEF"
    if not isinstance(term, (ox.NamedNode, ox.Literal)):
        raise QueryError(f"cannot bind {term!r}: only IRIs and literals can be parameters")
    return str(term)


def bind_values(text: str, bindings: Mapping[str, Optional[Term]]) -> str:
    """Return `text` with a VALUES block binding `bindings` at the top of its WHERE group."""
    if not bindings:
        return text
    for name in bindings:
        if not VAR_NAME.match(name):
            raise QueryError(f"bad parameter name {name!r}: use letters, digits and _ (a SPARQL variable name)")
    shape = query_shape(text)
    if shape.where_open is None:
        raise QueryError(f"this {shape.form} query has no WHERE clause to bind parameters in")
    names = " ".join(f"?{n}" for n in bindings)
    terms = " ".join(term_sparql(t) for t in bindings.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    pos = shape.where_open + 1
    return text[:pos] + block + text[pos:]


# --------------------------------------------------------------------------- results


@dataclass
class QueryResult:
    """A query answer, whatever the store: rows (SELECT), a boolean (ASK) or triples."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Optional[Term], ...]] = field(default_factory=list)
    boolean: Optional[bool] = None
    triples: list[ox.Triple] = field(default_factory=list)

    def dicts(self) -> list[dict[str, Optional[str]]]:
        """Rows as {variable: lexical value} (IRIs as strings, unbound as None)."""
        return [{v: (None if t is None else t.value) for v, t in zip(self.variables, row)} for row in self.rows]


def result_from_pyoxigraph(form: str, answer: object) -> QueryResult:
    """Convert pyoxigraph's QuerySolutions / QueryBoolean / QueryTriples into a QueryResult."""
    if isinstance(answer, ox.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = [tuple(sol[v] for v in variables) for sol in answer]
        if form == "ASK":  # Virtuoso answers ASK with a one-column table: a row with 1 is "true"
            return QueryResult("ASK", boolean=any(r and r[0] is not None and r[0].value not in ("0", "false") for r in rows))
        return QueryResult(form, variables, rows)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(answer))
    if isinstance(answer, bool):
        return QueryResult("ASK", boolean=answer)
    return QueryResult(form, triples=unique_triples(answer))  # QueryTriples or a list of triples


def unique_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """A graph is a set: drop the repeats a union default graph or a CONSTRUCT may produce."""
    return list(dict.fromkeys(triples))

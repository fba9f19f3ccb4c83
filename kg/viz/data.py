"""The page's data: a kg graph turned into plain JSON-ready dicts by the SPARQL queries in queries/.

Every fact comes from a query on a GraphStore (embedded Oxigraph, a SPARQL server, or graph files
loaded in memory); nothing re-reads RDF syntax. The queries use DISTINCT and this module merges
rows by IRI, so an entity described in every article graph (kg today) and one described once in
`<base>graph/entities` (docs: layout) give the same data. Articles, nodes and claims are lists
referred to by position; everything is sorted, so the same graph gives the same JSON.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pyoxigraph as ox

from kg.namespaces import KG
from kg.queries import QueryResult, Term
from kg.stores import GraphStore

#: The SPARQL queries this module runs (package data).
QUERY_DIR = Path(__file__).parent / "queries"

#: Classes drawn as nodes, in the order a node with several of them is given one.
CLASSES = ("Person", "Organization", "Country", "Place", "Agreement")
#: Relations between entities (drawn as edges) and relations to literals (shown in the panel).
EDGE_RELATIONS = ("affiliatedWith", "locatedIn", "visited", "metWith", "party", "signedIn")
LITERAL_RELATIONS = ("holdsRole", "signedOn")
#: Relations that hold both ways: one edge per pair, whichever direction the graph states.
SYMMETRIC = ("metWith",)
#: The class of a node that a relation or claim points to but that has no kg class of its own.
OTHER = "Other"

Json = dict[str, Any]


def load_query(name: str) -> str:
    """The text of queries/<name>.rq."""
    return (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")


def run(store: GraphStore, name: str) -> list[dict[str, Optional[Term]]]:
    """Rows of a saved viz query as {variable: term or None}."""
    result: QueryResult = store.query(load_query(name))
    return [dict(zip(result.variables, row)) for row in result.rows]


def local_name(iri: str) -> str:
    """The last segment of an IRI: a readable stand-in label for a node without rdfs:label."""
    tail = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return tail.replace("-", " ").replace("_", " ") or iri


def _value(term: Optional[Term]) -> Optional[str]:
    return None if term is None else term.value


def _kg_name(term: Optional[Term]) -> Optional[str]:
    """`visited` for kg:visited; None for any other IRI."""
    if isinstance(term, ox.NamedNode) and term.value.startswith(KG):
        return term.value[len(KG):]
    return None


@dataclass
class _Node:
    iri: str
    classes: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    alt: set[str] = field(default_factory=set)
    same_as: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)
    evidence: set[tuple[str, str]] = field(default_factory=set)  # (article IRI or "", sentence)

    def cls(self) -> str:
        return next((c for c in CLASSES if c in self.classes), OTHER)

    def label(self) -> str:
        return min(self.labels) if self.labels else local_name(self.iri)


@dataclass
class _Fact:
    """One relation triple with the articles that state it and its evidence sentences."""

    articles: set[str] = field(default_factory=set)
    evidence: set[tuple[str, str]] = field(default_factory=set)


@dataclass
class _Claim:
    iri: str
    text: set[str] = field(default_factory=set)
    claimant: set[str] = field(default_factory=set)
    about: set[str] = field(default_factory=set)
    quantity: set[str] = field(default_factory=set)
    quantity_text: set[str] = field(default_factory=set)
    evidence: set[str] = field(default_factory=set)
    article: set[str] = field(default_factory=set)


class _Graph:
    """Rows of all queries, merged by IRI, before they become lists."""

    def __init__(self) -> None:
        self.nodes: dict[str, _Node] = {}
        self.articles: dict[str, Json] = {}
        self.edges: dict[tuple[str, str, str], _Fact] = defaultdict(_Fact)
        self.literals: dict[tuple[str, str, str], _Fact] = defaultdict(_Fact)
        self.claims: dict[str, _Claim] = {}

    def node(self, iri: str) -> _Node:
        found = self.nodes.get(iri)
        if found is None:
            found = self.nodes[iri] = _Node(iri)
        return found

    def fact(self, s: Term, p: str, o: Term) -> Optional[_Fact]:
        """The edge or literal fact for a relation triple; None for a triple kg does not draw."""
        if p in EDGE_RELATIONS and isinstance(o, (ox.NamedNode, ox.BlankNode)):
            a, b = s.value, o.value
            if p in SYMMETRIC and b < a:
                a, b = b, a
            self.node(a), self.node(b)
            return self.edges[(a, p, b)]
        if p in LITERAL_RELATIONS and isinstance(o, ox.Literal):
            self.node(s.value)
            return self.literals[(s.value, p, o.value)]
        return None


def _known(sources: set[str]) -> set[str]:
    """The articles a sentence was found in; "" (no article) only when it was found in none.
    Each query row comes once from its named graph and once from the union, which has no graph."""
    return {a for a in sources if a} or {""}


def _read_graph(store: GraphStore) -> _Graph:
    """Run every query and merge the rows: articles, then what relations and claims point to,
    then what describes the nodes (so that a node a claim names gets its label too)."""
    g = _Graph()
    for row in run(store, "articles"):
        iri = row["article"].value
        entry = g.articles.setdefault(iri, {"iri": iri})
        for key in ("identifier", "title", "date", "url"):
            if row[key] is not None:
                entry[key] = min(entry.get(key, row[key].value), row[key].value)
    for row in run(store, "entities"):
        g.node(row["entity"].value).classes.add(row["class"].value[len(KG):])
    _read_relations(store, g)
    _read_claims(store, g)
    for name, var, attr in (("labels", "label", "labels"), ("alt-labels", "alt", "alt"),
                            ("same-as", "target", "same_as"), ("mentions", "article", "articles")):
        for row in run(store, name):
            found = g.nodes.get(row["entity"].value)
            if found is not None:
                getattr(found, attr).add(row[var].value)
    for iri in {a for n in g.nodes.values() for a in n.articles} | {a for c in g.claims.values() for a in c.article}:
        g.articles.setdefault(iri, {"iri": iri})  # an article named but not described
    return g


def _read_relations(store: GraphStore, g: _Graph) -> None:
    """Relation triples with the articles that state them, and the evidence of relations and
    of entities (agreements), each sentence with the articles whose graphs hold it."""

    def article(graph: Optional[Term]) -> str:
        """The article whose graph this is, or "" (another graph, or none)."""
        return graph.value if graph is not None and graph.value in g.articles else ""

    for row in run(store, "relations"):
        fact = g.fact(row["subject"], _kg_name(row["predicate"]) or "", row["object"])
        if fact is not None and article(row["graph"]):
            fact.articles.add(article(row["graph"]))
    statements: dict[tuple[Term, str, Term, str], set[str]] = defaultdict(set)
    for row in run(store, "statements"):
        key = (row["subject"], _kg_name(row["predicate"]) or "", row["object"], row["evidence"].value)
        statements[key].add(article(row["graph"]))
    for (s, p, o, sentence), sources in statements.items():
        fact = g.fact(s, p, o)
        if fact is not None:
            fact.evidence.update((source, sentence) for source in _known(sources))
            fact.articles.update(a for a in sources if a)
    evidence: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in run(store, "entity-evidence"):
        if row["entity"].value in g.nodes:
            evidence[(row["entity"].value, row["evidence"].value)].add(article(row["graph"]))
    for (iri, sentence), sources in evidence.items():
        g.nodes[iri].evidence.update((source, sentence) for source in _known(sources))


def _read_claims(store: GraphStore, g: _Graph) -> None:
    """Claims; their claimants and topics become nodes even without a kg class."""
    for row in run(store, "claims"):
        claim = g.claims.setdefault(row["claim"].value, _Claim(row["claim"].value))
        for key, values in (("text", claim.text), ("claimant", claim.claimant), ("quantity", claim.quantity),
                            ("quantityText", claim.quantity_text), ("evidence", claim.evidence),
                            ("article", claim.article)):
            if row[key] is not None:
                values.add(row[key].value)
    for row in run(store, "claims-about"):
        if row["claim"].value in g.claims:
            g.claims[row["claim"].value].about.add(row["about"].value)
    for claim in g.claims.values():
        for iri in claim.claimant | claim.about:
            g.node(iri)


def _article_sort_key(entry: Json) -> tuple[str, str, str]:
    return (entry.get("date", ""), entry.get("identifier", ""), entry["iri"])


def graph_data(store: GraphStore, *, title: str = "") -> Json:
    """The page's data for the graph in `store` (any kg GraphStore), ready for json.dumps.

    Articles, nodes and claims are lists; the other lists refer to their entries by position.
    Evidence is [article position or null, sentence].
    """
    g = _read_graph(store)
    articles = sorted(g.articles.values(), key=_article_sort_key)
    art = {entry["iri"]: i for i, entry in enumerate(articles)}
    ordered = sorted(g.nodes.values(), key=lambda n: (n.label().casefold(), n.iri))
    pos = {n.iri: i for i, n in enumerate(ordered)}

    def arts(iris: set[str]) -> list[int]:
        return sorted(art[a] for a in iris if a in art)

    def evidence(pairs: set[tuple[str, str]]) -> list[list[Any]]:
        return [[art.get(a), s] for a, s in sorted(pairs, key=lambda p: (art.get(p[0], -1), p[1]))]

    facts: dict[str, list[Json]] = defaultdict(list)
    for (s, p, value), fact in sorted(g.literals.items()):
        facts[s].append({"p": p, "value": value, "articles": arts(fact.articles), "evidence": evidence(fact.evidence)})
    nodes = []
    for n in ordered:
        entry: Json = {"iri": n.iri, "label": n.label(), "class": n.cls(), "articles": arts(n.articles)}
        alt = sorted((n.labels | n.alt) - {n.label()})
        optional = {"alt": alt, "sameAs": sorted(n.same_as), "facts": facts.get(n.iri), "evidence": evidence(n.evidence)}
        entry.update({k: v for k, v in optional.items() if v})
        nodes.append(entry)
    edges = [
        {"s": pos[s], "p": p, "o": pos[o], "articles": arts(f.articles), "evidence": evidence(f.evidence)}
        for (s, p, o), f in sorted(g.edges.items(), key=lambda item: (pos[item[0][0]], item[0][1], pos[item[0][2]]))
    ]
    claims = []
    for c in sorted(g.claims.values(), key=lambda c: (min(arts(c.article), default=-1), c.iri)):
        entry = {
            "iri": c.iri,
            "text": min(c.text) if c.text else "",
            "claimant": sorted(pos[i] for i in c.claimant),
            "about": sorted(pos[i] for i in c.about),
            "articles": arts(c.article),
        }
        optional = {"quantity": min(c.quantity) if c.quantity else None,
                    "quantityText": min(c.quantity_text) if c.quantity_text else None,
                    "evidence": sorted(c.evidence)}
        entry.update({k: v for k, v in optional.items() if v})
        claims.append(entry)
    present = {e["p"] for e in edges}
    return {
        "title": title,
        "classes": [c for c in (*CLASSES, OTHER) if any(n["class"] == c for n in nodes)],
        "relations": [p for p in EDGE_RELATIONS if p in present],
        "articles": articles,
        "nodes": nodes,
        "edges": edges,
        "claims": claims,
    }

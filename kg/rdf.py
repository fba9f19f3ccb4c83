"""RDF mapping: the one place that knows the ontology terms. Records + resolution -> quads.

Each article's facts go into the named graph whose IRI is the article's IRI, so a store can
replace one article's graph without touching the others; the Turtle export is the union.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Iterator

from pyoxigraph import Literal, NamedNode, Quad

from kg.namespaces import DCTERMS, KG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from kg.records import ArticleRecord, ResolvedEntity
from kg.resolve import Resolution, article_iri, claim_iri

A = NamedNode(RDF + "type")
LABEL = NamedNode(RDFS + "label")
ALT = NamedNode(SKOS + "altLabel")
SAME_AS = NamedNode(OWL + "sameAs")
XSD_DATE = NamedNode(XSD + "date")
XSD_DECIMAL = NamedNode(XSD + "decimal")
XSD_GYEAR = NamedNode(XSD + "gYear")
XSD_GYEARMONTH = NamedNode(XSD + "gYearMonth")
IDENTIFIER = NamedNode(DCTERMS + "identifier")
TITLE = NamedNode(DCTERMS + "title")
DATE = NamedNode(DCTERMS + "date")
URL = NamedNode(SCHEMA + "url")
DERIVED_FROM = NamedNode(PROV + "wasDerivedFrom")


_KG_TERMS: dict[str, NamedNode] = {}  # term -> its node: a NamedNode is immutable, and checks its IRI when made


def kg(term: str) -> NamedNode:
    node = _KG_TERMS.get(term)
    if node is None:
        node = _KG_TERMS[term] = NamedNode(KG + term)
    return node


def en(text: str) -> Literal:
    return Literal(text, language="en")


def date_literal(value: str) -> Literal:
    """xsd:date, xsd:gYearMonth or xsd:gYear by the value's shape (2024-06-19, 2024-06, 2024)."""
    if len(value) == 4:
        return Literal(value, datatype=XSD_GYEAR)
    if len(value) == 7:
        return Literal(value, datatype=XSD_GYEARMONTH)
    return Literal(value, datatype=XSD_DATE)


def _iri_or_none(value: str | None) -> NamedNode | None:
    if not value:
        return None
    try:
        return NamedNode(value)
    except ValueError:
        return None


def article_quads(rec: ArticleRecord, res: Resolution, base: str) -> Iterator[Quad]:
    """All quads of one article's named graph."""
    doc = rec.doc
    art = NamedNode(article_iri(base, doc.id))
    g = art
    yield Quad(art, A, kg("Article"), g)
    yield Quad(art, IDENTIFIER, Literal(doc.id), g)
    if doc.title:
        yield Quad(art, TITLE, en(doc.title), g)
    if doc.date:
        yield Quad(art, DATE, Literal(doc.date, datatype=XSD_DATE), g)
    url = _iri_or_none(doc.url)
    if url is not None:
        yield Quad(art, URL, url, g)

    node: dict[str, NamedNode] = {}
    for ent in rec.entities:
        iri = res.iri(doc.id, ent.key)
        if iri is None:
            continue
        node[ent.key] = n = NamedNode(iri)
        resolved = res.entities[iri]
        yield Quad(n, A, kg(resolved.type), g)
        yield Quad(n, LABEL, en(resolved.label), g)
        for alt in sorted({ent.label, *ent.aliases} - {resolved.label}):
            yield Quad(n, ALT, en(alt), g)
        if any(m.named for m in ent.mentions):  # "Russian" alone does not mention Russia by name
            yield Quad(n, kg("mentionedIn"), art, g)
        yield from link_quads(n, resolved, g)
        if ent.type == "Agreement":
            for sent in sorted({m.sent for m in ent.mentions}):
                if 0 <= sent < len(rec.sentences):
                    yield Quad(n, kg("evidence"), en(rec.sentences[sent]), g)

    for rel in rec.relations:
        s = node.get(rel.subject)
        if s is None:
            continue
        if rel.value is not None:
            obj = date_literal(rel.value) if rel.predicate == "signedOn" else Literal(rel.value)
        else:
            obj = node.get(rel.object or "")
            if obj is None:
                continue
        yield Quad(s, kg(rel.predicate), obj, g)

    for n, claim in enumerate(rec.claims, start=1):
        c = NamedNode(claim_iri(base, doc.id, n))
        yield Quad(c, A, kg("Claim"), g)
        yield Quad(c, kg("text"), en(claim.text), g)
        yield Quad(c, DERIVED_FROM, art, g)
        if 0 <= claim.sent < len(rec.sentences):
            yield Quad(c, kg("evidence"), en(rec.sentences[claim.sent]), g)
        if claim.claimant and claim.claimant in node:
            yield Quad(c, kg("claimant"), node[claim.claimant], g)
        for about in claim.about:
            if about in node:
                yield Quad(c, kg("about"), node[about], g)
        if claim.quantity is not None:
            try:
                value = str(Decimal(claim.quantity))
            except InvalidOperation:
                value = None
            if value is not None:
                yield Quad(c, kg("quantity"), Literal(value, datatype=XSD_DECIMAL), g)
        if claim.quantity_text:
            yield Quad(c, kg("quantityText"), en(claim.quantity_text), g)


def link_quads(n: NamedNode, ent: ResolvedEntity, g: NamedNode) -> Iterator[Quad]:
    """owl:sameAs to each linked IRI, plus a qualified kg:Link node carrying the confidence."""
    for target, confidence, method in ent.links:
        t = NamedNode(target)
        yield Quad(n, SAME_AS, t, g)
        link = NamedNode(f"{ent.iri}#link-{_frag(target)}")
        yield Quad(n, kg("link"), link, g)
        yield Quad(link, A, kg("Link"), g)
        yield Quad(link, kg("linkTarget"), t, g)
        yield Quad(link, kg("linkConfidence"), Literal(f"{confidence:.2f}", datatype=XSD_DECIMAL), g)
        yield Quad(link, kg("linkMethod"), Literal(method), g)


def _frag(target: str) -> str:
    tail = target.rstrip("/").rsplit("/", 1)[-1]
    host = "wd" if "wikidata.org" in target else ("gn" if "geonames" in target else "x")
    return f"{host}-{tail}"

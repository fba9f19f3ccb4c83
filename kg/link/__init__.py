"""Linking resolved entities to Wikidata (and GeoNames): `owl:sameAs` with a recorded confidence.

Modes: "none"; "offline" (default: country table and GeoNames, never a socket); "wikidata"
(offline links plus Wikidata or a mirror, behind a persistent cache). See docs/linking.md.
The online code is imported only in "wikidata" mode.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from kg.errors import ConfigError
from kg.link.context import EntityContext, build_contexts
from kg.link.offline import link_offline
from kg.link.settings import MODES, WIKIDATA_API, WIKIDATA_SPARQL, LinkSettings
from kg.records import ArticleRecord

__all__ = [
    "MODES", "WIKIDATA_API", "WIKIDATA_SPARQL", "LinkSettings", "EntityContext",
    "link_resolution", "enrich_quads", "enrich_graph_iri", "check_mode",
]


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ConfigError(f"--link {mode!r} is not a linking mode; choose one of: {', '.join(MODES)}")
    return mode


def link_resolution(resolution, mode: str = "offline", settings: LinkSettings | None = None,
                    records: Iterable[ArticleRecord] | None = None,
                    roles: dict[str, set[str]] | None = None,
                    texts: dict[str, list[str]] | None = None):
    """Fill `links` of the resolved entities; returns a LinkReport in "wikidata" mode, else None.

    `records` (the article records of a build), or `roles` (iri -> role titles) and `texts`
    (iri -> sentences, e.g. kg:evidence) read from a graph, add context; without them the
    co-mentioned entities of the Resolution are the only context.
    """
    check_mode(mode)
    if mode == "none":
        return None
    contexts = build_contexts(resolution, records, roles, texts)
    link_offline(resolution, contexts)
    if mode != "wikidata":
        return None
    from kg.link.linker import WikidataLinker

    linker = WikidataLinker(settings or LinkSettings())
    try:
        return linker.link(resolution, contexts)
    finally:
        linker.close()


def enrich_graph_iri(base: str) -> str:
    return f"{base}graph/wikidata"


def enrich_quads(resolution, base: str, settings: LinkSettings | None = None) -> Iterator:
    """Wikidata's description, coordinates (P625) and country (P17) of every linked item.

    They go into the named graph <base>graph/wikidata, about the Wikidata items themselves
    (wd:Q…), so Wikidata's statements stay apart from what the articles say.
    """
    from pyoxigraph import Literal, NamedNode, Quad

    from kg.link.linker import WikidataLinker
    from kg.namespaces import SCHEMA, WD, WDT

    graph = NamedNode(enrich_graph_iri(base))
    wkt = NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")
    linker = WikidataLinker(settings or LinkSettings())
    try:
        facts = linker.linked_facts(resolution)
    finally:
        linker.close()
    out = []
    for q in sorted(facts, key=lambda x: int(x[1:])):
        c = facts[q]
        item = NamedNode(WD + q)
        if c.description:
            out.append(Quad(item, NamedNode(SCHEMA + "description"), Literal(c.description, language=settings.language if settings else "en"), graph))
        for point in c.coords:
            out.append(Quad(item, NamedNode(WDT + "P625"), Literal(point, datatype=wkt), graph))
        for country in c.p17:
            out.append(Quad(item, NamedNode(WDT + "P17"), NamedNode(WD + country), graph))
    return iter(out)

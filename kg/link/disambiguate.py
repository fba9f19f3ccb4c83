"""Choosing a Wikidata item for an entity, or none: a wrong link is worse than no link.

Each candidate gets a score from four signals (weights below), and the best candidate is linked
only when its score reaches the threshold AND beats the runner-up by the margin:

- name (0.45): how well the entity's names match the item's label/aliases ("Kursk region" =
  "Kursk Oblast"; "Paris" vs "Paris, Texas" is a weaker, qualified match);
- type (0.20): the item's classes (wdt:P31/wdt:P279*) fit the entity's kg type; an item of
  a wrong type is dropped, an untyped item counts half;
- context (0.25): the item's country (P17), citizenship (P27) or containing place (P131) is
  among the countries/places of the same articles (1), unknown (0.5) or contradicted (0);
- popularity (0.10): sitelinks on a log scale, neutral when the source has none;
- plus a bonus (0.10) when a position the person holds (P39) names a co-mentioned country or
  shares words with the role the article gives ("Foreign Minister").
The score becomes the link's confidence.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from kg.gazetteer import norm
from kg.link.context import ADMIN_HEADS, EntityContext
from kg.link.wikidata import Candidate
from kg.records import ResolvedEntity

W_NAME, W_TYPE, W_CONTEXT, W_POP, W_ROLE = 0.45, 0.20, 0.25, 0.10, 0.10
STOP = frozenset({"of", "the", "and", "for", "in", "on", "a", "an", "to"})
_QUALIFIER = re.compile(r"\s*(\([^)]*\)|,.*)$")


def _head_split(n: str) -> tuple[str, bool]:
    """("kursk", True) for "kursk oblast": the base name and whether it ends in a region word."""
    toks = n.split()
    if len(toks) >= 2 and toks[-1] in ADMIN_HEADS:
        return " ".join(toks[:-1]), True
    return n, False


def name_match(entity_name: str, cand_name: str, is_label: bool) -> float:
    """0..1: how well one entity name matches one item name."""
    ne, nc = norm(entity_name), norm(cand_name)
    if not ne or not nc:
        return 0.0
    if ne == nc:
        return 1.0 if is_label else 0.95
    be, he = _head_split(ne)
    bc, hc = _head_split(nc)
    if he and hc and be == bc:
        return 0.95  # "Kursk region" = "Kursk Oblast"
    base = norm(_QUALIFIER.sub("", cand_name))
    if base and base != nc and base == ne:
        return 0.85  # "Paris" ~ "Paris, Texas", "Washington" ~ "Washington, D.C."
    if hc and not he and bc == ne:
        return 0.55  # "Kursk" ~ "Kursk Oblast": the region, or a city of that name?
    if he and not hc and be == nc:
        return 0.5  # "Kursk region" ~ "Kursk"
    te, tc = ne.split(), nc.split()
    if len(te) >= 2 and len(tc) > len(te) and te[0] == tc[0] and te[-1] == tc[-1] and set(te) <= set(tc):
        return 0.85  # "Vladimir Putin" ~ "Vladimir Vladimirovich Putin"
    return 0.0


def entity_names(ent: ResolvedEntity, ctx: EntityContext | None) -> list[str]:
    """The names an entity is searched and matched by: label, text names, aliases (no lone surnames)."""
    out: list[str] = [ent.label]
    out += sorted((ctx.text_names if ctx else set()) - set(out))
    many = len(ent.label.split()) >= 2
    for alt in ent.alt_labels:
        if alt in out or len(alt.strip()) < 2:
            continue
        if ent.type == "Person" and many and len(alt.split()) == 1:
            continue  # "Lavrov" alone finds every Lavrov
        out.append(alt)
    return out


def search_names(ent: ResolvedEntity, ctx: EntityContext | None, limit: int) -> list[str]:
    """Names to look up: the entity's names, and "Moscow" for "Moscow region" (the item may be
    labelled "Moscow Oblast", which a prefix search for "Moscow region" misses)."""
    out: list[str] = []
    for n in entity_names(ent, ctx):
        toks = n.split()
        extra = [" ".join(toks[:-1])] if len(toks) >= 2 and toks[-1].lower() in ADMIN_HEADS else []
        for x in [n, *extra]:
            if x not in out:
                out.append(x)
    return out[:limit]


def type_fit(ent_type: str, cand: Candidate) -> float | None:
    """1 fits, 0.5 unknown (an item without P31), None wrong type (the candidate is dropped)."""
    kinds = set(cand.kinds)
    if ent_type in kinds:
        return 1.0
    if ent_type == "Place" and "Country" in kinds:
        return 0.7
    if ent_type == "Country" and "Place" in kinds:
        return 0.3
    if not cand.typed and ent_type != "Person":  # every person in Wikidata is typed (Q5)
        return 0.5
    return None


def context_fit(cand: Candidate, ctx: EntityContext) -> float:
    known = set(cand.p17) | set(cand.p27) | set(cand.p131)
    if ctx.geonames and set(cand.geonames) & ctx.geonames:
        return 1.0
    if cand.qid in ctx.country_qids | ctx.place_qids:
        return 1.0  # the item is itself a country/place of the same articles
    if not ctx.has_any() or not (known or cand.p131_labels):
        return 0.5
    if known & (ctx.country_qids | ctx.place_qids):
        return 1.0
    if {norm(x) for x in cand.p131_labels} & ctx.names:
        return 1.0
    return 0.0


def role_bonus(cand: Candidate, ctx: EntityContext) -> float:
    if not cand.p39_labels:
        return 0.0
    roles = {w for r in ctx.roles for w in norm(r).split() if w not in STOP}
    countries = ctx.country_names()
    for pos in cand.p39_labels:
        npos = norm(pos)
        if any(c and re.search(rf"\b{re.escape(c)}\b", npos) for c in countries):
            return 1.0
        if roles and len(roles & set(npos.split())) >= min(2, len(roles)):
            return 1.0
    return 0.0


def popularity(cand: Candidate, any_known: bool) -> float:
    if cand.sitelinks is None:
        return 0.0 if any_known else 0.5
    return min(1.0, math.log10(1 + cand.sitelinks) / 3)


@dataclass
class Scored:
    cand: Candidate
    score: float
    name: float


def rank(ent: ResolvedEntity, ctx: EntityContext, cands: list[Candidate]) -> list[Scored]:
    """Candidates that fit, best first (score desc, then QID number for a stable order)."""
    names = entity_names(ent, ctx)
    any_known = any(c.sitelinks is not None for c in cands)
    out = []
    for c in cands:
        t = type_fit(ent.type, c)
        if t is None:
            continue
        q = 0.0
        for n in names:
            for i, cn in enumerate(c.names()):
                q = max(q, name_match(n, cn, is_label=(i == 0 and c.label is not None)))
        if q < 0.5:
            continue
        s = (W_NAME * q + W_TYPE * t + W_CONTEXT * context_fit(c, ctx)
             + W_POP * popularity(c, any_known) + W_ROLE * role_bonus(c, ctx))
        out.append(Scored(c, round(s, 4), q))
    out.sort(key=lambda x: (-x.score, int(x.cand.qid[1:])))
    return out


def choose(ranked: list[Scored], threshold: float, margin: float) -> Scored | None:
    """The best candidate if it is good enough and clearly better than the next; else None."""
    if not ranked or ranked[0].score < threshold:
        return None
    if len(ranked) > 1 and ranked[0].score - ranked[1].score < margin:
        return None
    return ranked[0]

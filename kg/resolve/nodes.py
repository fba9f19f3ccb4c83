"""Graph nodes from clusters: one type, one label, the other names, and a deterministic IRI each.

The label is the fullest name (most words; an agreement's name before a description of it), then
one not in capitals, then the one most mentioned, then one with its accents (the original
spelling), then the first in order; a name in capitals gives way to the same name in an alias
("WONSAN" of a dateline to "Wonsan"); a country's label is its name in the country table. IRIs are `<base><type>/<slug of the label>`; an unnamed
agreement reported by one article only keeps that article's id in its IRI
(`agreement/<article>-<slug>`), one that several report does not. When two clusters would get
one IRI, the later one (in the order of their keys) gets a short hash of its key appended.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from kg.gazetteer import gazetteer
from kg.records import ResolvedEntity
from kg.resolve.clusters import Clusters
from kg.resolve.matching import is_named_agreement
from kg.resolve.names import fold

TYPE_PATH = {
    "Person": "person",
    "Country": "country",
    "Place": "place",
    "Organization": "organization",
    "Agreement": "agreement",
}


def slug(text: str) -> str:
    """ASCII, lowercase, dash-separated: "Wŏnsan-Kalma Coastal" -> "wonsan-kalma-coastal"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("\u2019", "").replace("'", "")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:80] or "x"


def article_iri(base: str, article_id: str) -> str:
    return f"{base}article/{quote(article_id, safe='')}"


def claim_iri(base: str, article_id: str, n: int) -> str:
    return f"{base}claim/{quote(article_id, safe='')}-{n}"


@dataclass
class Resolution:
    """The graph-wide entities and, per article, which node each local key became."""

    entities: dict[str, ResolvedEntity] = field(default_factory=dict)  # iri -> entity
    node_of: dict[tuple[str, str], str] = field(default_factory=dict)  # (article id, local key) -> iri

    def iri(self, article_id: str, key: str) -> str | None:
        return self.node_of.get((article_id, key))


def _type(clusters: Clusters, members: list[int]) -> str:
    votes: Counter[str] = Counter()
    for i in members:
        unit = clusters.units[i]
        if unit.type == "Country" and unit.code:
            return "Country"
        votes[unit.type] += unit.weight
    return sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _label(clusters: Clusters, members: list[int], type_: str, code: str | None) -> str:
    if type_ == "Country" and code and code in gazetteer().countries:
        return gazetteer().countries[code].name
    forms: Counter[str] = Counter()
    for i in members:
        forms[clusters.units[i].label] += clusters.units[i].weight
    named = type_ == "Agreement" and any(is_named_agreement(f) for f in forms)
    label = sorted(forms.items(), key=lambda kv: (named and not is_named_agreement(kv[0]), -len(kv[0].split()),
                                                  kv[0].isupper(), -kv[1], kv[0].isascii(), kv[0]))[0][0]
    if label.isupper():  # "WONSAN" of a dateline, when the article also writes "Wonsan"
        same = sorted(a for i in members for a in clusters.units[i].aliases
                      if a.casefold() == label.casefold() and not a.isupper())
        label = same[0] if same else label
    return label


def _code(clusters: Clusters, members: list[int], type_: str) -> str | None:
    units = [clusters.units[i] for i in members]
    for unit in units:
        if type_ == "Country" and unit.type == "Country" and unit.code:
            return unit.code
    if type_ == "Country":  # a place named like a country ("Tuvalu" typed a place)
        found = gazetteer().country(units[0].label)
        if found is not None:
            return found.code
    return next((u.code for u in units if u.code), None)


def mint(clusters: Clusters, base: str) -> tuple[Resolution, dict[int, str]]:
    """The Resolution of the clusters as they are, and each cluster root's IRI."""
    drafts = []
    for root, members in clusters.members().items():
        type_ = _type(clusters, members)
        code = _code(clusters, members, type_)
        label = _label(clusters, members, type_, code)
        first = clusters.units[members[0]]
        articles = list(dict.fromkeys(clusters.units[i].article for i in members))
        if type_ == "Country" and code:
            key = f"country:{code}"
        elif type_ == "Agreement" and len(articles) == 1 and not is_named_agreement(label):
            key = f"agreement:{first.article}:{first.key}"
        else:
            key = f"{TYPE_PATH[type_]}:{fold(label)}"
        drafts.append((key, first.member, root, members, type_, code, label, articles))
    out = Resolution()
    iris: dict[int, str] = {}
    used: set[str] = set()
    for key, first, root, members, type_, code, label, articles in sorted(drafts, key=lambda d: (d[0], d[1])):
        if key.startswith("agreement:") and key.count(":") >= 2:
            iri = f"{base}agreement/{quote(first[0], safe='')}-{slug(label)}"
        else:
            iri = f"{base}{TYPE_PATH[type_]}/{slug(label)}"
        if iri in used:
            iri = f"{iri}-{hashlib.sha1(f'{key}@{first[0]}:{first[1]}'.encode()).hexdigest()[:6]}"
        used.add(iri)
        iris[root] = iri
        names = {n for i in members for n in (clusters.units[i].label, *clusters.units[i].aliases)}
        out.entities[iri] = ResolvedEntity(
            iri=iri, type=type_, label=label, alt_labels=sorted(names - {label}), articles=articles, code=code,
            links=sorted((t, c, m) for t, (c, m) in clusters.links[root].items()),
        )
        for i in members:
            out.node_of[clusters.units[i].member] = iri
    return out, iris

"""What the articles say around an entity: the evidence that tells Paris, France from Paris, Texas.

For every resolved entity: the countries and places mentioned in the same articles, the entity's
own role titles ("Foreign Minister"), and names that the text gives next to a mention ("Kursk"
followed by "region" gives "Kursk region"). Built from the Resolution alone, or richer when the
article records are at hand (a build), or from an existing graph (`kg link`).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from kg.gazetteer import gazetteer, norm
from kg.records import ArticleRecord

#: Head words that make a name an administrative region ("Kursk region" = "Kursk Oblast").
ADMIN_HEADS = frozenset({"region", "oblast", "province", "krai", "kray", "governorate", "prefecture",
                         "okrug", "voivodeship"})
_HEAD_AFTER = re.compile(r"^[ \t]+(" + "|".join(sorted(ADMIN_HEADS)) + r")\b", re.IGNORECASE)


@dataclass
class EntityContext:
    """Evidence about one entity from the articles that mention it."""

    countries: set[str] = field(default_factory=set)  # ISO2 codes of co-mentioned countries
    country_qids: set[str] = field(default_factory=set)  # their Wikidata QIDs (countries.tsv)
    place_qids: set[str] = field(default_factory=set)  # QIDs of co-mentioned places once linked
    names: set[str] = field(default_factory=set)  # norm() names of co-mentioned entities
    roles: set[str] = field(default_factory=set)  # role titles the articles give the entity
    text_names: set[str] = field(default_factory=set)  # names read from the text ("Kursk region")
    geonames: set[str] = field(default_factory=set)  # GeoNames ids the offline linker found

    def country_names(self) -> set[str]:
        gaz = gazetteer()
        out = set()
        for code in self.countries:
            c = gaz.countries.get(code)
            if c:
                out.add(norm(c.name))
        return out

    def has_any(self) -> bool:
        return bool(self.country_qids or self.place_qids or self.names)


def build_contexts(resolution, records: Iterable[ArticleRecord] | None = None,
                   roles: dict[str, set[str]] | None = None,
                   texts: dict[str, list[str]] | None = None) -> dict[str, EntityContext]:
    """iri -> EntityContext for every entity of `resolution`.

    `records` (a build) give roles and the words after each mention; `roles` and `texts`
    (iri -> sentences that may mention it, e.g. kg:evidence of a graph) do the same for `kg link`.
    """
    gaz = gazetteer()
    by_article: dict[str, list[str]] = defaultdict(list)
    for iri, ent in resolution.entities.items():
        for art in ent.articles:
            by_article[art].append(iri)
    # what each entity lends the others of its articles, worked out once: an entity that appears in
    # many articles ("United States") is met again in each of them
    lends: dict[str, tuple[str | None, frozenset[str]]] = {
        iri: (ent.code if ent.type in ("Country", "Place") and ent.code else None,
              frozenset([norm(ent.label), *(norm(a) for a in ent.alt_labels)]))
        for iri, ent in resolution.entities.items()}
    out: dict[str, EntityContext] = {}
    for iri, ent in resolution.entities.items():
        ctx = EntityContext()
        if ent.type == "Place" and ent.code:
            ctx.countries.add(ent.code)
        for art in ent.articles:
            for other_iri in by_article[art]:
                if other_iri == iri:
                    continue
                code, names = lends[other_iri]
                if code:
                    ctx.countries.add(code)
                ctx.names |= names
        ctx.country_qids = {gaz.countries[c].qid for c in ctx.countries if c in gaz.countries and gaz.countries[c].qid}
        out[iri] = ctx
    for iri, titles in (roles or {}).items():
        if iri in out:
            out[iri].roles.update(titles)
    for iri, sentences in (texts or {}).items():
        ent = resolution.entities.get(iri)
        if ent is None or ent.type not in ("Place", "Country"):
            continue
        for name in {ent.label, *ent.alt_labels}:
            if not name.strip() or name.split()[-1].lower() in ADMIN_HEADS:
                continue
            for sent in sentences:
                for i in _find_all(sent, name):
                    head = _HEAD_AFTER.match(sent[i + len(name):i + len(name) + 20])
                    if head and (i == 0 or not sent[i - 1].isalnum()):
                        out[iri].text_names.add(f"{name} {head.group(1)}")
    for rec in records or ():
        text = rec.doc.text
        for rel in rec.relations:
            if rel.predicate == "holdsRole" and rel.value:
                iri = resolution.iri(rec.doc.id, rel.subject)
                if iri in out:
                    out[iri].roles.add(rel.value)
        for e in rec.entities:
            iri = resolution.iri(rec.doc.id, e.key)
            if iri not in out or e.type not in ("Place", "Country"):
                continue
            for m in e.mentions:
                if not m.text.strip() or m.text.split()[-1].lower() in ADMIN_HEADS:
                    continue
                if 0 <= m.start <= m.end <= len(text) and text[m.start:m.end] == m.text:
                    after = [text[m.end:m.end + 20]]
                else:  # offsets of another text version: look for the mention in its sentence
                    sent = rec.sentences[m.sent] if 0 <= m.sent < len(rec.sentences) else ""
                    after = [sent[i + len(m.text):i + len(m.text) + 20]
                             for i in _find_all(sent, m.text)]
                for tail in after:
                    head = _HEAD_AFTER.match(tail)
                    if head:
                        out[iri].text_names.add(f"{m.text} {head.group(1)}")
    return out


def _find_all(text: str, part: str) -> list[int]:
    out, i = [], text.find(part)
    while i >= 0 and part:
        out.append(i)
        i = text.find(part, i + 1)
    return out

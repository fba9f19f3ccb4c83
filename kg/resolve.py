"""Resolution across articles: every article's local entities become graph-wide nodes with IRIs.

The only state that grows with the corpus is the index built here (a key per distinct entity).
Keys: a country is its ISO code; a person, place or organisation its normalised name, and a
person's lone surname joins the one full name in the corpus that ends with it; an unnamed
agreement ("the military agreement") stays local to its article. IRIs are derived from the key
and the label only, so they are the same on every run and machine.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import quote

from kg.gazetteer import gazetteer, norm
from kg.records import ArticleRecord, EntityRecord, ResolvedEntity

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


def is_named_agreement(label: str) -> bool:
    """Whether an agreement's label is a name ("the Comprehensive Strategic Partnership Treaty"):
    such an agreement is one node across articles and may be linked; "the military agreement"
    stays local to its article and is not looked up."""
    words = [w for w in re.split(r"\s+", label) if w.lower() not in ("the", "a", "an", "of", "and", "on")]
    return len(words) >= 2 and all(w[:1].isupper() or w[:1].isdigit() for w in words)


def entity_key(article_id: str, ent: EntityRecord) -> str:
    if ent.type == "Country" and ent.code:
        return f"country:{ent.code}"
    if ent.type == "Agreement" and not is_named_agreement(ent.label):
        return f"agreement:{article_id}:{ent.key}"
    group = "place" if ent.type == "Place" else ent.type.lower()
    return f"{group}:{norm(ent.label)}"


def resolve(records: Iterable[ArticleRecord], base: str) -> Resolution:
    """Merge the entities of all records into graph nodes (deterministic for the same records)."""
    records = list(records)
    # 1. every (article, entity) gets a key; lone person surnames join a unique full name
    full_names: dict[str, set[str]] = defaultdict(set)  # token -> person keys with that token last/first
    keyed: list[tuple[ArticleRecord, EntityRecord, str]] = []
    for rec in records:
        for ent in rec.entities:
            key = entity_key(rec.doc.id, ent)
            keyed.append((rec, ent, key))
            toks = norm(ent.label).split()
            if ent.type == "Person" and len(toks) >= 2:
                full_names[toks[-1]].add(key)
    remap: dict[str, str] = {}
    for rec, ent, key in keyed:
        toks = norm(ent.label).split()
        if ent.type == "Person" and len(toks) == 1 and len(full_names.get(toks[0], ())) == 1:
            remap[key] = next(iter(full_names[toks[0]]))
    # 2. gather forms and articles per key
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    alts: dict[str, set[str]] = defaultdict(set)
    types: dict[str, Counter[str]] = defaultdict(Counter)
    articles: dict[str, list[str]] = defaultdict(list)
    in_articles: dict[str, set[str]] = defaultdict(set)  # the same, to test (a country is in most articles)
    codes: dict[str, str] = {}
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rec, ent, key in keyed:
        key = remap.get(key, key)
        forms[key][ent.label] += max(1, len(ent.mentions))
        alts[key].update(ent.aliases)
        alts[key].add(ent.label)
        types[key][ent.type] += max(1, len(ent.mentions))
        if rec.doc.id not in in_articles[key]:
            in_articles[key].add(rec.doc.id)
            articles[key].append(rec.doc.id)
        if ent.code and key not in codes:
            codes[key] = ent.code
        members[key].append((rec.doc.id, ent.key))
    # 3. one node per key, with a stable IRI
    gaz = gazetteer()
    out = Resolution()
    used: dict[str, str] = {}
    for key in sorted(forms):
        type_ = sorted(types[key].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        if type_ == "Country" and key.startswith("country:"):
            label = gaz.countries[key.split(":", 1)[1]].name
        else:
            label = sorted(forms[key].items(), key=lambda kv: (-len(kv[0].split()), -kv[1], kv[0]))[0][0]
        iri = f"{base}{TYPE_PATH[type_]}/{slug(label)}"
        if key.startswith("agreement:") and ":" in key[len("agreement:"):]:
            art, local = key[len("agreement:"):].rsplit(":", 1)
            iri = f"{base}agreement/{quote(art, safe='')}-{slug(label)}"
        if iri in used and used[iri] != key:
            iri = f"{iri}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"
        used[iri] = key
        out.entities[iri] = ResolvedEntity(
            iri=iri, type=type_, label=label,
            alt_labels=sorted(a for a in alts[key] if a != label),
            articles=articles[key], code=codes.get(key),
        )
        for member in members[key]:
            out.node_of[member] = iri
    return out

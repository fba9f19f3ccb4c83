"""Plain data passed between stages: documents -> article records -> resolved entities.

Everything here is a dataclass of built-in types (and `EntityType`, a `str`), so records pickle
cheaply for worker processes, Ray actors and the build cache.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class EntityType(str, Enum):
    """The kg class of an entity (its local name in the ontology). A `str`: each member equals its
    value ("Person"), so records compare, hash, format and serialize as the plain names."""

    PERSON = "Person"
    COUNTRY = "Country"
    PLACE = "Place"
    ORGANIZATION = "Organization"
    AGREEMENT = "Agreement"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass
class Document:
    """One input article. `id` is unique within a build (file stem or JSONL id)."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD) when known
    url: str | None = None
    source: str = ""  # where it came from (path, path:line) for error messages


@dataclass
class Mention:
    """One surface occurrence of an entity in the article text (character offsets)."""

    text: str
    start: int
    end: int
    sent: int  # index of the sentence in ArticleRecord.sentences
    named: bool = True  # False for references that are not names ("Russian" for Russia)


@dataclass
class EntityRecord:
    """An entity as one article sees it, after within-article alias resolution.

    `key` is local to the article ("e3"); resolution maps it to a graph-wide IRI.
    `type` is an `EntityType`: Person, Country, Place, Organization or Agreement.
    `code` is an ISO 3166-1 alpha-2 code for countries (and the country of a place when known).
    """

    key: str
    type: EntityType | str
    label: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    code: str | None = None


@dataclass
class RelationRecord:
    """`subject` --predicate--> `object` between entity keys, or to a literal (`value`).

    predicate is a kg: local name: affiliatedWith, holdsRole, locatedIn, visited, metWith,
    party, signedIn, signedOn. `value` carries literals (a role title, an ISO date/gYear).
    """

    subject: str
    predicate: str
    object: str | None = None
    value: str | None = None
    sent: int = -1


@dataclass
class ClaimRecord:
    """An attributed assertion. `claimant` is an entity key or None (no named source)."""

    text: str
    claimant: str | None
    about: list[str]
    sent: int = -1
    quantity: str | None = None  # decimal as a string ("0.40")
    quantity_text: str | None = None  # "nearly 40%"
    cue: str = ""  # the reporting verb or phrase that made it a claim


@dataclass
class ArticleRecord:
    """Everything extracted from one document. The output of the pure `extract(doc, nlp)`."""

    doc: Document
    sentences: list[str]
    entities: list[EntityRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """`dataclasses.asdict(self)` with plain values only (an entity's type as its name, for the
        build cache's unpickler, which refuses anything else), spelled out: asdict deep-copies every
        value through generic recursion, which cost more than the pickling and compression of the
        build cache together."""
        return {
            "doc": dict(vars(self.doc)),
            "sentences": list(self.sentences),
            "entities": [{**vars(e), "type": str(e.type), "aliases": list(e.aliases),
                          "mentions": [dict(vars(m)) for m in e.mentions]}
                         for e in self.entities],
            "relations": [dict(vars(r)) for r in self.relations],
            "claims": [{**vars(c), "about": list(c.about)} for c in self.claims],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleRecord:
        ents = [
            EntityRecord(**{**e, "type": EntityType(e["type"]), "mentions": [Mention(**m) for m in e["mentions"]]})
            for e in d["entities"]
        ]
        return cls(
            doc=Document(**d["doc"]),
            sentences=list(d["sentences"]),
            entities=ents,
            relations=[RelationRecord(**r) for r in d["relations"]],
            claims=[ClaimRecord(**c) for c in d["claims"]],
        )

    def entity(self, key: str) -> EntityRecord:
        for e in self.entities:
            if e.key == key:
                return e
        raise KeyError(key)


@dataclass
class ResolvedEntity:
    """One graph node: an entity merged across all articles of a build."""

    iri: str
    type: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)  # article ids
    code: str | None = None
    # filled by linking: (target IRI, confidence 0..1, method)
    links: list[tuple[str, float, str]] = field(default_factory=list)

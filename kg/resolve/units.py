"""What each article says about each of its entities: the units that resolution merges.

A unit is one entity of one article (after the extractor's own merging inside the article) with
what the article tells about it that can keep two entities apart across articles: the countries
a person is affiliated with, the roles they hold, a place's country, an agreement's parties and
dates. Units come in a fixed order (articles by id, then entities as extracted), so everything
built from them is independent of the order the inputs came in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from kg.records import ArticleRecord
from kg.resolve.names import words


@dataclass
class Unit:
    """One entity of one article."""

    article: str
    key: str  # local to the article ("e3")
    type: str
    label: str
    aliases: list[str]
    weight: int  # mentions (at least 1): votes for the label and the type
    code: str | None  # a country's ISO code, or a place's country
    date: str | None = None  # the article's date
    name: tuple[str, ...] = ()  # the label's folded words
    roles: set[str] = field(default_factory=set)  # role titles, lower case
    countries: set[str] = field(default_factory=set)  # ISO codes of the countries a person is affiliated with
    parties: list[str] = field(default_factory=list)  # an agreement's parties (local keys)
    signed_on: str | None = None  # an agreement's kg:signedOn (ISO date, year-month or year)

    @property
    def member(self) -> tuple[str, str]:
        return (self.article, self.key)


def collect_units(records: Iterable[ArticleRecord]) -> list[Unit]:
    """Every entity of every record, articles in id order."""
    units: list[Unit] = []
    for rec in sorted(records, key=lambda r: r.doc.id):
        by_key: dict[str, Unit] = {}
        for ent in rec.entities:
            unit = Unit(
                article=rec.doc.id, key=ent.key, type=ent.type, label=ent.label, aliases=list(ent.aliases),
                weight=max(1, len(ent.mentions)), code=ent.code, date=rec.doc.date, name=words(ent.label),
            )
            by_key[ent.key] = unit
            units.append(unit)
        for rel in rec.relations:
            unit = by_key.get(rel.subject)
            if unit is None:
                continue
            other = by_key.get(rel.object) if rel.object else None
            if rel.predicate == "holdsRole" and rel.value:
                unit.roles.add(rel.value.lower())
            elif rel.predicate == "affiliatedWith" and other is not None and other.type == "Country" and other.code:
                unit.countries.add(other.code)
            elif rel.predicate == "party" and other is not None and rel.object not in unit.parties:
                unit.parties.append(rel.object)
            elif rel.predicate == "signedOn" and rel.value and unit.signed_on is None:
                unit.signed_on = rel.value
    return units

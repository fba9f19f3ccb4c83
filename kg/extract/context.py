"""The working state of one article's extraction: its parse and the entities found so far.

Entity extraction fills it first; relation, agreement and claim extraction read it (which entity
does this token belong to?) and may add entities of their own (an organisation named only as a
claimant, an agreement). `to_record()` freezes it into the plain `ArticleRecord`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract.doc import ParsedDoc, TokenSpan
from kg.extract.matching import ArticleMatcher, EntityMark
from kg.gazetteer import gazetteer
from kg.records import ArticleRecord, ClaimRecord, Document, EntityRecord, EntityType, Mention, RelationRecord


@dataclass
class DocContext:
    """One article's extraction in progress (see the module's docstring)."""

    document: Document
    parsed: ParsedDoc
    entities: list[EntityRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)
    #: token index -> entity key, for every token inside a resolved mention
    token_entity: dict[int, str] = field(default_factory=dict)
    #: entity key -> the token spans of its mentions
    spans: dict[str, list[TokenSpan]] = field(default_factory=dict)
    #: country mentions made only through a demonym ("Russian"): token index -> country key
    demonym_tokens: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        #: the article's pattern matching, shared by the stages
        self.matcher = ArticleMatcher(self.parsed)
        self._by_key: dict[str, EntityRecord] = {}
        self._by_key_made = 0  # how many entities the dict was made from

    # -- reading ----------------------------------------------------------------------------
    def sent_index(self, i: int) -> int:
        """Index of the sentence holding token i."""
        return self.parsed.sent_index(i)

    def entity_at(self, i: int) -> EntityRecord | None:
        """The entity token i belongs to (a named mention), or None."""
        key = self.token_entity.get(i)
        return self.by_key(key) if key else None

    def country_at(self, i: int) -> EntityRecord | None:
        """The country token i names or implies (a country mention or a demonym like "Russian")."""
        ent = self.entity_at(i)
        if ent and ent.type == EntityType.COUNTRY:
            return ent
        key = self.demonym_tokens.get(i)
        if key and key.startswith("country:"):  # implied by a demonym, never named: create it now
            country = gazetteer().countries[key.split(":", 1)[1]]
            ent = self.add_entity(EntityType.COUNTRY, country.name, code=country.code)
            for j in sorted(j for j, k in self.demonym_tokens.items() if k == key):
                self.add_mention(ent, TokenSpan(j, j + 1), alias=False)
                self.demonym_tokens[j] = ent.key
            return ent
        return self.by_key(key) if key else None

    def by_key(self, key: str) -> EntityRecord | None:
        """The entity with that key: a dict, remade whenever entities were added (every token
        lookup goes through here)."""
        if self._by_key_made != len(self.entities):
            self._by_key = {}
            for e in self.entities:
                self._by_key.setdefault(e.key, e)
            self._by_key_made = len(self.entities)
        return self._by_key.get(key)

    def entity_marks(self) -> list[EntityMark]:
        """What token patterns see of the entities resolved so far (`_.kg_type`, `_.kg_country`):
        every token inside a resolved mention or a demonym, in text order."""
        by_key = {e.key: e for e in self.entities}
        out = []
        for i in sorted(self.token_entity.keys() | self.demonym_tokens.keys()):
            key = self.token_entity.get(i, "")
            ent = by_key.get(key)
            kg_type = ent.type if ent is not None else ""
            out.append(EntityMark(i, key, kg_type, kg_type == EntityType.COUNTRY or i in self.demonym_tokens))
        return out

    # -- writing ----------------------------------------------------------------------------
    def add_entity(self, type_: EntityType, label: str, span: TokenSpan | None = None,
                   code: str | None = None) -> EntityRecord:
        """A new entity (or the existing one of the same type and label), with `span` as a mention."""
        for e in self.entities:
            if e.type == type_ and e.label.casefold() == label.casefold():
                if span is not None:
                    self.add_mention(e, span)
                return e
        ent = EntityRecord(key=f"e{len(self.entities)}", type=type_, label=label, code=code)
        self.entities.append(ent)
        if span is not None:
            self.add_mention(ent, span)
        return ent

    def add_mention(self, ent: EntityRecord, span: TokenSpan, alias: bool = True) -> None:
        """Record `span` as a mention of `ent`; `alias=False` for references that are not names."""
        p = self.parsed
        start, end = p.start_char(span.start), p.end_char(span.end - 1)
        if any(m.start == start and m.end == end for m in ent.mentions):
            return
        text = p.text[start:end]
        ent.mentions.append(Mention(text, start, end, p.sent_index(span.start), alias))
        self.spans.setdefault(ent.key, []).append(TokenSpan(span.start, span.end))
        if alias and text != ent.label and text not in ent.aliases:
            ent.aliases.append(text)
        if alias:
            for i in range(span.start, span.end):
                self.token_entity[i] = ent.key

    def add_relation(self, subject: EntityRecord, predicate: str, obj: EntityRecord | None = None,
                     value: str | None = None, at: int | None = None) -> None:
        """Record a relation once (same subject, predicate and object/value); `at`: a token of the
        sentence that says it."""
        rel = RelationRecord(subject.key, predicate, obj.key if obj else None, value,
                             self.sent_index(at) if at is not None else -1)
        for r in self.relations:
            if (r.subject, r.predicate, r.object, r.value) == (rel.subject, rel.predicate, rel.object, rel.value):
                return
        self.relations.append(rel)

    def to_record(self) -> ArticleRecord:
        """The plain record; entities without mentions are dropped with relations to them."""
        live = {e.key for e in self.entities if e.mentions}
        for e in self.entities:
            e.mentions.sort(key=lambda m: m.start)
        return ArticleRecord(
            doc=self.document,
            sentences=[self.parsed.sentence_text(n) for n in range(len(self.parsed.sents))],
            entities=[e for e in self.entities if e.key in live],
            relations=[r for r in self.relations if r.subject in live and (r.object is None or r.object in live)],
            claims=[
                ClaimRecord(**{**c.__dict__, "claimant": c.claimant if c.claimant in live else None,
                               "about": [a for a in c.about if a in live]})
                for c in self.claims
            ],
        )

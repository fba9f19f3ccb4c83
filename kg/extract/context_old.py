"""The working state of one article's extraction: the parsed doc and the entities found so far.

Entity extraction fills it first; relation, agreement and claim extraction read it (which entity
does this token belong to?) and may add entities of their own (an organisation named only as a
claimant, an agreement). `to_record()` freezes it into the plain `ArticleRecord`.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import compress, count
from typing import NamedTuple

import numpy
from spacy.attrs import DEP, ENT_TYPE, IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, IS_TITLE, IS_UPPER, LEMMA, LIKE_NUM, ORTH, POS, SPACY, TAG
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from kg.nlp import doc_text
from kg.records import ArticleRecord, ClaimRecord, Document, EntityRecord, Mention, RelationRecord


class Columns(NamedTuple):
    """Per-token strings of a doc, read once through `Doc.to_array` (making a Token object per
    token, as `for t in doc` does, costs more than most of what is then done with it)."""

    text: list[str]
    lower: list[str]
    lemma: list[str]  # in lower case
    space: list[bool]  # followed by whitespace
    lower_alpha: list[bool]  # all letters, all lower case
    idx: list[int]  # where the word starts in the doc's text

    def text_of(self, text: str, start: int, end: int) -> str:
        """`doc[start:end].text` for the doc whose `text` (`doc_text`) this is, without making the
        Span and its Tokens."""
        if end <= start:
            return ""
        return text[self.idx[start]:self.idx[end - 1] + len(self.text[end - 1])]


#: string ID -> (the string, in lower case, whether all letters and all lower case), for the words
#: and lemmas of the articles (the StringStore lookup and the string methods cost more than a lookup)
_STRINGS: dict[int, tuple[str, str, bool]] = {}


def columns(doc: Doc) -> Columns:
    cols = doc.user_data.get("kg_columns")
    if cols is None:
        array = doc.to_array([IDX, SPACY, ORTH, LEMMA])
        n = len(array)
        if not n:
            cols = doc.user_data["kg_columns"] = Columns([], [], [], [], [], [])
            return cols
        # each distinct word and lemma is looked up once, and its strings are spread over the tokens
        # by numpy (a list of its `_STRINGS` entries made per token costs several times more)
        keys, where = numpy.unique(array[:, 2:].T.ravel(), return_inverse=True)
        keys, known, strings = keys.tolist(), _STRINGS, doc.vocab.strings
        if len(known) > 500_000:
            known.clear()
        for h in set(keys).difference(known):
            word = strings[h]
            known[h] = (word, word.lower(), word.islower() and word.isalpha())
        text, lower, lower_alpha = (numpy.array(column, dtype=object) for column in zip(*map(known.__getitem__, keys)))
        words = where[:n]  # then the lemmas'
        cols = doc.user_data["kg_columns"] = Columns(
            text[words].tolist(), lower[words].tolist(), lower[where[n:]].tolist(), array[:, 1].astype(bool).tolist(),
            lower_alpha[words].tolist(), array[:, 0].tolist())
    return cols


def indices_in(words: Iterable[str], wanted: set[str] | frozenset[str]) -> Iterator[int]:
    """The indices of the words in `wanted`, in order (say, of `columns(doc).lower`): the scan of a
    whole article's words runs in C (a comprehension runs Python code for every word, and few words
    are wanted)."""
    return compress(count(), map(wanted.__contains__, words))


def tokens_text(doc: Doc, start: int, end: int) -> str:
    """`doc[start:end].text`, sliced from the doc's text without making the Span and its Tokens."""
    return columns(doc).text_of(doc_text(doc), start, end)


#: bits of a lexeme's flags (`Lexeme.flags`: `Token.is_space` and the like); WORD: is_alpha or like_num
SPACE, PUNCT, TITLE, UPPER = (1 << attr for attr in (IS_SPACE, IS_PUNCT, IS_TITLE, IS_UPPER))
WORD = 1 << IS_ALPHA | 1 << LIKE_NUM
#: word -> its flags, read from the lexemes of `_WORD_FLAGS_VOCAB` (flags belong to the word)
_WORD_FLAGS: dict[str, int] = {}
_WORD_FLAGS_VOCAB: list[Vocab] = []


def lex_flags(doc: Doc) -> list[int]:
    """Each token's lexical flags (test with SPACE, PUNCT, TITLE, UPPER, WORD), made once per
    article by looking its word up: a Token object per test costs more than the test, and
    `Doc.to_array` of five flags costs several times the lookups (made without a Python loop)."""
    flags = doc.user_data.get("kg_lex_flags")
    if flags is None:
        vocab, known = doc.vocab, _WORD_FLAGS
        if not _WORD_FLAGS_VOCAB or _WORD_FLAGS_VOCAB[0] is not vocab or len(known) > 500_000:
            known.clear()
            _WORD_FLAGS_VOCAB[:] = [vocab]
        words = columns(doc).text
        for word in set(words).difference(known):
            known[word] = vocab[word].flags
        flags = doc.user_data["kg_lex_flags"] = list(map(known.__getitem__, words))
    return flags


def span_text(span: Span) -> str:
    """`Span.text`, sliced from the doc's text (the same string: a doc's text is its tokens' texts
    with their whitespace) instead of joined token by token."""
    return doc_text(span.doc)[span.start_char:span.end_char]


_TAG_ATTRS = {"pos": POS, "tag": TAG, "dep": DEP, "ent_type": ENT_TYPE}
#: the few string IDs tags and labels use (sorted) and their strings, as one tuple (replaced whole when
#: an ID is new): a column's IDs are looked up all at once (numpy), where a dict lookup per token costs
#: several times more
_TAG_TABLE: tuple[numpy.ndarray, numpy.ndarray] = (numpy.zeros(0, dtype="uint64"), numpy.zeros(0, dtype=object))


def tag_column(doc: Doc, name: str, ids: numpy.ndarray | None = None) -> list[str]:
    """Each token's `pos_`, `tag_`, `dep_` or `ent_type_` (name: "pos", "tag", "dep", "ent_type"),
    read once per doc through `Doc.to_array` (`ids`: that array's column, when the caller has it
    already): loops that test every token of an article can read a list instead of making a Token
    object per word."""
    global _TAG_TABLE
    key = f"kg_column_{name}"
    col = doc.user_data.get(key)
    if col is None:
        if ids is None:
            ids = doc.to_array(_TAG_ATTRS[name])
        known, labels = _TAG_TABLE
        at = numpy.searchsorted(known, ids)
        if (at == len(known)).any() or (known[at] != ids).any():  # an ID not seen yet (`at` in range first)
            strings = doc.vocab.strings
            names = dict(zip(known.tolist(), labels.tolist()))
            for h in set(ids.tolist()).difference(names):
                names[h] = strings[h] if h else ""
            order = sorted(names)
            _TAG_TABLE = known, labels = (numpy.array(order, dtype="uint64"),
                                          numpy.array([names[h] for h in order], dtype=object))
            at = numpy.searchsorted(known, ids)
        col = doc.user_data[key] = labels[at].tolist()
    return col


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """The doc's named-entity spans, read once: `Doc.ents` walks every token on each call, and
    extraction never changes them."""
    ents = doc.user_data.get("kg_ents")
    if ents is None:
        ents = doc.user_data["kg_ents"] = tuple(doc.ents)
    return ents


_LABELS: dict[int, str] = {}  # label ID -> label (`Span.label_` looks it up in the StringStore each time)


def ent_labels(doc: Doc) -> tuple[str, ...]:
    """The labels of `doc_ents(doc)` (`Span.label_`), read once per article from the spans' label IDs."""
    labels = doc.user_data.get("kg_ent_labels")
    if labels is None:
        ids, known = [span.label for span in doc_ents(doc)], _LABELS
        if len(known) > 10_000:
            known.clear()
        for h in set(ids).difference(known):
            known[h] = doc.vocab.strings[h]
        labels = doc.user_data["kg_ent_labels"] = tuple(map(known.__getitem__, ids))
    return labels


@dataclass
class DocContext:
    document: Document
    doc: Doc
    entities: list[EntityRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)
    #: token index -> entity key, for every token inside a resolved mention
    token_entity: dict[int, str] = field(default_factory=dict)
    #: entity key -> the mention spans (spaCy Spans) it was found at
    spans: dict[str, list[Span]] = field(default_factory=dict)
    #: country mentions made only through a demonym ("Russian"): token index -> country key
    demonym_tokens: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sents: list[Span] = list(self.doc.sents)
        self._sent_starts = [s.start for s in self.sents]
        self._by_key: dict[str, EntityRecord] = {}
        self._by_key_made = 0  # how many entities the dict was made from

    # -- reading ----------------------------------------------------------------------------
    def sent_index(self, where: Token | Span | int) -> int:
        """Index of the sentence holding the token (or the span's first token, or token index)."""
        i = where if isinstance(where, int) else where.i if isinstance(where, Token) else where.start
        return max(0, bisect_right(self._sent_starts, i) - 1)

    def entity_at(self, token: Token | int) -> EntityRecord | None:
        """The entity a token belongs to (a named mention), or None."""
        key = self.token_entity.get(token if isinstance(token, int) else token.i)
        return self.by_key(key) if key else None

    def country_at(self, token: Token | int) -> EntityRecord | None:
        """The country a token names or implies (a country mention or a demonym like "Russian")."""
        i = token if isinstance(token, int) else token.i
        ent = self.entity_at(i)
        if ent and ent.type == "Country":
            return ent
        key = self.demonym_tokens.get(i)
        if key and key.startswith("country:"):  # implied by a demonym, never named: create it now
            from kg.gazetteer import gazetteer

            country = gazetteer().countries[key.split(":", 1)[1]]
            ent = self.add_entity("Country", country.name, code=country.code)
            for j in sorted(j for j, k in self.demonym_tokens.items() if k == key):
                self.add_mention(ent, self.doc[j:j + 1], alias=False)
                self.demonym_tokens[j] = ent.key
            return ent
        return self.by_key(key) if key else None

    def entities_in(self, span: Span, types: tuple[str, ...] | None = None) -> list[EntityRecord]:
        """Distinct entities with a mention inside `span`, in order of first appearance."""
        seen: list[EntityRecord] = []
        for tok in span:
            ent = self.entity_at(tok)
            if ent and ent not in seen and (types is None or ent.type in types):
                seen.append(ent)
        return seen

    def by_key(self, key: str) -> EntityRecord | None:
        """The entity with that key: a dict, remade whenever entities were added (every token
        lookup goes through here)."""
        if self._by_key_made != len(self.entities):
            self._by_key = {}
            for e in self.entities:
                self._by_key.setdefault(e.key, e)
            self._by_key_made = len(self.entities)
        return self._by_key.get(key)

    # -- writing ----------------------------------------------------------------------------
    def add_entity(self, type_: str, label: str, span: Span | None = None, code: str | None = None) -> EntityRecord:
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

    def add_mention(self, ent: EntityRecord, span: Span, alias: bool = True) -> None:
        """Record `span` as a mention of `ent`; `alias=False` for references that are not names."""
        start, end = span.start_char, span.end_char
        if any(m.start == start and m.end == end for m in ent.mentions):
            return
        text = span_text(span)
        ent.mentions.append(Mention(text, start, end, self.sent_index(span), alias))
        self.spans.setdefault(ent.key, []).append(span)
        if alias and text != ent.label and text not in ent.aliases:
            ent.aliases.append(text)
        if alias:
            for i in range(span.start, span.end):
                self.token_entity[i] = ent.key

    def add_relation(self, subject: EntityRecord, predicate: str, obj: EntityRecord | None = None,
                     value: str | None = None, at: Token | Span | None = None) -> None:
        """Record a relation once (same subject, predicate and object/value)."""
        rel = RelationRecord(subject.key, predicate, obj.key if obj else None, value,
                             self.sent_index(at) if at is not None else -1)
        for r in self.relations:
            if (r.subject, r.predicate, r.object, r.value) == (rel.subject, rel.predicate, rel.object, rel.value):
                return
        self.relations.append(rel)

    def sentence_text(self, index: int) -> str:
        return span_text(self.sents[index]).strip() if 0 <= index < len(self.sents) else ""

    def to_record(self) -> ArticleRecord:
        """The plain record; entities without mentions are dropped with relations to them."""
        live = {e.key for e in self.entities if e.mentions}
        for e in self.entities:
            e.mentions.sort(key=lambda m: m.start)
        return ArticleRecord(
            doc=self.document,
            sentences=[span_text(s).strip() for s in self.sents],
            entities=[e for e in self.entities if e.key in live],
            relations=[r for r in self.relations if r.subject in live and (r.object is None or r.object in live)],
            claims=[
                ClaimRecord(**{**c.__dict__, "claimant": c.claimant if c.claimant in live else None,
                               "about": [a for a in c.about if a in live]})
                for c in self.claims
            ],
        )

"""Entities of one article: NER spans cleaned, merged, re-typed by gazetteers, aliases resolved.

The raw model makes systematic errors (surnames typed ORG, names split in two, places typed
PRODUCT, headlines run into the next sentence). Each is fixed by a general mechanism:

1. span cleaning: determiners, possessives and trailing demonyms are cut off; a span holding an
   inner possessive ("Lavrov's Visit Russian") is split;
2. span merging: a PERSON span followed directly by a capitalised name token is extended;
3. title patterns (kg/extract/roles.py): the name after a job title is a Person;
4. gazetteers: countries (names, short forms), demonyms, GeoNames places, place/org head nouns;
5. alias resolution: "Lavrov" is the article's "Sergei Lavrov", whatever the model typed it;
   "Burlington" after "Burlington Industries Inc" is that company; "(MITI)" and a stock symbol
   after a company's designator ("... Inc HBJ") name the entity before them;
6. company names: a designator ("Inc", "Corp") makes an Organization and takes in the capitalised
   words before it that the model cut off; partners' names joined by "and Co" / "and Sons" or
   introduced by "the firm of" are one firm; words of foreign company names ("Compagnie",
   "Italiana"), an "of" after a person ("Edward Johnson of Johnson Redbook") and two hyphenated
   surnames alone ("O'Brien-Kreitzberg") mark organisations the model typed as people;
7. US state abbreviations after a city ("Seattle, Wash.") are that state; initials ("U. S.") are
   never a person; a name after "degrees" is a temperature scale;
8. places: the names after "the states/provinces of" and ORG-typed names listed with places after
   "in" ("in Cordoba, Santa Fe and Chaco") are places; so are "Town, Region" spans typed ORG, the town
   in "... of Wayne, N.J.", countries, large cities and "X Street" names the model missed, and
   "sub-Saharan Africa" whole; "the Zambian government" names Zambia; "Tokyo" in "the Tokyo and
   London Stock Exchanges" is an exchange;
9. type voting across all mentions of the same name.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import compress, count
from operator import attrgetter, itemgetter

import numpy
from spacy.attrs import DEP, IS_LOWER, LIKE_NUM, POS, SENT_START, TAG
from spacy.strings import hash_string
from spacy.tokens import Doc, Span, Token

from kg.extract.context import (PUNCT, DocContext, columns, doc_ents, ent_labels, indices_in, lex_flags, span_text,
                                tag_column, tokens_text)
from kg.extract.patterns import PARSE_ATTRS, _doc_index, _parse_array
from kg.extract.roles import role_bounds, role_words, title_person_spans  # roles know the title lexicon
from kg.gazetteer import Gazetteer, gazetteer, norm

NER_LABELS = {"PERSON", "GPE", "LOC", "ORG", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"}
POSSESSIVE = {"'s", "’s", "'", "’"}
LEADING_DROP = {"the", "a", "an", "this", "that", "these", "those", "his", "her", "its", "their", "our"}
COMPANY_SUFFIXES = {"inc", "corp", "co", "ltd", "plc", "llc", "ag", "sa", "spa", "nv", "bv", "gmbh", "cos", "group"}
#: lowercase particles inside personal names ("Jacques de Larosiere", "Cor van der Klugt")
NAME_PARTICLES = {"de", "van", "der", "von", "da", "del", "della", "di", "du", "dos", "das", "le", "la", "al", "bin", "ben", "ibn", "el", "ter", "ten", "y"}
#: honorifics are not part of a person's name ("Sir Christopher Hogg" is "Christopher Hogg")
HONORIFICS = {"sir", "dame", "lord", "lady", "mr", "mrs", "ms", "miss", "dr", "prof", "rev", "mr.", "mrs.",
              "ms.", "dr.", "prof.", "rev.", "messrs", "mme", "m."}
#: sort keys (a C call per item where a lambda runs Python code for each)
_START, _SPAN_START = attrgetter("start"), attrgetter("span.start")
#: w[:1], as a C call for `map`
_FIRST_LETTER = itemgetter(slice(0, 1))
#: the lexical flag bits of `Token.like_num` and `Token.is_lower`, as `lex_flags` gives them
_LIKE_NUM, _IS_LOWER = 1 << LIKE_NUM, 1 << IS_LOWER
#: minimum population for a single-word city name to override the model's non-place label
CITY_OVERRIDE_POP = 100_000


class WordColumns:
    """Per-token attributes of a doc as lists, each entry equal to the `Token` attribute of the
    same name (`whitespace` is `whitespace_`): the rules below test words all over the article, and
    making a Token object for each test costs more than the test. Each list is made on first use.
    spaCy's is_title, is_alpha, is_lower, is_upper and is_space are the `str` methods of the text.
    `flags & PUNCT` is `is_punct` and `space` the truth of `whitespace_`, read from the per-article
    columns the other stages share (a list of their own per article costs more than the rules' reads)."""

    def __init__(self, doc: Doc) -> None:
        cols = columns(doc)
        self.doc = doc
        self.text: list[str] = cols.text
        self.lower: list[str] = cols.lower
        self.space: list[bool] = cols.space
        self.flags: list[int] = lex_flags(doc)

    @cached_property
    def whitespace(self) -> list[str]:
        return [" " if sp else "" for sp in columns(self.doc).space]

    @cached_property
    def possessive_tags(self) -> frozenset[int]:
        """The tokens tagged POS (`tag_ == "POS"`): `_split_points` asks of every word of every
        entity, and a Token per word costs more than one pass over the doc's tag IDs. The IDs of
        "POS" are its symbol and its hash (a StringStore keeps a string under its hash)."""
        ids, strings = self.doc.to_array(TAG), self.doc.vocab.strings
        wanted = [t for t in dict.fromkeys((strings["POS"], hash_string("POS")))
                  if t in strings and strings[t] == "POS"]
        if not wanted:
            return frozenset()
        mask = ids == wanted[0]
        for t in wanted[1:]:
            mask |= ids == t
        return frozenset(numpy.flatnonzero(mask).tolist())

    @cached_property
    def parse(self) -> tuple[list[str], list[str], list[int], list[list[int] | tuple[()]]]:
        """Each token's dep_, pos_, head (index) and children (indices, in text order), for the
        tests of appositions without a Token per word: the same per-article columns the claim and
        relation stages read (context.tag_column, patterns._doc_index), so made once either way."""
        doc = self.doc
        parse = _parse_array(doc)
        index = _doc_index(doc)
        return (tag_column(doc, "dep", parse[:, PARSE_ATTRS.index(DEP)]),
                tag_column(doc, "pos", parse[:, PARSE_ATTRS.index(POS)]), index.head, index.children)

    @cached_property
    def is_sent_start(self) -> list[bool]:
        return (self.doc.to_array(SENT_START) == 1).tolist()  # 1, or -1 / 0 (not / unknown)

    def text_of(self, start: int, end: int) -> str:
        """`doc[start:end].text`, without making the Span and its Tokens."""
        return tokens_text(self.doc, start, end)


def word_columns(doc: Doc) -> WordColumns:
    """The doc's `WordColumns`, made once per doc."""
    found = doc.user_data.get("kg_entity_words")
    if found is None:
        found = doc.user_data["kg_entity_words"] = WordColumns(doc)
    return found


@dataclass
class Candidate:
    """A cleaned span with its proposed type and how strong the evidence is."""

    span: Span
    type: str  # Person, Country, Place, Organization
    weight: int  # 1 model, 2 head noun / GeoNames, 3 gazetteer country or title pattern
    code: str | None = None
    #: the full name an abbreviation stands for ("Colorado" for "Colo."): its group key and label
    name: str | None = None
    #: (span, its text) and (span, its words) for `text` and `words()`: remade when the span is replaced
    _text: tuple[Span, str] | None = field(default=None, init=False, repr=False, compare=False)
    _words: tuple[Span, tuple[str, ...]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The span's text, kept while the span stays the same (resolution reads it again and again)."""
        cached = self._text
        if cached is None or cached[0] is not self.span:
            cached = self._text = (self.span, span_text(self.span))
        return cached[1]

    def words(self) -> tuple[str, ...]:
        """The span's normalised words (`_tokens`), kept while the span stays the same: alias
        resolution compares every mention with every person's and organisation's name."""
        cached = self._words
        if cached is None or cached[0] is not self.span:
            cached = self._words = (self.span, tuple(_tokens(self.text)))
        return cached[1]


def extract_entities(ctx: DocContext) -> None:
    """Fill ctx with the article's Person, Country, Place and Organization entities."""
    gaz = gazetteer()
    doc = ctx.doc
    w = word_columns(doc)
    # (the labels read once per article: `Span.label_` looks its string up on every call)
    spans = [clean(s, gaz, ctx, label, w) for s, label in zip(doc_ents(doc), ent_labels(doc)) if label in NER_LABELS]
    pieces = [p for group in spans for p in group]
    pieces = [with_admin_head(p, gaz) for p in merge_designator_runs(merge_split_names(pieces))]
    pieces = extend_designator_names(pieces, gaz)
    firms = conjoined_firm_spans(doc)
    in_firm = {i for f in firms for i in range(f.start, f.end)}
    if firms:  # (without firms every piece stays whole)
        pieces = [r for p in pieces for r in _outside(p, firms)] + firms
    # "the states of Sao Paulo, Parana and Rio Grande do Sul": each named state is a Place (a model
    # place span that holds the name and more keeps its extent: "the state of Lower Saxony region")
    admin = admin_list_spans(doc)
    if admin:
        admin = [next((Span(doc, p.start, p.end, label="GPE") for p in pieces
                       if p.start <= a.start and a.end <= p.end and p.label_ in ("GPE", "LOC")), a) for a in admin]
        in_admin = {i for a in admin for i in range(a.start, a.end)}
        pieces = [p for p in pieces if in_admin.isdisjoint(range(p.start, p.end))] + admin
    pieces = missed_place_names(doc, pieces, gaz)
    pieces, listed = place_lists(pieces, gaz)
    listed.update({(a.start, a.end): 3 for a in admin})  # named as a state: as strong as a title
    titled = [t for t in title_person_spans(doc, gaz) if in_firm.isdisjoint(range(t.start, t.end))]
    candidates: list[Candidate] = []
    taken: set[int] = set()
    for span in titled:
        candidates.append(Candidate(span, "Person", 3))
        taken.update(range(span.start, span.end))
    in_titles = {i for s, e in role_bounds(doc) for i in range(s, e)}
    for span in pieces:
        tokens = range(span.start, span.end)  # (the set methods test them in C)
        if not taken.isdisjoint(tokens):
            continue
        if in_titles.issuperset(tokens):
            continue  # "State" in "Secretary of State" is part of a title, not a name
        if (span.start, span.end) in listed:
            place = gaz.place(span_text(span))
            candidates.append(Candidate(span, "Place", listed[span.start, span.end], place.country if place else None))
            continue
        cand = classify(span, gaz, ctx, w)
        if cand is not None:
            candidates.append(cand)
    resolve_in_document(candidates, gaz, ctx)


def _trailing_demonym(w: WordColumns, s: int, e: int, gaz: Gazetteer) -> int:
    """Length (0, 1 or 2 tokens) of a demonym ending the span s..e ("... North Korean")."""
    if e - 2 > s and gaz.demonym(w.text_of(e - 2, e)) and not gaz.country(w.text_of(s, e)):
        return 2
    if e - 1 > s and gaz.demonym(w.text[e - 1]) and not gaz.country(w.text_of(s, e)):
        return 1  # (one word's text is the word: `text_of` not needed)
    return 0


def _split_points(span: Span, label: str, w: WordColumns, gaz: Gazetteer) -> list[tuple[int, int]]:
    """Where a span (`label`: its label_) holds two names, as (end of one, start of the next): at a
    possessive ("Lavrov's Visit"), at "of" after a company suffix ("Meyer Detective Agency Inc of
    National Park"), and after a country's possessive that lost its apostrophe ("Irans Ahvaz field")."""
    start, end, org = span.start, span.end, label == "ORG"
    cuts = []
    pos_tagged = w.possessive_tags
    for i in range(start, end):
        text = w.text[i]
        if text in POSSESSIVE or i in pos_tagged:
            cuts.append((i, i + 1))
        elif (org and w.lower[i] == "of" and i > start
              and w.lower[i - 1].rstrip(".") in COMPANY_SUFFIXES and i + 1 < end
              and w.lower[end - 1].rstrip(".") not in COMPANY_SUFFIXES):  # "Co of Canada Ltd" is one name
            cuts.append((i, i + 1))
        elif (i + 1 < end and len(text) > 3 and text.endswith("s") and text.istitle()
              and gaz.country(text[:-1]) and not gaz.country(text)):
            cuts.append((i + 1, i + 1))
    town = _town_after_of(span, label, w, gaz) if org else None
    if town is not None and not any(c[0] >= town - 1 for c in cuts):
        cuts.append((town - 1, town))  # "... Security Services of America | of | Wayne", N.J.
    return cuts


def _town_and_region(span: Span, label: str, w: WordColumns, gaz: Gazetteer) -> list[Span] | None:
    """ "Murdochville, Quebec" typed ORG: a capitalised name, a comma and a country, US state or
    large city is a town and its region, two places (None when the span is not of that form)."""
    if label != "ORG":
        return None
    doc = w.doc
    start, end = span.start, span.end
    if w.text[start:end].count(",") != 1:  # (one comma: counted in C)
        return None
    c = w.text.index(",", start, end)
    if c == start or c + 1 >= end:
        return None
    if (not all(w.text[i].istitle() and w.text[i].isalpha() for i in range(start, c)) or c - start > 3
            or w.lower[c - 1] in gaz.org_heads):
        return None
    region = w.text_of(c + 1, end)
    place = gaz.place(region)
    if not (gaz.country(region) or (place is not None and (place.kind == "admin1" or place.population >= CITY_OVERRIDE_POP))
            or gaz.state_abbreviation(region)):
        return None
    return [Span(doc, start, c, label="GPE"), Span(doc, c + 1, end, label="GPE")]


def _town_after_of(span: Span, label: str, w: WordColumns, gaz: Gazetteer) -> int | None:
    """Where the town begins in an ORG span that ends in "of <Town>" before ", <state
    abbreviation>" ("Security Services of America of Wayne, N.J."): the wires place a company in
    its town that way; None otherwise."""
    e = span.end
    if label != "ORG" or e + 1 >= len(w.text) or w.text[e] != "," or not gaz.state_abbreviation(w.text[e + 1]):
        return None
    if not w.text[e + 1][:1].isupper():
        return None
    k = e - 1
    while k > span.start and w.text[k].istitle() and w.text[k].isalpha() and e - k <= 3:
        k -= 1
    if w.lower[k] != "of" or k == e - 1 or k - span.start < 2:
        return None
    return k + 1


def clean(span: Span, gaz: Gazetteer, ctx: DocContext, span_label: str | None = None,
          w: WordColumns | None = None) -> list[Span]:
    """Trim and split one NER span into name spans (none when nothing name-like is left).
    `span_label` and `w`: span.label_ and the doc's word columns, when the caller has them."""
    doc = span.doc
    if w is None:
        w = word_columns(doc)
    if span_label is None:
        span_label = span.label_
    split = _town_and_region(span, span_label, w, gaz)
    if split is not None:
        return split
    lower, text, ws = w.lower, w.text, w.space
    parts: list[tuple[int, int, str]] = []
    cur = span.start
    after_country = set()  # parts that follow a country's possessive: "Japans | Finance Ministry"
    for cut, nxt in _split_points(span, span_label, w, gaz):
        parts.append((cur, cut, span_label))
        if cut == nxt:
            after_country.add(len(parts))
        cur = nxt
    after_of = bool(parts) and lower[cur - 1] == "of"
    parts.append((cur, span.end, "GPE" if after_of else span_label))
    roles = role_words()
    out: list[Span] = []
    for n, (s, e, label) in enumerate(parts):
        while s < e and (lower[s] in LEADING_DROP or w.flags[s] & PUNCT or text[s].isspace() or
                         (label == "PERSON" and lower[s] in HONORIFICS and e - s > 1)):
            s += 1
        while e > s and (w.flags[e - 1] & PUNCT or text[e - 1].isspace() or text[e - 1] in POSSESSIVE):
            e -= 1
        if e - s >= 3 and _ticker_word(lower[e - 1], text[e - 1]) and _designator_word(lower[e - 2], text[e - 2]):
            e -= 1  # "CBS Inc CBS": news wires put the stock symbol after the company's name
        if (label in ("GPE", "LOC") and s == span.start and s >= 3 and text[s - 2] == "-"
                and text[s - 3].islower() and text[s - 3].isalpha() and text[s - 1].istitle()
                and not ws[s - 3] and not ws[s - 2] and not gaz.country(span_text(span))):
            s -= 3  # "sub-Saharan Africa": the region the hyphenated adjective marks out, not the continent
        if (label in ("GPE", "LOC") and e == span.end and e + 1 < len(text) and text[e] == "-"
                and not ws[e - 1] and not ws[e] and text[e + 1].istitle()
                and not doc[e + 1].ent_type_):
            e += 2  # "Centre-West": the name is the whole hyphenated compound, not its first half
        # trailing demonyms are adjectives of the next noun, not part of an ORG/PERSON name
        if span_label in ("ORG", "PERSON") or n > 0:
            k = _trailing_demonym(w, s, e, gaz)
            while k:
                for i in range(e - k, e):
                    ctx.demonym_tokens.setdefault(i, "")
                e -= k
                k = _trailing_demonym(w, s, e, gaz)
        if label in ("ORG", "PERSON"):  # "Boeing Executive": a title word ends no name
            while (e - s > 1 and lower[e - 1] in roles and lower[e - 1] not in gaz.org_heads
                   and doc[e - 2].tag_ in ("NNP", "NNPS") and lower[e - 2] not in roles):
                e -= 1  # but "Royal Courts of Justice" keeps its last word
        if s >= e:
            continue
        if n > 0 and label != "GPE":
            # the rest of a span after a possessive is a name only when it looks like one:
            # "Lavrov's Visit" leaves "Visit", a headline word, which is dropped
            if not (lower[e - 1] in gaz.org_heads or lower[e - 1] in gaz.place_heads
                    or (e - s >= 2 and all(text[i].istitle() for i in range(s, e)))
                    or (n in after_country and text[s].istitle() and (e - s >= 2 or gaz.place(w.text_of(s, e))))):
                continue  # but "Japans Ministry of International Trade" and "Irans Ahvaz" (a city) are names
        if s == span.start and e == span.end and label == span_label and span.kb_id == 0 and span.id == 0:
            out.append(span)  # the NER span as it was: equal in every field to a new one, which costs three Tokens
        else:
            out.append(Span(doc, s, e, label=label))
    return out


def _is_designator(tok) -> bool:
    """ "Inc", "Corp.", "Ltd": a corporate designator (it ends a company's name)."""
    return _designator_word(tok.lower_, tok.text)


def _designator_word(lower: str, text: str) -> bool:
    """`_is_designator` on a word's strings (as `columns` gives them, without a Token)."""
    return lower.rstrip(".") in COMPANY_SUFFIXES and text[:1].isupper()


def _ticker_word(lower: str, text: str) -> bool:
    """An exchange symbol written after a company name ("HBJ", "FLD"): 2-5 capitals, not a
    designator (read from a word's strings: spaCy's is_alpha and is_upper are the str methods)."""
    return text.isalpha() and text.isupper() and 2 <= len(text) <= 5 and lower not in COMPANY_SUFFIXES


def merge_designator_runs(spans: list[Span]) -> list[Span]:
    """A name piece directly followed by a piece that ends in a corporate designator is one
    company name the model cut in two: "Harcourt Brace" + "Jovanovich Inc" (typed PERSON)."""
    if not spans:
        return spans
    out = [spans[0]]
    doc = spans[0].doc  # (the pieces of one article)
    w = word_columns(doc)
    for span in spans[1:]:
        prev = out[-1]
        if (prev.end == span.start and _designator_word(w.lower[span.end - 1], w.text[span.end - 1]) and len(span) >= 2
                and prev.label_ in ("ORG", "PERSON", "GPE", "NORP", "FAC", "PRODUCT")
                and w.space[prev.end - 1] and "\n" not in w.whitespace[prev.end - 1]
                and all(w.text[i][:1].isupper() or w.flags[i] & PUNCT for i in range(prev.start, prev.end))):
            out[-1] = Span(doc, prev.start, span.end, label="ORG")
            continue
        out.append(span)
    return out


#: tokens of a company name that the model left outside every entity: "&" always, "and" only
#: when the name after it is no entity of its own ("Bashaw Leduc Oil and Gas Ltd", but not
#: "IBM and Xerox Corp")
_NAME_CONJ = {"&", "and"}
_AND = frozenset(("and", "&"))
#: model labels of the pieces a company name can be made of (not dates, numbers, demonyms)
_RUN_LABELS = ("ORG", "PERSON", "GPE", "FAC", "PRODUCT")


def extend_designator_names(spans: list[Span], gaz: Gazetteer) -> list[Span]:
    """A company name ending in a designator takes in the capitalised words before it that the
    model cut off or typed otherwise: "Pemberton Houston" (PERSON) + "Willoughby" (none) +
    "Bell Gouinlock Inc" is one Organization, "Bashaw Leduc Oil" (PERSON) + "and Gas Ltd" (none)
    another. The run stops at lowercase words, punctuation, line ends, the sentence start,
    demonyms and countries ("Canadian ... Ltd" keeps the adjective out), dates and numbers."""
    doc = spans[0].doc if spans else None
    if doc is None:
        return spans
    w = word_columns(doc)
    suffixes = {low for low in set(w.lower) if low.rstrip(".") in COMPANY_SUFFIXES}  # each word once
    if not suffixes:
        return spans
    ends = [i for i in indices_in(w.lower, suffixes) if _designator_word(w.lower[i], w.text[i])]
    if not ends:
        return spans
    spans = sorted(spans, key=_START)
    at = {i: k for k, sp in enumerate(spans) for i in range(sp.start, sp.end)}
    drop: set[int] = set()
    made: list[Span] = []
    covered: set[int] = set()
    for d in reversed(ends):  # the last designator of "Security Group Inc" ends the name
        if d in covered:
            continue
        k = at.get(d)
        if k is not None and (spans[k].end != d + 1 or spans[k].label_ not in _RUN_LABELS):
            continue
        start = spans[k].start if k is not None else d
        inner = {k} if k is not None else set()
        j = start - 1
        while j >= 0 and not w.is_sent_start[j + 1] and "\n" not in w.whitespace[j]:
            q = at.get(j)
            if q is not None:
                piece = spans[q]
                piece_text = span_text(piece)
                if (piece.label_ not in _RUN_LABELS or gaz.country(piece_text) or gaz.demonym(piece_text)
                        or not all(w.text[i][:1].isupper() or w.flags[i] & PUNCT for i in range(piece.start, piece.end))):
                    break
                inner.add(q)
                j = piece.start - 1
                continue
            text, low = w.text[j], w.lower[j]
            if low in _NAME_CONJ and j > 0 and w.text[j - 1][:1].isupper() and (
                    text == "&" or doc[j + 1].ent_iob_ != "B"):
                j -= 1
                continue
            if text == "-" and j > 0 and not w.space[j] and not w.space[j - 1]:
                j -= 1  # "A-T-E Security Group Inc"
                continue
            if (doc[j].tag_ in ("NNP", "NNPS") and text[:1].isupper() and low not in HONORIFICS
                    and (not doc[j].ent_type_ or doc[j].ent_type_ in _RUN_LABELS)
                    and not gaz.demonym(text) and not gaz.country(text)):
                j -= 1
                continue
            break
        first = j + 1
        while first < d and (w.lower[first] in _NAME_CONJ or w.flags[first] & PUNCT or (
                w.lower[first] in LEADING_DROP and (w.space[first] or w.text[first + 1] != "-"))):
            first += 1  # "The Xerox Corp" is "Xerox Corp"; "A-T-E Security Group Inc" keeps its "A"
        if d - first < 1 or (k is not None and first == spans[k].start):
            continue  # nothing taken in: the model's span stands
        drop |= inner
        covered.update(range(first, d + 1))
        made.append(Span(doc, first, d + 1, label="ORG"))
    if not made:
        return spans
    return sorted([sp for k, sp in enumerate(spans) if k not in drop] + made, key=_START)


#: words that end a firm name written as a list of partners: "Stifel, Nicolaus and Co",
#: "Samuel Montagu and Sons Ltd", "Don Bybee and Associates"
FIRM_TAILS = {"co", "company", "sons", "associates", "partners", "brothers", "bros"}
#: nouns that introduce a firm by its partners' names: "the law firm of Wachtell, Lipton, Rosen and Katz"
FIRM_NOUNS = {"firm", "partnership"}


def conjoined_firm_spans(doc) -> list[Span]:
    """Firm names made of partners' names joined by "and"/"&" and ending in Co, Sons, Associates
    (plus designators), or introduced as "the firm of" ("the venture capital firm of Welsh, Carson,
    Anderson and Stowe"): the model cuts them into people and places; they are one Organization."""
    out: list[Span] = []
    n = len(doc)
    w = word_columns(doc)
    lemma = columns(doc).lemma
    for i in [i + 1 for i in indices_in(w.lower[1:n - 1], _AND)]:
        if not w.text[i + 1][:1].isupper():
            continue
        partners_only = w.lower[i + 1].rstrip(".") not in FIRM_TAILS  # "... and Stowe": needs "firm of" before
        if partners_only and not (w.text[i + 1].istitle() and doc[i + 1].pos_ == "PROPN"):
            continue
        start = i
        names = 0
        while start > 0 and i - start < 8:
            k = start - 1
            if "\n" in w.whitespace[k]:
                break
            if w.text[k] == "," and names:
                start -= 1
                continue
            if _designator_word(w.lower[k], w.text[k]):
                break  # "First Boston Corp, Goldman, Sachs and Co": the designator ends the firm before
            if (w.text[k] == "." and start >= 2 and not w.space[start - 2] and w.text[start - 2].istitle()
                    and w.text[start - 2].isalpha()):
                start -= 2  # "Alex. Brown and Sons": an abbreviated first name
                names += 1
                continue
            if ((w.text[k].istitle() or (w.text[k].isupper() and w.text[k].isalpha())) and doc[k].pos_ == "PROPN"
                    and w.lower[k] not in LEADING_DROP):
                start -= 1
                names += 1
                continue
            break
        while start < i and w.text[start] == ",":
            start += 1
        if not names:
            continue
        end = i + 2
        if partners_only and not (start >= 2 and w.lower[start - 1] == "of"
                                  and lemma[start - 2] in FIRM_NOUNS):
            tail_end = _partners_then_designator(doc, start, i)
            if tail_end is None:
                continue
            end = tail_end
        while end < n and _designator_word(w.lower[end], w.text[end]) and "\n" not in w.whitespace[end - 1]:
            end += 1
        if out and out[-1].end > start:
            continue
        out.append(Span(doc, start, end, label="ORG"))
    return out


def _partners_then_designator(doc, start: int, conj: int) -> int | None:
    """ "Holt, Rinehart and Winston Canada Ltd.": one-word surnames listed with commas, the last
    after "and", then a designator (a country name may come between, for a national subsidiary)
    make one firm. Returns where the name ends before its designators (they are added after), or
    None. The model's own organisations in the list ("Ford, Chrysler and Nissan Ltd") are left as
    they are, and so are lists without commas."""
    w = word_columns(doc)
    names = w.text[start:conj]
    if "," not in names or any(doc[k].ent_type_ == "ORG" for k in range(start, conj)):
        return None
    if any(names[k] != "," and k + 1 < len(names) and names[k + 1] != "," for k in range(len(names))):
        return None  # every partner is one word: "Holt, Rinehart", not "General Motors, Ford"
    end = conj + 2
    gaz = gazetteer()
    if end + 1 < len(doc) and gaz.country(w.text[end]) and _designator_word(w.lower[end + 1], w.text[end + 1]):
        end += 1  # "... Winston Canada Ltd."
    return end if end < len(doc) and _designator_word(w.lower[end], w.text[end]) else None


def _outside(span: Span, firms: list[Span]) -> list[Span]:
    """The parts of a name span outside the firm names it overlaps, when they are names themselves:
    "Goldman, Sachs and Co and Eberstadt Fleming Inc" keeps "Eberstadt Fleming Inc"."""
    inside = {i for f in firms if f.start < span.end and span.start < f.end for i in range(f.start, f.end)}
    if not inside:
        return [span]
    doc = span.doc
    w = word_columns(doc)
    out: list[Span] = []
    run: list[int] = []
    for i in list(range(span.start, span.end)) + [None]:
        if i is not None and i not in inside:
            run.append(i)
            continue
        while run and (w.lower[run[0]] in ("and", "&") or w.flags[run[0]] & PUNCT):
            run.pop(0)
        while run and (w.lower[run[-1]] in ("and", "&") or w.flags[run[-1]] & PUNCT):
            run.pop()
        if run and w.text[run[0]][:1].isupper():
            out.append(Span(doc, run[0], run[-1] + 1, label=span.label_))
        run = []
    return out


#: what may stand between two members of a list of places: separators, the numbers a report gives
#: per place and the preposition repeated before each ("83 mm in Cordoba, 41 in Santa Fe, 50 in
#: Entre Rios and Misiones"), and compass adjectives ("in La Pampa and southern Buenos Aires")
_LIST_SEPARATORS = {",", ";", "and", "or"}
_DIRECTIONS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
               "northeastern", "northwestern", "southeastern", "southwestern"}
#: lowercase nouns for a country's first-level divisions, singular and plural ("the states of")
_ADMIN_NOUNS = {"state", "states", "province", "provinces", "region", "regions", "county", "counties",
                "district", "districts", "prefecture", "prefectures", "department", "departments",
                "canton", "cantons", "oblast", "oblasts", "governorate", "governorates", "territory",
                "territories", "emirate", "emirates"}


#: lowercase words inside place names ("Rio Grande do Sul", "Los Angeles de ...", "Entre Rios")
_PLACE_PARTICLES = NAME_PARTICLES | {"do", "los", "las", "e"}


def _title_run(doc, i: int) -> int:
    """End of a place name starting at token i: capitalised words, with name particles between
    them ("Rio Grande do Sul"); i itself when doc[i] starts no name."""
    n = len(doc)
    j = i
    while j < n and doc[j].is_title and doc[j].is_alpha:
        j += 1
        if (j + 1 < n and doc[j].text in ("-", "\u2013") and not doc[j - 1].whitespace_ and not doc[j].whitespace_
                and doc[j + 1].is_title):
            j += 1  # "North Rhine-Westphalia"
            continue
        k = j
        while k < n and doc[k].lower_ in _PLACE_PARTICLES and doc[k].is_lower and k - j < 2:
            k += 1
        if k > j and k < n and doc[k].is_title and doc[k].is_alpha:
            j = k
    return j


def admin_list_spans(doc) -> list[Span]:
    """The names after "the states of", "the provinces of", "the province of": "The states of Sao
    Paulo, Parana and Rio Grande do Sul" names three states, whatever the model made of them (it
    typed Parana a person and missed Rio Grande do Sul). A name ending in an organisation word
    ("the state of Sao Paulo Bank") is left to the model."""
    cols = columns(doc)
    hits = [i for i in indices_in(cols.lower, _ADMIN_NOUNS) if i + 2 < len(doc)
            and cols.lower[i + 1] == "of" and cols.lower_alpha[i]]
    if not hits:
        return []
    gaz = gazetteer()
    out: list[Span] = []
    for i in hits:
        j = i + 2
        while j < len(doc):
            end = _title_run(doc, j)
            if end == j or "\n" in doc[end - 1].whitespace_ and end < len(doc) and doc[end].is_title:
                break
            if doc[end - 1].lower_ in gaz.org_heads or _is_designator(doc[end - 1]):
                break
            out.append(Span(doc, j, end, label="GPE"))
            k = end
            if k < len(doc) and doc[k].text == ",":
                k += 1
            if k < len(doc) and doc[k].lower_ == "and":
                k += 1
            if k == end or k >= len(doc) or not doc[k].is_title:
                break
            j = k
    return out


def _country_or_city(doc, i: int, j: int, gaz: Gazetteer) -> bool:
    """doc[i:j] names a country, or a city of at least CITY_OVERRIDE_POP people."""
    text = word_columns(doc).text_of(i, j)
    if gaz.country(text):
        return True
    place = gaz.place(text)
    return place is not None and place.kind == "city" and place.population >= CITY_OVERRIDE_POP


def missed_place_names(doc, pieces: list[Span], gaz: Gazetteer) -> list[Span]:
    """Place names the model left outside every entity: a country ("G H Shintoh (Australia) Ltd"),
    a large city used as a modifier ("the Adelaide office") and a street, square or other named
    place ending in a place head noun ("a Wall Street analyst"). Only words that stand alone as a
    name count: not at a sentence start, not next to another capitalised word, not written in
    lowercase elsewhere in the text."""
    cols = columns(doc)
    sent_start = word_columns(doc).is_sent_start
    covered = {i for p in pieces for i in range(p.start, p.end)}
    ents = {i for e in doc_ents(doc) for i in range(e.start, e.end)}
    lower = None
    n = len(doc)
    out = list(pieces)
    after = 0  # where the last run read ended
    # the words that begin with a capital then a small letter: the capitals are found in C (few
    # words have one), the second letter is read only for them
    words = cols.text
    for i in [i for i in compress(count(), map(str.isupper, map(_FIRST_LETTER, words))) if words[i][1:2].islower()]:
        if i < after or i in covered or i in ents:
            continue
        j = i + 1  # the capitalised run from i
        while j < n and cols.text[j][:1].isupper() and j not in covered and j not in ents and cols.text[j].isalpha():
            j += 1
        before = cols.text[i - 1] if i > 0 else ""
        if (sent_start[i] or (before[:1].isupper() and before.isalpha())
                or (before and not before[:1].isalnum() and before not in ("(", ","))):  # "--- Columbia was"
            after = j
            continue
        if (j - i >= 2 and cols.lower[j - 1] in gaz.place_heads
                and all(doc[k].tag_ in ("NNP", "NNPS") for k in range(i, j))):
            out.append(Span(doc, i, j, label="FAC"))  # "Wall Street"
        elif j - i <= 2 and _country_or_city(doc, i, j, gaz):
            if lower is None:
                lower = _lowercase_words(doc)
            if not any(cols.lower[k] in lower for k in range(i, j)):
                out.append(Span(doc, i, j, label="GPE"))
        after = j
    return out


def place_lists(pieces: list[Span], gaz: Gazetteer) -> tuple[list[Span], dict[tuple[int, int], int]]:
    """Names listed with places after a locative preposition are places: "in Cordoba, Santa Fe and
    Chaco", "50 in Entre Rios and Misiones, 95 in Corrientes" (one span the model typed ORG, split
    into its two names). Only the model's ORG names without any mark of an organisation (head noun,
    designator, company word, acronym) are retyped, and only in a list whose other members are all
    places, at least one of them by the model's own label or as a country.
    Returns the pieces (split where needed) and the (start, end) of the listed names, with weight 2."""
    listed: dict[tuple[int, int], int] = {}
    if len(pieces) < 3 and not (len(pieces) == 2 and pieces[0].label_ != pieces[1].label_):
        return pieces, listed
    pieces = sorted(pieces, key=_START)
    doc = pieces[0].doc
    w = word_columns(doc)
    chains: list[list[Span]] = [[pieces[0]]]
    for sp in pieces[1:]:
        if _list_gap(doc, chains[-1][-1].end, sp.start, w):
            chains[-1].append(sp)
        else:
            chains.append([sp])
    out: list[Span] = []
    for chain in chains:
        if len(chain) < 2 or not any(sp.label_ == "ORG" for sp in chain):
            out.extend(chain)
            continue
        kinds = [_list_member(sp, gaz) for sp in chain]
        if (None in kinds or not any(k == "place" and sp.label_ != "ORG" for k, sp in zip(kinds, chain))
                or not any(_after_locative(sp, _DIRECTIONS) for sp in chain)):
            out.extend(chain)
            continue
        for sp in chain:
            if sp.label_ != "ORG":
                out.append(sp)
                continue
            for part in _list_parts(sp):
                out.append(part)
                listed[part.start, part.end] = 2
    return out, listed


def _list_gap(doc, a: int, b: int, w: WordColumns) -> bool:
    """Tokens a..b separate two members of one list (`w`: the doc's word columns)."""
    if not 0 < b - a <= 4 or "\n" in w.whitespace[a - 1]:
        return False
    gap = range(a, b)
    return any(w.lower[k] in _LIST_SEPARATORS for k in gap) and all(
        w.lower[k] in _LIST_SEPARATORS or doc[k].like_num or w.lower[k] in LOCATIVE_PREPS or w.lower[k] in _DIRECTIONS
        for k in gap) and not any("\n" in w.whitespace[k] for k in gap)


def _list_member(span: Span, gaz: Gazetteer) -> str | None:
    """ "place" (a country, a GPE/LOC, a large city), "name" (an ORG-typed name with no mark of an
    organisation), or None (anything else: a person, a company, a product)."""
    text = span_text(span)
    if gaz.country(text):
        return "place"
    if span.label_ in ("GPE", "LOC"):
        return "place"
    if span.label_ != "ORG":
        return None
    place = gaz.place(text)
    if place is not None and place.population >= CITY_OVERRIDE_POP:
        return "place"
    if (span[-1].lower_ in gaz.org_heads or _is_designator(span[-1]) or _has_org_word(span, gaz)
            or any(t.is_upper and len(t) > 1 for t in span) or not span[0].is_title):
        return None
    return "name"


def _list_parts(span: Span) -> list[Span]:
    """ "Entre Rios and Misiones" -> "Entre Rios", "Misiones": the names one span lists."""
    doc = span.doc
    parts: list[Span] = []
    s = span.start
    for i in range(span.start, span.end + 1):
        if i == span.end or doc[i].lower_ in _LIST_SEPARATORS:
            if i > s:
                parts.append(Span(doc, s, i, label=span.label_))
            s = i + 1
    return parts


def merge_split_names(spans: list[Span]) -> list[Span]:
    """Join a PERSON span with the name piece right after it: "Choe Son" + "Hui", "Jacques" + "de
    Larosiere" (lowercase particles between the pieces are part of the name)."""
    if not spans:
        return spans
    spans = sorted(spans, key=_START)
    out = [_extend_particles(spans[0])]
    gaz = gazetteer()
    w = word_columns(spans[0].doc)
    for span in spans[1:]:
        prev = out[-1]
        doc = span.doc
        gap = range(prev.end, span.start)
        if (
            prev.label_ == "PERSON"
            and len(gap) <= 3
            and all(w.lower[i] in NAME_PARTICLES and w.text[i].islower() for i in gap)
            and len(span) <= 2
            and span.label_ in ("NORP", "PERSON", "ORG", "GPE")
            and all(w.text[i].istitle() for i in range(span.start, span.end))
            and not gaz.demonym(span_text(span))
            and not gaz.country(span_text(span))
            and "\n" not in w.whitespace[prev.end - 1]
        ):
            out[-1] = Span(doc, prev.start, span.end, label="PERSON")
            continue
        out.append(_extend_particles(span))
    return out


def _extend_particles(span: Span) -> Span:
    """A PERSON span followed by particles and a capitalised name token takes them in."""
    if span.label_ != "PERSON":
        return span
    doc = span.doc
    w = word_columns(doc)
    i = span.end
    while i < len(doc) and w.lower[i] in NAME_PARTICLES and w.text[i].islower() and i - span.end < 3:
        i += 1
    if i > span.end and i < len(doc) and w.text[i].istitle() and doc[i].pos_ == "PROPN" and not doc[i].ent_type_:
        return Span(doc, span.start, i + 1, label="PERSON")
    return span


#: a one-word "person" ending in one of these is a company ("Gazprombank", "Sberbank")
ORG_WORD_ENDINGS = ("bank", "corp", "tech", "soft", "com", "net")
#: verbs whose object (or passive subject) is an organisation, never a person
ORG_OBJECT_VERBS = {"acquire", "buy", "purchase", "merge", "list", "delist", "privatize", "privatise", "nationalize",
                    "nationalise", "spin"}
#: lowercase nouns that turn a place name into the region around it: "Kursk region"
ADMIN_HEADS = {"region", "province", "oblast", "krai", "county", "district", "prefecture", "governorate",
               "municipality", "canton", "territory", "state", "area"}


def with_admin_head(span: Span, gaz: Gazetteer) -> Span:
    """ "Kursk" + "region" -> "Kursk region": the region, not the city of that name."""
    doc = span.doc
    if span.label_ in ("PERSON", "NORP", "ORG") or span.end >= len(doc):
        return span
    w = word_columns(doc)
    nxt = w.lower[span.end]
    if (w.text[span.end].islower() and nxt in ADMIN_HEADS and not gaz.country(span_text(span))
            and "\n" not in w.whitespace[span.end - 1]):
        place = gaz.place(span_text(span))
        if nxt == "state" and place is not None and place.kind == "admin1":
            return span  # "Texas state courts": Texas is the state already ("New York state" is not the city)
        return Span(doc, span.start, span.end + 1, label="LOC")
    return span


def apposition_kind(span: Span, gaz: Gazetteer, root: Token | None = None, w: WordColumns | None = None) -> str | None:
    """What an apposition (or the noun a name modifies: "its Conserv division") says the name is:
    "Magna, a Canadian automobile parts company" is an Organization, "Craiova, a city in Romania" a Place, "Kaja Kallas, the EU's foreign policy
    chief" a Person (job titles mark people). `root` and `w`: span.root and the doc's word columns,
    when the caller has them."""
    r = (span.root if root is None else root).i
    doc = span.doc
    if w is None:
        w = word_columns(doc)
    dep, pos, head, kids = w.parse
    lemma = columns(doc).lemma  # (lemma_ in lower case)
    s, e = span.start, span.end
    nouns = [c for c in kids[r] if dep[c] == "appos" and c >= e]
    h = head[r]
    if dep[r] == "appos" and h < s:
        nouns.append(h)
    if (dep[r] == "compound" and h >= e and pos[h] == "NOUN" and lex_flags(doc)[h] & _IS_LOWER
            and gaz.kinds.get(lemma[h]) == "Organization" and gaz.place(span_text(span)) is None
            and (span.label_ != "PERSON" or (s > 0 and w.lower[s - 1] in ("its", "their")))):
        return "Organization"  # "its Conserv division", "its Yale E. Key unit": the noun says what it is
    for noun in nouns:
        if pos[noun] != "NOUN":
            continue
        if lemma[noun] in gaz.kinds:
            return gaz.kinds[lemma[noun]]
        if w.lower[noun] in role_words() and w.lower[noun] not in gaz.org_heads:
            return "Person"
    return None


def _org_by_form(span: Span, gaz: Gazetteer) -> bool:
    """Forms no personal name has: one word ending in an organisation noun ("Gazprombank"), or a
    plural after "the" ("the Beatles")."""
    w = word_columns(span.doc)
    word = span_text(span).lower()
    if len(span) == 1 and any(word.endswith(h) and len(word) > len(h) + 2 for h in ORG_WORD_ENDINGS):
        return True
    return span.start > 0 and w.lower[span.start - 1] == "the" and span[-1].tag_ == "NNPS"


def _has_org_word(span: Span, gaz: Gazetteer, w: WordColumns | None = None) -> bool:
    """A word no personal name holds, from company names in other languages (org_words.txt):
    "Compagnie", "Metalurgicos", "Italiana". `w`: the doc's word columns, when the caller has them."""
    text = (w or word_columns(span.doc)).text
    return any(norm(text[i]) in gaz.org_words for i in range(span.start, span.end))


def _affiliation_of_person(span: Span, root: Token | None = None) -> bool:
    """ "Edward Johnson of Johnson Redbook", "Gianfranco Ceroni, managing director of Italiana Olii":
    the name after "of" that follows a person (or a title in apposition to one) is where that
    person works, an organisation, not a second person."""
    root = span.root if root is None else root
    prep = root.head
    if root.dep_ != "pobj" or prep.lower_ != "of" or prep.i >= span.start:
        return False
    owner = prep.head
    if owner.i >= prep.i:
        return False
    if owner.ent_type_ == "PERSON":
        return True
    return (owner.lower_ in role_words() and owner.dep_ == "appos" and owner.head.ent_type_ == "PERSON"
            and owner.head.i < owner.i)


#: first parts of hyphenated personal names ("Ben-Gurion", "Abu-Mazen"), not of firm names
_NAME_PREFIXES = NAME_PARTICLES | {"abu", "abd", "abdel", "abdul", "bou", "ould", "mac", "mc", "st"}


def _hyphenated_surnames(span: Span) -> bool:
    """ "O'Brien-Kreitzberg": two capitalised surnames joined by a hyphen, with no given name, are
    a firm's name (a person with a double-barrelled name is first named in full, and the short
    form then joins that person)."""
    w = word_columns(span.doc)
    s = span.start
    if len(span) != 3 or w.text[s + 1] != "-" or w.space[s] or w.space[s + 1]:
        return False
    left, right = w.text[s], w.text[s + 2]
    return all(t[:1].isupper() and not t.isupper() and t.isalpha() and len(t) >= 3 for t in (left, right)) \
        and w.lower[s] not in _NAME_PREFIXES  # "OBrien" as the wires write O'Brien


def _initials_only(span: Span) -> bool:
    """ "U. S.", "U. K.": single capital letters, an abbreviation (of a country), never a name."""
    return all(len(t.rstrip(".")) == 1 and t[:1].isupper() for t in word_columns(span.doc).text[span.start:span.end])


def _after_degrees(span: Span, w: WordColumns) -> bool:
    """ "degrees Kelvin", "degrees Fahrenheit": a name right after "degrees" is a temperature scale."""
    return span.start > 0 and w.lower[span.start - 1] in ("degrees", "degree", "deg", "deg.")


def _state_after_place(span: Span, gaz: Gazetteer, w: WordColumns) -> str | None:
    """The US state an abbreviation after "City," names ("Seattle, Wash.", "Nashville, Tenn"),
    else None. Only that position is read: "Wash" or "Miss" elsewhere are other words."""
    if len(span) != 1 or span.start < 2:
        return None
    comma, city = span.start - 1, span.start - 2
    if w.text[comma] != "," or not w.text[city][:1].isupper() or "\n" in w.whitespace[city]:
        return None
    if span.doc[city].ent_type_ not in ("GPE", "LOC", "FAC") and gaz.place(w.text[city]) is None:
        return None
    return gaz.state_abbreviation(w.text[span.start])


def _shares_plural_org_head(span: Span, gaz: Gazetteer, w: WordColumns) -> bool:
    """ "Tokyo" in "the Tokyo and London Stock Exchanges": a name joined by "and" to an organisation
    name that ends in a plural organisation noun shares that noun, and is an organisation too (a
    place alone would make the plural wrong). Weight 1: a plain mention of the city elsewhere wins."""
    doc = span.doc
    n = len(doc)
    j = span.end
    if j + 2 >= n or w.lower[j] not in ("and", "&", "or") or doc[j + 1].ent_iob_ != "B" \
            or doc[j + 1].ent_type_ != "ORG":
        return False
    k = j + 2
    while k < n and doc[k].ent_iob_ == "I":
        k += 1
    last = w.lower[k - 1]
    singular = {last[:-3] + "y", last[:-2], last[:-1]} if last.endswith("ies") else {last[:-2], last[:-1]}
    return k - (j + 1) >= 2 and last.endswith("s") and bool(singular & gaz.org_heads)  # proper nouns keep their plural lemma


def _org_by_verb(span: Span, root: Token | None = None) -> bool:
    """Organisations, not people, are bought, acquired, listed or merged ("he bought Pixar")."""
    root = span.root if root is None else root
    verb = root.head
    return root.dep_ in ("dobj", "nsubjpass") and verb.lemma_ in ORG_OBJECT_VERBS


def _lowercase_words(doc) -> set[str]:
    """Words the document writes in lowercase somewhere (cached on the doc)."""
    words = doc.user_data.get("kg_lower")
    if words is None:
        cols = columns(doc)
        words = doc.user_data["kg_lower"] = set(compress(cols.text, cols.lower_alpha))
    return words


def _name_like(span: Span, w: WordColumns) -> bool:
    """A name starts with a capital letter and is not a number ("Five", "206p" are not places);
    number words inside a longer name are part of it ("First Boston Corp", "Three Mile Island")."""
    s, e = span.start, span.end
    first = s
    if e - s > 3 and w.text[s + 1] == "-" and not w.space[s] and w.text[s].islower():
        first = s + 2  # "sub-Saharan Africa"
    joined = "".join(w.text[s:e])  # (the text between words is spaces)
    if not w.text[first][:1].isupper() or (not joined.isalpha() and any(map(str.isdigit, joined))):
        return False  # (no letter is a digit: a name of letters only has none)
    # Token.like_num is the lexeme's LIKE_NUM flag
    return not all(map(_LIKE_NUM.__and__, w.flags[s:e]))  # "Five" is a number, "First Boston Corp" a name


CALENDAR_WORDS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                  "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
                  "saturday", "sunday")


@lru_cache(maxsize=1 << 14)
def _calendar_word(text: str) -> bool:
    """A month or weekday name, or a misspelling of one of five letters or more (one wrong, missing,
    extra or swapped letter: "Feburary", "Wendesday")."""
    word = text.lower().rstrip(".")
    return len(word) >= 5 and any(len(w) >= 5 and _one_edit(word, w) for w in CALENDAR_WORDS)


def _one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of adjacent letters turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def head_word(span: Span, w: WordColumns | None = None) -> str:
    return (w or word_columns(span.doc)).lower[span.end - 1]


def classify(span: Span, gaz: Gazetteer, ctx: DocContext, w: WordColumns | None = None) -> Candidate | None:
    """Propose a type for a cleaned span (None: not an entity of ours). `w`: the doc's word
    columns, when the caller has them (they are passed on to the tests below)."""
    label = span.label_
    text = span_text(span)
    if w is None:
        w = word_columns(span.doc)
    state = _state_after_place(span, gaz, w)
    if state is not None:
        return Candidate(span, "Place", 3, "US", name=state)  # "Brighton, Colo." is Colorado
    if len(span) == 1 and _after_degrees(span, w):
        return None  # "91 degrees Kelvin": a temperature scale, not a person or a company
    country = gaz.country(text)
    if country is None and len(span) == 1 and text.endswith("s") and text[:1].isupper():
        country = gaz.country(text[:-1])  # a possessive that lost its apostrophe: "Iraqs forces"
    if country and not (label == "PERSON" and len(span) > 1 and not _initials_only(span)):
        return Candidate(span, "Country", 3, country.code)  # "U. S." is no person's name
    if label == "NORP":
        dem = gaz.demonym(text)
        if dem:
            for i in range(span.start, span.end):
                ctx.demonym_tokens[i] = ""  # resolved to a country key later
        return None
    head = head_word(span, w)
    if not _name_like(span, w):
        return None
    if len(span) > 1 and _designator_word(head, w.text[span.end - 1]):
        return Candidate(span, "Organization", 3)  # "Wedgestone Advisory Corp", "West Point-Pepperell Inc"
    if len(span) == 1 and label != "PERSON" and _calendar_word(text) and gaz.place(text) is None:
        return None  # "in Feburary": a (misspelt) month or weekday, not a name
    if len(span) > 1 and label not in ("GPE", "LOC", "FAC") and _has_org_word(span, gaz, w):
        return Candidate(span, "Organization", 2)  # "Envases Metalurgicos de Alava", "Italiana Olii"
    if label in ("GPE", "LOC", "ORG") and _shares_plural_org_head(span, gaz, w):
        return Candidate(span, "Organization", 1)  # "the Tokyo and London Stock Exchanges": Tokyo's exchange
    # the root is found once for the apposition and the person tests below (a Token each time)
    root = span.root if label in ("PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT") else None
    kind = apposition_kind(span, gaz, root, w) if root is not None else None
    if kind is not None:
        place = gaz.place(text) if kind == "Place" else None
        return Candidate(span, kind, 2, place.country if place else None)
    if label in ("GPE", "LOC", "FAC"):
        place = gaz.place(text)
        if place is None and len(span) == 1 and head in _lowercase_words(span.doc):
            return None  # "Sorghum was harvested": a common noun the text also writes in lowercase
        return Candidate(span, "Place", 2 if place else 1, place.country if place else None)
    if head in gaz.place_heads and len(span) > 1 and label not in ("PERSON",):
        return Candidate(span, "Place", 2)
    if label == "ORG":
        if head in gaz.org_heads or len(span) > 1:
            return Candidate(span, "Organization", 2 if head in gaz.org_heads else 1)
        place = gaz.place(text)
        if place and place.population >= CITY_OVERRIDE_POP:
            return Candidate(span, "Place", 2, place.country)
        return Candidate(span, "Organization", 1)
    if label == "PERSON":
        if len(span) > 1 and (head in COMPANY_SUFFIXES or head in gaz.org_heads):
            return Candidate(span, "Organization", 2)
        if _org_by_form(span, gaz) or _org_by_verb(span, root):
            return Candidate(span, "Organization", 2)
        place = gaz.place(text) if len(span) == 1 else None
        if place is None and (_affiliation_of_person(span, root) or _hyphenated_surnames(span)):
            return Candidate(span, "Organization", 2)
        if place and place.population >= CITY_OVERRIDE_POP:
            return Candidate(span, "Place", 1, place.country)
        return Candidate(span, "Person", 1)
    # PRODUCT, EVENT, WORK_OF_ART: only when a gazetteer says it is a place
    place = gaz.place(text)
    if place and place.population >= CITY_OVERRIDE_POP:
        return Candidate(span, "Place", 2, place.country)
    return None


def _tokens(text: str) -> list[str]:
    return norm(text).split()


def resolve_in_document(cands: list[Candidate], gaz: Gazetteer, ctx: DocContext) -> None:
    """Group candidates into entities: aliases of full person names, then votes per name."""
    cands.sort(key=_SPAN_START)
    _spread_abbreviations(cands)
    persons = [c for c in cands if c.type == "Person" and len(c.words()) >= 2]
    in_persons = _NameIndex(persons)
    # 1. short forms of a person's name ("Lavrov", "Kim") join that person, whatever their type
    alias_of: dict[int, Candidate] = {}
    for c in cands:
        if c.type == "Country" or (c.type == "Place" and c.weight >= 2 and c.code):
            continue
        toks = c.words()
        if toks and toks[-1].endswith("s") and len(toks[-1]) > 3:  # "Ashers" (lost apostrophe)
            stem = toks[:-1] + (toks[-1][:-1],)
            if in_persons.holding(stem):
                toks = stem
        if toks and toks[0] not in in_persons.by_word:
            continue  # no person's name holds the first word (`_best_full_name` would find none)
        best = _best_full_name(c, toks, in_persons, cands)
        if best is not None:
            alias_of[id(c)] = best
            c.type, c.weight = "Person", 2  # being a short form of a person's name is evidence
    # 1b. a model-only "person" that is part of a longer organisation name in the article is that
    # organisation ("Garuda Indonesia" / "Garuda Indonesia Flight", "Music Store" / "iTunes Music Store");
    # so is a model-only place no gazetteer knows, unless it follows "in", "at"... ("Holt Rinehart and
    # Winston" after "Holt, Rinehart and Winston Canada Ltd.")
    orgs = [c for c in cands if c.type == "Organization" and len(c.span) >= 2]
    in_orgs: _NameIndex | None = None
    for c in cands:
        if c.weight > 1 or id(c) in alias_of or not (
                c.type == "Person" or (c.type == "Place" and not c.code and not _after_locative(c.span))):
            continue
        toks = c.words()
        if toks and toks[-1].endswith("s") and len(toks[-1]) > 3:  # "Eastman Kodaks"
            toks = toks[:-1] + (toks[-1][:-1],)
        if in_orgs is None:
            in_orgs = _NameIndex(orgs)
        host = [o for o in in_orgs.holding(toks) if len(o.words()) > len(toks)]
        if host:
            alias_of[id(c)] = min(host, key=lambda o: abs(o.span.start - c.span.start))
            c.type = "Organization"
    # 1c. an acronym in brackets after a name is that name ("Ministry of International Trade and
    # Industry (MITI)"), and so is every later use of the acronym
    _resolve_acronyms(cands, alias_of)
    # 1d. a later short form of an organisation named earlier ("Burlington Industries Inc" ...
    # "Burlington said") is that organisation, unless it is evidently a place
    _resolve_org_short_forms(cands, alias_of)
    for c in cands:  # "American" in "American Midland" (the company) is no demonym of the US
        ctx.demonym_tokens.pop(c.span.start, None)
    # 2. votes: a name's type is the one with the most evidence over all its mentions
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands:
        target = alias_of.get(id(c))
        groups[norm(target.text) if target else _group_key(c)].append(c)
    # "Texacos" / "Eastman Kodaks": a possessive that lost its apostrophe joins the plain name
    for key in sorted(groups):
        for stem in (key[:-1], key[:-2]) if key.endswith("s") and len(key) > 4 else ():
            if stem in groups and stem != key:
                groups[stem].extend(groups.pop(key))
                break
    order = sorted(groups, key=lambda k: min(map(_SPAN_START, groups[k])))  # (each start read in C)
    for key in order:
        members = groups[key]
        if len(members) == 1:  # (most names are mentioned once: their one vote decides)
            type_ = members[0].type
        else:
            votes: dict[str, int] = {}
            for c in members:
                votes[c.type] = votes.get(c.type, 0) + c.weight
            type_ = min(votes.items(), key=_vote_order)[0]  # (the types differ: no ties)
        label, code = canonical(members, type_, gaz)
        ent = ctx.add_entity(type_, label, code=code)
        for c in members:
            ctx.add_mention(ent, c.span)
    # 3. demonyms ("Russian", "North Korean") refer to their country, but are not names of it
    i_sorted = sorted(ctx.demonym_tokens)
    done: set[int] = set()
    w = word_columns(ctx.doc)
    for i in i_sorted:
        if i in done:
            continue
        j = i + 1
        while j in ctx.demonym_tokens:
            j += 1
        country = gaz.demonym(w.text_of(i, j)) or gaz.demonym(w.text[j - 1])
        done.update(range(i, j))
        if country is None:
            for k in range(i, j):
                del ctx.demonym_tokens[k]
            continue
        ent = next((e for e in ctx.entities if e.type == "Country" and e.code == country.code), None)
        organ = _state_organ(ctx.doc, i, j, gaz)
        if organ is not None:  # "the Zambian government" names Zambia, as a state
            if ent is None:
                ent = ctx.add_entity("Country", country.name, code=country.code)
            ctx.add_mention(ent, organ)
        elif ent is not None:
            ctx.add_mention(ent, ctx.doc[i:j], alias=False)
        # a country known only by its demonym becomes a node only when a relation needs it
        # (DocContext.country_at): alone, "Canadian dollars" does not make an article about Canada
        for k in range(i, j):
            ctx.demonym_tokens[k] = ent.key if ent is not None else f"country:{country.code}"


def _state_organ(doc, i: int, j: int, gaz: Gazetteer) -> Span | None:
    """ "Zambian government" (demonym doc[i:j] and a state noun right after it, state_organs.txt),
    else None: the government, authorities or cabinet of a country stand for the country, where
    "Zambian maize" or "a Zambian staple" only describe something."""
    w = word_columns(doc)
    if j < len(doc) and w.lower[j] in gaz.state_organs and w.text[j].islower() and w.text[i][:1].isupper():
        return doc[i:j + 1]
    return None


def _spread_abbreviations(cands: list[Candidate]) -> None:
    """An abbreviation read as a state once ("Paramus, N.J.") is that state wherever else the
    article writes it ("Wayne, N.J." after a town no gazetteer knows)."""
    full = {norm(c.text): c for c in cands if c.name}
    if not full:
        return
    for c in cands:
        known = full.get(norm(c.text)) if not c.name and c.type != "Country" else None
        if known is not None:
            c.type, c.code, c.name, c.weight = known.type, known.code, known.name, max(c.weight, 2)


ACRONYM_SKIP = {"of", "and", "the", "for", "on", "in", "de", "&"}


def _initials(span: Span) -> str:
    return "".join(t.text[0].upper() for t in span if t.lower_ not in ACRONYM_SKIP and t.text[:1].isalpha())


def _acronym(text: str) -> str | None:
    """The letters of an acronym-like mention ("MITI", "MITIs"), else None."""
    word = text[:-1] if len(text) > 3 and text.endswith("s") and text[:-1].isupper() else text
    return word if word.isalpha() and word.isupper() and 2 <= len(word) <= 8 else None


def _resolve_acronyms(cands: list[Candidate], alias_of: dict[int, Candidate]) -> None:
    if not cands:
        return
    words, lower = columns(cands[0].span.doc)[:2]
    ends = {c.span.end: c for c in cands if c.type != "Country"}
    hosts: dict[str, Candidate] = {}
    for c in cands:  # "Harcourt Brace Jovanovich Inc HBJ": the stock symbol names the company too
        end = c.span.end
        if (c.type == "Organization" and end < len(words) and _designator_word(lower[end - 1], words[end - 1])
                and _ticker_word(lower[end], words[end])):
            hosts.setdefault(words[end], alias_of.get(id(c), c))
    for c in cands:  # (the acronym is read only for a mention in brackets)
        start = c.span.start
        if c.type == "Country" or (c.type == "Place" and c.code) or start < 2 or words[start - 1] != "(":
            continue
        acro = _acronym(c.text)
        if acro is None:
            continue
        host = ends.get(start - 1)
        if host is None:
            continue
        letters = _initials(host.span)
        if host.type != "Organization" and not (len(letters) >= len(acro) and
                                                (letters.endswith(acro) or letters.startswith(acro))):
            continue  # after an organisation, any capitals in brackets name it: "DuPont (DD)"
        hosts.setdefault(acro, alias_of.get(id(host), host))
    if not hosts:
        return
    for c, acro in zip(cands, [_acronym(c.text) for c in cands]):
        host = hosts.get(acro) if acro else None
        start = c.span.start
        if c.type == "Country" and not (start > 0 and _designator_word(lower[start - 1], words[start - 1])):
            continue  # "in the UK" stays the country; only "Union Carbide Corp UK" is the symbol
        if host is not None and c is not host and id(c) not in alias_of:
            alias_of[id(c)] = host
            c.type, c.weight = host.type, max(c.weight, 2)


#: prepositions after which a gazetteer place name stays a place ("offices in Burlington")
LOCATIVE_PREPS = {"in", "at", "near", "outside", "around", "from", "to", "into", "across", "throughout"}


def _resolve_org_short_forms(cands: list[Candidate], alias_of: dict[int, Candidate]) -> None:
    """A mention equal to the leading word(s) of an organisation's name earlier in the article
    joins that organisation. People whose name only the model proposed, places no gazetteer knows
    and organisations join (the nearest earlier host; an organisation only when it is the sole
    one); a gazetteer place joins only when the model itself read it as an organisation and it
    does not follow a locative preposition; countries never do."""
    orgs = [c for c in cands if c.type == "Organization" and len(c.words()) >= 2]
    if not orgs:
        return
    # every host's words begin with the mention's first word (or its plain form): a mention whose
    # first word begins no organisation's name is passed over without the scan of all of them
    firsts = {o.words()[0] for o in orgs}
    ends = {c.span.end for c in cands}
    w = word_columns(cands[0].span.doc)  # (the candidates of one article)
    for c in cands:
        if id(c) in alias_of or c.type == "Country":
            continue
        if c.span.start not in ends and _with_word_before(c, orgs, alias_of, w):
            if c.words():
                firsts.add(c.words()[0])  # c's span now starts a word earlier (c may be one of orgs)
            continue
        if c.type == "Person" and c.weight > 1:
            continue
        if c.type == "Place" and c.weight >= 2 and c.code and c.span.label_ != "ORG":
            continue
        if c.type == "Place" and c.span.label_ != "ORG" and _after_locative(c.span):
            continue
        toks = c.words()
        if not toks:
            continue
        if c.type != "Organization" and toks[-1].endswith("s") and len(toks[-1]) > 3:
            plain = toks[:-1] + (toks[-1][:-1],)  # "Burlingtons" (lost apostrophe)
        else:
            plain = toks
        if toks[0] not in firsts and plain[0] not in firsts:
            continue
        hosts = []
        start, n, n_plain = c.span.start, len(toks), len(plain)
        for o in orgs:
            if o.span.start >= start:
                break
            otoks = o.words()
            if (len(otoks) > n and otoks[:n] == toks) or (len(otoks) > n_plain and otoks[:n_plain] == plain):
                hosts.append(alias_of.get(id(o), o))
        if not hosts:
            continue
        if c.type == "Organization" and len({norm(h.text) for h in hosts}) > 1:
            continue
        host = hosts[-1]
        alias_of[id(c)] = host
        c.type = "Organization"


def _with_word_before(c: Candidate, orgs: list[Candidate], alias_of: dict[int, Candidate], w: WordColumns) -> bool:
    """ "American Midland has agreed" after "American Midland Corp": the model read "American" as a
    demonym and "Midland" as the town; with the capitalised word before it the mention is the
    leading words of the company's name, and is that company (a gazetteer place too). `w`: the
    doc's word columns."""
    doc = c.span.doc
    s = c.span.start
    if s == 0 or not w.text[s - 1][:1].isupper() or not w.space[s - 1]:
        return False
    toks = tuple(_tokens(w.text_of(s - 1, c.span.end)))
    host = None
    for o in orgs:
        if o.span.start >= c.span.start:
            break
        otoks = o.words()
        if len(otoks) > len(toks) and otoks[:len(toks)] == toks:
            host = alias_of.get(id(o), o)
    if host is None:
        return False
    c.span = doc[s - 1:c.span.end]
    alias_of[id(c)] = host
    c.type = "Organization"
    return True


def _after_locative(span: Span, skip: set[str] | frozenset[str] = frozenset()) -> bool:
    """The span follows "in", "at", "near"... (past determiners and any `skip` words)."""
    lower = word_columns(span.doc).lower
    i = span.start - 1
    while i >= 0 and (lower[i] in LEADING_DROP or lower[i] in skip):
        i -= 1
    return i >= 0 and lower[i] in LOCATIVE_PREPS


def _best_full_name(c: Candidate, toks: tuple[str, ...], in_persons: _NameIndex,
                    cands: list[Candidate]) -> Candidate | None:
    """The full name a short form stands for (`in_persons`: the people's full names). A surname
    beats a first name; among several people ("Steve" for Steve Jobs and Steve Ballmer) the one
    the article names most, then the nearest mention before it."""
    hosts = [p for p in in_persons.holding(toks) if len(toks) < len(p.words())]
    if not hosts:
        return None
    by_surname = [p for p in hosts if p.words()[-len(toks):] == toks]
    hosts = by_surname or hosts
    if len({norm(p.text) for p in hosts}) == 1:
        return min(hosts, key=lambda p: abs(p.span.start - c.span.start))
    surnames = Counter(x.words()[-1] for x in cands if x.type in ("Person", "Organization"))

    def rank(p: Candidate) -> tuple[int, int, int]:
        before = p.span.start < c.span.start
        return (-surnames[p.words()[-1]], 0 if before else 1, abs(p.span.start - c.span.start))

    return min(hosts, key=rank)


def _group_key(c: Candidate) -> str:
    if c.name:
        return norm(c.name)
    if c.type == "Country" and c.code:
        return "country:" + c.code
    return norm(c.text)


class _NameIndex:
    """Candidates by the words of their names, to find the names that hold a run of words
    (every mention is compared with every person's and organisation's name: a scan of the few
    names that share its first word instead of all of them)."""

    def __init__(self, cands: list[Candidate]) -> None:
        self.cands = cands
        self.by_word: dict[str, list[Candidate]] = {}
        for c in cands:
            for word in dict.fromkeys(c.words()):  # each candidate once per word, in order
                self.by_word.setdefault(word, []).append(c)

    def holding(self, toks: tuple[str, ...]) -> list[Candidate]:
        """The candidates whose name holds `toks` (consecutive), in their order."""
        pool = self.by_word.get(toks[0], ()) if toks else self.cands
        return [c for c in pool if _is_subsequence(toks, c.words())]


def _is_subsequence(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    n = len(short)
    return any(full[i:i + n] == short for i in range(len(full) - n + 1))


def _vote_order(kv: tuple[str, int]) -> tuple[int, str]:
    """Most votes first, then the type's name."""
    return -kv[1], kv[0]


def _form_order(kv: tuple[str, int]) -> tuple[int, int, str]:
    """The longest form (in words) first, then the most frequent, then the first in sort order."""
    return -len(kv[0].split()), -kv[1], kv[0]


def canonical(members: list[Candidate], type_: str, gaz: Gazetteer) -> tuple[str, str | None]:
    """The entity's label: a country's gazetteer name, else the longest (then most frequent) form.
    (Loops, not `next` over generators: most entities have one member, and a generator object costs
    more than the test of it.)"""
    if type_ == "Country":
        for c in members:  # the first code
            if c.code:
                return gaz.countries[c.code].name, c.code
    for c in members:  # the first full name of the type
        if c.name and c.type == type_:
            code = next((c.code for c in members if c.code and c.type == type_), None)
            return c.name, code  # "Colo." is labelled Colorado (and keeps "Colo." as an alias)
    typed = [c for c in members if c.type == type_] or members
    if len(typed) == 1:
        label = typed[0].text
    else:
        forms: dict[str, int] = {}
        for c in typed:
            forms[c.text] = forms.get(c.text, 0) + 1
        label = min(forms.items(), key=_form_order)[0]  # (the forms differ: no ties)
    if typed is not members:
        for c in typed:  # the first code
            if c.code:
                return label, c.code
    return label, None


def ensure_country(ctx: DocContext, code: str) -> str:
    """The key of the article's entity for country `code`, creating it (without a mention) if needed."""
    for e in ctx.entities:
        if e.type == "Country" and e.code == code:
            return e.key
    gaz = gazetteer()
    return ctx.add_entity("Country", gaz.countries[code].name, code=code).key

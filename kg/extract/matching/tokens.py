"""Token patterns (spaCy Matcher patterns) over sentences whose tokens carry the resolved entities.

A token pattern may test kg's entity annotations, `"_": {"kg_type": …}` (the kg type of the
resolved mention a token is in) and `"_": {"kg_country": true}` (a country name or demonym). They
are matched sentence by sentence, each sentence only with the patterns whose words and entity
markers occur in it, on a copy of the sentence that carries the annotations as built-in attributes
(ENT_TYPE = kg type, ENT_KB_ID = "kg_country"): spaCy's Matcher reads those in C, where it would
call Python for every extension attribute of every token.
"""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import chain
from typing import Iterator, NamedTuple

import numpy
from spacy.attrs import DEP, ENT_IOB, ENT_KB_ID, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.errors import ConfigError
from kg.extract.doc import ParsedDoc
from kg.extract.matching.files import SENTENCE_ATTRS, check_sentence_attrs, load_patterns
from kg.extract.matching.needs import NeedsIndex, Run, pattern_runs, run_fits, token_marker, token_pattern_needs
from kg.extract.matching.sentences import SentenceDocs
from kg.extract.matching.tree import Match


class EntityMark(NamedTuple):
    """What a token pattern sees of a token inside a resolved mention or a demonym: the entity's
    key, its kg type ("" for a demonym not yet resolved) and whether it names or implies a country."""

    token: int
    key: str
    kg_type: str
    country: bool


#: kg's token extensions, as the built-in attributes they are copied to for the Matcher
EXTENSION_ATTRS = {"kg_type": "ENT_TYPE", "kg_country": "ENT_KB_ID"}
COUNTRY_MARK = "kg_country"
#: what a token pattern's keys test of the parse, as the attributes a sentence copy carries for it
#: (the words bring the lexical attributes; DEP comes with the HEAD it hangs from)
_PARSE_KEYS = {"TAG": (TAG,), "POS": (POS,), "MORPH": (MORPH,), "LEMMA": (LEMMA,), "DEP": (DEP, HEAD)}
ENT_ATTRS = (ENT_IOB, ENT_TYPE, ENT_KB_ID)


@lru_cache(maxsize=None)
def _token_needs(name: str, group: str) -> NeedsIndex:
    """Which token patterns of a group the words and entity markers of a sentence make possible: a
    pattern whose words are not all there cannot match, and is left out of the matcher."""
    specs = load_patterns(name)["token_patterns"].get(group, [])
    for spec in specs:
        check_sentence_attrs(f"kg/data/patterns/{name}: token pattern {spec['name']!r}", spec["pattern"],
                             also=frozenset({"_"}))
    return NeedsIndex((spec["name"], token_pattern_needs(spec)) for spec in specs)


@lru_cache(maxsize=None)
def _token_runs(name: str, group: str) -> dict[str, tuple[tuple[Run, ...], ...]]:
    """For each token pattern of a group (by name: each pattern of that name), its runs of required
    elements that match consecutive tokens (`pattern_runs`)."""
    out: dict[str, list[tuple[Run, ...]]] = {}
    for spec in load_patterns(name)["token_patterns"].get(group, []):
        out.setdefault(spec["name"], []).append(pattern_runs(spec["pattern"]))
    return {pattern: tuple(shapes) for pattern, shapes in out.items()}


def _builtin(element: dict) -> dict:
    """A Matcher pattern element with its kg extensions ("_": {"kg_type": …}, {"kg_country": true})
    turned into the built-in attributes `_sentence_copy` sets (ENT_TYPE, ENT_KB_ID)."""
    ext = element.get("_")
    if not ext:
        return element
    out = {k: v for k, v in element.items() if k != "_"}
    for name, want in ext.items():
        if name not in EXTENSION_ATTRS:
            raise ConfigError(f"kg/data/patterns: token pattern element {element} tests unknown extension {name!r} "
                              f"(known: {', '.join(EXTENSION_ATTRS)})")
        if name == "kg_country":
            want = COUNTRY_MARK if want else {"NOT_IN": [COUNTRY_MARK]}
        out[EXTENSION_ATTRS[name]] = want
    return out


@lru_cache(maxsize=None)
def _checked_token_pattern(name: str, group: str, k: int) -> None:
    """Check the k-th token pattern of a group with spaCy's validation, once: a Matcher made with
    `validate=True` would check each pattern again in every matcher made with it."""
    spec = load_patterns(name)["token_patterns"][group][k]
    Matcher(Vocab(), validate=True).add(spec["name"], [[_builtin(el) for el in spec["pattern"]]])


@lru_cache(maxsize=512)
def _token_matcher(vocab: Vocab, name: str, group: str, active: frozenset[str]) -> tuple[Matcher, dict[str, dict]]:
    """A Matcher with the `active` patterns of a group (one per set of active patterns)."""
    specs = []
    matcher = Matcher(vocab, validate=False)  # each pattern is validated once (`_checked_token_pattern`)
    for k, spec in enumerate(load_patterns(name)["token_patterns"].get(group, [])):
        if spec["name"] in active:
            _checked_token_pattern(name, group, k)
            matcher.add(spec["name"], [[_builtin(el) for el in spec["pattern"]]])
            specs.append(spec)
    return matcher, {spec["name"]: spec for spec in specs}


@lru_cache(maxsize=None)
def _copy_attrs(name: str) -> tuple[int, ...]:
    """The parse attributes the token patterns of a pattern file test (in `SENTENCE_ATTRS` order):
    all that their sentence copies need."""
    used = {attr for specs in load_patterns(name)["token_patterns"].values() for spec in specs
            for element in spec["pattern"] for key in element for attr in _PARSE_KEYS.get(key.upper(), ())}
    return tuple(attr for attr in SENTENCE_ATTRS if attr in used)


@lru_cache(maxsize=None)
def _markers(kg_type: str, country: bool) -> tuple[str, str]:
    """The `token_marker`s of a token with this `_.kg_type` and `_.kg_country` (made once)."""
    return token_marker("kg_type", kg_type), token_marker("kg_country", country)


def _sentence_copy(sentences: SentenceDocs, start: int, end: int, marks: dict[int, EntityMark],
                   attrs: tuple[int, ...]) -> Doc:
    """The sentence as a Doc of its own (`SentenceDocs`), whose tokens carry the entity marks as
    built-in attributes (set anew on each call)."""
    strings = sentences.parsed.doc.vocab.strings
    ents = numpy.zeros((end - start, 3), dtype="uint64")
    ents[:, 0] = 2  # outside any entity, but for the marked tokens
    for i in range(start, end):
        mark = marks.get(i)
        if mark is None:
            continue
        if mark.kg_type:
            before = marks.get(i - 1) if i - 1 >= start else None
            inside = before is not None and before.key == mark.key
            ents[i - start, 0] = 1 if inside else 3
            ents[i - start, 1] = strings.add(mark.kg_type)
        if mark.country:
            ents[i - start, 2] = strings.add(COUNTRY_MARK)
    sent = sentences.get(start, end, attrs)
    sent.from_array(ENT_ATTRS, ents)
    return sent


def token_matches(parsed: ParsedDoc, sentences: SentenceDocs, name: str, group: str,
                  entity_marks: list[EntityMark]) -> Iterator[Match]:
    """Every match of a token-pattern group of pattern file `name`, in text order, the roles
    (`"roles"` of the pattern: role -> element) as token indices.

    Which sentences may have any active pattern is found first for the whole article
    (`NeedsIndex.possible_at`, from where the needed words and markers occur): most sentences,
    and most articles, have none, and are then left alone. In a sentence that has a pattern's
    words, the pattern is still left out when elements that must match adjacent tokens cannot
    (`run_fits`).
    """
    possible = _token_needs(name, group)
    if not possible.counts:
        return
    bounds = parsed.sents
    starts = [start for start, _ in bounds]
    marks: dict[int, EntityMark] = {}
    present: dict[int, set[tuple[str, bool]]] = {}  # sentence -> the (kg type, country) of its tokens
    marked: dict[int, list[int]] = {}  # sentence -> its marked tokens
    for mark in entity_marks:
        marks[mark.token] = mark
        n = bisect_right(starts, mark.token) - 1
        present.setdefault(n, set()).add((mark.kg_type, mark.country))
        marked.setdefault(n, []).append(mark.token)
    markers = {n: frozenset(m for pair in found for m in _markers(*pair)) for n, found in present.items()}
    # where each needed word or marker occurs (bit n: sentence n); a word of the article is taken
    # to occur in every sentence, which only widens the candidates
    found: dict[str, int] = dict.fromkeys(possible.words & parsed.word_set, -1)
    for n, here in markers.items():
        for marker in here & possible.words:
            found[marker] = found.get(marker, 0) | 1 << n
    candidates = possible.possible_at(found)
    if not candidates:
        return
    lower, lemma = parsed.lower, parsed.lemma
    runs = _token_runs(name, group)
    vocab = parsed.doc.vocab
    no_markers: frozenset[str] = frozenset()
    for n, (start, end) in enumerate(bounds):
        if not candidates >> n & 1:
            continue
        # `active` reads only the sentence's words that some pattern needs
        here = possible.words.intersection(lower[start:end] + lemma[start:end])
        active = possible.active(here, markers.get(n, no_markers))
        if not active:
            continue
        # and whose needed words also stand where the pattern puts them, next to each other (most
        # sentences with a place and a comma have no "Place , Place"): each word's tokens, as bits
        at: dict[str, int] = {}
        for k, word in chain(enumerate(lower[start:end]), enumerate(lemma[start:end])):
            if word in here:
                at[word] = at.get(word, 0) | 1 << k
        for i in marked.get(n, ()):
            for marker in _markers(marks[i].kg_type, marks[i].country):
                at[marker] = at.get(marker, 0) | 1 << i - start
        masks: dict[frozenset[str], int] = {}
        active = frozenset(pattern for pattern in active if any(
            all(run_fits(run, end - start, at, masks) for run in shape) for shape in runs[pattern]))
        if not active:
            continue
        matcher, specs = _token_matcher(vocab, name, group, active)
        sent = _sentence_copy(sentences, start, end, marks, _copy_attrs(name))
        for match_id, s, e, align in sorted(matcher(sent, with_alignments=True), key=lambda m: (m[1], m[2])):
            spec = specs[vocab.strings[match_id]]
            roles: dict[str, int] = {}
            for role, index in spec.get("roles", {}).items():
                hits = [start + s + k for k, a in enumerate(align) if a == index]
                if hits:
                    roles[role] = hits[-1] if role in ("subject", "agent") else hits[0]
            yield Match(spec["name"], roles)

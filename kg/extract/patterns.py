"""Pattern files (kg/data/patterns/*.json): spaCy Matcher and DependencyMatcher patterns as data.

A file holds a "lexicon" of named word lists and "token_patterns" / "dependency_patterns" groups;
a pattern refers to a word list as "$name". Loading checks every reference, so a typo in a data
file is a clear error, not a silently dead pattern.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any, Iterable, Mapping

from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from kg.errors import ConfigError
from kg.extract.context import columns

DATA = resources.files("kg") / "data"
KINDS = ("token_patterns", "dependency_patterns")


def read_pattern_file(name: str) -> dict[str, Any]:
    """The raw JSON of kg/data/patterns/NAME."""
    path = DATA.joinpath("patterns", name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read pattern file kg/data/patterns/{name}: {exc} "
                          "(reinstall kg, or fix the file's JSON)") from None


def expand_patterns(raw: Mapping[str, Any], words: Mapping[str, list[str]], name: str) -> dict[str, dict]:
    """The pattern groups of `raw` with each "$list" replaced by `words[list]`."""

    def expand(obj: Any, where: str) -> Any:
        if isinstance(obj, dict):
            return {k: expand(v, where) for k, v in obj.items()}
        if isinstance(obj, list):
            return [expand(v, where) for v in obj]
        if isinstance(obj, str) and obj.startswith("$"):
            if obj[1:] not in words:
                raise ConfigError(f"kg/data/patterns/{name}: pattern {where!r} uses unknown word list {obj!r} "
                                  "(define it under \"lexicon\")")
            return list(words[obj[1:]])
        return obj

    return {kind: {group: [expand(spec, spec.get("name", group)) for spec in specs]
                   for group, specs in raw.get(kind, {}).items()}
            for kind in KINDS}


# -- matching -------------------------------------------------------------------------------------
def _words(want: Any) -> frozenset[str] | None:
    """The words a LEMMA / LOWER constraint accepts (lower case), or None when it is not a word list."""
    if isinstance(want, str):
        return frozenset([want.lower()])
    if isinstance(want, dict) and isinstance(want.get("IN"), list):
        return frozenset(w.lower() for w in want["IN"])
    return None


def needed_words(attrs_list: Iterable[Mapping[str, Any]]) -> tuple[frozenset[str], ...]:
    """For each required element of a pattern, the words one of which the text must contain (lower
    case), and for a test of kg's token extensions ("_": {"kg_type": "Place"}) the markers of
    `token_markers` one of which must be there."""
    out = []
    for attrs in attrs_list:
        for key in ("LEMMA", "LOWER", "ORTH", "TEXT"):
            words = _words(attrs.get(key))
            if words is not None:
                out.append(words)
        for ext, want in (attrs.get("_") or {}).items():
            values = [want] if isinstance(want, (str, bool)) else want.get("IN") if isinstance(want, dict) else None
            if isinstance(values, list) and values and all(v not in ("", False) for v in values):
                out.append(frozenset(token_markers(ext, v) for v in values))
    return tuple(out)


def token_markers(ext: str, value: Any) -> str:
    """The marker of a token whose extension `ext` has `value`, as `needed_words` spells it."""
    return f"_{ext}={value}"


def token_pattern_needs(spec: Mapping[str, Any]) -> tuple[frozenset[str], ...]:
    """The words a Matcher pattern needs: those of its elements that must occur ("1", "+")."""
    return needed_words(el for el in spec["pattern"] if el.get("OP", "1") in ("1", "+"))


def sentence_words(doc: Doc) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, words and lemmas in lower case) of each sentence; computed once per doc."""
    sents = doc.user_data.get("kg_sentence_words")
    if sents is None:
        cols = columns(doc)
        sents = [(s.start, s.end, frozenset(cols.lower[s.start:s.end]) | frozenset(cols.lemma[s.start:s.end]))
                 for s in doc.sents]
        doc.user_data["kg_sentence_words"] = sents
    return sents


#: the token attributes a dependency pattern may test: those a sentence's own Doc carries
#: (see `sentence_doc`), plus every lexical attribute (IS_*, LIKE_*), which comes with the word
SENTENCE_ATTRS = (TAG, POS, MORPH, LEMMA, DEP, HEAD)
PATTERN_KEYS = {"ORTH", "TEXT", "LOWER", "LEMMA", "POS", "TAG", "DEP", "MORPH", "SHAPE", "LENGTH", "OP"}


def check_sentence_attrs(where: str, elements: Iterable[Mapping[str, Any]], also: frozenset[str] = frozenset()) -> None:
    """Refuse a pattern that tests what a sentence Doc (`sentence_doc`) does not carry: it would
    silently never match. `also`: keys the caller provides itself (token patterns: "_")."""
    odd = sorted({k for el in elements for k in el
                  if k not in PATTERN_KEYS and k not in also and not k.startswith(("IS_", "LIKE_")) or k == "IS_SENT_START"})
    if odd:
        raise ConfigError(f"{where} tests {', '.join(odd)}; patterns are matched per sentence and may test only "
                          f"{', '.join(sorted(PATTERN_KEYS - {'OP'}))} and lexical flags (IS_*, LIKE_*)")


def sentence_doc(doc: Doc, start: int, end: int) -> Doc:
    """The sentence doc[start:end] as a Doc of its own, with the parse.

    Much cheaper than `Span.as_doc`, which reads the whole document's arrays and entities for
    each sentence; a sentence's tree lies inside it, so relative HEAD offsets stay valid. Made
    once per sentence and shared: callers may set entity annotations on it (token patterns do),
    never the attributes copied here.
    """
    made: dict[tuple[int, int], Doc] = doc.user_data.setdefault("kg_sentence_docs", {})
    sent = made.get((start, end))
    if sent is None:
        array = doc.user_data.get("kg_sentence_arrays")
        if array is None:
            array = doc.user_data["kg_sentence_arrays"] = doc.to_array(SENTENCE_ATTRS)
        cols = columns(doc)
        sent = made[start, end] = Doc(doc.vocab, words=cols.text[start:end], spaces=cols.space[start:end])
        sent.from_array(SENTENCE_ATTRS, array[start:end])
    return sent


#: every DependencyGroup made so far, by key: they are matched together
_GROUPS: dict[str, DependencyGroup] = {}
#: DependencyMatchers by (vocab, the patterns active in a sentence)
_MATCHERS: dict[tuple[int, frozenset[str]], DependencyMatcher] = {}
_SEP = "\x1f"


class DependencyGroup:
    """A named group of DependencyMatcher patterns (say relations.json's "visit" patterns).

    All groups are matched together, sentence by sentence, the first time any of them is asked
    about a doc (the patterns test only the parse, which extraction never changes):

    - a dependency pattern matches inside one parse tree, and a tree never crosses a sentence;
    - a sentence is matched only with the patterns whose words (LEMMA / LOWER / ORTH lists) all
      occur in it, and a sentence with none is skipped;
    - one DependencyMatcher call per sentence for all groups.

    The DependencyMatcher's cost grows with the number of pattern nodes times the number of
    tokens, plus a fixed cost per call; this keeps all three small, with the same matches.
    """

    def __init__(self, key: str, specs: Iterable[Mapping[str, Any]]) -> None:
        self.key = key
        self.specs = {spec["name"]: spec for spec in specs}
        for name, spec in self.specs.items():
            check_sentence_attrs(f"{key}: dependency pattern {name!r}",
                                 (node.get("RIGHT_ATTRS", {}) for node in spec["pattern"]))
        self.needs = tuple((f"{key}{_SEP}{name}", needed_words(node.get("RIGHT_ATTRS", {}) for node in spec["pattern"]))
                           for name, spec in self.specs.items())
        _GROUPS[key] = self

    def matches(self, doc: Doc) -> list[tuple[str, dict[str, Token]]]:
        """(pattern name, RIGHT_ID -> token) for every match, in text order (then by name)."""
        results: dict[str, list] = doc.user_data.setdefault("kg_dependency_matches", {})
        if self.key not in results:
            _match_groups(doc, [g for k, g in _GROUPS.items() if k not in results], results)
        return results[self.key]


def _matcher(vocab: Vocab, active: frozenset[str]) -> DependencyMatcher:
    key = (id(vocab), active)
    matcher = _MATCHERS.get(key)
    if matcher is None:
        if len(_MATCHERS) > 1024:
            _MATCHERS.clear()
        matcher = DependencyMatcher(vocab, validate=True)
        for name in sorted(active):
            group, pattern = name.split(_SEP)
            matcher.add(name, [_GROUPS[group].specs[pattern]["pattern"]])
        _MATCHERS[key] = matcher
    return matcher


class NeedsIndex:
    """Which patterns a set of words makes possible: an inverted index from each needed word to
    the (pattern, requirement) pairs it satisfies, so that a sentence costs one set intersection
    rather than a test of every pattern. `needs`: (pattern name, the word sets it needs, one word
    of each), as `needed_words` gives them."""

    def __init__(self, needs: Iterable[tuple[str, tuple[frozenset[str], ...]]]) -> None:
        needs = list(needs)
        self.always = frozenset(name for name, need in needs if not need)
        self.counts = {name: len(need) for name, need in needs}
        self.by_word: dict[str, list[tuple[str, int]]] = {}
        for name, need in needs:
            for k, words in enumerate(need):
                for word in words:
                    self.by_word.setdefault(word, []).append((name, k))
        self.words = frozenset(self.by_word)

    def active(self, words: frozenset[str]) -> frozenset[str]:
        met: dict[str, set[int]] = {}
        for word in words & self.words:
            for name, k in self.by_word[word]:
                met.setdefault(name, set()).add(k)
        return self.always | {name for name, ks in met.items() if len(ks) == self.counts[name]}


_INDEXES: dict[tuple[str, ...], NeedsIndex] = {}


def _match_groups(doc: Doc, groups: list[DependencyGroup], results: dict[str, list]) -> None:
    """Match `groups` on `doc`, sentence by sentence, into results[group key]."""
    found: dict[str, list] = {g.key: [] for g in groups}
    keys = tuple(g.key for g in groups)
    index = _INDEXES.get(keys)
    if index is None:
        index = _INDEXES[keys] = NeedsIndex(need for g in groups for need in g.needs)
    for start, end, words in sentence_words(doc):
        active = index.active(words)
        if not active:
            continue
        for match_id, token_ids in _matcher(doc.vocab, active)(sentence_doc(doc, start, end)):
            group, name = doc.vocab.strings[match_id].split(_SEP)
            spec = _GROUPS[group].specs[name]
            roles = {node["RIGHT_ID"]: doc[start + i] for node, i in zip(spec["pattern"], token_ids)}
            found[group].append((start + min(token_ids), name, roles))
    for key, matches in found.items():
        matches.sort(key=lambda f: (f[0], f[1], sorted((k, t.i) for k, t in f[2].items())))
        results[key] = [(name, roles) for _, name, roles in matches]

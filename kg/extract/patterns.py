"""Pattern files (kg/data/patterns/*.json): spaCy Matcher and DependencyMatcher patterns as data.

A file holds a "lexicon" of named word lists and "token_patterns" / "dependency_patterns" groups;
a pattern refers to a word list as "$name". Loading checks every reference, so a typo in a data
file is a clear error, not a silently dead pattern.
"""
from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from itertools import chain
from typing import Any, Iterable, Mapping, NamedTuple

import numpy
from spacy.attrs import DEP, HEAD, LEMMA, LOWER, MORPH, ORTH, POS, SHAPE, TAG
from spacy.matcher import DependencyMatcher
from spacy.strings import get_string_id
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
        lower, lemma = cols.lower, cols.lemma  # one set of both lists: cheaper than the union of two sets
        sents = [(s.start, s.end, frozenset(lower[s.start:s.end] + lemma[s.start:s.end])) for s in doc.sents]
        doc.user_data["kg_sentence_words"] = sents
    return sents


def doc_words(doc: Doc) -> frozenset[str]:
    """The words and lemmas (lower case) of the whole doc, computed once per doc: a pattern that
    needs a word the doc lacks cannot match anywhere in it."""
    words = doc.user_data.get("kg_doc_words")
    if words is None:
        cols = columns(doc)
        words = doc.user_data["kg_doc_words"] = frozenset(cols.lower + cols.lemma)
    return words


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
        raise ConfigError(f"{where} tests {', '.join(odd)}; patterns are matched on the parse alone (per sentence, once per article) and may test only "
                          f"{', '.join(sorted(PATTERN_KEYS - {'OP'}))} and lexical flags (IS_*, LIKE_*)")


#: the parse attributes both kg's tree matcher and `sentence_doc` read, as `_parse_array` holds them
PARSE_ATTRS = (POS, LEMMA, DEP, HEAD)


def _parse_array(doc: Doc) -> numpy.ndarray:
    """Each token's `PARSE_ATTRS` (one row per token), read once per doc: `Doc.to_array` costs
    per token and attribute, and both the tree matcher and the sentence docs need these."""
    array = doc.user_data.get("kg_parse_array")
    if array is None:
        array = doc.user_data["kg_parse_array"] = doc.to_array(PARSE_ATTRS)
    return array


def sentence_doc(doc: Doc, start: int, end: int, attrs: tuple[int, ...] = SENTENCE_ATTRS) -> Doc:
    """The sentence doc[start:end] as a Doc of its own, with the parse attributes `attrs` (in
    `SENTENCE_ATTRS` order; token patterns copy only those they test: MORPH, above all, costs a
    morphology lookup per token).

    Much cheaper than `Span.as_doc`, which reads the whole document's arrays and entities for
    each sentence; a sentence's tree lies inside it, so relative HEAD offsets stay valid. Made
    once per sentence and attributes, and shared: callers may set entity annotations on it,
    never the attributes copied here.
    """
    made: dict[tuple[int, int, tuple[int, ...]], Doc] = doc.user_data.setdefault("kg_sentence_docs", {})
    sent = made.get((start, end, attrs))
    if sent is None:
        cols = columns(doc)
        sent = made[start, end, attrs] = Doc(doc.vocab, words=cols.text[start:end], spaces=cols.space[start:end])
        if attrs:
            sent.from_array(attrs, _sentence_array(doc, attrs)[start:end])
    return sent


def _sentence_array(doc: Doc, attrs: tuple[int, ...]) -> numpy.ndarray:
    """`attrs` of every token of the doc (one row per token), read once per doc; those kg's tree
    matcher reads too (`PARSE_ATTRS`) come from its copy."""
    arrays: dict[tuple[int, ...], numpy.ndarray] = doc.user_data.setdefault("kg_sentence_arrays", {})
    array = arrays.get(attrs)
    if array is None:
        parse = _parse_array(doc)
        own = [attr for attr in attrs if attr not in PARSE_ATTRS]
        read = dict(zip(own, doc.to_array(own).reshape(len(doc), len(own)).T)) if own else {}
        array = arrays[attrs] = numpy.column_stack(
            [parse[:, PARSE_ATTRS.index(attr)] if attr in PARSE_ATTRS else read[attr] for attr in attrs])
    return array


#: the node attributes and relations kg's own tree matcher evaluates (`DependencyGroup`); a
#: pattern that uses anything else is handed to spaCy's DependencyMatcher
_FAST_ATTRS = {"ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "LEMMA": LEMMA, "POS": POS, "TAG": TAG, "DEP": DEP,
               "SHAPE": SHAPE}
_FAST_OPS = (">", "<", ">>")


class PatternNode(NamedTuple):
    """One node of a compiled dependency pattern: its role, the earlier node it hangs from (-1 for
    the anchor), how (REL_OP), and what the token must be: (attribute, accepted string IDs) pairs."""

    right_id: str
    left: int
    op: str
    tests: tuple[tuple[str, frozenset[int]], ...]


_INTERNED: dict[Any, Any] = {}  # the tests of compiled nodes, each kept once


def _interned(value: Any) -> Any:
    """`value`, or the equal one seen before: the tree matcher's caches are keyed by node tests, and
    a key that is the very object stored is found without comparing value sets element by element
    (nodes of different patterns often share a test: "DEP": "prep", a "$list" of the lexicon)."""
    return _INTERNED.setdefault(value, value)


def _compile(pattern: list[Mapping[str, Any]]) -> tuple[PatternNode, ...] | None:
    """The pattern as nodes kg's tree matcher can evaluate, or None when it needs spaCy's."""
    ids: dict[str, int] = {}
    nodes = []
    for k, node in enumerate(pattern):
        tests = []
        for attr, want in node.get("RIGHT_ATTRS", {}).items():
            if attr not in _FAST_ATTRS:
                return None
            if isinstance(want, str):
                tests.append(_interned((attr, _interned(frozenset([get_string_id(want)])))))
            elif isinstance(want, dict) and set(want) == {"IN"} and all(isinstance(w, str) for w in want["IN"]):
                tests.append(_interned((attr, _interned(frozenset(get_string_id(w) for w in want["IN"])))))
            else:
                return None
        if k == 0:
            nodes.append(PatternNode(node["RIGHT_ID"], -1, "", _interned(tuple(tests))))
        elif node.get("REL_OP") in _FAST_OPS and node.get("LEFT_ID") in ids:
            nodes.append(PatternNode(node["RIGHT_ID"], ids[node["LEFT_ID"]], node["REL_OP"], _interned(tuple(tests))))
        else:
            return None
        ids[node["RIGHT_ID"]] = k
    return tuple(nodes)


class _ValueTable:
    """The values the tree matcher's tests of one attribute accept (string IDs, sorted), and for
    each test a lookup table over them: a token's test is then one array lookup, for all tokens of
    an article at once, where a set per test and token would be made in Python. Tests are added
    as they are first used; adding a value renumbers the values (`version` changes)."""

    def __init__(self) -> None:
        self.values = numpy.zeros(0, dtype="uint64")
        self.version = 0
        self.tables: dict[frozenset[int], numpy.ndarray] = {}

    def table(self, values: frozenset[int]) -> numpy.ndarray:
        """For each known value (and, last, for "none of them") whether the test accepts it."""
        table = self.tables.get(values)
        if table is None:
            wanted = numpy.fromiter(values, dtype="uint64", count=len(values))
            if not numpy.isin(wanted, self.values).all():
                self.values = numpy.union1d(self.values, wanted)
                self.version += 1
                self.tables = {v: self._make(v) for v in self.tables}
            table = self.tables[values] = self._make(values)
        return table

    def _make(self, values: frozenset[int]) -> numpy.ndarray:
        table = numpy.zeros(len(self.values) + 1, dtype=bool)
        table[numpy.searchsorted(self.values, numpy.fromiter(values, dtype="uint64", count=len(values)))] = True
        return table

    def positions(self, column: numpy.ndarray) -> numpy.ndarray:
        """Each token's value as an index into `values`, or -1 (the table's last entry) when no
        test knows it."""
        if not len(self.values):
            return numpy.full(len(column), -1, dtype="intp")
        at = numpy.searchsorted(self.values, column)
        at[at == len(self.values)] = 0
        return numpy.where(self.values[at] == column, at, -1)


_VALUE_TABLES: dict[str, _ValueTable] = {}  # attribute name -> its tests' values, shared by all articles


class _DocIndex:
    """One article's parse as lists, for kg's tree matcher: each token's head, and which tokens
    pass a node's tests (found with `_ValueTable` lookups, once per node)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        parse = _parse_array(doc)
        offsets = parse[:, PARSE_ATTRS.index(HEAD)].astype("int64")
        self.head: list[int] = (numpy.arange(len(offsets)) + offsets).tolist()
        self.columns: dict[str, numpy.ndarray] = {}
        self.lists: dict[str, list[int]] = {}
        self.positions: dict[str, tuple[int, numpy.ndarray]] = {}  # attribute -> (version, positions)
        self.masks: dict[tuple[str, frozenset[int]], numpy.ndarray] = {}  # by test
        self.by_node: dict[tuple[tuple[str, frozenset[int]], ...], list[int]] = {}  # by node tests
        self.node_sets: dict[tuple[tuple[str, frozenset[int]], ...], frozenset[int]] = {}
        self.by_relation: dict[tuple[str, tuple[tuple[str, frozenset[int]], ...]], dict[int, list[int]]] = {}
        self._children: list[list[int] | tuple[()]] | None = None

    @property
    def children(self) -> list[list[int] | tuple[()]]:
        """Each token's children, in text order (made on first use; read-only). A list only for
        the tokens that have children, the others share one empty tuple: a list per token costs
        more, in allocations and in the garbage collector's walks over them, than the loop."""
        if self._children is None:
            kids: list[list[int] | tuple[()]] = [()] * len(self.head)
            for i, h in enumerate(self.head):
                if h != i:
                    if kids[h]:
                        kids[h].append(i)  # type: ignore[union-attr]
                    else:
                        kids[h] = [i]
            self._children = kids
        return self._children

    def passing(self, attr: str, values: frozenset[int]) -> numpy.ndarray:
        """Whether each token's `attr` is one of `values` (string IDs, compared as spaCy's Matcher
        does), as a boolean array."""
        mask = self.masks.get((attr, values))
        if mask is not None:  # a test many nodes share ("DEP": "nsubj")
            return mask
        tables = _VALUE_TABLES.get(attr)
        if tables is None:
            tables = _VALUE_TABLES[attr] = _ValueTable()
        table = tables.table(values)
        version, positions = self.positions.get(attr, (-1, None))
        if version != tables.version:
            positions = tables.positions(self.column(attr))
            self.positions[attr] = (tables.version, positions)
        mask = self.masks[attr, values] = table[positions]
        return mask

    def values(self, attr: str) -> list[int]:
        """Each token's `attr` (a string ID), as a list: the tree matcher tests the few children of
        a partial match by looking them up, where a node's candidates over the whole article cost
        numpy calls and a pass over them."""
        found = self.lists.get(attr)
        if found is None:
            found = self.lists[attr] = self.column(attr).tolist()
        return found

    def column(self, attr: str) -> numpy.ndarray:
        """Each token's `attr` (string IDs), read once per article."""
        column = self.columns.get(attr)
        if column is None:
            code = _FAST_ATTRS[attr]
            column = self.columns[attr] = _parse_array(self.doc)[:, PARSE_ATTRS.index(code)] \
                if code in PARSE_ATTRS else self.doc.to_array(code)
        return column

    def ordered(self, node: PatternNode) -> list[int]:
        """The tokens that pass all of a node's tests, in text order."""
        found = self.by_node.get(node.tests)
        if found is None:
            if not node.tests:
                found = list(range(len(self.head)))
            else:
                mask = self.passing(*node.tests[0])
                for test in node.tests[1:]:
                    mask = mask & self.passing(*test)
                found = mask.nonzero()[0].tolist()
            self.by_node[node.tests] = found
        return found

    def candidates(self, node: PatternNode) -> frozenset[int]:
        """The tokens that pass all of a node's tests, as a set."""
        found = self.node_sets.get(node.tests)
        if found is None:
            found = self.node_sets[node.tests] = frozenset(self.ordered(node))
        return found

    def related(self, node: PatternNode) -> dict[int, list[int]]:
        """For each token, the node's candidates in relation `node.op` to it, in text order
        (spaCy's REL_OP semantics: ">" a child, ">>" a descendant; "<", the head, is looked up by
        `_tree_matches`); made once per article and node, so that growing each partial match is a
        dict lookup."""
        key = (node.op, node.tests)
        found = self.by_relation.get(key)
        if found is None:
            found = self.by_relation[key] = {}
            head = self.head
            if node.op == ">":
                for c in self.ordered(node):
                    if head[c] != c:
                        found.setdefault(head[c], []).append(c)
            else:  # ">>": every candidate is a descendant of each of its ancestors
                for c in self.ordered(node):
                    i = c
                    while head[i] != i:
                        i = head[i]
                        found.setdefault(i, []).append(c)
        return found


def subtree(tok: Token | int, doc: Doc | None = None) -> set[int]:
    """The indices of `tok.subtree` (a Token, or an index into `doc`), read from the parse arrays:
    spaCy's `Token.subtree` makes a Token object per word, which costs more than what callers then
    do with the indices."""
    i, doc = (tok, doc) if isinstance(tok, int) else (tok.i, tok.doc)
    children = _doc_index(doc).children
    out = [i]
    for word in out:  # (the list grows while it is read: each word once, its children after it)
        out += children[word]
    return set(out)


def _doc_index(doc: Doc) -> _DocIndex:
    index = doc.user_data.get("kg_dependency_index")
    if index is None:
        index = doc.user_data["kg_dependency_index"] = _DocIndex(doc)
    return index


class DependencyGroup:
    """A named group of DependencyMatcher patterns (say relations.json's "visit" patterns),
    matched once per article with spaCy's DependencyMatcher semantics.

    Patterns that test token attributes (ORTH, LOWER, LEMMA, POS, TAG, DEP, SHAPE: a string or an
    "IN" list) and relate nodes by ">", "<" or ">>" are evaluated by kg's own tree matcher over
    the parse arrays: the anchor's candidate tokens are looked up by value, then each further
    node among the children, head or descendants of the node it hangs from. spaCy's
    DependencyMatcher walks Token objects and every matching token's ancestors in Python, which
    cost about a fifth of all extraction; the matches are the same (tests/test_patterns.py
    checks them against it on real articles). Any other pattern is matched by spaCy's
    DependencyMatcher itself.
    """

    def __init__(self, key: str, specs: Iterable[Mapping[str, Any]]) -> None:
        self.key = key
        self.specs = {spec["name"]: spec for spec in specs}
        checker = DependencyMatcher(Vocab(), validate=True)
        for name, spec in self.specs.items():
            check_sentence_attrs(f"{key}: dependency pattern {name!r}",
                                 (node.get("RIGHT_ATTRS", {}) for node in spec["pattern"]))
            try:  # spaCy's own checks, whoever evaluates the pattern
                checker.add(name, [spec["pattern"]])
            except (ValueError, KeyError) as exc:
                raise ConfigError(f"{key}: dependency pattern {name!r} is not a valid DependencyMatcher pattern: "
                                  f"{str(exc).strip()}") from None
        compiled = {name: _compile(spec["pattern"]) for name, spec in self.specs.items()}
        self.fast = {name: nodes for name, nodes in compiled.items() if nodes is not None}
        #: the words each pattern kg evaluates needs (every node must match a token, and for each
        #: word test one of its words): a doc without them is not searched for the pattern
        self.needs = {name: tuple(_interned(words) for words in needed_words(node.get("RIGHT_ATTRS", {})
                                                                           for node in self.specs[name]["pattern"]))
                      for name in self.fast}
        self.slow = sorted(name for name, nodes in compiled.items() if nodes is None)
        self._matchers: dict[int, DependencyMatcher] = {}

    def matches(self, doc: Doc) -> list[tuple[str, dict[str, Token]]]:
        """(pattern name, RIGHT_ID -> token) for every match, in text order (then by name)."""
        results: dict[str, list] = doc.user_data.setdefault("kg_dependency_matches", {})
        found = results.get(self.key)
        if found is None:
            found = results[self.key] = self._match(doc)
        return found

    def _match(self, doc: Doc) -> list[tuple[str, dict[str, Token]]]:
        found: list[tuple[int, str, tuple[int, ...], tuple[str, ...]]] = []
        if self.fast:
            index = _doc_index(doc)
            words = doc_words(doc)
            lacking: dict[frozenset[str], bool] = {}  # by needed word set (patterns share them)
            for name, nodes in self.fast.items():
                if any(lacking[need] if need in lacking else lacking.setdefault(need, words.isdisjoint(need))
                       for need in self.needs[name]):
                    continue
                for ids in _tree_matches(index, nodes):
                    found.append((min(ids), name, ids, tuple(n.right_id for n in nodes)))
        if self.slow:
            for match_id, ids in self._matcher(doc.vocab)(doc):
                name = doc.vocab.strings[match_id]
                found.append((min(ids), name, tuple(ids), tuple(n["RIGHT_ID"] for n in self.specs[name]["pattern"])))
        found.sort(key=lambda f: (f[0], f[1], sorted(zip(f[3], f[2]))))
        return [(name, {rid: doc[i] for rid, i in zip(rids, ids)}) for _, name, ids, rids in found]

    def _matcher(self, vocab: Vocab) -> DependencyMatcher:
        matcher = self._matchers.get(id(vocab))
        if matcher is None:
            matcher = self._matchers[id(vocab)] = DependencyMatcher(vocab, validate=True)
            for name in self.slow:
                matcher.add(name, [self.specs[name]["pattern"]])
        return matcher


def one_token_node(pattern: list[Mapping[str, Any]]) -> PatternNode | None:
    """A Matcher pattern of exactly one token as a node of kg's tree matcher (see `tokens_passing`),
    or None when it is longer, optional or tests what that matcher does not evaluate."""
    if len(pattern) != 1 or pattern[0].get("OP", "1") != "1":
        return None
    nodes = _compile([{"RIGHT_ID": "token", "RIGHT_ATTRS": {k: v for k, v in pattern[0].items() if k != "OP"}}])
    return nodes[0] if nodes else None


def tokens_passing(doc: Doc, node: PatternNode) -> frozenset[int]:
    """The tokens of `doc` that a one-token pattern (`one_token_node`) matches: a lookup in the
    article's index, where spaCy's Matcher would walk every token of every sentence."""
    return _doc_index(doc).candidates(node)


def _tree_matches(index: _DocIndex, nodes: tuple[PatternNode, ...]) -> list[tuple[int, ...]]:
    """Every assignment of tokens to `nodes` (in node order) that satisfies the pattern, grown node
    by node from the anchors; like spaCy's, two nodes may take the same token when their tests and
    relations allow it."""
    partial = [(anchor,) for anchor in index.ordered(nodes[0])]
    for node in nodes[1:]:
        if not partial:
            break
        left = node.left
        if node.op == "<":
            head, cands = index.head, index.candidates(node)
            partial = [found + (up,) for found in partial
                       for up in (head[found[left]],) if up != found[left] and up in cands]
        elif node.op == ">":
            children = index.children
            tests = [(index.values(attr), values) for attr, values in node.tests]
            if not tests:
                partial = [found + (tok,) for found in partial for tok in children[found[left]]]
            elif len(tests) == 1:
                (column, values), = tests
                partial = [found + (tok,) for found in partial for tok in children[found[left]] if column[tok] in values]
            elif len(tests) == 2:
                (column, values), (column2, values2) = tests
                partial = [found + (tok,) for found in partial for tok in children[found[left]]
                           if column[tok] in values and column2[tok] in values2]
            else:
                partial = [found + (tok,) for found in partial for tok in children[found[left]]
                           if all(column[tok] in values for column, values in tests)]
        else:
            related = index.related(node)
            partial = [found + (tok,) for found in partial for tok in related.get(found[left], ())]
    return partial


class NeedsIndex:
    """Which patterns a set of words makes possible: an inverted index from each needed word to
    the (pattern, requirement) pairs it satisfies, so that a sentence costs one set intersection
    rather than a test of every pattern. `needs`: (pattern name, the word sets it needs, one word
    of each), as `needed_words` gives them."""

    def __init__(self, needs: Iterable[tuple[str, tuple[frozenset[str], ...]]]) -> None:
        needs = list(needs)
        self.always = frozenset(name for name, need in needs if not need)
        self.counts = {name: len(need) for name, need in needs}
        #: word -> (pattern, its requirement as a bit: 1 << index), the requirements met are OR'ed
        self.by_word: dict[str, list[tuple[str, int]]] = {}
        for name, need in needs:
            for k, words in enumerate(need):
                for word in words:
                    self.by_word.setdefault(word, []).append((name, 1 << k))
        self.words = frozenset(self.by_word)
        #: patterns named once: for those, all requirements met means each of bits 1 << 0 .. 1 << count - 1 set
        self._single = {name for name, n in Counter(name for name, _ in needs).items() if n == 1}

    def possible_at(self, found: Mapping[str, int]) -> int:
        """The places (say the sentences of a doc, as bits of an int) where some pattern may be
        active, given each word's (and marker's) places: `found` maps a word to the bits of the
        places it occurs in. A cheap prefilter for `active`, never narrower: a place it leaves out
        has no active pattern (one pass over the words found, not one per place)."""
        if self.always:
            return -1
        met: dict[tuple[str, int], int] = {}  # (pattern, requirement bit) -> places it is met at
        by_word = self.by_word
        for word, places in found.items():
            for key in by_word.get(word, ()):
                met[key] = met.get(key, 0) | places
        out = 0
        for name, count in self.counts.items():
            if name in self._single:  # all its requirements, each at the same place
                places = -1
                for k in range(count):
                    places &= met.get((name, 1 << k), 0)
            else:  # a name shared by several patterns: any requirement met (never narrower)
                places = 0
                for (met_name, _), at in met.items():
                    if met_name == name:
                        places |= at
            out |= places
        return out

    def active(self, words: frozenset[str], also: frozenset[str] = frozenset()) -> frozenset[str]:
        """The patterns all of whose requirements `words` or `also` (more words, say entity
        markers: given apart, so that the caller need not make the union) meet."""
        met: dict[str, int] = {}
        by_word = self.by_word
        for word in chain(words & self.words, also & self.words):
            for name, bit in by_word[word]:
                met[name] = met.get(name, 0) | bit
        counts = self.counts
        return self.always | {name for name, bits in met.items() if bits.bit_count() == counts[name]}

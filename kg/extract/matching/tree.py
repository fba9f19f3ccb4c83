"""Dependency patterns: kg's tree matcher, with spaCy's DependencyMatcher semantics.

Patterns that test token attributes (ORTH, LOWER, LEMMA, POS, TAG, DEP, SHAPE: a string or an
"IN" list) and relate nodes by ">", "<" or ">>" are evaluated over the parse columns: the anchor's
candidate tokens are looked up by value, then each further node among the children, head or
descendants of the node it hangs from. spaCy's DependencyMatcher walks Token objects and every
matching token's ancestors in Python, which cost about a fifth of all extraction; the matches are
the same (tests/test_patterns.py checks them against it on real articles). Any other pattern is
matched by spaCy's DependencyMatcher itself.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, NamedTuple

import numpy
from spacy.attrs import DEP, LEMMA, LOWER, ORTH, POS, SHAPE, TAG
from spacy.matcher import DependencyMatcher
from spacy.strings import get_string_id
from spacy.vocab import Vocab

from kg.errors import ConfigError
from kg.extract.doc import ParsedDoc
from kg.extract.matching.files import check_sentence_attrs
from kg.extract.matching.needs import needed_words


class Match(NamedTuple):
    """One match of a pattern: its name, and the token (index) of each of its roles."""

    name: str
    roles: dict[str, int]


#: the node attributes and relations kg's own tree matcher evaluates; a pattern that uses
#: anything else is handed to spaCy's DependencyMatcher
FAST_ATTRS = {"ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "LEMMA": LEMMA, "POS": POS, "TAG": TAG, "DEP": DEP,
              "SHAPE": SHAPE}
FAST_OPS = (">", "<", ">>")

#: a node's test: an attribute name and the string IDs it accepts
Test = tuple[str, frozenset[int]]


class PatternNode(NamedTuple):
    """One node of a compiled dependency pattern: its role, the earlier node it hangs from (-1 for
    the anchor), how (REL_OP), and what the token must be (its tests)."""

    right_id: str
    left: int
    op: str
    tests: tuple[Test, ...]


_INTERNED: dict[Any, Any] = {}  # the tests of compiled nodes, each kept once (bounded by the pattern data)


def _interned(value: Any) -> Any:
    """`value`, or the equal one seen before: the tree matcher's caches are keyed by node tests, and
    a key that is the very object stored is found without comparing value sets element by element
    (nodes of different patterns often share a test: "DEP": "prep", a "$list" of the lexicon)."""
    return _INTERNED.setdefault(value, value)


def compile_pattern(pattern: list[Mapping[str, Any]]) -> tuple[PatternNode, ...] | None:
    """The pattern as nodes kg's tree matcher can evaluate, or None when it needs spaCy's."""
    ids: dict[str, int] = {}
    nodes = []
    for k, node in enumerate(pattern):
        tests = []
        for attr, want in node.get("RIGHT_ATTRS", {}).items():
            if attr not in FAST_ATTRS:
                return None
            if isinstance(want, str):
                tests.append(_interned((attr, _interned(frozenset([get_string_id(want)])))))
            elif isinstance(want, dict) and set(want) == {"IN"} and all(isinstance(w, str) for w in want["IN"]):
                tests.append(_interned((attr, _interned(frozenset(get_string_id(w) for w in want["IN"])))))
            else:
                return None
        if k == 0:
            nodes.append(PatternNode(node["RIGHT_ID"], -1, "", _interned(tuple(tests))))
        elif node.get("REL_OP") in FAST_OPS and node.get("LEFT_ID") in ids:
            nodes.append(PatternNode(node["RIGHT_ID"], ids[node["LEFT_ID"]], node["REL_OP"], _interned(tuple(tests))))
        else:
            return None
        ids[node["RIGHT_ID"]] = k
    return tuple(nodes)


def one_token_node(pattern: list[Mapping[str, Any]]) -> PatternNode | None:
    """A Matcher pattern of exactly one token as a node of the tree matcher (its tokens are then
    `TreeIndex.candidates`), or None when it is longer, optional or tests what that matcher does
    not evaluate."""
    if len(pattern) != 1 or pattern[0].get("OP", "1") != "1":
        return None
    nodes = compile_pattern([{"RIGHT_ID": "token", "RIGHT_ATTRS": {k: v for k, v in pattern[0].items() if k != "OP"}}])
    return nodes[0] if nodes else None


class ValueTable:
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


#: attribute name -> the values its tests accept, shared by all articles (bounded by the pattern data)
_VALUE_TABLES: dict[str, ValueTable] = {}


class TreeIndex:
    """One article's parse for the tree matcher: which tokens pass a node's tests (found with
    `ValueTable` lookups, once per test and article), and for each node the candidates among
    each token's children or descendants."""

    def __init__(self, parsed: ParsedDoc) -> None:
        self.parsed = parsed
        self.head = parsed.head
        self.children = parsed.children
        self.lists: dict[str, list[int]] = {}
        self.positions: dict[str, tuple[int, numpy.ndarray]] = {}  # attribute -> (version, positions)
        self.masks: dict[Test, numpy.ndarray] = {}  # by test
        self.by_node: dict[tuple[Test, ...], list[int]] = {}  # by node tests
        self.node_sets: dict[tuple[Test, ...], frozenset[int]] = {}
        self.by_relation: dict[tuple[str, tuple[Test, ...]], dict[int, list[int]]] = {}

    def column(self, attr: str) -> numpy.ndarray:
        """Each token's `attr` (string IDs)."""
        return self.parsed.ids(FAST_ATTRS[attr])

    def passing(self, attr: str, values: frozenset[int]) -> numpy.ndarray:
        """Whether each token's `attr` is one of `values` (string IDs, compared as spaCy's Matcher
        does), as a boolean array."""
        mask = self.masks.get((attr, values))
        if mask is not None:  # a test many nodes share ("DEP": "nsubj")
            return mask
        tables = _VALUE_TABLES.get(attr)
        if tables is None:
            tables = _VALUE_TABLES[attr] = ValueTable()
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
        `tree_matches`); made once per article and node, so that growing each partial match is a
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


def tree_matches(index: TreeIndex, nodes: tuple[PatternNode, ...]) -> list[tuple[int, ...]]:
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
            children, cands = index.children, index.candidates(node)
            partial = [found + (tok,) for found in partial for tok in children[found[left]] if tok in cands]
        else:
            related = index.related(node)
            partial = [found + (tok,) for found in partial for tok in related.get(found[left], ())]
    return partial


class DependencyGroup:
    """A named group of DependencyMatcher patterns (say relations.json's "visit" patterns),
    matched with spaCy's DependencyMatcher semantics: by the tree matcher when it can evaluate a
    pattern, else by spaCy's DependencyMatcher."""

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
        compiled = {name: compile_pattern(spec["pattern"]) for name, spec in self.specs.items()}
        self.fast = {name: nodes for name, nodes in compiled.items() if nodes is not None}
        #: the words each pattern kg evaluates needs (every node must match a token, and for each
        #: word test one of its words): a doc without them is not searched for the pattern
        self.needs = {name: tuple(_interned(words) for words in needed_words(node.get("RIGHT_ATTRS", {})
                                                                           for node in self.specs[name]["pattern"]))
                      for name in self.fast}
        self.slow = sorted(name for name, nodes in compiled.items() if nodes is None)
        self._matchers: dict[int, DependencyMatcher] = {}

    def matches(self, index: TreeIndex) -> list[Match]:
        """Every match in the article, in text order (then by name)."""
        parsed = index.parsed
        found: list[tuple[int, str, tuple[int, ...], tuple[str, ...]]] = []
        if self.fast:
            words = parsed.word_set
            lacking: dict[frozenset[str], bool] = {}  # by needed word set (patterns share them)
            for name, nodes in self.fast.items():
                if any(lacking[need] if need in lacking else lacking.setdefault(need, words.isdisjoint(need))
                       for need in self.needs[name]):
                    continue
                for ids in tree_matches(index, nodes):
                    found.append((min(ids), name, ids, tuple(n.right_id for n in nodes)))
        if self.slow:
            doc = parsed.doc
            for match_id, ids in self._matcher(doc.vocab)(doc):
                name = doc.vocab.strings[match_id]
                found.append((min(ids), name, tuple(ids), tuple(n["RIGHT_ID"] for n in self.specs[name]["pattern"])))
        found.sort(key=lambda f: (f[0], f[1], sorted(zip(f[3], f[2]))))
        return [Match(name, dict(zip(rids, ids))) for _, name, ids, rids in found]

    def _matcher(self, vocab: Vocab) -> DependencyMatcher:
        matcher = self._matchers.get(id(vocab))
        if matcher is None:
            matcher = self._matchers[id(vocab)] = DependencyMatcher(vocab, validate=True)
            for name in self.slow:
                matcher.add(name, [self.specs[name]["pattern"]])
        return matcher

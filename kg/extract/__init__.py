"""Extraction of one article: a pure function from a Document (and its parse) to an ArticleRecord.

No I/O and no global state beyond read-only gazetteers and compiled patterns, so it runs
unchanged in a worker process or a Ray actor. The article's parse is read once into a
`ParsedDoc` (kg/extract/doc.py); the stages, each in its own module, read it and fill a
`DocContext` in order: entities -> roles -> relations -> agreements -> claims.
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.agreements import extract_agreements
from kg.extract.claims import extract_claims
from kg.extract.context import DocContext
from kg.extract.doc import ParsedDoc
from kg.extract.entities import extract_entities
from kg.extract.relations import extract_relations
from kg.extract.roles import extract_roles
from kg.nlp import clean_text, doc_text, parse_texts
from kg.records import ArticleRecord, Document

#: the stages, in order; each reads and fills the article's DocContext
STAGES: tuple[Callable[[DocContext], None], ...] = (
    extract_entities,
    extract_roles,
    extract_relations,
    extract_agreements,
    extract_claims,
)


def extract_parsed(document: Document, doc: Doc) -> ArticleRecord:
    """The record of a document whose text was already parsed into `doc`."""
    try:
        ctx = DocContext(document=document, parsed=ParsedDoc(doc, doc_text(doc)))
        for stage in STAGES:
            stage(ctx)
        return ctx.to_record()
    finally:
        release(doc)


def release(doc: Doc) -> None:
    """Drop what kg keeps in `doc.user_data` (the text `kg.nlp.parse_texts` put there): the doc is
    done with once its record is made."""
    doc.user_data.pop("kg_text", None)


def extract(document: Document, nlp: Language) -> ArticleRecord:
    """Parse and extract one document."""
    return next(extract_many([document], nlp, batch_size=1))


def extract_many(documents: Iterable[Document], nlp: Language, batch_size: int = 64) -> Iterator[ArticleRecord]:
    """Records for many documents, parsing with nlp.pipe in batches (order preserved)."""
    docs = list(documents) if not isinstance(documents, list) else documents
    texts = (clean_text(d.text) for d in docs)
    for document, parsed in zip(docs, parse_texts(nlp, texts, batch_size)):
        yield extract_parsed(document, parsed)

"""Extraction of one article: a pure function from a Document (and its parse) to an ArticleRecord.

No I/O and no global state beyond read-only gazetteers, so it runs unchanged in a worker process
or a Ray actor. Stages, each in its own module, fill a DocContext in order:
entities -> roles -> relations -> agreements -> claims.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.context import DocContext
from kg.extract.doc import ParsedDoc
from kg.nlp import clean_text, doc_text, parse_texts
from kg.records import ArticleRecord, Document

#: stage functions run after entity extraction, in order; each takes the DocContext
STAGES: list[str] = [
    "kg.extract.roles:extract_roles",
    "kg.extract.relations:extract_relations",
    "kg.extract.agreements:extract_agreements",
    "kg.extract.claims:extract_claims",
]


@lru_cache(maxsize=1)
def _stage_functions() -> tuple[Callable[[DocContext], None], ...]:
    """The stage functions of `STAGES`, imported once (not once per article)."""
    import importlib

    funcs = []
    for spec in STAGES:
        module, name = spec.split(":")
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:  # stage not written yet
                continue
            raise
        funcs.append(getattr(mod, name))
    return tuple(funcs)


def extract_parsed(document: Document, doc: Doc) -> ArticleRecord:
    """The record of a document whose text was already parsed into `doc`."""
    from kg.extract.entities import extract_entities

    ctx = DocContext(document=document, parsed=ParsedDoc(doc, doc_text(doc)))
    try:
        extract_entities(ctx)
        for stage in _stage_functions():
            stage(ctx)
        return ctx.to_record()
    finally:
        release(doc)


def release(doc: Doc) -> None:
    """Drop the per-article caches the stages keep in `doc.user_data` (keys "kg_..."). Many hold
    Spans or Tokens of the doc, which point back to it: left in place, the doc could only be freed
    by the cyclic garbage collector, long after its batch."""
    for key in [k for k in doc.user_data if isinstance(k, str) and k.startswith("kg_")]:
        del doc.user_data[key]


def extract(document: Document, nlp: Language) -> ArticleRecord:
    """Parse and extract one document."""
    return next(extract_many([document], nlp, batch_size=1))


def extract_many(documents: Iterable[Document], nlp: Language, batch_size: int = 64) -> Iterator[ArticleRecord]:
    """Records for many documents, parsing with nlp.pipe in batches (order preserved)."""
    docs = list(documents) if not isinstance(documents, list) else documents
    texts = (clean_text(d.text) for d in docs)
    for document, parsed in zip(docs, parse_texts(nlp, texts, batch_size)):
        yield extract_parsed(document, parsed)

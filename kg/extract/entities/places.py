"""Rule 8: places the model missed or typed otherwise.

- `admin_list_spans`: the names after "the states of", "the provinces of" ("The states of Sao
  Paulo, Parana and Rio Grande do Sul");
- `missed_place_names`: countries, large cities and "X Street" names the model left outside every
  entity;
- `place_lists`: ORG-typed names listed with places after "in" ("in Cordoba, Santa Fe and Chaco").
"""
from __future__ import annotations

from kg.extract.doc import ParsedDoc, TokenSpan
from kg.extract.entities.cleaning import CITY_OVERRIDE_POP
from kg.extract.entities.words import LIST_SEPARATORS, after_locative, has_org_word, is_designator
from kg.gazetteer import Gazetteer


def _title_run(p: ParsedDoc, i: int, gaz: Gazetteer) -> int:
    """End of a place name starting at token i: capitalised words, with name particles between
    them ("Rio Grande do Sul"); i itself when token i starts no name."""
    n = p.n
    j = i
    while j < n and p.is_title[j] and p.is_alpha[j]:
        j += 1
        if (j + 1 < n and p.words[j] in ("-", "\u2013") and not p.space[j - 1] and not p.space[j]
                and p.is_title[j + 1]):
            j += 1  # "North Rhine-Westphalia"
            continue
        k = j
        while k < n and p.lower[k] in gaz.words.place_particles and p.is_lower[k] and k - j < 2:
            k += 1
        if k > j and k < n and p.is_title[k] and p.is_alpha[k]:
            j = k
    return j


def admin_list_spans(p: ParsedDoc, gaz: Gazetteer) -> list[TokenSpan]:
    """The names after "the states of", "the provinces of", "the province of": "The states of Sao
    Paulo, Parana and Rio Grande do Sul" names three states, whatever the model made of them (it
    typed Parana a person and missed Rio Grande do Sul). A name ending in an organisation word
    ("the state of Sao Paulo Bank") is left to the model."""
    hits = [i for i in p.positions(gaz.words.admin_nouns)
            if i + 2 < p.n and p.lower[i + 1] == "of" and p.is_lower[i] and p.is_alpha[i]]
    out: list[TokenSpan] = []
    for i in hits:
        j = i + 2
        while j < p.n:
            end = _title_run(p, j, gaz)
            if end == j:
                break
            if p.lower[end - 1] in gaz.org_heads or is_designator(p, end - 1):
                break
            out.append(TokenSpan(j, end, "GPE"))
            k = end
            if k < p.n and p.words[k] == ",":
                k += 1
            if k < p.n and p.lower[k] == "and":
                k += 1
            if k == end or k >= p.n or not p.is_title[k]:
                break
            j = k
    return out


def _country_or_city(p: ParsedDoc, i: int, j: int, gaz: Gazetteer) -> bool:
    """Tokens i..j name a country, or a city of at least CITY_OVERRIDE_POP people."""
    text = p.text_of(i, j)
    if gaz.country(text):
        return True
    place = gaz.place(text)
    return place is not None and place.kind == "city" and place.population >= CITY_OVERRIDE_POP


def missed_place_names(p: ParsedDoc, pieces: list[TokenSpan], gaz: Gazetteer) -> list[TokenSpan]:
    """Place names the model left outside every entity: a country ("G H Shintoh (Australia) Ltd"),
    a large city used as a modifier ("the Adelaide office") and a street, square or other named
    place ending in a place head noun ("a Wall Street analyst"). Only words that stand alone as a
    name count: not at a sentence start, not next to another capitalised word, not written in
    lowercase elsewhere in the text."""
    words = p.words
    covered = {i for piece in pieces for i in piece.tokens()}
    in_ents = {i for ent in p.ents for i in ent.tokens()}
    out = list(pieces)
    after = 0  # where the last run read ended
    for i, word in enumerate(words):
        if not (word[:1].isupper() and word[1:2].islower()) or i < after or i in covered or i in in_ents:
            continue
        j = i + 1  # the capitalised run from i
        while j < p.n and words[j][:1].isupper() and j not in covered and j not in in_ents and p.is_alpha[j]:
            j += 1
        before = words[i - 1] if i > 0 else ""
        if (p.sent_start[i] or (before[:1].isupper() and before.isalpha())
                or (before and not before[:1].isalnum() and before not in ("(", ","))):  # "--- Columbia was"
            after = j
            continue
        if (j - i >= 2 and p.lower[j - 1] in gaz.place_heads
                and all(p.tag[k] in ("NNP", "NNPS") for k in range(i, j))):
            out.append(TokenSpan(i, j, "FAC"))  # "Wall Street"
        elif j - i <= 2 and _country_or_city(p, i, j, gaz):
            if not any(p.lower[k] in p.lowercase_words for k in range(i, j)):
                out.append(TokenSpan(i, j, "GPE"))
        after = j
    return out


def place_lists(p: ParsedDoc, pieces: list[TokenSpan], gaz: Gazetteer) -> tuple[list[TokenSpan], dict[tuple[int, int], int]]:
    """Names listed with places after a locative preposition are places: "in Cordoba, Santa Fe and
    Chaco", "50 in Entre Rios and Misiones, 95 in Corrientes" (one span the model typed ORG, split
    into its two names). Only the model's ORG names without any mark of an organisation (head noun,
    designator, company word, acronym) are retyped, and only in a list whose other members are all
    places, at least one of them by the model's own label or as a country.
    Returns the pieces (split where needed) and the (start, end) of the listed names, with weight 2."""
    listed: dict[tuple[int, int], int] = {}
    if len(pieces) < 3 and not (len(pieces) == 2 and pieces[0].label != pieces[1].label):
        return pieces, listed
    pieces = sorted(pieces, key=lambda span: span.start)
    chains: list[list[TokenSpan]] = [[pieces[0]]]
    for span in pieces[1:]:
        if _list_gap(p, chains[-1][-1].end, span.start, gaz):
            chains[-1].append(span)
        else:
            chains.append([span])
    out: list[TokenSpan] = []
    for chain in chains:
        if len(chain) < 2 or not any(span.label == "ORG" for span in chain):
            out.extend(chain)
            continue
        kinds = [_list_member(p, span, gaz) for span in chain]
        if (None in kinds or not any(k == "place" and span.label != "ORG" for k, span in zip(kinds, chain))
                or not any(after_locative(p, span.start, gaz.words.directions) for span in chain)):
            out.extend(chain)
            continue
        for span in chain:
            if span.label != "ORG":
                out.append(span)
                continue
            for part in _list_parts(p, span):
                out.append(part)
                listed[part.start, part.end] = 2
    return out, listed


def _list_gap(p: ParsedDoc, a: int, b: int, gaz: Gazetteer) -> bool:
    """Tokens a..b separate two members of one list of places."""
    if not 0 < b - a <= 4:
        return False
    gap = range(a, b)
    return any(p.lower[k] in LIST_SEPARATORS for k in gap) and all(
        p.lower[k] in LIST_SEPARATORS or p.like_num[k] or p.lower[k] in gaz.words.locative_preps
        or p.lower[k] in gaz.words.directions for k in gap)


def _list_member(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> str | None:
    """ "place" (a country, a GPE/LOC, a large city), "name" (an ORG-typed name with no mark of an
    organisation), or None (anything else: a person, a company, a product)."""
    text = p.span_text(span)
    if gaz.country(text):
        return "place"
    if span.label in ("GPE", "LOC"):
        return "place"
    if span.label != "ORG":
        return None
    place = gaz.place(text)
    if place is not None and place.population >= CITY_OVERRIDE_POP:
        return "place"
    if (p.lower[span.end - 1] in gaz.org_heads or is_designator(p, span.end - 1) or has_org_word(p, span, gaz)
            or any(p.is_upper[t] and len(p.words[t]) > 1 for t in span.tokens()) or not p.is_title[span.start]):
        return None
    return "name"


def _list_parts(p: ParsedDoc, span: TokenSpan) -> list[TokenSpan]:
    """ "Entre Rios and Misiones" -> "Entre Rios", "Misiones": the names one span lists."""
    parts: list[TokenSpan] = []
    s = span.start
    for i in range(span.start, span.end + 1):
        if i == span.end or p.lower[i] in LIST_SEPARATORS:
            if i > s:
                parts.append(TokenSpan(s, i, span.label))
            s = i + 1
    return parts

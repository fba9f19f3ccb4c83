"""Rules 1, 2 and the admin-head rule: NER spans trimmed, split and merged into name spans.

- `clean`: determiners, possessives, honorifics, a stock symbol after a designator and trailing
  demonyms are cut off; a span holding two names is split (at an inner possessive, "Lavrov's
  Visit"; at "of" after a designator; after a country's possessive that lost its apostrophe,
  "Irans Ahvaz field"; "Town, Region" typed ORG; the town in "... of Wayne, N.J."); "sub-Saharan
  Africa" and "Centre-West" are taken whole;
- `merge_split_names`: a PERSON span followed by the rest of the name ("Choe Son" + "Hui",
  "Jacques" + "de Larosiere");
- `with_admin_head`: "Kursk" + "region" is the region, not the city.
"""
from __future__ import annotations

from kg.extract.context import DocContext
from kg.extract.doc import ParsedDoc, TokenSpan
from kg.extract.entities.words import POSSESSIVES, designator_word, ticker_word
from kg.gazetteer import Gazetteer

#: minimum population for a city name to override the model's non-place label
CITY_OVERRIDE_POP = 100_000


def trailing_demonym(p: ParsedDoc, s: int, e: int, gaz: Gazetteer) -> int:
    """Length (0, 1 or 2 tokens) of a demonym ending the span s..e ("... North Korean")."""
    if e - 2 > s and gaz.demonym(p.text_of(e - 2, e)) and not gaz.country(p.text_of(s, e)):
        return 2
    if e - 1 > s and gaz.demonym(p.words[e - 1]) and not gaz.country(p.text_of(s, e)):
        return 1
    return 0


def _split_points(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> list[tuple[int, int]]:
    """Where a span holds two names, as (end of one, start of the next): at a possessive
    ("Lavrov's Visit"), at "of" after a company suffix ("Meyer Detective Agency Inc of National
    Park"), and after a country's possessive that lost its apostrophe ("Irans Ahvaz field")."""
    start, end, org = span.start, span.end, span.label == "ORG"
    suffixes = gaz.words.company_suffixes
    cuts = []
    for i in range(start, end):
        text = p.words[i]
        if text in POSSESSIVES or p.tag[i] == "POS":
            cuts.append((i, i + 1))
        elif (org and p.lower[i] == "of" and i > start
              and p.lower[i - 1].rstrip(".") in suffixes and i + 1 < end
              and p.lower[end - 1].rstrip(".") not in suffixes):  # "Co of Canada Ltd" is one name
            cuts.append((i, i + 1))
        elif (i + 1 < end and len(text) > 3 and text.endswith("s") and text.istitle()
              and gaz.country(text[:-1]) and not gaz.country(text)):
            cuts.append((i + 1, i + 1))
    town = _town_after_of(p, span, gaz) if org else None
    if town is not None and not any(c[0] >= town - 1 for c in cuts):
        cuts.append((town - 1, town))  # "... Security Services of America | of | Wayne", N.J.
    return cuts


def _town_and_region(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> list[TokenSpan] | None:
    """ "Murdochville, Quebec" typed ORG: a capitalised name, a comma and a country, US state or
    large city is a town and its region, two places (None when the span is not of that form)."""
    if span.label != "ORG":
        return None
    start, end = span.start, span.end
    if p.words[start:end].count(",") != 1:
        return None
    c = p.words.index(",", start, end)
    if c == start or c + 1 >= end:
        return None
    if (not all(p.is_title[i] and p.is_alpha[i] for i in range(start, c)) or c - start > 3
            or p.lower[c - 1] in gaz.org_heads):
        return None
    region = p.text_of(c + 1, end)
    place = gaz.place(region)
    if not (gaz.country(region) or (place is not None and (place.kind == "admin1" or place.population >= CITY_OVERRIDE_POP))
            or gaz.state_abbreviation(region)):
        return None
    return [TokenSpan(start, c, "GPE"), TokenSpan(c + 1, end, "GPE")]


def _town_after_of(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> int | None:
    """Where the town begins in an ORG span that ends in "of <Town>" before ", <state
    abbreviation>" ("Security Services of America of Wayne, N.J."): the wires place a company in
    its town that way; None otherwise."""
    e = span.end
    if span.label != "ORG" or e + 1 >= p.n or p.words[e] != "," or not gaz.state_abbreviation(p.words[e + 1]):
        return None
    if not p.words[e + 1][:1].isupper():
        return None
    k = e - 1
    while k > span.start and p.is_title[k] and p.is_alpha[k] and e - k <= 3:
        k -= 1
    if p.lower[k] != "of" or k == e - 1 or k - span.start < 2:
        return None
    return k + 1


def clean(ctx: DocContext, span: TokenSpan, gaz: Gazetteer) -> list[TokenSpan]:
    """Trim and split one NER span into name spans (none when nothing name-like is left); the
    tokens of trailing demonyms are noted in `ctx.demonym_tokens`."""
    p = ctx.parsed
    split = _town_and_region(p, span, gaz)
    if split is not None:
        return split
    lower, text, space = p.lower, p.words, p.space
    words = gaz.words
    parts: list[tuple[int, int, str]] = []
    cur = span.start
    after_country = set()  # parts that follow a country's possessive: "Japans | Finance Ministry"
    for cut, nxt in _split_points(p, span, gaz):
        parts.append((cur, cut, span.label))
        if cut == nxt:
            after_country.add(len(parts))
        cur = nxt
    after_of = bool(parts) and lower[cur - 1] == "of"
    parts.append((cur, span.end, "GPE" if after_of else span.label))
    out: list[TokenSpan] = []
    for part, (s, e, label) in enumerate(parts):
        while s < e and (lower[s] in words.leading_drop or p.is_punct[s] or p.is_space[s] or
                         (label == "PERSON" and lower[s] in words.honorifics and e - s > 1)):
            s += 1
        while e > s and (p.is_punct[e - 1] or p.is_space[e - 1] or text[e - 1] in POSSESSIVES):
            e -= 1
        if e - s >= 3 and ticker_word(lower[e - 1], text[e - 1]) and designator_word(lower[e - 2], text[e - 2]):
            e -= 1  # "CBS Inc CBS": news wires put the stock symbol after the company's name
        if (label in ("GPE", "LOC") and s == span.start and s >= 3 and text[s - 2] == "-"
                and p.is_lower[s - 3] and p.is_alpha[s - 3] and p.is_title[s - 1]
                and not space[s - 3] and not space[s - 2] and not gaz.country(p.span_text(span))):
            s -= 3  # "sub-Saharan Africa": the region the hyphenated adjective marks out, not the continent
        if (label in ("GPE", "LOC") and e == span.end and e + 1 < p.n and text[e] == "-"
                and not space[e - 1] and not space[e] and p.is_title[e + 1]
                and not p.ent_type[e + 1]):
            e += 2  # "Centre-West": the name is the whole hyphenated compound, not its first half
        # trailing demonyms are adjectives of the next noun, not part of an ORG/PERSON name
        if span.label in ("ORG", "PERSON") or part > 0:
            k = trailing_demonym(p, s, e, gaz)
            while k:
                for i in range(e - k, e):
                    ctx.demonym_tokens.setdefault(i, "")
                e -= k
                k = trailing_demonym(p, s, e, gaz)
        if label in ("ORG", "PERSON"):  # "Boeing Executive": a title word ends no name
            while (e - s > 1 and lower[e - 1] in gaz.role_words and lower[e - 1] not in gaz.org_heads
                   and p.tag[e - 2] in ("NNP", "NNPS") and lower[e - 2] not in gaz.role_words):
                e -= 1  # but "Royal Courts of Justice" keeps its last word
        if s >= e:
            continue
        if part > 0 and label != "GPE":
            # the rest of a span after a possessive is a name only when it looks like one:
            # "Lavrov's Visit" leaves "Visit", a headline word, which is dropped
            if not (lower[e - 1] in gaz.org_heads or lower[e - 1] in gaz.place_heads
                    or (e - s >= 2 and all(p.is_title[i] for i in range(s, e)))
                    or (part in after_country and p.is_title[s] and (e - s >= 2 or gaz.place(p.text_of(s, e))))):
                continue  # but "Japans Ministry of International Trade" and "Irans Ahvaz" (a city) are names
        out.append(TokenSpan(s, e, label))
    return out


def merge_split_names(p: ParsedDoc, spans: list[TokenSpan], gaz: Gazetteer) -> list[TokenSpan]:
    """Join a PERSON span with the name piece right after it: "Choe Son" + "Hui", "Jacques" + "de
    Larosiere" (lowercase particles between the pieces are part of the name)."""
    if not spans:
        return spans
    spans = sorted(spans, key=lambda span: span.start)
    out = [_extend_particles(p, spans[0], gaz)]
    for span in spans[1:]:
        prev = out[-1]
        gap = range(prev.end, span.start)
        text = p.span_text(span)
        if (
            prev.label == "PERSON"
            and len(gap) <= 3
            and all(p.lower[i] in gaz.words.name_particles and p.is_lower[i] for i in gap)
            and len(span) <= 2
            and span.label in ("NORP", "PERSON", "ORG", "GPE")
            and all(p.is_title[i] for i in span.tokens())
            and not gaz.demonym(text)
            and not gaz.country(text)
        ):
            out[-1] = TokenSpan(prev.start, span.end, "PERSON")
            continue
        out.append(_extend_particles(p, span, gaz))
    return out


def _extend_particles(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> TokenSpan:
    """A PERSON span followed by particles and a capitalised name token takes them in."""
    if span.label != "PERSON":
        return span
    i = span.end
    while i < p.n and p.lower[i] in gaz.words.name_particles and p.is_lower[i] and i - span.end < 3:
        i += 1
    if i > span.end and i < p.n and p.is_title[i] and p.pos[i] == "PROPN" and not p.ent_type[i]:
        return TokenSpan(span.start, i + 1, "PERSON")
    return span


def with_admin_head(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> TokenSpan:
    """ "Kursk" + "region" -> "Kursk region": the region, not the city of that name."""
    if span.label in ("PERSON", "NORP", "ORG") or span.end >= p.n:
        return span
    nxt = p.lower[span.end]
    text = p.span_text(span)
    if p.is_lower[span.end] and nxt in gaz.words.admin_heads and not gaz.country(text):
        place = gaz.place(text)
        if nxt == "state" and place is not None and place.kind == "admin1":
            return span  # "Texas state courts": Texas is the state already ("New York state" is not the city)
        return TokenSpan(span.start, span.end + 1, "LOC")
    return span

"""Entities of one article: NER spans cleaned, merged, re-typed by gazetteers, aliases resolved.

The raw model makes systematic errors (surnames typed ORG, names split in two, places typed
PRODUCT, headlines run into the next sentence). Each is fixed by a general mechanism, in this
order (`extract_entities`):

1. span cleaning (`cleaning`): determiners, possessives and trailing demonyms are cut off; a span
   holding an inner possessive ("Lavrov's Visit Russian") is split;
2. span merging (`cleaning`): a PERSON span followed directly by a capitalised name token is extended;
3. title patterns (kg/extract/roles.py): the name after a job title is a Person;
4. gazetteers (`classify`): countries (names, short forms), demonyms, GeoNames places, place/org
   head nouns;
5. alias resolution (`resolution`): "Lavrov" is the article's "Sergei Lavrov", whatever the model
   typed it; "Burlington" after "Burlington Industries Inc" is that company; "(MITI)" and a stock
   symbol after a company's designator ("... Inc HBJ") name the entity before them;
6. company names (`companies`, `classify`): a designator ("Inc", "Corp") makes an Organization and
   takes in the capitalised words before it that the model cut off; partners' names joined by
   "and Co" / "and Sons" or introduced by "the firm of" are one firm; words of foreign company
   names ("Compagnie", "Italiana"), an "of" after a person ("Edward Johnson of Johnson Redbook")
   and two hyphenated surnames alone ("O'Brien-Kreitzberg") mark organisations the model typed as
   people;
7. (`classify`) US state abbreviations after a city ("Seattle, Wash.") are that state; initials
   ("U. S.") are never a person; a name after "degrees" is a temperature scale;
8. places (`places`, `cleaning`, `classify`): the names after "the states/provinces of" and
   ORG-typed names listed with places after "in" ("in Cordoba, Santa Fe and Chaco") are places;
   so are "Town, Region" spans typed ORG, the town in "... of Wayne, N.J.", countries, large cities
   and "X Street" names the model missed, and "sub-Saharan Africa" whole; "the Zambian
   government" names Zambia; "Tokyo" in "the Tokyo and London Stock Exchanges" is an exchange;
9. type voting across all mentions of the same name (`resolution`).
"""
from __future__ import annotations

from kg.extract.context import DocContext
from kg.extract.doc import TokenSpan
from kg.extract.entities.classify import Candidate, classify
from kg.extract.entities.cleaning import clean, merge_split_names, with_admin_head
from kg.extract.entities.companies import conjoined_firm_spans, extend_designator_names, merge_designator_runs, outside
from kg.extract.entities.places import admin_list_spans, missed_place_names, place_lists
from kg.extract.entities.resolution import resolve_in_document
from kg.extract.roles import title_bounds, title_person_spans
from kg.gazetteer import gazetteer
from kg.records import EntityType

NER_LABELS = {"PERSON", "GPE", "LOC", "ORG", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"}

__all__ = ["extract_entities"]


def extract_entities(ctx: DocContext) -> None:
    """Fill ctx with the article's Person, Country, Place and Organization entities."""
    gaz = gazetteer()
    p = ctx.parsed
    pieces = [piece for span in p.ents if span.label in NER_LABELS for piece in clean(ctx, span, gaz)]
    pieces = [with_admin_head(p, piece, gaz) for piece in merge_designator_runs(p, merge_split_names(p, pieces, gaz))]
    pieces = extend_designator_names(p, pieces, gaz)
    firms = conjoined_firm_spans(p, gaz)
    in_firm = {i for firm in firms for i in firm.tokens()}
    if firms:  # (without firms every piece stays whole)
        pieces = [part for piece in pieces for part in outside(p, piece, firms)] + firms
    # "the states of Sao Paulo, Parana and Rio Grande do Sul": each named state is a Place (a model
    # place span that holds the name and more keeps its extent: "the state of Lower Saxony region")
    admin = admin_list_spans(p, gaz)
    if admin:
        admin = [next((TokenSpan(piece.start, piece.end, "GPE") for piece in pieces
                       if piece.start <= a.start and a.end <= piece.end and piece.label in ("GPE", "LOC")), a)
                 for a in admin]
        in_admin = {i for a in admin for i in a.tokens()}
        pieces = [piece for piece in pieces if in_admin.isdisjoint(piece.tokens())] + admin
    pieces = missed_place_names(p, pieces, gaz)
    pieces, listed = place_lists(p, pieces, gaz)
    listed.update({(a.start, a.end): 3 for a in admin})  # named as a state: as strong as a title
    candidates: list[Candidate] = []
    taken: set[int] = set()
    for span in title_person_spans(p, gaz):
        if in_firm.isdisjoint(span.tokens()):
            candidates.append(Candidate(span, p.span_text(span), EntityType.PERSON, 3))
            taken.update(span.tokens())
    in_titles = {i for title in title_bounds(p) for i in title.tokens()}
    for span in pieces:
        tokens = span.tokens()
        if not taken.isdisjoint(tokens):
            continue
        if in_titles.issuperset(tokens):
            continue  # "State" in "Secretary of State" is part of a title, not a name
        if (span.start, span.end) in listed:
            text = p.span_text(span)
            place = gaz.place(text)
            candidates.append(Candidate(span, text, EntityType.PLACE, listed[span.start, span.end],
                                        place.country if place else None))
            continue
        cand = classify(ctx, span, gaz)
        if cand is not None:
            candidates.append(cand)
    resolve_in_document(ctx, candidates, gaz)

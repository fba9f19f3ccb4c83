"""Rules 3-8 for one span: what kind of entity a cleaned name span is (`classify`), and how sure.

The evidence, strongest first: a US state abbreviation after a city ("Seattle, Wash."), a country
name, a corporate designator; company words of other languages; an apposition or a head noun that
says what the name is ("Magna, a Canadian automobile parts company", "its Conserv division");
GeoNames places; place and organisation head nouns; forms no personal name has ("Gazprombank",
"the Beatles", "O'Brien-Kreitzberg", "Edward Johnson of Johnson Redbook"); then the model's label.
Not names: initials ("U. S."), a word after "degrees", a misspelt month.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from kg.extract.context import DocContext
from kg.extract.doc import ParsedDoc, TokenSpan
from kg.extract.entities.cleaning import CITY_OVERRIDE_POP
from kg.extract.entities.words import designator_word, has_org_word
from kg.gazetteer import Gazetteer, gazetteer, norm
from kg.records import EntityType

PERSON, COUNTRY, PLACE, ORGANIZATION = EntityType.PERSON, EntityType.COUNTRY, EntityType.PLACE, EntityType.ORGANIZATION


@dataclass
class Candidate:
    """A cleaned span with its proposed type and how strong the evidence is."""

    span: TokenSpan
    text: str  # the span's text
    type: EntityType
    weight: int  # 1 model, 2 head noun / GeoNames, 3 gazetteer country or title pattern
    code: str | None = None
    #: the full name an abbreviation stands for ("Colorado" for "Colo."): its group key and label
    name: str | None = None
    #: the span's normalised words (`norm`), which alias resolution compares
    words: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.words = tuple(norm(self.text).split())

    def move_to(self, span: TokenSpan, text: str) -> None:
        """The candidate stands for another span (with that text) from now on."""
        self.span, self.text = span, text
        self.words = tuple(norm(text).split())


def apposition_kind(p: ParsedDoc, span: TokenSpan, root: int, gaz: Gazetteer) -> EntityType | None:
    """What an apposition (or the noun a name modifies: "its Conserv division") says the name is:
    "Magna, a Canadian automobile parts company" is an Organization, "Craiova, a city in Romania" a
    Place, "Kaja Kallas, the EU's foreign policy chief" a Person (job titles mark people). `root`:
    the span's root token."""
    s, e = span.start, span.end
    nouns = [c for c in p.children[root] if p.dep[c] == "appos" and c >= e]
    h = p.head[root]
    if p.dep[root] == "appos" and h < s:
        nouns.append(h)
    if (p.dep[root] == "compound" and h >= e and p.pos[h] == "NOUN" and p.is_lower[h]
            and gaz.kinds.get(p.lemma[h]) == ORGANIZATION and gaz.place(p.span_text(span)) is None
            and (span.label != "PERSON" or (s > 0 and p.lower[s - 1] in ("its", "their")))):
        return ORGANIZATION  # "its Conserv division", "its Yale E. Key unit": the noun says what it is
    for noun in nouns:
        if p.pos[noun] != "NOUN":
            continue
        if p.lemma[noun] in gaz.kinds:
            return gaz.kinds[p.lemma[noun]]
        if p.lower[noun] in gaz.role_words and p.lower[noun] not in gaz.org_heads:
            return PERSON
    return None


def _org_by_form(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> bool:
    """Forms no personal name has: one word ending in an organisation noun ("Gazprombank"), or a
    plural after "the" ("the Beatles")."""
    word = p.span_text(span).lower()
    if len(span) == 1 and any(word.endswith(h) and len(word) > len(h) + 2 for h in gaz.words.org_word_endings):
        return True
    return span.start > 0 and p.lower[span.start - 1] == "the" and p.tag[span.end - 1] == "NNPS"


def _affiliation_of_person(p: ParsedDoc, span: TokenSpan, root: int, gaz: Gazetteer) -> bool:
    """ "Edward Johnson of Johnson Redbook", "Gianfranco Ceroni, managing director of Italiana Olii":
    the name after "of" that follows a person (or a title in apposition to one) is where that
    person works, an organisation, not a second person. `root`: the span's root token."""
    prep = p.head[root]
    if p.dep[root] != "pobj" or p.lower[prep] != "of" or prep >= span.start:
        return False
    owner = p.head[prep]
    if owner >= prep:
        return False
    if p.ent_type[owner] == "PERSON":
        return True
    return (p.lower[owner] in gaz.role_words and p.dep[owner] == "appos" and p.ent_type[p.head[owner]] == "PERSON"
            and p.head[owner] < owner)


def _hyphenated_surnames(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> bool:
    """ "O'Brien-Kreitzberg": two capitalised surnames joined by a hyphen, with no given name, are
    a firm's name (a person with a double-barrelled name is first named in full, and the short
    form then joins that person)."""
    s = span.start
    if len(span) != 3 or p.words[s + 1] != "-" or p.space[s] or p.space[s + 1]:
        return False
    left, right = p.words[s], p.words[s + 2]
    return all(t[:1].isupper() and not t.isupper() and t.isalpha() and len(t) >= 3 for t in (left, right)) \
        and p.lower[s] not in gaz.words.name_prefixes  # "OBrien" as the wires write O'Brien


def _initials_only(p: ParsedDoc, span: TokenSpan) -> bool:
    """ "U. S.", "U. K.": single capital letters, an abbreviation (of a country), never a name."""
    return all(len(t.rstrip(".")) == 1 and t[:1].isupper() for t in p.words[span.start:span.end])


def _state_after_place(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> str | None:
    """The US state an abbreviation after "City," names ("Seattle, Wash.", "Nashville, Tenn"),
    else None. Only that position is read: "Wash" or "Miss" elsewhere are other words."""
    if len(span) != 1 or span.start < 2:
        return None
    comma, city = span.start - 1, span.start - 2
    if p.words[comma] != "," or not p.words[city][:1].isupper():
        return None
    if p.ent_type[city] not in ("GPE", "LOC", "FAC") and gaz.place(p.words[city]) is None:
        return None
    return gaz.state_abbreviation(p.words[span.start])


def _shares_plural_org_head(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> bool:
    """ "Tokyo" in "the Tokyo and London Stock Exchanges": a name joined by "and" to an organisation
    name that ends in a plural organisation noun shares that noun, and is an organisation too (a
    place alone would make the plural wrong). Weight 1: a plain mention of the city elsewhere wins."""
    n = p.n
    j = span.end
    if j + 2 >= n or p.lower[j] not in ("and", "&", "or") or p.ent_iob[j + 1] != "B" or p.ent_type[j + 1] != "ORG":
        return False
    k = j + 2
    while k < n and p.ent_iob[k] == "I":
        k += 1
    last = p.lower[k - 1]
    singular = {last[:-3] + "y", last[:-2], last[:-1]} if last.endswith("ies") else {last[:-2], last[:-1]}
    return k - (j + 1) >= 2 and last.endswith("s") and bool(singular & gaz.org_heads)  # proper nouns keep their plural lemma


def _org_by_verb(p: ParsedDoc, root: int, gaz: Gazetteer) -> bool:
    """Organisations, not people, are bought, acquired, listed or merged ("he bought Pixar")."""
    return p.dep[root] in ("dobj", "nsubjpass") and p.cased_lemma[p.head[root]] in gaz.words.org_object_verbs


def _name_like(p: ParsedDoc, span: TokenSpan) -> bool:
    """A name starts with a capital letter and is not a number ("Five", "206p" are not places);
    number words inside a longer name are part of it ("First Boston Corp", "Three Mile Island")."""
    s, e = span.start, span.end
    first = s
    if e - s > 3 and p.words[s + 1] == "-" and not p.space[s] and p.is_lower[s]:
        first = s + 2  # "sub-Saharan Africa"
    joined = "".join(p.words[s:e])
    if not p.words[first][:1].isupper() or (not joined.isalpha() and any(ch.isdigit() for ch in joined)):
        return False
    return not all(p.like_num[s:e])  # "Five" is a number, "First Boston Corp" a name


@lru_cache(maxsize=1 << 14)  # pure, and asked of the same capitalised words article after article
def _calendar_word(text: str) -> bool:
    """A month or weekday name, or a misspelling of one of five letters or more (one wrong, missing,
    extra or swapped letter: "Feburary", "Wendesday")."""
    word = text.lower().rstrip(".")
    return len(word) >= 5 and any(len(w) >= 5 and _one_edit(word, w) for w in gazetteer().words.calendar_words)


def _one_edit(a: str, b: str) -> bool:
    """At most one insertion, deletion, substitution or swap of adjacent letters turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def classify(ctx: DocContext, span: TokenSpan, gaz: Gazetteer) -> Candidate | None:
    """Propose a type for a cleaned span (None: not an entity of ours); a demonym's tokens are
    noted in `ctx.demonym_tokens`."""
    p = ctx.parsed
    label = span.label
    text = p.span_text(span)
    state = _state_after_place(p, span, gaz)
    if state is not None:
        return Candidate(span, text, PLACE, 3, "US", name=state)  # "Brighton, Colo." is Colorado
    if len(span) == 1 and span.start > 0 and p.lower[span.start - 1] in gaz.words.degree_words:
        return None  # "91 degrees Kelvin": a temperature scale, not a person or a company
    country = gaz.country(text)
    if country is None and len(span) == 1 and text.endswith("s") and text[:1].isupper():
        country = gaz.country(text[:-1])  # a possessive that lost its apostrophe: "Iraqs forces"
    if country and not (label == "PERSON" and len(span) > 1 and not _initials_only(p, span)):
        return Candidate(span, text, COUNTRY, 3, country.code)  # "U. S." is no person's name
    if label == "NORP":
        if gaz.demonym(text):
            for i in span.tokens():
                ctx.demonym_tokens[i] = ""  # resolved to a country key later
        return None
    head = p.lower[span.end - 1]
    if not _name_like(p, span):
        return None
    if len(span) > 1 and designator_word(head, p.words[span.end - 1]):
        return Candidate(span, text, ORGANIZATION, 3)  # "Wedgestone Advisory Corp", "West Point-Pepperell Inc"
    if len(span) == 1 and label != "PERSON" and _calendar_word(text) and gaz.place(text) is None:
        return None  # "in Feburary": a (misspelt) month or weekday, not a name
    if len(span) > 1 and label not in ("GPE", "LOC", "FAC") and has_org_word(p, span, gaz):
        return Candidate(span, text, ORGANIZATION, 2)  # "Envases Metalurgicos de Alava", "Italiana Olii"
    if label in ("GPE", "LOC", "ORG") and _shares_plural_org_head(p, span, gaz):
        return Candidate(span, text, ORGANIZATION, 1)  # "the Tokyo and London Stock Exchanges": Tokyo's exchange
    # (the root, read for the apposition and the person tests below, of the labels they apply to)
    root = p.root(span.start, span.end) if label in ("PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT") else None
    kind = apposition_kind(p, span, root, gaz) if root is not None else None
    if kind is not None:
        place = gaz.place(text) if kind == PLACE else None
        return Candidate(span, text, kind, 2, place.country if place else None)
    if label in ("GPE", "LOC", "FAC"):
        place = gaz.place(text)
        if place is None and len(span) == 1 and head in p.lowercase_words:
            return None  # "Sorghum was harvested": a common noun the text also writes in lowercase
        return Candidate(span, text, PLACE, 2 if place else 1, place.country if place else None)
    if head in gaz.place_heads and len(span) > 1 and label != "PERSON":
        return Candidate(span, text, PLACE, 2)
    if label == "ORG":
        if head in gaz.org_heads or len(span) > 1:
            return Candidate(span, text, ORGANIZATION, 2 if head in gaz.org_heads else 1)
        place = gaz.place(text)
        if place and place.population >= CITY_OVERRIDE_POP:
            return Candidate(span, text, PLACE, 2, place.country)
        return Candidate(span, text, ORGANIZATION, 1)
    if label == "PERSON" and root is not None:
        if len(span) > 1 and (head in gaz.words.company_suffixes or head in gaz.org_heads):
            return Candidate(span, text, ORGANIZATION, 2)
        if _org_by_form(p, span, gaz) or _org_by_verb(p, root, gaz):
            return Candidate(span, text, ORGANIZATION, 2)
        place = gaz.place(text) if len(span) == 1 else None
        if place is None and (_affiliation_of_person(p, span, root, gaz) or _hyphenated_surnames(p, span, gaz)):
            return Candidate(span, text, ORGANIZATION, 2)
        if place and place.population >= CITY_OVERRIDE_POP:
            return Candidate(span, text, PLACE, 1, place.country)
        return Candidate(span, text, PERSON, 1)
    # PRODUCT, EVENT, WORK_OF_ART: only when a gazetteer says it is a place
    place = gaz.place(text)
    if place and place.population >= CITY_OVERRIDE_POP:
        return Candidate(span, text, PLACE, 2, place.country)
    return None

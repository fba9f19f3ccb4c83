"""Job titles: the name after a title is a Person, and the title gives kg:holdsRole and kg:affiliatedWith.

Forms read (the title lexicon is data: kg/data/gazetteers/roles.txt):
- "Russian Foreign Minister Sergei Lavrov", "U.S. Secretary of State Marco Rubio",
  "Central Bank chairman Sergei Ignatiev", "Russia's foreign minister, Sergei Lavrov";
- "her North Korean counterpart Choe Son Hui" (a counterpart holds the other side's title);
- appositions: "Kaja Kallas, the EU's foreign policy chief", "Sergei Lavrov, Russia's foreign minister",
  "Dmitry Medvedev, the president of Russia".
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, filter_spans
from spacy.vocab import Vocab

from kg.extract.context import DocContext, doc_ents, span_text
from kg.gazetteer import Gazetteer, gazetteer
from kg.records import EntityRecord

SKIP_BEFORE_TITLE = {"the", "a", "an", "his", "her", "their", "its", "our", "then", "former", "new",
                     "acting", "interim", "outgoing", "incoming", "current", "deputy", "'s", "’s"}
COUNTERPART = "counterpart"
MAX_NAME_TOKENS = 4


def title_tokenizer(titles: list[str]) -> Tokenizer:
    """spaCy's English tokenizer (`spacy.blank("en").tokenizer`) for these titles: with only the
    tokenizer exceptions whose text occurs in one of them, since no other exception can apply.
    Loading all 1,300 of them took 0.1 s, in every process, for the 19 that can."""
    from spacy.lang.en import English

    defaults, joined = English.Defaults, "\n".join(titles)
    return Tokenizer(
        Vocab(),
        rules={text: pieces for text, pieces in defaults.tokenizer_exceptions.items() if text in joined},
        prefix_search=compile_prefix_regex(defaults.prefixes).search,
        suffix_search=compile_suffix_regex(defaults.suffixes).search,
        infix_finditer=compile_infix_regex(defaults.infixes).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


@lru_cache(maxsize=8)
def _matcher(vocab: Vocab) -> PhraseMatcher:
    """Title phrases, tokenised like the text ("co-founder" is three tokens)."""
    titles = gazetteer().roles
    tokenizer = title_tokenizer(titles)
    matcher = PhraseMatcher(vocab, attr="LOWER")
    matcher.add("ROLE", [Doc(vocab, words=[t.text for t in tokenizer(title)]) for title in titles])
    return matcher


def role_spans(doc: Doc) -> list[Span]:
    """Longest non-overlapping title matches, with their noun modifiers ("currency strategist",
    "senior vice president", "bank chief")."""
    return [doc[s:e] for s, e in role_bounds(doc)]


def role_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) of each of `role_spans`, in order: the matches are filtered and extended as
    token positions (a Span costs three Token objects), and callers that only need the positions
    make no Spans."""
    cached = doc.user_data.get("kg_roles")
    if cached is None:  # entities, roles and the heading splitter all ask: match once per doc
        # spaCy's filter_spans reads only .start and .end: it filters positions as well as Spans
        kept = filter_spans([_Bounds(s, e) for _, s, e in _matcher(doc.vocab)(doc)])
        cached = [(_with_modifiers(doc, b.start, b.end), b.end) for b in kept]
        if doc.has_annotation("DEP"):  # before the parse, modifiers are not known yet: don't keep
            doc.user_data["kg_roles"] = cached
    return cached


class _Bounds(NamedTuple):
    """A match's token positions, for `filter_spans`."""

    start: int
    end: int


def _with_modifiers(doc: Doc, role_start: int, role_end: int) -> int:
    """Where the title doc[role_start:role_end] begins with its noun modifiers."""
    gaz = gazetteer()
    start = role_start
    while start > 0:
        tok = doc[start - 1]
        in_name = tok.ent_type_ and not (tok.lower_ in role_words() and tok.ent_iob_ == "I")
        if (in_name or tok.is_punct or tok.lower_ in SKIP_BEFORE_TITLE or gaz.demonym(tok.text)
                or "\n" in tok.whitespace_):
            break
        if not (role_start <= tok.head.i < role_end or start <= tok.head.i < role_end):
            break
        if tok.dep_ not in ("compound", "amod", "nmod"):
            break
        if tok.pos_ in ("NOUN", "ADJ") and (tok.is_lower or tok.lower_ in role_words()):
            start -= 1
        elif tok.pos_ == "PROPN" and tok.lower_ in role_words():
            start -= 1
        else:
            break
    return start


def _is_name_token(tok, gaz: Gazetteer) -> bool:
    if tok.is_space or "\n" in tok.text:
        return False
    if tok.text in ("-", "‐"):
        return True
    return (tok.is_title or (tok.is_upper and len(tok) > 1 and tok.is_alpha)) and tok.pos_ in ("PROPN", "NOUN", "ADJ", "X") \
        and tok.ent_type_ in ("", "PERSON", "NORP", "ORG")


def name_after(doc: Doc, role: Span, gaz: Gazetteer) -> Span | None:
    """The capitalised name run right after a title ("Sergei Lavrov"), allowing one comma.

    Read once per title of a parsed doc (`gaz` is kg's one gazetteer): entity extraction
    (`title_person_spans`) and `extract_roles` both ask."""
    if not doc.has_annotation("DEP"):
        return _name_after(doc, role, gaz)
    made: dict[tuple[int, int], tuple[int, int] | None] = doc.user_data.setdefault("kg_names_after", {})
    key = (role.start, role.end)
    if key not in made:
        name = _name_after(doc, role, gaz)
        made[key] = (name.start, name.end) if name is not None else None
    bounds = made[key]
    return doc[bounds[0]:bounds[1]] if bounds is not None else None


def _name_after(doc: Doc, role: Span, gaz: Gazetteer) -> Span | None:
    i = _after_of_phrase(doc, role.end)
    if i < len(doc) and doc[i].text == "," and "\n" not in doc[i].whitespace_:
        i += 1
    start = i
    while i < len(doc) and i - start < MAX_NAME_TOKENS + 2:
        tok = doc[i]  # (one Token object for the tests below)
        if not _is_name_token(tok, gaz):
            # particles inside a name: "Cor van der Klugt", "Jacques de Larosiere"
            j = i
            while j < len(doc) and doc[j].lower_ in _entity_words().particles and doc[j].is_lower and j - i < 2:
                j += 1
            if i > start and j > i and j < len(doc) and doc[j].is_title and _is_name_token(doc[j], gaz):
                i = j
                continue
            break
        if tok.lower_ in role_words():
            break
        if "\n" in tok.whitespace_:
            i += 1
            break
        i += 1
    while i > start and doc[i - 1].text in ("-", "‐"):
        i -= 1
    if i == start:
        return None
    span = doc[start:i]
    words = list(span)  # (each Token made once for the tests below)
    text = span_text(span)
    if words[0].text in ("-", "‐") or gaz.country(text) or gaz.demonym(text):
        return None
    if words[0].ent_type_ == "ORG" and words[0].ent_iob_ == "I":  # inside an organisation's name
        return None
    if not any(t.pos_ == "PROPN" for t in words):
        return None
    last = words[-1].lower_.rstrip(".")
    if len(words) > 1 and (last in _entity_words().company_suffixes or last in gaz.org_heads):
        return None  # "lead manager Hambros Bank Ltd": a company after a title
    ent_end = _organization_ends(doc).get(span.start)
    if ent_end is not None and ent_end > span.end:
        return None  # the run is the start of a longer organisation name
    return span


def _organization_ends(doc: Doc) -> dict[int, int]:
    """Token index -> end of the ORG entity it is inside, for every such token; made once per doc
    (a scan of the doc's entities for each title would read every Span's attributes)."""
    ends = doc.user_data.get("kg_organization_ends")
    if ends is None:
        ends = doc.user_data["kg_organization_ends"] = {
            i: e.end for e in doc_ents(doc) if e.label_ == "ORG" for i in range(e.start, e.end)}
    return ends


def _after_of_phrase(doc: Doc, i: int) -> int:
    """Skip "of the British union Unite" after a title when a comma and a name follow it."""
    if i >= len(doc) or doc[i].lower_ != "of":
        return i
    j = i + 1
    named = False
    while j < len(doc) and j - i <= 8 and doc[j].text != ",":
        tok = doc[j]
        if tok.is_space or "\n" in tok.whitespace_ or tok.pos_ in ("VERB", "AUX", "PRON", "ADP", "CCONJ"):
            return i
        named = named or tok.ent_type_ in ("ORG", "GPE", "NORP", "FAC", "LOC")
        j += 1
    if named and j < len(doc) and doc[j].text == ",":
        return j
    return i


class _EntityWords(NamedTuple):
    particles: set[str]
    company_suffixes: set[str]
    honorifics: set[str]


@lru_cache(maxsize=1)
def _entity_words() -> _EntityWords:
    """Word lists of kg.extract.entities, which imports this module: read once, on first use (an
    import statement in the functions that test names ran for every title)."""
    from kg.extract.entities import COMPANY_SUFFIXES, HONORIFICS, NAME_PARTICLES

    return _EntityWords(NAME_PARTICLES, COMPANY_SUFFIXES, HONORIFICS)


@lru_cache(maxsize=1)
def role_words() -> frozenset[str]:
    return frozenset(w for title in gazetteer().roles for w in title.split())


def _role_inside_org(role: Span) -> bool:
    """'General' in "General Motors" is part of a company name, not a title (the title's first
    token begins an entity of that kind that goes on after the title)."""
    doc, start, end = role.doc, role.start, role.end
    if start >= end:
        return False
    first = doc[start]
    kind = first.ent_type_
    if kind not in ("ORG", "FAC", "PRODUCT", "WORK_OF_ART", "LAW") or first.ent_iob_ != "B" or end >= len(doc):
        return False
    after = doc[end]
    return after.ent_type_ == kind and after.ent_iob_ == "I"


def title_person_spans(doc: Doc, gaz: Gazetteer) -> list[Span]:
    """Names introduced by a title: these are Persons whatever the model said."""
    out = []
    for role in role_spans(doc):
        if _role_inside_org(role):
            continue
        name = name_after(doc, role, gaz)
        if name is not None:
            while len(name) > 1 and name[0].lower_ in _entity_words().honorifics:
                name = name[1:]
            out.append(name)
    return out


def _title_text(role: Span) -> str:
    return span_text(role)


def _affiliation_before(ctx: DocContext, role: Span) -> EntityRecord | None:
    """The country or organisation right before a title: "Russian", "U.S.", "Central Bank", "Russia's"."""
    i = role.start - 1
    doc = ctx.doc
    while i >= 0 and doc[i].lower_ in SKIP_BEFORE_TITLE:
        i -= 1
    if i < 0:
        return None
    country = ctx.country_at(i) or _untagged_demonym(ctx, i)
    if country is not None:
        return country
    ent = ctx.entity_at(i)
    if ent is not None and ent.type in ("Organization", "Country"):
        return ent
    if (doc[i].pos_ == "NOUN" and gazetteer().kinds.get(doc[i].lemma_.lower()) == "Organization"
            and i > 0 and doc[i - 1].lower_ == "the" and i + 1 < role.start and doc[i + 1].text in ("'s", "’s")):
        return _last_organization_before(ctx, i - 1)  # "the company's vice president": the company just named
    return None


def _untagged_demonym(ctx: DocContext, i: int) -> EntityRecord | None:
    """A demonym the NER left untagged ("Slovak Prime Minister"): its country."""
    doc = ctx.doc
    if ctx.entity_at(i) is not None:
        return None
    for n in (2, 1):
        if i - n + 1 < 0:
            continue
        country = gazetteer().demonym(doc[i - n + 1:i + 1].text)
        if country is not None:
            for k in range(i - n + 1, i + 1):
                ctx.demonym_tokens[k] = f"country:{country.code}"
            return ctx.country_at(i)
    return None


def _last_organization_before(ctx: DocContext, i: int) -> EntityRecord | None:
    for j in range(i - 1, -1, -1):
        ent = ctx.entity_at(j)
        if ent is not None and ent.type == "Organization":
            return ent
    return None


def _affiliation_after(ctx: DocContext, role: Span) -> tuple[EntityRecord | None, int]:
    """ "president of Russia", "chairman of the Central Bank", "general secretary of the British
    union Unite": the organisation named in the "of" phrase, else its country."""
    doc = ctx.doc
    i = role.end
    if i >= len(doc) or doc[i].lower_ != "of":
        return None, i
    country = None
    j = i + 1
    while j < len(doc) and j - i <= 8:
        tok = doc[j]
        if tok.is_punct or tok.is_space or tok.pos_ in ("VERB", "AUX", "ADP", "PRON", "CCONJ"):
            break
        ent = ctx.entity_at(j)
        if ent is not None and ent.type == "Organization":
            return ent, j + 1
        country = country or ctx.country_at(j)
        j += 1
    return country, j


def extract_roles(ctx: DocContext) -> None:
    """kg:holdsRole and kg:affiliatedWith from titles before names and from appositions."""
    doc = ctx.doc
    gaz = gazetteer()
    last_title: dict[str, str] = {}  # person key -> title, for "counterpart"
    for role in role_spans(doc):
        if _role_inside_org(role):
            continue
        person = None
        name = name_after(doc, role, gaz)
        if name is not None:
            ent = ctx.entity_at(name[0])
            if ent is not None and ent.type == "Person":
                person = ent
        if person is None:
            person = _apposition_person(ctx, role)
        if person is None:
            continue
        title = _title_text(role)
        if title.lower() == COUNTERPART:
            others = [t for k, t in last_title.items() if k != person.key]
            if not others:
                continue
            title = others[-1]
        affiliation = _affiliation_before(ctx, role)
        after, _ = _affiliation_after(ctx, role)
        affiliation = affiliation or after
        if title.lower() not in ("leader", "head", "chief") or affiliation is not None:
            ctx.add_relation(person, "holdsRole", value=title, at=role)
            last_title.pop(person.key, None)
            last_title[person.key] = title
        if affiliation is not None and affiliation.key != person.key:
            ctx.add_relation(person, "affiliatedWith", affiliation, at=role)


def _apposition_person(ctx: DocContext, role: Span) -> EntityRecord | None:
    """ "Kaja Kallas, the EU's foreign policy chief": the Person before ", [the] [X's|demonym] title"."""
    doc = ctx.doc
    i = role.start - 1
    while i >= 0 and (doc[i].lower_ in SKIP_BEFORE_TITLE or ctx.country_at(i) is not None or
                      (ctx.entity_at(i) is not None and ctx.entity_at(i).type in ("Organization", "Country"))):
        i -= 1
    if i < 1 or doc[i].text != ",":
        return None
    ent = ctx.entity_at(i - 1)
    if ent is not None and ent.type == "Person":
        return ent
    return None

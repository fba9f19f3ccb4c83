"""Job titles: the name after a title is a Person, and the title gives kg:holdsRole and kg:affiliatedWith.

Forms read (the title lexicon is data: kg/data/gazetteers/roles.txt):
- "Russian Foreign Minister Sergei Lavrov", "U.S. Secretary of State Marco Rubio",
  "Central Bank chairman Sergei Ignatiev", "Russia's foreign minister, Sergei Lavrov";
- "her North Korean counterpart Choe Son Hui" (a counterpart holds the other side's title);
- appositions: "Kaja Kallas, the EU's foreign policy chief", "Sergei Lavrov, Russia's foreign minister",
  "Dmitry Medvedev, the president of Russia".

Entity extraction asks for the titles too (`title_bounds`, `title_person_spans`): a name after a
title is a Person whatever the model said.
"""
from __future__ import annotations

from functools import lru_cache

from spacy.lang.en import English
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, filter_spans
from spacy.vocab import Vocab

from kg.extract.context import DocContext
from kg.extract.doc import ParsedDoc, TokenSpan
from kg.gazetteer import Gazetteer, gazetteer
from kg.records import EntityRecord, EntityType

COUNTERPART = "counterpart"
MAX_NAME_TOKENS = 4
HYPHENS = ("-", "‐")
AFFILIATES = (EntityType.ORGANIZATION, EntityType.COUNTRY)


def title_tokenizer(titles: list[str]) -> Tokenizer:
    """spaCy's English tokenizer (`spacy.blank("en").tokenizer`) for these titles: with only the
    tokenizer exceptions whose text occurs in one of them, since no other exception can apply.
    Loading all 1,300 of them took 0.1 s, in every process, for the 19 that can."""
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


def title_bounds(p: ParsedDoc) -> list[TokenSpan]:
    """The titles of an article, with their noun modifiers ("currency strategist", "senior vice
    president", "bank chief"): the longest non-overlapping matches, in text order."""
    kept = filter_spans([TokenSpan(start, end) for _, start, end in _matcher(p.doc.vocab)(p.doc)])
    return [TokenSpan(_with_modifiers(p, title.start, title.end), title.end) for title in kept]


def _with_modifiers(p: ParsedDoc, role_start: int, role_end: int) -> int:
    """Where the title at role_start..role_end begins with its noun modifiers."""
    gaz = gazetteer()
    role_words, skip = gaz.role_words, gaz.words.skip_before_title
    start = role_start
    while start > 0:
        t = start - 1
        in_name = p.ent_type[t] and not (p.lower[t] in role_words and p.ent_iob[t] == "I")
        if in_name or p.is_punct[t] or p.lower[t] in skip or gaz.demonym(p.words[t]):
            break
        if not (role_start <= p.head[t] < role_end or start <= p.head[t] < role_end):
            break
        if p.dep[t] not in ("compound", "amod", "nmod"):
            break
        if p.pos[t] in ("NOUN", "ADJ") and (p.is_lower[t] or p.lower[t] in role_words):
            start -= 1
        elif p.pos[t] == "PROPN" and p.lower[t] in role_words:
            start -= 1
        else:
            break
    return start


def _is_name_token(p: ParsedDoc, i: int) -> bool:
    if p.is_space[i] or "\n" in p.words[i]:
        return False
    if p.words[i] in HYPHENS:
        return True
    return (p.is_title[i] or (p.is_upper[i] and len(p.words[i]) > 1 and p.is_alpha[i])) \
        and p.pos[i] in ("PROPN", "NOUN", "ADJ", "X") and p.ent_type[i] in ("", "PERSON", "NORP", "ORG")


def name_after(p: ParsedDoc, title: TokenSpan, gaz: Gazetteer) -> TokenSpan | None:
    """The capitalised name run right after a title ("Sergei Lavrov"), allowing one comma."""
    n = p.n
    i = _after_of_phrase(p, title.end)
    if i < n and p.words[i] == ",":
        i += 1
    start = i
    while i < n and i - start < MAX_NAME_TOKENS + 2:
        if not _is_name_token(p, i):
            # particles inside a name: "Cor van der Klugt", "Jacques de Larosiere"
            j = i
            while j < n and p.lower[j] in gaz.words.name_particles and p.is_lower[j] and j - i < 2:
                j += 1
            if i > start and j > i and j < n and p.is_title[j] and _is_name_token(p, j):
                i = j
                continue
            break
        if p.lower[i] in gaz.role_words:
            break
        i += 1
    while i > start and p.words[i - 1] in HYPHENS:
        i -= 1
    if i == start:
        return None
    text = p.text_of(start, i)
    if p.words[start] in HYPHENS or gaz.country(text) or gaz.demonym(text):
        return None
    if p.ent_type[start] == "ORG" and p.ent_iob[start] == "I":  # inside an organisation's name
        return None
    if not any(p.pos[t] == "PROPN" for t in range(start, i)):
        return None
    last = p.lower[i - 1].rstrip(".")
    if i - start > 1 and (last in gaz.words.company_suffixes or last in gaz.org_heads):
        return None  # "lead manager Hambros Bank Ltd": a company after a title
    organization = next((e for e in p.ents if e.label == "ORG" and start in e), None)
    if organization is not None and organization.end > i:
        return None  # the run is the start of a longer organisation name
    return TokenSpan(start, i)


def _after_of_phrase(p: ParsedDoc, i: int) -> int:
    """Skip "of the British union Unite" after a title when a comma and a name follow it."""
    if i >= p.n or p.lower[i] != "of":
        return i
    j = i + 1
    named = False
    while j < p.n and j - i <= 8 and p.words[j] != ",":
        if p.is_space[j] or p.pos[j] in ("VERB", "AUX", "PRON", "ADP", "CCONJ"):
            return i
        named = named or p.ent_type[j] in ("ORG", "GPE", "NORP", "FAC", "LOC")
        j += 1
    if named and j < p.n and p.words[j] == ",":
        return j
    return i


def _inside_organization(p: ParsedDoc, title: TokenSpan) -> bool:
    """'General' in "General Motors" is part of a company name, not a title (the title's first
    token begins an entity of that kind that goes on after the title)."""
    start, end = title.start, title.end
    if start >= end:
        return False
    kind = p.ent_type[start]
    if kind not in ("ORG", "FAC", "PRODUCT", "WORK_OF_ART", "LAW") or p.ent_iob[start] != "B" or end >= p.n:
        return False
    return p.ent_type[end] == kind and p.ent_iob[end] == "I"


def title_person_spans(p: ParsedDoc, gaz: Gazetteer) -> list[TokenSpan]:
    """Names introduced by a title, without honorifics: these are Persons whatever the model said."""
    out = []
    for title in title_bounds(p):
        if _inside_organization(p, title):
            continue
        name = name_after(p, title, gaz)
        if name is not None:
            start = name.start
            while name.end - start > 1 and p.lower[start] in gaz.words.honorifics:
                start += 1
            out.append(TokenSpan(start, name.end))
    return out


def _affiliation_before(ctx: DocContext, title: TokenSpan) -> EntityRecord | None:
    """The country or organisation right before a title: "Russian", "U.S.", "Central Bank", "Russia's"."""
    p, gaz = ctx.parsed, gazetteer()
    i = title.start - 1
    while i >= 0 and p.lower[i] in gaz.words.skip_before_title:
        i -= 1
    if i < 0:
        return None
    country = ctx.country_at(i) or _untagged_demonym(ctx, i)
    if country is not None:
        return country
    ent = ctx.entity_at(i)
    if ent is not None and ent.type in AFFILIATES:
        return ent
    if (p.pos[i] == "NOUN" and gaz.kinds.get(p.lemma[i]) == EntityType.ORGANIZATION
            and i > 0 and p.lower[i - 1] == "the" and i + 1 < title.start and p.words[i + 1] in ("'s", "’s")):
        return _last_organization_before(ctx, i - 1)  # "the company's vice president": the company just named
    return None


def _untagged_demonym(ctx: DocContext, i: int) -> EntityRecord | None:
    """A demonym the NER left untagged ("Slovak Prime Minister"): its country."""
    if ctx.entity_at(i) is not None:
        return None
    for n in (2, 1):
        if i - n + 1 < 0:
            continue
        country = gazetteer().demonym(ctx.parsed.text_of(i - n + 1, i + 1))
        if country is not None:
            for k in range(i - n + 1, i + 1):
                ctx.demonym_tokens[k] = f"country:{country.code}"
            return ctx.country_at(i)
    return None


def _last_organization_before(ctx: DocContext, i: int) -> EntityRecord | None:
    for j in range(i - 1, -1, -1):
        ent = ctx.entity_at(j)
        if ent is not None and ent.type == EntityType.ORGANIZATION:
            return ent
    return None


def _affiliation_after(ctx: DocContext, title: TokenSpan) -> EntityRecord | None:
    """ "president of Russia", "chairman of the Central Bank", "general secretary of the British
    union Unite": the organisation named in the "of" phrase, else its country."""
    p = ctx.parsed
    i = title.end
    if i >= p.n or p.lower[i] != "of":
        return None
    country = None
    j = i + 1
    while j < p.n and j - i <= 8:
        if p.is_punct[j] or p.is_space[j] or p.pos[j] in ("VERB", "AUX", "ADP", "PRON", "CCONJ"):
            break
        ent = ctx.entity_at(j)
        if ent is not None and ent.type == EntityType.ORGANIZATION:
            return ent
        country = country or ctx.country_at(j)
        j += 1
    return country


def _apposition_person(ctx: DocContext, title: TokenSpan) -> EntityRecord | None:
    """ "Kaja Kallas, the EU's foreign policy chief": the Person before ", [the] [X's|demonym] title"."""
    p, skip = ctx.parsed, gazetteer().words.skip_before_title
    i = title.start - 1
    while i >= 0 and (p.lower[i] in skip or ctx.country_at(i) is not None or
                      (ctx.entity_at(i) is not None and ctx.entity_at(i).type in AFFILIATES)):
        i -= 1
    if i < 1 or p.words[i] != ",":
        return None
    ent = ctx.entity_at(i - 1)
    if ent is not None and ent.type == EntityType.PERSON:
        return ent
    return None


def extract_roles(ctx: DocContext) -> None:
    """kg:holdsRole and kg:affiliatedWith from titles before names and from appositions."""
    p = ctx.parsed
    gaz = gazetteer()
    last_title: dict[str, str] = {}  # person key -> title, for "counterpart"
    for role in title_bounds(p):
        if _inside_organization(p, role):
            continue
        person = None
        name = name_after(p, role, gaz)
        if name is not None:
            ent = ctx.entity_at(name.start)
            if ent is not None and ent.type == EntityType.PERSON:
                person = ent
        if person is None:
            person = _apposition_person(ctx, role)
        if person is None:
            continue
        title = p.span_text(role)
        if title.lower() == COUNTERPART:
            others = [t for k, t in last_title.items() if k != person.key]
            if not others:
                continue
            title = others[-1]
        before = _affiliation_before(ctx, role)
        after = _affiliation_after(ctx, role)  # (also when `before` is found: it may add a demonym's country)
        affiliation = before or after
        if title.lower() not in ("leader", "head", "chief") or affiliation is not None:
            ctx.add_relation(person, "holdsRole", value=title, at=role.start)
            last_title.pop(person.key, None)
            last_title[person.key] = title
        if affiliation is not None and affiliation.key != person.key:
            ctx.add_relation(person, "affiliatedWith", affiliation, at=role.start)

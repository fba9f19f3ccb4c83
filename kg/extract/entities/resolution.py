"""Rules 5 and 9: the candidates of one article grouped into entities.

Short forms join the full name ("Lavrov" is the article's "Sergei Lavrov", whatever the model
typed it; "Burlington" after "Burlington Industries Inc" is that company; "(MITI)" and a stock
symbol after a company's designator name the entity before them), then each name's type is voted
over all its mentions and the entity labelled by its longest form. Demonyms ("Russian") refer to
their country without naming it; "the Zambian government" names Zambia.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from kg.extract.context import DocContext
from kg.extract.doc import ParsedDoc, TokenSpan
from kg.extract.entities.classify import Candidate
from kg.extract.entities.words import after_locative, designator_word, ticker_word
from kg.gazetteer import Gazetteer, gazetteer, norm
from kg.records import EntityType

PERSON, COUNTRY, PLACE, ORGANIZATION = EntityType.PERSON, EntityType.COUNTRY, EntityType.PLACE, EntityType.ORGANIZATION


class NameIndex:
    """Candidates by the words of their names, to find the names that hold a run of words
    (every mention is compared with every person's and organisation's name: a scan of the few
    names that share its first word instead of all of them)."""

    def __init__(self, cands: list[Candidate]) -> None:
        self.cands = cands
        self.by_word: dict[str, list[Candidate]] = {}
        for c in cands:
            for word in dict.fromkeys(c.words):  # each candidate once per word, in order
                self.by_word.setdefault(word, []).append(c)

    def holding(self, toks: tuple[str, ...]) -> list[Candidate]:
        """The candidates whose name holds `toks` (consecutive), in their order."""
        pool = self.by_word.get(toks[0], ()) if toks else self.cands
        return [c for c in pool if _is_subsequence(toks, c.words)]


def _is_subsequence(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    n = len(short)
    return any(full[i:i + n] == short for i in range(len(full) - n + 1))


def _without_lost_apostrophe(toks: tuple[str, ...]) -> tuple[str, ...]:
    """ "Ashers", "Eastman Kodaks": the name without the "s" of a possessive that lost its apostrophe."""
    return toks[:-1] + (toks[-1][:-1],)


def _lost_apostrophe(toks: tuple[str, ...]) -> bool:
    return bool(toks) and toks[-1].endswith("s") and len(toks[-1]) > 3


def resolve_in_document(ctx: DocContext, cands: list[Candidate], gaz: Gazetteer) -> None:
    """Group candidates into entities: aliases of full person names, then votes per name."""
    p = ctx.parsed
    cands.sort(key=lambda c: c.span.start)
    _spread_abbreviations(cands)
    alias_of: dict[int, Candidate] = {}  # id(candidate) -> the candidate whose name it is a form of
    _resolve_person_short_forms(cands, alias_of)
    _resolve_names_inside_organizations(p, cands, alias_of)
    _resolve_acronyms(p, cands, alias_of, gaz)
    _resolve_org_short_forms(p, cands, alias_of)
    for c in cands:  # "American" in "American Midland" (the company) is no demonym of the US
        ctx.demonym_tokens.pop(c.span.start, None)
    # votes: a name's type is the one with the most evidence over all its mentions
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands:
        target = alias_of.get(id(c))
        groups[norm(target.text) if target else _group_key(c)].append(c)
    # "Texacos" / "Eastman Kodaks": a possessive that lost its apostrophe joins the plain name
    for key in sorted(groups):
        for stem in (key[:-1], key[:-2]) if key.endswith("s") and len(key) > 4 else ():
            if stem in groups and stem != key:
                groups[stem].extend(groups.pop(key))
                break
    order = sorted(groups, key=lambda k: min(c.span.start for c in groups[k]))
    for key in order:
        members = groups[key]
        if len(members) == 1:  # (most names are mentioned once: their one vote decides)
            type_ = members[0].type
        else:
            votes: dict[EntityType, int] = {}
            for c in members:
                votes[c.type] = votes.get(c.type, 0) + c.weight
            type_ = min(votes.items(), key=_vote_order)[0]  # (the types differ: no ties)
        label, code = canonical(members, type_, gaz)
        ent = ctx.add_entity(type_, label, code=code)
        for c in members:
            ctx.add_mention(ent, c.span)
    _resolve_demonyms(ctx, gaz)


def _resolve_person_short_forms(cands: list[Candidate], alias_of: dict[int, Candidate]) -> None:
    """Short forms of a person's name ("Lavrov", "Kim") join that person, whatever their type."""
    in_persons = NameIndex([c for c in cands if c.type == PERSON and len(c.words) >= 2])
    for c in cands:
        if c.type == COUNTRY or (c.type == PLACE and c.weight >= 2 and c.code):
            continue
        toks = c.words
        if _lost_apostrophe(toks) and in_persons.holding(_without_lost_apostrophe(toks)):
            toks = _without_lost_apostrophe(toks)
        if toks and toks[0] not in in_persons.by_word:
            continue  # no person's name holds the first word (`_best_full_name` would find none)
        best = _best_full_name(c, toks, in_persons, cands)
        if best is not None:
            alias_of[id(c)] = best
            c.type, c.weight = PERSON, 2  # being a short form of a person's name is evidence


def _resolve_names_inside_organizations(p: ParsedDoc, cands: list[Candidate], alias_of: dict[int, Candidate]) -> None:
    """A model-only "person" that is part of a longer organisation name in the article is that
    organisation ("Garuda Indonesia" / "Garuda Indonesia Flight", "Music Store" / "iTunes Music
    Store"); so is a model-only place no gazetteer knows, unless it follows "in", "at"... ("Holt
    Rinehart and Winston" after "Holt, Rinehart and Winston Canada Ltd.")."""
    in_orgs = NameIndex([c for c in cands if c.type == ORGANIZATION and len(c.span) >= 2])
    for c in cands:
        if c.weight > 1 or id(c) in alias_of or not (
                c.type == PERSON or (c.type == PLACE and not c.code and not after_locative(p, c.span.start))):
            continue
        toks = _without_lost_apostrophe(c.words) if _lost_apostrophe(c.words) else c.words
        host = [o for o in in_orgs.holding(toks) if len(o.words) > len(toks)]
        if host:
            alias_of[id(c)] = min(host, key=lambda o: abs(o.span.start - c.span.start))
            c.type = ORGANIZATION


def _resolve_demonyms(ctx: DocContext, gaz: Gazetteer) -> None:
    """Demonyms ("Russian", "North Korean") refer to their country, but are not names of it; a
    demonym before a state noun ("the Zambian government") names it."""
    p = ctx.parsed
    done: set[int] = set()
    for i in sorted(ctx.demonym_tokens):
        if i in done:
            continue
        j = i + 1
        while j in ctx.demonym_tokens:
            j += 1
        country = gaz.demonym(p.text_of(i, j)) or gaz.demonym(p.words[j - 1])
        done.update(range(i, j))
        if country is None:
            for k in range(i, j):
                del ctx.demonym_tokens[k]
            continue
        ent = next((e for e in ctx.entities if e.type == COUNTRY and e.code == country.code), None)
        organ = _state_organ(p, i, j, gaz)
        if organ is not None:  # "the Zambian government" names Zambia, as a state
            if ent is None:
                ent = ctx.add_entity(COUNTRY, country.name, code=country.code)
            ctx.add_mention(ent, organ)
        elif ent is not None:
            ctx.add_mention(ent, TokenSpan(i, j), alias=False)
        # a country known only by its demonym becomes a node only when a relation needs it
        # (DocContext.country_at): alone, "Canadian dollars" does not make an article about Canada
        for k in range(i, j):
            ctx.demonym_tokens[k] = ent.key if ent is not None else f"country:{country.code}"


def _state_organ(p: ParsedDoc, i: int, j: int, gaz: Gazetteer) -> TokenSpan | None:
    """ "Zambian government" (demonym i..j and a state noun right after it, state_organs.txt),
    else None: the government, authorities or cabinet of a country stand for the country, where
    "Zambian maize" or "a Zambian staple" only describe something."""
    if j < p.n and p.lower[j] in gaz.state_organs and p.is_lower[j] and p.words[i][:1].isupper():
        return TokenSpan(i, j + 1)
    return None


def _spread_abbreviations(cands: list[Candidate]) -> None:
    """An abbreviation read as a state once ("Paramus, N.J.") is that state wherever else the
    article writes it ("Wayne, N.J." after a town no gazetteer knows)."""
    full = {norm(c.text): c for c in cands if c.name}
    if not full:
        return
    for c in cands:
        known = full.get(norm(c.text)) if not c.name and c.type != COUNTRY else None
        if known is not None:
            c.type, c.code, c.name, c.weight = known.type, known.code, known.name, max(c.weight, 2)


def _initials(p: ParsedDoc, span: TokenSpan, gaz: Gazetteer) -> str:
    return "".join(p.words[t][0].upper() for t in span.tokens()
                   if p.lower[t] not in gaz.words.acronym_skip and p.words[t][:1].isalpha())


def _acronym(text: str) -> str | None:
    """The letters of an acronym-like mention ("MITI", "MITIs"), else None."""
    word = text[:-1] if len(text) > 3 and text.endswith("s") and text[:-1].isupper() else text
    return word if word.isalpha() and word.isupper() and 2 <= len(word) <= 8 else None


def _resolve_acronyms(p: ParsedDoc, cands: list[Candidate], alias_of: dict[int, Candidate], gaz: Gazetteer) -> None:
    """An acronym in brackets after a name is that name ("Ministry of International Trade and
    Industry (MITI)"), and so is every later use of the acronym; so is a stock symbol after a
    company's designator ("Harcourt Brace Jovanovich Inc HBJ")."""
    words, lower = p.words, p.lower
    ends = {c.span.end: c for c in cands if c.type != COUNTRY}
    hosts: dict[str, Candidate] = {}
    for c in cands:
        end = c.span.end
        if (c.type == ORGANIZATION and end < p.n and designator_word(lower[end - 1], words[end - 1])
                and ticker_word(lower[end], words[end])):
            hosts.setdefault(words[end], alias_of.get(id(c), c))
    for c in cands:  # (the acronym is read only for a mention in brackets)
        start = c.span.start
        if c.type == COUNTRY or (c.type == PLACE and c.code) or start < 2 or words[start - 1] != "(":
            continue
        acro = _acronym(c.text)
        if acro is None:
            continue
        host = ends.get(start - 1)
        if host is None:
            continue
        letters = _initials(p, host.span, gaz)
        if host.type != ORGANIZATION and not (len(letters) >= len(acro) and
                                              (letters.endswith(acro) or letters.startswith(acro))):
            continue  # after an organisation, any capitals in brackets name it: "DuPont (DD)"
        hosts.setdefault(acro, alias_of.get(id(host), host))
    if not hosts:
        return
    for c in cands:
        acro = _acronym(c.text)
        host = hosts.get(acro) if acro else None
        start = c.span.start
        if c.type == COUNTRY and not (start > 0 and designator_word(lower[start - 1], words[start - 1])):
            continue  # "in the UK" stays the country; only "Union Carbide Corp UK" is the symbol
        if host is not None and c is not host and id(c) not in alias_of:
            alias_of[id(c)] = host
            c.type, c.weight = host.type, max(c.weight, 2)


def _resolve_org_short_forms(p: ParsedDoc, cands: list[Candidate], alias_of: dict[int, Candidate]) -> None:
    """A mention equal to the leading word(s) of an organisation's name earlier in the article
    joins that organisation. People whose name only the model proposed, places no gazetteer knows
    and organisations join (the nearest earlier host; an organisation only when it is the sole
    one); a gazetteer place joins only when the model itself read it as an organisation and it
    does not follow a locative preposition; countries never do."""
    orgs = [c for c in cands if c.type == ORGANIZATION and len(c.words) >= 2]
    if not orgs:
        return
    # every host's words begin with the mention's first word (or its plain form): a mention whose
    # first word begins no organisation's name is passed over without the scan of all of them
    firsts = {o.words[0] for o in orgs}
    ends = {c.span.end for c in cands}
    for c in cands:
        if id(c) in alias_of or c.type == COUNTRY:
            continue
        if c.span.start not in ends and _with_word_before(p, c, orgs, alias_of):
            if c.words:
                firsts.add(c.words[0])  # c's span now starts a word earlier (c may be one of orgs)
            continue
        if c.type == PERSON and c.weight > 1:
            continue
        if c.type == PLACE and c.weight >= 2 and c.code and c.span.label != "ORG":
            continue
        if c.type == PLACE and c.span.label != "ORG" and after_locative(p, c.span.start):
            continue
        toks = c.words
        if not toks:
            continue
        plain = _without_lost_apostrophe(toks) if c.type != ORGANIZATION and _lost_apostrophe(toks) else toks
        if toks[0] not in firsts and plain[0] not in firsts:
            continue
        hosts = []
        start, n, n_plain = c.span.start, len(toks), len(plain)
        for o in orgs:
            if o.span.start >= start:
                break
            otoks = o.words
            if (len(otoks) > n and otoks[:n] == toks) or (len(otoks) > n_plain and otoks[:n_plain] == plain):
                hosts.append(alias_of.get(id(o), o))
        if not hosts:
            continue
        if c.type == ORGANIZATION and len({norm(h.text) for h in hosts}) > 1:
            continue
        alias_of[id(c)] = hosts[-1]
        c.type = ORGANIZATION


def _with_word_before(p: ParsedDoc, c: Candidate, orgs: list[Candidate], alias_of: dict[int, Candidate]) -> bool:
    """ "American Midland has agreed" after "American Midland Corp": the model read "American" as a
    demonym and "Midland" as the town; with the capitalised word before it the mention is the
    leading words of the company's name, and is that company (a gazetteer place too)."""
    s = c.span.start
    if s == 0 or not p.words[s - 1][:1].isupper() or not p.space[s - 1]:
        return False
    text = p.text_of(s - 1, c.span.end)
    toks = tuple(norm(text).split())
    host = None
    for o in orgs:
        if o.span.start >= c.span.start:
            break
        otoks = o.words
        if len(otoks) > len(toks) and otoks[:len(toks)] == toks:
            host = alias_of.get(id(o), o)
    if host is None:
        return False
    c.move_to(TokenSpan(s - 1, c.span.end), text)
    alias_of[id(c)] = host
    c.type = ORGANIZATION
    return True


def _best_full_name(c: Candidate, toks: tuple[str, ...], in_persons: NameIndex,
                    cands: list[Candidate]) -> Candidate | None:
    """The full name a short form stands for (`in_persons`: the people's full names). A surname
    beats a first name; among several people ("Steve" for Steve Jobs and Steve Ballmer) the one
    the article names most, then the nearest mention before it."""
    hosts = [person for person in in_persons.holding(toks) if len(toks) < len(person.words)]
    if not hosts:
        return None
    by_surname = [person for person in hosts if person.words[-len(toks):] == toks]
    hosts = by_surname or hosts
    if len({norm(person.text) for person in hosts}) == 1:
        return min(hosts, key=lambda person: abs(person.span.start - c.span.start))
    surnames = Counter(x.words[-1] for x in cands if x.type in (PERSON, ORGANIZATION))

    def rank(person: Candidate) -> tuple[int, int, int]:
        before = person.span.start < c.span.start
        return (-surnames[person.words[-1]], 0 if before else 1, abs(person.span.start - c.span.start))

    return min(hosts, key=rank)


def _group_key(c: Candidate) -> str:
    if c.name:
        return norm(c.name)
    if c.type == COUNTRY and c.code:
        return "country:" + c.code
    return norm(c.text)


def _vote_order(kv: tuple[EntityType, int]) -> tuple[int, str]:
    """Most votes first, then the type's name."""
    return -kv[1], kv[0]


def _form_order(kv: tuple[str, int]) -> tuple[int, int, str]:
    """The longest form (in words) first, then the most frequent, then the first in sort order."""
    return -len(kv[0].split()), -kv[1], kv[0]


def canonical(members: list[Candidate], type_: EntityType, gaz: Gazetteer) -> tuple[str, str | None]:
    """The entity's label: a country's gazetteer name, else the longest (then most frequent) form."""
    if type_ == COUNTRY:
        for c in members:  # the first code
            if c.code:
                return gaz.countries[c.code].name, c.code
    for c in members:  # the first full name of the type
        if c.name and c.type == type_:
            code = next((c.code for c in members if c.code and c.type == type_), None)
            return c.name, code  # "Colo." is labelled Colorado (and keeps "Colo." as an alias)
    typed = [c for c in members if c.type == type_] or members
    if len(typed) == 1:
        label = typed[0].text
    else:
        forms: dict[str, int] = {}
        for c in typed:
            forms[c.text] = forms.get(c.text, 0) + 1
        label = min(forms.items(), key=_form_order)[0]  # (the forms differ: no ties)
    if typed is not members:
        for c in typed:  # the first code
            if c.code:
                return label, c.code
    return label, None

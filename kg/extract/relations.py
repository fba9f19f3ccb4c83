"""kg:locatedIn, kg:visited and kg:metWith, read from the dependency parse and token patterns.

The patterns are data (kg/data/patterns/relations.json): spaCy `Matcher` patterns over tokens that
carry the article's resolved entities (`_.kg_type`, `_.kg_country`: see kg/extract/matching/tokens.py),
and `DependencyMatcher` patterns over the parse. A pattern only proposes; the code decides which
entity a matched token stands for, who did it and whether it happened (kg/extract/reference.py),
and whether the pair makes sense: a Place inside a Country or a larger place, never a list of
places; nobody "visits" their own country; meetings are between two different people.
"""
from __future__ import annotations

from itertools import combinations

from kg.extract.context import DocContext
from kg.extract.reference import (RELATIONS, SUBJECT_DEPS, agents, governing_verb, group, occurred, referent,
                                  relations_lexicon)
from kg.gazetteer import gazetteer
from kg.records import EntityRecord, EntityType

PLACES = (EntityType.PLACE, EntityType.COUNTRY)
PERSON = (EntityType.PERSON,)
#: visit patterns that only show presence, so that a local ("Kim was in Pyongyang") is no visitor
HOST_CHECKED_VISITS = {"presence"}


def extract_relations(ctx: DocContext) -> None:
    """kg:locatedIn, kg:visited and kg:metWith for one article."""
    _located_in(ctx)
    _visits(ctx)
    _meetings(ctx)


# -- kg:locatedIn -------------------------------------------------------------------------------
def _mention_bounds(ctx: DocContext, i: int) -> tuple[int, int]:
    """The tokens of the mention that token i is in."""
    key = ctx.token_entity.get(i)
    start = end = i
    while start > 0 and ctx.token_entity.get(start - 1) == key:
        start -= 1
    while end + 1 < ctx.parsed.n and ctx.token_entity.get(end + 1) == key:
        end += 1
    return start, end + 1


def _in_list(ctx: DocContext, sub: int, obj: int, place_marks: dict[int, bool]) -> bool:
    """ "Boston, Chicago, Los Angeles": commas between places of a list are not "place, region".
    (`place_marks`: the tokens of Place and Country mentions.)"""
    p = ctx.parsed
    s0, _ = _mention_bounds(ctx, sub)
    _, o1 = _mention_bounds(ctx, obj)
    if o1 + 1 < p.n and p.lower[o1] in (",", "and", "or") and place_marks.get(o1 + 1, False):
        return True
    if o1 + 2 < p.n and p.words[o1] == "," and p.lower[o1 + 1] in ("and", "or") and place_marks.get(o1 + 2, False):
        return True
    if s0 >= 2 and p.lower[s0 - 1] in (",", "and", "or") and place_marks.get(s0 - 2, False):
        return True
    return False


def _container_ok(sub: EntityRecord, obj: EntityRecord, comma: bool) -> bool:
    """Whether `obj` can contain `sub`: a country (the same one the gazetteer puts the place in), a
    first-level region, a continent, or a city when `sub` is a smaller named place."""
    if sub.type != EntityType.PLACE or obj.type not in PLACES or sub.key == obj.key:
        return False
    gaz = gazetteer()
    if obj.type == EntityType.COUNTRY:
        return not (sub.code and obj.code and sub.code != obj.code)
    big = gaz.place(obj.label)
    small = gaz.place(sub.label)
    if big is None:
        return not comma  # "the resort in Wonsan-Kalma"? only with an explicit "in"
    if small is not None and big.country and small.country and small.country != big.country:
        return False
    if big.kind in ("admin1", "continent"):
        return not (comma and big.kind == "continent")
    return small is None or small.kind != "city" or (not comma and small.population < big.population)


def _add_located(ctx: DocContext, sub: EntityRecord | None, obj: EntityRecord | None, at: int,
                 comma: bool = False) -> None:
    if sub is None or obj is None or not _container_ok(sub, obj, comma):
        return
    if any(r.predicate == "locatedIn" and r.subject == obj.key and r.object == sub.key for r in ctx.relations):
        return  # never both ways
    ctx.add_relation(sub, "locatedIn", obj, at=at)


def _located_in(ctx: DocContext) -> None:
    marks = ctx.entity_marks()
    place_marks = {m.token: m.kg_type in PLACES for m in marks}
    country_marks = {m.token: m.country for m in marks}
    for name, roles in ctx.matcher.tokens(RELATIONS, "locatedIn", marks):
        sub_tok, obj_tok = roles.get("subject"), roles.get("object")
        if sub_tok is None or obj_tok is None:
            continue
        sub = ctx.entity_at(sub_tok)
        obj = ctx.country_at(obj_tok) if country_marks.get(obj_tok, False) else ctx.entity_at(obj_tok)
        comma = name == "place_comma_container"
        if comma and _in_list(ctx, sub_tok, obj_tok, place_marks):
            continue
        targets = [sub]
        if name == "demonym_locality_of_place":  # "the Russian cities of Kursk and Belgorod"
            targets = group(ctx, sub_tok, (EntityType.PLACE,))
        for target in targets:
            _add_located(ctx, target, obj, sub_tok, comma=comma)
    for name, roles in ctx.matcher.dependency(RELATIONS, "locatedIn"):
        sub = referent(ctx, roles["subject"], (EntityType.PLACE,))
        for obj in group(ctx, roles["object"], PLACES)[:1]:
            _add_located(ctx, sub, obj, roles["subject"])


# -- kg:visited -----------------------------------------------------------------------------------
def _affiliated_country(ctx: DocContext, person: EntityRecord) -> set[str]:
    """ISO codes of the countries a person is affiliated with (from the roles stage)."""
    codes = set()
    for r in ctx.relations:
        if r.subject == person.key and r.predicate == "affiliatedWith" and r.object:
            ent = ctx.by_key(r.object)
            if ent is not None and ent.type == EntityType.COUNTRY and ent.code:
                codes.add(ent.code)
    return codes


def _place_country(ctx: DocContext, place: EntityRecord) -> set[str]:
    codes = {place.code} if place.code else set()
    for r in ctx.relations:
        if r.subject == place.key and r.predicate == "locatedIn" and r.object:
            ent = ctx.by_key(r.object)
            if ent is not None and ent.code:
                codes.add(ent.code)
    return codes


def _add_visit(ctx: DocContext, person: EntityRecord, place: EntityRecord, at: int, host_check: bool) -> None:
    """`host_check`: the presence is inferred (a meeting held there), so a local host is not a visitor."""
    if person.type != EntityType.PERSON or place.type not in PLACES:
        return
    home = _affiliated_country(ctx, person)
    if place.type == EntityType.COUNTRY and place.code in home:
        return
    if host_check and home & _place_country(ctx, place):
        return
    ctx.add_relation(person, "visited", place, at=at)


def _event_agents(ctx: DocContext, event: int, types: tuple[EntityType, ...]) -> list[EntityRecord]:
    """Who made the visit / held the talks an event word names."""
    p = ctx.parsed
    if p.pos[event] in ("VERB", "AUX"):
        return agents(ctx, event, types)
    lex = relations_lexicon()
    for c in p.children[event]:  # "Lavrov's visit", "his visit"
        if p.dep[c] == "poss":
            ent = referent(ctx, c, types)
            return [ent] if ent is not None else []
    for c in p.children[event]:  # "a visit by Lavrov"
        if p.dep[c] == "prep" and p.lower[c] == "by":
            return [e for o in p.children[c] if p.dep[o] == "pobj" for e in group(ctx, o, types)]
    head = p.head[event]
    if p.dep[event] == "pobj" and p.lower[head] in lex["during_prepositions"] and \
            p.pos[p.head[head]] == "PROPN":  # "Lavrov, on a visit to Pyongyang, said"
        ent = referent(ctx, p.head[head], types)
        if ent is not None:
            return [ent]
    verb = governing_verb(p, event)
    if verb is None:
        return []
    tok = event
    while p.dep[tok] == "conj":
        tok = p.head[tok]
    light = lex["visit_light_verbs"] | lex["meeting_light_verbs"]
    if (p.dep[tok] == "dobj" and p.lemma[verb] in light) or \
            (p.dep[tok] == "pobj" and p.lower[p.head[tok]] in lex["during_prepositions"]):
        return agents(ctx, verb, types)
    return []


def _visits(ctx: DocContext) -> None:
    p = ctx.parsed
    for name, roles in ctx.matcher.dependency(RELATIONS, "visit"):
        event, place_tok = roles["event"], roles["place"]
        if not occurred(ctx, event):
            continue
        places = group(ctx, place_tok, PLACES, appositions=True)
        if not places:
            continue
        if name == "visit_verb_passive":
            visitors = [e for c in p.children[event] if p.dep[c] == "agent"
                        for o in p.children[c] if p.dep[o] == "pobj" for e in group(ctx, o, PERSON)]
        else:
            visitors = _event_agents(ctx, event, PERSON)
        for person in visitors:
            for place in places:
                _add_visit(ctx, person, place, event, host_check=name in HOST_CHECKED_VISITS)


# -- kg:metWith -----------------------------------------------------------------------------------
def _event_places(ctx: DocContext, tokens: list[int]) -> list[EntityRecord]:
    """Places named by "in X" / "at X" attached to the event's words, or framing its sentence
    ("In Wonsan, Lavrov and Choe initiated discussions")."""
    p = ctx.parsed
    out: list[EntityRecord] = []
    if tokens:
        start, end = p.sent_of(tokens[0])
        if p.lower[start] in ("in", "at") and end - start > 2:
            ent = ctx.entity_at(start + 1)
            if ent is not None and ent.type in PLACES:
                _, after = _mention_bounds(ctx, start + 1)
                if after < end and p.words[after] == ",":
                    out.append(ent)
    for tok in tokens:
        for prep in p.children[tok]:
            if p.dep[prep] == "prep" and p.lower[prep] in ("in", "at"):
                for obj in p.children[prep]:
                    if p.dep[obj] == "pobj":
                        for ent in group(ctx, obj, PLACES):
                            if ent not in out:
                                out.append(ent)
    return out


def _remote(ctx: DocContext, event: int | None) -> bool:
    """ "phone talks", "a video conference": people who talk remotely did not meet."""
    p = ctx.parsed
    remote = relations_lexicon()["remote_meeting_modifiers"]
    return event is not None and any(p.lower[c] in remote for c in p.children[event])


def _add_meeting(ctx: DocContext, people: list[EntityRecord], at: int) -> None:
    people = [person for person in people if person.type == EntityType.PERSON]
    order = {person.key: min((s.start for s in ctx.spans.get(person.key, [])), default=0) for person in people}
    for a, b in combinations(sorted(people, key=lambda person: (order[person.key], person.key)), 2):
        if a.key == b.key:
            continue
        if any(r.predicate == "metWith" and {r.subject, r.object} == {a.key, b.key} for r in ctx.relations):
            continue
        ctx.add_relation(a, "metWith", b, at=at)


def _meetings(ctx: DocContext) -> None:
    p = ctx.parsed
    # (event word, people who met, people who came there, words that may carry "in X")
    events: list[tuple[int, list[EntityRecord], list[EntityRecord], list[int]]] = []
    for name, roles in ctx.matcher.dependency(RELATIONS, "meeting"):
        event = roles.get("event")
        occasion = roles.get("occasion")
        anchor = event if event is not None else occasion
        if not occurred(ctx, anchor) or (occasion is not None and not occurred(ctx, occasion)):
            continue
        if _remote(ctx, occasion) or _remote(ctx, event):
            continue
        partner_tok = roles.get("partner")
        partners = group(ctx, partner_tok, PERSON) if partner_tok is not None else []
        hosts: list[EntityRecord] = []
        if name == "talks_between":
            people = partners
        else:
            hosts = _event_agents(ctx, anchor, PERSON)
            people = hosts + partners
        if name == "host_person" and not partners:
            continue
        if name == "meet_together" and len(people) < 2:
            continue
        carriers = [t for t in (event, occasion, partner_tok) if t is not None]
        if occasion is not None and p.dep[occasion] in SUBJECT_DEPS:  # "talks ... took place in X"
            carriers.append(p.head[occasion])
        # who came to the meeting's place: the guests of "X hosted Y"; the subject of "X met Y in P"
        # (Y is as often the host); everyone in "X and Y met in P" / "talks between X and Y in P"
        visitors = partners if name == "host_person" else hosts if (hosts and partners) else people
        events.append((anchor, people, visitors, carriers))
    for name, roles in ctx.matcher.tokens(RELATIONS, "meeting", ctx.entity_marks()):
        event = roles["event"]
        if not occurred(ctx, event):
            continue
        people = [e for e in (ctx.entity_at(roles["agent"]), ctx.entity_at(roles["partner"])) if e is not None]
        carriers = [event] + [c for c in p.children[event] if p.dep[c] == "dobj"]
        events.append((event, people, people, carriers))
    for anchor, people, visitors, carriers in events:
        people = list({person.key: person for person in people}.values())
        _add_meeting(ctx, people, anchor)
        if not people:
            continue
        for place in _event_places(ctx, carriers):
            for person in visitors:
                _add_visit(ctx, person, place, anchor, host_check=True)

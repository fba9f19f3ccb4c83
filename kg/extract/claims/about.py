"""What a claim is about: the entities its content names, and the claimant only when the content
refers to it ("Russia announced that it would ...", "'I am uneasy,' he said")."""
from __future__ import annotations

from typing import Sequence

from kg.extract.claims.drafts import Draft
from kg.extract.claims.reader import Reader
from kg.extract.context import DocContext
from kg.records import ClaimRecord, EntityRecord, EntityType

ABOUT_TYPES = (EntityType.PERSON, EntityType.ORGANIZATION, EntityType.COUNTRY, EntityType.PLACE, EntityType.AGREEMENT)


def about(r: Reader, draft: Draft, claimant: EntityRecord | None,
          before: Sequence[ClaimRecord] = ()) -> list[EntityRecord]:
    """The entities the claim content names; the claimant only when the content refers to it. When
    the content names none: the topic of the same speaker's claim in the sentence before ("He added
    that ..."), else the other entities of the sentence, else the claimant itself (its own doings).
    `before`: the claims made so far."""
    ctx, p = r.ctx, r.p
    out: list[EntityRecord] = []

    def add(ent: EntityRecord | None) -> None:
        if ent is not None and ent.type in ABOUT_TYPES and ent not in out:
            out.append(ent)

    pronouns = r.gaz.words
    for t in draft.topics:
        if p.pos[t] == "PRON" and p.lower[t] in pronouns.person_pronouns:
            add(_recent_other_person(r, t, claimant))
    demonyms = ctx.demonym_tokens
    order = sorted(draft.content)
    for i in order:
        if i in demonyms or r.may_name(i):
            add(r.entity(i) or (ctx.country_at(i) if i in demonyms else None))
        if claimant is None or p.pos[i] != "PRON":
            continue
        low = p.lower[i]
        quoted = r.quotes.inside(i)
        subject = p.dep[i] in ("nsubj", "nsubjpass")
        if quoted and subject and low in r.words("first_person_singular"):
            add(claimant)
        elif quoted and subject and low in r.words("first_person_plural"):
            add((_affiliation(ctx, claimant) or claimant) if claimant.type == EntityType.PERSON else claimant)
        elif not quoted and subject and (
                (claimant.type == EntityType.PERSON and low in pronouns.person_pronouns) or
                (claimant.type != EntityType.PERSON and low in pronouns.thing_pronouns)):
            add(claimant)
    if not out:  # "the company will function normally": the organisation named just before
        anaphoric = r.words("anaphoric_org_nouns")
        for i in order:
            if p.lemma[i] in anaphoric and p.tag[i] == "NN" and \
                    any(p.dep[c] == "det" and p.lower[c] == "the" for c in p.children[i]) and \
                    not any(p.dep[c] in ("compound", "amod", "poss") for c in p.children[i]):
                add(r.recent(i, (EntityType.ORGANIZATION,)))
    if out:
        return out
    here = p.sent_index(draft.cue)
    if claimant is not None:
        for record in reversed(before):
            if record.claimant == claimant.key and here - 1 <= record.sent <= here:
                for key in record.about:  # the country or place spoken about carries over, not the actors
                    ent = ctx.by_key(key)
                    if ent is not None and ent.type in (EntityType.COUNTRY, EntityType.PLACE):
                        add(ent)
                if out:
                    return out
                break
    start, end = p.sents[here]
    for j in range(start, end):
        if j in draft.content or not (j in demonyms or r.may_name(j)):
            continue
        ent = r.entity(j) or (ctx.country_at(j) if j in demonyms else None)
        if ent is not claimant:
            add(ent)
    if not out and claimant is not None:
        add(claimant)
    return out


def _recent_other_person(r: Reader, i: int, claimant: EntityRecord | None) -> EntityRecord | None:
    """ "described him as ...": the person named last before token i (in its sentence and the two
    before), other than the claimant."""
    p = r.p
    stop, _ = p.sents[max(0, p.sent_index(i) - 2)]
    for j in range(i - 1, stop - 1, -1):
        ent = r.entity(j)
        if ent is not None and ent.type == EntityType.PERSON and ent is not claimant:
            return ent
    return None


def _affiliation(ctx: DocContext, person: EntityRecord) -> EntityRecord | None:
    """The organisation a person speaks for ("we" in their quotation), from kg:affiliatedWith."""
    found = [ctx.by_key(r.object) for r in ctx.relations
             if r.subject == person.key and r.predicate == "affiliatedWith" and r.object]
    found = [e for e in found if e is not None]
    orgs = [e for e in found if e.type == EntityType.ORGANIZATION]
    return (orgs or found or [None])[0]

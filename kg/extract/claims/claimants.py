"""Who made a claim: the Person, Organization or Country a source phrase names.

The subject's entity; for a title ("the vice president of Dacia, Constantin Stroe") the person
named in it; for "the bank chief" the person who holds that title; for a pronoun the person the
discourse is about (he/she) or the previous claimant (it/they); for "a statement on Apple's
website" the owner; for an organisation the NER missed ("Ukrainian military intelligence",
"KCNA") a new Organization. Unnamed sources ("reports", "a top official", "Western authorities")
give no claimant.
"""
from __future__ import annotations

from kg.extract.claims.drafts import Draft
from kg.extract.claims.reader import ANTECEDENT_WINDOW, CLAIMANT_TYPES, Reader
from kg.extract.doc import TokenSpan
from kg.extract.reference import person_by_title
from kg.records import EntityRecord, EntityType

PERSON, COUNTRY, ORGANIZATION = EntityType.PERSON, EntityType.COUNTRY, EntityType.ORGANIZATION
#: the dependencies of the clauses inside a noun phrase, which are not part of its name
CLAUSE_DEPS = ("relcl", "acl", "advcl", "ccomp", "parataxis")


class Claimants:
    """Resolves the source phrases of one article's claims (`resolve`)."""

    def __init__(self, reader: Reader) -> None:
        self.r = reader
        self._resolving: set[int] = set()  # the phrases being resolved ("his statement ... he": no circles)

    def resolve(self, draft: Draft, previous: EntityRecord | None) -> list[EntityRecord | None]:
        """The claimants of a draft: one per named subject, else the "according to" source, else
        None. `previous`: the claimant of the claim before ("he"/"it"/"they" may refer to it)."""
        if draft.entities:
            return list(draft.entities)
        out: list[EntityRecord] = []
        for tok in draft.agents:
            ent = self.claimant(tok, previous)
            if ent is not None and ent not in out:
                out.append(ent)
        if not out:
            for tok in draft.fallback_agents:
                ent = self.claimant(tok, previous)
                if ent is not None and ent not in out:
                    out.append(ent)
        draft.entities = out
        return list(out) or [None]

    def claimant(self, i: int, previous: EntityRecord | None) -> EntityRecord | None:
        """The Person, Organization or Country that the noun phrase headed by token i names."""
        if i in self._resolving:
            return None
        self._resolving.add(i)
        try:
            return self._claimant(i, previous)
        finally:
            self._resolving.discard(i)

    def _claimant(self, i: int, previous: EntityRecord | None) -> EntityRecord | None:
        r = self.r
        p = r.p
        ent = r.entity(i, subject=True)
        if ent is not None:
            return ent if ent.type in CLAIMANT_TYPES else None
        if p.pos[i] == "PRON":
            return self.antecedent(i, previous)
        if p.pos[i] not in ("NOUN", "PROPN"):
            return None
        for child in p.children[i]:  # "the vice president, Constantin Stroe"
            if p.dep[child] == "appos":
                ent = r.entity(child)
                if ent is not None and ent.type in CLAIMANT_TYPES:
                    return ent
        lemma = p.lemma[i]
        if lemma in r.gaz.role_heads:  # "the general secretary of Unite, Tony Woodley"
            people = [e for e in self._entities_in(self._phrase(i)) if e.type == PERSON]
            if people:
                return people[0]
            return person_by_title(r.ctx, i, strict=False, entity_at=r.entity)
        if lemma in r.words("source_nouns"):  # "a statement on Apple's website" -> Apple
            return self._owner(i, previous)
        created = self._missed_organization(i)
        if created is not None:
            return created
        if lemma in r.words("anaphoric_org_nouns") and any(p.dep[c] == "det" and p.lower[c] == "the"
                                                            for c in p.children[i]):
            # "The company said": the organisation that spoke last, else the one named last
            if previous is not None and previous.type == ORGANIZATION:
                return previous
            return r.recent(i, (ORGANIZATION,))
        for child in p.children[i]:  # "the Russian Interfax news agency"
            if p.dep[child] in ("compound", "nmod"):
                ent = r.entity(child)
                if ent is not None and ent.type in CLAIMANT_TYPES and ent.type != COUNTRY:
                    return ent
        return None

    def _phrase(self, i: int) -> list[int]:
        """The noun phrase headed by token i, without the clauses inside it and quoted words."""
        p, r = self.r.p, self.r
        skip: set[int] = set()
        for t in p.subtree(i):
            if t != i and p.dep[t] in CLAUSE_DEPS:
                skip |= r.subtree(t)
        return [t for t in p.subtree(i) if t not in skip and not r.quotes.inside(t)]

    def _entities_in(self, tokens: list[int]) -> list[EntityRecord]:
        out: list[EntityRecord] = []
        for t in tokens:
            ent = self.r.entity(t)
            if ent is not None and ent.type in CLAIMANT_TYPES and ent not in out:
                out.append(ent)
        return out

    def _owner(self, i: int, previous: EntityRecord | None) -> EntityRecord | None:
        """Whose statement, website or spokesman: a possessor, or the object of of/from/on/by, or a compound."""
        r = self.r
        p = r.p
        definite = any(p.dep[c] == "det" and p.lower[c] == "the" for c in p.children[i])
        for child in p.children[i]:
            if p.dep[child] == "poss":
                return self.claimant(child, previous)
            if p.dep[child] in ("compound", "nmod"):
                ent = r.entity(child)
                if ent is not None and ent.type in CLAIMANT_TYPES:
                    return ent
                if definite and p.lemma[child] in r.words("anaphoric_org_nouns"):  # "the company website"
                    return r.recent(child, (ORGANIZATION,))
        for child in p.children[i]:
            if p.dep[child] == "prep" and p.lower[child] in r.words("owner_preps"):
                for obj in p.children[child]:
                    if p.dep[obj] == "pobj":
                        ent = self.claimant(obj, previous)
                        if ent is not None:
                            return ent
        return None

    def _missed_organization(self, i: int) -> EntityRecord | None:
        """An organisation the NER missed, named as a source: a singular organisation head noun with a
        country or proper-name modifier ("Ukrainian military intelligence"), or an acronym ("KCNA")."""
        r = self.r
        ctx, p, gaz = r.ctx, r.p, r.gaz
        if p.pos[i] == "PROPN" and p.is_upper[i] and p.is_alpha[i] and len(p.words[i]) >= 2 and \
                not gaz.country(p.words[i]) and not any(p.dep[c] == "compound" for c in p.children[i]):
            return ctx.add_entity(ORGANIZATION, p.words[i], TokenSpan(i, i + 1))
        if p.lemma[i] not in gaz.org_heads or p.tag[i] in ("NNS", "NNPS"):
            return None
        start = i
        named = False
        while start - 1 >= 0 and start <= p.head[start - 1] <= i and \
                p.dep[start - 1] in ("amod", "compound", "nmod") and not p.is_punct[start - 1]:
            before = start - 1
            if self._country_at(before) is not None or p.pos[before] == "PROPN":
                named = True
            start -= 1
        if not named or start == i:
            return None
        if any(ctx.entity_at(t) is not None and ctx.entity_at(t).type != COUNTRY for t in range(start, i + 1)):
            return None
        return ctx.add_entity(ORGANIZATION, p.text_of(start, i + 1), TokenSpan(start, i + 1))

    def _country_at(self, i: int) -> EntityRecord | None:
        ctx = self.r.ctx
        if i in ctx.demonym_tokens or ctx.entity_at(i) is not None:
            return ctx.country_at(i)
        return None

    def antecedent(self, i: int, previous: EntityRecord | None) -> EntityRecord | None:
        """A pronoun's referent, as a claimant: he/she the person the discourse is about
        (`_recent_person`), else the previous claimant when a person; it/they the previous
        claimant when an organisation or country, else for "it" the organisation or country named
        last. (Relations resolve pronouns otherwise: kg/extract/reference.py, `antecedent`.)"""
        r = self.r
        low = r.p.lower[i]
        if low in r.gaz.words.person_pronouns:  # else the speaker of the report before ("He also said")
            found = self._recent_person(i, previous)
            return found or (previous if previous is not None and previous.type == PERSON else None)
        if low in r.gaz.words.thing_pronouns:
            if previous is not None and previous.type in (ORGANIZATION, COUNTRY):
                return previous
            if low in ("it", "its"):
                return r.recent(i, (ORGANIZATION, COUNTRY), window=2)
        return None

    def _recent_person(self, i: int, previous: EntityRecord | None = None) -> EntityRecord | None:
        """The person a "he"/"she" at token i refers to. Going back sentence by sentence (outside
        quotations): the subject of the main clause when it names a person ("the general secretary of
        Unite, Tony Woodley"); nobody when it is an unnamed person ("The spokeswoman said ... She
        said"); the previous speaker when it is itself a pronoun; else the last person who is a subject,
        else the last person named. A name used as a modifier ("the Carter administration") does not count."""
        r = self.r
        p = r.p
        dep, head = p.dep, p.head
        here = p.sent_index(i)
        for index in range(here, max(-1, here - ANTECEDENT_WINDOW), -1):
            start, end = p.sents[index]
            if index == here:
                end = i
            main = next((t for t in range(start, end) if dep[t] == "nsubj" and not r.quotes.inside(t) and
                         (dep[head[t]] == "ROOT" or r.lex.verb_flags(p, head[t]) is not None)), None)
            if main is not None and p.pos[main] == "PRON":
                if p.lower[main] in r.gaz.words.person_pronouns:
                    return previous if previous is not None and previous.type == PERSON else None
            elif main is not None:
                named = self.claimant(main, previous)
                if named is not None and named.type == PERSON:
                    return named
                if named is None and (p.lemma[main] in r.gaz.role_heads or p.lemma[main] in r.words("source_nouns")):
                    return None
            subject: EntityRecord | None = None
            last: EntityRecord | None = None
            for j in range(start, end):
                if not r.may_name(j):
                    continue
                ent = r.entity(j)
                if ent is None or ent.type != PERSON or r.quotes.inside(j):
                    continue
                if r.entity(head[j]) is ent and head[j] != j:
                    continue  # not the head of the name
                if dep[j] in ("compound", "amod", "nmod") and r.entity(head[j]) is not ent:
                    continue
                last = ent
                if dep[j] in ("nsubj", "nsubjpass"):
                    subject = ent
            if subject is not None or last is not None:
                return subject or last
        return None

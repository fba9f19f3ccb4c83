"""Who or what a phrase refers to, who acted, and whether it happened: shared by the relation,
agreement and claim stages.

- `referent`: the entity a noun phrase names: the resolved mention, "the city of Wonsan", an
  appositive name ("the bank chief, Ben Bernanke"), a pronoun's `antecedent`, "the bank chief"
  for the person holding that title (`person_by_title`);
- `agents`: who does what a verb says: its subjects, shared by conjoined, participial and
  relative clauses; `group`: the entities of a coordinated phrase ("Wonsan and Pyongyang");
- `occurred`: whether an event is said to have happened ("will meet", "plans to visit", "did not
  meet", "if they meet", "the planned visit", "ahead of his visit" have not); `realized`, the same
  for a verb, also for a report ("did not say").

`person_by_title` and `realized` still read a phrase in two ways, one for relations and
agreements, one for claims (a parameter says which), so that the graphs stayed the same when
relations' and claims' versions were brought here; claims resolve pronouns with their own
discourse (kg/extract/claims/claimants.py). Making each one reading is the next step.

The words these read ("the city of", modal verbs, future dates) are the lexicon of
kg/data/patterns/relations.json. Tokens are indices into the article's `ParsedDoc`.
"""
from __future__ import annotations

from typing import Callable, Mapping

from kg.extract.context import DocContext
from kg.extract.doc import ParsedDoc
from kg.extract.matching import lexicon
from kg.gazetteer import gazetteer
from kg.records import EntityRecord, EntityType

RELATIONS = "relations.json"
SUBJECT_DEPS = ("nsubj", "nsubjpass")
DEFINITE_DETERMINERS = ("the", "this", "that")


def relations_lexicon() -> dict[str, frozenset[str]]:
    """The word lists of relations.json (the words of "did it happen" and "the city of" among them)."""
    return lexicon(RELATIONS)


# -- who is meant ----------------------------------------------------------------------------------
def coordinated(p: ParsedDoc, i: int) -> list[int]:
    """Token i and the tokens coordinated with it ("Lavrov and Choe"), in text order."""
    return sorted({i, *p.conjuncts(i)})


def referent(ctx: DocContext, i: int, types: tuple[EntityType, ...]) -> EntityRecord | None:
    """The entity (of one of `types`) that the noun phrase headed by token i names, or None."""
    ent = ctx.entity_at(i)
    if ent is not None:
        return ent if ent.type in types else None
    p = ctx.parsed
    if p.pos[i] == "PRON":
        return antecedent(ctx, i, types)
    if p.pos[i] not in ("NOUN", "PROPN"):
        return None
    for child in p.children[i]:
        if p.dep[child] == "appos":  # "the bank chief, Ben Bernanke"
            ent = ctx.entity_at(child)
            if ent is not None and ent.type in types:
                return ent
    if p.lemma[i] in relations_lexicon()["locality_heads"]:  # "the city of Wonsan"
        for prep in p.children[i]:
            if p.dep[prep] == "prep" and p.lower[prep] == "of":
                for obj in p.children[prep]:
                    ent = ctx.entity_at(obj) if p.dep[obj] == "pobj" else None
                    if ent is not None and ent.type in types:
                        return ent
    if EntityType.PERSON in types and p.pos[i] == "NOUN":
        return person_by_title(ctx, i)
    return None


def person_by_title(ctx: DocContext, i: int, *, strict: bool = True,
                    entity_at: Callable[[int], EntityRecord | None] | None = None) -> EntityRecord | None:
    """ "the bank chief" (token i, the title's noun, after "the", "this" or "that"): the person,
    mentioned before it, whose kg:holdsRole is this title.

    Two readings, kept apart until one serves both (they resolve some phrases differently):
    `strict` (relations, agreements): the title's modifiers ("bank") must be in the role too, and
    exactly one person may hold it. Not `strict` (claims): the noun must end the role, the person
    mentioned last before token i wins, and without such a role, the person named within three
    words after the same noun earlier in the text ("bank chief Ben Bernanke", found with
    `entity_at`, by default `ctx.entity_at`).
    """
    p = ctx.parsed
    if not any(p.dep[c] == "det" and p.lower[c] in DEFINITE_DETERMINERS for c in p.children[i]):
        return None
    holders = [(rel.value.lower().split(), rel.subject) for rel in ctx.relations
               if rel.predicate == "holdsRole" and rel.value]
    if strict:
        title_words = [p.lower[t] for t in p.subtree(i) if t <= i and p.dep[t] in ("compound", "amod") or t == i]
        found: list[EntityRecord] = []
        for title, key in holders:
            if all(w in title for w in title_words) and title[-1] == title_words[-1]:
                person = ctx.by_key(key)
                if person is not None and person not in found and _mentioned_before(ctx, person, i):
                    found.append(person)
        return found[0] if len(found) == 1 else None
    noun = p.lower[i]
    best: tuple[int, EntityRecord] | None = None
    for title, key in holders:
        if title[-1] == noun:
            person = ctx.by_key(key)
            last = max((s.start for s in ctx.spans.get(key, []) if s.start < i), default=-1)
            if person is not None and last >= 0 and (best is None or last > best[0]):
                best = (last, person)
    if best is not None:
        return best[1]
    entity_at = entity_at or ctx.entity_at
    for j in range(i - 1, -1, -1):  # the title right before a name earlier in the text
        if p.lower[j] == noun:
            for k in range(j + 1, min(j + 4, i)):
                ent = entity_at(k)
                if ent is not None and ent.type == EntityType.PERSON:
                    return ent
    return None


def _mentioned_before(ctx: DocContext, ent: EntityRecord, i: int) -> bool:
    return any(span.start < i for span in ctx.spans.get(ent.key, []))


def antecedent(ctx: DocContext, i: int, types: tuple[EntityType, ...]) -> EntityRecord | None:
    """What a pronoun refers to: the nearest preceding subject of the right kind, in this or the
    previous sentence (he/she: a Person; it/they: an Organization or Country; who/which: the noun
    the relative clause hangs on). None when that is not clear."""
    p, pronouns = ctx.parsed, gazetteer().words
    low = p.lower[i]
    if low in pronouns.relative_pronouns and p.dep[p.head[i]] in ("relcl", "acl"):
        return referent(ctx, p.head[p.head[i]], types)
    if low in pronouns.person_pronouns:
        want = tuple(t for t in types if t == EntityType.PERSON)
    elif low in pronouns.thing_pronouns:
        want = tuple(t for t in types if t in (EntityType.ORGANIZATION, EntityType.COUNTRY))
    else:
        return None
    if not want:
        return None
    here = p.sent_index(i)
    for index in (here, here - 1):
        if index < 0:
            break
        start, end = p.sents[index]
        if index == here:
            end = i
        seen: list[EntityRecord] = []
        subject: EntityRecord | None = None
        for t in range(end - 1, start - 1, -1):
            ent = ctx.entity_at(t)
            if ent is None or ent.type not in want:
                continue
            if ent not in seen:
                seen.append(ent)
            if subject is None and p.dep[t] in SUBJECT_DEPS:
                subject = ent
        if subject is not None:
            return subject
        if len(seen) == 1:
            return seen[0]
        if seen:
            return None
    return None


def agents(ctx: DocContext, verb: int, types: tuple[EntityType, ...], depth: int = 0) -> list[EntityRecord]:
    """Who does what `verb` says: its subjects (and the "by" agents of a passive), with
    coordinated subjects, and the subject shared with the governing clause when it has none."""
    p = ctx.parsed
    kids = p.children[verb]
    heads = [c for c in kids if p.dep[c] == "nsubj"]
    heads += [o for c in kids if p.dep[c] == "agent" for o in p.children[c] if p.dep[o] == "pobj"]
    fronted = [] if heads else fronted_subjects(p, verb)
    if not heads and not fronted:
        if any(p.dep[c] in ("nsubjpass", "csubj", "csubjpass", "expl") for c in kids):
            return []  # a passive clause with its own subject: "a settlement was reached"
        head = p.head[verb]
        if depth < 3 and p.dep[verb] in ("conj", "xcomp", "advcl") and head != verb and p.pos[head] in ("VERB", "AUX"):
            return agents(ctx, head, types, depth + 1)
        if depth < 3 and p.dep[verb] in ("acl", "relcl") and p.pos[head] in ("NOUN", "PROPN"):
            ent = referent(ctx, head, types)
            return [ent] if ent is not None else []
        return []
    out: list[EntityRecord] = []
    for tok in [t for head in heads for t in coordinated(p, head)] + fronted:
        ent = referent(ctx, tok, types)
        if ent is not None and ent not in out:
            out.append(ent)
    return out


def fronted_subjects(p: ParsedDoc, verb: int) -> list[int]:
    """Subjects the parser hung on a fronted place: in "In Wonsan, Lavrov and Choe initiated
    discussions" the small model makes "Lavrov" a conjunct of "Wonsan" and leaves the verb without
    a subject. The conjuncts after the comma, before the verb, are the subjects."""
    for prep in p.children[verb]:
        if p.dep[prep] != "prep" or prep > verb:
            continue
        for pobj in p.children[prep]:
            if p.dep[pobj] != "pobj":
                continue
            comma = next((t for t in range(pobj + 1, verb) if p.words[t] == ","), None)
            if comma is None:
                continue
            found = [c for c in p.conjuncts(pobj) if comma < c < verb]
            if found:
                return found
    return []


def group(ctx: DocContext, i: int, types: tuple[EntityType, ...], appositions: bool = False) -> list[EntityRecord]:
    """The entities a (possibly coordinated) noun phrase names: "Wonsan and Pyongyang"."""
    p = ctx.parsed
    out: list[EntityRecord] = []
    for t in coordinated(p, i):
        cands = [t] + ([c for c in p.children[t] if p.dep[c] == "appos"] if appositions else [])
        for c in cands:
            ent = referent(ctx, c, types)
            if ent is not None and ent not in out:
                out.append(ent)
    return out


# -- did it happen -----------------------------------------------------------------------------------
def future_dates(p: ParsedDoc, future_words: frozenset[str]) -> list[int]:
    """The tokens of DATE entities that are one of `future_words` ("next", "tomorrow")."""
    return [i for i in p.positions(future_words) if p.ent_type[i] == "DATE"]


def realized(ctx: DocContext, verb: int, lex: Mapping[str, frozenset[str]], *, report: bool = False) -> bool:
    """Whether `verb` says that something happened: False when it is negated ("did not meet"),
    modal ("will meet"), conditional ("if they meet") or a bare infinitive ("to meet", "meet!").
    `lex`: the word lists "modal_aux" and "irrealis_marks" (and, with `report`, "aspectual_heads").

    Two readings, kept apart until one serves both: an event (relations, agreements, relations.json's
    words) has not happened either when a future date modifies the verb ("meets Choe next week"),
    an intention governs it ("plans to visit", "denied meeting") or it shares a modal with the verb
    it is conjoined to. A report (claims: `report`, claims.json's words) was made in "went on to
    say" (an infinitive under an aspectual verb), and not when the verb it is conjoined to is
    negated or modal ("will meet and announce").
    """
    p = ctx.parsed
    kids = p.children[verb]
    infinitive = False
    for c in kids:
        dep, low = p.dep[c], p.lower[c]
        if dep == "neg" or dep in ("aux", "auxpass") and low in lex["modal_aux"] or \
                dep == "mark" and low in lex["irrealis_marks"]:
            return False
        if dep == "aux" and low == "to":
            infinitive = True
    bare = p.tag[verb] == "VB" and not any(p.dep[c] == "aux" and p.cased_lemma[c] == "do" for c in kids)
    head = p.head[verb]
    if report:
        if infinitive or bare:  # "went on to say" reports what was said; "plans to say", "say!" do not
            return infinitive and p.dep[verb] == "xcomp" and p.lemma[head] in lex["aspectual_heads"]
        if p.dep[verb] == "conj" and head != verb:  # "will meet and announce": shared auxiliaries
            if any(p.dep[c] == "neg" or p.dep[c] == "aux" and p.lower[c] in lex["modal_aux"] for c in p.children[head]):
                return False
        return True
    if bare:
        return False  # "to visit", "will visit", "visit!"
    future = future_dates(p, lex["future_words"])
    if future:  # "meets Choe next week"
        for c in kids:
            if p.dep[c] in ("npadvmod", "advmod", "prep", "tmod") and any(p.is_under(i, c) for i in future):
                return False
    # what governs it: "plans to visit", "denied meeting", "is planning on visiting"
    dep, steps = p.dep[verb], 0
    while head != verb and steps < 3 and dep in ("xcomp", "ccomp", "pcomp", "prep", "conj", "advcl"):
        if dep != "conj" and dep != "advcl" and p.lemma[head] in lex["irrealis_governors"]:
            return False
        if dep == "conj":  # "will travel to Paris and meet Choe": the auxiliaries are shared
            if any(p.dep[c] == "aux" and p.lower[c] in lex["modal_aux"] for c in p.children[head]):
                return False
        if dep in ("advcl", "conj") or (dep == "prep" and p.lower[verb] not in ("on", "to", "of", "about", "for")):
            break
        verb, head, dep, steps = head, p.head[head], p.dep[head], steps + 1
    return True


def governing_verb(p: ParsedDoc, noun: int) -> int | None:
    """The verb a noun is the object, subject or prepositional object of ("paid a visit", "during
    the visit"). (A sentence's root verb passed as `noun` is its own governing verb.)"""
    tok = noun
    while p.dep[tok] == "conj" and p.head[tok] != tok:
        tok = p.head[tok]
    head = p.head[tok]
    if p.dep[tok] == "pobj" and p.dep[head] in ("prep", "agent"):
        head = p.head[head]
        if p.pos[head] not in ("VERB", "AUX") and p.dep[head] in ("advmod", "prep"):  # "ahead of"
            head = p.head[head]
    return head if p.pos[head] in ("VERB", "AUX") else None


def occurred(ctx: DocContext, event: int) -> bool:
    """Whether the event that token `event` (a verb or an event noun: a visit, a meeting, a
    signing) names is said to have happened."""
    p, lex = ctx.parsed, relations_lexicon()
    if p.pos[event] in ("VERB", "AUX"):
        return realized(ctx, event, lex)
    for c in p.children[event]:
        if p.dep[c] in ("amod", "compound", "det", "nmod") and p.lower[c] in lex["irrealis_modifiers"]:
            return False
    tok = event
    while p.dep[tok] == "conj" and p.head[tok] != tok:
        tok = p.head[tok]
    if p.dep[tok] == "pobj":
        prep = p.head[tok]
        if p.lower[prep] in lex["irrealis_prepositions"] or p.lower[p.head[prep]] in lex["irrealis_prepositions"]:
            return False
    verb = governing_verb(p, event)
    if verb is None:
        return True
    if p.lemma[verb] in lex["irrealis_governors"]:
        return False
    return realized(ctx, verb, lex)

"""kg:Agreement entities with kg:party, kg:signedOn and kg:signedIn, from the parse and pattern data.

An Agreement is a treaty, pact, deal or accord, named ("the Treaty of Versailles", NER LAW spans and
organisation-looking names headed by Treaty/Agreement/Accord) or described ("the military
agreement struck last year"). Patterns (kg/data/patterns/agreements.json) find the parties:

- "an agreement between A and B", "a deal with B", "A signed / reached / entered into ... with B",
  "a treaty signed by A and B", "the agreement reached between the two companies",
  "the agreement which established a partnership between the two countries",
  "a deal to sell Opel to Magna", "the Magna deal", "the Russian-North Korean treaty";
- "the two countries" / "both companies" are the two countries (companies) the article is most
  about; "the Romanian government" is Romania; pronoun subjects ("GM said it was cancelling a
  deal") are resolved to the nearest preceding subject;
- "a deal with B" whose other side the sentence leaves implicit gets the sentence's subject
  ("Chrysler filed for bankruptcy, however a deal with Fiat went through");
- a settlement after "A sued B" is between A and B.

Precision rules: a described agreement needs at least one party (a bare "the deal" is only a
reference back), settlements/arrangements/contracts need a party from a with/between phrase or a
verb, plural generic nouns ("trade deals") and potential deals ("a potential deal") are not
agreements. "this alliance" / "the deal" later in the article is a further mention of the most
recent agreement (its sentence becomes kg:evidence). Mentions of the same agreement (same or
contained party sets) are merged. kg:signedOn comes from a date attached to a signing verb or
modifying the noun ("the 1991 agreement"), resolved against the article date by kg/extract/dates.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract.context import DocContext
from kg.extract.dates import resolve_date
from kg.extract.doc import ParsedDoc, TokenSpan
from kg.extract.matching import lexicon
from kg.extract.reference import SUBJECT_DEPS, agents, coordinated, governing_verb, occurred, referent
from kg.records import EntityRecord, EntityType

PATTERN_FILE = "agreements.json"
AGENTS = (EntityType.PERSON, EntityType.ORGANIZATION, EntityType.COUNTRY)
MODIFIER_DEPS = {"compound", "amod", "poss", "nmod", "nummod", "npadvmod", "case", "punct", "hyph", "quantmod"}
BETWEEN_PATTERNS = {"agreement_between", "participle_between", "content_between"}
WITH_PATTERNS = {"agreement_with", "verb_object_with", "verb_into_with", "purpose_to", "purpose_to_object",
                 "purpose_to_adverbial"}
SUBJECT_PATTERNS = {"verb_object", "verb_object_conj", "verb_into"}
BY_PATTERNS = {"passive_by", "participle_by"}
NAME_LABELS = {"LAW", "EVENT", "ORG", "WORK_OF_ART", "PRODUCT"}

Words = dict[str, frozenset[str]]


@dataclass
class _Found:
    """What the patterns say about one agreement noun (token `head`)."""

    head: int
    between: list[EntityRecord] = field(default_factory=list)
    with_: list[EntityRecord] = field(default_factory=list)
    subjects: list[EntityRecord] = field(default_factory=list)
    signing_verbs: list[int] = field(default_factory=list)


def _add(items: list[EntityRecord], new: list[EntityRecord]) -> None:
    for ent in new:
        if ent not in items:
            items.append(ent)


# -- parties ----------------------------------------------------------------------------------
def article_pair(ctx: DocContext, type_: EntityType, before: int) -> list[EntityRecord]:
    """The two entities of `type_` the article is most about ("the two countries"), or [] when unclear.

    Salience is the number of mentions (demonyms included); both must be mentioned before `before`.
    On a tie for second place the two most recently mentioned before `before` are taken instead.
    """
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for ent in ctx.entities:
        if ent.type != type_:
            continue
        starts = [s.start for s in ctx.spans.get(ent.key, [])]
        starts += [i for i, k in ctx.demonym_tokens.items() if k == ent.key]
        early = [i for i in starts if i < before]
        if not early:
            continue
        counts[ent.key] = len(starts)
        first[ent.key] = min(starts)
        last[ent.key] = max(early)
    if len(counts) < 2:
        return []
    ranked = sorted(counts, key=lambda k: (-counts[k], first[k]))
    if len(ranked) > 2 and counts[ranked[1]] == counts[ranked[2]]:
        ranked = sorted(counts, key=lambda k: -last[k])
    pair = sorted(ranked[:2], key=lambda k: first[k])  # in the article's order
    return [e for e in (ctx.by_key(k) for k in pair) if e is not None]


def _denied(p: ParsedDoc, verb: int, lex: Words) -> bool:
    """ "did not sign / reach / have": the agreement is not said to exist (unlike "is not honoring it")."""
    return p.lemma[verb] in lex["creation_verbs"] and any(p.dep[c] == "neg" for c in p.children[verb])


def _is_pair(p: ParsedDoc, i: int, lex: Words) -> bool:
    """ "the two countries", "both companies"."""
    return p.tag[i] in ("NNS", "NNPS") and any(
        p.dep[c] in ("nummod", "det", "predet", "amod") and p.lower[c] in lex["pair_determiners"] for c in p.children[i])


def party_referents(ctx: DocContext, i: int, lex: Words) -> list[EntityRecord]:
    """The parties a noun phrase names: a country, organisation or person, "the two countries",
    "the Romanian government"; coordinated phrases give several."""
    p = ctx.parsed
    out: list[EntityRecord] = []
    for t in coordinated(p, i):
        lemma = p.lemma[t]
        if _is_pair(p, t, lex) and lemma in lex["country_pair_nouns"]:
            _add(out, article_pair(ctx, EntityType.COUNTRY, t))
            continue
        if _is_pair(p, t, lex) and lemma in lex["organization_pair_nouns"]:
            _add(out, article_pair(ctx, EntityType.ORGANIZATION, t))
            continue
        ent = referent(ctx, t, AGENTS)
        if ent is None and lemma in lex["government_heads"]:
            for c in p.children[t]:
                if p.dep[c] in ("amod", "poss", "compound", "nmod"):
                    ent = ctx.country_at(c) if c in ctx.demonym_tokens else referent(ctx, c, (EntityType.COUNTRY,))
                    if ent is not None:
                        break
        if ent is not None:
            _add(out, [ent])
    return out


def _modifier_tokens(p: ParsedDoc, head: int) -> list[int]:
    """Tokens before the head noun that modify it directly or through other modifiers."""
    out = []
    for t in p.subtree(head):
        if t >= head:
            break
        node = t
        while node != head and p.dep[node] in MODIFIER_DEPS:
            node = p.head[node]
        if node == head:
            out.append(t)
    return out


def _modifier_parties(ctx: DocContext, modifiers: list[int]) -> list[EntityRecord]:
    """ "the Magna deal", "Russia's treaty", "the US-Russia agreement", "the Russian-North Korean treaty"."""
    out: list[EntityRecord] = []
    for t in modifiers:
        ent = ctx.entity_at(t)
        if ent is None and t in ctx.demonym_tokens:
            ent = ctx.country_at(t)
        if ent is not None and ent.type in AGENTS:
            _add(out, [ent])
    return out


def _sentence_subject(ctx: DocContext, head: int, exclude: list[EntityRecord]) -> EntityRecord | None:
    """The other side of "a deal with B" when the sentence leaves it implicit: the nearest subject
    before the noun, if that subject is a named party ("Chrysler filed ..., however a deal with Fiat
    went through"); a pronoun or a common noun there means the text does not say."""
    p = ctx.parsed
    start, _ = p.sent_of(head)
    for i in range(head - 1, start - 1, -1):
        if p.dep[i] in SUBJECT_DEPS:
            if p.pos[i] == "PRON":
                return None
            ent = referent(ctx, i, AGENTS)
            return ent if ent is not None and ent not in exclude else None
    return None


# -- named agreements ---------------------------------------------------------------------------
def _agreement_name(words: list[str], lex: Words) -> bool:
    """ "Minsk Agreements", "Paris Agreement", "Treaty of Versailles": a name whose head is an agreement word."""
    if len(words) < 2:
        return False
    if words[-1].lower() in lex["named_heads"]:
        return True
    return words[0].lower() in lex["named_heads"] and words[1].lower() in ("of", "on", "for", "between")


def _named(ctx: DocContext, lex: Words) -> dict[int, EntityRecord]:
    """Named agreements (by the token of their name's root): NER LAW spans and organisation names
    headed by Treaty/Agreement/... ."""
    p = ctx.parsed
    out: dict[int, EntityRecord] = {}
    for ent in list(ctx.entities):
        if ent.type == EntityType.ORGANIZATION and _agreement_name(ent.label.split(), lex):
            ent.type = EntityType.AGREEMENT  # "Comprehensive Strategic Partnership Treaty" is no organisation
            for span in ctx.spans.get(ent.key, []):
                out[p.root(span.start, span.end)] = ent
    for span in p.ents:
        if span.label not in NAME_LABELS or lex["named_heads"].isdisjoint(p.lower[span.start:span.end]):
            continue  # no agreement word, so no agreement name
        words = [t for t in span.tokens() if p.lower[t] not in ("the", "a", "an")]
        if not words or not _agreement_name([p.words[t] for t in words], lex):
            continue
        if not all(p.is_title[t] or p.is_upper[t] or p.like_num[t] or p.is_punct[t]
                   or p.lower[t] in ("of", "on", "and", "for", "the") for t in words):
            continue
        if any(i in ctx.token_entity for i in range(words[0], words[-1] + 1)):
            continue
        name = TokenSpan(words[0], words[-1] + 1)
        ent = ctx.add_entity(EntityType.AGREEMENT, p.span_text(name), name)
        out[p.root(span.start, span.end)] = ent
    return out


# -- dates and places ---------------------------------------------------------------------------
def _date_span(p: ParsedDoc, i: int) -> TokenSpan | None:
    """The DATE entity token i is in, or None."""
    if p.ent_type[i] != "DATE":
        return None
    for ent in p.ents:
        if ent.start <= i < ent.end and ent.label == "DATE":
            return ent
    return None


def _when(ctx: DocContext, head: int, verbs: list[int], modifiers: list[int]) -> str | None:
    """kg:signedOn: a date on the signing verb ("struck last year", "signed on June 19") or on the
    noun ("the 1991 agreement")."""
    p = ctx.parsed
    article_date = ctx.document.date
    for verb in verbs:
        if not occurred(ctx, verb):
            continue
        past = p.tag[verb] in ("VBD", "VBN")
        for c in p.children[verb]:
            if p.dep[c] in ("npadvmod", "tmod"):
                cands = [c]
            elif p.dep[c] == "prep" and p.lower[c] in ("in", "on"):
                cands = [o for o in p.children[c] if p.dep[o] == "pobj"]
            else:
                cands = []
            for t in cands:
                span = _date_span(p, t)
                value = resolve_date(p.span_text(span), article_date, past=past) if span is not None else None
                if value:
                    return value
    for t in modifiers:
        span = _date_span(p, t)
        if span is not None and span.end <= head:
            value = resolve_date(p.span_text(span), article_date, past=True)
            if value:
                return value
    return None


def _where(ctx: DocContext, verbs: list[int]) -> EntityRecord | None:
    """kg:signedIn: "signed in Pyongyang" (also when the parser hangs "in Pyongyang" on the signatory:
    "signed by Putin and Kim in Pyongyang")."""
    p = ctx.parsed
    for verb in verbs:
        if not occurred(ctx, verb):
            continue
        holders = [verb] + [t for t in p.subtree(verb) if p.pos[t] == "PROPN" and p.ent_type[t] == "PERSON"
                            and p.dep[t] in ("pobj", "conj", "nsubj", "dobj")]
        for c in (c for h in holders for c in p.children[h]):
            if p.dep[c] == "prep" and p.lower[c] in ("in", "at"):
                for o in p.children[c]:
                    if p.dep[o] == "pobj" and p.ent_type[o] != "DATE":
                        ent = referent(ctx, o, (EntityType.PLACE, EntityType.COUNTRY))
                        if ent is not None:
                            return ent
    return None


# -- labels and mentions ------------------------------------------------------------------------
def _core(ctx: DocContext, head: int, modifiers: list[int], lex: Words) -> tuple[int, str]:
    """(start token, text) of the noun with its descriptive modifiers: "military agreement", "1991 agreement"."""
    p = ctx.parsed
    mods = [t for t in modifiers if p.dep[t] not in ("poss", "case", "det")
            and not any(p.dep[a] == "poss" for a in p.ancestors(t) if a < head)
            and p.lower[t] not in lex["label_stopwords"]]
    # keep a contiguous run ending at the head
    start = head
    for t in sorted(mods, reverse=True):
        if t == start - 1:
            start = t
    words = []
    for t in range(start, head + 1):
        named = p.pos[t] == "PROPN" and (ctx.entity_at(t) is not None or p.ent_type[t]) or t in ctx.demonym_tokens
        words.append((p.words[t] if named else p.lower[t]) + (" " if t < head and p.space[t] else ""))
    return start, "".join(words).strip()


def _label(core: str, parties: list[EntityRecord]) -> str:
    names = [party.label for party in parties]
    if any(n.lower() in core.lower() for n in names):
        return core
    if len(names) >= 2:
        return f"{core} between {', '.join(names[:-1])} and {names[-1]}"
    return f"{names[0]} {core}" if names else core


def _mention(ctx: DocContext, ent: EntityRecord, span: TokenSpan, describes: bool) -> None:
    """A mention of an agreement. `describes`: the phrase describes it ("the military agreement", an
    altLabel, and kg:mentionedIn); otherwise it only refers back ("this alliance"). Names inside the
    phrase ("the Magna deal") keep pointing at their own entity."""
    before = {i: ctx.token_entity[i] for i in span.tokens() if i in ctx.token_entity}
    had = list(ent.aliases)
    ctx.add_mention(ent, span, alias=describes)
    if len(span) == 1 and ctx.parsed.pos[span.start] == "NOUN":
        ent.aliases[:] = had  # a bare "treaty" is no alternative name
    ctx.token_entity.update(before)
    for i in span.tokens():
        ctx.token_entity.setdefault(i, ent.key)


# -- the stage ----------------------------------------------------------------------------------
def _candidate(p: ParsedDoc, head: int, lex: Words, named: dict[int, EntityRecord]) -> bool:
    if head in named:
        return True
    return p.pos[head] == "NOUN" and p.lower[head] in lex["agreement_heads"] and p.tag[head] != "NNS"


def extract_agreements(ctx: DocContext) -> None:
    """Agreement entities and their kg:party / kg:signedOn / kg:signedIn relations."""
    p = ctx.parsed
    lex = lexicon(PATTERN_FILE)
    named = _named(ctx, lex)
    found: dict[int, _Found] = {}
    for name, roles in ctx.matcher.dependency(PATTERN_FILE, "party"):
        head = roles["agreement"]
        if not _candidate(p, head, lex, named):
            continue
        f = found.setdefault(head, _Found(head))
        party = roles.get("party")
        parties = party_referents(ctx, party, lex) if party is not None else []
        if name in BETWEEN_PATTERNS:
            _add(f.between, parties)
        elif name in WITH_PATTERNS:
            _add(f.with_, parties)
        elif name in BY_PATTERNS:
            _add(f.subjects, parties)
        if name in SUBJECT_PATTERNS and not _denied(p, roles["verb"], lex):
            _add(f.subjects, agents(ctx, roles["verb"], AGENTS))  # not "Russia did not sign the treaty"
    for name, roles in ctx.matcher.dependency(PATTERN_FILE, "signing"):
        head = roles["agreement"]
        if _candidate(p, head, lex, named):
            f = found.setdefault(head, _Found(head))
            if roles["verb"] not in f.signing_verbs:
                f.signing_verbs.append(roles["verb"])
    disputes: dict[int, list[EntityRecord]] = {}
    for _, roles in ctx.matcher.dependency(PATTERN_FILE, "dispute"):
        if occurred(ctx, roles["verb"]):
            sides = party_referents(ctx, roles["plaintiff"], lex) + party_referents(ctx, roles["defendant"], lex)
            _add(disputes.setdefault(ctx.sent_index(roles["verb"]), []), sides)
    # nouns no pattern matched may still carry parties in their modifiers
    for i in sorted({*named, *p.positions(lex["agreement_heads"])}):
        if _candidate(p, i, lex, named) and i not in found:
            found[i] = _Found(i)

    made: list[tuple[EntityRecord, int]] = []  # (agreement, token index of its latest mention)
    for head in sorted(found):
        f = found[head]
        kids = p.children[head]
        if any(p.dep[c] in ("amod", "compound") and p.lower[c] in lex["irrealis_modifiers"] or
               p.dep[c] == "det" and p.lower[c] == "no" for c in kids):
            continue  # "a potential deal", "no agreement"
        verb = governing_verb(p, head)
        if verb is not None and _denied(p, verb, lex):
            continue  # "Russia did not sign a treaty with Ukraine": no such treaty is said to exist
        modifiers = _modifier_tokens(p, head)
        strong = bool(f.between or f.with_ or f.subjects)
        if f.between:
            parties = list(f.between)
        else:
            parties = list(f.subjects)
            _add(parties, f.with_)
            _add(parties, _modifier_parties(ctx, modifiers))
            if f.with_ and len(parties) == len(f.with_):
                other = _sentence_subject(ctx, head, parties)
                if other is not None:
                    parties.insert(0, other)
        if not parties and p.lower[head] in lex["settlement_heads"]:
            parties = list(disputes.get(ctx.sent_index(head), []))
            strong = bool(parties)
        parties = [party for party in parties if party.type in AGENTS]
        ent = named.get(head)
        when = None
        if ent is None:
            if not parties or (p.lower[head] in lex["weak_heads"] and not strong):
                continue
            when = _when(ctx, head, f.signing_verbs, modifiers)
            distinct = any(p.dep[c] in ("amod", "det", "nummod") and p.lower[c] in lex["distinct_modifiers"]
                           for c in kids)  # "a new deal" is not the one before
            ent = None if distinct else _merge_target(ctx, made, parties, when)
            start, core = _core(ctx, head, modifiers, lex)
            if ent is None:
                ent = _new_agreement(ctx, _label(core, parties))
            _mention(ctx, ent, TokenSpan(start, head + 1), True)
        else:
            when = _when(ctx, head, f.signing_verbs, modifiers)
        made.append((ent, head))
        for party in parties:
            if party.key != ent.key:
                ctx.add_relation(ent, "party", party, at=head)
        if when and not any(r.subject == ent.key and r.predicate == "signedOn" for r in ctx.relations):
            ctx.add_relation(ent, "signedOn", value=when, at=head)
        where = _where(ctx, f.signing_verbs)
        if where is not None:
            ctx.add_relation(ent, "signedIn", where, at=head)
    _anaphors(ctx, lex, made, set(found))


def _parties_of(ctx: DocContext, ent: EntityRecord) -> set[str]:
    return {r.object for r in ctx.relations if r.subject == ent.key and r.predicate == "party" and r.object}


def _merge_target(ctx: DocContext, made: list[tuple[EntityRecord, int]], parties: list[EntityRecord],
                  when: str | None) -> EntityRecord | None:
    """The latest earlier agreement these parties belong to (one party set contains the other, and
    the signing dates, when both are known, agree)."""
    keys = {party.key for party in parties}
    for ent, _ in reversed(made):
        have = _parties_of(ctx, ent)
        if not have or not (keys <= have or have <= keys):
            continue
        dated = {r.value for r in ctx.relations if r.subject == ent.key and r.predicate == "signedOn"}
        if when and dated and not any(d.startswith(when) or when.startswith(d) for d in dated):
            continue
        return ent
    return None


def _new_agreement(ctx: DocContext, label: str) -> EntityRecord:
    """A fresh Agreement entity (never merged by label: two "deal"s of one article may differ)."""
    ent = EntityRecord(key=f"e{len(ctx.entities)}", type=EntityType.AGREEMENT, label=label)
    while ctx.by_key(ent.key) is not None:
        ent.key += "a"
    ctx.entities.append(ent)
    return ent


def _anaphors(ctx: DocContext, lex: Words, made: list[tuple[EntityRecord, int]], seen: set[int]) -> None:
    """ "this alliance", "the deal": a further mention of the latest agreement before it."""
    if not made:
        return
    p = ctx.parsed
    for i in p.positions(lex["anaphor_heads"]):
        if p.pos[i] != "NOUN" or i in ctx.token_entity:
            continue
        dets = lex["demonstratives"] if p.lower[i] in lex["demonstrative_anaphors"] else lex["anaphor_determiners"]
        if not any(p.dep[c] == "det" and p.lower[c] in dets for c in p.children[i]):
            continue  # "the alliance" is as often NATO as the treaty; "this alliance" points back
        if i in seen and any(i == at for _, at in made):
            continue
        before = [(ent, at) for ent, at in made if at < i]
        if not before:
            continue
        ent = max(before, key=lambda m: m[1])[0]
        det = next(c for c in p.children[i] if p.dep[c] == "det")
        _mention(ctx, ent, TokenSpan(det, i + 1), False)

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

from spacy.tokens import Doc, Span, Token

from kg.extract.context import DocContext, columns, doc_ents, ent_labels, indices_in
from kg.extract.dates import resolve_date
from kg.extract.patterns import doc_words
from kg.extract.relations import (SUBJECT_DEPS, agents, conjuncts, governing_verb, lexicon, occurred,
                                  referent, run_dependency_patterns)
from kg.records import EntityRecord

PATTERN_FILE = "agreements.json"
AGENTS = ("Person", "Organization", "Country")
MODIFIER_DEPS = {"compound", "amod", "poss", "nmod", "nummod", "npadvmod", "case", "punct", "hyph", "quantmod"}
BETWEEN_PATTERNS = {"agreement_between", "participle_between", "content_between"}
WITH_PATTERNS = {"agreement_with", "verb_object_with", "verb_into_with", "purpose_to", "purpose_to_object",
                 "purpose_to_adverbial"}
SUBJECT_PATTERNS = {"verb_object", "verb_object_conj", "verb_into"}
BY_PATTERNS = {"passive_by", "participle_by"}


@dataclass
class _Found:
    """What the patterns say about one agreement noun."""

    head: Token
    between: list[EntityRecord] = field(default_factory=list)
    with_: list[EntityRecord] = field(default_factory=list)
    subjects: list[EntityRecord] = field(default_factory=list)
    signing_verbs: list[Token] = field(default_factory=list)


def _found(found: dict[int, _Found], head: Token) -> _Found:
    """`found.setdefault(head.i, _Found(head))`, without making a record for a noun already there."""
    f = found.get(head.i)
    if f is None:
        f = found[head.i] = _Found(head)
    return f


def _add(items: list[EntityRecord], new: list[EntityRecord]) -> None:
    for ent in new:
        if ent not in items:
            items.append(ent)


# -- parties ----------------------------------------------------------------------------------
def article_pair(ctx: DocContext, type_: str, before: int) -> list[EntityRecord]:
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


def _denied(verb: Token, lex: dict[str, frozenset[str]]) -> bool:
    """ "did not sign / reach / have": the agreement is not said to exist (unlike "is not honoring it")."""
    return verb.lemma_.lower() in lex["creation_verbs"] and any(c.dep_ == "neg" for c in verb.children)


def _is_pair(tok: Token, lex: dict[str, frozenset[str]]) -> bool:
    return tok.tag_ in ("NNS", "NNPS") and any(
        c.dep_ in ("nummod", "det", "predet", "amod") and c.lower_ in lex["pair_determiners"] for c in tok.children)


def party_referents(ctx: DocContext, tok: Token, lex: dict[str, frozenset[str]]) -> list[EntityRecord]:
    """The parties a noun phrase names: a country, organisation or person, "the two countries",
    "the Romanian government"; coordinated phrases give several."""
    out: list[EntityRecord] = []
    for t in conjuncts(tok):
        lemma = t.lemma_.lower()
        if _is_pair(t, lex) and lemma in lex["country_pair_nouns"]:
            _add(out, article_pair(ctx, "Country", t.i))
            continue
        if _is_pair(t, lex) and lemma in lex["organization_pair_nouns"]:
            _add(out, article_pair(ctx, "Organization", t.i))
            continue
        ent = referent(ctx, t, AGENTS)
        if ent is None and lemma in lex["government_heads"]:
            for c in t.children:
                if c.dep_ in ("amod", "poss", "compound", "nmod"):
                    ent = ctx.country_at(c) if c.i in ctx.demonym_tokens else referent(ctx, c, ("Country",))
                    if ent is not None:
                        break
        if ent is not None:
            _add(out, [ent])
    return out


def _modifier_tokens(head: Token) -> list[Token]:
    """Tokens before the head noun that modify it directly or through other modifiers (made once
    per head noun: its parties, date and label each read them; callers do not change the list)."""
    made: dict[int, list[Token]] = head.doc.user_data.setdefault("kg_agreement_modifiers", {})
    out = made.get(head.i)
    if out is None:
        out = made[head.i] = _find_modifier_tokens(head)
    return out


def _find_modifier_tokens(head: Token) -> list[Token]:
    out = []
    for t in head.subtree:
        if t.i >= head.i:
            break
        node, ok = t, True
        while node.i != head.i:
            if node.dep_ not in MODIFIER_DEPS:
                ok = False
                break
            node = node.head
        if ok:
            out.append(t)
    return out


def _modifier_parties(ctx: DocContext, head: Token) -> list[EntityRecord]:
    """ "the Magna deal", "Russia's treaty", "the US-Russia agreement", "the Russian-North Korean treaty"."""
    out: list[EntityRecord] = []
    for t in _modifier_tokens(head):
        ent = ctx.entity_at(t)
        if ent is None and t.i in ctx.demonym_tokens:
            ent = ctx.country_at(t)
        if ent is not None and ent.type in AGENTS:
            _add(out, [ent])
    return out


def _sentence_subject(ctx: DocContext, head: Token, exclude: list[EntityRecord]) -> EntityRecord | None:
    """The other side of "a deal with B" when the sentence leaves it implicit: the nearest subject
    before the noun, if that subject is a named party ("Chrysler filed ..., however a deal with Fiat
    went through"); a pronoun or a common noun there means the text does not say."""
    sent = head.sent
    for i in range(head.i - 1, sent.start - 1, -1):
        tok = ctx.doc[i]
        if tok.dep_ in SUBJECT_DEPS:
            if tok.pos_ == "PRON":
                return None
            ent = referent(ctx, tok, AGENTS)
            return ent if ent is not None and ent not in exclude else None
    return None


# -- words ----------------------------------------------------------------------------------------
def _word_positions(doc: Doc, words: frozenset[str]) -> list[int]:
    """The indices of the tokens whose lower-case text is one of `words`, in text order. Most
    articles hold none of them, which the set of the article's words tells at once."""
    if words.isdisjoint(doc_words(doc)):
        return []
    return list(indices_in(columns(doc).lower, words))


# -- named agreements ---------------------------------------------------------------------------
NAME_LABELS = {"LAW", "EVENT", "ORG", "WORK_OF_ART", "PRODUCT"}


def _agreement_name(words: list[str], lex: dict[str, frozenset[str]]) -> bool:
    """ "Minsk Agreements", "Paris Agreement", "Treaty of Versailles": a name whose head is an agreement word."""
    if len(words) < 2:
        return False
    if words[-1].lower() in lex["named_heads"]:
        return True
    return words[0].lower() in lex["named_heads"] and words[1].lower() in ("of", "on", "for", "between")


def _named(ctx: DocContext, lex: dict[str, frozenset[str]]) -> dict[int, EntityRecord]:
    """Named agreements: NER LAW spans and organisation names headed by Treaty/Agreement/... ."""
    out: dict[int, EntityRecord] = {}
    for ent in list(ctx.entities):
        if ent.type == "Organization" and _agreement_name(ent.label.split(), lex):
            ent.type = "Agreement"  # "Comprehensive Strategic Partnership Treaty" is no organisation
            for span in ctx.spans.get(ent.key, []):
                out[span.root.i] = ent
    lower = columns(ctx.doc).lower
    for span, label in zip(doc_ents(ctx.doc), ent_labels(ctx.doc)):
        if label not in NAME_LABELS or lex["named_heads"].isdisjoint(lower[span.start:span.end]):
            continue  # no agreement word, so no agreement name
        words = [t for t in span if t.lower_ not in ("the", "a", "an")]
        if not words or not _agreement_name([t.text for t in words], lex):
            continue
        if not all(t.is_title or t.is_upper or t.like_num or t.is_punct or t.lower_ in ("of", "on", "and", "for", "the")
                   for t in words):
            continue
        if any(i in ctx.token_entity for i in range(words[0].i, words[-1].i + 1)):
            continue
        name = ctx.doc[words[0].i:words[-1].i + 1]
        ent = ctx.add_entity("Agreement", name.text, name)
        out[span.root.i] = ent
    return out


# -- dates and places ---------------------------------------------------------------------------
def _date_span(tok: Token) -> Span | None:
    if tok.ent_type_ != "DATE":
        return None
    for ent, label in zip(doc_ents(tok.doc), ent_labels(tok.doc)):
        if ent.start <= tok.i < ent.end and label == "DATE":
            return ent
    return None


def _when(ctx: DocContext, head: Token, verbs: list[Token]) -> str | None:
    """kg:signedOn: a date on the signing verb ("struck last year", "signed on June 19") or on the
    noun ("the 1991 agreement")."""
    article_date = ctx.document.date
    for verb in verbs:
        if not occurred(ctx, verb):
            continue
        past = verb.tag_ in ("VBD", "VBN")
        for c in verb.children:
            cands = [c] if c.dep_ in ("npadvmod", "tmod") else \
                [p for p in c.children if p.dep_ == "pobj"] if c.dep_ == "prep" and c.lower_ in ("in", "on") else []
            for t in cands:
                span = _date_span(t)
                value = resolve_date(span.text, article_date, past=past) if span is not None else None
                if value:
                    return value
    for t in _modifier_tokens(head):
        span = _date_span(t)
        if span is not None and span.end <= head.i:
            value = resolve_date(span.text, article_date, past=True)
            if value:
                return value
    return None


def _where(ctx: DocContext, verbs: list[Token]) -> EntityRecord | None:
    """kg:signedIn: "signed in Pyongyang" (also when the parser hangs "in Pyongyang" on the signatory:
    "signed by Putin and Kim in Pyongyang")."""
    for verb in verbs:
        if not occurred(ctx, verb):
            continue
        holders = [verb] + [t for t in verb.subtree if t.pos_ == "PROPN" and t.ent_type_ == "PERSON"
                            and t.dep_ in ("pobj", "conj", "nsubj", "dobj")]
        for c in (c for h in holders for c in h.children):
            if c.dep_ == "prep" and c.lower_ in ("in", "at"):
                for p in c.children:
                    if p.dep_ == "pobj" and p.ent_type_ != "DATE":
                        ent = referent(ctx, p, ("Place", "Country"))
                        if ent is not None:
                            return ent
    return None


# -- labels and mentions ------------------------------------------------------------------------
def _core(ctx: DocContext, head: Token, lex: dict[str, frozenset[str]]) -> tuple[int, str]:
    """(start token, text) of the noun with its descriptive modifiers: "military agreement", "1991 agreement"."""
    mods = [t for t in _modifier_tokens(head) if t.dep_ not in ("poss", "case", "det")
            and not any(a.dep_ == "poss" for a in t.ancestors if a.i < head.i)
            and t.lower_ not in lex["label_stopwords"]]
    # keep a contiguous run ending at the head
    start = head.i
    for t in sorted(mods, key=lambda t: -t.i):
        if t.i == start - 1:
            start = t.i
    words = []
    for t in ctx.doc[start:head.i + 1]:
        named = t.pos_ == "PROPN" and (ctx.entity_at(t) is not None or t.ent_type_) or t.i in ctx.demonym_tokens
        words.append((t.text if named else t.lower_) + (t.whitespace_ if t.i < head.i else ""))
    return start, "".join(words).strip()


def _label(core: str, parties: list[EntityRecord]) -> str:
    names = [p.label for p in parties]
    if any(n.lower() in core.lower() for n in names):
        return core
    if len(names) >= 2:
        return f"{core} between {', '.join(names[:-1])} and {names[-1]}"
    return f"{names[0]} {core}" if names else core


def _mention(ctx: DocContext, ent: EntityRecord, span: Span, describes: bool) -> None:
    """A mention of an agreement. `describes`: the phrase describes it ("the military agreement", an
    altLabel, and kg:mentionedIn); otherwise it only refers back ("this alliance"). Names inside the
    phrase ("the Magna deal") keep pointing at their own entity."""
    before = {i: ctx.token_entity[i] for i in range(span.start, span.end) if i in ctx.token_entity}
    had = list(ent.aliases)
    ctx.add_mention(ent, span, alias=describes)
    if len(span) == 1 and span[0].pos_ == "NOUN":
        ent.aliases[:] = had  # a bare "treaty" is no alternative name
    ctx.token_entity.update(before)
    for tok in span:
        ctx.token_entity.setdefault(tok.i, ent.key)


# -- the stage ----------------------------------------------------------------------------------
def _candidate(head: Token, lex: dict[str, frozenset[str]], named: dict[int, EntityRecord]) -> bool:
    if head.i in named:
        return True
    return head.pos_ == "NOUN" and head.lower_ in lex["agreement_heads"] and head.tag_ != "NNS"


def extract_agreements(ctx: DocContext) -> None:
    """Agreement entities and their kg:party / kg:signedOn / kg:signedIn relations."""
    lex = lexicon(PATTERN_FILE)
    named = _named(ctx, lex)
    found: dict[int, _Found] = {}
    for name, roles in run_dependency_patterns(ctx, PATTERN_FILE, "party"):
        head = roles["agreement"]
        if not _candidate(head, lex, named):
            continue
        f = _found(found, head)
        party = roles.get("party")
        parties = party_referents(ctx, party, lex) if party is not None else []
        if name in BETWEEN_PATTERNS:
            _add(f.between, parties)
        elif name in WITH_PATTERNS:
            _add(f.with_, parties)
        elif name in BY_PATTERNS:
            _add(f.subjects, parties)
        if name in SUBJECT_PATTERNS and not _denied(roles["verb"], lex):
            _add(f.subjects, agents(ctx, roles["verb"], AGENTS))  # not "Russia did not sign the treaty"
    for name, roles in run_dependency_patterns(ctx, PATTERN_FILE, "signing"):
        head = roles["agreement"]
        if _candidate(head, lex, named):
            f = _found(found, head)
            if roles["verb"] not in f.signing_verbs:
                f.signing_verbs.append(roles["verb"])
    disputes: dict[int, list[EntityRecord]] = {}
    for _, roles in run_dependency_patterns(ctx, PATTERN_FILE, "dispute"):
        if occurred(ctx, roles["verb"]):
            sides = party_referents(ctx, roles["plaintiff"], lex) + party_referents(ctx, roles["defendant"], lex)
            _add(disputes.setdefault(ctx.sent_index(roles["verb"]), []), sides)
    for head_i in named:
        if head_i not in found:
            found[head_i] = _Found(ctx.doc[head_i])
    heads = lex["agreement_heads"]  # nouns no pattern matched may still carry parties in their modifiers
    unnamed = _word_positions(ctx.doc, heads)
    for i in sorted({*named, *unnamed}):
        if _candidate(ctx.doc[i], lex, named):
            if i not in found:
                found[i] = _Found(ctx.doc[i])

    made: list[tuple[EntityRecord, int]] = []  # (agreement, token index of its latest mention)
    for head_i in sorted(found):
        f = found[head_i]
        head = f.head
        if any(c.dep_ in ("amod", "compound") and c.lower_ in lex["irrealis_modifiers"] or
               c.dep_ == "det" and c.lower_ == "no" for c in head.children):
            continue  # "a potential deal", "no agreement"
        verb = governing_verb(head)
        if verb is not None and _denied(verb, lex):
            continue  # "Russia did not sign a treaty with Ukraine": no such treaty is said to exist
        strong = bool(f.between or f.with_ or f.subjects)
        if f.between:
            parties = list(f.between)
        else:
            parties = list(f.subjects)
            _add(parties, f.with_)
            _add(parties, _modifier_parties(ctx, head))
            if f.with_ and len(parties) == len(f.with_):
                other = _sentence_subject(ctx, head, parties)
                if other is not None:
                    parties.insert(0, other)
        if not parties and head.lower_ in lex["settlement_heads"]:
            parties = list(disputes.get(ctx.sent_index(head), []))
            strong = bool(parties)
        parties = [p for p in parties if p.type in AGENTS]
        ent = named.get(head_i)
        if ent is None:
            if not parties or (head.lower_ in lex["weak_heads"] and not strong):
                continue
            when = _when(ctx, head, f.signing_verbs)
            distinct = any(c.dep_ in ("amod", "det", "nummod") and c.lower_ in lex["distinct_modifiers"]
                           for c in head.children)  # "a new deal" is not the one before
            ent = None if distinct else _merge_target(ctx, made, parties, when)
            start, core = _core(ctx, head, lex)
            if ent is None:
                ent = _new_agreement(ctx, _label(core, parties))
            _mention(ctx, ent, ctx.doc[start:head.i + 1], True)
        made.append((ent, head_i))
        for party in parties:
            if party.key != ent.key:
                ctx.add_relation(ent, "party", party, at=head)
        when = _when(ctx, head, f.signing_verbs)
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
    keys = {p.key for p in parties}
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
    ent = EntityRecord(key=f"e{len(ctx.entities)}", type="Agreement", label=label)
    while ctx.by_key(ent.key) is not None:
        ent.key += "a"
    ctx.entities.append(ent)
    return ent


def _anaphors(ctx: DocContext, lex: dict[str, frozenset[str]], made: list[tuple[EntityRecord, int]],
              seen: set[int]) -> None:
    """ "this alliance", "the deal": a further mention of the latest agreement before it."""
    if not made:
        return
    heads = lex["anaphor_heads"]
    if heads.isdisjoint(doc_words(ctx.doc)):  # no such word in the article
        return
    for tok in (ctx.doc[i] for i in _word_positions(ctx.doc, heads)):
        if tok.pos_ != "NOUN" or tok.i in ctx.token_entity:
            continue
        dets = lex["demonstratives"] if tok.lower_ in lex["demonstrative_anaphors"] else lex["anaphor_determiners"]
        if not any(c.dep_ == "det" and c.lower_ in dets for c in tok.children):
            continue  # "the alliance" is as often NATO as the treaty; "this alliance" points back
        if tok.i in seen and any(tok.i == i for _, i in made):
            continue
        before = [(ent, i) for ent, i in made if i < tok.i]
        if not before:
            continue
        ent = max(before, key=lambda m: m[1])[0]
        det = next(c for c in tok.children if c.dep_ == "det")
        _mention(ctx, ent, ctx.doc[det.i:tok.i + 1], False)

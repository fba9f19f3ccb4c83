"""Claims: who asserted what about whom, read from the dependency parse, token patterns and quotation marks.

The word lists and patterns are data: kg/data/patterns/claims_verbs.tsv (reporting verbs and what
each may report) and kg/data/patterns/claims.json (spaCy Matcher / DependencyMatcher patterns, source
nouns, hedges). A pattern proposes a cue and its content (`drafts`); the code decides who the
claimant is (`claimants`), what the claim is about (`about`) and whether the claim was really made.

Not claims: a negated, modal, conditional or infinitival report ("did not say", "will announce",
"if he claims", "refused to say"), a report of a bare noun phrase ("reported record profits",
"announced the move": an event, not an assertion), a reporting verb inside a quotation (the quotation
is already its speaker's claim), weak verbs ("suggest", "indicate", "believe") whose subject is not a
source ("the data suggest ...").

Modules: `patterns` (the data), `quotes` (quotations), `reader` (the article as the rules read it),
`drafts` (the forms of a claim), `claimants` (who), `about` (about whom), `text` (its words and number).
"""
from __future__ import annotations

from kg.extract.claims.about import about
from kg.extract.claims.claimants import Claimants
from kg.extract.claims.drafts import (Draft, Structure, according_to, continued_quotes, hedged_claim, nominal_claim,
                                      verb_claim)
from kg.extract.claims.patterns import cue_patterns, lexicon, structures
from kg.extract.claims.reader import Reader
from kg.extract.claims.text import content_text, find_quantity
from kg.extract.context import DocContext
from kg.records import ClaimRecord, EntityRecord

__all__ = ["extract_claims", "find_quantity", "lexicon"]


def extract_claims(ctx: DocContext) -> None:
    """Fill ctx.claims with the article's attributed assertions (and claimant organisations the NER missed)."""
    r = Reader(ctx, lexicon())
    _emit(r, _drafts(r))


def _drafts(r: Reader) -> list[Draft]:
    """Match the cues and structures, and build a draft per claim, in text order."""
    found: dict[int, list[Structure]] = {}  # cue token -> its structures
    for name, roles in r.ctx.matcher.group(structures()):
        found.setdefault(roles["cue"], []).append((name, roles))
    for matches in found.values():
        if len(matches) > 1:  # (most cues have one)
            matches.sort(key=lambda s: (s[0], sorted(s[1].values())))
    cues = cue_patterns().find(r.ctx)
    drafts: list[Draft] = []
    for i in sorted(cues):
        if cues[i] == "reporting_verb":
            d = verb_claim(r, i, found.get(i, []))
            if d is not None:
                drafts.append(d)
    for i in sorted(found):
        for name, roles in found[i]:
            if name in ("nominal_that", "nominal_as"):
                d = nominal_claim(r, name, roles)
                if d is not None:
                    drafts.append(d)
    for i in sorted(found):
        for name, roles in found[i]:
            if name == "according_to":
                according_to(r, roles, drafts)
    for i in sorted(cues):
        if cues[i] == "hedge":
            d = hedged_claim(r, i, drafts)
            if d is not None:
                drafts.append(d)
    drafts.sort(key=lambda d: (d.cue, min(d.content)))
    drafts += continued_quotes(r, drafts)
    drafts.sort(key=lambda d: (d.cue, min(d.content)))
    return drafts


def _emit(r: Reader, drafts: list[Draft]) -> None:
    """Claim records in text order; a claim inside another of the same claimant is not repeated
    ("Mann stated that he believed X": one claim)."""
    p, claimants = r.p, Claimants(r)
    records: list[ClaimRecord] = []
    previous: EntityRecord | None = None
    seen: set[tuple[str | None, str]] = set()
    for d in drafts:
        speakers = claimants.resolve(d, previous)
        text = content_text(p, d.content)
        if not text:
            continue
        quantity, quantity_text = find_quantity(p, d.content)
        for claimant in speakers:
            entities = about(r, d, claimant, records)
            if not entities:
                continue
            key = (claimant.key if claimant else None, text)
            if key in seen:
                continue
            seen.add(key)
            records.append(ClaimRecord(
                text=text, claimant=claimant.key if claimant else None, about=[e.key for e in entities],
                sent=p.sent_index(d.cue), quantity=quantity, quantity_text=quantity_text, cue=d.cue_text))
        previous = speakers[0]  # "he"/"it"/"they" in the next report may refer to it
    by_claimant: dict[str | None, list[ClaimRecord]] = {}  # (a record is compared with its claimant's)
    for record in records:
        by_claimant.setdefault(record.claimant, []).append(record)
    named = {other.text for other in records if other.claimant is not None}
    for record in records:
        if any(other is not record and record.text in other.text and len(other.text) > len(record.text)
               for other in by_claimant[record.claimant]):
            continue  # part of a longer claim of the same claimant
        if record.claimant is None and record.text in named:
            continue  # the same claim with its source named
        r.ctx.claims.append(record)

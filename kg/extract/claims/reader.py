"""One article as the claim rules read it: its parse, the claim lexicon, its quotations, and the
entities its words name (also a proper noun the NER missed that names one entity elsewhere)."""
from __future__ import annotations

from kg.extract.claims.patterns import Lexicon
from kg.extract.claims.quotes import Quotes
from kg.extract.context import DocContext
from kg.gazetteer import gazetteer
from kg.records import EntityRecord, EntityType

CLAIMANT_TYPES = (EntityType.PERSON, EntityType.ORGANIZATION, EntityType.COUNTRY)
NOMINAL_POS = frozenset({"PROPN", "NOUN"})
#: sentences searched backwards for a pronoun's antecedent (the pronoun's own and the ones before)
ANTECEDENT_WINDOW = 3


class Reader:
    """The claim rules' view of one article (made once per article, see `extract_claims`)."""

    def __init__(self, ctx: DocContext, lex: Lexicon) -> None:
        self.ctx = ctx
        self.p = ctx.parsed
        self.lex = lex
        self.quotes = Quotes(self.p)
        self.gaz = gazetteer()
        self._by_name: dict[tuple[int, bool], EntityRecord | None] = {}

    def words(self, name: str) -> frozenset[str]:
        """A word list of claims.json."""
        return self.lex.words[name]

    def subtree(self, i: int) -> set[int]:
        """Token i and its descendants."""
        return set(self.p.subtree(i))

    def may_name(self, i: int) -> bool:
        """Whether token i may belong to an entity (`entity` finds none otherwise): inside a
        resolved mention, or a capitalised noun."""
        p = self.p
        return i in self.ctx.token_entity or (p.pos[i] in NOMINAL_POS and (p.is_title[i] or p.is_upper[i]))

    def entity(self, i: int, subject: bool = False) -> EntityRecord | None:
        """The entity token i belongs to; for a proper noun the NER missed, the one entity named by
        it elsewhere in the article ("Djamal" for Jusman Syafii Djamal, "Aeroflot"). `subject`:
        the token is a subject ("Entourage said" for Entourage International Inc: a subject may be
        tagged as a noun). Kept once asked (entities the claims add later are not looked at)."""
        ctx, p = self.ctx, self.p
        ent = ctx.entity_at(i)
        if ent is not None or p.pos[i] not in NOMINAL_POS or not (p.is_title[i] or p.is_upper[i]):
            return ent
        if (i, subject) not in self._by_name:
            text = p.words[i]
            first_word = p.is_title[i] and (subject or p.pos[i] == "PROPN") and not self.gaz.demonym(text) \
                and not self.gaz.country(text) and i + 1 < p.n and ctx.entity_at(i + 1) is None
            found: EntityRecord | None = None
            for e in ctx.entities:  # the one entity so named (none when two are)
                label = e.label
                if e.mentions and (
                        text == label or text in e.aliases or text in label and (
                            (e.type == EntityType.PERSON and text == label.split()[-1]) or
                            (first_word and e.type == EntityType.ORGANIZATION and len(label.split()) > 1 and
                             label.split()[0] == text))):
                    if found is not None:
                        found = None
                        break
                    found = e
            self._by_name[i, subject] = found
        return self._by_name[i, subject]

    def recent(self, i: int, types: tuple[EntityType, ...], window: int = ANTECEDENT_WINDOW) -> EntityRecord | None:
        """The entity of one of `types` mentioned last before token i (within `window` sentences),
        outside quotations."""
        p = self.p
        stop, _ = p.sents[max(0, p.sent_index(i) - (window - 1))]
        for j in range(i - 1, stop - 1, -1):
            if not self.may_name(j) or self.quotes.inside(j):
                continue
            ent = self.entity(j)
            if ent is not None and ent.type in types:
                return ent
        return None

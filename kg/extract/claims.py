"""Claims: who asserted what about whom, read from the dependency parse, token patterns and quotation marks.

The word lists and patterns are data: kg/data/patterns/claims_verbs.tsv (reporting verbs and what
each may report) and kg/data/patterns/claims.json (spaCy Matcher / DependencyMatcher patterns, source
nouns, hedges). A pattern proposes a cue and its content; the code here decides who the claimant is
and whether the claim was really made. Forms read:

- a reporting verb with a clause: "Kudrin announced that ...", "reports suggest North Korea is ...",
  "..., alleging the Kremlin is ..." (the subject of the governing clause), "It has been reported
  that ..." (no claimant);
- a reporting verb beside a quotation: "'...,' Medvedev said.", "'...,' he said, '...'", "states: '...'";
  a quotation opening the next sentence continues the same speaker's claim;
- "as X points out, CLAUSE", "CLAUSE, as reported by X", "according to X, CLAUSE";
- "X described Y as Z", "X's description of Y as Z", "X's claim that CLAUSE";
- "X estimates Y to be Z", "Y is said to be Z", "Y is reportedly Z" (no claimant).

Not claims: a negated, modal, conditional or infinitival report ("did not say", "will announce",
"if he claims", "refused to say"), a report of a bare noun phrase ("reported record profits",
"announced the move": an event, not an assertion), a reporting verb inside a quotation (the quotation
is already its speaker's claim), weak verbs ("suggest", "indicate", "believe") whose subject is not a
source ("the data suggest ...").

The claimant is a Person, Organization or Country: the subject's entity; for a title ("the vice
president of Dacia, Constantin Stroe") the person named in it; for a pronoun the nearest person
(he/she) or the previous claimant (it/they); for "the bank chief" the person who holds that title;
for "a statement on Apple's website" the owner; for an organisation the NER missed ("Ukrainian
military intelligence", "KCNA") a new Organization. Unnamed sources ("reports", "a top official",
"Western authorities") give a claim without claimant.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import compress, count, islice, repeat
from operator import add, ne
from typing import Iterable

from spacy.attrs import DEP, LIKE_NUM, POS
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from kg.errors import ConfigError
from kg.extract.context import (PUNCT, SPACE, TITLE, UPPER, WORD, DocContext, columns, doc_ents, ent_labels, lex_flags,
                                tag_column, tokens_text)
from kg.extract.patterns import (PARSE_ATTRS, DependencyGroup, NeedsIndex, PatternNode, _doc_index, _parse_array,
                                 check_sentence_attrs, expand_patterns, one_token_node, read_pattern_file, sentence_doc,
                                 sentence_words, subtree, token_pattern_needs, tokens_passing)
from kg.gazetteer import DATA, gazetteer
from kg.nlp import doc_text
from kg.records import ClaimRecord, EntityRecord

PATTERN_FILE = "claims.json"
VERB_FILE = "claims_verbs.tsv"
#: what a reporting verb may report (see the header of claims_verbs.tsv)
VERB_FLAGS = frozenset({"clause", "quote", "weak", "as", "ecm", "speaker"})
CLAIMANT_TYPES = ("Person", "Organization", "Country")
ABOUT_TYPES = ("Person", "Organization", "Country", "Place", "Agreement")
NOMINAL_POS = frozenset({"PROPN", "NOUN"})
NOMINAL_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "compound", "amod", "appos", "poss", "npadvmod"}
VERBAL_CHILD_DEPS = {"nsubj", "nsubjpass", "ccomp", "prt", "aux", "auxpass", "mark", "neg"}
OPEN_QUOTES = {"“", "«", "„"}
CLOSE_QUOTES = {"”", "»"}
STRAIGHT_QUOTES = {'"'}
QUOTE_MARKS = OPEN_QUOTES | CLOSE_QUOTES | STRAIGHT_QUOTES
QUOTE_OR_BREAK = sorted(QUOTE_MARKS | {"\n"})  # the characters `find_quotes` looks for in the text
FIRST_SECOND_PERSON = {"i", "we", "you"}
#: sentences searched backwards for a pronoun's antecedent (the pronoun's own and the ones before)
ANTECEDENT_WINDOW = 3
CONTINUED_QUOTE_CUE = "continued quotation"


# -- data -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, dict[str | None, frozenset[str]]]  # lemma -> particle (None: none) -> flags
    words: dict[str, frozenset[str]]
    token_patterns: dict[str, list[dict]]
    dependency_patterns: dict[str, list[dict]]

    def flags(self, lemma: str, particles: Iterable[str]) -> frozenset[str] | None:
        """The flags of a reporting verb (lemma in lower case), taking its particles into account
        (None: not one)."""
        entries = self.verbs.get(lemma)
        if not entries:
            return None
        particles = set(particles)
        for particle, flags in entries.items():
            if particle is not None and particle in particles:
                return flags
        return entries.get(None)


def _read_verbs() -> dict[str, dict[str | None, frozenset[str]]]:
    path = DATA.joinpath("patterns", VERB_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read kg/data/patterns/{VERB_FILE}: {exc} (reinstall kg)") from None
    verbs: dict[str, dict[str | None, frozenset[str]]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise ConfigError(f"kg/data/patterns/{VERB_FILE} line {n}: expected 'verb<TAB>flags', got {line!r}")
        words = cols[0].strip().lower().split()
        lemma, particle = words[0], (words[1] if len(words) > 1 else None)
        flags = frozenset(f.strip() for f in cols[1].split(",") if f.strip())
        if not flags or flags - VERB_FLAGS:
            raise ConfigError(f"kg/data/patterns/{VERB_FILE} line {n}: flags {sorted(flags - VERB_FLAGS) or '(none)'} "
                              f"are not among {sorted(VERB_FLAGS)}")
        verbs.setdefault(lemma, {})[particle] = flags
    return verbs


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The claim patterns with every "$list" replaced by its word list (verbs from the TSV)."""
    raw = read_pattern_file(PATTERN_FILE)
    verbs = _read_verbs()
    words = {k: list(v) for k, v in raw.get("lexicon", {}).items()}
    words["reporting_verbs"] = sorted(verbs)
    for flag in sorted({f for e in verbs.values() for fl in e.values() for f in fl}):
        words[f"verbs_{flag}"] = sorted(v for v, e in verbs.items() if any(flag in fl for fl in e.values()))
    kinds = expand_patterns(raw, words, PATTERN_FILE)
    return Lexicon(verbs, {k: frozenset(v) for k, v in words.items()},
                   kinds["token_patterns"], kinds["dependency_patterns"])


@lru_cache(maxsize=1)
def _cues() -> tuple[list[tuple[str, PatternNode]], list[dict]]:
    """The cue patterns, checked: (name, node) of those of one token, which are looked up in the
    article's index (`tokens_passing`), and the specs of any others, which spaCy's Matcher runs."""
    specs = lexicon().token_patterns.get("cues", [])
    for spec in specs:
        where = f"kg/data/patterns/{PATTERN_FILE}: cue pattern {spec['name']!r}"
        check_sentence_attrs(where, spec["pattern"])
        try:  # spaCy's own checks, whoever evaluates the pattern
            Matcher(Vocab(), validate=True).add(spec["name"], [spec["pattern"]])
        except ValueError as exc:
            raise ConfigError(f"{where} is not a valid Matcher pattern: {str(exc).strip()}") from None
    nodes = [(spec["name"], one_token_node(spec["pattern"])) for spec in specs]
    return [(name, node) for name, node in nodes if node is not None], [spec for spec, (_, node) in zip(specs, nodes) if node is None]


@lru_cache(maxsize=8)
def _cue_matcher(vocab: Vocab) -> Matcher:
    """spaCy's Matcher for the cue patterns longer than one token."""
    matcher = Matcher(vocab, validate=True)
    for spec in _cues()[1]:
        matcher.add(spec["name"], [spec["pattern"]])
    return matcher


@lru_cache(maxsize=1)
def _cue_needs() -> NeedsIndex:
    """Which longer cue patterns the words of a sentence make possible (matched on sentence Docs)."""
    return NeedsIndex((spec["name"], token_pattern_needs(spec)) for spec in _cues()[1])


@lru_cache(maxsize=1)
def _structures() -> DependencyGroup:
    return DependencyGroup(f"{PATTERN_FILE}/structures", lexicon().dependency_patterns.get("structures", []))


# -- quotations -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Quote:
    """A quotation: token indices of its opening and closing marks."""

    open: int
    close: int

    def inner(self) -> range:
        return range(self.open + 1, self.close)


def find_quotes(doc: Doc) -> list[Quote]:
    """Quotations marked by double quotes (curly, straight, guillemets), paired within a paragraph.
    Reads the token texts as a list (a Token object per word costs more than the test); a line
    break is always a token of its own (`Token.whitespace_` is " " or "")."""
    quotes: list[Quote] = []
    opened: int | None = None
    cols, flags = columns(doc), lex_flags(doc)
    words, starts = cols.text, cols.idx
    # only the quotation marks and the whitespace tokens holding a line break matter (another
    # whitespace token changes nothing below): found where the article's text has one of those
    # characters (`str.find`, not a pass over every token), as the token there
    found = set()
    article = doc_text(doc)
    for char in QUOTE_OR_BREAK:
        at = article.find(char)
        while at >= 0:
            i = bisect_right(starts, at) - 1
            if words[i] in QUOTE_MARKS or flags[i] & SPACE and "\n" in words[i]:
                found.add(i)
            at = article.find(char, at + 1)
    for i in sorted(found):
        text = words[i]
        if "\n" in text and flags[i] & SPACE:
            opened = None  # an unclosed quotation does not run into the next paragraph
        elif text in OPEN_QUOTES:
            opened = i if opened is None else opened
        elif text in CLOSE_QUOTES:
            if opened is not None:
                quotes.append(Quote(opened, i))
            opened = None
        elif text in STRAIGHT_QUOTES:
            if opened is None:
                opened = i
            elif words[opened] in STRAIGHT_QUOTES:
                quotes.append(Quote(opened, i))
                opened = None
    return quotes


# -- claims under construction ----------------------------------------------------------------------
@dataclass
class Draft:
    """A claim before its claimant is resolved: the cue, the content tokens and who made it."""

    cue: Token
    cue_text: str
    content: set[int]
    agents: list[Token] = field(default_factory=list)  # noun-phrase heads naming the claimant
    fallback_agents: list[Token] = field(default_factory=list)  # "according to X" when the subject is unnamed
    entities: list[EntityRecord] = field(default_factory=list)  # claimants already known
    quoted: bool = False  # the content is (or holds) a direct quotation
    topics: list[Token] = field(default_factory=list)  # tokens whose referent the claim is about (describe Y as)


class Claims:
    """The claim extractor for one article (holds the quotations and matches while it works)."""

    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx
        self.doc = doc = ctx.doc
        self.lex = lexicon()
        # the parse and words as per-token lists (see context.columns): read by index in the loops below
        # (the fine-grained tag is read off the few tokens that need it: a column costs a pass over the doc)
        cols = columns(doc)
        self.text, self.lower, self.lemma = cols.text, cols.lower, cols.lemma
        parse = _parse_array(doc)  # (the tree matcher's copy of the parse: the columns' string IDs)
        self.pos = tag_column(doc, "pos", parse[:, PARSE_ATTRS.index(POS)])
        self.dep = tag_column(doc, "dep", parse[:, PARSE_ATTRS.index(DEP)])
        index = _doc_index(doc)
        self.head, self.kids = index.head, index.children
        self.lex_flags = lex_flags(doc)
        self.quotes = find_quotes(self.doc)
        self.quote_of: dict[int, Quote] = {}  # token index (marks included) -> quotation
        self.quoted: set[int] = set()  # the tokens inside a quotation (marks excluded)
        for q in self.quotes:
            self.quote_of.update(dict.fromkeys(range(q.open, q.close + 1), q))
            self.quoted.update(q.inner())
        self.gaz = gazetteer()
        self.role_words = _role_words()
        self._by_name: dict[tuple[int, bool], EntityRecord | None] = {}
        self._resolving: set[int] = set()

    # -- helpers ----------------------------------------------------------------------------------
    def inside_quote(self, i: int) -> bool:
        return i in self.quoted

    def words(self, name: str) -> frozenset[str]:
        return self.lex.words[name]

    def flags(self, i: int) -> frozenset[str] | None:
        """The flags of token `i` as a reporting verb (None: not one)."""
        if self.lemma[i] not in self.lex.verbs:  # (most words: no need to read the particles)
            return None
        return self.lex.flags(self.lemma[i], (self.lower[c] for c in self.kids[i] if self.dep[c] == "prt"))

    def subtree(self, tok: Token | int) -> set[int]:
        """The indices of `tok.subtree` (`patterns.subtree`)."""
        return subtree(tok, self.doc)

    def conjuncts(self, i: int) -> list[int]:
        """`Token.conjuncts` of token `i`, as indices (spaCy's walks Token objects)."""
        head, dep, kids = self.head, self.dep, self.kids
        start = i
        while head[start] != start and dep[start] == "conj":
            start = head[start]
        queue, out = [start], [start]
        for word in queue:
            for c in kids[word]:
                if c > word and dep[c] == "conj":
                    out.append(c)
                    queue.append(c)
        return [w for w in out if w != i]

    def entity(self, tok: Token | int, subject: bool = False) -> EntityRecord | None:
        """The entity a token belongs to; for a proper noun the NER missed, the one entity named by it
        elsewhere in the article ("Djamal" for Jusman Syafii Djamal, "Aeroflot")."""
        i = tok if isinstance(tok, int) else tok.i
        ctx = self.ctx
        key = ctx.token_entity.get(i)  # ctx.entity_at, without the call
        ent = ctx.by_key(key) if key else None
        if ent is not None or self.pos[i] not in NOMINAL_POS or not self.lex_flags[i] & (TITLE | UPPER):
            return ent
        if (i, subject) not in self._by_name:
            text, lexf = self.text[i], self.lex_flags[i]
            # "Entourage said" for Entourage International Inc (a subject may be tagged as a noun)
            first_word = bool(lexf & TITLE) and (subject or self.pos[i] == "PROPN") and not self.gaz.demonym(text) \
                and not self.gaz.country(text) and i + 1 < len(self.doc) and ctx.entity_at(i + 1) is None
            found: EntityRecord | None = None
            for e in ctx.entities:  # the one entity so named (none when two are)
                # (a word of the label is part of it: `text in label` first, a test in C, leaves most
                # labels' words unread)
                label = e.label
                if e.mentions and (
                        text == label or text in e.aliases or text in label and (
                            (e.type == "Person" and text == _words(label)[-1]) or
                            (first_word and e.type == "Organization" and len(_words(label)) > 1 and
                             _words(label)[0] == text))):
                    if found is not None:
                        found = None
                        break
                    found = e
            self._by_name[i, subject] = found
        return self._by_name[i, subject]

    # -- the pass ---------------------------------------------------------------------------------
    def cues(self) -> dict[int, str]:
        """Token index -> the cue pattern starting there (the first in the file when several do)."""
        one_token, longer = _cues()
        order = {spec["name"]: k for k, spec in enumerate(lexicon().token_patterns.get("cues", []))}
        found: dict[int, str] = {}  # (the pattern kept so far: the one first in the file)
        for name, node in one_token:
            passing = tokens_passing(self.doc, node)
            rank = order[name] if passing else 0
            for i in passing:
                kept = found.get(i)
                if kept is None or rank < order[kept]:
                    found[i] = name
        if longer:
            for first, end, words in sentence_words(self.doc):  # matched within a sentence
                if _cue_needs().active(words):
                    for match_id, start, _ in _cue_matcher(self.doc.vocab)(sentence_doc(self.doc, first, end)):
                        name = self.doc.vocab.strings[match_id]
                        rank, kept = order[name], found.get(first + start)
                        if kept is None or rank < order[kept]:
                            found[first + start] = name
        return found

    def run(self) -> None:
        """Match the cues and structures, build a draft per claim, resolve and write them."""
        structures: dict[int, list[tuple[str, dict[str, Token]]]] = {}
        for name, roles in _structures().matches(self.doc):
            structures.setdefault(roles["cue"].i, []).append((name, roles))
        for found in structures.values():
            if len(found) > 1:  # (most cues have one)
                found.sort(key=lambda s: (s[0], sorted(t.i for t in s[1].values())))
        cues = self.cues()
        drafts: list[Draft] = []
        for i in sorted(cues):
            if cues[i] == "reporting_verb":
                d = self.verb_claim(self.doc[i], structures.get(i, []))
                if d is not None:
                    drafts.append(d)
        for i in sorted(structures):
            for name, roles in structures[i]:
                if name in ("nominal_that", "nominal_as"):
                    d = self.nominal_claim(name, roles)
                    if d is not None:
                        drafts.append(d)
        for i in sorted(structures):
            for name, roles in structures[i]:
                if name == "according_to":
                    self.according_to(roles, drafts)
        for i in sorted(cues):
            if cues[i] == "hedge":
                d = self.hedged_claim(self.doc[i], drafts)
                if d is not None:
                    drafts.append(d)
        drafts.sort(key=lambda d: (d.cue.i, min(d.content)))
        drafts += self.continued_quotes(drafts)
        drafts.sort(key=lambda d: (d.cue.i, min(d.content)))
        self.emit(drafts)

    # -- reporting verbs --------------------------------------------------------------------------
    def realized(self, verb: Token) -> bool:
        """False for "did not say", "will announce", "to say", "if he claims"."""
        i = verb.i
        dep, lower, children = self.dep, self.lower, self.kids[i]
        modal = self.words("modal_aux")
        infinitive = False
        for c in children:  # one pass: a negation, a modal or an irrealis mark among the children, an infinitive
            d = dep[c]
            if d == "neg" or d in ("aux", "auxpass") and lower[c] in modal or \
                    d == "mark" and lower[c] in self.words("irrealis_marks"):
                return False
            if d == "aux" and lower[c] == "to":
                infinitive = True
        # (the lemma column is in lower case: the lemma itself must be "do")
        if infinitive or (verb.tag_ == "VB" and not any(dep[c] == "aux" and self.lemma[c] == "do" and
                                                          self.doc[c].lemma_ == "do" for c in children)):
            # "went on to say" reports what was said; "plans to say", "say!" do not
            return infinitive and dep[i] == "xcomp" and self.lemma[self.head[i]] in self.words("aspectual_heads")
        head = self.head[i]
        if dep[i] == "conj" and head != i:  # "will meet and announce": shared auxiliaries
            if any(dep[c] in ("aux", "neg") and (lower[c] in modal or dep[c] == "neg") for c in self.kids[head]):
                return False
        return True

    def verb_claim(self, cue: Token, structures: list[tuple[str, dict[str, Token]]]) -> Draft | None:
        """The claim a reporting verb makes: its content (a clause, a "describe Y as Z", an "estimate Y
        to be Z", the clause an "as X points out" hangs on, or the quotations beside it) and its
        speakers; None when it reports nothing, did not happen, or is not a report at all."""
        i, dep, doc = cue.i, self.dep, self.doc
        flags = self.flags(i)
        if flags is None or self.inside_quote(i) or not self.realized(cue):
            return None
        if dep[i] == "pcomp" and self.lower[self.head[i]] == "as":  # "quoted X as saying": the governing verb reports
            return None
        if dep[i] in NOMINAL_DEPS and not any(dep[c] in VERBAL_CHILD_DEPS for c in self.kids[i]):
            return None  # a noun or adjective ("the report", "a noted author")
        found = {name: roles for name, roles in reversed(structures)}
        content: set[int] = set()
        topics: list[Token] = []
        if "clause" in flags and "clause" in found:
            content = self.subtree(found["clause"]["content"])
        elif "clause" in flags and "statement_clause" in found:  # "said in a statement that ..."
            content = self.subtree(found["statement_clause"]["content"])
        elif "as" in flags and "describe_as" in found:
            obj, as_ = found["describe_as"]["object"], found["describe_as"]["as"]
            content = self.subtree(obj) | self.subtree(as_)
            topics.append(obj)
        elif "ecm" in flags and "ecm" in found:  # "estimates the deal to be worth", "is said to be"
            xcomp = found["ecm"]["content"]
            objs = [doc[c] for c in self.kids[i] if dep[c] in ("dobj", "nsubjpass")]
            if dep[i] == "relcl" and any(self.lower[t] in ("which", "that") and dep[t] in ("dobj", "nsubjpass")
                                         for t in self.subtree(xcomp)):  # "VSMPO, which Boeing estimates to be"
                content = (self.subtree(cue.head) - self.subtree(cue)) | self.subtree(xcomp)
            elif objs:
                content = self.subtree(objs[0]) | self.subtree(xcomp)
        elif "clause" in flags and "as_clause" in found:  # "As X points out, CLAUSE"
            head = found["as_clause"]["content"]
            content = self.subtree(head) - self.subtree(cue)
        if "speaker" in flags and "speaker_object" in found:
            agents = [found["speaker_object"]["speaker"]]
        else:
            agents = self.subjects(cue)
        if any(a.i in content for a in agents):  # the parser hung the subject inside the "clause"
            content = set()
        quoted = False
        if "quote" in flags:
            clause_in_quote = not self.quoted.isdisjoint(content)
            if not content or clause_in_quote:
                for q in self.adjacent_quotes(cue):
                    content |= set(q.inner())
                    quoted = True
        if content:
            content, extended = self.extend_to_quotes(content)
            quoted = quoted or extended
        content -= {i}
        lexf = self.lex_flags
        content = {j for j in content if not lexf[j] & SPACE}
        if not _has_word(doc, content):
            return None
        lower = self.lower  # the cue text: the verb and its particles ("point out")
        cue_text = " ".join([lower[i]] + [lower[c] for c in self.kids[i] if dep[c] == "prt"])
        draft = Draft(cue, cue_text, content, agents=agents, quoted=quoted, topics=topics)
        if "weak" in flags and not any(self.is_source(t) for t in draft.agents):
            return None
        if agents and all(self.lower[a.i] in FIRST_SECOND_PERSON for a in agents):
            return None  # "I believe ..." in a quotation the text does not mark: the speaker's tag reports it
        return draft

    def subjects(self, verb: Token, depth: int = 0) -> list[Token]:
        """The noun-phrase heads that say `verb`: its subject (or passive agent), coordinated subjects,
        or the subject of the clause it hangs on ("..., describing ...", "and described ...")."""
        doc, dep, kids, i = self.doc, self.dep, self.kids, verb.i
        heads: list[int] = []
        agents: list[int] = []
        passive = False
        for c in kids[i]:  # one pass over the children
            d = dep[c]
            if d in ("nsubj", "csubj"):
                heads.append(c)
            elif d == "agent":
                agents.append(c)
            elif d in ("nsubjpass", "expl"):
                passive = True
        heads += [p for c in agents for p in kids[c] if dep[p] == "pobj"]
        if passive and not heads:
            if depth > 0 and dep[i] in ("ccomp", "advcl", "conj", "xcomp") and depth < 3:
                # "X stated that there was ..., saying ...": the participle belongs to the reporter
                return self.subjects(verb.head, depth + 1)
            return []  # "It has been reported that ...": no named source
        if len(heads) > 1:  # "the Iranian news agency IRNA said": two heads for one phrase, keep the name
            named = [h for h in heads if self.entity(h) is not None]
            if named and not any(h2 in self.conjuncts(h) for h in heads for h2 in heads):
                heads = named
        if heads:
            out: list[int] = []
            for h in heads:
                for t in sorted([h, *self.conjuncts(h)]):
                    if t not in out:
                        out.append(t)
            return [doc[t] for t in out]
        if depth < 3 and dep[i] in ("conj", "advcl", "xcomp") and self.head[i] != i:
            return self.subjects(verb.head, depth + 1)
        if depth > 0:
            return []
        tag = verb.tag_
        if tag in ("VBD", "VBZ", "VBP") and dep[i] not in ("relcl", "acl", "amod"):
            j = i - 1  # "..., Boeing Executive Vice President Scott Carson replied": a name right before
            while j >= 0 and dep[j] == "advmod" and self.pos[j] == "ADV":
                j -= 1
            ent = self.entity(j) if j >= 0 else None
            if ent is not None and ent.type in CLAIMANT_TYPES and not self.inside_quote(j):
                return [doc[j]]
        if tag in ("VBD", "VBZ", "VBP") and dep[i] in ("ROOT", "parataxis"):
            # a subject the parser hung elsewhere ("A statement on Apple's website, ..., states: ...")
            sent = self.ctx.sents[self.ctx.sent_index(i)]
            for t in range(sent.start, i):
                if dep[t] == "nsubj" and not self.inside_quote(t) and self.head[t] < i:
                    return [doc[t]]
        return []

    def adjacent_quotes(self, cue: Token) -> list[Quote]:
        """Quotations right before or right after the speaker tag ("'...,' X said, '...'")."""
        sent, text = self.ctx.sents[self.ctx.sent_index(cue.i)], self.text
        lexf = self.lex_flags
        tag = self.subtree(cue)
        lo = hi = cue.i

        def in_tag(j: int) -> bool:
            if j in self.quote_of or lexf[j] & SPACE or not (sent.start <= j < sent.end):
                return False
            return j in tag or (lexf[j] & PUNCT and text[j] not in (".", "!", "?"))

        while lo - 1 >= 0 and in_tag(lo - 1):
            lo -= 1
        while hi + 1 < len(text) and in_tag(hi + 1):
            hi += 1
        found: list[Quote] = []
        before = self.quote_of.get(lo - 1)
        if before is not None and before.close == lo - 1 and not self.ends_sentence(before):
            found.append(before)
        after = self.quote_of.get(hi + 1)
        if after is not None and after.open == hi + 1 and text[hi] not in (".", "!", "?"):
            found.append(after)
        return [q for q in found if self.is_statement(q)]

    def ends_sentence(self, q: Quote) -> bool:
        """A quotation closed after a full stop ('... good." He added') is not introduced by what follows."""
        lexf = self.lex_flags
        last = next((i for i in reversed(q.inner()) if not lexf[i] & SPACE), None)
        return last is not None and self.text[last] == "."

    def is_statement(self, q: Quote) -> bool:
        """A quotation that says something (has a verb), not a scare-quoted name ("Antennagate")."""
        lexf, pos = self.lex_flags, self.pos
        toks = [i for i in q.inner() if not lexf[i] & (PUNCT | SPACE)]
        return len(toks) >= 3 and any(pos[i] in ("VERB", "AUX") for i in toks)

    def extend_to_quotes(self, content: set[int]) -> tuple[set[int], bool]:
        """The content grown to whole quotations where it holds part of one (a quote split by sentences)."""
        out, extended = set(content), False
        quote_of = self.quote_of
        if not quote_of:  # an article without quotations
            return out, extended
        for q in {quote_of[i] for i in quote_of.keys() & content}:
            inner = set(q.inner())
            if not inner <= content:
                out |= inner
            if q.open in content or q.close in content:  # a quotation inside the content keeps its marks
                out |= {q.open, q.close}
            extended = True
        return out, extended

    # -- other forms ------------------------------------------------------------------------------
    def nominal_claim(self, name: str, roles: dict[str, Token]) -> Draft | None:
        """ "X's claim that CLAUSE", "X's description of Y as Z"."""
        cue = roles["cue"]
        if self.inside_quote(cue.i):
            return None
        if name == "nominal_that":
            content = self.subtree(roles["content"])
            topics: list[Token] = []
        else:
            content = self.subtree(roles["object"]) | self.subtree(roles["as"])
            topics = [roles["object"]]
        content, quoted = self.extend_to_quotes(content)
        if not _has_word(self.doc, content):
            return None
        return Draft(cue, cue.lower_, content, agents=[roles["source"]], quoted=quoted, topics=topics)

    def according_to(self, roles: dict[str, Token], drafts: list[Draft]) -> None:
        """ "According to X, CLAUSE": X is the claimant (of a reporting verb's claim when its subject is unnamed)."""
        cue, source = roles["cue"], roles["source"]
        if self.inside_quote(cue.i):
            return
        head = cue.head
        while head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
            head = head.head
        if head.i == cue.i:
            return
        for d in drafts:
            if d.cue.i == head.i:
                d.fallback_agents.append(source)
                return
        content = self.subtree(head) - self.subtree(cue)
        content, quoted = self.extend_to_quotes(content)
        lexf = self.lex_flags
        content = {i for i in content if not lexf[i] & SPACE}
        if _has_word(self.doc, content):
            drafts.append(Draft(cue, "according to", content, agents=[source], quoted=quoted))

    def hedged_claim(self, cue: Token, drafts: list[Draft]) -> Draft | None:
        """ "North Korea is reportedly supplying ...": a claim without a named source."""
        if self.inside_quote(cue.i):
            return None
        head = cue.head
        if head.i == cue.i or any(head.i in d.content for d in drafts):
            return None
        lexf = self.lex_flags
        content = {i for i in self.subtree(head) if not lexf[i] & SPACE}
        if not _has_word(self.doc, content):
            return None
        return Draft(cue, cue.lower_, content)

    def continued_quotes(self, drafts: list[Draft]) -> list[Draft]:
        """A quotation that opens the sentence after a quoted claim and has no speaker of its own
        ("'...,' Medvedev said. 'The market should be given ...'") continues that speaker's claim."""
        used = set().union(*(d.content for d in drafts)) if drafts else set()
        out: list[Draft] = []
        quoted = [d for d in drafts if d.quoted]
        for q in self.quotes:
            inner = set(q.inner())
            if inner & used or not self.is_statement(q):
                continue
            first = self.doc[q.open]
            if not (first.is_sent_start or (q.open + 1 < len(self.doc) and self.doc[q.open + 1].is_sent_start)):
                continue
            here = self.ctx.sent_index(self.doc[q.open + 1])
            prev = [d for d in quoted if self.ctx.sent_index(d.cue) == here - 1 and max(d.content) < q.open]
            if not prev:
                continue
            last = prev[-1]
            out.append(Draft(self.doc[q.open + 1], CONTINUED_QUOTE_CUE, inner, agents=list(last.agents),
                             fallback_agents=list(last.fallback_agents), quoted=True))
            quoted.append(out[-1])  # a third quoted sentence continues the same claim again
            used |= inner
        return out

    # -- who -------------------------------------------------------------------------------------
    def is_source(self, tok: Token) -> bool:
        """Whether a subject can be the source of a report (for weak verbs like "suggest")."""
        ent = self.entity(tok)
        if ent is not None:
            return ent.type in CLAIMANT_TYPES
        i = tok.i
        low = self.lower[i]
        if self.pos[i] == "PRON":
            return low in self.words("person_pronouns") or low in ("they", "we", "i")
        lemma = self.lemma[i]
        return lemma in self.words("source_nouns") or lemma in self.role_words or lemma in self.gaz.org_heads \
            or any(self.dep[c] == "appos" and self.entity(c) is not None for c in self.kids[i])

    def claimant(self, tok: Token, previous: EntityRecord | None) -> EntityRecord | None:
        """The Person, Organization or Country that the noun phrase headed by `tok` names."""
        if tok.i in self._resolving:  # "his statement ... he": no circles
            return None
        self._resolving.add(tok.i)
        try:
            return self._claimant(tok, previous)
        finally:
            self._resolving.discard(tok.i)

    def _claimant(self, tok: Token, previous: EntityRecord | None) -> EntityRecord | None:
        ent = self.entity(tok, subject=True)
        if ent is not None:
            return ent if ent.type in CLAIMANT_TYPES else None
        i, dep, kids = tok.i, self.dep, self.kids
        lemma = self.lemma[i]
        if self.pos[i] == "PRON":
            return self.antecedent(tok, previous)
        if self.pos[i] not in ("NOUN", "PROPN"):
            return None
        for child in kids[i]:  # "the vice president, Constantin Stroe"
            if dep[child] == "appos":
                ent = self.entity(child)
                if ent is not None and ent.type in CLAIMANT_TYPES:
                    return ent
        if lemma in self.role_words:  # "the general secretary of Unite, Tony Woodley"
            people = [e for e in self.entities_in(self.np_tokens(tok)) if e.type == "Person"]
            if people:
                return people[0]
            return self.person_by_title(tok)
        if lemma in self.words("source_nouns"):  # "a statement on Apple's website" -> Apple
            return self.owner(tok, previous)
        created = self.missed_organization(tok)
        if created is not None:
            return created
        if lemma in self.words("anaphoric_org_nouns") and any(dep[c] == "det" and self.lower[c] == "the"
                                                               for c in kids[i]):
            # "The company said": the organisation that spoke last, else the one named last
            if previous is not None and previous.type == "Organization":
                return previous
            return self.recent(i, ("Organization",))
        for child in kids[i]:  # "the Russian Interfax news agency"
            if dep[child] in ("compound", "nmod"):
                ent = self.entity(child)
                if ent is not None and ent.type in CLAIMANT_TYPES and ent.type != "Country":
                    return ent
        return None

    def np_tokens(self, tok: Token) -> list[Token]:
        """The noun phrase headed by `tok`, without relative clauses and other clauses inside it."""
        skip: set[int] = set()
        for t in tok.subtree:
            if t.i != tok.i and t.dep_ in ("relcl", "acl", "advcl", "ccomp", "parataxis"):
                skip |= self.subtree(t)
        return [t for t in tok.subtree if t.i not in skip and not self.inside_quote(t.i)]

    def entities_in(self, toks: list[Token]) -> list[EntityRecord]:
        out: list[EntityRecord] = []
        for t in toks:
            ent = self.entity(t)
            if ent is not None and ent.type in CLAIMANT_TYPES and ent not in out:
                out.append(ent)
        return out

    def owner(self, tok: Token, previous: EntityRecord | None) -> EntityRecord | None:
        """Whose statement, website or spokesman: a possessor, or the object of of/from/on/by, or a compound."""
        definite = any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children)
        for child in tok.children:
            if child.dep_ == "poss":
                return self.claimant(child, previous)
            if child.dep_ in ("compound", "nmod"):
                ent = self.entity(child)
                if ent is not None and ent.type in CLAIMANT_TYPES:
                    return ent
                if definite and child.lemma_.lower() in self.words("anaphoric_org_nouns"):  # "the company website"
                    return self.recent(child.i, ("Organization",))
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ in self.words("owner_preps"):
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        ent = self.claimant(obj, previous)
                        if ent is not None:
                            return ent
        return None

    def missed_organization(self, tok: Token) -> EntityRecord | None:
        """An organisation the NER missed, named as a source: a singular organisation head noun with a
        country or proper-name modifier ("Ukrainian military intelligence"), or an acronym ("KCNA")."""
        ctx, doc = self.ctx, self.doc
        if tok.pos_ == "PROPN" and tok.is_upper and tok.is_alpha and len(tok) >= 2 and \
                not self.gaz.country(tok.text) and not any(c.dep_ == "compound" for c in tok.children):
            return ctx.add_entity("Organization", tok.text, doc[tok.i:tok.i + 1])
        if tok.lemma_.lower() not in self.gaz.org_heads or tok.tag_ in ("NNS", "NNPS"):
            return None
        start = tok.i
        named = False
        while start - 1 >= 0 and doc[start - 1].head.i in range(start, tok.i + 1) and \
                doc[start - 1].dep_ in ("amod", "compound", "nmod") and not doc[start - 1].is_punct:
            prev = doc[start - 1]
            if self.country_at(prev) is not None or prev.pos_ == "PROPN":
                named = True
            start -= 1
        if not named or start == tok.i:
            return None
        span = doc[start:tok.i + 1]
        if any(ctx.entity_at(t) is not None and ctx.entity_at(t).type not in ("Country",) for t in span):
            return None
        return ctx.add_entity("Organization", span.text, span)

    def country_at(self, tok: Token) -> EntityRecord | None:
        if tok.i in self.ctx.demonym_tokens or (self.ctx.entity_at(tok) is not None):
            return self.ctx.country_at(tok)
        return None

    def person_by_title(self, tok: Token) -> EntityRecord | None:
        """ "the bank chief": the person named earlier with this title ("bank chief Ben Bernanke")."""
        if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in tok.children):
            return None
        low = tok.lower_
        best: tuple[int, EntityRecord] | None = None
        for rel in self.ctx.relations:
            if rel.predicate == "holdsRole" and rel.value and rel.value.lower().split()[-1] == low:
                person = self.ctx.by_key(rel.subject)
                last = max((s.start for s in self.ctx.spans.get(rel.subject, []) if s.start < tok.i), default=-1)
                if person is not None and last >= 0 and (best is None or last > best[0]):
                    best = (last, person)
        if best is not None:
            return best[1]
        lower = self.lower
        for j in range(tok.i - 1, -1, -1):  # the title right before a name earlier in the text
            if lower[j] == low:
                for k in range(j + 1, min(j + 4, tok.i)):
                    ent = self.entity(k)
                    if ent is not None and ent.type == "Person":
                        return ent
        return None

    def antecedent(self, tok: Token, previous: EntityRecord | None) -> EntityRecord | None:
        """A pronoun's referent: he/she the nearest person named before it (outside quotations);
        it/they the previous claimant when that is an organisation or country."""
        low = tok.lower_
        if low in self.words("person_pronouns"):  # else the speaker of the report before ("He also said")
            found = self.recent_person(tok.i, previous)
            return found or (previous if previous is not None and previous.type == "Person" else None)
        if low in self.words("thing_pronouns"):
            if previous is not None and previous.type in ("Organization", "Country"):
                return previous
            if low in ("it", "its"):
                return self.recent(tok.i, ("Organization", "Country"), window=2)
        return None

    def recent_person(self, i: int, previous: EntityRecord | None = None) -> EntityRecord | None:
        """The person a "he"/"she" at token `i` refers to. Going back sentence by sentence (outside
        quotations): the subject of the main clause when it names a person ("the general secretary of
        Unite, Tony Woodley"); nobody when it is an unnamed person ("The spokeswoman said ... She
        said"); the previous speaker when it is itself a pronoun; else the last person who is a subject,
        else the last person named. A name used as a modifier ("the Carter administration") does not count."""
        doc, ctx, dep, head = self.doc, self.ctx, self.dep, self.head
        names, pos, lexf = ctx.token_entity, self.pos, self.lex_flags
        sents = ctx.sents
        here = ctx.sent_index(i)
        for index in range(here, max(-1, here - ANTECEDENT_WINDOW), -1):
            sent = sents[index]
            end = i if index == here else sent.end
            main = next((t for t in range(sent.start, end) if dep[t] == "nsubj" and not self.inside_quote(t) and
                         (dep[head[t]] == "ROOT" or self.flags(head[t]) is not None)), None)
            if main is not None and self.pos[main] == "PRON":
                if self.lower[main] in self.words("person_pronouns"):
                    return previous if previous is not None and previous.type == "Person" else None
            elif main is not None:
                named = self.claimant(doc[main], previous)
                if named is not None and named.type == "Person":
                    return named
                if named is None and (self.lemma[main] in self.role_words or
                                      self.lemma[main] in self.words("source_nouns")):
                    return None
            subject: EntityRecord | None = None
            last: EntityRecord | None = None
            for j in range(sent.start, end):
                if j not in names and (pos[j] not in NOMINAL_POS or not lexf[j] & (TITLE | UPPER)):
                    continue  # `entity` finds none (the test it starts with, without the call)
                ent = self.entity(j)
                if ent is None or ent.type != "Person" or self.inside_quote(j):
                    continue
                if self.entity(head[j]) is ent and head[j] != j:
                    continue  # not the head of the name
                if dep[j] in ("compound", "amod", "nmod") and self.entity(head[j]) is not ent:
                    continue
                last = ent
                if dep[j] in ("nsubj", "nsubjpass"):
                    subject = ent
            if subject is not None or last is not None:
                return subject or last
        return None

    def recent(self, i: int, types: tuple[str, ...], window: int = ANTECEDENT_WINDOW) -> EntityRecord | None:
        """The entity of one of `types` mentioned last before token `i`, outside quotations."""
        ctx = self.ctx
        first_sent = max(0, ctx.sent_index(i) - (window - 1))
        stop = ctx.sents[first_sent].start
        names, pos, lexf = ctx.token_entity, self.pos, self.lex_flags
        for j in range(i - 1, stop - 1, -1):
            if j not in names and (pos[j] not in NOMINAL_POS or not lexf[j] & (TITLE | UPPER)):
                continue  # `entity` finds none (the test it starts with, without the call)
            if self.inside_quote(j):
                continue
            ent = self.entity(j)
            if ent is not None and ent.type in types:
                return ent
        return None

    def resolve(self, draft: Draft, previous: EntityRecord | None) -> list[EntityRecord | None]:
        """The claimants of a draft: one per named subject, else the "according to" source, else None."""
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

    # -- what about -------------------------------------------------------------------------------
    def about(self, draft: Draft, claimant: EntityRecord | None,
              before: list[ClaimRecord] = ()) -> list[EntityRecord]:
        """The entities the claim content names; the claimant only when the content refers to it
        ("Russia announced that it would ...", "'I am uneasy,' he said"). When the content names
        none: the topic of the same speaker's claim in the sentence before ("He added that ..."),
        else the other entities of the sentence, else the claimant itself (its own doings)."""
        ctx = self.ctx
        out: list[EntityRecord] = []

        def add(ent: EntityRecord | None) -> None:
            if ent is not None and ent.type in ABOUT_TYPES and ent not in out:
                out.append(ent)

        for t in draft.topics:
            if t.pos_ == "PRON" and t.lower_ in self.words("person_pronouns"):
                add(self.recent_other_person(t.i, claimant))
        pos, dep, lower, kids = self.pos, self.dep, self.lower, self.kids
        content = draft.content
        # whether a token may belong to an entity or imply a country (`entity` or `ctx.country_at` may
        # find one) is told by a cheap test, written out in the loops (a call per word costs more than it)
        names, demonyms, lexf = ctx.token_entity, ctx.demonym_tokens, self.lex_flags
        order = sorted(content)
        for i in order:
            if i in names or i in demonyms or (pos[i] in NOMINAL_POS and lexf[i] & (TITLE | UPPER)):
                add(self.entity(i) or (ctx.country_at(i) if i in demonyms else None))
            if claimant is None or pos[i] != "PRON":
                continue
            low = lower[i]
            quoted = self.inside_quote(i)
            subject = dep[i] in ("nsubj", "nsubjpass")
            if quoted and subject and low in self.words("first_person_singular"):
                add(claimant)
            elif quoted and subject and low in self.words("first_person_plural"):
                add((self.affiliation(claimant) or claimant) if claimant.type == "Person" else claimant)
            elif not quoted and subject and (
                    (claimant.type == "Person" and low in self.words("person_pronouns")) or
                    (claimant.type != "Person" and low in self.words("thing_pronouns"))):
                add(claimant)
        if not out:  # "the company will function normally": the organisation named just before
            anaphoric, lemma = self.words("anaphoric_org_nouns"), self.lemma
            for i in order:
                if lemma[i] in anaphoric and self.doc[i].tag_ == "NN" and \
                        any(dep[c] == "det" and lower[c] == "the" for c in kids[i]) and \
                        not any(dep[c] in ("compound", "amod", "poss") for c in kids[i]):
                    add(self.recent(i, ("Organization",)))
        if out:
            return out
        here = self.ctx.sent_index(draft.cue)
        if claimant is not None:
            for r in reversed(before):
                if r.claimant == claimant.key and here - 1 <= r.sent <= here:
                    for key in r.about:  # the country or place spoken about carries over, not the actors
                        ent = ctx.by_key(key)
                        if ent is not None and ent.type in ("Country", "Place"):
                            add(ent)
                    if out:
                        return out
                    break
        sent = ctx.sents[here]
        for j in range(sent.start, sent.end):
            if j in content or not (j in names or j in demonyms or
                                    (pos[j] in NOMINAL_POS and lexf[j] & (TITLE | UPPER))):
                continue
            ent = self.entity(j) or (ctx.country_at(j) if j in ctx.demonym_tokens else None)
            if ent is not claimant:
                add(ent)
        if not out and claimant is not None:
            add(claimant)
        return out

    def recent_other_person(self, i: int, claimant: EntityRecord | None) -> EntityRecord | None:
        stop = self.ctx.sents[max(0, self.ctx.sent_index(i) - 2)].start
        for j in range(i - 1, stop - 1, -1):
            ent = self.entity(j)
            if ent is not None and ent.type == "Person" and ent is not claimant:
                return ent
        return None

    def affiliation(self, person: EntityRecord) -> EntityRecord | None:
        """The organisation a person speaks for ("we" in their quotation), from kg:affiliatedWith."""
        found = [self.ctx.by_key(r.object) for r in self.ctx.relations
                 if r.subject == person.key and r.predicate == "affiliatedWith" and r.object]
        found = [e for e in found if e is not None]
        orgs = [e for e in found if e.type == "Organization"]
        return (orgs or found or [None])[0]

    # -- output -----------------------------------------------------------------------------------
    def emit(self, drafts: list[Draft]) -> None:
        """Claim records in text order; a claim inside another of the same claimant is not repeated
        ("Mann stated that he believed X": one claim)."""
        records: list[ClaimRecord] = []
        previous: EntityRecord | None = None
        seen: set[tuple[str | None, str]] = set()
        for d in drafts:
            claimants = self.resolve(d, previous)
            text = content_text(self.doc, d.content)
            if not text:
                continue
            quantity, quantity_text = find_quantity(self.doc, d.content)
            for claimant in claimants:
                about = self.about(d, claimant, records)
                if not about:
                    continue
                key = (claimant.key if claimant else None, text)
                if key in seen:
                    continue
                seen.add(key)
                records.append(ClaimRecord(
                    text=text, claimant=claimant.key if claimant else None, about=[e.key for e in about],
                    sent=self.ctx.sent_index(d.cue), quantity=quantity, quantity_text=quantity_text, cue=d.cue_text))
            previous = claimants[0]  # "he"/"it"/"they" in the next report may refer to it
        by_claimant: dict[str | None, list[ClaimRecord]] = {}  # (a record is compared with its claimant's)
        for r in records:
            by_claimant.setdefault(r.claimant, []).append(r)
        named = {o.text for o in records if o.claimant is not None}
        for r in records:
            if any(o is not r and r.text in o.text and len(o.text) > len(r.text) for o in by_claimant[r.claimant]):
                continue  # part of a longer claim of the same claimant
            if r.claimant is None and r.text in named:
                continue  # the same claim with its source named
            self.ctx.claims.append(r)


# -- text, numbers ----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _role_words() -> frozenset[str]:
    """The nouns the job titles are about ("president", "minister", "chief")."""
    return frozenset(_title_head(title) for title in gazetteer().roles)


def _title_head(title: str) -> str:
    """The noun a title is about: "vice president" -> president, "secretary of state" -> secretary."""
    words = title.lower().split()
    for stop in ("of", "for", "to", "on"):
        if stop in words[1:]:
            words = words[:words.index(stop, 1)]
    return words[-1]


_WORDS: dict[str, list[str]] = {}  # label -> its words (`entity` compares a name with every label's)


def _words(label: str) -> list[str]:
    """`label.split()`, made once per label (callers only read it)."""
    words = _WORDS.get(label)
    if words is None:
        if len(_WORDS) > 100_000:
            _WORDS.clear()
        words = _WORDS[label] = label.split()
    return words


def _has_word(doc: Doc, content: set[int]) -> bool:
    flags = lex_flags(doc)
    return any(flags[i] & WORD for i in content)


EDGE_DROP = {"that", ",", ";", ":", "-", "—", "–", ".", "•", "·", "▪", "*", "'", "‘", "’"}


def _dangling(doc: Doc, i: int, pos: list[str]) -> bool:
    """A conjunction, or a preposition whose object is not in the run ("... by" + a name outside it).
    (`pos`: the doc's `tag_column` "pos", read once by the caller.)"""
    if pos[i] == "CCONJ":
        return True
    return pos[i] == "ADP" and any(c > i for c in _doc_index(doc).children[i])


def _runs(order: list[int]) -> list[tuple[int, int]]:
    """The maximal runs of consecutive numbers in a sorted list without repeats, as (first, last):
    most claims are one run, told by the span of the list; the breaks are found without a Python loop."""
    if not order:
        return []
    if order[-1] - order[0] + 1 == len(order):
        return [(order[0], order[-1])]
    breaks = list(compress(count(1), map(ne, islice(order, 1, None), map(add, order, repeat(1)))))
    return [(order[a], order[b - 1]) for a, b in zip([0, *breaks], [*breaks, len(order)])]


def content_text(doc: Doc, content: set[int]) -> str:
    """The claim's words: each contiguous run of content tokens, edge punctuation trimmed, runs joined by " … "."""
    cols, flags, pos = columns(doc), lex_flags(doc), tag_column(doc, "pos")
    text, lower = cols.text, cols.lower
    parts = []
    for lo, hi in _runs(sorted(content)):
        # the quotation marks in lo..hi, kept as the edges move (none in most runs: told by one test in C)
        words = text[lo:hi + 1]
        marks = [] if QUOTE_MARKS.isdisjoint(words) else \
            list(compress(range(lo, hi + 1), map(QUOTE_MARKS.__contains__, words)))
        while True:  # trim punctuation, and quotation marks whose partner is not in the run
            if lo <= hi and (lower[lo] in EDGE_DROP or flags[lo] & SPACE or
                             (text[lo] in QUOTE_MARKS and (len(marks) % 2 == 1 or marks[-1] == hi))):
                lo += 1
                if marks and marks[0] < lo:
                    del marks[0]
            elif hi >= lo and (text[hi] in EDGE_DROP or flags[hi] & SPACE or _dangling(doc, hi, pos) or
                               (text[hi] in QUOTE_MARKS and len(marks) % 2 == 1)):
                hi -= 1
                if marks and marks[-1] > hi:
                    marks.pop()
            else:
                break
        if lo <= hi and any(flags[k] & WORD for k in range(lo, hi + 1)):
            parts.append(" ".join(tokens_text(doc, lo, hi + 1).split()))
    return " … ".join(parts)


SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12,
          "mln": 10**6, "bln": 10**9, "bn": 10**9, "mn": 10**6, "m": 10**6, "k": 1000}
PERCENT_WORDS = {"%", "pct", "percent", "per", "cent", "percentage"}
NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90})
QUANTITY_LABELS = ("PERCENT", "MONEY", "QUANTITY", "CARDINAL")
LIKE_NUM_FLAG = 1 << LIKE_NUM  # `Token.like_num`, a bit of the lexical flags


def _quantity_ents(doc: Doc) -> dict[int, tuple[Span, str]]:
    """The doc's number mentions (QUANTITY_LABELS) as start token -> (span, label), once per article:
    every claim looks for its number among them (entities do not overlap: one per start)."""
    ents = doc.user_data.get("kg_claims_quantity_ents")
    if ents is None:
        ents = doc.user_data["kg_claims_quantity_ents"] = {
            ent.start: (ent, label) for ent, label in zip(doc_ents(doc), ent_labels(doc)) if label in QUANTITY_LABELS}
    return ents


def find_quantity(doc: Doc, content: set[int]) -> tuple[str | None, str | None]:
    """The number a claim states, as a decimal string and as written: a percentage first ("nearly 40%"
    -> "0.40", "25 pct" -> "0.25"), else an amount of money, a measure, or a count written in digits."""
    ents = _quantity_ents(doc)
    if not ents:
        return None, None
    starts = ents.keys() & content  # the mentions starting inside the claim (order: sorted below)
    if not starts:
        return None, None
    lower = columns(doc).lower
    found: list[tuple[int, int, int, bool]] = []
    for start in starts:
        ent, label = ents[start]
        end = ent.end  # the scale or percent word the NER left out ("10 mln", "25 pct")
        while end < len(lower) and end - ent.end < 2 and end in content and \
                (lower[end] in SCALES or lower[end] in PERCENT_WORDS):
            end += 1
        # (the label of an entity is its first token's entity type)
        percent = label == "PERCENT" or any(lower[k] in PERCENT_WORDS for k in range(start, end))
        if not percent and label == "CARDINAL" and not _counts_something(ent):
            continue
        rank = 0 if percent else QUANTITY_LABELS.index(label)
        found.append((rank, start, end, percent))
    for _, start, end, percent in sorted(found, key=lambda f: (f[0], f[1])):
        value = parse_number(lower[start:end], percent=percent)
        if value is not None:
            return value, tokens_text(doc, start, end).strip()
    return None, None


def _counts_something(ent: Span) -> bool:
    """A cardinal written in digits that counts things ("10,000 jobs"), not part of a name ("iPhone 4").
    (`Token.like_num` and the text read from the article's columns.)"""
    doc = ent.doc
    flags, text = lex_flags(doc), columns(doc).text
    if not any(flags[k] & LIKE_NUM_FLAG and any(ch.isdigit() for ch in text[k]) for k in range(ent.start, ent.end)):
        return False
    root = ent.root
    return root.head.pos_ != "PROPN" and root.dep_ not in ("compound", "appos", "npadvmod")


def parse_number(words: list[str], percent: bool = False) -> str | None:
    """The value of a number phrase ("nearly 40%", "500 billion rubles", "US$19.7 billion", "two percent"),
    given as its words in lower case (`Token.lower_`, read from the article's columns)."""
    value: Decimal | None = None
    scale = Decimal(1)
    for low in words:
        text = low.replace(",", "")
        for prefix in ("us$", "a$", "c$", "$", "€", "£", "¥"):
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix):]
        if "/" in text:
            return None  # "6-7/16": a fraction
        if value is None:
            if "/" in text or any(c.isdigit() for c in text) and not _is_decimal(text):
                return None  # "6-7/16", "A350": not a plain number
            if _is_decimal(text):
                value = Decimal(text)
            elif low in NUMBER_WORDS:
                value = Decimal(NUMBER_WORDS[low])
        elif low in SCALES:
            scale *= SCALES[low]
    if value is None:
        return None
    value *= scale
    if percent:
        value /= 100
        text = format(value, "f")
        if "." not in text or len(text.split(".")[1]) < 2:
            text = f"{value:.2f}"
        return text
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _is_decimal(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return text.replace(".", "", 1).isdigit()


# -- entry point --------------------------------------------------------------------------------------
def extract_claims(ctx: DocContext) -> None:
    """Fill ctx.claims with the article's attributed assertions (and claimant organisations the NER missed)."""
    Claims(ctx).run()

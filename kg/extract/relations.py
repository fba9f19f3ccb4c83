"""kg:locatedIn, kg:visited and kg:metWith, read from the dependency parse and token patterns.

The patterns are data (kg/data/patterns/relations.json): spaCy `Matcher` patterns over tokens that
carry the article's resolved entities (`_.kg_type`, `_.kg_country`: see `entity_marks`), and `DependencyMatcher`
patterns over the parse. A pattern only proposes; the code here decides:

- which entity a matched token stands for (`referent`: the resolved mention, "the city of Wonsan",
  an appositive name, a pronoun's antecedent, "the bank chief" for the person holding that title);
- who did it (`agents`: the subject, shared by conjoined, participial and relative clauses);
- whether it happened (`occurred`): "will meet", "plans to visit", "did not meet", "if they meet",
  "the planned visit", "ahead of his visit", "postponed a visit" are not visits or meetings;
- whether the pair makes sense (a Place inside a Country or a larger place, never a list of places;
  nobody "visits" their own country; meetings are between two different people).

Helpers used by kg/extract/agreements.py live here too (`load_patterns`, `annotate`,
`run_token_patterns`, `run_dependency_patterns`, `referent`, `agents`, `occurred`).
"""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from itertools import chain, combinations
from typing import Iterator

import numpy
from spacy.attrs import DEP, ENT_IOB, ENT_KB_ID, ENT_TYPE, HEAD, LEMMA, MORPH, POS, TAG
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token
from spacy.vocab import Vocab

from kg.errors import ConfigError
from kg.extract.context import DocContext, columns
from kg.extract.patterns import (SENTENCE_ATTRS, DependencyGroup, NeedsIndex, _doc_index, check_sentence_attrs,
                                 doc_words, expand_patterns, needed_words, read_pattern_file, sentence_doc,
                                 token_markers, token_pattern_needs)
from kg.gazetteer import gazetteer
from kg.records import EntityRecord

PATTERN_FILE = "relations.json"
PLACES = ("Place", "Country")
PERSON = ("Person",)
PERSON_PRONOUNS = {"he", "him", "his", "she", "her", "hers", "himself", "herself"}
THING_PRONOUNS = {"it", "its", "they", "them", "their", "itself", "themselves"}
RELATIVE_PRONOUNS = {"who", "whom", "whose", "which", "that"}
SUBJECT_DEPS = ("nsubj", "nsubjpass")
#: visit patterns that only show presence, so that a local ("Kim was in Pyongyang") is no visitor
HOST_CHECKED_VISITS = {"presence"}

# -- pattern files ------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def load_patterns(name: str) -> dict:
    """A pattern file under kg/data/patterns/, with "$list" references replaced by its lexicon's lists."""
    raw = read_pattern_file(name)
    lexicon = raw.get("lexicon", {})
    out: dict = expand_patterns(raw, lexicon, name)
    out["lexicon"] = {k: frozenset(v) for k, v in lexicon.items()}
    return out


def lexicon(name: str = PATTERN_FILE) -> dict[str, frozenset[str]]:
    return load_patterns(name)["lexicon"]


@lru_cache(maxsize=None)
def _token_needs(name: str, group: str) -> NeedsIndex:
    """Which token patterns of a group the words and entity markers of a sentence make possible: a
    pattern whose words are not all there cannot match, and is left out of the matcher."""
    specs = load_patterns(name)["token_patterns"].get(group, [])
    for spec in specs:
        check_sentence_attrs(f"kg/data/patterns/{name}: token pattern {spec['name']!r}", spec["pattern"],
                             also=frozenset({"_"}))
    return NeedsIndex((spec["name"], token_pattern_needs(spec)) for spec in specs)


#: a run of token-pattern elements that match consecutive tokens: its length, and for each element
#: with needed words (`needed_words`) its offset in the run and those words
Run = tuple[int, tuple[tuple[int, tuple[frozenset[str], ...]], ...]]


@lru_cache(maxsize=None)
def _token_runs(name: str, group: str) -> dict[str, tuple[tuple[Run, ...], ...]]:
    """For each token pattern of a group (by name: each pattern of that name), its runs of required
    elements that match consecutive tokens. Two elements that each match one token ("OP" "1") or
    more ("+"), one right after the other in the pattern, match tokens right after each other
    (those of a "+" are all alike: its first token continues the run before it, its last one starts
    the next run); any other element ends a run. Left out: runs that ask no more than that their
    words be in the sentence (one element, needing one word set), as `NeedsIndex.active` does."""
    out: dict[str, list[tuple[Run, ...]]] = {}
    for spec in load_patterns(name)["token_patterns"].get(group, []):
        out.setdefault(spec["name"], []).append(pattern_runs(spec["pattern"]))
    return {pattern: tuple(shapes) for pattern, shapes in out.items()}


def pattern_runs(pattern: list[dict]) -> tuple[Run, ...]:
    """The runs of one Matcher pattern (`_token_runs`), each distinct run once."""
    runs: list[list[tuple[frozenset[str], ...]]] = [[]]
    for element in pattern:
        op = element.get("OP", "1")
        if op in ("1", "+"):
            runs[-1].append(needed_words([element]))
            if op == "+":
                runs.append([runs[-1][-1]])
        else:
            runs.append([])
    return tuple(dict.fromkeys(
        (len(run), tuple((k, needs) for k, needs in enumerate(run) if needs)) for run in runs
        if len(run) > 1 and any(run) or len(run) == 1 and len(run[0]) > 1))


def _run_fits(run: Run, size: int, at: dict[str, int], masks: dict[frozenset[str], int]) -> bool:
    """Whether a run's elements can lie on consecutive tokens of a sentence of `size` tokens, each
    token with a word of each of its element's needed word sets. `at`: the tokens (bits) each
    needed word, lemma or marker of the sentence is at; `masks`: the same by word set, as found."""
    length, tests = run
    fits = (1 << (size - length + 1)) - 1 if size >= length else 0  # where the run may start
    for k, needs in tests:
        for words in needs:
            mask = masks.get(words)
            if mask is None:
                mask = 0
                for word in at:
                    if word in words:
                        mask |= at[word]
                masks[words] = mask
            fits &= mask >> k
        if not fits:
            return False
    return True


#: kg's token extensions, as the built-in attributes they are copied to for the Matcher
EXTENSION_ATTRS = {"kg_type": "ENT_TYPE", "kg_country": "ENT_KB_ID"}
COUNTRY_MARK = "kg_country"


def _builtin(element: dict) -> dict:
    """A Matcher pattern element with its kg extensions ("_": {"kg_type": …}, {"kg_country": true})
    turned into the built-in attributes `_sentence_copy` sets (ENT_TYPE, ENT_KB_ID)."""
    ext = element.get("_")
    if not ext:
        return element
    out = {k: v for k, v in element.items() if k != "_"}
    for name, want in ext.items():
        if name not in EXTENSION_ATTRS:
            raise ConfigError(f"kg/data/patterns: token pattern element {element} tests unknown extension {name!r} "
                              f"(known: {', '.join(EXTENSION_ATTRS)})")
        if name == "kg_country":
            want = COUNTRY_MARK if want else {"NOT_IN": [COUNTRY_MARK]}
        out[EXTENSION_ATTRS[name]] = want
    return out


@lru_cache(maxsize=None)
def _checked_token_pattern(name: str, group: str, k: int) -> None:
    """Check the k-th token pattern of a group with spaCy's validation, once: a Matcher made with
    `validate=True` would check each pattern again in every matcher made with it."""
    spec = load_patterns(name)["token_patterns"][group][k]
    Matcher(Vocab(), validate=True).add(spec["name"], [[_builtin(el) for el in spec["pattern"]]])


@lru_cache(maxsize=512)
def _token_matcher(vocab: Vocab, name: str, group: str, active: frozenset[str]) -> tuple[Matcher, dict[str, dict]]:
    specs = []
    matcher = Matcher(vocab, validate=False)  # each pattern is validated once (`_checked_token_pattern`)
    for k, spec in enumerate(load_patterns(name)["token_patterns"].get(group, [])):
        if spec["name"] in active:
            _checked_token_pattern(name, group, k)
            matcher.add(spec["name"], [[_builtin(el) for el in spec["pattern"]]])
            specs.append(spec)
    return matcher, {spec["name"]: spec for spec in specs}


#: what a token pattern's keys test of the parse, as the attributes a sentence copy carries for it
#: (the words bring the lexical attributes; DEP comes with the HEAD it hangs from)
_PARSE_KEYS = {"TAG": (TAG,), "POS": (POS,), "MORPH": (MORPH,), "LEMMA": (LEMMA,), "DEP": (DEP, HEAD)}
ENT_ATTRS = (ENT_IOB, ENT_TYPE, ENT_KB_ID)


@lru_cache(maxsize=None)
def _copy_attrs(name: str) -> tuple[int, ...]:
    """The parse attributes the token patterns of a pattern file test (in `SENTENCE_ATTRS` order):
    all that their sentence copies need. Copying the others costs per token (MORPH most: spaCy
    looks each token's morphology up again)."""
    used = {attr for specs in load_patterns(name)["token_patterns"].values() for spec in specs
            for element in spec["pattern"] for key in element for attr in _PARSE_KEYS.get(key.upper(), ())}
    return tuple(attr for attr in SENTENCE_ATTRS if attr in used)


def _sentence_copy(ctx: DocContext, start: int, end: int, marks: dict[int, tuple[str, str, bool]],
                   attrs: tuple[int, ...]) -> Doc:
    """The sentence as a Doc of its own, with the parse attributes `attrs`, whose tokens carry the
    resolved entities as built-in attributes (ENT_TYPE = kg type, ENT_KB_ID = "kg_country"): the
    Matcher reads those in C, where it would call Python for every extension attribute of every
    token. The copy is `sentence_doc`'s, made once per sentence (its entity attributes are set anew
    on each call)."""
    doc = ctx.doc
    strings = doc.vocab.strings
    ents = numpy.zeros((end - start, 3), dtype="uint64")
    ents[:, 0] = 2  # outside any entity, but for the marked tokens
    for i in range(start, end):
        mark = marks.get(i)
        if mark is None:
            continue
        key, kg_type, country = mark
        if kg_type:
            inside = i - 1 >= start and marks.get(i - 1, ("",))[0] == key
            ents[i - start, 0] = 1 if inside else 3
            ents[i - start, 1] = strings.add(kg_type)
        if country:
            ents[i - start, 2] = strings.add(COUNTRY_MARK)
    sent = sentence_doc(doc, start, end, attrs)
    sent.from_array(ENT_ATTRS, ents)
    return sent


@lru_cache(maxsize=None)
def _dependency_groups(name: str) -> dict[str, DependencyGroup]:
    """All dependency-pattern groups of a pattern file (each is made once: it compiles its patterns)."""
    return {group: DependencyGroup(f"{name}/{group}", specs)
            for group, specs in load_patterns(name)["dependency_patterns"].items()}


def dependency_group(name: str, group: str) -> DependencyGroup:
    """The dependency patterns of one group of a pattern file."""
    groups = _dependency_groups(name)
    if group not in groups:
        raise ConfigError(f"kg/data/patterns/{name} has no dependency-pattern group {group!r}")
    return groups[group]


def _token_annotations(ctx: DocContext) -> list[tuple[int, str, str, bool]]:
    """(token index, entity key, kg type, names or implies a country) of every token inside a
    resolved mention or a demonym, in text order."""
    by_key = {e.key: e for e in ctx.entities}
    token_entity, demonyms = ctx.token_entity, ctx.demonym_tokens
    out = []
    for i in sorted(token_entity.keys() | demonyms.keys()):
        key = token_entity.get(i, "")
        ent = by_key.get(key)
        kg_type = ent.type if ent is not None else ""
        out.append((i, key, kg_type, kg_type == "Country" or i in demonyms))
    return out


def entity_marks(ctx: DocContext) -> dict[int, tuple[str, bool]]:
    """What token patterns call `_.kg_type` and `_.kg_country`, for the entities resolved so far:
    token index -> (kg type or "", names or implies a country). A plain dict: spaCy's extension
    attributes cost a Python call per token set or read."""
    return {i: (kg_type, country) for i, _, kg_type, country in _token_annotations(ctx)}


@lru_cache(maxsize=None)
def _pair_markers(kg_type: str, country: bool) -> tuple[str, str]:
    """The `token_markers` of a token with this `_.kg_type` and `_.kg_country` (made once)."""
    return token_markers("kg_type", kg_type), token_markers("kg_country", country)


def run_token_patterns(ctx: DocContext, name: str, group: str) -> Iterator[tuple[str, dict[str, Token]]]:
    """(pattern name, role -> token) for every match of a token-pattern group, in text order.

    Matched sentence by sentence, each with only the patterns whose words and entity types (the
    `_.kg_type` and `_.kg_country` of `entity_marks`) occur in it, on a copy of the sentence that
    carries those as built-in attributes (`_sentence_copy`). Which sentences may have any such
    pattern is found first for the whole doc (`NeedsIndex.possible_at`, from where the needed
    words occur): most sentences, and most docs, have none, and are then left alone.
    """
    doc = ctx.doc
    possible = _token_needs(name, group)
    if not possible.counts:
        return
    bounds = [(s.start, s.end) for s in ctx.sents]
    starts = [start for start, _ in bounds]
    marks: dict[int, tuple[str, str, bool]] = {}
    present: dict[int, set[tuple[str, bool]]] = {}  # sentence -> the (kg type, country) of its tokens
    marked: dict[int, list[int]] = {}  # sentence -> its tokens in `marks`
    for i, key, kg_type, country in _token_annotations(ctx):
        marks[i] = (key, kg_type, country)
        n = bisect_right(starts, i) - 1
        present.setdefault(n, set()).add((kg_type, country))
        marked.setdefault(n, []).append(i)
    markers = {n: frozenset(m for pair in found for m in _pair_markers(*pair)) for n, found in present.items()}
    # where each needed word or marker occurs (bit n: sentence n); a word of the doc is taken to
    # occur in every sentence, which only widens the candidates
    found: dict[str, int] = dict.fromkeys(possible.words & doc_words(doc), -1)
    for n, here in markers.items():
        for marker in here & possible.words:
            found[marker] = found.get(marker, 0) | 1 << n
    candidates = possible.possible_at(found)
    if not candidates:
        return
    cols = columns(doc)
    lower, lemma = cols.lower, cols.lemma
    runs = _token_runs(name, group)
    no_markers: frozenset[str] = frozenset()
    for n, (start, end) in enumerate(bounds):
        if not candidates >> n & 1:
            continue
        # `active` reads only the sentence's words that some pattern needs
        here = possible.words.intersection(lower[start:end] + lemma[start:end])
        active = possible.active(here, markers.get(n, no_markers))
        if not active:
            continue
        # and whose needed words also stand where the pattern puts them, next to each other (most
        # sentences with a place and a comma have no "Place , Place"): each word's tokens, as bits
        at: dict[str, int] = {}
        for k, word in chain(enumerate(lower[start:end]), enumerate(lemma[start:end])):
            if word in here:
                at[word] = at.get(word, 0) | 1 << k
        for i in marked.get(n, ()):
            for marker in _pair_markers(*marks[i][1:]):
                at[marker] = at.get(marker, 0) | 1 << i - start
        masks: dict[frozenset[str], int] = {}
        active = frozenset(pattern for pattern in active if any(
            all(_run_fits(run, end - start, at, masks) for run in shape) for shape in runs[pattern]))
        if not active:
            continue
        matcher, specs = _token_matcher(doc.vocab, name, group, active)
        sent = _sentence_copy(ctx, start, end, marks, _copy_attrs(name))
        for match_id, s, e, align in sorted(matcher(sent, with_alignments=True), key=lambda m: (m[1], m[2])):
            spec = specs[doc.vocab.strings[match_id]]
            roles: dict[str, Token] = {}
            for role, index in spec.get("roles", {}).items():
                hits = [doc[start + s + k] for k, a in enumerate(align) if a == index]
                if hits:
                    roles[role] = hits[-1] if role in ("subject", "agent") else hits[0]
            yield spec["name"], roles


def run_dependency_patterns(ctx: DocContext, name: str, group: str) -> Iterator[tuple[str, dict[str, Token]]]:
    """(pattern name, RIGHT_ID -> token) for every match of a dependency-pattern group, in text order."""
    yield from dependency_group(name, group).matches(ctx.doc)


# -- who is meant ------------------------------------------------------------------------------
def conjuncts(tok: Token) -> list[Token]:
    """The token and the tokens coordinated with it ("Lavrov and Choe"), in text order."""
    return sorted({tok, *tok.conjuncts}, key=lambda t: t.i)


def referent(ctx: DocContext, tok: Token, types: tuple[str, ...]) -> EntityRecord | None:
    """The entity (of one of `types`) that the noun phrase headed by `tok` names, or None."""
    ent = ctx.entity_at(tok)
    if ent is not None:
        return ent if ent.type in types else None
    if tok.pos_ == "PRON":
        return antecedent(ctx, tok, types)
    if tok.pos_ not in ("NOUN", "PROPN"):
        return None
    lex = lexicon()
    for child in tok.children:
        if child.dep_ == "appos":  # "the bank chief, Ben Bernanke"
            ent = ctx.entity_at(child)
            if ent is not None and ent.type in types:
                return ent
    if tok.lemma_.lower() in lex["locality_heads"]:  # "the city of Wonsan"
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for obj in prep.children:
                    ent = ctx.entity_at(obj) if obj.dep_ == "pobj" else None
                    if ent is not None and ent.type in types:
                        return ent
    if "Person" in types and tok.pos_ == "NOUN":
        return person_by_title(ctx, tok)
    return None


def person_by_title(ctx: DocContext, tok: Token) -> EntityRecord | None:
    """ "the bank chief": the one person, mentioned earlier, whose kg:holdsRole has these words."""
    if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in tok.children):
        return None
    words = [t.lower_ for t in tok.subtree if t.i <= tok.i and t.dep_ in ("compound", "amod") or t.i == tok.i]
    if not words:
        return None
    found: list[EntityRecord] = []
    for rel in ctx.relations:
        if rel.predicate != "holdsRole" or not rel.value:
            continue
        title = rel.value.lower().split()
        if all(w in title for w in words) and title[-1] == words[-1]:
            person = ctx.by_key(rel.subject)
            if person is not None and person not in found and _mentioned_before(ctx, person, tok.i):
                found.append(person)
    return found[0] if len(found) == 1 else None


def _mentioned_before(ctx: DocContext, ent: EntityRecord, i: int) -> bool:
    return any(span.start < i for span in ctx.spans.get(ent.key, []))


def antecedent(ctx: DocContext, tok: Token, types: tuple[str, ...]) -> EntityRecord | None:
    """What a pronoun refers to: the nearest preceding subject of the right kind, in this or the
    previous sentence (he/she: a Person; it/they: an Organization or Country; who/which: the noun
    the relative clause hangs on). None when that is not clear."""
    low = tok.lower_
    if low in RELATIVE_PRONOUNS and tok.head.dep_ in ("relcl", "acl"):
        return referent(ctx, tok.head.head, types)
    if low in PERSON_PRONOUNS:
        want = tuple(t for t in types if t == "Person")
    elif low in THING_PRONOUNS:
        want = tuple(t for t in types if t in ("Organization", "Country"))
    else:
        return None
    if not want:
        return None
    sents = ctx.sents
    here = ctx.sent_index(tok)
    for index in (here, here - 1):
        if index < 0:
            break
        sent = sents[index]
        end = tok.i if index == here else sent.end
        seen: list[EntityRecord] = []
        subject: EntityRecord | None = None
        for t in range(end - 1, sent.start - 1, -1):
            ent = ctx.entity_at(t)
            if ent is None or ent.type not in want:
                continue
            if ent not in seen:
                seen.append(ent)
            if subject is None and ctx.doc[t].dep_ in SUBJECT_DEPS:
                subject = ent
        if subject is not None:
            return subject
        if len(seen) == 1:
            return seen[0]
        if seen:
            return None
    return None


def agents(ctx: DocContext, verb: Token, types: tuple[str, ...], depth: int = 0) -> list[EntityRecord]:
    """Who does what `verb` says: its subjects (and the "by" agents of a passive), with
    coordinated subjects, and the subject shared with the governing clause when it has none."""
    heads = [c for c in verb.children if c.dep_ == "nsubj"]
    heads += [p for c in verb.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
    fronted = [] if heads else _fronted_subjects(verb)
    if not heads and not fronted:
        if any(c.dep_ in ("nsubjpass", "csubj", "csubjpass", "expl") for c in verb.children):
            return []  # a passive clause with its own subject: "a settlement was reached"
        if depth < 3 and verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.i != verb.i and \
                verb.head.pos_ in ("VERB", "AUX"):
            return agents(ctx, verb.head, types, depth + 1)
        if depth < 3 and verb.dep_ in ("acl", "relcl") and verb.head.pos_ in ("NOUN", "PROPN"):
            ent = referent(ctx, verb.head, types)
            return [ent] if ent is not None else []
        return []
    out: list[EntityRecord] = []
    for tok in [t for head in heads for t in conjuncts(head)] + fronted:
        ent = referent(ctx, tok, types)
        if ent is not None and ent not in out:
            out.append(ent)
    return out


def _fronted_subjects(verb: Token) -> list[Token]:
    """Subjects the parser hung on a fronted place: in "In Wonsan, Lavrov and Choe initiated
    discussions" the small model makes "Lavrov" a conjunct of "Wonsan" and leaves the verb without
    a subject. The conjuncts after the comma, before the verb, are the subjects."""
    for prep in verb.children:
        if prep.dep_ != "prep" or prep.i > verb.i:
            continue
        for pobj in prep.children:
            if pobj.dep_ != "pobj":
                continue
            comma = next((t for t in pobj.doc[pobj.i + 1:verb.i] if t.text == ","), None)
            if comma is None:
                continue
            found = [c for c in pobj.conjuncts if comma.i < c.i < verb.i]
            if found:
                return found
    return []


def group(ctx: DocContext, tok: Token, types: tuple[str, ...], appositions: bool = False) -> list[EntityRecord]:
    """The entities a (possibly coordinated) noun phrase names: "Wonsan and Pyongyang"."""
    out: list[EntityRecord] = []
    for t in conjuncts(tok):
        cands = [t] + ([c for c in t.children if c.dep_ == "appos"] if appositions else [])
        for c in cands:
            ent = referent(ctx, c, types)
            if ent is not None and ent not in out:
                out.append(ent)
    return out


# -- did it happen -------------------------------------------------------------------------------
def _future_dates(doc: Doc, words: frozenset[str]) -> list[int]:
    """The tokens of DATE entities that are one of `words` ("next", "tomorrow"), found once per
    doc: few articles have any, and a verb's modifiers are then tested by walking up from these
    rather than by collecting each modifier's subtree."""
    found: dict[frozenset[str], list[int]] = doc.user_data.setdefault("kg_future_dates", {})
    tokens = found.get(words)
    if tokens is None:
        if words.isdisjoint(doc_words(doc)):  # none of the words: no need to look token by token
            tokens = found[words] = []
        else:  # the few tokens with one of the words, then their entity type (not every token's)
            hits = [i for i, word in enumerate(columns(doc).lower) if word in words]
            tokens = found[words] = [i for i in hits if doc[i].ent_type_ == "DATE"]
    return tokens


def _in_subtree(i: int, top: int, head: list[int]) -> bool:
    """Whether token `i` is `top` or one of its descendants (`head`: each token's head)."""
    while i != top:
        if head[i] == i:
            return False
        i = head[i]
    return True


def _verb_realized(verb: Token, lex: dict[str, frozenset[str]], depth: int = 0) -> bool:
    """False for a verb that is negated, modal, infinitival, conditional, future or merely intended."""
    children = list(verb.children)
    if any(c.dep_ == "neg" for c in children):
        return False
    if any(c.dep_ in ("aux", "auxpass") and c.lower_ in lex["modal_aux"] for c in children):
        return False
    if verb.tag_ == "VB" and not any(c.dep_ == "aux" and c.lemma_ == "do" for c in children):
        return False  # "to visit", "will visit", "visit!"
    if any(c.dep_ == "mark" and c.lower_ in lex["irrealis_marks"] for c in children):
        return False
    future = _future_dates(verb.doc, lex["future_words"])
    if future:  # "meets Choe next week"
        head = _doc_index(verb.doc).head
        for c in children:
            if c.dep_ in ("npadvmod", "advmod", "prep", "tmod") and any(_in_subtree(i, c.i, head) for i in future):
                return False
    # what governs it: "plans to visit", "denied meeting", "is planning on visiting"
    head, dep, steps = verb.head, verb.dep_, 0
    while head.i != verb.i and steps < 3 and dep in ("xcomp", "ccomp", "pcomp", "prep", "conj", "advcl"):
        if dep != "conj" and dep != "advcl" and head.lemma_.lower() in lex["irrealis_governors"]:
            return False
        if dep == "conj":  # "will travel to Paris and meet Choe": the auxiliaries are shared
            if any(c.dep_ == "aux" and c.lower_ in lex["modal_aux"] for c in head.children):
                return False
        if dep in ("advcl", "conj") or (dep == "prep" and verb.lower_ not in ("on", "to", "of", "about", "for")):
            break
        verb, head, dep, steps = head, head.head, head.dep_, steps + 1
    return True


def governing_verb(noun: Token) -> Token | None:
    """The verb a noun is the object, subject or prepositional object of ("paid a visit", "during the visit")."""
    tok = noun
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    head = tok.head
    if tok.dep_ == "pobj" and head.dep_ in ("prep", "agent"):
        head = head.head
        if head.pos_ not in ("VERB", "AUX") and head.dep_ in ("advmod", "prep"):  # "ahead of"
            head = head.head
    return head if head is not tok and head.pos_ in ("VERB", "AUX") else None


def occurred(ctx: DocContext, event: Token) -> bool:
    """Whether the visit or meeting that `event` (a verb or an event noun) names is said to have happened."""
    lex = lexicon()
    if event.pos_ in ("VERB", "AUX"):
        return _verb_realized(event, lex)
    for c in event.children:
        if c.dep_ in ("amod", "compound", "det", "nmod") and c.lower_ in lex["irrealis_modifiers"]:
            return False
    tok = event
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head
    if tok.dep_ == "pobj":
        prep = tok.head
        if prep.lower_ in lex["irrealis_prepositions"] or prep.head.lower_ in lex["irrealis_prepositions"]:
            return False
    verb = governing_verb(event)
    if verb is None:
        return True
    if verb.lemma_.lower() in lex["irrealis_governors"]:
        return False
    return _verb_realized(verb, lex)


# -- the relations -----------------------------------------------------------------------------
def extract_relations(ctx: DocContext) -> None:
    """kg:locatedIn, kg:visited and kg:metWith for one article."""
    _located_in(ctx, entity_marks(ctx))
    _visits(ctx)
    _meetings(ctx)


def _mention_bounds(ctx: DocContext, tok: Token) -> tuple[int, int]:
    key = ctx.token_entity.get(tok.i)
    start = end = tok.i
    while start > 0 and ctx.token_entity.get(start - 1) == key:
        start -= 1
    while end + 1 < len(ctx.doc) and ctx.token_entity.get(end + 1) == key:
        end += 1
    return start, end + 1


def _in_list(ctx: DocContext, sub: Token, obj: Token, marks: dict[int, tuple[str, bool]]) -> bool:
    """ "Boston, Chicago, Los Angeles": commas between places of a list are not "place, region"."""
    doc = ctx.doc

    def place(i: int) -> bool:
        return marks.get(i, ("", False))[0] in PLACES

    s0, _ = _mention_bounds(ctx, sub)
    _, o1 = _mention_bounds(ctx, obj)
    if o1 + 1 < len(doc) and doc[o1].lower_ in (",", "and", "or") and place(o1 + 1):
        return True
    if o1 + 2 < len(doc) and doc[o1].text == "," and doc[o1 + 1].lower_ in ("and", "or") and place(o1 + 2):
        return True
    if s0 >= 2 and doc[s0 - 1].lower_ in (",", "and", "or") and place(s0 - 2):
        return True
    return False


def _container_ok(sub: EntityRecord, obj: EntityRecord, comma: bool) -> bool:
    """Whether `obj` can contain `sub`: a country (the same one the gazetteer puts the place in), a
    first-level region, a continent, or a city when `sub` is a smaller named place."""
    if sub.type != "Place" or obj.type not in PLACES or sub.key == obj.key:
        return False
    gaz = gazetteer()
    if obj.type == "Country":
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


def _add_located(ctx: DocContext, sub: EntityRecord | None, obj: EntityRecord | None, at: Token,
                 comma: bool = False) -> None:
    if sub is None or obj is None or not _container_ok(sub, obj, comma):
        return
    if any(r.predicate == "locatedIn" and r.subject == obj.key and r.object == sub.key for r in ctx.relations):
        return  # never both ways
    ctx.add_relation(sub, "locatedIn", obj, at=at)


def _located_in(ctx: DocContext, marks: dict[int, tuple[str, bool]]) -> None:
    for name, roles in run_token_patterns(ctx, PATTERN_FILE, "locatedIn"):
        sub_tok, obj_tok = roles.get("subject"), roles.get("object")
        if sub_tok is None or obj_tok is None:
            continue
        sub = ctx.entity_at(sub_tok)
        obj = ctx.country_at(obj_tok) if marks.get(obj_tok.i, ("", False))[1] else ctx.entity_at(obj_tok)
        comma = name == "place_comma_container"
        if comma and _in_list(ctx, sub_tok, obj_tok, marks):
            continue
        targets = [sub]
        if name == "demonym_locality_of_place":  # "the Russian cities of Kursk and Belgorod"
            targets = group(ctx, sub_tok, ("Place",))
        for target in targets:
            _add_located(ctx, target, obj, sub_tok, comma=comma)
    for name, roles in run_dependency_patterns(ctx, PATTERN_FILE, "locatedIn"):
        sub = referent(ctx, roles["subject"], ("Place",))
        for obj in group(ctx, roles["object"], PLACES)[:1]:
            _add_located(ctx, sub, obj, roles["subject"])


def _affiliated_country(ctx: DocContext, person: EntityRecord) -> set[str]:
    """ISO codes of the countries a person is affiliated with (from the roles stage)."""
    codes = set()
    for r in ctx.relations:
        if r.subject == person.key and r.predicate == "affiliatedWith" and r.object:
            ent = ctx.by_key(r.object)
            if ent is not None and ent.type == "Country" and ent.code:
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


def _add_visit(ctx: DocContext, person: EntityRecord, place: EntityRecord, at: Token, host_check: bool) -> None:
    """`host_check`: the presence is inferred (a meeting held there), so a local host is not a visitor."""
    if person.type != "Person" or place.type not in PLACES:
        return
    home = _affiliated_country(ctx, person)
    if place.type == "Country" and place.code in home:
        return
    if host_check and home & _place_country(ctx, place):
        return
    ctx.add_relation(person, "visited", place, at=at)


def _event_agents(ctx: DocContext, event: Token, types: tuple[str, ...]) -> list[EntityRecord]:
    """Who made the visit / held the talks an event word names."""
    if event.pos_ in ("VERB", "AUX"):
        return agents(ctx, event, types)
    lex = lexicon()
    for c in event.children:  # "Lavrov's visit", "his visit"
        if c.dep_ == "poss":
            ent = referent(ctx, c, types)
            return [ent] if ent is not None else []
    for c in event.children:  # "a visit by Lavrov"
        if c.dep_ == "prep" and c.lower_ == "by":
            return [e for p in c.children if p.dep_ == "pobj" for e in group(ctx, p, types)]
    if event.dep_ == "pobj" and event.head.lower_ in lex["during_prepositions"] and \
            event.head.head.pos_ == "PROPN":  # "Lavrov, on a visit to Pyongyang, said"
        ent = referent(ctx, event.head.head, types)
        if ent is not None:
            return [ent]
    verb = governing_verb(event)
    if verb is None:
        return []
    tok = event
    while tok.dep_ == "conj":
        tok = tok.head
    light = lex["visit_light_verbs"] | lex["meeting_light_verbs"]
    if (tok.dep_ == "dobj" and verb.lemma_.lower() in light) or \
            (tok.dep_ == "pobj" and tok.head.lower_ in lex["during_prepositions"]):
        return agents(ctx, verb, types)
    return []


def _visits(ctx: DocContext) -> None:
    for name, roles in run_dependency_patterns(ctx, PATTERN_FILE, "visit"):
        event, place_tok = roles["event"], roles["place"]
        if not occurred(ctx, event):
            continue
        places = group(ctx, place_tok, PLACES, appositions=True)
        if not places:
            continue
        if name == "visit_verb_passive":
            visitors = [e for c in event.children if c.dep_ == "agent"
                        for p in c.children if p.dep_ == "pobj" for e in group(ctx, p, PERSON)]
        else:
            visitors = _event_agents(ctx, event, PERSON)
        for person in visitors:
            for place in places:
                _add_visit(ctx, person, place, event, host_check=name in HOST_CHECKED_VISITS)


def _event_places(ctx: DocContext, tokens: list[Token]) -> list[EntityRecord]:
    """Places named by "in X" / "at X" attached to the event's words, or framing its sentence
    ("In Wonsan, Lavrov and Choe initiated discussions")."""
    out: list[EntityRecord] = []
    if tokens:
        sent = tokens[0].sent
        first = sent[0]
        if first.lower_ in ("in", "at") and len(sent) > 2:
            ent = ctx.entity_at(sent[1])
            if ent is not None and ent.type in PLACES:
                _, end = _mention_bounds(ctx, sent[1])
                if end < sent.end and ctx.doc[end].text == ",":
                    out.append(ent)
    for tok in tokens:
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "at"):
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        for ent in group(ctx, obj, PLACES):
                            if ent not in out:
                                out.append(ent)
    return out


def _remote(event: Token | None, lex: dict[str, frozenset[str]]) -> bool:
    """ "phone talks", "a video conference": people who talk remotely did not meet."""
    return event is not None and any(c.lower_ in lex["remote_meeting_modifiers"] for c in event.children)


def _add_meeting(ctx: DocContext, people: list[EntityRecord], at: Token) -> None:
    people = [p for p in people if p.type == "Person"]
    order = {p.key: min((s.start for s in ctx.spans.get(p.key, [])), default=0) for p in people}
    for a, b in combinations(sorted(people, key=lambda p: (order[p.key], p.key)), 2):
        if a.key == b.key:
            continue
        if any(r.predicate == "metWith" and {r.subject, r.object} == {a.key, b.key} for r in ctx.relations):
            continue
        ctx.add_relation(a, "metWith", b, at=at)


def _meetings(ctx: DocContext) -> None:
    lex = lexicon()
    # (event word, people who met, people who came there, words that may carry "in X")
    events: list[tuple[Token, list[EntityRecord], list[EntityRecord], list[Token]]] = []
    for name, roles in run_dependency_patterns(ctx, PATTERN_FILE, "meeting"):
        event = roles.get("event")
        occasion = roles.get("occasion")
        anchor = event if event is not None else occasion
        if not occurred(ctx, anchor) or (occasion is not None and not occurred(ctx, occasion)):
            continue
        if _remote(occasion, lex) or _remote(event, lex):
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
        if occasion is not None and occasion.dep_ in SUBJECT_DEPS:  # "talks ... took place in X"
            carriers.append(occasion.head)
        # who came to the meeting's place: the guests of "X hosted Y"; the subject of "X met Y in P"
        # (Y is as often the host); everyone in "X and Y met in P" / "talks between X and Y in P"
        visitors = partners if name == "host_person" else hosts if (hosts and partners) else people
        events.append((anchor, people, visitors, carriers))
    for name, roles in run_token_patterns(ctx, PATTERN_FILE, "meeting"):
        event = roles["event"]
        if not occurred(ctx, event):
            continue
        people = [e for e in (ctx.entity_at(roles["agent"]), ctx.entity_at(roles["partner"])) if e is not None]
        carriers = [event] + [c for c in event.children if c.dep_ == "dobj"]
        events.append((event, people, people, carriers))
    for anchor, people, visitors, carriers in events:
        people = list({p.key: p for p in people}.values())
        _add_meeting(ctx, people, anchor)
        if not people:
            continue
        for place in _event_places(ctx, carriers):
            for person in visitors:
                _add_visit(ctx, person, place, anchor, host_check=True)

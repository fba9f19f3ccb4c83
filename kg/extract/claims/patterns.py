"""The claim patterns: kg/data/patterns/claims_verbs.tsv (the reporting verbs, each with what it may
report) and kg/data/patterns/claims.json (word lists, cue patterns, structure patterns)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

from spacy.matcher import Matcher
from spacy.vocab import Vocab

from kg.errors import ConfigError
from kg.extract.context import DocContext
from kg.extract.doc import ParsedDoc
from kg.extract.matching import (DATA, DependencyGroup, NeedsIndex, PatternNode, check_sentence_attrs, expand_patterns,
                                 one_token_node, read_pattern_file, token_pattern_needs)

PATTERN_FILE = "claims.json"
VERB_FILE = "claims_verbs.tsv"
#: what a reporting verb may report (see the header of claims_verbs.tsv)
VERB_FLAGS = frozenset({"clause", "quote", "weak", "as", "ecm", "speaker"})


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

    def verb_flags(self, p: ParsedDoc, i: int) -> frozenset[str] | None:
        """The flags of token i as a reporting verb, with its particles ("point out"); None: not one."""
        if p.lemma[i] not in self.verbs:  # (most words: no need to read the particles)
            return None
        return self.flags(p.lemma[i], (p.lower[c] for c in p.children[i] if p.dep[c] == "prt"))


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
def structures() -> DependencyGroup:
    """The structure patterns (claims.json "structures"): a cue and what it reports."""
    return DependencyGroup(f"{PATTERN_FILE}/structures", lexicon().dependency_patterns.get("structures", []))


class CuePatterns:
    """Cue patterns (a reporting verb, a hedge adverb), checked: those of one token are looked up
    in the article's tree index, any longer ones are run by spaCy's Matcher, sentence by
    sentence, on the sentences that have their words."""

    def __init__(self, specs: list[Mapping[str, Any]]) -> None:
        for spec in specs:
            where = f"kg/data/patterns/{PATTERN_FILE}: cue pattern {spec['name']!r}"
            check_sentence_attrs(where, spec["pattern"])
            try:  # spaCy's own checks, whoever evaluates the pattern
                Matcher(Vocab(), validate=True).add(spec["name"], [spec["pattern"]])
            except ValueError as exc:
                raise ConfigError(f"{where} is not a valid Matcher pattern: {str(exc).strip()}") from None
        #: rank in the file: where several patterns start at one token, the first one names it
        self.order = {spec["name"]: k for k, spec in enumerate(specs)}
        nodes = [(spec["name"], one_token_node(spec["pattern"])) for spec in specs]
        self.one_token: list[tuple[str, PatternNode]] = [(name, node) for name, node in nodes if node is not None]
        self.longer = [spec for spec, (_, node) in zip(specs, nodes) if node is None]
        self.needs = NeedsIndex((spec["name"], token_pattern_needs(spec)) for spec in self.longer)
        self._matchers: dict[int, Matcher] = {}

    def find(self, ctx: DocContext) -> dict[int, str]:
        """Token index -> the cue pattern starting there (the first in the file when several do)."""
        found: dict[int, str] = {}
        order = self.order
        for name, node in self.one_token:
            for i in ctx.matcher.passing(node):
                kept = found.get(i)
                if kept is None or order[name] < order[kept]:
                    found[i] = name
        if self.longer:
            p = ctx.parsed
            vocab = p.doc.vocab
            for (first, end), words in zip(p.sents, p.sentence_words):  # matched within a sentence
                if self.needs.active(words):
                    for match_id, start, _ in self._matcher(vocab)(ctx.matcher.sentences.get(first, end)):
                        name, kept = vocab.strings[match_id], found.get(first + start)
                        if kept is None or order[name] < order[kept]:
                            found[first + start] = name
        return found

    def _matcher(self, vocab: Vocab) -> Matcher:
        matcher = self._matchers.get(id(vocab))
        if matcher is None:
            matcher = self._matchers[id(vocab)] = Matcher(vocab, validate=True)
            for spec in self.longer:
                matcher.add(spec["name"], [spec["pattern"]])
        return matcher


@lru_cache(maxsize=1)
def cue_patterns() -> CuePatterns:
    """The cue patterns of claims.json."""
    return CuePatterns(lexicon().token_patterns.get("cues", []))

"""Which patterns can match where, from the words they need: a pattern whose words are not all in
an article (or a sentence) cannot match there, and is not run.

`needed_words` reads a pattern's word tests; `NeedsIndex` answers, for the words of a sentence,
which patterns they make possible (one set intersection, not a test per pattern); `pattern_runs`
and `run_fits` also ask that elements which must match adjacent tokens find their words on
adjacent tokens.
"""
from __future__ import annotations

from collections import Counter
from itertools import chain
from typing import Any, Iterable, Mapping


def _words(want: Any) -> frozenset[str] | None:
    """The words a LEMMA / LOWER constraint accepts (lower case), or None when it is not a word list."""
    if isinstance(want, str):
        return frozenset([want.lower()])
    if isinstance(want, dict) and isinstance(want.get("IN"), list):
        return frozenset(w.lower() for w in want["IN"])
    return None


def needed_words(attrs_list: Iterable[Mapping[str, Any]]) -> tuple[frozenset[str], ...]:
    """For each required element of a pattern, the words one of which the text must contain (lower
    case), and for a test of kg's token extensions ("_": {"kg_type": "Place"}) the markers of
    `token_marker` one of which must be there."""
    out = []
    for attrs in attrs_list:
        for key in ("LEMMA", "LOWER", "ORTH", "TEXT"):
            words = _words(attrs.get(key))
            if words is not None:
                out.append(words)
        for ext, want in (attrs.get("_") or {}).items():
            values = [want] if isinstance(want, (str, bool)) else want.get("IN") if isinstance(want, dict) else None
            if isinstance(values, list) and values and all(v not in ("", False) for v in values):
                out.append(frozenset(token_marker(ext, v) for v in values))
    return tuple(out)


def token_marker(ext: str, value: Any) -> str:
    """The marker of a token whose extension `ext` has `value`, as `needed_words` spells it."""
    return f"_{ext}={value}"


def token_pattern_needs(spec: Mapping[str, Any]) -> tuple[frozenset[str], ...]:
    """The words a Matcher pattern needs: those of its elements that must occur ("1", "+")."""
    return needed_words(el for el in spec["pattern"] if el.get("OP", "1") in ("1", "+"))


class NeedsIndex:
    """Which patterns a set of words makes possible: an inverted index from each needed word to
    the (pattern, requirement) pairs it satisfies, so that a sentence costs one set intersection
    rather than a test of every pattern. `needs`: (pattern name, the word sets it needs, one word
    of each), as `needed_words` gives them."""

    def __init__(self, needs: Iterable[tuple[str, tuple[frozenset[str], ...]]]) -> None:
        needs = list(needs)
        self.always = frozenset(name for name, need in needs if not need)
        self.counts = {name: len(need) for name, need in needs}
        #: word -> (pattern, its requirement as a bit: 1 << index), the requirements met are OR'ed
        self.by_word: dict[str, list[tuple[str, int]]] = {}
        for name, need in needs:
            for k, words in enumerate(need):
                for word in words:
                    self.by_word.setdefault(word, []).append((name, 1 << k))
        self.words = frozenset(self.by_word)
        #: patterns named once: for those, all requirements met means each of bits 1 << 0 .. 1 << count - 1 set
        self._single = {name for name, n in Counter(name for name, _ in needs).items() if n == 1}

    def possible_at(self, found: Mapping[str, int]) -> int:
        """The places (say the sentences of a doc, as bits of an int) where some pattern may be
        active, given each word's (and marker's) places: `found` maps a word to the bits of the
        places it occurs in. A cheap prefilter for `active`, never narrower: a place it leaves out
        has no active pattern (one pass over the words found, not one per place)."""
        if self.always:
            return -1
        met: dict[tuple[str, int], int] = {}  # (pattern, requirement bit) -> places it is met at
        by_word = self.by_word
        for word, places in found.items():
            for key in by_word.get(word, ()):
                met[key] = met.get(key, 0) | places
        out = 0
        for name, count in self.counts.items():
            if name in self._single:  # all its requirements, each at the same place
                places = -1
                for k in range(count):
                    places &= met.get((name, 1 << k), 0)
            else:  # a name shared by several patterns: any requirement met (never narrower)
                places = 0
                for (met_name, _), at in met.items():
                    if met_name == name:
                        places |= at
            out |= places
        return out

    def active(self, words: frozenset[str], also: frozenset[str] = frozenset()) -> frozenset[str]:
        """The patterns all of whose requirements `words` or `also` (more words, say entity
        markers: given apart, so that the caller need not make the union) meet."""
        met: dict[str, int] = {}
        by_word = self.by_word
        for word in chain(words & self.words, also & self.words):
            for name, bit in by_word[word]:
                met[name] = met.get(name, 0) | bit
        counts = self.counts
        return self.always | {name for name, bits in met.items() if bits.bit_count() == counts[name]}


#: a run of token-pattern elements that match consecutive tokens: its length, and for each element
#: with needed words (`needed_words`) its offset in the run and those words
Run = tuple[int, tuple[tuple[int, tuple[frozenset[str], ...]], ...]]


def pattern_runs(pattern: list[dict]) -> tuple[Run, ...]:
    """The runs of required elements of one Matcher pattern that match consecutive tokens, each
    distinct run once. Two elements that each match one token ("OP" "1") or more ("+"), one right
    after the other in the pattern, match tokens right after each other (those of a "+" are all
    alike: its first token continues the run before it, its last one starts the next run); any
    other element ends a run. Left out: runs that ask no more than that their words be in the
    sentence (one element, needing one word set), as `NeedsIndex.active` does."""
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


def run_fits(run: Run, size: int, at: dict[str, int], masks: dict[frozenset[str], int]) -> bool:
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

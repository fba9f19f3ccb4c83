"""Quotations: found from the quotation-mark tokens (curly, straight, guillemets), paired within a
paragraph; nothing is read with regular expressions over the raw text."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from kg.extract.doc import ParsedDoc

OPEN_QUOTES = {"“", "«", "„"}
CLOSE_QUOTES = {"”", "»"}
STRAIGHT_QUOTES = {'"'}
QUOTE_MARKS = OPEN_QUOTES | CLOSE_QUOTES | STRAIGHT_QUOTES
QUOTE_OR_BREAK = sorted(QUOTE_MARKS | {"\n"})  # the characters `find_quotes` looks for in the text
SENTENCE_FINAL = (".", "!", "?")


@dataclass(frozen=True)
class Quote:
    """A quotation: token indices of its opening and closing marks."""

    open: int
    close: int

    def inner(self) -> range:
        return range(self.open + 1, self.close)


def find_quotes(p: ParsedDoc) -> list[Quote]:
    """Quotations marked by double quotes (curly, straight, guillemets), paired within a paragraph.
    Only the quotation marks and the whitespace tokens holding a line break matter: they are found
    where the article's text has one of those characters (`str.find`, not a pass over every token)."""
    quotes: list[Quote] = []
    opened: int | None = None
    words = p.words
    found = set()
    for char in QUOTE_OR_BREAK:
        at = p.text.find(char)
        while at >= 0:
            i = bisect_right(p.idx, at) - 1
            if words[i] in QUOTE_MARKS or p.is_space[i] and "\n" in words[i]:
                found.add(i)
            at = p.text.find(char, at + 1)
    for i in sorted(found):
        text = words[i]
        if "\n" in text and p.is_space[i]:
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


class Quotes:
    """The quotations of one article, and what the claim rules ask about them."""

    def __init__(self, p: ParsedDoc) -> None:
        self.p = p
        self.all = find_quotes(p)
        self.of: dict[int, Quote] = {}  # token index (marks included) -> quotation
        self.quoted: set[int] = set()  # the tokens inside a quotation (marks excluded)
        for q in self.all:
            self.of.update(dict.fromkeys(range(q.open, q.close + 1), q))
            self.quoted.update(q.inner())

    def inside(self, i: int) -> bool:
        """Whether token i is inside a quotation (its marks excluded)."""
        return i in self.quoted

    def ends_sentence(self, q: Quote) -> bool:
        """A quotation closed after a full stop ('... good." He added') is not introduced by what follows."""
        last = next((i for i in reversed(q.inner()) if not self.p.is_space[i]), None)
        return last is not None and self.p.words[last] == "."

    def is_statement(self, q: Quote) -> bool:
        """A quotation that says something (has a verb), not a scare-quoted name ("Antennagate")."""
        p = self.p
        words = [i for i in q.inner() if not (p.is_punct[i] or p.is_space[i])]
        return len(words) >= 3 and any(p.pos[i] in ("VERB", "AUX") for i in words)

    def extend(self, content: set[int]) -> tuple[set[int], bool]:
        """The content grown to whole quotations where it holds part of one (a quote split by
        sentences), and whether it holds any quotation."""
        out, extended = set(content), False
        if not self.of:  # an article without quotations
            return out, extended
        for q in {self.of[i] for i in self.of.keys() & content}:
            inner = set(q.inner())
            if not inner <= content:
                out |= inner
            if q.open in content or q.close in content:  # a quotation inside the content keeps its marks
                out |= {q.open, q.close}
            extended = True
        return out, extended

    def beside(self, cue: int, tag: set[int]) -> list[Quote]:
        """Quotations right before or right after the speaker tag ("'...,' X said, '...'") of the
        reporting verb `cue` (`tag`: the verb's subtree)."""
        p = self.p
        start, end = p.sent_of(cue)
        words = p.words

        def in_tag(j: int) -> bool:
            if j in self.of or p.is_space[j] or not (start <= j < end):
                return False
            return j in tag or (p.is_punct[j] and words[j] not in SENTENCE_FINAL)

        lo = hi = cue
        while lo - 1 >= 0 and in_tag(lo - 1):
            lo -= 1
        while hi + 1 < p.n and in_tag(hi + 1):
            hi += 1
        found: list[Quote] = []
        before = self.of.get(lo - 1)
        if before is not None and before.close == lo - 1 and not self.ends_sentence(before):
            found.append(before)
        after = self.of.get(hi + 1)
        if after is not None and after.open == hi + 1 and words[hi] not in SENTENCE_FINAL:
            found.append(after)
        return [q for q in found if self.is_statement(q)]

"""A claim's words (`content_text`) and the number it states (`find_quantity`)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from kg.extract.claims.quotes import QUOTE_MARKS
from kg.extract.doc import ParsedDoc, TokenSpan
from kg.gazetteer import gazetteer

#: what a claim's words do not start or end with
EDGE_DROP = {"that", ",", ";", ":", "-", "—", "–", ".", "•", "·", "▪", "*", "'", "‘", "’"}
QUANTITY_LABELS = ("PERCENT", "MONEY", "QUANTITY", "CARDINAL")
CURRENCY_PREFIXES = ("us$", "a$", "c$", "$", "€", "£", "¥")


def has_word(p: ParsedDoc, content: set[int]) -> bool:
    """Whether the tokens hold a word or a number (not only punctuation and space)."""
    return any(p.is_alpha[i] or p.like_num[i] for i in content)


def _dangling(p: ParsedDoc, i: int) -> bool:
    """A conjunction, or a preposition whose object is not in the run ("... by" + a name outside it)."""
    if p.pos[i] == "CCONJ":
        return True
    return p.pos[i] == "ADP" and any(c > i for c in p.children[i])


def _runs(order: list[int]) -> list[tuple[int, int]]:
    """The maximal runs of consecutive numbers in a sorted list without repeats, as (first, last)."""
    runs: list[list[int]] = []
    for i in order:
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(first, last) for first, last in runs]


def content_text(p: ParsedDoc, content: set[int]) -> str:
    """The claim's words: each contiguous run of content tokens, edge punctuation trimmed, runs joined by " … "."""
    text, lower = p.words, p.lower
    parts = []
    for lo, hi in _runs(sorted(content)):
        # the quotation marks in lo..hi, kept as the edges move
        marks = [k for k in range(lo, hi + 1) if text[k] in QUOTE_MARKS]
        while True:  # trim punctuation, and quotation marks whose partner is not in the run
            if lo <= hi and (lower[lo] in EDGE_DROP or p.is_space[lo] or
                             (text[lo] in QUOTE_MARKS and (len(marks) % 2 == 1 or marks[-1] == hi))):
                lo += 1
                if marks and marks[0] < lo:
                    del marks[0]
            elif hi >= lo and (text[hi] in EDGE_DROP or p.is_space[hi] or _dangling(p, hi) or
                               (text[hi] in QUOTE_MARKS and len(marks) % 2 == 1)):
                hi -= 1
                if marks and marks[-1] > hi:
                    marks.pop()
            else:
                break
        if lo <= hi and has_word(p, set(range(lo, hi + 1))):
            parts.append(" ".join(p.text_of(lo, hi + 1).split()))
    return " … ".join(parts)


def find_quantity(p: ParsedDoc, content: set[int]) -> tuple[str | None, str | None]:
    """The number a claim states, as a decimal string and as written: a percentage first ("nearly 40%"
    -> "0.40", "25 pct" -> "0.25"), else an amount of money, a measure, or a count written in digits."""
    ents = {ent.start: ent for ent in p.ents if ent.label in QUANTITY_LABELS and ent.start in content}
    if not ents:
        return None, None
    words = gazetteer().words
    lower = p.lower
    found: list[tuple[int, int, int, bool]] = []
    for start, ent in ents.items():
        end = ent.end  # the scale or percent word the NER left out ("10 mln", "25 pct")
        while end < p.n and end - ent.end < 2 and end in content and \
                (lower[end] in words.scales or lower[end] in words.percent_words):
            end += 1
        percent = ent.label == "PERCENT" or any(lower[k] in words.percent_words for k in range(start, end))
        if not percent and ent.label == "CARDINAL" and not _counts_something(p, ent):
            continue
        rank = 0 if percent else QUANTITY_LABELS.index(ent.label)
        found.append((rank, start, end, percent))
    for _, start, end, percent in sorted(found, key=lambda f: (f[0], f[1])):
        value = parse_number(lower[start:end], percent=percent)
        if value is not None:
            return value, p.text_of(start, end).strip()
    return None, None


def _counts_something(p: ParsedDoc, ent: TokenSpan) -> bool:
    """A cardinal written in digits that counts things ("10,000 jobs"), not part of a name ("iPhone 4")."""
    if not any(p.like_num[k] and any(ch.isdigit() for ch in p.words[k]) for k in ent.tokens()):
        return False
    root = p.root(ent.start, ent.end)
    return p.pos[p.head[root]] != "PROPN" and p.dep[root] not in ("compound", "appos", "npadvmod")


def parse_number(words: list[str], percent: bool = False) -> str | None:
    """The value of a number phrase ("nearly 40%", "500 billion rubles", "US$19.7 billion", "two percent"),
    given as its words in lower case."""
    lists = gazetteer().words
    value: Decimal | None = None
    scale = Decimal(1)
    for low in words:
        text = low.replace(",", "")
        for prefix in CURRENCY_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text = text[len(prefix):]
        if "/" in text:
            return None  # "6-7/16": a fraction
        if value is None:
            if any(c.isdigit() for c in text) and not _is_decimal(text):
                return None  # "A350": not a plain number
            if _is_decimal(text):
                value = Decimal(text)
            elif low in lists.number_words:
                value = Decimal(lists.number_words[low])
        elif low in lists.scales:
            scale *= lists.scales[low]
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

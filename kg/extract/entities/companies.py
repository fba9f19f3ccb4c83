"""Rule 6: company names the model cut up or typed as people and places.

- `merge_designator_runs`: a name piece followed by a piece ending in a designator is one
  company ("Harcourt Brace" + "Jovanovich Inc");
- `extend_designator_names`: a name ending in a designator takes in the capitalised words before
  it that the model cut off ("Pemberton Houston Willoughby Bell Gouinlock Inc");
- `conjoined_firm_spans`: partners' names joined by "and Co" / "and Sons", introduced by "the firm
  of", or one-word partners before a designator ("Holt, Rinehart and Winston Canada Ltd") are one
  firm; `outside` keeps the names a firm span leaves over.
"""
from __future__ import annotations

from kg.extract.doc import ParsedDoc, TokenSpan
from kg.extract.entities.words import designator_word, is_designator
from kg.gazetteer import Gazetteer

#: tokens of a company name that the model left outside every entity: "&" always, "and" only
#: when the name after it is no entity of its own ("Bashaw Leduc Oil and Gas Ltd", but not
#: "IBM and Xerox Corp")
NAME_CONJUNCTIONS = {"&", "and"}
#: model labels of the pieces a company name can be made of (not dates, numbers, demonyms)
RUN_LABELS = ("ORG", "PERSON", "GPE", "FAC", "PRODUCT")


def _capitalised(p: ParsedDoc, span: TokenSpan) -> bool:
    """Every word of the span starts with a capital (or is punctuation)."""
    return all(p.words[i][:1].isupper() or p.is_punct[i] for i in span.tokens())


def merge_designator_runs(p: ParsedDoc, spans: list[TokenSpan]) -> list[TokenSpan]:
    """A name piece directly followed by a piece that ends in a corporate designator is one
    company name the model cut in two: "Harcourt Brace" + "Jovanovich Inc" (typed PERSON)."""
    if not spans:
        return spans
    out = [spans[0]]
    for span in spans[1:]:
        prev = out[-1]
        if (prev.end == span.start and is_designator(p, span.end - 1) and len(span) >= 2
                and prev.label in ("ORG", "PERSON", "GPE", "NORP", "FAC", "PRODUCT")
                and p.space[prev.end - 1] and _capitalised(p, prev)):
            out[-1] = TokenSpan(prev.start, span.end, "ORG")
            continue
        out.append(span)
    return out


def extend_designator_names(p: ParsedDoc, spans: list[TokenSpan], gaz: Gazetteer) -> list[TokenSpan]:
    """A company name ending in a designator takes in the capitalised words before it that the
    model cut off or typed otherwise: "Pemberton Houston" (PERSON) + "Willoughby" (none) +
    "Bell Gouinlock Inc" is one Organization, "Bashaw Leduc Oil" (PERSON) + "and Gas Ltd" (none)
    another. The run stops at lowercase words, punctuation, the sentence start, demonyms and
    countries ("Canadian ... Ltd" keeps the adjective out), dates and numbers."""
    if not spans:
        return spans
    suffixes = gaz.words.company_suffixes
    ends = [i for i, low in enumerate(p.lower) if low.rstrip(".") in suffixes and p.words[i][:1].isupper()]
    if not ends:
        return spans
    spans = sorted(spans, key=lambda span: span.start)
    at = {i: k for k, span in enumerate(spans) for i in span.tokens()}  # token -> its piece
    drop: set[int] = set()
    made: list[TokenSpan] = []
    covered: set[int] = set()
    for d in reversed(ends):  # the last designator of "Security Group Inc" ends the name
        if d in covered:
            continue
        k = at.get(d)
        if k is not None and (spans[k].end != d + 1 or spans[k].label not in RUN_LABELS):
            continue
        start = spans[k].start if k is not None else d
        inner = {k} if k is not None else set()
        j = start - 1
        while j >= 0 and not p.sent_start[j + 1]:
            q = at.get(j)
            if q is not None:
                piece = spans[q]
                piece_text = p.span_text(piece)
                if (piece.label not in RUN_LABELS or gaz.country(piece_text) or gaz.demonym(piece_text)
                        or not _capitalised(p, piece)):
                    break
                inner.add(q)
                j = piece.start - 1
                continue
            text, low = p.words[j], p.lower[j]
            if low in NAME_CONJUNCTIONS and j > 0 and p.words[j - 1][:1].isupper() and (
                    text == "&" or p.ent_iob[j + 1] != "B"):
                j -= 1
                continue
            if text == "-" and j > 0 and not p.space[j] and not p.space[j - 1]:
                j -= 1  # "A-T-E Security Group Inc"
                continue
            if (p.tag[j] in ("NNP", "NNPS") and text[:1].isupper() and low not in gaz.words.honorifics
                    and (not p.ent_type[j] or p.ent_type[j] in RUN_LABELS)
                    and not gaz.demonym(text) and not gaz.country(text)):
                j -= 1
                continue
            break
        first = j + 1
        while first < d and (p.lower[first] in NAME_CONJUNCTIONS or p.is_punct[first] or (
                p.lower[first] in gaz.words.leading_drop and (p.space[first] or p.words[first + 1] != "-"))):
            first += 1  # "The Xerox Corp" is "Xerox Corp"; "A-T-E Security Group Inc" keeps its "A"
        if d - first < 1 or (k is not None and first == spans[k].start):
            continue  # nothing taken in: the model's span stands
        drop |= inner
        covered.update(range(first, d + 1))
        made.append(TokenSpan(first, d + 1, "ORG"))
    if not made:
        return spans
    return sorted([span for k, span in enumerate(spans) if k not in drop] + made, key=lambda span: span.start)


def conjoined_firm_spans(p: ParsedDoc, gaz: Gazetteer) -> list[TokenSpan]:
    """Firm names made of partners' names joined by "and"/"&" and ending in Co, Sons, Associates
    (plus designators), or introduced as "the firm of" ("the venture capital firm of Welsh, Carson,
    Anderson and Stowe"): the model cuts them into people and places; they are one Organization."""
    out: list[TokenSpan] = []
    n = p.n
    words, lower = p.words, p.lower
    for i in range(1, n - 1):
        if lower[i] not in NAME_CONJUNCTIONS or not words[i + 1][:1].isupper():
            continue
        partners_only = lower[i + 1].rstrip(".") not in gaz.words.firm_tails  # "... and Stowe": needs "firm of" before
        if partners_only and not (p.is_title[i + 1] and p.pos[i + 1] == "PROPN"):
            continue
        start = i
        names = 0
        while start > 0 and i - start < 8:
            k = start - 1
            if words[k] == "," and names:
                start -= 1
                continue
            if designator_word(lower[k], words[k]):
                break  # "First Boston Corp, Goldman, Sachs and Co": the designator ends the firm before
            if (words[k] == "." and start >= 2 and not p.space[start - 2] and p.is_title[start - 2]
                    and p.is_alpha[start - 2]):
                start -= 2  # "Alex. Brown and Sons": an abbreviated first name
                names += 1
                continue
            if ((p.is_title[k] or (p.is_upper[k] and p.is_alpha[k])) and p.pos[k] == "PROPN"
                    and lower[k] not in gaz.words.leading_drop):
                start -= 1
                names += 1
                continue
            break
        while start < i and words[start] == ",":
            start += 1
        if not names:
            continue
        end = i + 2
        if partners_only and not (start >= 2 and lower[start - 1] == "of"
                                  and p.lemma[start - 2] in gaz.words.firm_nouns):
            tail_end = _partners_then_designator(p, start, i, gaz)
            if tail_end is None:
                continue
            end = tail_end
        while end < n and designator_word(lower[end], words[end]):
            end += 1
        if out and out[-1].end > start:
            continue
        out.append(TokenSpan(start, end, "ORG"))
    return out


def _partners_then_designator(p: ParsedDoc, start: int, conj: int, gaz: Gazetteer) -> int | None:
    """ "Holt, Rinehart and Winston Canada Ltd.": one-word surnames listed with commas, the last
    after "and", then a designator (a country name may come between, for a national subsidiary)
    make one firm. Returns where the name ends before its designators (they are added after), or
    None. The model's own organisations in the list ("Ford, Chrysler and Nissan Ltd") are left as
    they are, and so are lists without commas."""
    names = p.words[start:conj]
    if "," not in names or any(p.ent_type[k] == "ORG" for k in range(start, conj)):
        return None
    if any(names[k] != "," and k + 1 < len(names) and names[k + 1] != "," for k in range(len(names))):
        return None  # every partner is one word: "Holt, Rinehart", not "General Motors, Ford"
    end = conj + 2
    if end + 1 < p.n and gaz.country(p.words[end]) and is_designator(p, end + 1):
        end += 1  # "... Winston Canada Ltd."
    return end if end < p.n and is_designator(p, end) else None


def outside(p: ParsedDoc, span: TokenSpan, firms: list[TokenSpan]) -> list[TokenSpan]:
    """The parts of a name span outside the firm names it overlaps, when they are names themselves:
    "Goldman, Sachs and Co and Eberstadt Fleming Inc" keeps "Eberstadt Fleming Inc"."""
    inside = {i for f in firms if f.start < span.end and span.start < f.end for i in f.tokens()}
    if not inside:
        return [span]
    out: list[TokenSpan] = []
    run: list[int] = []
    for i in [*span.tokens(), None]:
        if i is not None and i not in inside:
            run.append(i)
            continue
        while run and (p.lower[run[0]] in NAME_CONJUNCTIONS or p.is_punct[run[0]]):
            run.pop(0)
        while run and (p.lower[run[-1]] in NAME_CONJUNCTIONS or p.is_punct[run[-1]]):
            run.pop()
        if run and p.words[run[0]][:1].isupper():
            out.append(TokenSpan(run[0], run[-1] + 1, span.label))
        run = []
    return out

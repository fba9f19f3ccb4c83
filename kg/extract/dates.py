"""Dates of events (an agreement's signing) from the text of a DATE mention and the article's date.

`resolve_date("last year", "2025-07-12") == "2024"`. The answer has the precision the text gives:
"YYYY-MM-DD" for a day, "YYYY-MM" for a month, "YYYY" for a year, and None when the phrase is
vague ("recently", "last week", "the 1990s") or relative with no article date to anchor it.
Pure: no spaCy, no I/O, the same answer for the same input.

Relative forms read:
- "last year", "this year", "next year", "earlier this year", "two years ago";
- "last month", "this month", "next month";
- "yesterday", "today", "tomorrow", "three days ago";
- "in June", "this June", "last June", "next June" (a bare month is the June nearest the article);
- "June 19" (the year that puts it nearest the article), "on Friday", "last Friday", "next Friday".
Absolute forms: "2024", "June 2024", "June 19, 2024", "19 June 2024", "2024-06-19", "late 2006".
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
WEEKDAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
#: words that make a phrase too vague for a date (a week, a decade, a season, "recently")
VAGUE = {"week", "weeks", "weekend", "decade", "decades", "century", "recently", "recent", "summer",
         "winter", "spring", "autumn", "fall", "season", "quarter", "period", "past", "several", "few"}
UNITS = {"year": "year", "years": "year", "month": "month", "months": "month", "day": "day", "days": "day"}


def _tokens(text: str) -> list[str]:
    out = []
    for raw in text.lower().replace(",", " ").replace("’", "'").split():
        tok = raw.strip(".'\"()")
        if tok.endswith(("st", "nd", "rd", "th")) and tok[:-2].isdigit():
            tok = tok[:-2]  # 19th -> 19
        if tok:
            out.append(tok)
    return out


def _iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _month_str(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + (month - 1) + delta
    return n // 12, n % 12 + 1


def _nearest_year(anchor: date, month: int, day: int | None) -> int:
    """The year that puts (month, day) nearest the article date; ties go to the past."""
    best = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            when = date(year, month, day or 15)
        except ValueError:
            continue
        dist = abs((when - anchor).days) + (0 if when <= anchor else 0.5)
        if best is None or dist < best[0]:
            best = (dist, year)
    return best[1] if best else anchor.year


def resolve_date(text: str, article_date: str | None = None, past: bool = False) -> str | None:
    """The calendar date (YYYY-MM-DD, YYYY-MM or YYYY) a date phrase names, or None when it cannot tell.

    `past`: the phrase dates something that has happened ("signed in June"), so a bare month or day
    is the latest one on or before the article date rather than the nearest one.
    """
    toks = _tokens(text)
    if not toks:
        return None
    anchor = _iso(article_date)
    # an ISO date written as such
    for tok in toks:
        if len(tok) == 10 and tok[4] == "-" and tok[7] == "-":
            day = _iso(tok)
            if day:
                return day.isoformat()
    if any(t in VAGUE for t in toks) or any(t.endswith("s") and t[:-1].isdigit() for t in toks):
        return None  # "last week", "the 1990s", "the past year"
    year = next((int(t) for t in toks if t.isdigit() and len(t) == 4 and 1000 <= int(t) <= 2999), None)
    month = next((MONTHS[t] for t in toks if t in MONTHS), None)
    day_num = next((int(t) for t in toks if t.isdigit() and len(t) <= 2 and 1 <= int(t) <= 31), None)
    last = "last" in toks or "previous" in toks
    nxt = "next" in toks or "coming" in toks
    this = "this" in toks or "current" in toks

    # absolute (or partly absolute) forms
    if year is not None:
        if month is not None and day_num is not None:
            try:
                return date(year, month, day_num).isoformat()
            except ValueError:
                return _month_str(year, month)
        if month is not None:
            return _month_str(year, month)
        return f"{year:04d}"
    if anchor is None:
        return None

    if month is not None:
        if day_num is not None and not (last or nxt or this):
            if past:
                year_ = anchor.year if (month, day_num) <= (anchor.month, anchor.day) else anchor.year - 1
            else:
                year_ = _nearest_year(anchor, month, day_num)
            try:
                return date(year_, month, day_num).isoformat()
            except ValueError:
                return None
        if this:
            y = anchor.year
        elif last:
            y = anchor.year if month < anchor.month else anchor.year - 1
        elif nxt:
            y = anchor.year if month > anchor.month else anchor.year + 1
        elif past:
            y = anchor.year if month <= anchor.month else anchor.year - 1
        else:
            y = _nearest_year(anchor, month, None)
        if day_num is not None:
            try:
                return date(y, month, day_num).isoformat()
            except ValueError:
                return _month_str(y, month)
        return _month_str(y, month)

    if "yesterday" in toks:
        return (anchor - timedelta(days=1)).isoformat()
    if "today" in toks or "tonight" in toks:
        return anchor.isoformat()
    if "tomorrow" in toks:
        return (anchor + timedelta(days=1)).isoformat()

    weekday = next((WEEKDAYS[t] for t in toks if t in WEEKDAYS), None)
    if weekday is not None:
        back = (anchor.weekday() - weekday) % 7
        if nxt:
            return (anchor + timedelta(days=(weekday - anchor.weekday()) % 7 or 7)).isoformat()
        if last and back == 0:
            back = 7
        return (anchor - timedelta(days=back)).isoformat()

    unit = next((UNITS[t] for t in toks if t in UNITS), None)
    if unit is None:
        return None
    if "ago" in toks:
        count = next((int(t) for t in toks if t.isdigit()), None)
        if count is None:
            count = next((NUMBER_WORDS[t] for t in toks if t in NUMBER_WORDS), None)
        if count is None:
            return None
        if unit == "year":
            return f"{anchor.year - count:04d}"
        if unit == "month":
            return _month_str(*_add_months(anchor.year, anchor.month, -count))
        return (anchor - timedelta(days=count)).isoformat()
    delta = -1 if last else 1 if nxt else 0 if this else None
    if delta is None or unit == "day":
        return None
    if unit == "year":
        return f"{anchor.year + delta:04d}"
    return _month_str(*_add_months(anchor.year, anchor.month, delta))

"""Date phrases of agreements ("struck last year") become calendar values anchored on the article date."""
from __future__ import annotations

import pytest

from kg.extract.dates import resolve_date


@pytest.mark.parametrize("text, expected", [
    ("1991", "1991"),
    ("in 1991", "1991"),
    ("late 2006", "2006"),
    ("September 2003", "2003-09"),
    ("June 19, 2024", "2024-06-19"),
    ("19 June 2024", "2024-06-19"),
    ("2024-06-19", "2024-06-19"),
    ("Feb 30, 2020", "2020-02"),  # no such day: keep what is certain
])
def test_absolute_dates_need_no_article_date(text: str, expected: str) -> None:
    assert resolve_date(text, None) == expected


@pytest.mark.parametrize("text, article, expected", [
    ("last year", "2025-07-12", "2024"),
    ("this year", "2025-07-12", "2025"),
    ("earlier this year", "2025-07-12", "2025"),
    ("next year", "2025-07-12", "2026"),
    ("two years ago", "2011-10-06", "2009"),
    ("last month", "2025-01-10", "2024-12"),
    ("yesterday", "2011-10-06", "2011-10-05"),
    ("three days ago", "2020-03-02", "2020-02-28"),
    ("Earlier this June", "2025-07-12", "2025-06"),
    ("last June", "2025-06-20", "2024-06"),
    ("next June", "2025-03-01", "2025-06"),
    ("September 12", "2007-09-08", "2007-09-12"),
    ("December 28", "2008-01-05", "2007-12-28"),  # the nearest December 28 is last year's
    ("on Friday", "2009-08-21", "2009-08-21"),  # the article's own day is a Friday
    ("Friday", "2009-08-24", "2009-08-21"),
    ("last Friday", "2009-08-21", "2009-08-14"),
    ("next Friday", "2009-08-21", "2009-08-28"),
])
def test_relative_dates_resolve_against_the_article_date(text: str, article: str, expected: str) -> None:
    assert resolve_date(text, article) == expected


def test_past_events_take_the_latest_month_not_the_nearest() -> None:
    assert resolve_date("in June", "2025-03-01") == "2025-06"  # nearest June
    assert resolve_date("in June", "2025-03-01", past=True) == "2024-06"  # a signing that has happened
    assert resolve_date("January 2", "2025-12-30", past=True) == "2025-01-02"


@pytest.mark.parametrize("text", ["last year", "in June", "on Friday", "yesterday", "two years ago"])
def test_relative_dates_without_an_article_date_are_left_out(text: str) -> None:
    assert resolve_date(text, None) is None


@pytest.mark.parametrize("text", ["last week", "recently", "the early 1990s", "the 1980's", "the past year",
                                  "this summer", "", "several months"])
def test_vague_phrases_give_no_date(text: str) -> None:
    assert resolve_date(text, "2025-07-12") is None

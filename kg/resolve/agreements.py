"""Agreements across articles: one node for each real agreement, however many reports name it.

- A named agreement is one node by its name's words, whatever their case and order
  ("Comprehensive Strategic Partnership Treaty" = "Treaty on Comprehensive Strategic Partnership";
  rule 1 of kg.resolve.matching).
- A described agreement whose phrase is such a name joins it ("the comprehensive strategic
  partnership treaty signed by Russia and North Korea"), unless the parties disagree.
- Unnamed agreements ("a tourism agreement between Russia and North Korea") are one node when
  they are of one kind (agreement_kinds.tsv: a deal is an agreement, a treaty is not), between
  the same parties (one set of parties contains the other, two at least), about nothing
  different (the words of their phrases other than the kind, the parties and agreement_words.txt:
  a "tourism agreement" is not a "military agreement"), and dated within WINDOW_DAYS of each
  other, chained (the date is kg:signedOn when the article gives one, else the article's date).
  Where no report of them is dated, parties and kind decide; an undated report joins the one
  dated agreement of its parties and kind, if there is one.

Parties are compared as the clusters they resolved to, so this runs after the other rules.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import combinations

from kg.resolve.clusters import Clusters
from kg.resolve.matching import is_named_agreement
from kg.resolve.names import agreement_core, agreement_kinds, agreement_name, agreement_words, words

#: two reports of one unnamed agreement are at most this many days apart (chained)
WINDOW_DAYS = 30
#: the longest date interval (a year: kg:signedOn "2024"), to stop looking back
LONGEST_INTERVAL = 366
#: a report is compared with at most this many earlier reports of its parties and kind (chaining
#: does the rest), so that a deal reported every day for years costs linear time
LOOKBACK = 50


def interval(value: str | None) -> tuple[int, int] | None:
    """First and last day (ordinals) of an ISO date, year-month or year; None when unreadable."""
    if not value:
        return None
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 1:
            return date(parts[0], 1, 1).toordinal(), date(parts[0], 12, 31).toordinal()
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            after = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first.toordinal(), after.toordinal() - 1
        day = date(parts[0], parts[1], parts[2]).toordinal()
        return day, day
    except (ValueError, IndexError):
        return None


def gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Days between two intervals (0 when they overlap)."""
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


class _Agreements:
    """The agreement units, their parties as clusters, kinds, topics and dates."""

    def __init__(self, clusters: Clusters) -> None:
        self.clusters = clusters
        index = {u.member: i for i, u in enumerate(clusters.units)}
        self.ids = [i for i, u in enumerate(clusters.units) if u.type == "Agreement"]
        self.parties: dict[int, frozenset[int]] = {}
        self.kind: dict[int, str] = {}
        self.topics: dict[int, frozenset[str]] = {}
        self.when: dict[int, tuple[int, int] | None] = {}
        kinds, generic = agreement_kinds(), agreement_words()
        for i in self.ids:
            unit = clusters.units[i]
            members = [index[(unit.article, key)] for key in unit.parties if (unit.article, key) in index]
            self.parties[i] = frozenset(clusters.find(m) for m in members)
            party_words = {w for m in members for w in clusters.units[m].name}
            core = words(agreement_core(unit.label))
            head = core[-1] if core else ""
            self.kind[i] = kinds.get(head, head)
            self.topics[i] = frozenset(w for w in core[:-1] if w not in generic and w not in party_words and not w.isdigit())
            self.when[i] = interval(unit.signed_on) or interval(unit.date)
        self.cluster_topics: dict[int, set[str]] = {clusters.find(i): set(self.topics[i]) for i in self.ids}

    def merge(self, a: int, b: int) -> None:
        """Merge two agreements when their topics do not differ."""
        ra, rb = self.clusters.find(a), self.clusters.find(b)
        ta, tb = self.cluster_topics.get(ra, set()), self.cluster_topics.get(rb, set())
        if ra == rb or (ta and tb and ta.isdisjoint(tb)):
            return
        if self.clusters.merge(ra, rb, countries=False):
            self.cluster_topics[self.clusters.find(ra)] = ta | tb


def merge_agreements(clusters: Clusters) -> None:
    ag = _Agreements(clusters)
    named_roots = _described_named(ag)
    _unnamed(ag, named_roots)


def _described_named(ag: _Agreements) -> set[int]:
    """Described agreements whose phrase is an agreement's name join it; the named clusters' roots."""
    clusters = ag.clusters
    by_name: dict[str, set[int]] = defaultdict(set)
    for i in ag.ids:
        unit = clusters.units[i]
        if is_named_agreement(unit.label):
            by_name[agreement_name(unit.label)].add(clusters.find(i))
    parties_of: dict[int, set[int]] = defaultdict(set)  # a named cluster's parties in all its reports
    for i in ag.ids:
        parties_of[clusters.find(i)] |= ag.parties[i]
    for i in ag.ids:
        unit = clusters.units[i]
        if is_named_agreement(unit.label):
            continue
        keys = {agreement_name(agreement_core(unit.label))} | {agreement_name(a) for a in unit.aliases}
        targets = {root for key in keys for root in by_name.get(key, ())}
        if len(targets) == 1:
            root = targets.pop()
            if not (ag.parties[i] and parties_of[root] and ag.parties[i].isdisjoint(parties_of[root])):
                clusters.merge(root, i, countries=False)
    return {clusters.find(r) for roots in by_name.values() for r in roots}


def _unnamed(ag: _Agreements, named_roots: set[int]) -> None:
    clusters = ag.clusters
    blocks: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    for i in ag.ids:
        if clusters.find(i) in named_roots or len(ag.parties[i]) < 2:
            continue
        for a, b in combinations(sorted(ag.parties[i]), 2):
            blocks[(ag.kind[i], a, b)].append(i)
    for key in sorted(blocks):
        units = blocks[key]
        dated = sorted((i for i in units if ag.when[i] is not None), key=lambda i: (ag.when[i], i))
        undated = [i for i in units if ag.when[i] is None]
        for n, j in enumerate(dated):
            for i in reversed(dated[max(0, n - LOOKBACK):n]):  # earlier reports, latest first
                if ag.when[i][0] + LONGEST_INTERVAL + WINDOW_DAYS < ag.when[j][0]:
                    break
                if gap(ag.when[i], ag.when[j]) <= WINDOW_DAYS and _same_parties(ag, i, j):
                    ag.merge(i, j)
        if not dated:
            for i, j in zip(undated, undated[1:]):
                if _same_parties(ag, i, j):
                    ag.merge(i, j)
            continue
        if len({clusters.find(i) for i in dated}) == 1:
            for i in undated:
                if any(_same_parties(ag, i, j) for j in dated):
                    ag.merge(i, dated[0])


def _same_parties(ag: _Agreements, i: int, j: int) -> bool:
    a, b = ag.parties[i], ag.parties[j]
    return a <= b or b <= a

"""Clusters of units (union-find) with what keeps two clusters apart.

Every merge goes through `Clusters.merge`, which refuses it when the two clusters are of kinds
that cannot be one entity (a person and a place), when both know countries and share none (two
Kims, one of each Korea), when both carry links to one knowledge base and share no target (a
Wikidata link decides), or, where the caller asks, when both know roles and none agree. The
cluster of a merge is named by its smallest unit index, so the result depends only on the units
and the order of the merge attempts, which the callers keep fixed (sorted).
"""
from __future__ import annotations

from collections import defaultdict

from kg.namespaces import GEONAMES, WD
from kg.resolve.names import roles_agree
from kg.resolve.units import Unit

#: entity types that may be one node: a place named like a country is that country
GROUP = {"Person": "person", "Place": "place", "Country": "place", "Organization": "organization", "Agreement": "agreement"}
#: knowledge bases whose links decide: two clusters linked to different items of one are two entities
KNOWLEDGE_BASES = (WD, GEONAMES)


def knowledge_base(target: str) -> str | None:
    return next((kb for kb in KNOWLEDGE_BASES if target.startswith(kb)), None)


class Clusters:
    """Union-find over units; each cluster keeps its countries, roles and links."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self.parent = list(range(len(units)))
        self.group = [GROUP.get(u.type, u.type.lower()) for u in units]
        self.countries: list[set[str]] = [
            set(u.countries) | ({u.code} if u.code and u.type in ("Place", "Country") else set()) for u in units]
        self.roles: list[set[str]] = [set(u.roles) for u in units]
        self.links: list[dict[str, tuple[float, str]]] = [{} for _ in units]  # target -> (confidence, method)
        self.names: list[tuple[str, ...]] = [u.name for u in units]  # the words names are compared by (matching)

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def agree(self, a: int, b: int, *, roles: bool = False, countries: bool = True) -> bool:
        """Whether the clusters of units `a` and `b` may be one entity."""
        a, b = self.find(a), self.find(b)
        if a == b:
            return True
        if self.group[a] != self.group[b]:
            return False
        if countries and self.countries[a] and self.countries[b] and self.countries[a].isdisjoint(self.countries[b]):
            return False
        if roles and not roles_agree(self.roles[a], self.roles[b]):
            return False
        return self.links_agree(a, b)

    def links_agree(self, a: int, b: int) -> bool:
        """No knowledge base that both clusters are linked to links them to different items only."""
        kbs_a, kbs_b = self._targets(a), self._targets(b)
        return all(not kbs_a[kb].isdisjoint(kbs_b[kb]) for kb in kbs_a.keys() & kbs_b.keys())

    def _targets(self, root: int) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for target in self.links[root]:
            kb = knowledge_base(target)
            if kb is not None:
                out[kb].add(target)
        return out

    def merge(self, a: int, b: int, *, roles: bool = False, countries: bool = True) -> bool:
        """Merge the clusters of `a` and `b` when they agree; whether they are one cluster now."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not self.agree(ra, rb, roles=roles, countries=countries):
            return False
        root, other = min(ra, rb), max(ra, rb)
        self.parent[other] = root
        self.countries[root] |= self.countries[other]
        self.roles[root] |= self.roles[other]
        for target, (confidence, method) in self.links[other].items():
            old = self.links[root].get(target)
            if old is None or (confidence, method) > old:
                self.links[root][target] = (confidence, method)
        self.countries[other], self.roles[other], self.links[other] = set(), set(), {}
        return True

    def members(self) -> dict[int, list[int]]:
        """root -> its unit indices, roots and members in ascending order."""
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.units)):
            out[self.find(i)].append(i)
        return dict(sorted(out.items()))

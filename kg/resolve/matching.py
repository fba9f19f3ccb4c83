"""The rules that merge people, places, countries and organisations across articles, by name.

In order, each on the clusters the rules before it left:

1. `same_keys`: one name (folded: case, accents, dashes, an organisation's company form), one
   country for a country; a person or place whose articles give it countries that share none
   is split by country (the Kims).
2. `same_links`: clusters that linking tied to one Wikidata item or GeoNames feature.
3. `variants`: names that are the same name spelled otherwise ("Sergey"/"Sergei Lavrov",
   "Volodymyr Zelensky"/"Zelenskyy", "Kim Jong Un"/"Kim Jongun").
4. `shortened`: a person's name with words left off joins the one full name it can be
   ("Choe Son" -> "Choe Son Hui"), if roles and countries agree.
5. `surnames`: a person known by a surname alone joins the one person of that surname.
6. `acronyms`: "IAEA" joins the one organisation whose initials it is (or that the articles
   give it as an alias).

Candidates come from blocks (the same spelled first or last word, the same run-together name),
never from all pairs, so the work grows with the number of distinct names, not its square.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from itertools import combinations

from kg.gazetteer import gazetteer
from kg.resolve.clusters import Clusters
from kg.resolve.names import acronym, agreement_name, compact, initials, organization_name, same_name, spelled, words
from kg.resolve.names import shortened as is_shortened
from kg.resolve.units import Unit


def is_named_agreement(label: str) -> bool:
    """Whether an agreement's label is a name ("the Comprehensive Strategic Partnership Treaty"):
    such an agreement is one node across articles and may be linked; "the military agreement"
    is matched by its parties and date instead, and is not looked up."""
    kept = [w for w in label.split() if w.lower() not in ("the", "a", "an", "of", "and", "on")]
    return len(kept) >= 2 and all(w[:1].isupper() or w[:1].isdigit() for w in kept)


def name_of(unit: Unit) -> tuple[str, ...]:
    """The words a unit's name is compared by: an organisation's without its company form, and
    with a country it starts with as the country's code ("U.S. Government" = "United States
    Government")."""
    return compared_name(unit.type, unit.label) if unit.type == "Organization" else unit.name


@lru_cache(maxsize=65536)
def compared_name(type_: str, label: str) -> tuple[str, ...]:
    name = organization_name(words(label))
    if type_ != "Organization":
        return words(label)
    parts = label.split()
    for n in range(min(3, len(parts) - 1), 0, -1):
        country = gazetteer().country(" ".join(parts[:n]))
        if country is not None:
            rest = organization_name(words(label)[len(words(" ".join(parts[:n]))):])
            return (f"@{country.code.lower()}", *rest) if rest else name
    return name


def exact_key(unit: Unit) -> str | None:
    """The key of rule 1, or None for a unit that no other unit shares by key (an unnamed agreement)."""
    return _exact_key(unit.type, unit.label, unit.code)


@lru_cache(maxsize=65536)
def _exact_key(type_: str, label: str, code: str | None) -> str | None:
    if type_ == "Country" and code:
        return f"country:{code}"
    if type_ == "Place":
        country = gazetteer().country(label)
        if country is not None and code in (None, country.code):
            return f"country:{country.code}"  # "Tuvalu" typed a place is the country
    if type_ == "Agreement":
        return f"agreement:{agreement_name(label)}" if is_named_agreement(label) else None
    name = compared_name(type_, label)
    if not name:
        return None
    group = "place" if type_ == "Place" else type_.lower()
    return f"{group}:{' '.join(name)}"


def same_keys(clusters: Clusters) -> None:
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, unit in enumerate(clusters.units):
        clusters.names[i] = name_of(unit)
        key = exact_key(unit)
        if key is not None:
            by_key[key].append(i)
    for key in sorted(by_key):
        members = by_key[key]
        if key.startswith(("person:", "place:")):
            _by_country(clusters, members)
        else:
            for i in members[1:]:
                clusters.merge(members[0], i, countries=False)


def _by_country(clusters: Clusters, members: list[int]) -> None:
    """Units of one name: those whose countries meet are one entity; those without a country join
    it when it is the only one, else stay together on their own."""
    with_country = [i for i in members if clusters.countries[i]]
    without = [i for i in members if not clusters.countries[i]]
    first_in: dict[str, int] = {}  # country -> the first unit of this name in it
    for i in with_country:
        for code in sorted(clusters.countries[i]):
            if code in first_in:
                clusters.merge(first_in[code], i)
            else:
                first_in[code] = i
    roots = sorted({clusters.find(i) for i in with_country})
    anchor = roots[0] if len(roots) == 1 else (without[0] if without else None)
    for i in without:
        if anchor is not None:
            clusters.merge(anchor, i)


def same_links(clusters: Clusters) -> None:
    """Clusters linked to one item are one entity, whatever their names (a link decides)."""
    by_target: dict[tuple[str, str], list[int]] = defaultdict(list)
    for root in clusters.members():
        for target in clusters.links[root]:
            by_target[(clusters.group[root], target)].append(root)
    for key in sorted(by_target):
        roots = by_target[key]
        for root in roots[1:]:
            clusters.merge(roots[0], root, countries=False)


def _names(clusters: Clusters, groups: tuple[str, ...]) -> dict[tuple[str, ...], list[int]]:
    """Each distinct name (group first) of the given groups -> one unit of each cluster that
    carries it, in unit order (a name in many articles is in few clusters)."""
    out: dict[tuple[str, ...], list[int]] = {}
    seen: set[tuple[tuple[str, ...], int]] = set()
    for i, unit in enumerate(clusters.units):
        if clusters.group[i] in groups and unit.type != "Agreement" and clusters.names[i]:
            full = (clusters.group[i], *clusters.names[i])
            root = clusters.find(i)
            if (full, root) not in seen:
                seen.add((full, root))
                out.setdefault(full, []).append(i)
    return out


def _roots(clusters: Clusters, units: list[int]) -> list[int]:
    return sorted({clusters.find(i) for i in units})


def variants(clusters: Clusters) -> None:
    blocks: dict[tuple, list[tuple[str, ...]]] = defaultdict(list)
    names = _names(clusters, ("person", "place", "organization"))
    for full in sorted(names):
        group, name = full[0], full[1:]
        blocks[(group, "compact", compact(name))].append(full)
        if group == "person" and len(name) >= 2:  # word by word, one word may be spelled otherwise
            blocks[(group, "first", spelled(name[0]), len(name), spelled(name[-1])[:1])].append(full)
            blocks[(group, "last", spelled(name[-1]), len(name), spelled(name[0])[:1])].append(full)
    for key in sorted(blocks):
        for a, b in combinations(blocks[key], 2):
            if key[1] == "compact" or same_name(a[1:], b[1:]):
                for ra in _roots(clusters, names[a]):
                    for rb in _roots(clusters, names[b]):
                        clusters.merge(ra, rb)


def shortened(clusters: Clusters) -> None:
    names = _names(clusters, ("person",))
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for full in sorted(names):
        if len(full) >= 3:
            by_first[spelled(full[1])].append(full[1:])
    for short in sorted((n[1:] for n in names if len(n) >= 3), key=lambda n: (len(n), n)):
        longer = [full for full in by_first[spelled(short[0])] if is_shortened(short, full)]
        if not longer:
            continue
        for own in _roots(clusters, names[("person", *short)]):
            targets = {r for full in longer for r in _roots(clusters, names[("person", *full)])} - {clusters.find(own)}
            if len(targets) == 1:
                clusters.merge(own, targets.pop(), roles=True)


def surnames(clusters: Clusters) -> None:
    names = _names(clusters, ("person",))
    by_last: dict[str, list[int]] = defaultdict(list)
    lone: list[tuple[str, ...]] = []
    for full in sorted(names):
        if len(full) >= 3:
            by_last[spelled(full[-1])].extend(names[full])
        elif len(full) == 2:
            lone.append(full)
    with_full_name = {clusters.find(i) for units in by_last.values() for i in units}
    for full in lone:
        for own in _roots(clusters, names[full]):
            if clusters.find(own) in with_full_name:
                continue  # the surname of a full name of its own cluster
            targets = set(_roots(clusters, by_last.get(spelled(full[1]), []))) - {clusters.find(own)}
            if len(targets) == 1 and clusters.merge(own, targets.pop(), roles=True):
                with_full_name.add(clusters.find(own))


def acronyms(clusters: Clusters) -> None:
    by_initials: dict[str, set[int]] = defaultdict(set)  # initials -> roots of organisations with them
    by_alias: dict[str, set[int]] = defaultdict(set)  # acronym -> roots of organisations with it as alias
    short: set[tuple[str, int]] = set()  # (acronym, root) of the organisations named by an acronym
    for i, unit in enumerate(clusters.units):
        if unit.type != "Organization":
            continue
        root = clusters.find(i)
        letters = acronym(unit.label)
        if letters is not None:
            short.add((letters, root))
            continue
        for found in {initials(unit.name), initials(organization_name(unit.name))} - {None}:
            by_initials[found].add(root)
        for letters in {acronym(a) for a in unit.aliases} - {None}:
            by_alias[letters].add(root)
    for letters, unit in sorted(short):
        own = clusters.find(unit)
        for index in (by_initials, by_alias):  # initials first: "EU" is the European Union, not "EU Council" (alias EU)
            found = set(_roots(clusters, sorted(index.get(letters, ()))))
            if found:
                if len(found) == 1 and own not in found:
                    clusters.merge(unit, found.pop())
                break

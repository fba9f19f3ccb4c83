"""Resolution across articles: every article's entities become graph-wide nodes with IRIs.

Each entity of each article (a unit, kg.resolve.units) starts as its own cluster; rules merge
clusters that are one real entity (kg.resolve.matching for people, places, countries and
organisations; kg.resolve.agreements for agreements), each merge checked by the guards of
kg.resolve.clusters; kg.resolve.nodes makes one node per cluster. Linking runs between the
first rule (one name, one node) and the others, so that a link decides: clusters linked to one
Wikidata item (or GeoNames feature) become one node whatever their names, and clusters linked to
different items never merge. See docs/identity.md.

Deterministic: the result depends on the set of records, not on their order, and IRIs derive
from labels only (a short hash of the key where two clusters would share one).
"""
from __future__ import annotations

from typing import Callable, Iterable

from kg.records import ArticleRecord
from kg.resolve.agreements import merge_agreements
from kg.resolve.clusters import Clusters
from kg.resolve.matching import acronyms, is_named_agreement, same_keys, same_links, shortened, surnames, variants
from kg.resolve.nodes import TYPE_PATH, Resolution, article_iri, claim_iri, mint, slug
from kg.resolve.units import collect_units

__all__ = ["TYPE_PATH", "Resolution", "article_iri", "claim_iri", "is_named_agreement", "resolve", "slug"]


def resolve(records: Iterable[ArticleRecord], base: str,
            link: Callable[[Resolution], object] | None = None) -> Resolution:
    """Merge the entities of all records into graph nodes.

    `link`, when given, fills the `links` of a Resolution's entities (kg.link); it is called on
    the nodes of one name each, before the rules that merge different names, and its links
    decide those merges and are carried by the final nodes.
    """
    clusters = Clusters(collect_units(records))
    same_keys(clusters)
    if link is not None:
        names, iris = mint(clusters, base)
        link(names)
        for root, iri in iris.items():
            clusters.links[root] = {target: (confidence, method) for target, confidence, method in names.entities[iri].links}
        same_links(clusters)
    variants(clusters)
    shortened(clusters)
    surnames(clusters)
    acronyms(clusters)
    merge_agreements(clusters)
    return mint(clusters, base)[0]

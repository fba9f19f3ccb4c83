"""What of a build differs from what a store holds: digests of graphs and of entity descriptions.

A build into a store maps ALL the store's articles (its own and earlier builds') to quads, and
sends only what changed since the last load: the graphs whose digest differs (an article graph,
the enrichment graph) and, from the entities graph (`<base>graph/entities`), the descriptions
whose digest differs (one entity's triples plus its kg:Link nodes). The loaders upsert
descriptions per entity and drop the descriptions that no article graph references any more
(docs/stores.md), so entities merged away disappear without being sent.

A digest is the SHA-256 of the sorted N-Quads lines, so it does not depend on the order in which
quads are made. Two passes over the graphs (`digests`, then `changed_quads`) keep only one
graph in memory at a time, as the file writer does.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from pyoxigraph import NamedNode, Quad

from kg.namespaces import KG

#: the graph of entity descriptions ends so (docs/stores.md): its quads are compared per entity
ENTITIES_GRAPH_SUFFIX = "graph/entities"
LINK = NamedNode(KG + "link")


def is_entities_graph(name: str) -> bool:
    return name.endswith(ENTITIES_GRAPH_SUFFIX)


def digest(quads: Iterable[Quad]) -> str:
    return hashlib.sha256("\n".join(sorted(str(q) for q in quads)).encode()).hexdigest()


def descriptions(quads: list[Quad]) -> dict[str, list[Quad]]:
    """The entities graph's quads by entity: an entity's own triples and its kg:Link nodes'."""
    owner = {q.object.value: q.subject.value for q in quads if q.predicate == LINK and isinstance(q.object, NamedNode)}
    out: dict[str, list[Quad]] = {}
    for q in quads:
        out.setdefault(owner.get(q.subject.value, q.subject.value), []).append(q)
    return out


def graph_name(quads: list[Quad]) -> str:
    return quads[0].graph_name.value if quads and isinstance(quads[0].graph_name, NamedNode) else ""


@dataclass
class Digests:
    """The digest of every graph of a build and of every entity description."""

    graphs: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)


def digests(graphs: Iterable[list[Quad]]) -> Digests:
    out = Digests()
    for quads in graphs:
        name = graph_name(quads)
        if is_entities_graph(name):
            for entity, own in descriptions(quads).items():
                out.descriptions[entity] = digest(own)
        elif quads:
            out.graphs[name] = digest(quads)
    return out


@dataclass
class Changes:
    """What to send: graphs (whole) and entity descriptions whose digests differ from the store's."""

    graphs: set[str]
    descriptions: set[str]

    def __bool__(self) -> bool:
        return bool(self.graphs or self.descriptions)


def changes(new: Digests, old_graphs: dict[str, str], old_descriptions: dict[str, str]) -> Changes:
    return Changes(
        graphs={g for g, d in new.graphs.items() if old_graphs.get(g) != d},
        descriptions={e for e, d in new.descriptions.items() if old_descriptions.get(e) != d},
    )


def changed_quads(graphs: Iterable[list[Quad]], send: Changes) -> Iterator[Quad]:
    """The quads of the changed graphs and of the changed descriptions, graph by graph."""
    for quads in graphs:
        name = graph_name(quads)
        if is_entities_graph(name):
            for entity, own in descriptions(quads).items():
                if entity in send.descriptions:
                    yield from own
        elif name in send.graphs:
            yield from quads

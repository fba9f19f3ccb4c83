"""Builds into a store in several runs give the store one run over all inputs gives.

The reports of tests/data/identity are built as A (two reports that write "Sergey Lavrov" and
report a tourism agreement) then B (four that write "Sergei Lavrov", one the same agreement):
B renames Lavrov's node and makes the agreement shared, so A's graphs must be rewritten. Checked
on the embedded store and on an `oxigraph serve` server.
"""
from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from pyoxigraph import NamedNode

from conftest import DATA
from kg.build import BuildOptions, build_graph
from kg.build.state import FILE_NAME, state_path
from kg.stores import EmbeddedStore, SparqlStore

REPORTS = DATA / "identity"
A = [REPORTS / "r1_interfax.txt", REPORTS / "r5_tass.txt"]
B = [REPORTS / "r2_yonhap.txt", REPORTS / "r3_anadolu.txt", REPORTS / "r4_reuters.txt", REPORTS / "r6_kcna.txt"]
ALL_QUADS = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def build_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("build-cache")


def quads(store, base: str) -> set[tuple[str, ...]]:
    """The store's quads in the graphs of this base (graph, subject, predicate, object)."""
    return {tuple(str(t) for t in row) for row in store.query(ALL_QUADS).rows if row[0].value.startswith(base)}


def articles(graphs: list[str]) -> set[str]:
    """The ids of the article graphs among loaded graphs."""
    return {g.rsplit("/", 1)[1] for g in graphs if "/article/" in g}


def build(paths: list[Path], cache: Path, tmp: Path, base: str, **sink):
    return build_graph(BuildOptions(paths=paths, link="offline", build_cache=cache, cache_dir=tmp / "cache",
                                    base=base, **sink))


def test_two_builds_into_an_embedded_store_give_what_one_build_gives(build_cache, tmp_path):
    base = "https://example.org/kg/"
    first = build(A, build_cache, tmp_path, base, store=tmp_path / "two")
    assert first.load.ok and articles(first.load.loaded) == {"r1_interfax", "r5_tass"}
    with EmbeddedStore(tmp_path / "two") as store:
        before = quads(store, base)
    assert any("person/sergey-lavrov" in q[1] for q in before)  # A alone spells him so
    second = build(B, build_cache, tmp_path, base, store=tmp_path / "two")
    assert second.load.ok
    rewritten = articles(second.load.loaded) - {p.stem for p in B}
    assert rewritten == {"r1_interfax", "r5_tass"}  # A's graphs, now with B's names for A's entities
    build(A + B, build_cache, tmp_path, base, store=tmp_path / "one")
    with EmbeddedStore(tmp_path / "two") as two, EmbeddedStore(tmp_path / "one") as one:
        after, expected = quads(two, base), quads(one, base)
    assert after == expected
    assert not any("person/sergey-lavrov" in str(q) for q in after)
    assert any("agreement/tourism-agreement-between-russia-and-north-korea" in q[1] for q in after)
    assert (tmp_path / "two" / FILE_NAME).is_file()


def test_a_build_that_changes_nothing_sends_nothing(build_cache, tmp_path):
    base = "https://example.org/kg/"
    build(A + B, build_cache, tmp_path, base, store=tmp_path / "s")
    again = build(B, build_cache, tmp_path, base, store=tmp_path / "s")
    assert again.load.ok and again.load.loaded == [] and again.load.triples == 0  # not even a description
    assert again.articles == len(B)


def test_a_graph_lost_by_the_store_is_sent_again(build_cache, tmp_path):
    base = "https://example.org/kg/"
    build(A + B, build_cache, tmp_path, base, store=tmp_path / "s")
    with EmbeddedStore(tmp_path / "s") as store:
        before = quads(store, base)
        store.store.remove_graph(NamedNode(f"{base}article/r1_interfax"))  # behind kg's back
    again = build(B, build_cache, tmp_path, base, store=tmp_path / "s")
    assert articles(again.load.loaded) == {"r1_interfax"}
    with EmbeddedStore(tmp_path / "s") as store:
        assert quads(store, base) == before


def test_builds_with_another_base_into_one_store_are_other_graphs(build_cache, tmp_path):
    build(A, build_cache, tmp_path, "https://example.org/kg/", store=tmp_path / "s")
    other = build(B, build_cache, tmp_path, "https://example.org/other/", store=tmp_path / "s")
    assert articles(other.load.loaded) == {p.stem for p in B}  # not A's again
    build(B, build_cache, tmp_path, "https://example.org/other/", store=tmp_path / "alone")
    with EmbeddedStore(tmp_path / "s") as both, EmbeddedStore(tmp_path / "alone") as alone:
        assert quads(both, "https://example.org/other/") == quads(alone, "https://example.org/other/")


def test_articles_of_an_older_pipeline_are_extracted_again(build_cache, tmp_path):
    base = "https://example.org/kg/"
    build(A, build_cache, tmp_path, base, store=tmp_path / "s")
    with sqlite3.connect(tmp_path / "s" / FILE_NAME) as db:
        db.execute("UPDATE records SET version = 'an older kg'")
    report = build(B, build_cache, tmp_path, base, store=tmp_path / "s")
    assert report.extracted + report.cached == len(A) + len(B)  # A again (from the build cache), and B
    build(A + B, build_cache, tmp_path, base, store=tmp_path / "one")
    with EmbeddedStore(tmp_path / "s") as two, EmbeddedStore(tmp_path / "one") as one:
        assert quads(two, base) == quads(one, base)
    with sqlite3.connect(tmp_path / "s" / FILE_NAME) as db:
        assert db.execute("SELECT COUNT(*) FROM records WHERE version = 'an older kg'").fetchone() == (0,)


def graphs_of(base: str) -> list[str]:
    """Every graph a build of the reports can write under `base`."""
    return [f"{base}article/{p.stem}" for p in A + B] + [f"{base}graph/entities", f"{base}graph/wikidata"]


@pytest.fixture
def server_base(oxigraph) -> Iterator[str]:
    """A base of this test's own on the shared server, whose graphs are dropped afterwards."""
    base = f"https://example.org/{uuid.uuid4().hex}/"
    yield base
    oxigraph.drop_graphs(graphs_of(base))


@pytest.mark.server
def test_two_builds_into_an_oxigraph_server_give_what_one_build_gives(oxigraph, server_base, build_cache, tmp_path):
    base = server_base
    build(A, build_cache, tmp_path, base, endpoint=oxigraph.url)
    second = build(B, build_cache, tmp_path, base, endpoint=oxigraph.url)
    assert second.load.ok and articles(second.load.loaded) - {p.stem for p in B} == {"r1_interfax", "r5_tass"}
    build(A + B, build_cache, tmp_path, base, store=tmp_path / "one")
    with EmbeddedStore(tmp_path / "one") as one:
        assert quads(SparqlStore(oxigraph.url), base) == quads(one, base) != set()
    again = build(B, build_cache, tmp_path, base, endpoint=oxigraph.url)
    assert again.load.loaded == [] and again.load.triples == 0
    assert state_path(None, oxigraph.url, tmp_path / "cache").is_file()


@pytest.mark.server
def test_a_server_emptied_behind_the_state_gets_the_whole_build(oxigraph, server_base, build_cache, tmp_path):
    base = server_base
    build(A, build_cache, tmp_path, base, endpoint=oxigraph.url)
    oxigraph.drop_graphs(graphs_of(base))
    report = build(B, build_cache, tmp_path, base, endpoint=oxigraph.url)
    assert report.load.ok and articles(report.load.loaded) == {p.stem for p in B}
    build(B, build_cache, tmp_path, base, store=tmp_path / "alone")  # what B alone gives
    with EmbeddedStore(tmp_path / "alone") as alone:
        assert quads(SparqlStore(oxigraph.url), base) == quads(alone, base)

"""Offline linking: every country gets its QID from the shipped table, places their GeoNames
feature when name and country agree, and no socket is ever opened."""
from __future__ import annotations

import csv
import socket
from importlib import resources
from pathlib import Path

import pytest

from kg.build import BuildOptions, build_quads
from kg.errors import ConfigError
from kg.link import link_resolution
from kg.namespaces import GEONAMES, OWL, WD

from link_fixtures import make_resolution

ROOT = Path(__file__).resolve().parents[1]


def _countries() -> list[dict[str, str]]:
    path = resources.files("kg") / "data" / "countries.tsv"
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_every_country_of_the_table_is_linked_to_its_qid():
    rows = _countries()
    assert len(rows) >= 250
    res = make_resolution(*[("Country", r["name"], [], ["a"], r["iso2"]) for r in rows])
    link_resolution(res, "offline")
    got = {e.code: e.links for e in res.entities.values()}
    for r in rows:
        assert got[r["iso2"]] == [(WD + r["qid"], 1.0, "country-table")], r


def test_a_country_without_a_code_is_found_by_name():
    res = make_resolution(("Country", "Democratic People's Republic of Korea", [], ["a"], None))
    link_resolution(res, "offline")
    assert [t for t, _c, _m in next(iter(res.entities.values())).links] == [WD + "Q423"]


def _geonames(res, label):
    ent = next(e for e in res.entities.values() if e.label == label)
    return [t[len(GEONAMES):].strip("/") for t, _c, _m in ent.links if t.startswith(GEONAMES)]


def test_places_get_the_geonames_feature_of_their_country():
    paris_fr = make_resolution(("Place", "Paris", [], ["a"], "FR"))
    paris_tx = make_resolution(("Place", "Paris", [], ["a"], None),
                               ("Country", "United States", [], ["a"], "US"))
    link_resolution(paris_fr, "offline")
    link_resolution(paris_tx, "offline")
    assert _geonames(paris_fr, "Paris") == ["2988507"]  # Paris, France
    assert _geonames(paris_tx, "Paris") == ["4717560"]  # Paris, Texas


def test_ambiguous_or_country_named_places_stay_unlinked():
    res = make_resolution(("Place", "Washington", [], ["a"], None),  # the city or the state?
                          ("Place", "Georgia", [], ["a"], None),  # a country's name
                          ("Country", "United States", [], ["a"], "US"))
    link_resolution(res, "offline")
    assert _geonames(res, "Washington") == []
    assert _geonames(res, "Georgia") == []


def test_a_region_is_not_linked_to_the_city_of_the_same_name():
    res = make_resolution(("Place", "Kursk", ["Kursk region"], ["a"], "RU"))
    link_resolution(res, "offline")
    assert _geonames(res, "Kursk") == []
    city = make_resolution(("Place", "Kursk", [], ["a"], "RU"))
    link_resolution(city, "offline")
    assert _geonames(city, "Kursk") == ["538560"]


def test_mode_none_links_nothing():
    res = make_resolution(("Country", "Russia", [], ["a"], "RU"))
    link_resolution(res, "none")
    assert next(iter(res.entities.values())).links == []


def test_bad_options_fail_before_any_work():
    with pytest.raises(ConfigError, match="--link"):
        build_quads(BuildOptions(paths=[ROOT / "seeds"], link="online"))
    with pytest.raises(ConfigError, match="--enrich needs --link wikidata"):
        build_quads(BuildOptions(paths=[ROOT / "seeds"], link="offline", enrich=True))


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a socket was opened in offline mode: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_offline_build_of_the_seed_opens_no_socket_and_links_every_country(no_network):
    quads, report = build_quads(BuildOptions(paths=[ROOT / "seeds"], link="offline"))
    assert report.articles == 1
    same = {(q.subject.value, q.object.value) for q in quads if q.predicate.value == OWL + "sameAs"}
    countries = {s for s, _o in same if "/country/" in s}
    assert {s.rsplit("/", 1)[-1] for s in countries} >= {"russia", "north-korea", "ukraine"}
    targets = {o for _s, o in same}
    assert {WD + "Q159", WD + "Q423", WD + "Q212"} <= targets
    assert not any(o.startswith(WD) and "/country/" not in s for s, o in same)  # offline: countries only


def test_kg_link_offline_on_a_file_opens_no_socket(no_network, tmp_path):
    from kg.link.graphfile import link_file

    src = tmp_path / "in.trig"
    src.write_text(TRIG, encoding="utf-8")
    out = tmp_path / "out.trig"
    report = link_file(src, out, mode="offline")
    assert report.wikidata == 1
    import pyoxigraph

    quads = {(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value)
             for q in pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.TRIG)}
    assert ("https://example.org/country/russia", OWL + "sameAs", WD + "Q159",
            "https://example.org/article/a") in quads


TRIG = """
@prefix kg: <https://w3id.org/newskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://example.org/article/a> {
  <https://example.org/article/a> a kg:Article ; dcterms:identifier "a" .
  <https://example.org/country/russia> a kg:Country ; rdfs:label "Russia"@en ;
      kg:mentionedIn <https://example.org/article/a> .
}
"""

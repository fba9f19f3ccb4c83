"""Wikidata linking against a real local SPARQL server (Oxigraph loaded with the Wikidata fixture)
and a MediaWiki-API look-alike: ambiguous names resolve right in context, stay unlinked without
it, the cache makes a second run silent, and the seed's gold QIDs come out right."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import BuildOptions
from kg.link import LinkSettings, enrich_graph_iri, enrich_quads, link_resolution
from kg.namespaces import OWL, WD

from conftest import shared_path
from link_fixtures import FakeWikidataAPI, OxigraphServer, make_resolution, oxigraph_binary, wd_links

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sparql():
    if oxigraph_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the oxigraph server binary is missing (pip install -e '.[test]')")
        pytest.skip("the oxigraph server binary is not installed")
    server = OxigraphServer()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def api():
    server = FakeWikidataAPI()
    yield server
    server.stop()


SOURCES = ["api+sparql", "sparql", "api"]


@pytest.fixture(params=SOURCES)
def settings(request, sparql, api):
    """The same cases through each way of asking: search API + SPARQL facts, SPARQL only, API only."""
    endpoint = None if request.param == "api" else sparql
    url = None if request.param == "sparql" else api.url
    return LinkSettings(endpoint=endpoint, api=url, cache_dir=None, sleep=lambda s: None)


US = ("Country", "United States", [], ["a"], "US")
RU = ("Country", "Russia", [], ["a"], "RU")
FR = ("Country", "France", [], ["a"], "FR")
KP = ("Country", "North Korea", [], ["a"], "KP")

# (entity, the entities around it, expected QIDs)
CASES = {
    "Georgia, the US state, in an article about the US": (("Place", "Georgia", [], ["a"], None), [US], ["Q1428"]),
    "Georgia, the country": (("Country", "Georgia", [], ["a"], "GE"), [RU], ["Q230"]),
    "Georgia as a place without context": (("Place", "Georgia", [], ["a"], None), [], []),
    "Paris in France": (("Place", "Paris", [], ["a"], "FR"), [FR], ["Q90"]),
    "Paris next to Texas and the US": (("Place", "Paris", [], ["a"], None),
                                       [US, ("Place", "Texas", [], ["a"], "US")], ["Q830149"]),
    "Paris without context: the capital": (("Place", "Paris", [], ["a"], None), [], ["Q90"]),
    "Putin with Russia: the president, not his father": (("Person", "Vladimir Putin", ["Putin"], ["a"], None), [RU], ["Q7747"]),
    "Putin without context: two people of that name": (("Person", "Vladimir Putin", [], ["a"], None), [], []),
    "Moscow, the city": (("Place", "Moscow", [], ["a"], "RU"), [RU], ["Q649"]),
    "Moscow region: the oblast": (("Place", "Moscow region", [], ["a"], None), [RU], ["Q1697"]),
    "Kursk region: the oblast": (("Place", "Kursk", ["Kursk region"], ["a"], "RU"), [RU], ["Q3178"]),
    "Kursk alone is not the oblast": (("Place", "Kursk", [], ["a"], "RU"), [RU], []),
    "Washington in the US: city or state": (("Place", "Washington", [], ["a"], None), [US], []),
    "Washington as a lone surname": (("Person", "Washington", [], ["a"], None), [US], []),
    "Kim Jong Un among the Kims": (("Person", "Kim Jong Un", ["Kim"], ["a"], None), [KP], ["Q56226"]),
    "Kim alone": (("Person", "Kim", [], ["a"], None), [KP], []),
    "Lavrov by another spelling": (("Person", "Sergei Lavrov", ["Lavrov"], ["a"], None), [RU], ["Q58217"]),
    "Paris is not Paris Hilton": (("Person", "Paris", [], ["a"], None), [US], []),
    "NATO": (("Organization", "NATO", [], ["a"], None), [], ["Q7184"]),
    "the Netherlands of countries.tsv": (("Country", "Netherlands", [], ["a"], "NL"), [], ["Q55"]),
}


@pytest.mark.server
@pytest.mark.parametrize("case", list(CASES))
def test_ambiguous_names_resolve_in_context(case, settings):
    entity, around, expected = CASES[case]
    if case.startswith("Washington in the US") and settings.api is None:
        # without the search API, candidates come from exact labels: "Washington, D.C." (whose
        # fixture entry has no alias "Washington") is not one, so the state is the only reading
        expected = ["Q1223"]
    res = make_resolution(entity, *around)
    link_resolution(res, "wikidata", settings)
    assert wd_links(res, entity[1]) == expected


@pytest.mark.server
def test_links_carry_confidence_and_method(sparql, api):
    res = make_resolution(("Person", "Sergei Lavrov", [], ["a"], None), RU)
    link_resolution(res, "wikidata", LinkSettings(endpoint=sparql, api=api.url, cache_dir=None))
    lavrov = next(e for e in res.entities.values() if e.type == "Person")
    (target, confidence, method), = [l for l in lavrov.links if "wikidata" in l[0]]
    assert target == WD + "Q58217" and method == "wikidata" and 0.65 <= confidence < 1.0
    russia = next(e for e in res.entities.values() if e.type == "Country")
    assert russia.links == [(WD + "Q159", 1.0, "country-table")]


@pytest.mark.server
def test_a_second_run_over_the_same_names_sends_no_request(tmp_path, sparql, api):
    def run():
        res = make_resolution(("Place", "Paris", [], ["a"], None), ("Person", "Vladimir Putin", [], ["a"], None),
                              ("Person", "Kim Jong Un", [], ["a"], None), FR, RU)
        settings = LinkSettings(endpoint=sparql, api=api.url, cache_dir=tmp_path / "cache")
        return res, link_resolution(res, "wikidata", settings)

    first_res, first = run()
    seen = len(api.log)
    second_res, second = run()
    assert first.requests > 0
    assert second.requests == 0 and len(api.log) == seen
    assert (tmp_path / "cache" / "wikidata.sqlite").is_file()
    assert [e.links for e in first_res.entities.values()] == [e.links for e in second_res.entities.values()]


@pytest.mark.server
def test_requests_identify_kg_by_user_agent(sparql, api):
    api.log.clear()
    res = make_resolution(("Place", "Anchorage", [], ["a"], None), US)
    ua = "kg-test/1.0 (tests; test@example.org)"
    link_resolution(res, "wikidata", LinkSettings(endpoint=sparql, api=api.url, cache_dir=None, user_agent=ua))
    assert api.log and {r["user_agent"] for r in api.log} == {ua}


@pytest.mark.server
def test_enrich_puts_wikidata_facts_in_their_own_graph(sparql, api):
    res = make_resolution(("Place", "Moscow", [], ["a"], "RU"), RU)
    settings = LinkSettings(endpoint=sparql, api=api.url, cache_dir=None)
    link_resolution(res, "wikidata", settings)
    base = "https://example.org/kg/"
    quads = list(enrich_quads(res, base, settings))
    assert quads and {q.graph_name.value for q in quads} == {enrich_graph_iri(base)}
    facts = {(q.subject.value, q.predicate.value, q.object.value) for q in quads}
    assert (WD + "Q649", "http://www.wikidata.org/prop/direct/P17", WD + "Q159") in facts
    assert (WD + "Q159", "https://schema.org/description",
            "sovereign state in Eastern Europe and Northern Asia") in facts


GOLD_QIDS = {"Sergei Lavrov": "Q58217", "Kim Jong Un": "Q56226", "Russia": "Q159",
             "North Korea": "Q423", "Ukraine": "Q212", "Kursk region": "Q3178"}


@pytest.fixture(scope="module")
def seed_linked(tmp_path_factory, sparql, api) -> Path:
    """The seed built once with Wikidata linking (the local mirror and the API look-alike), as Turtle."""
    from kg.build import build_graph

    out = tmp_path_factory.mktemp("seed-linked") / "seed.ttl"
    build_graph(BuildOptions(paths=[ROOT / "seeds"], link="wikidata", wikidata_endpoint=sparql,
                             wikidata_api=api.url, cache_dir=out.parent / "cache", output=out))
    return out


@pytest.mark.server
def test_the_seed_links_every_gold_entity_right(seed_linked):
    import pyoxigraph

    triples = list(pyoxigraph.parse(path=str(seed_linked), format=pyoxigraph.RdfFormat.TURTLE))
    labels = {t.subject.value: t.object.value for t in triples
              if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"}
    qids: dict[str, set[str]] = {}
    for t in triples:
        if t.predicate.value == OWL + "sameAs" and t.object.value.startswith(WD):
            qids.setdefault(labels.get(t.subject.value, ""), set()).add(t.object.value[len(WD):])
    for label, qid in GOLD_QIDS.items():
        assert qids.get(label) == {qid}, (label, qids.get(label))


@pytest.mark.server
def test_the_referee_finds_every_seed_link_right(seed_linked):
    scorer = shared_path("eval", "score.py")
    gold = shared_path("eval", "gold", "000_bf959745413853f3.json")
    out = subprocess.run([sys.executable, str(scorer), str(seed_linked), str(gold), "--json"],
                         capture_output=True, text=True, check=True)
    links = json.loads(out.stdout)["links"]
    assert links["accuracy"] == 1.0 and links["wrong"] == []


@pytest.mark.server
def test_build_with_enrich_writes_the_wikidata_graph(tmp_path, sparql, api):
    import pyoxigraph

    from kg.build import build_graph

    out = tmp_path / "seed.trig"
    build_graph(BuildOptions(paths=[ROOT / "seeds"], link="wikidata", wikidata_endpoint=sparql,
                             wikidata_api=api.url, cache_dir=tmp_path / "cache", enrich=True,
                             output=out, format="trig"))
    quads = list(pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.TRIG))
    wd_graph = enrich_graph_iri("https://w3id.org/newskg/resource/")
    enriched = {(q.subject.value, q.predicate.value) for q in quads if q.graph_name.value == wd_graph}
    assert (WD + "Q423", "https://schema.org/description") in enriched  # North Korea
    same = [q for q in quads if q.predicate.value == OWL + "sameAs"]
    assert same and all(q.graph_name.value != wd_graph for q in same)  # links stay in article graphs


TRIG = """
@prefix kg: <https://w3id.org/newskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://example.org/> .
ex:article-a {
  ex:article-a a kg:Article ; dcterms:identifier "a" .
  ex:putin a kg:Person ; rdfs:label "Vladimir Putin"@en ; skos:altLabel "Putin"@en ;
      kg:holdsRole "President" ; kg:mentionedIn ex:article-a ;
      owl:sameAs <http://www.wikidata.org/entity/Q19300851> ; kg:link ex:putin-old-link .
  ex:putin-old-link a kg:Link ; kg:linkTarget <http://www.wikidata.org/entity/Q19300851> .
}
ex:article-b {
  ex:article-b a kg:Article ; dcterms:identifier "b" .
  ex:putin a kg:Person ; rdfs:label "Vladimir Putin"@en ; kg:mentionedIn ex:article-b .
  ex:paris a kg:Place ; rdfs:label "Paris"@en ; kg:locatedIn ex:france ; kg:mentionedIn ex:article-b .
  ex:france a kg:Country ; rdfs:label "France"@en ; kg:mentionedIn ex:article-b .
  ex:kursk a kg:Place ; rdfs:label "Kursk"@en ; kg:mentionedIn ex:article-b .
  ex:russia a kg:Country ; rdfs:label "Russia"@en ; kg:mentionedIn ex:article-b .
  ex:claim-b-1 a kg:Claim ; kg:about ex:kursk ;
      kg:evidence "Lavrov praised the liberation of Russia's Kursk region."@en .
}
"""


@pytest.mark.server
def test_kg_link_relinks_an_existing_graph_into_its_article_graphs(tmp_path, sparql, api):
    import pyoxigraph
    from typer.testing import CliRunner

    from kg.cli import app

    src = tmp_path / "in.trig"
    src.write_text(TRIG, encoding="utf-8")
    out = tmp_path / "out.nq"
    result = CliRunner().invoke(app, ["link", str(src), "-o", str(out), "--link", "wikidata",
                                      "--wikidata-endpoint", sparql, "--wikidata-api", api.url,
                                      "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    quads = {(q.subject.value, q.predicate.value, q.object.value, q.graph_name.value)
             for q in pyoxigraph.parse(path=str(out), format=pyoxigraph.RdfFormat.N_QUADS)}
    same = {(s, o, g) for s, p, o, g in quads if p == OWL + "sameAs"}
    ex = "https://example.org/"
    # the role "President" picks the president, not his father; the old wrong link is gone
    assert (ex + "putin", WD + "Q7747", ex + "article-a") in same
    assert (ex + "putin", WD + "Q7747", ex + "article-b") in same
    assert not any(o == WD + "Q19300851" for _s, o, _g in same)
    assert not any(s == ex + "putin-old-link" for s, *_ in quads)
    assert (ex + "paris", WD + "Q90", ex + "article-b") in same
    assert (ex + "france", WD + "Q142", ex + "article-b") in same
    assert (ex + "kursk", WD + "Q3178", ex + "article-b") in same  # "Kursk region" in the evidence
    confidences = [o for s, p, o, g in quads if p.endswith("#linkConfidence")]
    assert confidences and all(0 < float(c) <= 1 for c in confidences)


def test_an_unreachable_wikidata_fails_the_build_with_advice(tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app
    from link_fixtures import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(app, ["build", str(ROOT / "seeds"), "-o", str(tmp_path / "s.ttl"),
                                      "--link", "wikidata", "--wikidata-endpoint", f"{dead}/sparql",
                                      "--wikidata-api", f"{dead}/w/api.php", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 6
    assert "--link offline" in result.output
    assert not (tmp_path / "s.ttl").exists()

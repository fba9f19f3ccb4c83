"""Saved queries: headers, parameters bound as RDF terms, and every query's answers on the seed
graph and on a hand-made graph, on the embedded store and on real servers (Oxigraph, Virtuoso)."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import QueryError
from kg.queries import (
    QUERY_DIR,
    Param,
    format_result,
    get_query,
    list_queries,
    make_term,
    parse_query_file,
    resolve_bindings,
    run_query,
)
from kg.sparql import QueryResult, bind_values, query_shape
from kg.stores import EmbeddedStore, GraphStore, SparqlStore, load_files, open_store

from servers import Server

KG = "https://w3id.org/newskg/ontology#"
KGR = "https://w3id.org/newskg/resource/"
SEED_ARTICLE = KGR + "article/000_bf959745413853f3"
INJECTION = 'x" } ; DROP ALL ; #'
NAMES = [q.name for q in list_queries()]
runner = CliRunner()


# --------------------------------------------------------------------------- the library


def test_there_are_at_least_ten_saved_queries_each_with_a_header() -> None:
    saved = list_queries()
    assert len(saved) >= 10
    for q in saved:
        assert q.title and q.title != q.name, q.name
        assert len(q.description) > 20, q.name
        for p in q.params:
            make_term(p, p.default)  # every default is a valid value of its type
    assert {"SELECT", "CONSTRUCT", "ASK"} <= {q.form for q in saved}
    assert (Path(__file__).resolve().parent.parent / "queries").resolve() == QUERY_DIR.resolve()


def test_kg_queries_lists_every_query_with_its_description() -> None:
    result = runner.invoke(app, ["queries"])
    assert result.exit_code == 0, result.output
    saved = list_queries()
    assert saved
    for q in saved:
        assert q.name in result.output and q.title in result.output
        for p in q.params:
            assert f"--param {p.name}=" in result.output


def test_unknown_query_suggests_close_names() -> None:
    with pytest.raises(QueryError, match="Did you mean claims"):
        get_query("claim")


def test_malformed_header_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: x\n# param: name | strin | | d\nSELECT * { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match=r"bad\.rq:2: unknown parameter type 'strin'"):
        parse_query_file(bad)


@pytest.mark.parametrize(
    "text, form, group",
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT", "{ ?s"),
        ('PREFIX select: <http://x#> select ?s { ?s select:p "} {" } ORDER BY ?s', "SELECT", "{ ?s select"),
        ("# DROP ALL {\nASK { ?s ?p <http://x/{}> }", "ASK", "{ ?s ?p <"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT", "{ ?s ?p ?o }"),
        ("CONSTRUCT {?s ?p ?o} {?o ?p ?s}", "CONSTRUCT", "{?o"),
        ("SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }", "SELECT", "{ { SELECT"),
        ("SELECT ?x { ?x ?p '''a\n}''' FILTER(?x < <http://x>) }", "SELECT", "{ ?x ?p '''"),
    ],
)
def test_query_shape_ignores_braces_in_strings_iris_and_comments(text: str, form: str, group: str) -> None:
    shape = query_shape(text)
    assert shape.form == form
    assert shape.where_open is not None and text[shape.where_open:].startswith(group)


@pytest.mark.parametrize("text", ["INSERT DATA { <a:b> <a:c> <a:d> }", "DROP ALL", "PREFIX select: <http://x> CLEAR ALL", "# SELECT\nDELETE WHERE { ?s ?p ?o }"])
def test_updates_are_refused(text: str) -> None:
    with pytest.raises(QueryError, match="updates are refused"):
        query_shape(text)


def test_a_hostile_value_stays_one_string_literal() -> None:
    text = bind_values("SELECT ?s WHERE { ?s ?p ?name }", {"name": ox.Literal(INJECTION)})
    assert text == 'SELECT ?s WHERE { VALUES (?name) { ("x\\" } ; DROP ALL ; #") }  ?s ?p ?name }'
    # and pyoxigraph parses it as a query with one VALUES row holding exactly that string
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal(INJECTION)))
    assert [r["s"].value for r in store.query(text)] == ["http://x/s"]


@pytest.mark.parametrize("value", ["http://x> } ; DROP ALL ; #", "not an iri", "<http://x y>"])
def test_iri_parameters_must_be_iris(value: str) -> None:
    with pytest.raises(QueryError, match="not a valid iri"):
        make_term(Param("e", "iri", "", ""), value)


@pytest.mark.parametrize("name", ["x) } DROP ALL #", "a b", "1x", ""])
def test_parameter_names_must_be_variable_names(name: str) -> None:
    with pytest.raises(QueryError):
        bind_values("SELECT * { ?s ?p ?o }", {name: ox.Literal("v")})


def test_typed_parameters_become_typed_literals() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert make_term(Param("n", "integer", "", ""), "7") == ox.Literal("7", datatype=ox.NamedNode(xsd + "integer"))
    assert make_term(Param("c", "decimal", "", ""), "0.5") == ox.Literal("0.5", datatype=ox.NamedNode(xsd + "decimal"))
    assert make_term(Param("d", "date", "", ""), "2024-06-19") == ox.Literal("2024-06-19", datatype=ox.NamedNode(xsd + "date"))
    assert make_term(Param("e", "iri", "", ""), "kgr:country/russia") == ox.NamedNode(KGR + "country/russia")
    assert make_term(Param("e", "iri", "", ""), "") is None  # unbound
    with pytest.raises(QueryError, match="not a valid decimal"):
        make_term(Param("c", "decimal", "", ""), "lots")


def test_saved_query_parameters_are_checked() -> None:
    with pytest.raises(QueryError, match="has no parameter nme; it takes: name"):
        resolve_bindings(get_query("people"), {"nme": "x"})
    bound = resolve_bindings(get_query("claims-about"), {})
    assert bound == {"name": ox.Literal("North Korea")}  # the default


# --------------------------------------------------------------------------- every query, every backend


@dataclass
class Target:
    backend: str
    dataset: str
    store: GraphStore
    path: Path


BACKENDS = ("embedded", "oxigraph", "virtuoso")
DATASETS = ("seed", "mini")


@pytest.fixture(scope="module", params=[(b, d) for d in DATASETS for b in BACKENDS], ids=lambda p: f"{p[0]}-{p[1]}")
def target(request, tmp_path_factory) -> Iterator[Target]:
    """The dataset loaded (with `load_files`) into the backend; dropped again afterwards."""
    backend, dataset = request.param
    path = request.getfixturevalue(f"{dataset}_trig")
    server: Optional[Server] = None
    if backend == "embedded":
        store: GraphStore = EmbeddedStore(tmp_path_factory.mktemp("store") / "kg-store")
    else:
        server = request.getfixturevalue(backend)
        store = SparqlStore(server.url, timeout=30)
    report = load_files([path], store)
    assert report.ok, report.failed
    yield Target(backend, dataset, store, path)
    if server is not None:
        server.drop_graphs(report.loaded)
    store.close()


_references: dict[Path, GraphStore] = {}


def reference(path: Path) -> GraphStore:
    """The file in an in-memory store: what every backend must answer."""
    if path not in _references:
        _references[path] = open_store(graph_files=[path])
    return _references[path]


def normal(result: QueryResult) -> tuple:
    """A comparable form: rows in order, blank node ids replaced (each server mints its own)."""
    def term(t: object) -> str:
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)

    triples = sorted(
        " ".join(term(x) for x in (t.subject, t.predicate, t.object)) for t in result.triples
    )
    return result.form, result.variables, [tuple(term(t) for t in row) for row in result.rows], result.boolean, triples


def rows(result: QueryResult) -> list[dict]:
    return result.dicts()


# Per query: what must hold on both datasets (seed = the real `kg build` of seeds/, mini = tests/data/mini.trig).
def check_people(r: QueryResult, dataset: str) -> None:
    lavrov = [x for x in rows(r) if x["personName"] == "Sergei Lavrov"]
    assert {"role": "Foreign Minister", "affiliationName": "Russia"}.items() <= lavrov[0].items()
    assert any(x["personName"] == "Choe Son Hui" and x["affiliationName"] == "North Korea" for x in rows(r))


def check_claims(r: QueryResult, dataset: str) -> None:
    forty = [x for x in rows(r) if "40%" in x["text"] and x["claimantName"] == "Ukrainian military intelligence"]
    assert len(forty) == 1, rows(r)
    assert forty[0]["claimant"] == KGR + "organization/ukrainian-military-intelligence"
    assert forty[0]["article"] == SEED_ARTICLE
    assert float(forty[0]["quantity"]) == pytest.approx(0.4)
    assert any(x["claimant"] is None for x in rows(r))  # claims without a named source are listed too


def check_claims_about(r: QueryResult, dataset: str) -> None:  # default: about "North Korea"
    assert rows(r) and all(x["aboutName"] == "North Korea" for x in rows(r))
    assert any("40%" in x["text"] and x["claimantName"] == "Ukrainian military intelligence" for x in rows(r))


def check_agreements(r: QueryResult, dataset: str) -> None:
    parties = {x["partyName"] for x in rows(r)}
    assert {"Russia", "North Korea"} <= parties
    if dataset == "mini":
        assert {x["signedOn"] for x in rows(r)} == {"2024"}


def check_places(r: QueryResult, dataset: str) -> None:
    by_place = {x["placeName"]: x["countryName"] for x in rows(r)}
    assert by_place["Wonsan"] == "North Korea"
    assert by_place["Wonsan-Kalma Coastal Tourist Area"] == "North Korea"
    assert {c for p, c in by_place.items() if p.startswith("Kursk")} == {"Russia"}  # "Kursk" or "Kursk region"


def check_meetings(r: QueryResult, dataset: str) -> None:
    assert ("Choe Son Hui", "Sergei Lavrov") in {(x["personName"], x["otherName"]) for x in rows(r)}
    pairs = [frozenset((x["person"], x["other"])) for x in rows(r)]
    assert len(pairs) == len(set(pairs))  # each pair once, whichever way it was stated


def check_visits(r: QueryResult, dataset: str) -> None:
    assert {("Sergei Lavrov", "North Korea"), ("Sergei Lavrov", "Wonsan")} <= {(x["personName"], x["placeName"]) for x in rows(r)}


def check_co_mentioned(r: QueryResult, dataset: str) -> None:  # default: with "Sergei Lavrov"
    names = {x["entityName"]: int(x["articles"]) for x in rows(r)}
    assert {"Russia", "North Korea", "Choe Son Hui"} <= set(names)
    assert "Sergei Lavrov" not in names
    if dataset == "mini":
        assert names["Russia"] == 2 and names["Wang Yi"] == 1
        assert rows(r)[0]["entityName"] == "Russia"  # most shared articles first


def check_articles_mentioning(r: QueryResult, dataset: str) -> None:  # default: "Wonsan"
    assert {x["article"] for x in rows(r)} == {SEED_ARTICLE}
    assert {"Wonsan", "Wonsan-Kalma Coastal Tourist Area"} <= {x["entityName"] for x in rows(r)}
    assert rows(r)[0]["identifier"] == "000_bf959745413853f3"


def check_linked(r: QueryResult, dataset: str) -> None:
    links = {x["name"]: x["wikidata"] for x in rows(r)}
    assert links["Russia"] == "http://www.wikidata.org/entity/Q159"
    assert links["North Korea"] == "http://www.wikidata.org/entity/Q423"
    russia = next(x for x in rows(r) if x["name"] == "Russia")
    assert float(russia["confidence"]) == 1.0 and russia["method"]


def check_unlinked(r: QueryResult, dataset: str) -> None:
    names = {x["name"] for x in rows(r)}
    assert "Kim Jong Un" in names and not {"Russia", "North Korea"} & names


def check_class_counts(r: QueryResult, dataset: str) -> None:
    counts = {x["class"]: int(x["count"]) for x in rows(r)}
    assert counts[KG + "Person"] >= 3 and counts[KG + "Country"] >= 2
    assert counts[KG + "Article"] == (1 if dataset == "seed" else 2)


def check_property_counts(r: QueryResult, dataset: str) -> None:
    counts = {x["property"]: int(x["count"]) for x in rows(r)}
    assert counts[KG + "mentionedIn"] >= 8 and counts[KG + "holdsRole"] >= 2 and counts[KG + "locatedIn"] >= 2


def check_entity(r: QueryResult, dataset: str) -> None:  # default: "Sergei Lavrov", as RDF
    assert r.form == "CONSTRUCT" and not r.rows
    lavrov = ox.NamedNode(KGR + "person/sergei-lavrov")
    triples = set(r.triples)
    assert ox.Triple(lavrov, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(KG + "Person")) in triples
    assert ox.Triple(lavrov, ox.NamedNode(KG + "mentionedIn"), ox.NamedNode(SEED_ARTICLE)) in triples
    assert {t.subject for t in triples} == {lavrov}
    assert ox.parse(format_result(r, "turtle").encode(), format=ox.RdfFormat.TURTLE)  # prints as Turtle


def check_is_mentioned(r: QueryResult, dataset: str) -> None:  # default: "Wonsan"
    assert r.form == "ASK" and r.boolean is True


CHECKS: dict[str, Callable[[QueryResult, str], None]] = {
    "people": check_people,
    "claims": check_claims,
    "claims-about": check_claims_about,
    "agreements": check_agreements,
    "places": check_places,
    "meetings": check_meetings,
    "visits": check_visits,
    "co-mentioned": check_co_mentioned,
    "articles-mentioning": check_articles_mentioning,
    "linked-entities": check_linked,
    "unlinked-entities": check_unlinked,
    "class-counts": check_class_counts,
    "property-counts": check_property_counts,
    "entity": check_entity,
    "is-mentioned": check_is_mentioned,
}
def test_every_saved_query_has_checks() -> None:
    assert set(CHECKS) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_saved_query(target: Target, name: str) -> None:
    query = get_query(name)
    bindings = resolve_bindings(query, {})
    got = target.store.query(query.text, bindings)
    assert normal(got) == normal(reference(target.path).query(query.text, bindings)), f"{target.backend} differs"
    CHECKS[name](got, target.dataset)


def test_the_forty_percent_claimant_is_an_organization(target: Target) -> None:
    claimant = f"<{KGR}organization/ukrainian-military-intelligence>"
    assert target.store.query(f"ASK {{ {claimant} a <{KG}Organization> }}").boolean is True


def test_parameters_change_the_answer(target: Target) -> None:
    people = target.store.query(get_query("people").text, resolve_bindings(get_query("people"), {"name": "choe"}))
    assert {x["personName"] for x in people.dicts()} == {"Choe Son Hui"}
    places = get_query("places")
    russia = target.store.query(places.text, resolve_bindings(places, {"country_name": "russia"}))
    assert {x["countryName"] for x in russia.dicts()} == {"Russia"}
    asked = get_query("is-mentioned")
    assert target.store.query(asked.text, resolve_bindings(asked, {"name": "Atlantis"})).boolean is False
    assert target.store.query(asked.text, resolve_bindings(asked, {"name": "lavrov"})).boolean is True  # altLabel
    linked = get_query("linked-entities")
    every = target.store.query(linked.text, resolve_bindings(linked, {}))
    assert any(x["confidence"] is not None for x in every.dicts())
    strict = target.store.query(linked.text, resolve_bindings(linked, {"min_confidence": "1.01"}))
    assert [x for x in strict.dicts() if x["confidence"] is not None] == []  # no link is that sure


def test_injection_neither_breaks_nor_changes_the_query(target: Target) -> None:
    before = target.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
    for name in ("people", "claims-about", "co-mentioned", "articles-mentioning", "is-mentioned", "entity"):
        query = get_query(name)
        key = query.params[0].name
        result = target.store.query(query.text, resolve_bindings(query, {key: INJECTION}))
        assert not result.rows and not result.triples and not result.boolean, name
    assert target.store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows == before


def test_ad_hoc_describe_and_iri_parameters(target: Target) -> None:
    described = target.store.query(f"DESCRIBE <{KGR}country/russia>")
    assert described.form == "DESCRIBE"
    assert any(t.predicate.value.endswith("#label") and t.object.value == "Russia" for t in described.triples)
    bound = resolve_bindings(None, {"c": "<https://w3id.org/newskg/ontology#Country>"})
    result = target.store.query("SELECT DISTINCT ?x WHERE { ?x a ?c } ORDER BY ?x", bound)
    assert KGR + "country/russia" in [x["x"] for x in result.dicts()]


# --------------------------------------------------------------------------- output and the command line


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory, mini_trig) -> Path:
    path = tmp_path_factory.mktemp("cli") / "kg-store"
    assert load_files([mini_trig], path).ok
    return path


def test_formats(mini_store: Path) -> None:
    result = run_query("people", store=mini_store)
    table = format_result(result, "table")
    assert "Sergei Lavrov" in table and "kgr:country/russia" in table
    parsed = list(csv.DictReader(io.StringIO(format_result(result, "csv"))))
    assert parsed[0].keys() == {"person", "personName", "role", "affiliation", "affiliationName"}
    assert {"personName": "Sergei Lavrov", "affiliation": KGR + "country/russia"}.items() <= next(
        x for x in parsed if x["personName"] == "Sergei Lavrov").items()
    tsv = format_result(result, "tsv").splitlines()
    assert tsv[0].split("\t")[:2] == ["?person", "?personName"]
    assert '"Sergei Lavrov"@en' in "\n".join(tsv)
    doc = json.loads(format_result(result, "json"))
    answer = ox.parse_query_results(format_result(result, "json"), format=ox.QueryResultsFormat.JSON)
    assert doc["head"]["vars"] == [v.value for v in answer.variables] and len(list(answer)) == len(result.rows)
    asked = run_query("is-mentioned", store=mini_store)
    assert format_result(asked, "table") == "true\n" and json.loads(format_result(asked, "json"))["boolean"] is True
    graph = run_query("entity", store=mini_store)
    assert list(ox.parse(format_result(graph, "nt").encode(), format=ox.RdfFormat.N_TRIPLES))
    with pytest.raises(QueryError, match="for CONSTRUCT/DESCRIBE"):
        format_result(result, "turtle")
    with pytest.raises(QueryError, match="is RDF"):
        format_result(graph, "csv")


def test_cli_query_runs_saved_file_and_inline_queries(mini_store: Path, tmp_path: Path) -> None:
    out = runner.invoke(app, ["query", "claims", "--store", str(mini_store), "--param", "claimant_name=ukrainian", "-f", "csv"])
    assert out.exit_code == 0, out.output
    assert "40%" in out.stdout and "Ukrainian military intelligence" in out.stdout
    rq = tmp_path / "q.rq"
    rq.write_text("# title: t\n# param: n | string | Wang Yi | who\nSELECT ?p WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(STR(?l) = ?n) }\n")
    out = runner.invoke(app, ["query", "--file", str(rq), "--store", str(mini_store), "-f", "tsv"])
    assert out.exit_code == 0 and f"<{KGR}person/wang-yi>" in out.stdout
    out = runner.invoke(app, ["query", "--sparql", "ASK { ?s a <https://w3id.org/newskg/ontology#Claim> }", "--store", str(mini_store)])
    assert out.exit_code == 0 and out.stdout == "true\n"
    out = runner.invoke(app, ["query", "entity", "--graph", str(tmp_path / "none.trig")])
    assert out.exit_code == 2 and "no such file" in out.output


def test_cli_query_errors_have_exit_codes(mini_store: Path, tmp_path: Path) -> None:
    out = runner.invoke(app, ["query", "--sparql", "DROP ALL", "--store", str(mini_store)])
    assert out.exit_code == 5 and "updates are refused" in out.output
    out = runner.invoke(app, ["query", "people", "--param", "nobody=1", "--store", str(mini_store)])
    assert out.exit_code == 5 and "it takes: name" in out.output
    out = runner.invoke(app, ["query", "people", "--store", str(tmp_path / "nothing-here")])
    assert out.exit_code == 4 and "no store at" in out.output and not (tmp_path / "nothing-here").exists()
    out = runner.invoke(app, ["query", "--sparql", "SELECT ?x WHERE { ?x ", "--store", str(mini_store)])
    assert out.exit_code == 5 and "syntax error" in out.output
    out = runner.invoke(app, ["query", "people", "--store", str(mini_store), "--endpoint", "http://127.0.0.1:9/"])
    assert out.exit_code == 3 and "only one of" in out.output


def test_cli_query_against_a_server_and_graph_files(oxigraph, mini_trig: Path) -> None:
    out = runner.invoke(app, ["query", "places", "--graph", str(mini_trig), "-p", "country_name=china", "-f", "csv"])
    assert out.exit_code == 0 and "Beijing" in out.stdout and "Wonsan" not in out.stdout
    graph = "http://test.example/cli/g"
    oxigraph.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <http://test.example/cli/s> <http://test.example/cli/p> "cli" }} }}')
    try:
        out = runner.invoke(app, ["query", "--endpoint", oxigraph.url, "-f", "csv", "--sparql",
                                  "SELECT ?o WHERE { <http://test.example/cli/s> ?p ?o }"])
        assert out.exit_code == 0, out.output
        assert out.stdout.splitlines() == ["o", "cli"]  # found without GRAPH: the union default graph
    finally:
        oxigraph.drop_graphs([graph])

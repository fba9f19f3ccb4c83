"""`kg validate` and kg.validate: a graph that keeps the contract passes; each way of breaking
it is reported as one line that names the node, the property and the problem."""
from __future__ import annotations

import logging
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDFS
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import InputError
from kg.validate import validate_file, validate_graph

# rdflib's own TriG/N-Quads/JSON-LD parsers use its deprecated ConjunctiveGraph API internally.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")

PREFIXES = """\
@prefix kg: <https://w3id.org/newskg/ontology#> .
@prefix kgr: <https://w3id.org/newskg/resource/> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# The seed article's graph, by hand, with no ontology triples (no rdfs:subClassOf): a Country
# must count as a Place without them.
GOOD = PREFIXES + """
kgr:article-seed a kg:Article ;
    dcterms:identifier "seed" ;
    dcterms:title "Lavrov visits North Korea" ;
    dcterms:date "2025-07-12"^^xsd:date ;
    schema:url <https://example.org/seed> .

kgr:person-sergei-lavrov a kg:Person ;
    rdfs:label "Sergei Lavrov"@en ;
    skos:altLabel "Lavrov"@en , "Sergey Lavrov"@en ;
    kg:mentionedIn kgr:article-seed ;
    kg:affiliatedWith kgr:country-ru ;
    kg:holdsRole "Foreign Minister" ;
    kg:visited kgr:country-kp , kgr:place-wonsan ;
    kg:metWith kgr:person-choe-son-hui .

kgr:person-choe-son-hui a kg:Person ;
    rdfs:label "Choe Son Hui"@en ;
    kg:mentionedIn kgr:article-seed .

kgr:country-ru a kg:Country ;
    rdfs:label "Russia"@en ;
    kg:mentionedIn kgr:article-seed ;
    owl:sameAs wd:Q159 ;
    kg:link [ a kg:Link ; kg:linkTarget wd:Q159 ; kg:linkConfidence 1.0 ;
              kg:linkMethod "offline-country-table" ] .

kgr:country-kp a kg:Country ;
    rdfs:label "North Korea"@en ;
    kg:mentionedIn kgr:article-seed .

kgr:place-wonsan a kg:Place ;
    rdfs:label "Wonsan"@en ;
    kg:locatedIn kgr:country-kp ;
    kg:mentionedIn kgr:article-seed .

kgr:place-pyongyang a kg:Place ;
    rdfs:label "Pyongyang"@en .

kgr:org-kcna a kg:Organization ;
    rdfs:label "Korean Central News Agency"@en ;
    skos:altLabel "KCNA"@en .

kgr:agreement-a1 a kg:Agreement ;
    rdfs:label "Comprehensive Strategic Partnership Treaty"@en ;
    kg:party kgr:country-ru , kgr:country-kp ;
    kg:signedIn kgr:place-pyongyang ;
    kg:signedOn "2024"^^xsd:gYear ;
    kg:evidence "Last year the two countries signed a treaty." ;
    kg:mentionedIn kgr:article-seed .

kgr:claim-c1 a kg:Claim ;
    kg:text "Lavrov said Russia fully supports North Korea."@en ;
    prov:wasDerivedFrom kgr:article-seed ;
    kg:claimant kgr:person-sergei-lavrov ;
    kg:about kgr:country-kp , kgr:country-ru ;
    kg:quantity 0.40 ;
    kg:quantityText "nearly 40%" ;
    kg:evidence "Lavrov said Russia fully supports North Korea." .

kgr:claim-c2 a kg:Claim ;
    kg:text "Reports suggest the visit was planned for months."@en ;
    prov:wasDerivedFrom kgr:article-seed ;
    kg:about kgr:person-sergei-lavrov .
"""


def _write(tmp_path: Path, text: str, name: str = "g.ttl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _edit(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def test_the_hand_written_graph_conforms(tmp_path: Path) -> None:
    assert not list(Graph().parse(data=GOOD, format="turtle").triples((None, RDFS.subClassOf, None)))
    report = validate_file(_write(tmp_path, GOOD))
    assert report.conforms, report.violations
    assert report.violations == []


# (id, broken graph, words the one violation line must contain)
BROKEN = [
    (
        "two-labels",
        GOOD + 'kgr:person-sergei-lavrov rdfs:label "Lavrov"@en .\n',
        ["kgr:person-sergei-lavrov", "rdfs:label", "exactly one rdfs:label"],
    ),
    (
        "claim-without-text",
        _edit('kg:text "Lavrov said Russia fully supports North Korea."@en ;', ""),
        ["kgr:claim-c1", "kg:text", "exactly one kg:text"],
    ),
    (
        "claimant-is-a-place",
        _edit("kg:claimant kgr:person-sergei-lavrov", "kg:claimant kgr:place-wonsan"),
        ["kgr:claim-c1", "kg:claimant", "kgr:place-wonsan", "Person, kg:Organization or kg:Country"],
    ),
    (
        "signed-on-plain-string",
        _edit('kg:signedOn "2024"^^xsd:gYear', 'kg:signedOn "last year"'),
        ["kgr:agreement-a1", "kg:signedOn", '"last year"', "xsd:date, xsd:gYearMonth or xsd:gYear"],
    ),
    (
        "signed-on-ill-typed-year",
        _edit('kg:signedOn "2024"^^xsd:gYear', 'kg:signedOn "last year"^^xsd:gYear'),
        ["kgr:agreement-a1", "kg:signedOn"],
    ),
    (
        "label-without-language",
        _edit('rdfs:label "Wonsan"@en', 'rdfs:label "Wonsan"'),
        ["kgr:place-wonsan", "rdfs:label", "@en"],
    ),
    (
        "label-in-russian",
        _edit('rdfs:label "Russia"@en', 'rdfs:label "Россия"@ru'),
        ["kgr:country-ru", "rdfs:label", "@en"],
    ),
    (
        "entity-without-label",
        _edit('kgr:org-kcna a kg:Organization ;\n    rdfs:label "Korean Central News Agency"@en ;', "kgr:org-kcna a kg:Organization ;"),
        ["kgr:org-kcna", "rdfs:label", "exactly one"],
    ),
    (
        "alt-label-plain",
        _edit('skos:altLabel "KCNA"@en', 'skos:altLabel "KCNA"'),
        ["kgr:org-kcna", "skos:altLabel", "@en"],
    ),
    (
        "mentioned-in-not-an-article",
        _edit("kgr:place-wonsan a kg:Place ;\n    rdfs:label \"Wonsan\"@en ;", "kgr:place-wonsan a kg:Place ;\n    rdfs:label \"Wonsan\"@en ; kg:mentionedIn kgr:place-pyongyang ;"),
        ["kgr:place-wonsan", "kg:mentionedIn", "kg:Article", "kgr:place-pyongyang"],
    ),
    (
        "article-without-identifier",
        _edit('dcterms:identifier "seed" ;', ""),
        ["kgr:article-seed", "dcterms:identifier"],
    ),
    (
        "article-date-with-time",
        _edit('"2025-07-12"^^xsd:date', '"2025-07-12T10:00:00"^^xsd:dateTime'),
        ["kgr:article-seed", "dcterms:date", "xsd:date"],
    ),
    (
        "article-date-ill-typed",
        _edit('"2025-07-12"^^xsd:date', '"2025-13-45"^^xsd:date'),
        ["kgr:article-seed", "dcterms:date", '"2025-13-45"^^xsd:date'],
    ),
    (
        "claim-from-two-articles",
        _edit("prov:wasDerivedFrom kgr:article-seed ;\n    kg:about kgr:person-sergei-lavrov",
              "prov:wasDerivedFrom kgr:article-seed , kgr:article-other ;\n    kg:about kgr:person-sergei-lavrov")
        + 'kgr:article-other a kg:Article ; dcterms:identifier "other" .\n',
        ["kgr:claim-c2", "prov:wasDerivedFrom", "exactly one"],
    ),
    (
        "claim-derived-from-a-person",
        _edit("prov:wasDerivedFrom kgr:article-seed ;\n    kg:about kgr:person-sergei-lavrov",
              "prov:wasDerivedFrom kgr:person-choe-son-hui ;\n    kg:about kgr:person-sergei-lavrov"),
        ["kgr:claim-c2", "prov:wasDerivedFrom", "kg:Article", "kgr:person-choe-son-hui"],
    ),
    (
        "claim-about-nothing",
        _edit("prov:wasDerivedFrom kgr:article-seed ;\n    kg:about kgr:person-sergei-lavrov .",
              "prov:wasDerivedFrom kgr:article-seed ."),
        ["kgr:claim-c2", "kg:about", "at least one"],
    ),
    (
        "claim-about-an-article",
        _edit("kg:about kgr:person-sergei-lavrov .", "kg:about kgr:article-seed ."),
        ["kgr:claim-c2", "kg:about", "kgr:article-seed"],
    ),
    (
        "quantity-not-decimal",
        _edit("kg:quantity 0.40", 'kg:quantity "40%"'),
        ["kgr:claim-c1", "kg:quantity", "xsd:decimal"],
    ),
    (
        "affiliated-with-a-place",
        _edit("kg:affiliatedWith kgr:country-ru", "kg:affiliatedWith kgr:place-wonsan"),
        ["kgr:person-sergei-lavrov", "kg:affiliatedWith", "kgr:place-wonsan"],
    ),
    (
        "place-affiliated-with-country",
        GOOD + "kgr:place-wonsan kg:affiliatedWith kgr:country-kp .\n",
        ["kgr:place-wonsan", "kg:affiliatedWith", "not a kg:Person"],
    ),
    (
        "located-in-a-person",
        _edit("kg:locatedIn kgr:country-kp", "kg:locatedIn kgr:person-choe-son-hui"),
        ["kgr:place-wonsan", "kg:locatedIn", "kgr:person-choe-son-hui"],
    ),
    (
        "met-with-a-country",
        _edit("kg:metWith kgr:person-choe-son-hui", "kg:metWith kgr:country-kp"),
        ["kgr:person-sergei-lavrov", "kg:metWith", "kgr:country-kp"],
    ),
    (
        "party-is-a-place",
        _edit("kg:party kgr:country-ru , kgr:country-kp", "kg:party kgr:country-ru , kgr:place-wonsan"),
        ["kgr:agreement-a1", "kg:party", "kgr:place-wonsan"],
    ),
    (
        "signed-in-a-person",
        _edit("kg:signedIn kgr:place-pyongyang", "kg:signedIn kgr:person-choe-son-hui"),
        ["kgr:agreement-a1", "kg:signedIn", "kgr:person-choe-son-hui"],
    ),
    (
        "link-confidence-above-1",
        _edit("kg:linkConfidence 1.0", "kg:linkConfidence 1.5"),
        ["[] (kg:link of kgr:country-ru)", "kg:linkConfidence", "0 to 1", "1.5"],
    ),
    (
        "link-without-target",
        _edit("kg:linkTarget wd:Q159 ;", ""),
        ["[] (kg:link of kgr:country-ru)", "kg:linkTarget", "exactly one"],
    ),
    (
        "link-target-without-same-as",
        _edit("owl:sameAs wd:Q159 ;", ""),
        ["kgr:country-ru", "kg:link", "owl:sameAs"],
    ),
    (
        "same-as-a-literal",
        _edit("owl:sameAs wd:Q159 ;", 'owl:sameAs wd:Q159 , "Q159" ;'),
        ["kgr:country-ru", "owl:sameAs", "IRI", '"Q159"'],
    ),
]


@pytest.mark.parametrize(("text", "words"), [(t, w) for _, t, w in BROKEN], ids=[i for i, _, _ in BROKEN])
def test_each_broken_graph_fails_with_one_line_naming_the_problem(tmp_path: Path, text: str, words: list[str]) -> None:
    report = validate_file(_write(tmp_path, text))
    assert not report.conforms
    assert len(report.violations) == 1, report.violations
    line = report.violations[0]
    assert "\n" not in line
    assert words
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("kg:signedIn kgr:place-pyongyang", "kg:signedIn kgr:country-kp"),  # a Country is a Place
        ('kg:signedOn "2024"^^xsd:gYear', 'kg:signedOn "2024-06-19"^^xsd:date'),
        ('kg:signedOn "2024"^^xsd:gYear', 'kg:signedOn "2024-06"^^xsd:gYearMonth'),
        ("kg:claimant kgr:person-sergei-lavrov", "kg:claimant kgr:org-kcna"),
        ("kg:claimant kgr:person-sergei-lavrov", "kg:claimant kgr:country-ru"),
        ("kg:affiliatedWith kgr:country-ru", "kg:affiliatedWith kgr:org-kcna"),
        ('kg:holdsRole "Foreign Minister"', 'kg:holdsRole "Foreign Minister"@en'),
        ("kg:party kgr:country-ru , kgr:country-kp", "kg:party kgr:person-sergei-lavrov , kgr:org-kcna"),
        ("kg:locatedIn kgr:country-kp", "kg:locatedIn kgr:place-pyongyang"),
    ],
)
def test_variants_the_contract_allows_conform(tmp_path: Path, old: str, new: str) -> None:
    report = validate_file(_write(tmp_path, _edit(old, new)))
    assert report.conforms, report.violations


def test_ill_typed_literals_are_violations_not_logged_tracebacks(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write(tmp_path, _edit('"2025-07-12"^^xsd:date', '"2025-13-45"^^xsd:date'))
    with caplog.at_level(logging.WARNING):
        report = validate_file(path)
    assert not report.conforms
    assert not [r for r in caplog.records if r.name.startswith("rdflib")], caplog.text


def test_violations_are_sorted_and_repeatable(tmp_path: Path) -> None:
    text = _edit("kg:linkConfidence 1.0", "kg:linkConfidence 1.5") + 'kgr:person-sergei-lavrov rdfs:label "Lavrov"@en .\n'
    text = text.replace("kg:claimant kgr:person-sergei-lavrov", "kg:claimant kgr:place-wonsan")
    path = _write(tmp_path, text)
    first = validate_file(path).violations
    assert len(first) == 3
    assert first == sorted(first)
    assert validate_file(path).violations == first  # blank nodes are not shown by their random ids


def _quads_split_over_graphs() -> list[ox.Quad]:
    """The GOOD graph the way kg writes quads: claims in the article's named graph, the rest
    in another, so a claim's kg:Article type is in a different graph than the claim."""
    seed = ox.NamedNode("https://w3id.org/newskg/resource/article-seed")
    other = ox.NamedNode("https://w3id.org/newskg/resource/graph-other")
    quads = []
    for t in ox.parse(GOOD.encode(), format=ox.RdfFormat.TURTLE):
        graph = seed if "claim-" in t.subject.value else other
        quads.append(ox.Quad(t.subject, t.predicate, t.object, graph))
    return quads


@pytest.mark.parametrize(("fmt", "suffix"), [(ox.RdfFormat.TRIG, ".trig"), (ox.RdfFormat.N_QUADS, ".nq"), (ox.RdfFormat.JSON_LD, ".jsonld")])
def test_quad_formats_are_validated_as_the_union_of_their_graphs(tmp_path: Path, fmt, suffix: str) -> None:
    good = tmp_path / f"good{suffix}"
    ox.serialize(_quads_split_over_graphs(), output=str(good), format=fmt)
    assert validate_file(good).conforms, validate_file(good).violations

    # a violation inside a named graph is found, not skipped
    broken = [
        q for q in _quads_split_over_graphs()
        if not (q.subject.value.endswith("claim-c1") and q.predicate.value.endswith("#text"))
    ]
    bad = tmp_path / f"bad{suffix}"
    ox.serialize(broken, output=str(bad), format=fmt)
    report = validate_file(bad)
    assert not report.conforms
    assert report.violations == ["kgr:claim-c1 kg:text: a claim needs exactly one kg:text"]


def test_n_triples_file(tmp_path: Path) -> None:
    path = tmp_path / "g.nt"
    ox.serialize(ox.parse(GOOD.encode(), format=ox.RdfFormat.TURTLE), output=str(path), format=ox.RdfFormat.N_TRIPLES)
    assert validate_file(path).conforms


def test_validate_graph_takes_a_dataset_as_its_union() -> None:
    ds = Dataset()
    src = Graph().parse(data=GOOD, format="turtle")
    claims = ds.graph(URIRef("https://w3id.org/newskg/resource/article-seed"))
    rest = ds.graph(URIRef("https://w3id.org/newskg/resource/graph-other"))
    for s, p, o in src:
        (claims if "claim-" in str(s) else rest).add((s, p, o))
    assert validate_graph(ds).conforms


def test_data_with_the_ontology_mixed_in_still_conforms(tmp_path: Path) -> None:
    """Someone may validate the graph together with kg.ttl: the ontology's own triples are fine."""
    from importlib import resources

    ont = resources.files("kg").joinpath("data/ontology/kg.ttl").read_text(encoding="utf-8")
    g = Graph().parse(data=GOOD, format="turtle").parse(data=ont, format="turtle")
    report = validate_graph(g)
    assert report.conforms, report.violations


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.ttl"
    with pytest.raises(InputError, match="nope.ttl: no such file"):
        validate_file(path)


def test_parse_error_is_an_input_error_with_path_and_parser_message(tmp_path: Path) -> None:
    path = _write(tmp_path, PREFIXES + "kgr:x a kg:Person ; rdfs:label \"unterminated .\n")
    with pytest.raises(InputError) as info:
        validate_file(path)
    message = str(info.value)
    assert str(path) in message and "not valid turtle" in message
    assert "\n" not in message


@pytest.mark.parametrize(("name", "text"), [("g.nq", "<a> <b> .\n"), ("g.jsonld", "{not json"), ("g.trig", "<g> { <a> <b> }")])
def test_parse_errors_in_other_formats(tmp_path: Path, name: str, text: str) -> None:
    with pytest.raises(InputError, match=name):
        validate_file(_write(tmp_path, text, name))


def test_unknown_suffix_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.ttl, \.nt, \.trig, \.nq, \.jsonld"):
        validate_file(_write(tmp_path, GOOD, "g.rdf"))


# ---- the CLI -------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_exits_0_on_a_conforming_graph(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout


def test_cli_exits_1_and_prints_the_violations(tmp_path: Path) -> None:
    path = _write(tmp_path, _edit('kg:signedOn "2024"^^xsd:gYear', 'kg:signedOn "last year"'))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert 'kgr:agreement-a1 kg:signedOn: kg:signedOn must be an xsd:date' in result.stdout
    assert "1 violation(s)" in " ".join(result.stderr.split())  # rich wraps at 80 columns


@pytest.mark.parametrize(("name", "text"), [("missing.ttl", None), ("broken.ttl", "this is not turtle")])
def test_cli_reports_unreadable_input_in_one_line_without_traceback(tmp_path: Path, name: str, text: str | None) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code not in (0, 1)  # an input error, not "has violations"
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and name in lines[0]

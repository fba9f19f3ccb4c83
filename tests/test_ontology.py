"""The ontology file says what kg/namespaces.py and the graph contract (ONTOLOGY.md) say.

A term kg writes but the ontology forgets, or an ontology term no code knows, is a broken
contract that nobody notices until a consumer reasons over the graph; these tests catch it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

import kg
from kg import namespaces as ns

KG = Namespace(ns.KG)
SCHEMA = Namespace(ns.SCHEMA)
PROV = Namespace(ns.PROV)
WD = Namespace(ns.WD)
VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY_IRI = URIRef("https://w3id.org/newskg/ontology")

ONTOLOGY_DIR = Path(str(resources.files("kg").joinpath("data/ontology")))
KG_TTL = ONTOLOGY_DIR / "kg.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"
ALL_TERMS = set(ns.CLASSES) | set(ns.OBJECT_PROPERTIES) | set(ns.DATATYPE_PROPERTIES)


@pytest.fixture(scope="module")
def ont() -> Graph:
    return Graph(bind_namespaces="none").parse(KG_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph(bind_namespaces="none").parse(SHAPES_TTL, format="turtle")


def _members(g: Graph, node) -> set:
    """A class expression as a set: the class itself, or the members of its owl:unionOf."""
    union = g.value(node, OWL.unionOf)
    return set(Collection(g, union)) if union is not None else {node}


@pytest.mark.parametrize(
    ("names", "owl_type"),
    [(ns.CLASSES, OWL.Class), (ns.OBJECT_PROPERTIES, OWL.ObjectProperty), (ns.DATATYPE_PROPERTIES, OWL.DatatypeProperty)],
    ids=["classes", "object-properties", "datatype-properties"],
)
def test_every_listed_term_is_declared_with_label_and_comment(ont: Graph, names, owl_type) -> None:
    assert names
    for name in names:
        term = KG[name]
        assert (term, RDF.type, owl_type) in ont, f"kg:{name} is not declared a {owl_type.n3()}"
        labels = list(ont.objects(term, RDFS.label))
        assert len(labels) == 1 and labels[0].language == "en", f"kg:{name}: want one @en rdfs:label, got {labels}"
        comments = list(ont.objects(term, RDFS.comment))
        assert comments and all(len(str(c)) > 20 for c in comments), f"kg:{name} has no real rdfs:comment"


def test_properties_have_domains_and_datatype_properties_ranges(ont: Graph) -> None:
    for name in ns.OBJECT_PROPERTIES + ns.DATATYPE_PROPERTIES:
        assert ont.value(KG[name], RDFS.domain) is not None, f"kg:{name} has no rdfs:domain"
    for name in ns.DATATYPE_PROPERTIES:
        assert ont.value(KG[name], RDFS.range) is not None, f"kg:{name} has no rdfs:range"


@pytest.mark.parametrize("path", [KG_TTL, SHAPES_TTL], ids=["kg.ttl", "shapes.ttl"])
def test_every_kg_term_used_is_listed_in_namespaces(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    used = {
        str(t)[len(ns.KG):]
        for triple in g
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(ns.KG)
    }
    assert used, "no kg: terms found at all"
    unknown = sorted(used - ALL_TERMS)
    assert not unknown, f"{path.name} uses kg: terms missing from kg/namespaces.py: {unknown}"


def test_prefixes_in_the_file_match_namespaces(ont: Graph) -> None:
    bound = {prefix: str(iri) for prefix, iri in ont.namespaces()}
    for prefix in ("kg", "schema", "prov", "skos", "wd", "dcterms", "xsd"):
        assert bound.get(prefix) == ns.PREFIXES[prefix], f"@prefix {prefix}: differs from kg/namespaces.py"
    # the same prefixes, stated as data in the ontology header (sh:declare)
    declared = {
        str(ont.value(d, SH.prefix)): str(ont.value(d, SH.namespace))
        for d in ont.objects(ONTOLOGY_IRI, SH.declare)
    }
    for prefix in ("kg", "schema", "prov", "skos", "wd", "dcterms", "xsd"):
        assert declared.get(prefix) == ns.PREFIXES[prefix]
    assert str(ont.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == ns.KG


def test_ontology_header(ont: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ont
    assert ont.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert str(ont.value(ONTOLOGY_IRI, OWL.versionInfo)) == kg.__version__


@pytest.mark.parametrize(
    ("cls", "predicate", "target"),
    [
        ("Person", RDFS.subClassOf, SCHEMA.Person),
        ("Person", RDFS.subClassOf, PROV.Agent),
        ("Person", SKOS.closeMatch, WD.Q5),
        ("Place", RDFS.subClassOf, SCHEMA.Place),
        ("Place", SKOS.closeMatch, WD.Q2221906),
        ("Country", RDFS.subClassOf, KG.Place),
        ("Country", RDFS.subClassOf, SCHEMA.Country),
        ("Country", SKOS.closeMatch, WD.Q6256),
        ("Country", SKOS.closeMatch, WD.Q3624078),
        ("Agreement", SKOS.closeMatch, WD.Q321839),
        ("Agreement", SKOS.closeMatch, WD.Q131569),
        ("Claim", RDFS.subClassOf, SCHEMA.Claim),
        ("Organization", RDFS.subClassOf, SCHEMA.Organization),
        ("Organization", RDFS.subClassOf, PROV.Agent),
        ("Article", RDFS.subClassOf, SCHEMA.NewsArticle),
        ("Article", RDFS.subClassOf, PROV.Entity),
    ],
)
def test_class_alignments_of_the_contract(ont: Graph, cls: str, predicate, target) -> None:
    assert (KG[cls], predicate, target) in ont


# domain -> range of the contract's relations (ONTOLOGY.md) and kg's additions
CONTRACT = {
    "affiliatedWith": ({"Person"}, {"Country", "Organization"}),
    "locatedIn": ({"Place"}, {"Place", "Country"}),
    "visited": ({"Person"}, {"Place", "Country"}),
    "metWith": ({"Person"}, {"Person"}),
    "party": ({"Agreement"}, {"Country", "Organization", "Person"}),
    "signedIn": ({"Agreement"}, {"Place"}),
    "claimant": ({"Claim"}, {"Person", "Organization", "Country"}),
    "about": ({"Claim"}, set(ns.ENTITY_CLASSES)),
    "mentionedIn": (set(ns.ENTITY_CLASSES), {"Article"}),
    "link": (set(ns.ENTITY_CLASSES), {"Link"}),
}


@pytest.mark.parametrize("prop", sorted(CONTRACT))
def test_object_property_domain_and_range(ont: Graph, prop: str) -> None:
    domain, range_ = CONTRACT[prop]
    assert _members(ont, ont.value(KG[prop], RDFS.domain)) == {KG[c] for c in domain}
    assert _members(ont, ont.value(KG[prop], RDFS.range)) == {KG[c] for c in range_}


@pytest.mark.parametrize(
    ("prop", "datatypes"),
    [
        ("signedOn", {"date", "gYearMonth", "gYear"}),
        ("quantity", {"decimal"}),
        ("linkMethod", {"string"}),
    ],
)
def test_datatype_property_ranges(ont: Graph, prop: str, datatypes: set[str]) -> None:
    xsd = Namespace(ns.XSD)
    assert _members(ont, ont.value(KG[prop], RDFS.range)) == {xsd[d] for d in datatypes}


def test_link_confidence_is_a_decimal_from_0_to_1(ont: Graph) -> None:
    rng = ont.value(KG.linkConfidence, RDFS.range)
    assert ont.value(rng, OWL.onDatatype) == URIRef(ns.XSD + "decimal")
    facets = {p: o for r in Collection(ont, ont.value(rng, OWL.withRestrictions)) for p, o in ont.predicate_objects(r)}
    assert facets[URIRef(ns.XSD + "minInclusive")].toPython() == 0
    assert facets[URIRef(ns.XSD + "maxInclusive")].toPython() == 1


def test_met_with_is_symmetric(ont: Graph) -> None:
    assert (KG.metWith, RDF.type, OWL.SymmetricProperty) in ont


def test_link_comment_documents_the_plain_same_as(ont: Graph) -> None:
    assert "owl:sameAs" in str(ont.value(KG.Link, RDFS.comment))
    assert "owl:sameAs" in str(ont.value(KG.link, RDFS.comment))


@pytest.mark.parametrize("path", [KG_TTL, SHAPES_TTL], ids=["kg.ttl", "shapes.ttl"])
def test_pyoxigraph_parses_the_same_triples_as_rdflib(path: Path) -> None:
    ox_count = len(list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)))
    assert ox_count == len(Graph().parse(path, format="turtle")) > 100


@pytest.mark.parametrize("path", [KG_TTL, SHAPES_TTL], ids=["kg.ttl", "shapes.ttl"])
def test_rapper_accepts_the_file(path: Path) -> None:
    if shutil.which("rapper") is None:
        if os.environ.get("CI"):
            pytest.fail("rapper (raptor2-utils) is not installed, and CI is set")
        pytest.skip("rapper (raptor2-utils) is not installed")
    proc = subprocess.run(["rapper", "-c", "-i", "turtle", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr.lower()


def test_shapes_are_well_formed_shacl(shapes: Graph) -> None:
    """Validate the shapes graph against the SHACL-for-SHACL meta-shapes."""
    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True, advanced=True)
    assert conforms, text


def test_every_shape_constraint_has_a_message(shapes: Graph) -> None:
    """Violations are read by people: each property shape names what is wrong in its own words."""
    # (the rdf:type ones sit inside the type-union helpers, which the caller's message covers)
    prop_shapes = [s for s in shapes.objects(None, SH.property) if shapes.value(s, SH.path) != RDF.type]
    assert prop_shapes
    for prop_shape in prop_shapes:
        path = shapes.value(prop_shape, SH.path)
        assert isinstance(shapes.value(prop_shape, SH.message), Literal), f"no sh:message on {path}"
    # a targeted node shape that constrains the focus node itself (its class) needs one too
    focus_shapes = [
        node_shape for node_shape in shapes.subjects(RDF.type, SH.NodeShape)
        if any((node_shape, p, None) in shapes for p in (SH["class"], SH.node))
        and (node_shape, SH.targetSubjectsOf, None) in shapes
    ]
    assert focus_shapes
    for node_shape in focus_shapes:
        assert shapes.value(node_shape, SH.message) is not None, f"no sh:message on {node_shape}"

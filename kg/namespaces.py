"""The vocabulary IRIs kg writes. Checked against ontology/kg.ttl by tests/test_ontology.py."""
from __future__ import annotations

KG = "https://w3id.org/newskg/ontology#"
KGR = "https://w3id.org/newskg/resource/"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
GEONAMES = "https://sws.geonames.org/"

PREFIXES: dict[str, str] = {
    "kg": KG,
    "kgr": KGR,
    "wd": WD,
    "schema": SCHEMA,
    "prov": PROV,
    "skos": SKOS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "dcterms": DCTERMS,
    "xsd": XSD,
}

# Terms of the graph contract (shared/design/ONTOLOGY.md) plus kg's own additions.
CLASSES = ("Person", "Place", "Country", "Agreement", "Claim", "Organization", "Article", "Link")
ENTITY_CLASSES = ("Person", "Place", "Country", "Organization", "Agreement")
OBJECT_PROPERTIES = (
    "affiliatedWith", "locatedIn", "visited", "metWith", "party", "signedIn",
    "claimant", "about", "mentionedIn", "link", "linkTarget",
)
DATATYPE_PROPERTIES = (
    "holdsRole", "signedOn", "text", "evidence", "quantity", "quantityText",
    "linkConfidence", "linkMethod",
)

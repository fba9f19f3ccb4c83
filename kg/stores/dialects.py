"""Server dialects: where each kind of SPARQL server puts its endpoints, and its quirks.

Adding a server family is adding a Dialect to DIALECTS (and, if its URLs have a telling shape,
a line to resolve_endpoint's `auto` guess).
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Optional

from kg.errors import ConfigError
from kg.stores.auth import redact


@dataclass(frozen=True)
class Dialect:
    """Where a server family puts its endpoints, relative to the base URL, and its quirks."""

    name: str
    query: str
    update: str
    gsp: Optional[str]
    #: URL parameter that makes the default graph the union of all graphs (None: the server does it,
    #: or must be configured to).
    union_param: Optional[str] = None
    #: Send updates as an HTML form (update=...) instead of an application/sparql-update body.
    form_update: bool = False
    #: Accepts N-Quads POSTed to the GSP endpoint outside any transaction (fast --bulk path).
    bulk_nquads: bool = False
    #: One update request is one transaction.
    atomic: bool = True
    #: Takes blank nodes in INSERT DATA (Virtuoso does not: "not allowed in a constant clause").
    bnodes_in_data: bool = True


DIALECTS: dict[str, Dialect] = {
    # `oxigraph serve`: http://host:7878 -> /query, /update, /store
    "oxigraph": Dialect("oxigraph", "query", "update", "store", union_param="union-default-graph", bulk_nquads=True),
    # Virtuoso: http://host:8890 -> /sparql (query and update), /sparql-graph-crud (GSP).
    # Its default graph is already the union of all graphs; an update request is not one transaction.
    "virtuoso": Dialect(
        "virtuoso", "sparql", "sparql", "sparql-graph-crud", form_update=True, atomic=False, bnodes_in_data=False
    ),
    # Apache Jena Fuseki: http://host:3030/DATASET -> /query, /update, /data
    "fuseki": Dialect("fuseki", "query", "update", "data"),
    # Ontotext GraphDB (and RDF4J): http://host:7200/repositories/REPO -> itself, /statements, /rdf-graphs/service
    "graphdb": Dialect("graphdb", "", "statements", "rdf-graphs/service"),
    # Anything else: the URL is the SPARQL endpoint for both query and update, no GSP.
    "generic": Dialect("generic", "", "", None),
}


@dataclass(frozen=True)
class Endpoint:
    """A resolved server: dialect and the URLs of its services."""

    dialect: Dialect
    base: str
    query_url: str
    update_url: str
    gsp_url: Optional[str]


def _join(base: str, path: str) -> str:
    return f"{base}/{path}" if path else base


def resolve_endpoint(url: str, dialect: str = "auto") -> Endpoint:
    """Work out the server's service URLs from `--endpoint` and `--dialect`.

    `auto` goes by the URL's shape: http://host:7878 -> oxigraph; .../sparql -> virtuoso;
    .../repositories/REPO -> graphdb; .../DATASET/query -> fuseki; anything else -> generic.
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"endpoint {redact(url)!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            "credentials in the endpoint URL are refused (they would show in process lists and shell "
            "history): set KG_SPARQL_USER and KG_SPARQL_PASSWORD, or KG_SPARQL_TOKEN, or use ~/.netrc"
        )
    path = parts.path.rstrip("/")
    root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    segments = [s for s in path.split("/") if s]
    name = dialect.lower()
    if name == "auto":
        if not segments or segments == ["query"] or segments == ["update"] or segments == ["store"]:
            name = "oxigraph"
        elif segments[-1] in ("sparql", "sparql-auth") and len(segments) == 1:
            name = "virtuoso"
        elif "repositories" in segments[:-1]:
            name = "graphdb"
        elif len(segments) == 2 and segments[-1] in ("query", "update", "data"):
            name = "fuseki"  # /DATASET/query; a .../sparql URL stays generic (query and update there)
        else:
            name = "generic"
    if name not in DIALECTS:
        raise ConfigError(f"unknown dialect {dialect!r}; use auto or one of {', '.join(DIALECTS)}")
    d = DIALECTS[name]
    if name == "generic":
        return Endpoint(d, root + path, root + path, root + path, None)
    # strip a trailing service name so that both the base URL and a service URL are accepted
    services = {d.query, d.update, d.gsp or "", "sparql", "query", "update", "store", "data", "sparql-auth"} - {""}
    if name == "graphdb":
        if "repositories" in segments:
            i = segments.index("repositories")
            segments = segments[: i + 2]
    elif segments and segments[-1] in services:
        segments = segments[:-1]
    base = root + "".join(f"/{s}" for s in segments)
    gsp = _join(base, d.gsp) if d.gsp else None
    return Endpoint(d, base, _join(base, d.query), _join(base, d.update), gsp)

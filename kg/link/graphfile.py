"""`kg link FILE -o OUT`: link the entities of a graph that kg built earlier, and write it back.

The graph is read as it is (any format kg writes); its entity nodes become ResolvedEntity items
again (type, label, altLabels, the articles that mention them, the country a place is located in,
the roles a person holds), which go through the same linker as a build. Links already in the
file (owl:sameAs, kg:link and its kg:Link nodes, an old <…graph/wikidata>) are replaced. In quad
formats each link goes into every article graph that mentions the entity.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from pyoxigraph import DefaultGraph, NamedNode, Quad

from kg import config
from kg.errors import ConfigError, InputError
from kg.gazetteer import gazetteer
from kg.link.settings import LinkSettings
from kg.namespaces import DCTERMS, KG, OWL, RDF, RDFS, SKOS
from kg.records import ResolvedEntity

TYPE_PRECEDENCE = ("Country", "Person", "Organization", "Place", "Agreement")
SUFFIX_FORMAT = {suffix: name for name, (_attr, suffix, _q) in config.FORMATS.items()}
SUFFIX_FORMAT.update({".turtle": "turtle", ".ntriples": "nt", ".json": "jsonld"})


@dataclass
class LinkFileReport:
    entities: int = 0
    links: int = 0  # links written (owl:sameAs triples, counting each target once per entity)
    wikidata: int = 0  # entities with a Wikidata link
    output_format: str = ""


def format_of(path: Path, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in config.FORMATS:
            raise ConfigError(f"unknown format {explicit!r}; choose one of: {', '.join(config.FORMATS)}")
        return explicit
    name = SUFFIX_FORMAT.get(Path(path).suffix.lower())
    if name is None:
        raise ConfigError(f"{path}: cannot tell the RDF format from the suffix; pass --format")
    return name


def read_quads(path: Path) -> tuple[list[Quad], str]:
    fmt = format_of(path)
    rdf_format = getattr(pyoxigraph.RdfFormat, config.FORMATS[fmt][0])
    try:
        return list(pyoxigraph.parse(path=str(path), format=rdf_format)), fmt
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot read the graph: {exc}") from None


def graph_to_resolution(quads: list[Quad]):
    """(Resolution, roles by iri, graphs by iri, quads without the old links, sentences by iri)."""
    from kg.resolve import Resolution

    a, label, alt = RDF + "type", RDFS + "label", SKOS + "altLabel"
    same, link_p, mentioned = OWL + "sameAs", KG + "link", KG + "mentionedIn"
    link_nodes = {q.subject for q in quads if q.predicate.value == a and q.object == NamedNode(KG + "Link")}
    types: dict[NamedNode, set[str]] = defaultdict(set)
    for q in quads:
        if q.predicate.value == a and isinstance(q.object, NamedNode) and q.object.value.startswith(KG):
            t = q.object.value[len(KG):]
            if t in TYPE_PRECEDENCE and isinstance(q.subject, NamedNode):
                types[q.subject].add(t)
    kept = []
    for q in quads:
        if q.subject in link_nodes:
            continue
        if q.subject in types and q.predicate.value in (same, link_p):
            continue
        if isinstance(q.graph_name, NamedNode) and q.graph_name.value.endswith("graph/wikidata"):
            continue
        kept.append(q)
    labels: dict[NamedNode, list[str]] = defaultdict(list)
    alts: dict[NamedNode, set[str]] = defaultdict(set)
    articles: dict[NamedNode, list] = defaultdict(list)
    graphs: dict[str, list] = defaultdict(list)
    roles: dict[str, set[str]] = defaultdict(set)
    located: dict[NamedNode, set] = defaultdict(set)
    ident: dict = {}
    for q in kept:
        s, p, o = q.subject, q.predicate.value, q.object
        if p == DCTERMS + "identifier":
            ident[s] = o.value
        if s not in types:
            continue
        if p == label:
            labels[s].append(o.value)
        elif p == alt:
            alts[s].add(o.value)
        elif p == mentioned:
            if o not in articles[s]:
                articles[s].append(o)
            if q.graph_name not in graphs[s.value]:
                graphs[s.value].append(q.graph_name)
        elif p == KG + "holdsRole":
            roles[s.value].add(o.value)
        elif p == KG + "locatedIn":
            located[s].add(o)
    # sentences (kg:evidence, kg:text) by graph: the text around the entities of that graph
    sentences: dict = defaultdict(list)
    for q in kept:
        if q.predicate.value in (KG + "evidence", KG + "text"):
            sentences[q.graph_name].append(q.object.value)
    texts: dict[str, list[str]] = {}
    for n in types:
        gs = graphs.get(n.value) or [DefaultGraph()]
        texts[n.value] = sorted({t for g in gs for t in sentences.get(g, [])})
    gaz = gazetteer()
    codes: dict[NamedNode, str] = {}
    for n, ts in types.items():
        if "Country" in ts and labels.get(n):
            c = gaz.country(sorted(labels[n])[0])
            if c:
                codes[n] = c.code
    res = Resolution()
    for n in sorted(types, key=lambda x: x.value):
        t = next(x for x in TYPE_PRECEDENCE if x in types[n])
        names = sorted(labels.get(n, []))
        if not names:
            continue  # an entity without a label cannot be looked up
        code = codes.get(n)
        if t == "Place":
            code = next((codes[o] for o in sorted(located.get(n, ()), key=lambda x: x.value) if o in codes), None)
        res.entities[n.value] = ResolvedEntity(
            iri=n.value, type=t, label=names[0],
            alt_labels=sorted((alts.get(n, set()) | set(names[1:])) - {names[0]}),
            articles=[ident.get(art, art.value) for art in articles.get(n, [])],
            code=code,
        )
        if not graphs.get(n.value):
            graphs[n.value] = [DefaultGraph()]
    return res, dict(roles), dict(graphs), kept, texts


def link_file(path: Path, output: Path | None, mode: str = "offline", settings: LinkSettings | None = None,
              fmt: str | None = None, enrich: bool = False, base: str = config.DEFAULT_BASE) -> LinkFileReport:
    """Read `path`, link its entities, write graph + links to `output` (stdout when None)."""
    from kg.link import check_mode, enrich_quads, link_resolution
    from kg.rdf import link_quads
    from kg.serialize import serialize, write_atomic

    check_mode(mode)
    if enrich and mode != "wikidata":
        raise ConfigError("--enrich needs --link wikidata (the facts come from Wikidata or a mirror)")
    quads, in_fmt = read_quads(Path(path))
    if fmt:
        out_fmt = format_of(Path(output or "-"), fmt)
    elif output is not None and Path(output).suffix.lower() in SUFFIX_FORMAT:
        out_fmt = SUFFIX_FORMAT[Path(output).suffix.lower()]
    else:
        out_fmt = in_fmt
    res, roles, graphs, kept, texts = graph_to_resolution(quads)
    link_resolution(res, mode=mode, settings=settings, roles=roles, texts=texts)
    report = LinkFileReport(entities=len(res.entities), output_format=out_fmt)
    new: list[Quad] = list(kept)
    for iri, ent in res.entities.items():
        report.links += len(ent.links)
        report.wikidata += any("wikidata.org" in t for t, _c, _m in ent.links)
        for g in graphs.get(iri, [DefaultGraph()]):
            new.extend(link_quads(NamedNode(iri), ent, g))
    if enrich:
        new.extend(enrich_quads(res, base, settings))
    write_atomic(serialize(new, out_fmt), output)
    return report

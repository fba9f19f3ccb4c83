"""Wikidata (or a mirror) as a source of candidates and candidate facts.

Two interchangeable services, each behind the answer cache:
- the MediaWiki API (`wbsearchentities` for candidates by name, `wbgetentities` for facts), and
- a SPARQL endpoint (exact label/alias lookup for candidates; facts for all candidates at once
  with `VALUES`, including type compatibility through `wdt:P31/wdt:P279*`).
Facts are cached per item, so a later run asks only about items it has not seen.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from kg.errors import LinkError
from kg.link.cache import AnswerCache
from kg.link.http import HINT, Polite, ServerError, get_json
from kg.link.settings import LinkSettings
from kg.namespaces import WD

QID = re.compile(r"^Q[1-9][0-9]*$")

#: Classes whose instances (directly or through subclass-of) fit each kg type. The narrower
#: classes are listed too because a mirror may hold no P279 chain (the test fixture holds none).
KIND_ROOTS: dict[str, tuple[str, ...]] = {
    "Person": ("Q5",),
    "Country": ("Q6256", "Q3624078", "Q15634554"),
    "Place": (
        "Q2221906", "Q17334923", "Q486972", "Q56061", "Q82794", "Q618123", "Q515", "Q5119",
        "Q1549591", "Q1637706", "Q35657", "Q835714", "Q475050", "Q183342", "Q1093829", "Q3957",
        "Q532", "Q10864048", "Q499073", "Q3301053", "Q1008803", "Q7930989", "Q107390",
    ),
    "Organization": (
        "Q43229", "Q4830453", "Q327333", "Q484652", "Q245065", "Q7278", "Q192283", "Q2659904",
        "Q163740", "Q1127126", "Q1335818", "Q4120211", "Q783794", "Q891723",
    ),
    "Agreement": ("Q321839", "Q131569"),
}
DIRECT_KIND = {q: kind for kind, roots in KIND_ROOTS.items() for q in roots}


@dataclass
class Candidate:
    """What the linker needs to know about one Wikidata item."""

    qid: str
    label: str | None = None
    aliases: list[str] = field(default_factory=list)
    description: str | None = None
    kinds: list[str] = field(default_factory=list)  # kg types the item's classes fit
    typed: bool = False  # has any P31 at all (an untyped item is "unknown", not "wrong")
    p17: list[str] = field(default_factory=list)  # country
    p27: list[str] = field(default_factory=list)  # country of citizenship
    p131: list[str] = field(default_factory=list)  # located in
    p131_labels: list[str] = field(default_factory=list)
    p39: list[str] = field(default_factory=list)  # position held
    p39_labels: list[str] = field(default_factory=list)
    geonames: list[str] = field(default_factory=list)  # P1566
    coords: list[str] = field(default_factory=list)  # P625 as WKT "Point(lon lat)"
    sitelinks: int | None = None

    @property
    def iri(self) -> str:
        return WD + self.qid

    def names(self) -> list[str]:
        return ([self.label] if self.label else []) + list(self.aliases)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Candidate:
        return cls(**d)


def qid_of(iri: str) -> str | None:
    if iri.startswith(WD):
        tail = iri[len(WD):]
        return tail if QID.match(tail) else None
    return None


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- the MediaWiki API ------------------------------------------------------------------------
class ApiSource:
    """wbsearchentities + wbgetentities, cached."""

    def __init__(self, settings: LinkSettings, polite: Polite, cache: AnswerCache) -> None:
        assert settings.api
        self.url = settings.api
        self.settings = settings
        self.polite = polite
        self.cache = cache

    def _get(self, params: dict[str, str]) -> dict[str, Any]:
        data = get_json(self.polite, self.url, {**params, "format": "json"})
        if not isinstance(data, dict):
            raise LinkError(f"{self.url}: unexpected answer {str(data)[:80]!r}; {HINT}")
        if "error" in data:
            err = data["error"] if isinstance(data["error"], dict) else {"info": data["error"]}
            raise LinkError(f"{self.url}: API error {err.get('code', '')}: {err.get('info', '')}")
        return data

    def search(self, name: str) -> list[dict[str, Any]]:
        """Items whose label or alias starts with `name` (wbsearchentities), best first."""
        s = self.settings
        key = f"search|{self.url}|{s.language}|{s.search_limit}|{name}"
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        data = self._get({"action": "wbsearchentities", "search": name, "language": s.language,
                          "uselang": s.language, "type": "item", "limit": str(s.search_limit)})
        hits = [
            {"id": h["id"], "label": h.get("label"), "aliases": list(h.get("aliases") or []),
             "match": (h.get("match") or {}).get("text"), "description": h.get("description")}
            for h in data.get("search", []) if isinstance(h, dict) and QID.match(str(h.get("id", "")))
        ]
        self.cache.put(key, hits)
        return hits

    def entities(self, qids: list[str]) -> dict[str, Candidate]:
        """Facts about items, at most 50 ids per wbgetentities call; cached per item."""
        out: dict[str, Candidate] = {}
        todo = []
        for q in sorted(set(qids)):
            hit = self.cache.get(f"entity|{self.url}|{self.settings.language}|{q}")
            if hit is not None:
                out[q] = Candidate.from_dict(hit)
            else:
                todo.append(q)
        fresh: dict[str, Candidate] = {}
        raw: dict[str, dict] = {}
        for batch in _batches(todo, self.settings.batch_size):
            data = self._get({"action": "wbgetentities", "ids": "|".join(batch),
                              "props": "labels|aliases|descriptions|claims|sitelinks",
                              "languages": self.settings.language})
            for q, ent in (data.get("entities") or {}).items():
                if isinstance(ent, dict) and "missing" not in ent:
                    raw[q] = ent
        # position labels (P39) need one more call for the positions themselves
        positions = sorted({p for ent in raw.values() for p in _claim_ids(ent, "P39")} - set(raw))
        pos_labels: dict[str, str] = {}
        for batch in _batches(positions, self.settings.batch_size):
            data = self._get({"action": "wbgetentities", "ids": "|".join(batch), "props": "labels",
                              "languages": self.settings.language})
            for q, ent in (data.get("entities") or {}).items():
                label = _lang_value(ent.get("labels"), self.settings.language) if isinstance(ent, dict) else None
                if label:
                    pos_labels[q] = label
        for q, ent in raw.items():
            fresh[q] = _candidate_from_entity(q, ent, self.settings.language, pos_labels)
        for q in todo:  # unknown ids are cached as bare candidates, so they are not asked again
            fresh.setdefault(q, Candidate(q))
        self.cache.put_many({f"entity|{self.url}|{self.settings.language}|{q}": asdict(c) for q, c in fresh.items()})
        out.update(fresh)
        return out


def _lang_value(block: Any, lang: str) -> str | None:
    if isinstance(block, dict) and isinstance(block.get(lang), dict):
        return block[lang].get("value")
    return None


def _claim_values(ent: dict, prop: str) -> list[Any]:
    out = []
    for claim in (ent.get("claims") or {}).get(prop, []):
        if claim.get("rank") == "deprecated":
            continue
        value = ((claim.get("mainsnak") or {}).get("datavalue") or {}).get("value")
        if value is not None:
            out.append(value)
    return out


def _claim_ids(ent: dict, prop: str) -> list[str]:
    return [v["id"] for v in _claim_values(ent, prop) if isinstance(v, dict) and QID.match(str(v.get("id", "")))]


def _candidate_from_entity(q: str, ent: dict, lang: str, pos_labels: dict[str, str]) -> Candidate:
    p31 = _claim_ids(ent, "P31")
    coords = []
    for v in _claim_values(ent, "P625"):
        if isinstance(v, dict) and "latitude" in v and "longitude" in v:
            coords.append(f"Point({v['longitude']} {v['latitude']})")
    p39 = _claim_ids(ent, "P39")
    aliases = ent.get("aliases", {}).get(lang, []) if isinstance(ent.get("aliases"), dict) else []
    return Candidate(
        qid=q,
        label=_lang_value(ent.get("labels"), lang),
        aliases=sorted({a.get("value") for a in aliases if isinstance(a, dict) and a.get("value")}),
        description=_lang_value(ent.get("descriptions"), lang),
        kinds=sorted({DIRECT_KIND[c] for c in p31 if c in DIRECT_KIND}),
        typed=bool(p31),
        p17=sorted(set(_claim_ids(ent, "P17"))),
        p27=sorted(set(_claim_ids(ent, "P27"))),
        p131=sorted(set(_claim_ids(ent, "P131"))),
        p39=sorted(set(p39)),
        p39_labels=sorted({pos_labels[p] for p in p39 if p in pos_labels}),
        geonames=sorted({str(v) for v in _claim_values(ent, "P1566") if isinstance(v, str)}),
        coords=sorted(set(coords)),
        sitelinks=len(ent["sitelinks"]) if isinstance(ent.get("sitelinks"), dict) else None,
    )


# -- SPARQL -----------------------------------------------------------------------------------
PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX sdo: <https://schema.org/>
PREFIX wikibase: <http://wikiba.se/ontology#>
"""


def details_query(qids: list[str], lang: str) -> str:
    """One query for the facts of many items, in long form (?item ?p ?v ?vl)."""
    values = " ".join(f"wd:{q}" for q in qids)
    roots = " ".join(f'(wd:{q} "{kind}")' for kind, qs in KIND_ROOTS.items() for q in qs)
    lf = f'FILTER(LANG(?v) = "{lang}")'
    lfl = f'FILTER(LANG(?vl) = "{lang}")'
    return PREFIXES + f"""SELECT ?item ?p ?v ?vl WHERE {{
  VALUES ?item {{ {values} }}
  {{ ?item rdfs:label ?v {lf} BIND("label" AS ?p) }}
  UNION {{ ?item skos:altLabel ?v {lf} BIND("alias" AS ?p) }}
  UNION {{ ?item schema:description ?v {lf} BIND("description" AS ?p) }}
  UNION {{ ?item sdo:description ?v {lf} BIND("description" AS ?p) }}
  UNION {{ ?item wdt:P31 ?v BIND("P31" AS ?p) }}
  UNION {{ ?item wdt:P17 ?v BIND("P17" AS ?p) }}
  UNION {{ ?item wdt:P27 ?v BIND("P27" AS ?p) }}
  UNION {{ ?item wdt:P131 ?v BIND("P131" AS ?p) OPTIONAL {{ ?v rdfs:label ?vl {lfl} }} }}
  UNION {{ ?item wdt:P39 ?v BIND("P39" AS ?p) OPTIONAL {{ ?v rdfs:label ?vl {lfl} }} }}
  UNION {{ ?item wdt:P1566 ?v BIND("P1566" AS ?p) }}
  UNION {{ ?item wdt:P625 ?v BIND("P625" AS ?p) }}
  UNION {{ ?item wikibase:sitelinks ?v BIND("sitelinks" AS ?p) }}
  UNION {{ VALUES (?root ?kind) {{ {roots} }} ?item wdt:P31/wdt:P279* ?root BIND(?kind AS ?v) BIND("kind" AS ?p) }}
}}"""


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a valid SPARQL string literal (escapes quotes)


def label_query(names: list[str], lang: str) -> str:
    values = " ".join(f"{_literal(n)}@{lang}" for n in names)
    return PREFIXES + f"""SELECT DISTINCT ?name ?item WHERE {{
  VALUES ?name {{ {values} }}
  {{ ?item rdfs:label ?name }} UNION {{ ?item skos:altLabel ?name }}
}}"""


class SparqlSource:
    """A SPARQL endpoint speaking Wikidata's vocabulary (WDQS, QLever, a local Oxigraph), cached."""

    def __init__(self, settings: LinkSettings, polite: Polite, cache: AnswerCache) -> None:
        assert settings.endpoint
        self.url = settings.endpoint
        self.settings = settings
        self.polite = polite
        self.cache = cache

    def select(self, query: str) -> list[dict[str, dict[str, str]]]:
        """Bindings of a SELECT query; a reply that is not SPARQL JSON results is an error."""
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import (
            EndPointInternalError, EndPointNotFound, QueryBadFormed, SPARQLWrapperException,
        )

        def once() -> tuple[bytes, str]:
            w = SPARQLWrapper(self.url, agent=self.settings.user_agent)
            w.setMethod(POST)
            w.setReturnFormat(JSON)
            w.setTimeout(int(self.settings.timeout))
            w.setQuery(query)
            try:
                res = w.query()
            except EndPointInternalError as exc:
                raise ServerError(str(exc)[:200]) from None
            except EndPointNotFound:
                raise LinkError(f"{self.url}: not found (404); is this a SPARQL endpoint? {HINT}") from None
            except QueryBadFormed as exc:
                raise LinkError(f"{self.url}: the server rejected kg's query (400): {str(exc)[:200]}") from None
            except SPARQLWrapperException as exc:
                raise LinkError(f"{self.url}: {str(exc)[:200]}; {HINT}") from None
            return res.response.read(), res.response.headers.get("Content-Type", "")

        body, ctype = self.polite.call(once, self.url)
        try:
            data = json.loads(body.decode("utf-8"))
            bindings = data["results"]["bindings"]
            if not isinstance(bindings, list):
                raise TypeError
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
            snippet = body[:80].decode("utf-8", "replace").replace("\n", " ")
            raise LinkError(f"{self.url}: answered but not with SPARQL JSON results (Content-Type "
                            f"{ctype or 'none'}: {snippet!r}); WDQS does this when the User-Agent is "
                            f"missing or refused; check --wikidata-endpoint and KG_USER_AGENT") from None
        return bindings

    def lookup(self, names: list[str]) -> dict[str, list[str]]:
        """name -> QIDs of items with exactly that label or alias."""
        lang = self.settings.language
        out: dict[str, list[str]] = {}
        todo = []
        for n in sorted(set(names)):
            hit = self.cache.get(f"lookup|{self.url}|{lang}|{n}")
            if hit is not None:
                out[n] = hit
            else:
                todo.append(n)
        for batch in _batches(todo, self.settings.batch_size):
            found: dict[str, set[str]] = {n: set() for n in batch}
            for b in self.select(label_query(batch, lang)):
                q = qid_of(b.get("item", {}).get("value", ""))
                name = b.get("name", {}).get("value")
                if q and name in found:
                    found[name].add(q)
            answer = {n: sorted(qs, key=_qnum)[:20] for n, qs in found.items()}
            self.cache.put_many({f"lookup|{self.url}|{lang}|{n}": v for n, v in answer.items()})
            out.update(answer)
        return out

    def details(self, qids: list[str]) -> dict[str, Candidate]:
        lang = self.settings.language
        out: dict[str, Candidate] = {}
        todo = []
        for q in sorted(set(qids), key=_qnum):
            hit = self.cache.get(f"item|{self.url}|{lang}|{q}")
            if hit is not None:
                out[q] = Candidate.from_dict(hit)
            else:
                todo.append(q)
        for batch in _batches(todo, self.settings.batch_size):
            rows: dict[str, dict[str, set]] = {q: {} for q in batch}
            for b in self.select(details_query(batch, lang)):
                q = qid_of(b.get("item", {}).get("value", ""))
                p = b.get("p", {}).get("value")
                v = b.get("v", {}).get("value")
                if q not in rows or p is None or v is None:
                    continue
                rows[q].setdefault(p, set()).add(v)
                if "vl" in b:
                    rows[q].setdefault(p + "_label", set()).add(b["vl"]["value"])
            fresh = {q: _candidate_from_rows(q, r) for q, r in rows.items()}
            self.cache.put_many({f"item|{self.url}|{lang}|{q}": asdict(c) for q, c in fresh.items()})
            out.update(fresh)
        return out


def _qnum(q: str) -> int:
    return int(q[1:]) if QID.match(q) else 0


def _ids(values: set[str] | None) -> list[str]:
    return sorted({q for q in (qid_of(v) for v in values or ()) if q}, key=_qnum)


def _candidate_from_rows(q: str, r: dict[str, set[str]]) -> Candidate:
    labels = sorted(r.get("label", ()))
    sitelinks = None
    for v in r.get("sitelinks", ()):
        try:
            sitelinks = max(sitelinks or 0, int(float(v)))
        except ValueError:
            pass
    return Candidate(
        qid=q,
        label=labels[0] if labels else None,
        aliases=sorted(set(r.get("alias", ())) | set(labels[1:])),
        description=min(r.get("description", ()), default=None),
        kinds=sorted(r.get("kind", ())),
        typed=bool(r.get("P31")),
        p17=_ids(r.get("P17")),
        p27=_ids(r.get("P27")),
        p131=_ids(r.get("P131")),
        p131_labels=sorted(r.get("P131_label", ())),
        p39=_ids(r.get("P39")),
        p39_labels=sorted(r.get("P39_label", ())),
        geonames=sorted(r.get("P1566", ())),
        coords=sorted(r.get("P625", ())),
        sitelinks=sitelinks,
    )

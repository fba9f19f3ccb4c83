"""Online linking: candidates by name, facts for all candidates at once, then a cautious choice.

Countries keep the QID of the country table (exact, offline). Places, people, organisations and
named agreements are looked up: places first, so that the places a person's article mentions can
count as context for the person.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kg.link.cache import AnswerCache
from kg.link.context import ADMIN_HEADS, EntityContext
from kg.link.disambiguate import choose, rank, search_names
from kg.link.http import Polite
from kg.link.offline import add_link, country_qid
from kg.link.settings import LinkSettings
from kg.link.wikidata import ApiSource, Candidate, SparqlSource, qid_of
from kg.namespaces import WD
from kg.records import ResolvedEntity
from kg.resolve import is_named_agreement

METHOD = "wikidata"
ORDER = {"Place": 0, "Country": 0, "Organization": 1, "Agreement": 1, "Person": 2}


@dataclass
class LinkReport:
    linked: int = 0  # entities given a Wikidata link by this run
    unlinked: list[str] = field(default_factory=list)  # labels looked up but left unlinked
    requests: int = 0  # HTTP requests sent (0 on a warm cache)
    cache_hits: int = 0


REGION_WORDS = ("Oblast", "Region", "Province", "Krai", "Governorate", "Prefecture")


def _with_region_forms(names: list[str]) -> list[str]:
    """For an exact-label lookup: "Moscow region" is also looked up as "Moscow Oblast" etc."""
    out = list(names)
    for n in names:
        toks = n.split()
        if len(toks) >= 2 and toks[-1].lower() in ADMIN_HEADS:
            base = " ".join(toks[:-1])
            out += [f"{base} {w}" for w in REGION_WORDS if f"{base} {w}" not in out]
    return out


class WikidataLinker:
    """Holds the services and the cache for one linking run."""

    def __init__(self, settings: LinkSettings) -> None:
        self.settings = settings
        self.cache = AnswerCache(settings.cache_dir)
        self.polite = Polite(settings)
        self.api = ApiSource(settings, self.polite, self.cache) if settings.api else None
        self.sparql = SparqlSource(settings, self.polite, self.cache) if settings.endpoint else None
        self.hit_names: dict[str, set[str]] = {}  # names the search API matched, per QID
        if self.api is None and self.sparql is None:
            from kg.errors import ConfigError

            raise ConfigError("--link wikidata needs --wikidata-endpoint or --wikidata-api (both are 'none')")

    def close(self) -> None:
        self.cache.close()

    # -- candidates and facts ----------------------------------------------------------------
    def candidates(self, names_of: dict[str, list[str]]) -> dict[str, list[str]]:
        """iri -> candidate QIDs, from wbsearchentities or (without an API) exact SPARQL labels."""
        out: dict[str, list[str]] = {}
        if self.api is not None:
            for iri, names in names_of.items():
                qids: list[str] = []
                for name in names:
                    for hit in self.api.search(name):
                        seen = self.hit_names.setdefault(hit["id"], set())
                        seen.update(x for x in (hit.get("label"), hit.get("match"), *hit.get("aliases", [])) if x)
                        if hit["id"] not in qids:
                            qids.append(hit["id"])
                out[iri] = qids
            return out
        assert self.sparql is not None
        names_of = {iri: _with_region_forms(names) for iri, names in names_of.items()}
        all_names = sorted({n for names in names_of.values() for n in names})
        found = self.sparql.lookup(all_names)
        for iri, names in names_of.items():
            qids = []
            for name in names:
                for q in found.get(name, []):
                    if q not in qids:
                        qids.append(q)
            out[iri] = qids
        return out

    def facts(self, qids: list[str]) -> dict[str, Candidate]:
        if not qids:
            return {}
        if self.sparql is not None:
            found = self.sparql.details(qids)
        else:
            assert self.api is not None
            found = self.api.entities(qids)
        for q, cand in found.items():  # a mirror may lack names the search service knows
            extra = sorted(self.hit_names.get(q, set()) - set(cand.names()))
            if extra:
                if cand.label is None:
                    cand.label, extra = extra[0], extra[1:]
                cand.aliases = sorted(set(cand.aliases) | set(extra))
        return found

    # -- the run -----------------------------------------------------------------------------
    def link(self, resolution, contexts: dict[str, EntityContext]) -> LinkReport:
        report = LinkReport()
        todo: list[ResolvedEntity] = []
        for iri in sorted(resolution.entities):
            ent = resolution.entities[iri]
            if ent.type == "Country" and country_qid(ent):
                add_link(ent, WD + country_qid(ent), 1.0, "country-table")
                continue
            if ent.type == "Agreement" and not is_named_agreement(ent.label):
                continue
            if ent.type in ORDER:
                todo.append(ent)
        names_of = {e.iri: search_names(e, contexts.get(e.iri), self.settings.names_per_entity) for e in todo}
        cand_ids = self.candidates(names_of)
        facts = self.facts(sorted({q for qs in cand_ids.values() for q in qs}))
        for ent in sorted(todo, key=lambda e: (ORDER[e.type], e.iri)):
            ctx = contexts.setdefault(ent.iri, EntityContext())
            cands = [facts[q] for q in cand_ids.get(ent.iri, []) if q in facts]
            best = choose(rank(ent, ctx, cands), self.settings.threshold, self.settings.margin)
            if best is None:
                report.unlinked.append(ent.label)
                continue
            add_link(ent, best.cand.iri, min(best.score, 0.99), METHOD)
            report.linked += 1
            if ent.type in ("Place", "Country"):  # context for the entities around it
                for other in resolution.entities.values():
                    if other.iri != ent.iri and set(other.articles) & set(ent.articles):
                        contexts.setdefault(other.iri, EntityContext()).place_qids.add(best.cand.qid)
        report.requests = self.polite.requests
        report.cache_hits = self.cache.hits
        return report

    def linked_facts(self, resolution) -> dict[str, Candidate]:
        """Facts about every Wikidata item the entities are linked to (for --enrich)."""
        qids = sorted({q for e in resolution.entities.values() for t, _c, _m in e.links
                       if (q := qid_of(t))})
        return self.facts(qids)

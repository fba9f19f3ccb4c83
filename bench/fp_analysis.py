"""Which person/geo nodes an entity-linking benchmark counts as false positives, and why.

    python bench/fp_analysis.py GRAPH.ttl ../shared/eval/benchmarks/reuters-128.benchmark.jsonl

The benchmark (ELEVANT format) counts as person/geo only mentions linked to such a Wikidata
item; a real entity it marks NIL/OTHER still counts against precision when kg extracts it. This
splits the false positives into "annotated, but NIL/OTHER or another type" and "not annotated".
Needs ../shared/eval (score.py, score_corpus.py) beside the repository.
"""
from __future__ import annotations

import sys
from pathlib import Path

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
sys.path.insert(0, str(EVAL))

from rdflib.namespace import DCTERMS, RDF  # noqa: E402
from score import KG, Scorer, load, norm  # noqa: E402
from score_corpus import GROUP_OF_CLASS, gold_entities, read  # noqa: E402


def main(graph: str, bench: str) -> None:
    g = load(graph)
    helper = Scorer(g, {})
    articles = {str(o): a for a, o in g.subject_objects(DCTERMS.identifier)}
    total, annotated, unannotated = 0, 0, []
    for doc in read(bench):
        gold = [ge for ge in gold_entities(doc) if ge["groups"] & {"person", "geo"}]
        spans = {norm(doc["text"][lab["span"][0]:lab["span"][1]]) for lab in doc["labels"]}
        art = articles.get(str(doc["id"]))
        for node in g.subjects(KG.mentionedIn, art) if art is not None else []:
            groups = {GROUP_OF_CLASS[t] for t in GROUP_OF_CLASS if (node, RDF.type, KG[t]) in g}
            labels = helper.labels(node)
            if not groups & {"person", "geo"} or any(labels & ge["names"] for ge in gold):
                continue
            total += 1
            if labels & spans:
                annotated += 1
            else:
                unannotated.append(sorted(labels)[0])
    print(f"person/geo false positives: {total}")
    print(f"  annotated by the benchmark, but as NIL/OTHER or another type: {annotated}")
    print(f"  not annotated at all: {len(unannotated)}: {', '.join(sorted(unannotated))}")


if __name__ == "__main__":
    main(*sys.argv[1:3])

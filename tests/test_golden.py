"""Golden test: the seed article's graph, compared as RDF (isomorphism), and scored by the referee.

Regenerate after an intended change with `KG_UPDATE_GOLDEN=1 pytest tests/test_golden.py` and
review the diff of tests/golden/seed.ttl like code.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.build import BuildOptions, build_graph

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "seed.ttl"
SHARED_EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="module")
def seed_ttl(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "seed.ttl"
    report = build_graph(BuildOptions(paths=[ROOT / "seeds"], output=out, link="offline"))
    assert report.errors == [] and report.articles == 1
    if os.environ.get("KG_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(out.read_bytes())
    return out


def test_seed_graph_matches_golden(seed_ttl: Path) -> None:
    got, want = Graph().parse(seed_ttl), Graph().parse(GOLDEN)
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        lines = [f"+ {t}" for t in sorted(only_got)][:20] + [f"- {t}" for t in sorted(only_want)][:20]
        pytest.fail("seed graph differs from tests/golden/seed.ttl:\n" + "\n".join(lines))


def test_golden_is_byte_identical_to_a_fresh_build(seed_ttl: Path) -> None:
    assert seed_ttl.read_bytes() == GOLDEN.read_bytes()


@pytest.mark.skipif(not (SHARED_EVAL / "score.py").is_file(), reason="../shared/eval is not beside the repository")
def test_referee_scores_on_the_seed(seed_ttl: Path) -> None:
    gold = SHARED_EVAL / "gold" / "000_bf959745413853f3.json"
    out = subprocess.run([sys.executable, str(SHARED_EVAL / "score.py"), str(seed_ttl), str(gold), "--json"],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["entities"]["f1"] >= 0.9 and result["entities"]["duplicates"] == []
    assert result["relations"]["f1"] >= 0.8
    assert result["roles"]["recall"] == 1.0
    assert result["claims"]["f1"] >= 0.75
    assert result["links"]["wrong"] == []

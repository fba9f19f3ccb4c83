"""Shared pytest fixtures: the seed graph, a hand-made mini graph, and real SPARQL servers.

Servers start once per session (Virtuoso takes a few seconds) on 127.0.0.1 with free ports and
temporary databases; see tests/servers.py. Add other shared fixtures below.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from servers import Server, grant_sparql_update, oxigraph_server, virtuoso_server

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
#: the project's shared folder (the referee, dev articles, Wikidata facts), beside the repository
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip that says what is missing and where it was looked for.

    Call it inside a test or fixture (not at import time), so that a checkout without ../shared
    skips those tests loudly instead of reading an empty folder.
    """
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is missing: this test needs the project's shared folder beside the repository")
    return path


@pytest.fixture(scope="session")
def seed_trig(tmp_path_factory) -> Path:
    """The real seed graph (`kg build seeds/ -f trig`, offline linking), built once per session."""
    from kg.build import BuildOptions, build_graph

    out = tmp_path_factory.mktemp("seed") / "seed.trig"
    report = build_graph(BuildOptions(paths=[ROOT / "seeds"], output=out, format="trig", link="offline"))
    assert out.is_file() and not report.errors, report.errors
    return out


SCORER = ROOT.parent / "shared" / "eval" / "score.py"
SEED_GOLD = SCORER.parent / "gold" / "000_bf959745413853f3.json"


@pytest.fixture(scope="session")
def seed_referee(seed_trig) -> dict:
    """The referee's result (../shared/eval/score.py) on the seed graph; skips when it is absent."""
    import importlib.util
    import json

    if not SCORER.is_file():
        pytest.skip(f"the referee is not at {SCORER}")
    spec = importlib.util.spec_from_file_location("kg_referee", SCORER)
    referee = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(referee)
    return referee.Scorer(referee.load(str(seed_trig)), json.loads(SEED_GOLD.read_text())).score()


@pytest.fixture(scope="session")
def mini_trig() -> Path:
    """A small hand-made graph in the contract's shape, with claims and an agreement (tests/data/mini.trig)."""
    return DATA / "mini.trig"


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory) -> Iterator[Server]:
    """`oxigraph serve` on a free port with a temporary database, for the whole session."""
    server = oxigraph_server(tmp_path_factory.mktemp("oxigraph")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory) -> Iterator[Server]:
    """Virtuoso 7 on free ports with a temporary database; the SPARQL user may update."""
    server = virtuoso_server(tmp_path_factory.mktemp("virtuoso")).start()
    try:
        grant_sparql_update(server)
        yield server
    finally:
        server.stop()


"""`kg build --engine ray`: extraction on a (local, 2-CPU) Ray cluster gives the local build's bytes.

Needs the `ray` extra (pip install '.[ray]'). Skipped without it, except in CI (CI=true), where a
missing Ray is a failure: the distributed path must be tested somewhere.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.build import BuildOptions, build_graph

pytestmark = pytest.mark.ray

try:
    import ray
except ImportError:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI: Ray is not installed; install the extra: pip install -e '.[test,ray]'", pytrace=False)
    pytest.skip("Ray is not installed (pip install -e '.[ray]'); skipping the Ray engine test", allow_module_level=True)

ROOT = Path(__file__).resolve().parent.parent

ARTICLES = {
    "geneva-talks.txt": (
        "Lavrov and Blinken meet in Geneva\n\n"
        "GENEVA - Russian Foreign Minister Sergei Lavrov met U.S. Secretary of State Antony Blinken "
        "in Geneva on Friday. Lavrov said the talks were useful.\n"
    ),
    "tokyo-visit.txt": (
        "Modi visits Tokyo\n\n"
        "Indian Prime Minister Narendra Modi visited Tokyo on Monday and met Japanese Prime Minister "
        "Fumio Kishida. The two leaders signed an agreement on high-speed rail, officials said.\n"
    ),
}


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray cluster with 2 CPUs, for this module."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


def test_ray_engine_writes_the_same_bytes_as_a_local_build(local_ray, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, corpus / seed.name)
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")

    local = build_graph(BuildOptions(paths=[corpus], output=tmp_path / "local.trig", format="trig"))
    on_ray = build_graph(BuildOptions(paths=[corpus], output=tmp_path / "ray.trig", format="trig",
                                      engine="ray", workers=2))
    assert not local.errors and not on_ray.errors
    assert on_ray.articles == local.articles == 3 and on_ray.extracted == 3
    assert (tmp_path / "ray.trig").read_bytes() == (tmp_path / "local.trig").read_bytes()

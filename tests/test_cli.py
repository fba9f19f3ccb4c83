"""The command line: every command documented, clear errors, exit codes, outputs that parse."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
import typer.main
from typer.testing import CliRunner

from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds"
runner = CliRunner()


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_core_commands_exist() -> None:
    assert {"build", "validate"} <= set(command_names())


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and len(result.output.splitlines()) > 3


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in command_names() if f"kg {name}" not in readme]
    assert missing == [], f"commands not documented in README.md: {missing}"


def test_python_dash_m_kg_works() -> None:
    out = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "build" in out.stdout


@pytest.fixture(scope="module")
def seed_outputs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("cli")
    files = {}
    for fmt, suffix in (("turtle", "ttl"), ("nt", "nt"), ("trig", "trig"), ("nquads", "nq"), ("jsonld", "jsonld")):
        path = out / f"seed.{suffix}"
        result = runner.invoke(app, ["build", str(SEED), "-o", str(path), "--format", fmt, "--link", "offline"])
        assert result.exit_code == 0, result.output
        files[fmt] = path
    return files


RDFLIB = {"turtle": "turtle", "nt": "nt", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}
OXI = {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES, "trig": pyoxigraph.RdfFormat.TRIG,
       "nquads": pyoxigraph.RdfFormat.N_QUADS, "jsonld": pyoxigraph.RdfFormat.JSON_LD}


@pytest.mark.parametrize("fmt", list(RDFLIB))
def test_outputs_parse_with_rdflib_and_pyoxigraph(seed_outputs, fmt: str) -> None:
    path = seed_outputs[fmt]
    ds = rdflib.Dataset()
    ds.parse(path, format=RDFLIB[fmt])
    n_rdflib = len({(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))})
    n_oxi = len({(q.subject, q.predicate, q.object) for q in pyoxigraph.parse(path=str(path), format=OXI[fmt])})
    assert n_rdflib == n_oxi > 50


def test_union_of_quad_formats_equals_turtle(seed_outputs) -> None:
    ttl = {(t.subject, t.predicate, t.object) for t in pyoxigraph.parse(path=str(seed_outputs["turtle"]), format=OXI["turtle"])}
    quads = list(pyoxigraph.parse(path=str(seed_outputs["trig"]), format=OXI["trig"]))
    assert {(q.subject, q.predicate, q.object) for q in quads} == ttl
    graphs = {q.graph_name for q in quads}
    assert len(graphs) == 1 and str(next(iter(graphs))).endswith("/article/000_bf959745413853f3>")


@pytest.mark.parametrize("fmt,flag", [("turtle", "turtle"), ("nt", "ntriples"), ("trig", "trig"), ("nquads", "nquads")])
def test_outputs_pass_rapper(seed_outputs, fmt: str, flag: str) -> None:
    import os

    if shutil.which("rapper") is None:
        if os.environ.get("CI"):
            pytest.fail("rapper (Debian raptor2-utils) is required in CI")
        pytest.skip("rapper not installed (apt-get install raptor2-utils)")
    out = subprocess.run(["rapper", "-c", "-i", flag, str(seed_outputs[fmt])], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "returned" in out.stderr and "triples" in out.stderr


def test_build_output_validates(seed_outputs) -> None:
    result = runner.invoke(app, ["validate", str(seed_outputs["turtle"])])
    assert result.exit_code == 0, result.output


def test_build_is_deterministic(seed_outputs, tmp_path: Path) -> None:
    again = tmp_path / "again.ttl"
    assert runner.invoke(app, ["build", str(SEED), "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == seed_outputs["turtle"].read_bytes()


def test_bad_inputs_report_each_and_keep_the_rest(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Sergei Lavrov visited Pyongyang on Friday.")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bad.jsonl").write_text('{"id": "j1", "text": "Kim Jong Un met Vladimir Putin."}\n{oops\n')
    out = tmp_path / "g.ttl"
    result = runner.invoke(app, ["build", str(tmp_path), "-o", str(out)])
    assert result.exit_code != 0
    assert "empty.txt" in result.output and "bad.jsonl:2" in result.output
    assert "Traceback" not in result.output
    text = out.read_text()
    assert "Sergei Lavrov" in text and "Kim Jong Un" in text


def test_nothing_readable_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    out = tmp_path / "g.ttl"
    result = runner.invoke(app, ["build", str(tmp_path / "empty.txt"), "-o", str(out)])
    assert result.exit_code != 0 and not out.exists()


def test_output_is_replaced_atomically(tmp_path: Path) -> None:
    out = tmp_path / "g.ttl"
    out.write_text("previous")
    (tmp_path / "in.txt").write_text("Lavrov met Choe Son Hui in Wonsan.")
    assert runner.invoke(app, ["build", str(tmp_path / "in.txt"), "-o", str(out)]).exit_code == 0
    assert out.read_text().startswith("@prefix")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    "args,code",
    [
        (["build", "seeds", "--format", "xml"], 3),
        (["build", "seeds", "--base", "not an iri"], 3),
        (["build", "seeds", "--model", "no_such_model_xyz"], 3),
        (["validate", "/no/such/file.ttl"], 2),
    ],
)
def test_user_errors_are_one_line_without_traceback(args: list[str], code: int) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "error" in result.output.lower()


def _count(store_path: Path) -> int:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_path))
    return len(list(store.quads_for_pattern(None, None, None, None)))


def test_build_into_the_embedded_store_replaces_the_article_graph(tmp_path: Path) -> None:
    store = tmp_path / "stores" / "kg"
    for _ in range(2):  # twice: the second build replaces, never duplicates
        result = runner.invoke(app, ["build", str(SEED), "--store", str(store)])
        assert result.exit_code == 0, result.output
        assert "loaded into embedded store" in result.output
    assert 100 < _count(store)
    first = _count(store)
    runner.invoke(app, ["build", str(SEED), "--store", str(store)])
    assert _count(store) == first
    result = runner.invoke(app, ["query", "claims", "--store", str(store), "--format", "csv"])
    assert result.exit_code == 0 and "40%" in result.output


def test_bare_store_flag_uses_the_default_store(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "kg", "build", str(SEED), "--store"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "kg-store").is_dir() and _count(tmp_path / "kg-store") > 100


@pytest.mark.server
def test_build_into_a_sparql_server(oxigraph, tmp_path: Path) -> None:
    result = runner.invoke(app, ["build", str(SEED), "--endpoint", oxigraph.url, "-o", str(tmp_path / "s.ttl")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["query", "people", "--endpoint", oxigraph.url, "--format", "csv"])
    assert result.exit_code == 0 and "Sergei Lavrov" in result.output and "Foreign Minister" in result.output


def test_model_option_takes_any_installed_pipeline_or_path(tmp_path: Path, seed_outputs) -> None:
    import spacy

    from kg import config

    path = tmp_path / "my_pipeline"
    spacy.load(config.DEFAULT_MODEL).to_disk(path)  # the same model, loaded from a directory
    out = tmp_path / "s.ttl"
    result = runner.invoke(app, ["build", str(SEED), "-o", str(out), "--model", str(path), "--no-build-cache"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == seed_outputs["turtle"].read_bytes()
    blank = tmp_path / "blank"
    spacy.blank("en").to_disk(blank)
    result = runner.invoke(app, ["build", str(SEED), "--model", str(blank), "--no-build-cache"])
    assert result.exit_code == 3 and "ner" in result.output


def test_output_file_gets_ordinary_permissions(tmp_path: Path) -> None:
    import os
    import stat

    out = tmp_path / "g.ttl"
    (tmp_path / "in.txt").write_text("Lavrov met Choe Son Hui in Wonsan.")
    assert runner.invoke(app, ["build", str(tmp_path / "in.txt"), "-o", str(out)]).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask

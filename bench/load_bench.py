"""Load benchmark: N triples (default 1M) of kg-shaped article graphs into the embedded store and
into an Oxigraph server, with kg's own loader (`kg.stores.load_files`). Prints triples/s.

    .venv/bin/python bench/load_bench.py                 # 1M triples, bulk loads (the targets)
    .venv/bin/python bench/load_bench.py --atomic 200000 # also the default, atomic-per-batch mode

Targets (issue #4): embedded bulk load >= 100k triples/s; Oxigraph server >= 50k triples/s.
The server is started here (`oxigraph serve`, PyPI package oxigraph) on 127.0.0.1 with a free
port and a temporary database, and stopped at the end. Not a test: figures depend on the machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from kg.stores import EmbeddedStore, SparqlStore, load_files  # noqa: E402

KG = "https://w3id.org/newskg/ontology#"
R = "https://w3id.org/newskg/resource/"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
CLASSES = ("Person", "Country", "Place", "Organization", "Agreement")


def write_articles(path: Path, triples: int) -> int:
    """N-Quads of article graphs shaped like kg's output (~100 triples each); returns the count."""
    n = 0
    article = 0
    with path.open("w", encoding="utf-8") as out:
        while n < triples:
            a = f"<{R}article/bench-{article}>"
            lines = [
                f"{a} {TYPE} <{KG}Article> {a} .",
                f'{a} <http://purl.org/dc/terms/identifier> "bench-{article}" {a} .',
                f'{a} <http://purl.org/dc/terms/title> "Benchmark article number {article}"@en {a} .',
            ]
            for e in range(20):
                cls = CLASSES[e % len(CLASSES)]
                ent = f"<{R}{cls.lower()}/e{(article * 7 + e * 13) % 50000}>"
                lines += [
                    f"{ent} {TYPE} <{KG}{cls}> {a} .",
                    f'{ent} {LABEL} "Entity {(article * 7 + e * 13) % 50000} ({cls})"@en {a} .',
                    f"{ent} <{KG}mentionedIn> {a} {a} .",
                    f"{ent} <{KG}locatedIn> <{R}country/c{e}> {a} .",
                ]
            for c in range(4):
                claim = f"<{R}claim/bench-{article}-{c}>"
                lines += [
                    f"{claim} {TYPE} <{KG}Claim> {a} .",
                    f'{claim} <{KG}text> "Claim {c} of article {article}: something was said about numbers like {c * 10}%."@en {a} .',
                    f"{claim} <{KG}about> <{R}country/c{c}> {a} .",
                    f"{claim} <{KG}claimant> <{R}person/e{c}> {a} .",
                    f"{claim} <http://www.w3.org/ns/prov#wasDerivedFrom> {a} {a} .",
                ]
            lines = lines[: triples - n]
            out.write("\n".join(lines) + "\n")
            n += len(lines)
            article += 1
    return n


def run(label: str, files: list[Path], target, **kw) -> float:
    start = time.perf_counter()
    report = load_files(files, target, **kw)
    seconds = time.perf_counter() - start  # wall clock, including parsing and the final flush
    if not report.ok:
        raise SystemExit(f"{label}: {len(report.failed)} graph(s) failed, e.g. {next(iter(report.failed.values()))}")
    rate = report.triples / seconds
    print(f"{label:<48} {report.triples:>9,} triples {seconds:7.1f} s {rate:>10,.0f} triples/s", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--atomic", type=int, default=0, help="also time the atomic (default) mode on this many triples")
    parser.add_argument("--no-server", action="store_true", help="skip the Oxigraph server")
    args = parser.parse_args()

    from servers import oxigraph_server  # tests/servers.py: starts `oxigraph serve` on a free port

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        tmpdir = Path(tmp)
        data = tmpdir / "bench.nq"
        t0 = time.perf_counter()
        count = write_articles(data, args.triples)
        print(f"# {count:,} triples in {data.stat().st_size / 1e6:.0f} MB of N-Quads, written in {time.perf_counter() - t0:.1f} s")
        print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"load average before: {os.getloadavg()[0]:.1f}")
        results = {}
        store = EmbeddedStore(tmpdir / "s1")
        results["embedded"] = run("embedded store, --bulk (empty store)", [data], store, bulk=True)
        run("embedded store, --bulk again (replaces every graph)", [data], store, bulk=True)
        store.close()
        small = None
        if args.atomic:
            small = tmpdir / "small.nq"
            write_articles(small, args.atomic)
            run("embedded store, atomic batches (default)", [small], EmbeddedStore(tmpdir / "s3"))
        if not args.no_server:
            server = oxigraph_server(tmpdir / "ox").start()
            try:
                results["server"] = run("oxigraph server, --bulk", [data], SparqlStore(server.url, timeout=600), bulk=True)
                if small is not None:
                    run("oxigraph server, atomic batches (default)", [small], SparqlStore(server.url, timeout=600))
            finally:
                server.stop()
        print(f"# load average after: {os.getloadavg()[0]:.1f} (other processes on this machine slow every figure)")
        print("# targets: embedded >= 100,000 triples/s; oxigraph server >= 50,000 triples/s")
        ok = results["embedded"] >= 100_000 and results.get("server", 50_000) >= 50_000
        print("# " + ("targets met" if ok else "TARGETS NOT MET on this machine"))


if __name__ == "__main__":
    main()

"""Load benchmark: N triples (default 1M) of kg-shaped article graphs into the embedded store and
into an Oxigraph server, with kg's own loader (`kg.stores.load_files`). Prints triples/s.

    .venv/bin/python bench/load_bench.py                 # 1M triples, bulk loads (the targets)
    .venv/bin/python bench/load_bench.py --atomic 200000 # also the default, atomic-per-batch mode
    .venv/bin/python bench/load_bench.py --replace       # also a reload that replaces every graph

Targets (issue #4): embedded bulk load >= 100k triples/s; Oxigraph server >= 50k triples/s.
The server is started here (`oxigraph serve`, PyPI package oxigraph) on 127.0.0.1 with a free
port and a temporary database, and stopped at the end. Not a test: figures depend on the machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
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


SERVER_PID: list[int] = []  # the running oxigraph server, whose CPU time counts too


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of the server we started, if any."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    for pid in SERVER_PID:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


class Timer:
    def __enter__(self) -> "Timer":
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, cpu_seconds() - self.cpu


def show(label: str, triples: int, timer: Timer) -> float:
    rate = triples / timer.wall
    print(f"{label:<50} {triples:>9,} triples {timer.wall:6.1f} s {rate:>9,.0f} triples/s"
          f"   (CPU {timer.cpu:5.1f} s: {triples / max(timer.cpu, 1e-9):>9,.0f} triples/CPU-s)", flush=True)
    return rate


def run(label: str, files: list[Path], target, **kw) -> float:
    """kg's loader, wall clock including parsing and the final flush."""
    with Timer() as timer:
        report = load_files(files, target, **kw)
    if not report.ok:
        raise SystemExit(f"{label}: {len(report.failed)} graph(s) failed, e.g. {next(iter(report.failed.values()))}")
    return show(label, report.triples, timer)


def engine_embedded(data: Path, directory: Path, count: int) -> float:
    """Baseline without kg: pyoxigraph's bulk loader on the same file, at the same moment."""
    import pyoxigraph as ox

    store = ox.Store(str(directory))
    with Timer() as timer:
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        store.flush()
    return show("  baseline: pyoxigraph Store.bulk_load, no kg", count, timer)


def engine_server(data: Path, url: str, count: int) -> float:
    """Baseline without kg: the whole file in one POST /store?no_transaction."""
    import urllib.request

    body = data.read_bytes()
    with Timer() as timer:
        request = urllib.request.Request(url + "/store?no_transaction", data=body, headers={"Content-Type": "application/n-quads"})
        urllib.request.urlopen(request, timeout=3600).read()
    return show("  baseline: one POST of the file, no kg", count, timer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--atomic", type=int, default=0, help="also time the atomic (default) mode on this many triples")
    parser.add_argument("--replace", action="store_true", help="also time a second --bulk load that replaces every graph")
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
        results["embedded"] = run("embedded store, kg load --bulk (empty store)", [data], store, bulk=True)
        engine_embedded(data, tmpdir / "s0", count)
        if args.replace:
            run("embedded store, --bulk again (replaces every graph)", [data], store, bulk=True)
        store.close()
        small = None
        if args.atomic:
            small = tmpdir / "small.nq"
            write_articles(small, args.atomic)
            run("embedded store, atomic batches (default)", [small], EmbeddedStore(tmpdir / "s3"))
        if not args.no_server:
            server = oxigraph_server(tmpdir / "ox").start()
            SERVER_PID[:] = [server.process.pid]
            try:
                results["server"] = run("oxigraph server, kg load --bulk", [data], SparqlStore(server.url, timeout=3600), bulk=True)
                if small is not None:
                    run("oxigraph server, atomic batches (default)", [small], SparqlStore(server.url, timeout=600))
            finally:
                server.stop()
            baseline = oxigraph_server(tmpdir / "ox0").start()
            SERVER_PID[:] = [baseline.process.pid]
            try:
                engine_server(data, baseline.url, count)
            finally:
                baseline.stop()
        print(f"# load average after: {os.getloadavg()[0]:.1f} (other processes on this machine slow every figure)")
        print("# targets: embedded >= 100,000 triples/s; oxigraph server >= 50,000 triples/s")
        ok = results["embedded"] >= 100_000 and results.get("server", 50_000) >= 50_000
        print("# " + ("targets met" if ok else "TARGETS NOT MET on this machine"))


if __name__ == "__main__":
    main()

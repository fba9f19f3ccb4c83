"""Are the graphs byte-identical to a reference? The safety net of a behaviour-preserving change.

    .venv/bin/python bench/same_graphs.py save /tmp/ref        # before the change: build and keep
    .venv/bin/python bench/same_graphs.py check /tmp/ref       # after: build again and compare bytes

Builds, each with `kg build --no-build-cache` in its own process (so the code under test is the
checkout's, whatever its internal API): the seed (Turtle and N-Quads), every public dev article on
its own and all of them together (N-Quads; ../shared/eval/dev), Reuters-128 as the referee prepares
it, and a 200-article corpus made like bench/build_bench.py's (three real texts per article). The
check prints one line per output and exits 1 on any difference, naming the first differing line.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "bench"))
from build_bench import make_corpus, source_texts  # noqa: E402


def inputs(work: Path) -> list[tuple[str, list[str], str]]:
    """(output name, inputs, format) of every build."""
    dev = sorted((SHARED / "eval" / "dev" / "articles").glob("*.txt"))
    if not dev:
        sys.exit(f"no dev articles under {SHARED / 'eval' / 'dev'}: this script needs ../shared")
    seed = str(ROOT / "seeds")
    r128 = work / "r128.jsonl"
    bench = SHARED / "eval" / "benchmarks" / "reuters-128.benchmark.jsonl"
    with r128.open("w", encoding="utf-8") as fh:  # what score_corpus.py prepare writes
        for line in bench.open(encoding="utf-8"):
            doc = json.loads(line)
            start, end = doc.get("evaluation_span") or (0, len(doc["text"]))
            fh.write(json.dumps({"id": str(doc["id"]), "title": doc.get("title", ""),
                                 "text": doc["text"][start:end]}) + "\n")
    make_corpus(200, work / "corpus200", source_texts())
    builds = [("seed.ttl", [seed], "turtle"), ("seed.nq", [seed], "nquads"),
              ("dev-all.nq", [str(p) for p in dev] + [seed], "nquads"),
              ("r128.nq", [str(r128)], "nquads"), ("corpus200.nq", [str(work / "corpus200")], "nquads")]
    builds += [(f"dev-{p.stem}.nq", [str(p)], "nquads") for p in dev]
    return builds


def build(kg: str, out: Path, paths: list[str], fmt: str) -> str:
    proc = subprocess.run([kg, "build", *paths, "-o", str(out), "-f", fmt, "--no-build-cache", "--no-progress"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return f"build failed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}"
    return ""


def build_all(kg: str, target: Path, jobs: int) -> dict[str, str]:
    target.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="same-graphs-"))
    try:
        builds = inputs(work)
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            futures = {name: pool.submit(build, kg, target / name, paths, fmt) for name, paths, fmt in builds}
            return {name: f.result() for name, f in futures.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def first_difference(a: Path, b: Path) -> str:
    la, lb = a.read_text(encoding="utf-8").splitlines(), b.read_text(encoding="utf-8").splitlines()
    for i, (x, y) in enumerate(zip(la, lb), start=1):
        if x != y:
            return f"line {i}: reference {x[:160]!r} / now {y[:160]!r}"
    return f"lengths differ: reference {len(la)} lines, now {len(lb)}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["save", "check"])
    ap.add_argument("reference", type=Path, help="directory of the reference outputs")
    ap.add_argument("--kg", default=str(ROOT / ".venv" / "bin" / "kg"), help="the kg command to run")
    ap.add_argument("--jobs", type=int, default=2, help="builds run at once")
    args = ap.parse_args()
    if args.mode == "save":
        failures = build_all(args.kg, args.reference, args.jobs)
        for name, err in sorted(failures.items()):
            if err:
                print(f"{name}: {err}")
        print(f"saved {len(failures)} outputs under {args.reference}")
        sys.exit(1 if any(failures.values()) else 0)
    now = Path(tempfile.mkdtemp(prefix="same-graphs-now-"))
    try:
        failures = build_all(args.kg, now, args.jobs)
        bad = 0
        for name in sorted(failures):
            ref, new = args.reference / name, now / name
            if failures[name]:
                status = failures[name]
            elif not ref.exists():
                status = "no reference"
            elif ref.read_bytes() == new.read_bytes():
                status = f"identical ({hashlib.sha256(new.read_bytes()).hexdigest()[:12]})"
            else:
                status = "DIFFERENT: " + first_difference(ref, new)
            bad += not status.startswith("identical")
            print(f"{name}: {status}")
        print(f"{len(failures) - bad} of {len(failures)} outputs identical")
        sys.exit(1 if bad else 0)
    finally:
        shutil.rmtree(now, ignore_errors=True)


if __name__ == "__main__":
    main()

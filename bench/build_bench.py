"""Build benchmark: kg build against the floor (bare nlp.pipe of the same model), workers, memory,
and the build cache, measured in one run on one corpus and machine. Prints a Markdown table.

    .venv/bin/python bench/build_bench.py                      # 1k articles; peak RSS at 1k and 10k
    .venv/bin/python bench/build_bench.py --articles 200 --rss-sizes 200   # a quick look

The corpus is synthetic but made of real text: article n joins three texts drawn with
random.Random(n) from the Reuters-128 benchmark texts, the 12 Wikinews dev articles and the seed
article (../shared/eval), separated by blank lines, with the id "bench-<n>", written as JSONL
files of 1000 articles (kg refuses input files over 10 MB).

Every measured command runs in its own process, so a peak RSS is that build's. kg's modules are
compiled to bytecode first, as an installed package (or any second run) has them: this machine
sets PYTHONDONTWRITEBYTECODE, under which each kg process would otherwise compile kg's 10,000
lines again (0.1-0.2 s), and the bare process only the two modules it imports. Both sides of
each comparison include process start and model load, and the bare pipe uses kg's batch size
(config.BATCH_SIZE). CPU time is the process tree's user+sys: what the build costs even on a busy
machine. Wall time is what a user waits. Peak RSS is sampled every 0.1 s, over the whole
process tree (driver + workers) and for the kg driver alone.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"

PIPE_SCRIPT = """
import json, sys
from pathlib import Path
from kg.config import BATCH_SIZE
from kg.nlp import clean_text
import spacy
nlp = spacy.load(sys.argv[2])
texts = (clean_text(json.loads(line)["text"])
         for part in sorted(Path(sys.argv[1]).glob("*.jsonl")) for line in part.open(encoding="utf-8"))
n = sum(1 for _ in nlp.pipe(texts, batch_size=BATCH_SIZE))
print(n)
"""


# -- corpus ------------------------------------------------------------------------------------
def source_texts() -> list[str]:
    """Real article texts: Reuters-128, the Wikinews dev set, the seed."""
    texts = [json.loads(line)["text"] for line in (SHARED / "benchmarks" / "reuters-128.benchmark.jsonl").open(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((SHARED / "dev" / "articles").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    return texts


#: articles per JSONL file (kg reads at most config.MAX_INPUT_BYTES per input file)
SHARD = 1000


def make_corpus(n: int, directory: Path, pool: list[str], changed: int | None = None) -> int:
    """Write n articles as JSONL files of SHARD lines; `changed` gets one extra sentence. Returns the word count."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    words = 0
    for start in range(0, n, SHARD):
        with (directory / f"part-{start // SHARD:04d}.jsonl").open("w", encoding="utf-8") as fh:
            for i in range(start, min(n, start + SHARD)):
                text = "\n\n".join(random.Random(i).sample(pool, 3))
                if i == changed:
                    text += "\n\nThe ministry said on Monday that the talks would continue in Geneva."
                words += len(text.split())
                fh.write(json.dumps({"id": f"bench-{i:06d}", "text": text}, ensure_ascii=False) + "\n")
    return words


def compile_bytecode() -> None:
    """kg's modules as bytecode (`__pycache__`, ignored by git and by the build cache's digest)."""
    import compileall

    compileall.compile_dir(ROOT / "kg", quiet=1)


# -- measuring a process -----------------------------------------------------------------------
@dataclass
class Run:
    wall: float
    cpu: float
    tree_rss_mb: float  # peak of the summed RSS of the process and its descendants
    driver_rss_mb: float  # peak RSS of the measured process itself (the kg driver)
    max_rss_mb: float  # kernel ru_maxrss: the largest single process
    stderr: str


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """(summed VmRSS of `root` and its descendants, VmRSS of `root`), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
            children.setdefault(int(stat[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, own, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
                        total += kb
                        own = kb if pid == root else own
                        break
        except OSError:
            continue
    return total, own


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    errf = tempfile.TemporaryFile()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errf, env=env)
    peak = driver = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, driver
        while not stop.is_set():
            tree, own = _tree_rss_kb(proc.pid)
            peak, driver = max(peak, tree), max(driver, own)
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    errf.seek(0)
    stderr = errf.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak / 1024, driver / 1024, usage.ru_maxrss / 1024, stderr)


def parallel_ceiling(work: Path, pool: list[str], model: str, env: dict[str, str]) -> tuple[float, Run]:
    """How much faster two processes finish two equal jobs than one process finishes one, here
    and now: the bare parse of 200 articles, alone, then twice at once. 2.0 on two idle physical
    cores; less when the virtual CPUs share a core or the host is busy (no steal time shows)."""
    corpus = work / "corpus-ceiling"
    make_corpus(200, corpus, pool)
    cmd = [sys.executable, "-c", PIPE_SCRIPT, str(corpus), model]
    alone = measure(cmd, env)
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        both = list(ex.map(lambda _: measure(cmd, env), range(2)))
    wall = time.perf_counter() - start
    pair = Run(wall, sum(r.cpu for r in both), sum(r.tree_rss_mb for r in both), 0, 0, "")
    return 2 * alone.wall / wall, pair


def kg_build(corpus: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kg", "build", str(corpus), "-o", str(out), "--no-progress", *extra]


def kg_build_split(corpus: Path, out: Path, *extra: str) -> list[str]:
    """`kg build` through bench/build_split.py, which also reports the build's own CPU split."""
    return [sys.executable, str(ROOT / "bench" / "build_split.py"), str(corpus), "-o", str(out), "--no-progress", *extra]


def split_of(run: Run) -> str:
    """build_split.py's line from a run's stderr: the parse, the extraction and the rest."""
    found = re.search(r"CPU s: (.*)$", run.stderr, re.M)
    return f"inside the build: {found.group(1)}" if found else ""


# -- the benchmark -----------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="corpus size for throughput, workers, cache")
    ap.add_argument("--rss-sizes", default="1000,10000", help="corpus sizes for peak RSS (comma-separated)")
    ap.add_argument("--rss-workers", type=int, default=2, help="--workers for the peak-RSS builds")
    ap.add_argument("--model", default=None, help="spaCy model (default: kg's)")
    ap.add_argument("--workdir", type=Path, default=None, help="keep corpora and outputs here")
    ap.add_argument("--rss-only", action="store_true", help="only the peak-RSS builds")
    ap.add_argument("--repeat", type=int, default=2,
                    help="run bare pipe and first build this many times, alternately; the best of each counts")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT))
    from kg import config

    model = args.model or config.DEFAULT_MODEL
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pool = source_texts()
    n = args.articles
    corpus = work / f"corpus-{n}"
    words = make_corpus(n, corpus, pool)
    env = dict(os.environ, KG_CACHE_DIR=str(work / "cache"))  # keep the user's caches out of it
    rows: list[tuple[str, int, int, Run, str]] = []

    def row(name: str, articles: int, nwords: int, run: Run, note: str = "") -> None:
        rows.append((name, articles, nwords, run, note))
        print(f"  {name}: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, {run.tree_rss_mb:.0f} MB", file=sys.stderr)

    compile_bytecode()
    load0 = os.getloadavg()[0]
    print(f"corpus: {n} articles, {words} words -> {corpus}", file=sys.stderr)
    same = None
    if not args.rss_only:
        same = _main_measurements(args, work, pool, corpus, n, words, model, env, row)
    for size in [int(s) for s in args.rss_sizes.split(",") if s.strip()]:
        c = corpus if size == n else work / f"corpus-{size}"
        w = words if size == n else make_corpus(size, c, pool)
        run = measure(kg_build(c, work / f"rss-{size}.ttl", "--workers", str(args.rss_workers), "--no-build-cache"), env)
        row(f"peak RSS, kg build --workers {args.rss_workers} (no cache)", size, w, run)

    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load0:.1f} at start, {os.getloadavg()[0]:.1f} at end; "
          f"python {sys.version.split()[0]}; model {model}")
    if same is not None:
        print(f"--workers 2 output identical to --workers 1: {same}\n")
    print("| measurement | articles | words | wall s | CPU s | words/s (wall) | articles/s (wall) | peak RSS, all processes MB | peak RSS, kg driver MB | note |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, articles, nwords, run, note in rows:
        print(f"| {name} | {articles} | {nwords} | {run.wall:.1f} | {run.cpu:.1f} | {nwords / run.wall:,.0f} | "
              f"{articles / run.wall:.1f} | {run.tree_rss_mb:.0f} | {run.driver_rss_mb:.0f} | {note} |")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


def _main_measurements(args, work: Path, pool: list[str], corpus: Path, n: int, words: int, model: str,
                       env: dict[str, str], row) -> bool:
    """Floor vs kg build, 1 vs 2 workers, first build vs rebuilds. Returns: -j2 bytes == -j1 bytes."""
    cache = work / "build-cache"
    pipes, firsts = [], []
    for _ in range(max(1, args.repeat)):  # alternate, so that a busy spell hits both sides
        pipes.append(measure([sys.executable, "-c", PIPE_SCRIPT, str(corpus), model], env))
        shutil.rmtree(cache, ignore_errors=True)
        firsts.append(measure(kg_build_split(corpus, work / "out1.ttl", "--workers", "1", "--build-cache", str(cache)), env))
    pipe, first = min(pipes, key=lambda r: r.cpu), min(firsts, key=lambda r: r.cpu)
    runs = f"best of {len(pipes)}: " if len(pipes) > 1 else ""
    row("bare nlp.pipe (same model, 1 process)", n, words, pipe,
        f"{runs}CPU s {', '.join(f'{r.cpu:.1f}' for r in pipes)}")
    row("kg build --workers 1 (first build, fills cache)", n, words, first,
        f"{pipe.cpu / first.cpu:.2f}x bare pipe (CPU), {pipe.wall / first.wall:.2f}x (wall); {runs}CPU s "
        f"{', '.join(f'{r.cpu:.1f}' for r in firsts)}; {split_of(first)}")
    ceiling = parallel_ceiling(work, pool, model, env)
    row("machine: 2 concurrent bare nlp.pipe vs 1 (200 articles each)", 200, 0, ceiling[1],
        f"ceiling for 2 processes on this machine now: {ceiling[0]:.2f}x")
    two = measure(kg_build(corpus, work / "out2.ttl", "--workers", "2", "--no-build-cache"), env)
    row("kg build --workers 2 (no cache)", n, words, two,
        f"{first.wall / two.wall:.2f}x --workers 1 (wall); machine ceiling {ceiling[0]:.2f}x")
    same = (work / "out1.ttl").read_bytes() == (work / "out2.ttl").read_bytes()

    agains = [measure(kg_build(corpus, work / "out3.ttl", "--workers", "1", "--build-cache", str(cache)), env)
              for _ in range(max(1, args.repeat))]
    again = min(agains, key=lambda r: r.wall)
    row("rebuild, unchanged corpus (cache)", n, words, again,
        f"{100 * again.wall / first.wall:.1f}% of first build (wall); {runs}wall s {', '.join(f'{r.wall:.1f}' for r in agains)}")
    ones = []
    for k in range(max(1, args.repeat)):  # a different article each time, so that each run extracts one
        changed_corpus = work / f"corpus-{n}-changed"
        make_corpus(n, changed_corpus, pool, changed=n // 2 + k)
        ones.append(measure(kg_build(changed_corpus, work / "out4.ttl", "--workers", "1", "--build-cache", str(cache)), env))
    one = min(ones, key=lambda r: r.wall)
    summary = " ".join(one.stderr.split())  # kg's one-line summary (rich wraps it when not a terminal)
    row("rebuild, one article changed (cache)", n, words, one,
        f"{100 * one.wall / first.wall:.1f}% of first build; {runs}wall s {', '.join(f'{r.wall:.1f}' for r in ones)}; "
        f"kg said: {summary}")
    return same


if __name__ == "__main__":
    main()

"""kg viz at size: a 1,000-article graph, the page's file size and its time to interactive in
headless Chromium. Targets (issue 20): under 25 MB, interactive within 5 s. Prints a Markdown table.

    .venv/bin/python bench/viz_bench.py                      # builds the corpus graph once (~3 min)
    .venv/bin/python bench/viz_bench.py --runs 5             # again: reuses the graph in --workdir

The corpus is made as bench/build_bench.py makes its corpora, from the 21 Wikinews/news dev
articles of ../shared/eval/dev only: article n joins three of them drawn with random.Random(n),
with the id "bench-<n>", so the same entities recur across many articles (a dense graph) while
every article, claim and mention is its own. The graph is built once (`kg build -f nquads
--workers 1`, with a build cache in the work directory) and kept there for later runs.

Time to interactive is measured from `driver.get(file://…)` until the page says it is drawn
(window.kgViz.ready: the data parsed, indexed, the first layout run and painted), in a fresh
headless Chromium per run with the network off (tests/browser.py). Chromium's own start is not
counted. After that, the time from typing a name + Enter to its panel on screen is measured.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

from browser import find_chromium, open_page, start_chromium  # noqa: E402
from build_bench import SHARED, make_corpus  # noqa: E402

SIZE_TARGET_MB = 25.0
TTI_TARGET_S = 5.0


def kg(*args: str) -> tuple[float, float]:
    """Run `python -m kg ARGS` (output to stderr as usual); returns (wall, CPU) seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - start, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def build_graph(n: int, work: Path) -> tuple[Path, float | None]:
    """The corpus graph as N-Quads, built unless the work directory has it already."""
    graph = work / f"corpus-{n}.nq"
    if graph.is_file():
        return graph, None
    pool = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "dev" / "articles").glob("*.txt"))]
    if len(pool) < 3:
        raise SystemExit(f"need the dev articles under {SHARED / 'dev' / 'articles'}")
    make_corpus(n, work / f"corpus-{n}", pool)
    partial = graph.with_suffix(".part.nq")
    seconds, _ = kg("build", str(work / f"corpus-{n}"), "-f", "nquads", "-o", str(partial), "--workers", "1",
                 "--build-cache", str(work / "build-cache"), "--no-progress")
    partial.replace(graph)
    return graph, seconds


def measure_page(page: Path, runs: int) -> list[dict]:
    """Per run: seconds to interactive, the page's own timings, seconds from search to panel."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser, driver, missing = find_chromium()
    if missing:
        raise SystemExit(f"headless Chromium is needed: {missing}")
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="kg-viz-bench-") as profile:
            chrome = start_chromium(browser, driver, Path(profile))
            try:
                tti = open_page(chrome, page, timeout=120)
                info = chrome.execute_script(
                    "var v = window.kgViz; return {readyMs: v.readyMs, timings: v.timings,"
                    " drawn: v.cy.nodes().length, edges: v.cy.edges().length,"
                    " top: v.cy.nodes().max(function (n) { return n.data('deg'); }).ele.data('label')}")
                name = info["top"]
                box = chrome.find_element(By.ID, "search")
                start = time.perf_counter()
                box.send_keys(name)
                box.send_keys(Keys.ENTER)
                while chrome.execute_script("var h = document.querySelector('#panel h2'); return h && h.textContent") != name:
                    if time.perf_counter() - start > 60:
                        raise SystemExit(f"searching {name!r} opened no panel")
                    time.sleep(0.01)
                info["search_s"] = time.perf_counter() - start
                errors = [e for e in chrome.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
                if errors:
                    raise SystemExit(f"console errors: {errors}")
                info["tti_s"] = tti
                results.append(info)
            finally:
                chrome.quit()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="corpus size (default 1000)")
    ap.add_argument("--runs", type=int, default=3, help="page loads to measure, each in a fresh Chromium")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kg-viz-bench",
                    help="corpus, graph and pages live here; an existing graph is reused")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    graph, build_s = build_graph(args.articles, args.workdir)
    page = args.workdir / f"corpus-{args.articles}.html"
    viz_s, viz_cpu = kg("viz", str(graph), "-o", str(page))
    size_mb = page.stat().st_size / 1e6
    runs = measure_page(page, args.runs)
    tti = [r["tti_s"] for r in runs]
    first = runs[0]
    print(f"\n{args.articles} articles -> {graph.name} ({graph.stat().st_size / 1e6:.1f} MB N-Quads)"
          + (f", built in {build_s:.0f} s" if build_s is not None else ", reused"))
    print(f"drawn at first: {first['drawn']} nodes, {first['edges']} edges\n")
    print("| measure | figure | target |")
    print("|---|---:|---|")
    print(f"| `kg viz` wall time (CPU) | {viz_s:.1f} s ({viz_cpu:.1f} s) | |")
    print(f"| page size | {size_mb:.1f} MB | < {SIZE_TARGET_MB:.0f} MB: {'met' if size_mb < SIZE_TARGET_MB else 'NOT met'} |")
    print(f"| time to interactive, median of {len(tti)} (min–max) | {statistics.median(tti):.2f} s ({min(tti):.2f}–{max(tti):.2f}) |"
          f" < {TTI_TARGET_S:.0f} s: {'met' if max(tti) < TTI_TARGET_S else 'NOT met'} |")
    for step in ("parse", "index", "draw"):
        print(f"| in the page: {step}, median | {statistics.median(r['timings'][step] for r in runs) / 1000:.2f} s | |")
    print(f"| search a name + Enter to its panel, median | {statistics.median(r['search_s'] for r in runs):.2f} s | |")


if __name__ == "__main__":
    main()

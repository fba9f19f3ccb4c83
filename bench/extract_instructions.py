"""Extraction cost in CPU instructions per article, counted by Valgrind's callgrind: a figure that,
unlike a timing, does not move with the machine's load (this 2-vCPU machine gives the same bare
parse 112 s one hour and 142 s the next).

    .venv/bin/python bench/extract_instructions.py [--articles 30] [--model NAME]

Needs `valgrind` (Debian package). The articles are the first ones of the same synthetic corpus as
bench/build_bench.py (texts of Reuters-128, the Wikinews dev set and the seed). They are parsed
first, natively; then kg's extraction stages run on the parses under callgrind, with
instrumentation switched on only for them, inside `itertools.starmap`, the one C function the count is restricted to
(`--toggle-collect`). The figure covers entities, roles, relations, agreements, claims and the
record, not the parse, the resolution across articles or the output. As in a build, the model
and gazetteer are loaded and frozen for the garbage collector first, each parse carries its
text (`kg.nlp.parse_texts`), and each article goes through `kg.extract.extract_parsed`. Five further articles run first, uncounted, so that one-off
work (pattern compilation, matcher builds) is left out.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

WARM = 5


def parse(articles: int, model: str, out: Path) -> None:
    """Parse the articles natively (under valgrind the parse alone would take many minutes) and
    keep the texts and parses for the counted process."""
    from spacy.tokens import DocBin

    from build_bench import make_corpus, source_texts  # bench/ is not a package
    from kg.nlp import clean_text, load_pipeline

    corpus = out / "corpus"
    make_corpus(articles + WARM, corpus, source_texts())
    lines = [json.loads(line) for part in sorted(corpus.glob("*.jsonl")) for line in part.open(encoding="utf-8")]
    (out / "texts.json").write_text(json.dumps([d["text"] for d in lines]), encoding="utf-8")
    nlp = load_pipeline(model)
    DocBin(docs=nlp.pipe([clean_text(d["text"]) for d in lines], batch_size=16)).to_disk(out / "parsed.spacy")


def child(articles: int, model: str, work: Path) -> None:
    """Runs under valgrind: read the parses, warm up, signal, wait, then extract inside starmap."""
    from spacy.tokens import DocBin

    from kg.build.worker import freeze_heap, prepare_process
    from kg.extract import extract_parsed
    from kg.nlp import clean_text, load_pipeline
    from kg.records import Document

    texts = json.loads((work / "texts.json").read_text(encoding="utf-8"))
    docs = [Document(id=f"a{i}", text=t) for i, t in enumerate(texts)]
    prepare_process(model)  # as a build does: load, then freeze the start-up heap for the collector
    freeze_heap()
    parsed = list(DocBin().from_disk(work / "parsed.spacy").get_docs(load_pipeline(model).vocab))
    for text, doc in zip(texts, parsed):
        doc.user_data["kg_text"] = clean_text(text)  # as kg.nlp.parse_texts leaves it in a build

    def one(document: Document, doc) -> None:
        extract_parsed(document, doc)

    for document, doc in zip(docs[articles:], parsed[articles:]):
        one(document, doc)
    (work / "ready").touch()
    while not (work / "go").exists():
        time.sleep(0.2)
    list(itertools.starmap(one, zip(docs[:articles], parsed[:articles])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=30, help="articles counted")
    ap.add_argument("--model", default=None, help="spaCy model (default: kg's)")
    ap.add_argument("--child", metavar="WORKDIR", help=argparse.SUPPRESS)
    args = ap.parse_args()
    from kg import config

    model = args.model or config.DEFAULT_MODEL
    if args.child:
        child(args.articles, model, Path(args.child))
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    tmp = Path(tempfile.mkdtemp(prefix="kg-instr-"))
    parse(args.articles, model, tmp)
    ready, go, out = tmp / "ready", tmp / "go", tmp / "callgrind.out"
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
           "--toggle-collect=starmap_next", f"--callgrind-out-file={out}",
           sys.executable, __file__, "--articles", str(args.articles), "--model", model, "--child", str(tmp)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while not ready.exists():
        if proc.poll() is not None:
            sys.exit(f"the counted process ended early:\n{proc.stderr.read()[-2000:]}")
        time.sleep(0.5)
    subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    go.touch()
    _, err = proc.communicate()
    shutil.rmtree(tmp, ignore_errors=True)
    found = re.search(r"Collected : (\d+)", err)
    if proc.returncode != 0 or not found:
        sys.exit(f"callgrind failed:\n{err[-2000:]}")
    total = int(found.group(1))
    print(f"extraction: {total / args.articles / 1e6:.1f} M instructions per article "
          f"({args.articles} articles, model {model}, {os.uname().machine})")


if __name__ == "__main__":
    main()

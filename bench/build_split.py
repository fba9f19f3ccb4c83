"""Where one `kg build` process spends its CPU: the spaCy parse, kg's extraction, and everything
else (start-up, reading, the build cache, resolution, linking, RDF, writing), in the same run.

    .venv/bin/python bench/build_split.py CORPUS [kg build options...]

For instance `.venv/bin/python bench/build_split.py /tmp/corpus-1000 -o /tmp/out.ttl --no-build-cache`.
The parse and the extraction are timed article by article inside the build (process CPU time),
so the split does not depend on how fast the machine happens to be in that minute, unlike a
comparison of two processes run one after the other (see build_bench.py). "Everything else"
includes importing spaCy and loading the model (about 1.7 s here), which a bare `nlp.pipe`
process pays too.
"""
from __future__ import annotations

import atexit
import sys
import time
from collections.abc import Iterable, Iterator

import kg.extract as extract
from kg.nlp import clean_text, parse_texts

TIMES = {"parse": 0.0, "extraction": 0.0, "articles": 0}


def timed_extract_many(documents: Iterable, nlp, batch_size: int = 64) -> Iterator:
    """`kg.extract.extract_many`, with the parse and the extraction of each article timed apart."""
    docs = list(documents)
    parses = iter(parse_texts(nlp, (clean_text(d.text) for d in docs), batch_size))
    for document in docs:
        start = time.process_time()
        parsed = next(parses)
        middle = time.process_time()
        record = extract.extract_parsed(document, parsed)
        TIMES["parse"] += middle - start
        TIMES["extraction"] += time.process_time() - middle
        TIMES["articles"] += 1
        yield record


def report() -> None:
    total = time.process_time()
    parse, extraction, n = TIMES["parse"], TIMES["extraction"], TIMES["articles"]
    rest = total - parse - extraction
    print(f"{n} articles, CPU s: parse {parse:.1f}, extraction {extraction:.1f} ({100 * extraction / parse:.1f} % of the parse), "
          f"everything else {rest:.1f} ({100 * rest / parse:.1f} %), total {total:.1f}; "
          f"kg adds {100 * (extraction + rest) / parse:.1f} % to its own parse", file=sys.stderr)


if __name__ == "__main__":
    extract.extract_many = timed_extract_many  # the local engine looks it up at each batch
    atexit.register(report)
    from kg.cli import app

    sys.argv = ["kg", "build", *sys.argv[1:]]
    app()

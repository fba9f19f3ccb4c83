"""The build's data flow at scale: documents streamed in, records from the cache or an engine,
quads streamed out through an external sort.

- `extract_all` reads documents lazily, takes each article's record from the build cache when
  its content and the pipeline are unchanged, sends only the others to the engine (this process,
  a process pool, Ray), and returns the records in input order. No spaCy Doc outlives its batch.
- `SortedQuadWriter` writes the same bytes as `kg.serialize.serialize` (sorted, deduplicated)
  without holding the graph in memory: quads are turned into N-Quads lines, sorted in runs of a
  bounded size that spill to temporary files, merged, and fed back to pyoxigraph's streaming
  serializer.
"""
from __future__ import annotations

import heapq
import itertools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph
from pyoxigraph import DefaultGraph, Quad

from kg import config
from kg.documents import JSONL_SUFFIXES, iter_input_files, read_documents
from kg.errors import InputError, KGError
from kg.serialize import atomic_target
from kg.records import ArticleRecord, Document

#: progress callback: (articles done, articles expected or None)
Progress = Callable[[int, "int | None"], None]


# -- documents in ----------------------------------------------------------------------------
def stream_documents(paths: list[Path], errors: list[str]) -> Iterator[Document]:
    """Readable documents in input order; each bad input or duplicate id becomes an error line."""
    seen: dict[str, str] = {}
    for item in read_documents(paths):
        if isinstance(item, InputError):
            errors.append(str(item))
            continue
        if item.id in seen:
            errors.append(f"{item.source}: duplicate article id {item.id!r} (also {seen[item.id]}); skipped")
            continue
        seen[item.id] = item.source
        yield item


def count_documents(paths: list[Path]) -> int:
    """A quick upper bound of the documents under `paths` (for a progress bar): files, JSONL lines."""
    total = 0
    for item in iter_input_files(paths):
        if isinstance(item, InputError):
            continue
        if item.suffix.lower() in JSONL_SUFFIXES:
            try:
                with open(item, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except OSError:
                continue
        else:
            total += 1
    return total


def _batches(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- extraction --------------------------------------------------------------------------------
@dataclass
class ExtractStats:
    """How a build got its records: extracted now, or taken from the cache."""

    extracted: int = 0
    cached: int = 0


def extract_all(
    paths: list[Path],
    model: str,
    errors: list[str],
    *,
    engine: str = "local",
    workers: int | None = None,
    address: str | None = None,
    cache_dir: Path | None = None,
    batch_size: int = config.BATCH_SIZE,
    progress: Progress | None = None,
    stats: ExtractStats | None = None,
) -> list[ArticleRecord]:
    """The record of every readable document under `paths`, in input order.

    With `cache_dir`, records of unchanged articles come from the build cache and new ones are
    added to it batch by batch (an interrupted build keeps what it finished).
    """
    from kg.build.cache import RecordCache, pipeline_version
    from kg.build.engines import check_engine, make_engine, settle_heap, thaw_heap

    check_engine(engine, workers, address)
    stats = stats if stats is not None else ExtractStats()
    total = count_documents(paths) if progress else None
    slots: list[ArticleRecord | None] = []
    position: dict[int, int] = {}  # id(document) -> index in slots, for records coming back
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    with ExitStack() as stack:
        cache = stack.enter_context(RecordCache(cache_dir, pipeline_version(model))) if cache_dir else None

        def misses() -> Iterator[list[Document]]:
            """Documents in batches; cache hits are filled in here, only misses go on."""
            pending: list[Document] = []
            for batch in _batches(stream_documents(paths, errors), batch_size):
                hits = cache.get_many(batch) if cache else {}
                for i, doc in enumerate(batch):
                    if i not in hits:
                        position[id(doc)] = len(slots)  # the document stays alive until its record is back
                        pending.append(doc)
                    slots.append(hits.get(i))
                if hits:
                    stats.cached += len(hits)
                    tick(len(hits))
                while len(pending) >= batch_size:
                    yield pending[:batch_size]
                    pending = pending[batch_size:]
            if pending:
                yield pending

        work = misses()
        first = next(work, None)  # don't start an engine (or load a model) when all is cached
        if first is not None:
            stack.callback(thaw_heap)  # (registered before the engine, so it runs after the engine closes)
            runner = stack.enter_context(_closing(make_engine(engine, model, workers, address, batch_size)))
            for batch, records in runner.map(_chain(first, work)):
                for doc, rec in zip(batch, records):
                    slots[position.pop(id(doc))] = rec
                if cache:
                    cache.put_many(zip(batch, records))
                stats.extracted += len(records)
                tick(len(records))
                settle_heap()  # the records stay to the end of the build: keep the collector off them
    if any(rec is None for rec in slots):  # an engine lost a batch: never write a partial graph
        raise KGError("extraction returned no record for some articles; nothing was written")
    return slots  # type: ignore[return-value]


def _chain(first: list[Document], rest: Iterator[list[Document]]) -> Iterator[list[Document]]:
    yield first
    yield from rest


@contextmanager
def _closing(engine):
    try:
        yield engine
    finally:
        engine.close()


# -- quads out ---------------------------------------------------------------------------------
class SortedQuadWriter:
    """Collect quads, then write them sorted and deduplicated, like `kg.serialize.serialize`.

    Memory is bounded by `run_lines`: beyond it, sorted runs go to temporary files and are merged.
    Works on N-Quads lines: the canonical N-Triples form of a term never contains a character
    below U+0021 after its first character, so sorting lines orders quads exactly like sorting
    the tuples of their terms' strings (what `serialize` does). For a format without graphs the
    lines are N-Triples lines, each triple kept once: for the same reason (a space ends each
    term), sorted triple lines come in the order of the sorted quad lines they are made from,
    and there are fewer of them to sort (96k triples from 161k quads per 1000 articles).
    """

    def __init__(self, fmt: str, run_lines: int = 250_000) -> None:
        from kg.serialize import format_for

        self.fmt = fmt
        self.rdf_format, self.keeps_graphs = format_for(fmt)
        self.run_lines = run_lines
        self._lines: list[str] = []
        self._runs: list[Path] = []
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.triples = 0  # distinct (s, p, o), known after write()

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads (any graph; all quads of one call are serialized together, which is fast)."""
        quads = list(quads)
        if not quads:
            return
        if any(isinstance(q.graph_name, DefaultGraph) for q in quads):
            raise ValueError("SortedQuadWriter takes quads in named graphs only")
        text = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS).decode("utf-8")
        # split on "\n" only: literals may hold U+2028 or U+0085 unescaped, which splitlines() splits on
        self._lines.extend(text.rstrip("\n").split("\n") if self.keeps_graphs else _triples(text, quads[0]))
        if len(self._lines) >= self.run_lines:
            self._spill()

    def _spill(self) -> None:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kg-sort-")
        path = Path(self._tmp.name) / f"run{len(self._runs):05d}.nq"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            for line in sorted(set(self._lines)):
                fh.write(line)
                fh.write("\n")
        self._runs.append(path)
        self._lines = []

    def _sorted_lines(self, stack: ExitStack) -> Iterator[str]:
        """All lines, sorted, without duplicates."""
        if not self._runs:
            yield from sorted(set(self._lines))
            return
        if self._lines:
            self._spill()
        files = [stack.enter_context(open(p, encoding="utf-8", newline="\n")) for p in self._runs]
        last = None
        for line in heapq.merge(*((ln.rstrip("\n") for ln in fh) for fh in files)):
            if line != last:
                yield line
                last = line

    def _statements(self, lines: Iterator[str]) -> Iterator[str]:
        """Quad lines as they are, counting distinct triples on the way: in sorted N-Quads, one
        triple's quads are adjacent."""
        last = None
        for line in lines:
            triple = _drop_graph(line)
            if triple != last:
                self.triples += 1
                last = triple
            yield line

    def write(self, output: Path | None) -> None:
        """Write the sorted graph to `output` atomically (or to stdout); sets `triples`."""
        from kg.namespaces import PREFIXES

        prefixes = {k: v for k, v in PREFIXES.items() if k != "kgr"}  # as kg.serialize does
        self.triples = 0
        try:
            with ExitStack() as stack, atomic_target(output) as fh:
                if self.keeps_graphs:
                    reader = _LineReader(self._statements(self._sorted_lines(stack)), "\n")
                    items = pyoxigraph.parse(reader, format=pyoxigraph.RdfFormat.N_QUADS)
                else:  # triple lines: each ends in " ." in N-Triples
                    reader = _LineReader(self._sorted_lines(stack), " .\n")
                    items = pyoxigraph.parse(reader, format=pyoxigraph.RdfFormat.N_TRIPLES)
                if self.rdf_format in (pyoxigraph.RdfFormat.N_TRIPLES, pyoxigraph.RdfFormat.N_QUADS):
                    pyoxigraph.serialize(items, fh, format=self.rdf_format)
                else:
                    pyoxigraph.serialize(items, fh, format=self.rdf_format, prefixes=prefixes)
                fh.flush()
                if fh.tell() and not _ends_with_newline(fh):
                    fh.write(b"\n")
                if not self.keeps_graphs:
                    self.triples = reader.lines
        finally:
            self.close()

    def count_triples(self) -> int:
        """The number of distinct triples, without writing anything (then the writer is spent)."""
        try:
            with ExitStack() as stack:
                self.triples = 0
                lines = self._sorted_lines(stack)
                if self.keeps_graphs:
                    for _ in self._statements(lines):
                        pass
                else:
                    self.triples = sum(1 for _ in lines)
            return self.triples
        finally:
            self.close()

    def close(self) -> None:
        self._lines = []
        self._runs = []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def _triples(text: str, first: Quad) -> list[str]:
    """'<s> <p> <o>' of each line of N-Quads `text`. A newline ends each line (never one inside a
    literal: they are escaped), so when every line ends in the first quad's graph (an article's
    graph), one split on that ending drops them all, at a fifth of the cost of `_drop_graph`
    line by line."""
    pieces = text.split(f" {first.graph_name} .\n")
    if pieces[-1] == "" and len(pieces) - 1 == text.count("\n"):
        pieces.pop()
        return pieces
    return [_drop_graph(line) for line in text.rstrip("\n").split("\n")]


def _drop_graph(line: str) -> str:
    """'<s> <p> <o> <g> .' -> '<s> <p> <o>' (graph names are IRIs: no spaces)."""
    return line[: line.rindex(" ", 0, len(line) - 2)]


def _ends_with_newline(fh: IO[bytes]) -> bool:
    fh.seek(-1, os.SEEK_END)
    last = fh.read(1)
    fh.seek(0, os.SEEK_END)
    return last == b"\n"


class _LineReader:
    """A binary file-like view of an iterator of text lines (each followed by `ending`), for
    pyoxigraph's streaming parser.

    pyoxigraph reads a few KB at a time; lines are encoded 256 at a time and handed out by offset.
    """

    def __init__(self, lines: Iterator[str], ending: str) -> None:
        self._lines = lines
        self._ending = ending  # after each line
        self._buffer = b""
        self._pos = 0
        self.lines = 0  # handed out so far

    def _fill(self) -> bool:
        chunk = list(itertools.islice(self._lines, 256))
        if not chunk:
            return False
        self.lines += len(chunk)
        self._buffer = self._buffer[self._pos:] + (self._ending.join(chunk) + self._ending).encode("utf-8")
        self._pos = 0
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            while self._fill():
                pass
            size = len(self._buffer) - self._pos
        while len(self._buffer) - self._pos < size and self._fill():
            pass
        out = self._buffer[self._pos:self._pos + size]
        self._pos += len(out)
        return out

    def readable(self) -> bool:
        return True


# -- progress ----------------------------------------------------------------------------------
@contextmanager
def rich_progress(enabled: bool):
    """A progress callback drawing a rich bar with articles/s on stderr, or None when disabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)
    from rich.text import Text

    class Rate(ProgressColumn):
        """Articles per second (rich's moving average)."""

        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.1f} articles/s" if speed else "- articles/s", style="progress.data.speed")

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), Rate(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console, transient=True,
    )
    task = bar.add_task("extract", total=None)

    def update(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update

"""Documents in, records out: the extraction step of a build, streamed.

`extract_all` reads documents lazily, takes each article's record from the build cache when
its content and the pipeline are unchanged, sends only the others to an engine (this process,
a process pool, Ray), and returns the records in input order. No spaCy Doc outlives its batch.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path

from kg import config
from kg.build.cache import RecordCache, pipeline_version
from kg.build.engines import check_engine, make_engine
from kg.build.worker import settle_heap, thaw_heap
from kg.documents import JSONL_SUFFIXES, iter_input_files, read_documents
from kg.errors import InputError, KGError
from kg.records import ArticleRecord, Document

#: progress callback: (articles done, articles expected or None)
Progress = Callable[[int, "int | None"], None]


# -- documents in ----------------------------------------------------------------------------
def stream_documents(paths: list[Path], errors: list[str]) -> Iterator[Document]:
    """Readable documents in input order; each bad input or duplicate id becomes an error line."""
    return unique_documents(read_documents(paths), errors)


def unique_documents(items: Iterable[Document | InputError], errors: list[str]) -> Iterator[Document]:
    """The documents of `items`, each id once; an InputError or a duplicate id becomes an error line."""
    seen: dict[str, str] = {}
    for item in items:
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
    documents: Iterable[Document] | None = None,
) -> list[ArticleRecord]:
    """The record of every readable document under `paths` (or of `documents`), in input order.

    With `cache_dir`, records of unchanged articles come from the build cache and new ones are
    added to it batch by batch (an interrupted build keeps what it finished).
    """
    check_engine(engine, workers, address)
    stats = stats if stats is not None else ExtractStats()
    total = count_documents(paths) if progress and documents is None else None
    source = stream_documents(paths, errors) if documents is None else unique_documents(documents, errors)
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
            for batch in _batches(source, batch_size):
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
            runner = stack.enter_context(closing(make_engine(engine, model, workers, address, batch_size)))
            for batch, records in runner.map(itertools.chain([first], work)):
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

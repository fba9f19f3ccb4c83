"""Where extraction runs: in this process, in a pool of worker processes, or on a Ray cluster.

Every engine maps batches of documents to their article records. Extraction is a pure function
of the document (and the spaCy parse is batch-invariant), so the engine changes speed, never the
records: a build gives the same bytes with any engine and any number of workers.

Each worker (process or Ray actor) loads the spaCy model once, by name; no spaCy object ever
crosses a process boundary. Records come back with their document text left out (the driver has
the documents) to keep the traffic small.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Protocol

from kg.build.ray_engine import RayEngine, import_ray
from kg.build.worker import (Batch, extract_batch, freeze_heap, prepare_process, prepare_worker, thaw_heap,
                             without_text)
from kg.errors import ConfigError, KGError
from kg.records import ArticleRecord

ENGINES = ("local", "ray")
#: documents per task sent to a worker process: small, so no worker idles long at the end
POOL_CHUNK = 16


class Engine(Protocol):
    """Turns batches of documents into their records; batches may complete in any order."""

    def map(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[ArticleRecord]]]: ...

    def close(self) -> None: ...


class LocalEngine:
    """Extraction in this process. The model is loaded at the first batch, not before; the
    start-up heap is frozen for the collector while the engine runs (`freeze_heap`)."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.froze = False

    def map(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[ArticleRecord]]]:
        for batch in batches:
            if not self.froze:
                prepare_process(self.model)
                freeze_heap()
                self.froze = True
            yield batch, extract_batch(batch, self.model)

    def close(self) -> None:
        if self.froze:  # a library caller's own objects were frozen too: hand them back
            thaw_heap()
            self.froze = False


# -- worker processes ------------------------------------------------------------------------
_worker_model: str | None = None
_worker_error: KGError | None = None


def _init_worker(model: str) -> None:
    """Load the model once per worker process; a failure is reported by the first batch."""
    global _worker_model, _worker_error
    _worker_model = model
    try:
        prepare_worker(model)
    except KGError as exc:
        _worker_error = exc


def _worker_batch(docs: Batch) -> list[ArticleRecord]:
    if _worker_error is not None:
        raise _worker_error
    assert _worker_model is not None
    return without_text(extract_batch(docs, _worker_model))


class PoolEngine:
    """Extraction in `workers` processes (spawned, so nothing inherited can deadlock them).

    Batches are cut into tasks of POOL_CHUNK documents, at most two per worker in flight, so
    documents stream in, memory stays flat, and the workers finish together.
    """

    def __init__(self, model: str, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(model,),
        )

    def map(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[ArticleRecord]]]:
        pending: dict[Future, Batch] = {}
        source = (batch[i:i + POOL_CHUNK] for batch in batches for i in range(0, len(batch), POOL_CHUNK))
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * self.workers:
                batch = next(source, None)
                if batch is None:
                    exhausted = True
                    break
                pending[self._pool.submit(_worker_batch, batch)] = batch
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                batch = pending.pop(future)
                try:
                    records = future.result()
                except BrokenProcessPool:
                    raise KGError(
                        f"an extraction worker process died (out of memory?) while extracting {batch[0].source} "
                        f"and {len(batch) - 1} more; try fewer --workers"
                    ) from None
                yield batch, [replace(r, doc=d) for r, d in zip(records, batch)]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def check_engine(engine: str, workers: int | None, address: str | None) -> None:
    """Fail on bad engine options before any work."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: must be at least 1")
    if address and engine != "ray":
        raise ConfigError(f"--address {address} is for --engine ray; add --engine ray or drop --address")
    if engine == "ray":
        import_ray()


def make_engine(engine: str, model: str, workers: int | None, address: str | None, batch_size: int) -> Engine:
    """The engine a build asked for (workers None: 1 locally, every CPU of a Ray cluster)."""
    check_engine(engine, workers, address)
    if engine == "ray":
        return RayEngine(model, workers, address, batch_size)
    if (workers or 1) == 1:
        return LocalEngine(model)
    return PoolEngine(model, workers or 1)

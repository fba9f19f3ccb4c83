"""Where extraction runs: in this process, in a pool of worker processes, or on a Ray cluster.

Every engine maps batches of documents to their article records. Extraction is a pure function
of the document (and the spaCy parse is batch-invariant), so the engine changes speed, never the
records: a build gives the same bytes with any engine and any number of workers.

Each worker (process or Ray actor) loads the spaCy model once, by name; no spaCy object ever
crosses a process boundary. Records come back with their document text left out (the driver has
the documents) to keep the traffic small.
"""
from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import Protocol

from kg.errors import ConfigError, KGError
from kg.records import ArticleRecord, Document

Batch = list[Document]

ENGINES = ("local", "ray")
#: documents per Ray dataset: bounds the driver's memory; each window starts a fresh actor pool
RAY_WINDOW = 50_000
#: documents per task sent to a worker process: small, so no worker idles long at the end
POOL_CHUNK = 16


class Engine(Protocol):
    """Turns batches of documents into their records; batches may complete in any order."""

    def map(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[ArticleRecord]]]: ...

    def close(self) -> None: ...


_prepared: set[str] = set()


#: glibc's mallopt parameters (malloc.h) and the values an extracting process sets
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_KEEP_FREED = 128 << 20  # bytes of freed heap kept for the next batch before any is returned
_MMAP_FROM = 32 << 20  # only blocks this large get their own mapping


def keep_freed_memory() -> bool:
    """Let glibc's malloc keep freed memory for the next batch instead of handing it back to the
    system. Each batch's parse allocates and frees the same large arrays; in an extracting
    process (whose extraction allocates in between) malloc kept returning that memory and
    faulting it in again: 4 times the page faults of a bare `nlp.pipe` and 3 ms of system time
    per article, about 3 % of the parse. False where the C library is not glibc (no change)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_FROM)) and bool(mallopt(_M_TRIM_THRESHOLD, _KEEP_FREED))


def prepare_process(model: str) -> None:
    """Load what extraction needs in this process (the model, the gazetteer), once."""
    if model in _prepared:
        return
    keep_freed_memory()
    from kg.gazetteer import gazetteer
    from kg.nlp import load_pipeline

    collecting = gc.isenabled()
    gc.disable()  # loading makes a few hundred thousand objects that all stay: each collection
    try:          # on the way would walk them for nothing (`freeze_heap` collects once, after)
        load_pipeline(model)
        gazetteer()
    finally:
        if collecting:
            gc.enable()
    _prepared.add(model)


def freeze_heap() -> None:
    """Move everything loaded so far (the model, the gazetteer) into the garbage collector's
    permanent generation. These objects live as long as the process, yet every full collection
    would walk all of them again (a few hundred thousand); frozen, they are skipped."""
    gc.collect()
    gc.freeze()


def settle_heap() -> None:
    """After a batch: collect what the batch left behind, then freeze what survived (its records,
    which the driver keeps to the end of the build). Each collection then walks only the objects
    made since the last batch; without this, every full collection walked all records so far,
    which cost a 1000-article build about as much as its resolution (0.4 s)."""
    freeze_heap()  # the same two steps as at start-up, for another reason


def thaw_heap() -> None:
    """Hand every frozen object back to the collector (at the end of extraction)."""
    gc.unfreeze()


def _prepare_worker(model: str) -> None:
    """A worker process or Ray actor (kg's own): the model and gazetteer loaded, and the start-up
    heap frozen for good."""
    prepare_process(model)
    freeze_heap()


def extract_batch(docs: Batch, model: str) -> list[ArticleRecord]:
    """Parse and extract one batch in this process (the model is loaded once per process)."""
    from kg.extract import extract_many
    from kg.nlp import load_pipeline

    nlp = load_pipeline(model)
    return list(extract_many(docs, nlp, batch_size=max(1, len(docs))))


def _strip(records: list[ArticleRecord]) -> list[ArticleRecord]:
    """Records without their document text, for the trip back to the driver."""
    return [replace(r, doc=replace(r.doc, text="")) for r in records]


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
        _prepare_worker(model)
    except KGError as exc:
        _worker_error = exc


def _worker_batch(docs: Batch) -> list[ArticleRecord]:
    if _worker_error is not None:
        raise _worker_error
    assert _worker_model is not None
    return _strip(extract_batch(docs, _worker_model))


class PoolEngine:
    """Extraction in `workers` processes (spawned, so nothing inherited can deadlock them).

    Batches are cut into tasks of POOL_CHUNK documents, at most two per worker in flight, so
    documents stream in, memory stays flat, and the workers finish together.
    """

    def __init__(self, model: str, workers: int) -> None:
        import multiprocessing

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


# -- Ray -------------------------------------------------------------------------------------
class RayExtractor:
    """A Ray Data actor: loads the model in its own process, then extracts batch after batch."""

    def __init__(self, model: str) -> None:
        self.model = model
        _prepare_worker(model)

    def __call__(self, batch: dict) -> dict:
        import json

        docs = [Document(**json.loads(d)) for d in batch["doc"]]
        records = _strip(extract_batch(docs, self.model))
        return {
            "i": batch["i"],
            "record": [json.dumps(r.to_dict(), ensure_ascii=False) for r in records],
        }


def _check_reachable(address: str) -> None:
    """Fail fast on a head address nothing listens at (ray.init would retry for minutes)."""
    import socket
    from urllib.parse import urlsplit

    if address == "auto":
        return
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port:
        raise ConfigError(f"--address {address!r}: expected HOST:PORT (e.g. 10.0.0.5:6379) or ray://HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=10).close()
    except OSError as exc:
        raise ConfigError(
            f"--address {address}: cannot reach a Ray head there ({exc.strerror or exc}); "
            "start one with `ray start --head` or check the address"
        ) from None


def _quiet_ray_data() -> None:
    """Ray Data's progress bars and per-dataset log lines would interleave with kg's own output."""
    import warnings

    for name in ("ray.data", "ray.data._internal.progress", "ray.data._internal.execution.streaming_executor",
                 "ray.data._internal.execution.operators.actor_pool_map_operator"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"ray\.data\..*")


def _root_cause(exc: BaseException) -> str:
    """The innermost "SomeError: message" line of a Ray error (its text nests the remote traceback)."""
    import re

    lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln).strip() for ln in str(exc).splitlines()]
    causes = [ln for ln in lines if re.match(r"^[\w.]*(Error|Exception): ", ln)]
    if causes:
        return re.sub(r"^[\w.]*\.(?=\w+: )", "", causes[-1])  # kg.errors.ModelError: -> ModelError:
    return next((ln for ln in lines if ln), type(exc).__name__)


def _import_ray():
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigError(
            "--engine ray needs Ray: pip install 'kg[ray]' (or pip install 'ray[data]>=2.10')"
        ) from None
    return ray


class RayEngine:
    """Extraction on a Ray cluster with Ray Data: `map_batches` over a fixed pool of actors.

    Connects to `address` (e.g. "ray://head:10001" or "head:6379"), to an already initialised
    Ray, or starts a local one. `workers` actors of one CPU each (None: one per CPU of the cluster).
    The driver (this process) reads the documents, and writes the cache and the output.
    """

    def __init__(self, model: str, workers: int | None, address: str | None, batch_size: int) -> None:
        ray = _import_ray()
        self.model = model
        self.batch_size = batch_size
        self._owns_ray = False
        if not ray.is_initialized():
            if address:
                _check_reachable(address)
            try:
                if address:
                    ray.init(address=address, include_dashboard=False, log_to_driver=False,
                             logging_level=logging.WARNING)
                else:
                    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False,
                             logging_level=logging.WARNING)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = f"the Ray cluster at {address}" if address else "a local Ray instance"
                raise ConfigError(f"cannot connect to {where}: {str(exc).splitlines()[0][:300]}") from None
            self._owns_ray = True
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, workers or cpus)
        ray.data.DataContext.get_current().enable_progress_bars = False
        _quiet_ray_data()

    def map(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[ArticleRecord]]]:
        """One Ray dataset per window of RAY_WINDOW documents, so the driver's memory stays bounded."""
        window: list[Document] = []
        for batch in batches:
            window.extend(batch)
            if len(window) >= RAY_WINDOW:
                yield from self._run(window)
                window = []
        if window:
            yield from self._run(window)

    def _run(self, docs: list[Document]) -> Iterator[tuple[Batch, list[ArticleRecord]]]:
        import json
        from dataclasses import asdict

        import ray.data
        import ray.exceptions

        items = [{"i": i, "doc": json.dumps(asdict(d), ensure_ascii=False)} for i, d in enumerate(docs)]
        # one block per batch, and at least one batch per actor (parses are batch-invariant)
        per_batch = max(1, min(self.batch_size, -(-len(items) // self.workers)))
        blocks = -(-len(items) // per_batch)
        ds = ray.data.from_items(items, override_num_blocks=blocks)
        out = ds.map_batches(
            RayExtractor,
            fn_constructor_args=(self.model,),
            batch_size=per_batch,
            compute=ray.data.ActorPoolStrategy(size=min(self.workers, blocks)),
            num_cpus=1,
        )
        try:
            for result in out.iter_batches(batch_size=per_batch, batch_format="numpy"):
                yield self._records(result, docs)
        except ray.exceptions.RayError as exc:
            raise KGError(f"extraction on Ray failed: {_root_cause(exc)[:500]} (are kg and the model "
                          f"{self.model!r} installed on every node? see docs/scale.md)") from None

    @staticmethod
    def _records(result: dict, docs: list[Document]) -> tuple[Batch, list[ArticleRecord]]:
        import json

        idx = [int(i) for i in result["i"]]
        records = [ArticleRecord.from_dict(json.loads(r)) for r in result["record"]]
        batch = [docs[i] for i in idx]
        return batch, [replace(r, doc=d) for r, d in zip(records, batch)]

    def close(self) -> None:
        if self._owns_ray:
            import ray

            ray.shutdown()


def check_engine(engine: str, workers: int | None, address: str | None) -> None:
    """Fail on bad engine options before any work."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: must be at least 1")
    if address and engine != "ray":
        raise ConfigError(f"--address {address} is for --engine ray; add --engine ray or drop --address")
    if engine == "ray":
        _import_ray()


def make_engine(engine: str, model: str, workers: int | None, address: str | None, batch_size: int) -> Engine:
    """The engine a build asked for (workers None: 1 locally, every CPU of a Ray cluster)."""
    check_engine(engine, workers, address)
    if engine == "ray":
        return RayEngine(model, workers, address, batch_size)
    if (workers or 1) == 1:
        return LocalEngine(model)
    return PoolEngine(model, workers or 1)

"""Extraction on a Ray cluster with Ray Data (`--engine ray`; needs the `ray` extra).

The driver (this process) reads the documents and writes the cache and the output; the cluster
only parses and extracts, in a fixed pool of actors that each load the model once. Documents go
out and records come back as JSON.
"""
from __future__ import annotations

import json
import logging
import re
import socket
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from types import ModuleType
from urllib.parse import urlsplit

from kg.build.worker import Batch, extract_batch, prepare_worker, without_text
from kg.errors import ConfigError, KGError
from kg.records import ArticleRecord, Document

#: documents per Ray dataset: bounds the driver's memory; each window starts a fresh actor pool
RAY_WINDOW = 50_000


class RayExtractor:
    """A Ray Data actor: loads the model in its own process, then extracts batch after batch."""

    def __init__(self, model: str) -> None:
        self.model = model
        prepare_worker(model)

    def __call__(self, batch: dict) -> dict:
        docs = [Document(**json.loads(d)) for d in batch["doc"]]
        records = without_text(extract_batch(docs, self.model))
        return {
            "i": batch["i"],
            "record": [json.dumps(r.to_dict(), ensure_ascii=False) for r in records],
        }


def _check_reachable(address: str) -> None:
    """Fail fast on a head address nothing listens at (ray.init would retry for minutes)."""
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
    for name in ("ray.data", "ray.data._internal.progress", "ray.data._internal.execution.streaming_executor",
                 "ray.data._internal.execution.operators.actor_pool_map_operator"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"ray\.data\..*")


def _root_cause(exc: BaseException) -> str:
    """The innermost "SomeError: message" line of a Ray error (its text nests the remote traceback)."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln).strip() for ln in str(exc).splitlines()]
    causes = [ln for ln in lines if re.match(r"^[\w.]*(Error|Exception): ", ln)]
    if causes:
        return re.sub(r"^[\w.]*\.(?=\w+: )", "", causes[-1])  # kg.errors.ModelError: -> ModelError:
    return next((ln for ln in lines if ln), type(exc).__name__)


def import_ray() -> ModuleType:
    """Ray with Ray Data, imported only for `--engine ray` (a heavy import and an optional extra)."""
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
        ray = import_ray()
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
        idx = [int(i) for i in result["i"]]
        records = [ArticleRecord.from_dict(json.loads(r)) for r in result["record"]]
        batch = [docs[i] for i in idx]
        return batch, [replace(r, doc=d) for r, d in zip(records, batch)]

    def close(self) -> None:
        if self._owns_ray:
            import ray

            ray.shutdown()

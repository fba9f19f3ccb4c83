"""What every extracting process does (this one, a pool worker, a Ray actor): load the model and
the gazetteer once, keep the garbage collector and malloc from redoing work, extract a batch.
"""
from __future__ import annotations

import ctypes
import gc
from dataclasses import replace

from kg.gazetteer import gazetteer
from kg.records import ArticleRecord, Document

Batch = list[Document]

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
    from kg.nlp import load_pipeline  # spaCy: imported only by a process that extracts

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


def prepare_worker(model: str) -> None:
    """A worker process or Ray actor (kg's own): the model and gazetteer loaded, and the start-up
    heap frozen for good."""
    prepare_process(model)
    freeze_heap()


def extract_batch(docs: Batch, model: str) -> list[ArticleRecord]:
    """Parse and extract one batch in this process (the model is loaded once per process)."""
    from kg.extract import extract_many  # spaCy: a fully cached build never imports it
    from kg.nlp import load_pipeline

    nlp = load_pipeline(model)
    return list(extract_many(docs, nlp, batch_size=max(1, len(docs))))


def without_text(records: list[ArticleRecord]) -> list[ArticleRecord]:
    """Records without their document text, for the trip back to the driver."""
    return [replace(r, doc=replace(r.doc, text="")) for r in records]

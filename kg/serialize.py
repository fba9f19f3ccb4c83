"""Writing graph files: quads -> Turtle, N-Triples, TriG, N-Quads or JSON-LD, atomically, via pyoxigraph.

Output is sorted, so the same graph gives the same bytes. Triple formats get the union of the
named graphs (duplicates removed); quad formats keep one graph per article.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

import pyoxigraph
from pyoxigraph import Quad, Triple

from kg import config
from kg.errors import ConfigError, KGError
from kg.namespaces import PREFIXES

#: the prefixes declared in Turtle, TriG and JSON-LD output. kgr: is left out: minted IRIs have
#: paths ("person/sergei-lavrov") that a prefixed name would have to write with escaped slashes;
#: full IRIs read better.
OUTPUT_PREFIXES = {k: v for k, v in PREFIXES.items() if k != "kgr"}


def _sort_key(t: Quad | Triple) -> tuple[str, ...]:
    return tuple(str(x) for x in t)


def format_for(name: str) -> tuple[pyoxigraph.RdfFormat, bool]:
    """(pyoxigraph format, keeps named graphs) for a --format name."""
    try:
        attr, _suffix, quads = config.FORMATS[name]
    except KeyError:
        raise ConfigError(f"unknown format {name!r}; choose one of: {', '.join(config.FORMATS)}") from None
    return getattr(pyoxigraph.RdfFormat, attr), quads


def serialize(quads: Iterable[Quad], fmt: str) -> bytes:
    """The graph in format `fmt` as bytes (sorted, deduplicated)."""
    rdf_format, keeps_graphs = format_for(fmt)
    if keeps_graphs:
        items: list = sorted(set(quads), key=_sort_key)
    else:
        items = sorted({Triple(q.subject, q.predicate, q.object) for q in quads}, key=_sort_key)
    if rdf_format in (pyoxigraph.RdfFormat.N_TRIPLES, pyoxigraph.RdfFormat.N_QUADS):
        data = pyoxigraph.serialize(items, format=rdf_format)
    else:
        data = pyoxigraph.serialize(items, format=rdf_format, prefixes=OUTPUT_PREFIXES)
    return data if data.endswith(b"\n") or not data else data + b"\n"


@contextmanager
def atomic_target(path: Path | None):
    """A binary file that becomes `path` on success (temp file + rename), or is copied to stdout."""
    if path is None:
        with tempfile.TemporaryFile() as fh:
            yield fh
            fh.seek(0)
            shutil.copyfileobj(fh, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        return
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make the output private
    except OSError as exc:
        raise KGError(f"{path}: cannot write output: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w+b") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise KGError(f"{path}: cannot write output: {exc.strerror or exc}") from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_atomic(data: bytes, path: Path | None) -> None:
    """Write to `path` through a temporary file and a rename (no half-written file), or to stdout."""
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with atomic_target(path) as fh:
        fh.write(data)

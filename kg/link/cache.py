"""A persistent answer cache (sqlite) so that a second run over the same names asks nothing.

Keys name the service and the question (endpoint + query, API URL + parameters, or one item's
details); values are JSON. Nothing expires: Wikidata facts change slowly, and a user who wants
fresh answers deletes the file or points --cache-dir elsewhere.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from kg.errors import LinkError

FILE_NAME = "wikidata.sqlite"


class AnswerCache:
    """key -> JSON value, in `<dir>/wikidata.sqlite`, or in memory when `directory` is None."""

    def __init__(self, directory: Path | None) -> None:
        self.path = None if directory is None else Path(directory) / FILE_NAME
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(":memory:" if self.path is None else str(self.path), check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise LinkError(f"{self.path}: cannot open the Wikidata cache: {exc}; "
                            "pass --cache-dir to use another directory") from None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM answers WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return json.loads(row[0])

    def put(self, key: str, value: Any) -> None:
        data = json.dumps(value, sort_keys=True, ensure_ascii=False)
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO answers (key, value) VALUES (?, ?)", (key, data))
            self._db.commit()

    def put_many(self, items: dict[str, Any]) -> None:
        rows = [(k, json.dumps(v, sort_keys=True, ensure_ascii=False)) for k, v in items.items()]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO answers (key, value) VALUES (?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()

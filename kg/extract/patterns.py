"""Pattern files (kg/data/patterns/*.json): spaCy Matcher and DependencyMatcher patterns as data.

A file holds a "lexicon" of named word lists and "token_patterns" / "dependency_patterns" groups;
a pattern refers to a word list as "$name". Loading checks every reference, so a typo in a data
file is a clear error, not a silently dead pattern.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any, Mapping

from kg.errors import ConfigError

DATA = resources.files("kg") / "data"
KINDS = ("token_patterns", "dependency_patterns")


def read_pattern_file(name: str) -> dict[str, Any]:
    """The raw JSON of kg/data/patterns/NAME."""
    path = DATA.joinpath("patterns", name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read pattern file kg/data/patterns/{name}: {exc} "
                          "(reinstall kg, or fix the file's JSON)") from None


def expand_patterns(raw: Mapping[str, Any], words: Mapping[str, list[str]], name: str) -> dict[str, dict]:
    """The pattern groups of `raw` with each "$list" replaced by `words[list]`."""

    def expand(obj: Any, where: str) -> Any:
        if isinstance(obj, dict):
            return {k: expand(v, where) for k, v in obj.items()}
        if isinstance(obj, list):
            return [expand(v, where) for v in obj]
        if isinstance(obj, str) and obj.startswith("$"):
            if obj[1:] not in words:
                raise ConfigError(f"kg/data/patterns/{name}: pattern {where!r} uses unknown word list {obj!r} "
                                  "(define it under \"lexicon\")")
            return list(words[obj[1:]])
        return obj

    return {kind: {group: [expand(spec, spec.get("name", group)) for spec in specs]
                   for group, specs in raw.get(kind, {}).items()}
            for kind in KINDS}

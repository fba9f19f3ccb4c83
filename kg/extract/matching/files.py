"""Pattern files (kg/data/patterns/*.json): spaCy Matcher and DependencyMatcher patterns as data.

A file holds a "lexicon" of named word lists and "token_patterns" / "dependency_patterns" groups;
a pattern refers to a word list as "$name". Loading checks every reference, so a typo in a data
file is a clear error, not a silently dead pattern.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping

from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG

from kg.errors import ConfigError

DATA = resources.files("kg") / "data"
KINDS = ("token_patterns", "dependency_patterns")
#: the token attributes a pattern may test: those a sentence's own Doc carries (see
#: `SentenceDocs`), plus every lexical attribute (IS_*, LIKE_*), which comes with the word
SENTENCE_ATTRS = (TAG, POS, MORPH, LEMMA, DEP, HEAD)
PATTERN_KEYS = {"ORTH", "TEXT", "LOWER", "LEMMA", "POS", "TAG", "DEP", "MORPH", "SHAPE", "LENGTH", "OP"}


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


@lru_cache(maxsize=None)
def load_patterns(name: str) -> dict:
    """A pattern file under kg/data/patterns/, with "$list" references replaced by its lexicon's
    lists, and the lexicon (under "lexicon") as frozensets."""
    raw = read_pattern_file(name)
    words = raw.get("lexicon", {})
    out: dict = expand_patterns(raw, words, name)
    out["lexicon"] = {k: frozenset(v) for k, v in words.items()}
    return out


def lexicon(name: str) -> dict[str, frozenset[str]]:
    """The named word lists of a pattern file."""
    return load_patterns(name)["lexicon"]


def check_sentence_attrs(where: str, elements: Iterable[Mapping[str, Any]], also: frozenset[str] = frozenset()) -> None:
    """Refuse a pattern that tests what a sentence Doc does not carry: it would silently never
    match. `also`: keys the caller provides itself (token patterns: "_")."""
    odd = sorted({k for el in elements for k in el
                  if k not in PATTERN_KEYS and k not in also and not k.startswith(("IS_", "LIKE_")) or k == "IS_SENT_START"})
    if odd:
        raise ConfigError(f"{where} tests {', '.join(odd)}; patterns are matched on the parse alone (per sentence, once per article) and may test only "
                          f"{', '.join(sorted(PATTERN_KEYS - {'OP'}))} and lexical flags (IS_*, LIKE_*)")

"""The pattern matching of one article, shared by the stages that match patterns."""
from __future__ import annotations

from functools import cached_property, lru_cache
from typing import Iterator

from kg.errors import ConfigError
from kg.extract.doc import ParsedDoc
from kg.extract.matching.files import load_patterns
from kg.extract.matching.sentences import SentenceDocs
from kg.extract.matching.tokens import EntityMark, token_matches
from kg.extract.matching.tree import DependencyGroup, Match, PatternNode, TreeIndex


@lru_cache(maxsize=None)
def dependency_groups(name: str) -> dict[str, DependencyGroup]:
    """All dependency-pattern groups of a pattern file (each is made once: it compiles its patterns)."""
    return {group: DependencyGroup(f"{name}/{group}", specs)
            for group, specs in load_patterns(name)["dependency_patterns"].items()}


def dependency_group(name: str, group: str) -> DependencyGroup:
    """The dependency patterns of one group of a pattern file."""
    groups = dependency_groups(name)
    if group not in groups:
        raise ConfigError(f"kg/data/patterns/{name} has no dependency-pattern group {group!r}")
    return groups[group]


class ArticleMatcher:
    """Matches patterns in one article. The tree matcher's index and the sentence Docs are made
    on first use and kept for the article's other pattern groups."""

    def __init__(self, parsed: ParsedDoc) -> None:
        self.parsed = parsed

    @cached_property
    def tree(self) -> TreeIndex:
        return TreeIndex(self.parsed)

    @cached_property
    def sentences(self) -> SentenceDocs:
        return SentenceDocs(self.parsed)

    def dependency(self, name: str, group: str) -> list[Match]:
        """The matches of a dependency-pattern group of pattern file `name`, in text order."""
        return dependency_group(name, group).matches(self.tree)

    def group(self, group: DependencyGroup) -> list[Match]:
        """The matches of a dependency-pattern group made elsewhere (say from claims' lexicon)."""
        return group.matches(self.tree)

    def tokens(self, name: str, group: str, marks: list[EntityMark]) -> Iterator[Match]:
        """The matches of a token-pattern group of pattern file `name`, in text order, over the
        entity marks of the entities resolved so far."""
        return token_matches(self.parsed, self.sentences, name, group, marks)

    def passing(self, node: PatternNode) -> frozenset[int]:
        """The tokens a one-token pattern (`one_token_node`) matches: a lookup in the tree
        matcher's index, where spaCy's Matcher would walk every token of every sentence."""
        return self.tree.candidates(node)

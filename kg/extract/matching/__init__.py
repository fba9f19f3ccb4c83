"""Pattern matching: pattern files, kg's tree matcher for dependency patterns, token patterns over
sentences that carry the resolved entities, and the per-article state they share.

- `files`: reading kg/data/patterns/*.json, expanding "$list" references, checks;
- `needs`: which patterns the words of an article or sentence make possible;
- `tree`: dependency patterns (kg's tree matcher, spaCy's DependencyMatcher for the rest);
- `sentences`: sentences as Docs of their own, for spaCy's token Matcher;
- `tokens`: token patterns over sentences whose tokens carry kg's entity types;
- `article`: `ArticleMatcher`, one per article, through which the stages match.
"""
from __future__ import annotations

from kg.extract.matching.article import ArticleMatcher, dependency_group, dependency_groups
from kg.extract.matching.files import (DATA, check_sentence_attrs, expand_patterns, lexicon, load_patterns,
                                      read_pattern_file)
from kg.extract.matching.needs import NeedsIndex, token_pattern_needs
from kg.extract.matching.tokens import EntityMark
from kg.extract.matching.tree import DependencyGroup, Match, PatternNode, one_token_node

__all__ = ["DATA", "ArticleMatcher", "DependencyGroup", "EntityMark", "Match", "NeedsIndex", "PatternNode",
           "check_sentence_attrs", "dependency_group", "dependency_groups", "expand_patterns", "lexicon",
           "load_patterns", "one_token_node", "read_pattern_file", "token_pattern_needs"]

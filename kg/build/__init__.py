"""Building the graph: options, the main job, and what it runs on (cache, engines, sorted output)."""
from __future__ import annotations

from kg.build.job import (BuildOptions, BuildReport, Prepared, build_graph, build_quads, check_base,
                          default_build_cache, iter_graphs, link_settings, prepare)

__all__ = [
    "BuildOptions", "BuildReport", "Prepared", "build_graph", "build_quads", "check_base",
    "default_build_cache", "iter_graphs", "link_settings", "prepare",
]

"""Building the graph: what to build (options), the main job, and what it runs on.

- `options`: BuildOptions, BuildReport, the checks made before any work
- `job`: extract, resolve, link, map to quads, write (`build_graph`)
- `incremental`, `state`, `changes`: builds into a store that add to it (the records already built
  into the store, digests of what was written, what to send; docs/identity.md)
- `extraction`: documents in, records out, from the build cache or an engine
- `cache`: the build cache (records by article content and pipeline version)
- `engines`, `ray_engine`, `worker`: where extraction runs (this process, a pool, Ray)
- `sorted_writer`: the graph file written from a stream of quads (an external sort)
- `progress`: the progress bar of `kg build`
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.build.options import BuildOptions, BuildReport, check_base, default_build_cache, link_settings

if TYPE_CHECKING:
    from kg.build.job import Prepared, build_graph, build_quads, iter_graphs, prepare

__all__ = [
    "BuildOptions", "BuildReport", "Prepared", "build_graph", "build_quads", "check_base",
    "default_build_cache", "iter_graphs", "link_settings", "prepare",
]


def __getattr__(name: str) -> Any:
    """`from kg.build import build_graph` imports the main job here, at first use. A worker process
    or Ray actor imports kg.build.engines (so this package) but never runs the job, and so never
    loads the RDF stack (pyoxigraph: 14 MB and 0.15 s in each worker, as before the move)."""
    if name in __all__:  # the options' names are bound above; only the job's come here
        from kg.build import job

        return getattr(job, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""`kg viz`: a kg graph as one self-contained HTML page to explore it in a browser, offline.

data.py turns the graph into the page's data through SPARQL (queries/*.rq) on any kg store;
page.py puts that data, the page's code (web/) and the vendored graph library into one file.
"""
from __future__ import annotations

from kg.viz.data import graph_data
from kg.viz.page import VizReport, render_page, write_viz

__all__ = ["VizReport", "graph_data", "render_page", "write_viz"]

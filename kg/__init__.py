"""kg: news articles to a linked, queryable RDF knowledge graph."""
from __future__ import annotations

__version__ = "0.1.0"

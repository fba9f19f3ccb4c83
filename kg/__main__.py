"""`python -m kg` runs the same CLI as the `kg` command."""
from __future__ import annotations

from kg.cli import main

main()

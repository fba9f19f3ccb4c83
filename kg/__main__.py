"""`python -m kg` runs the same CLI as the `kg` command."""
from __future__ import annotations

from kg.cli import main

if __name__ == "__main__":  # not when a spawned worker process re-imports the main module
    main()

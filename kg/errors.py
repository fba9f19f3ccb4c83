"""One exception root for every user-facing failure, each mapped to an exit code by the CLI."""
from __future__ import annotations


class KGError(Exception):
    """Root of all kg errors. `exit_code` is what the CLI exits with."""

    exit_code = 1


class InputError(KGError):
    """An input document is missing, unreadable, empty, binary, too large or malformed."""

    exit_code = 2


class FetchError(InputError):
    """A URL was not fetched or is not an article: robots.txt, an HTTP error, a timeout, not HTML,
    too large. `transient` failures (timeouts, 429/5xx, lost connections) are worth another try."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class ConfigError(KGError):
    """A setting or option is wrong (unknown model, bad base IRI, bad format name)."""

    exit_code = 3


class ModelError(ConfigError):
    """The spaCy pipeline cannot be loaded."""


class StoreError(KGError):
    """A store or SPARQL server failed or refused a request."""

    exit_code = 4


class QueryError(KGError):
    """A saved or ad-hoc query is unknown, malformed or got bad parameters."""

    exit_code = 5


class LinkError(KGError):
    """Entity linking against Wikidata (or a mirror) failed."""

    exit_code = 6

"""Credentials for SPARQL servers, and keeping them out of messages.

Never on the command line: they come from KG_SPARQL_TOKEN, KG_SPARQL_USER/KG_SPARQL_PASSWORD
(KG_SPARQL_AUTH=basic|digest) or ~/.netrc, and a URL is redacted before any message shows it.
"""
from __future__ import annotations

import base64
import netrc
import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from kg.errors import ConfigError


def redact(url: str) -> str:
    """A URL without any user:password part, for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class Credentials:
    """Basic/digest user and password, or a bearer token. Never printed: repr hides the secret."""

    kind: str  # basic | digest | bearer
    user: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)

    def header(self) -> Optional[str]:
        if self.kind == "bearer":
            return f"Bearer {self.secret}"
        if self.kind == "basic":
            return "Basic " + base64.b64encode(f"{self.user}:{self.secret}".encode()).decode()
        return None  # digest is a challenge-response, done by a handler


def credentials_for(url: str, environ: Optional[Mapping[str, str]] = None) -> Optional[Credentials]:
    """Credentials from KG_SPARQL_TOKEN, KG_SPARQL_USER/KG_SPARQL_PASSWORD, else ~/.netrc (or $NETRC)."""
    env = os.environ if environ is None else environ
    token = env.get("KG_SPARQL_TOKEN")
    if token:
        return Credentials("bearer", secret=token)
    kind = env.get("KG_SPARQL_AUTH", "basic").lower()
    if kind not in ("basic", "digest"):
        raise ConfigError(f"KG_SPARQL_AUTH must be basic or digest, not {kind!r}")
    user = env.get("KG_SPARQL_USER")
    if user:
        return Credentials(kind, user, env.get("KG_SPARQL_PASSWORD", ""))
    host = urllib.parse.urlsplit(url).hostname or ""
    path = Path(env.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as exc:  # the parser's message may quote a secret: only say where
        raise ConfigError(f"{path}: cannot parse (line {exc.lineno}); fix it or set KG_SPARQL_USER") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if entry is None:
        return None
    login, _account, password = entry
    return Credentials(kind, login or "", password or "")

"""What went wrong with a request to a server: its HTTP status, the server's message, and
whether trying again may help (a transient fault) or not."""
from __future__ import annotations

import ast
import http.client
import socket
import urllib.error
from typing import Optional


def _clean_message(raw: object, limit: int = 400) -> str:
    """The server's message, short: decoded, whitespace collapsed, echoed request text cut off."""
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", "replace")
    else:
        text = str(raw)
    for marker in ("SPARQL query:", "SPARQL request:"):  # Virtuoso echoes the whole request
        if marker in text:
            text = text[: text.index(marker)]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wrapper_message(exc: Exception) -> str:
    """The response body inside a SPARQLWrapper exception (it only keeps it in its message)."""
    text = str(exc)
    marker = "Response:\n"
    if marker in text:
        raw = text.split(marker, 1)[1]
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw
        return _clean_message(value)
    return _clean_message(text)


def classify(exc: BaseException) -> tuple[Optional[int], str, bool]:
    """(HTTP status or None, message, transient?) for a failed request; transient faults are retried."""
    from SPARQLWrapper import SPARQLExceptions as SE

    codes = {
        SE.EndPointInternalError: 500, SE.QueryBadFormed: 400, SE.EndPointNotFound: 404,
        SE.Unauthorized: 401, SE.URITooLong: 414,
    }
    for cls, code in codes.items():
        if isinstance(exc, cls):
            return code, _wrapper_message(exc), code >= 500
    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = exc.read()
        except Exception:  # noqa: BLE001 - the body is only a nicety
            body = b""
        return exc.code, _clean_message(body or exc.reason), exc.code >= 500 or exc.code in (408, 429)
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, BaseException):
            return classify(reason)
        return None, _clean_message(reason), False
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return None, "timed out", True
    if isinstance(exc, ConnectionRefusedError):
        return None, "connection refused", True
    if isinstance(exc, (ConnectionError, http.client.HTTPException)):
        return None, f"connection lost ({type(exc).__name__}: {exc})".replace(" ()", ""), True
    if isinstance(exc, socket.gaierror):
        return None, f"cannot resolve the host name ({exc.strerror})", False
    if isinstance(exc, OSError):
        return None, f"{type(exc).__name__}: {exc}", True
    return None, "", False

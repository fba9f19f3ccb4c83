"""Real SPARQL servers for the tests: `oxigraph serve` and Virtuoso 7, on 127.0.0.1.

Each server gets free ports and a fresh temporary database directory, and is stopped (its
process only) when the test session or test is done. Outside CI a missing server binary makes
the test skip with a message naming the package to install; in CI (CI=true) it fails instead,
so these tests can never silently not run there.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(what: str, install: str) -> None:
    """Skip (locally) or fail (in CI) because a server is not installed."""
    message = f"{what} is not installed: {install}"
    if IN_CI:
        pytest.fail(f"{message} (CI must run the server tests)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A server process we started: where it answers and how to stop it."""

    name: str
    url: str  # what `kg --endpoint` takes
    probe: str  # a URL that answers 200 once the server is ready
    update_url: str  # where SPARQL updates go (for a test's own set-up and clean-up)
    command: list[str]
    directory: Path
    log: Path
    process: Optional[subprocess.Popen] = None
    extra: dict = field(default_factory=dict)

    def start(self, timeout: float = 90.0) -> "Server":
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.probe, timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout: float = 20.0) -> None:
        """Stop our process (SIGTERM, then SIGKILL); never touches any other process."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def kill(self) -> None:
        """Kill our process at once, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def update(self, text: str) -> None:
        """Send a SPARQL update straight to the server, past kg's code: a test's own set-up and
        clean-up must not depend on what it tests."""
        body = urllib.parse.urlencode({"update": text}).encode()
        request = urllib.request.Request(
            self.update_url, data=body, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        """DROP SILENT each named graph (an empty list sends nothing)."""
        graphs = list(graphs)
        if graphs:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def oxigraph_binary() -> Optional[str]:
    """The `oxigraph` CLI (PyPI package `oxigraph`): next to this Python first, then on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def oxigraph_server(directory: Path, port: Optional[int] = None) -> Server:
    """An `oxigraph serve` with its database in `directory` (not started yet)."""
    binary = oxigraph_binary()
    if binary is None:
        missing("The Oxigraph server", "pip install oxigraph (the PyPI package ships the `oxigraph` binary)")
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    return Server(
        "oxigraph",
        url,
        probe=url + "/query?query=" + urllib.parse.quote("ASK {}"),
        update_url=url + "/update",
        command=[binary, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"],
        directory=directory,
        log=directory / "oxigraph.log",
    )


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
DirsAllowed = ., {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def virtuoso_server(directory: Path) -> Server:
    """Virtuoso 7 (Debian package virtuoso-opensource) with a temporary database (not started yet)."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None:
        missing("OpenLink Virtuoso 7", "apt-get install virtuoso-opensource (virtuoso-t and isql-vt)")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=directory, sql_port=sql_port, http_port=http_port))
    url = f"http://127.0.0.1:{http_port}/sparql"
    server = Server(
        "virtuoso",
        url,
        probe=url + "?query=" + urllib.parse.quote("ASK {}"),
        update_url=url,
        command=[binary, "+foreground", "+configfile", str(ini)],
        directory=directory,
        log=directory / "virtuoso.out",
        extra={"isql": isql, "sql_port": sql_port},
    )
    return server


def grant_sparql_update(server: Server) -> None:
    """Let the anonymous SPARQL user update (the test database only: it lives in a temp dir)."""
    result = subprocess.run(
        [server.extra["isql"], f"127.0.0.1:{server.extra['sql_port']}", "dba", "dba",
         'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0 or "Error" in result.stdout + result.stderr:
        raise RuntimeError(f"isql-vt GRANT failed:\n{result.stdout}\n{result.stderr}")

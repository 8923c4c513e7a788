"""A real Virtuoso server on 127.0.0.1, for the tests (tests/virtuoso_server.py) and the
engine-growth benchmark (:mod:`benchmarks.engine_growth`).

The Debian package ``virtuoso-opensource`` brings ``virtuoso-t``, ``isql-vt`` and the
configuration ``/etc/virtuoso-opensource-7/virtuoso.ini``. :func:`start_virtuoso` runs that
configuration as it is, but for where it keeps its files (a fresh folder, so a fresh database
whose ``dba`` password is ``dba``), its two ports (free ones, on 127.0.0.1 only) and any
settings given (``NumberOfBuffers``, ``ResultSetMaxRows``, ...). A folder that already holds a
database (one a previous server loaded and checkpointed) is served as it is.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.endpoints import free_port, limited, proc_status

HOST = "127.0.0.1"
VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
PACKAGED_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
PACKAGED_DIR = "/var/lib/virtuoso-opensource-7/db"
MISSING = (
    "no Virtuoso: needs Debian's virtuoso-opensource "
    "(apt-get install virtuoso-opensource; .ci/run installs it)"
)
PASSWORD = "dba"  # the dba password of a database Virtuoso creates itself


def available() -> bool:
    """Whether the server, its SQL client and the packaged configuration are installed."""
    return Path(VIRTUOSO).is_file() and Path(ISQL).is_file() and PACKAGED_INI.is_file()


def configured(
    folder: Path, sql_port: int, http_port: int, settings: dict[str, str] | None = None
) -> str:
    """The packaged virtuoso.ini, keeping its files in ``folder``, listening on 127.0.0.1
    only on the two ports given (the SQL port is ``[Parameters]``'s, the HTTP port
    ``[HTTPServer]``'s: the first and second ``ServerPort`` of the file), with each of
    ``settings`` (name -> value) set where the file sets it."""
    text = PACKAGED_INI.read_text().replace(PACKAGED_DIR, str(folder))
    ports = iter([sql_port, http_port])
    text, found = re.subn(
        r"(?m)^ServerPort(\s*)=.*$", lambda m: f"ServerPort{m[1]}= {HOST}:{next(ports)}", text
    )
    if found != 2:
        raise ValueError(f"{PACKAGED_INI}: expected two ServerPort lines, found {found}")
    for name, value in (settings or {}).items():
        text, found = re.subn(rf"(?m)^{name}(\s*)=.*$", rf"{name}\g<1>= {value}", text, count=1)
        if not found:
            raise ValueError(f"{PACKAGED_INI} does not set {name}")
    return text


@dataclass
class Virtuoso:
    """One ``virtuoso-t +foreground`` over a database folder."""

    folder: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen[bytes]
    command: list[str]
    startup_s: float = 0.0  # until its HTTP server answered

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    def isql(self, *statements: str, timeout: float = 60) -> str:
        """Run SQL statements as ``dba`` through ``isql-vt`` (as the README does); its output.

        Raises:
            RuntimeError: isql-vt failed, or Virtuoso answered an error.
        """
        command = [ISQL, f"{HOST}:{self.sql_port}", "dba", PASSWORD]
        command += [f"EXEC={statement}" for statement in statements]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt {statements}: {done.stdout}{done.stderr}")
        return done.stdout

    def bulk_load(self, path: Path, timeout: float = 1800) -> None:
        """Load an N-Quads file with Virtuoso's bulk loader (its folder must be in
        ``DirsAllowed``), then checkpoint."""
        folder, name = str(path.resolve().parent), path.name
        self.isql(
            f"ld_dir('{folder}', '{name}', 'urn:filmgraph:unused');",
            "rdf_loader_run();",
            "checkpoint;",
            timeout=timeout,
        )

    def peak_mb(self) -> float:
        """The server's peak resident memory so far (VmHWM), in MB."""
        return proc_status(self.process.pid).get("VmHWM", 0) / 1024

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", "/sparql?query=ASK%7B%7D")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def start_virtuoso(
    folder: Path,
    settings: dict[str, str] | None = None,
    timeout: float = 60,
    limit_mb: int | None = None,
) -> Virtuoso:
    """A started server over the database in ``folder`` (a fresh one if there is none), in
    a session of its own, its address space limited to ``limit_mb`` if given.

    Raises:
        RuntimeError: it exited, or did not answer within ``timeout`` seconds (the message
            names its log).
    """
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(configured(folder, sql_port, http_port, settings))
    command = limited([VIRTUOSO, "+foreground", "+configfile", str(ini)], limit_mb)
    began = time.monotonic()
    with (folder / "stdout.log").open("ab") as log:
        process = subprocess.Popen(
            command, cwd=folder, stdout=log, stderr=log, start_new_session=True
        )
    server = Virtuoso(folder, sql_port, http_port, process, command)
    deadline = began + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"virtuoso-t exited with {process.returncode}: see {folder}/virtuoso.log"
            )
        if _answers(http_port):
            server.startup_s = time.monotonic() - began
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"Virtuoso did not answer within {timeout} s: see {folder}/virtuoso.log")

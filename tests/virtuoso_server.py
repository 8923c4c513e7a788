"""A real Virtuoso server for tests/test_virtuoso.py: the second real store of the README.

The Debian package ``virtuoso-opensource`` (``.ci/run`` installs it) brings ``virtuoso-t`` and
its configuration ``/etc/virtuoso-opensource-7/virtuoso.ini``. The fixture runs the packaged
configuration as it is, but for where it keeps its files (a fresh folder, so a fresh database
whose ``dba`` password is ``dba``) and its two ports (free ones, on 127.0.0.1 only). The
module's tests skip where ``virtuoso-t`` is missing.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oxigraph_server import HOST, free_port

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
PACKAGED_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
PACKAGED_DIR = "/var/lib/virtuoso-opensource-7/db"
MISSING = (
    "no Virtuoso: these tests need Debian's virtuoso-opensource "
    "(apt-get install virtuoso-opensource; .ci/run installs it)"
)
PASSWORD = "dba"  # the dba password of a database Virtuoso creates itself
START_S = 60


def available() -> bool:
    return Path(VIRTUOSO).is_file() and Path(ISQL).is_file() and PACKAGED_INI.is_file()


def configured(folder: Path, sql_port: int, http_port: int) -> str:
    """The packaged virtuoso.ini, keeping its files in ``folder`` and listening on 127.0.0.1
    only, on the two ports given (the SQL port is ``[Parameters]``'s, the HTTP port
    ``[HTTPServer]``'s: the first and second ``ServerPort`` of the file)."""
    text = PACKAGED_INI.read_text().replace(PACKAGED_DIR, str(folder))
    ports = iter([sql_port, http_port])
    text, found = re.subn(
        r"(?m)^ServerPort(\s*)=.*$", lambda m: f"ServerPort{m[1]}= {HOST}:{next(ports)}", text
    )
    assert found == 2, f"{PACKAGED_INI}: expected two ServerPort lines, found {found}"
    return text


@dataclass
class Virtuoso:
    """One ``virtuoso-t +foreground`` over a database folder."""

    folder: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    def isql(self, statement: str) -> str:
        """Run one SQL statement as ``dba`` through ``isql-vt`` (as the README does)."""
        done = subprocess.run(
            [ISQL, f"{HOST}:{self.sql_port}", "dba", PASSWORD, f"EXEC={statement}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and "Error" not in done.stdout, done.stdout + done.stderr
        return done.stdout

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(30)
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


def start_virtuoso(folder: Path) -> Virtuoso:
    """A started server over a fresh database in ``folder`` (skips where it is missing)."""
    if not available():
        pytest.skip(MISSING)
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(configured(folder, sql_port, http_port))
    log = (folder / "stdout.log").open("ab")
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=log,
        stderr=log,
    )
    log.close()
    server = Virtuoso(folder, sql_port, http_port, process)
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"virtuoso-t exited with {process.returncode}: see {folder}/virtuoso.log")
        if _answers(http_port):
            return server
        time.sleep(0.2)
    server.stop()
    pytest.fail(f"Virtuoso did not answer within {START_S} s: see {folder}/virtuoso.log")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()

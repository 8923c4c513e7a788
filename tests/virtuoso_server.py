"""A real Virtuoso server for tests/test_virtuoso.py: the second real store of the README.

``virtuoso``: the packaged configuration of Debian's ``virtuoso-opensource`` (``.ci/run``
installs it) over a fresh database on free ports of 127.0.0.1, started once for the module
and stopped after it (:func:`benchmarks.virtuoso.start_virtuoso`). It skips where Virtuoso
is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from benchmarks.virtuoso import MISSING, Virtuoso, available, start_virtuoso


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    if not available():
        pytest.skip(MISSING)
    try:
        server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()

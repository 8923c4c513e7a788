"""The growth benchmark runs end to end: ``python -m benchmarks.growth --quick --sizes 1000``
measures every step on every backend (rdflib memory, embedded Oxigraph, the Oxigraph server,
and filmgraph serve over the Oxigraph server as a remote store)
and finds the same number of rows for every query everywhere. The figures themselves are
in benchmarks/RESULTS.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = {
    "memory": "rdflib memory",
    "oxigraph": "embedded Oxigraph",
    "server": "Oxigraph server",
    "remote": "remote (Oxigraph server)",
}


def test_quick_growth_benchmark(tmp_path: Path) -> None:
    if not (Path(sys.executable).parent / "oxigraph").exists():
        pytest.skip("needs the Oxigraph server binary (the dev extra)")
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the servers' memory from /proc")
    raw = tmp_path / "growth.json"
    command = [sys.executable, "-m", "benchmarks.growth", "--quick", "--sizes", "1000"]
    command += ["--json", str(raw), "--work", str(tmp_path / "runs")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]

    report = done.stdout
    table = report[report.index("## 1k") : report.index("### Per query")]
    header = next(line for line in table.splitlines() if line.startswith("|"))
    for name in BACKENDS.values():
        assert f" {name} |" in header, header  # a column for each backend
    for metric in ("load s", "query mix: sum of medians, ms", "HTTP req/s (c=4)"):
        row = next(line for line in table.splitlines() if line.startswith(f"| {metric} "))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert all(c not in ("", "-") for c in cells[1:5]), row  # a figure for each backend
    assert "every backend returned the same number of rows" in report
    assert "## Targets" in report

    found = json.loads(raw.read_text())
    (size,) = found["sizes"]
    assert size["triples"]["asserted"] > 900 and size["triples"]["inferred"] > 0
    assert size["rows"]["mismatches"] == []
    for backend in BACKENDS:
        entry = size["backends"][backend]
        assert "failure" not in entry["load"], entry["load"]
        assert "failure" not in entry["http"], entry["http"]
        statuses = {r["status"] for r in entry["mix"]["queries"].values()}
        assert statuses == {"ok"}, entry["mix"]
        assert entry["http"]["level"]["requests"] > 0
        assert entry["http"]["level"]["errors"] == 0
        assert entry["http"]["memory"]["tree_peak_mb"] > 0
    rows = size["rows"]["by_query"]
    assert set(rows) == set(found["queries"])
    for name, answers in rows.items():  # each query answered by every backend and server
        assert len(answers) == 8, (name, answers)

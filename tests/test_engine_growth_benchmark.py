"""The engine-growth benchmark runs end to end on small sizes: every query of its ladder and
of the mix is timed on both bare stores at both sizes, they find the same rows, and the
report's growth factors are the measured times' ratio over the data's. The figures
themselves are in benchmarks/RESULTS.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.engine_growth import STORES, queries

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def test_engine_growth_on_small_sizes(tmp_path: Path) -> None:
    raw = tmp_path / "engine.json"
    command = [sys.executable, "-m", "benchmarks.engine_growth", "--sizes", "1000,10000"]
    command += ["--repeat", "1", "--budget", "1", "--json", str(raw)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(raw.read_text())
    assert list(found) == ["1000", "10000"]
    small, large = found["1000"], found["10000"]
    assert 9 < large["quads"] / small["quads"] < 11  # ten times the data
    for name in queries():
        for size in found.values():  # the same rows on every store
            stores = [kind for kind in STORES if kind in size]
            assert len({size[kind]["queries"][name]["rows"] for kind in stores}) == 1, name
        assert large["memory"]["queries"][name]["rows"] > 0, name
    lines = done.stdout.splitlines()
    assert "Rows: every store found the same number for every query." in lines
    for name in ["load", *queries()]:
        for kind, label in STORES.items():
            expected = 1 if kind in small else 0  # virtuoso where it is installed
            assert sum(line.startswith(f"| {name} | {label} |") for line in lines) == expected
    scan = next(line for line in lines if line.startswith("| scan: count every triple | pyox"))
    best = [
        size["memory"]["queries"]["scan: count every triple"]["best_ms"] for size in (small, large)
    ]
    factor = best[1] / best[0]
    assert (
        scan.split("|")[-2].strip()
        == f"{factor:.1f}x / {factor / (large['quads'] / small['quads']):.2f}"
    )

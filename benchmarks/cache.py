"""Cold against warm start of the project's build, for both reasoners.

For each reasoner, in fresh subprocesses and a fresh, empty build folder:

``cold``
    ``filmgraph.pipeline.build(Settings(build_dir=TMP, reasoner=R))`` with no cache: it parses,
    runs the SHACL shapes and checks, reasons, and writes the cache;
``warm``
    the same call again: it finds the cache and reads the dataset back from it.

Only the ``build`` call is timed (``build s``); ``process s`` is the whole subprocess,
interpreter start and imports included. Each warm run must report a cache hit and return
as many quads as its cold run.

Usage::

    python -m benchmarks.cache [--repeat 3] [--reasoners owlrl,reasonable]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.reasoning import ROOT, code_fingerprint, code_version, markdown_table, peak_mb


def run_child(reasoner: str, build_dir: Path, result: Path) -> None:
    """Time one ``build`` (imports timed apart) and write what it did as JSON."""
    started = time.perf_counter()
    from filmgraph.core.progress import Step, Steps
    from filmgraph.core.settings import Settings
    from filmgraph.pipeline import build

    imports = time.perf_counter() - started
    steps: list[dict[str, Any]] = []

    class Recording(Steps):
        @contextlib.contextmanager
        def step(self, label: str) -> Iterator[Step]:
            current = Step(label)
            began = time.perf_counter()
            yield current
            steps.append(
                {"label": label, "seconds": time.perf_counter() - began, "detail": current.detail}
            )

    settings = Settings(build_dir=build_dir, reasoner=reasoner)
    started = time.perf_counter()
    dataset = build(settings, steps=Recording())
    seconds = time.perf_counter() - started
    cache = next((s["detail"] for s in steps if s["label"] == "reading the cache"), "")
    out = {
        "reasoner": reasoner,
        "imports_s": imports,
        "build_s": seconds,
        "peak_mb": peak_mb(),
        "quads": len(dataset),
        "cache": cache.split(":")[0],
        "cache_file_mb": settings.cache_file.stat().st_size / 2**20
        if settings.cache_file.exists()
        else 0.0,
        "steps": steps,
    }
    result.write_text(json.dumps(out), encoding="utf-8")


def child(reasoner: str, build_dir: Path, work: Path, name: str) -> dict[str, Any]:
    """Run one build in a fresh subprocess; its measurement plus the process's wall time."""
    result = work / f"{name}.json"
    command = [sys.executable, "-m", "benchmarks.cache", "--child", reasoner]
    command += ["--build-dir", str(build_dir), "--result", str(result)]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True)
    out = json.loads(result.read_text())
    out["process_s"] = time.perf_counter() - started
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the cold/warm benchmark (or, with ``--child``, one build)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reasoners", default="owlrl,reasonable", help="comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="cold/warm pairs (best kept)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--build-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_child(args.child, args.build_dir, args.result)
        return 0

    version, fingerprint = code_version(), code_fingerprint()
    rows, detail_rows, problems = [], [], []
    with tempfile.TemporaryDirectory(prefix="filmgraph-cache-bench-") as tmp:
        work = Path(tmp)
        for reasoner in [r.strip() for r in args.reasoners.split(",") if r.strip()]:
            pairs = []
            for attempt in range(args.repeat):
                build_dir = work / f"build-{reasoner}-{attempt}"  # empty: a cold start
                print(f"  {reasoner}: cold/warm pair {attempt + 1} ...", file=sys.stderr)
                cold = child(reasoner, build_dir, work, f"{reasoner}-{attempt}-cold")
                warm = child(reasoner, build_dir, work, f"{reasoner}-{attempt}-warm")
                if cold["cache"] != "missing" or warm["cache"] != "hit":
                    problems.append(f"{reasoner}: cold cache {cold['cache']}, warm {warm['cache']}")
                if cold["quads"] != warm["quads"]:
                    problems.append(f"{reasoner}: {cold['quads']} quads cold, {warm['quads']} warm")
                pairs.append((cold, warm))
            cold = min((c for c, _ in pairs), key=lambda r: r["build_s"])
            warm = min((w for _, w in pairs), key=lambda r: r["build_s"])
            rows.append(
                [
                    reasoner,
                    f"{cold['build_s']:.3f}",
                    f"{warm['build_s']:.3f}",
                    f"{cold['build_s'] / warm['build_s']:.1f}x",
                    f"{cold['process_s']:.2f}",
                    f"{warm['process_s']:.2f}",
                    f"{cold['peak_mb']:.0f}",
                    f"{warm['peak_mb']:.0f}",
                    f"{cold['quads']}",
                    f"{cold['cache_file_mb']:.2f}",
                ]
            )
            for when, run in (("cold", cold), ("warm", warm)):
                for step in run["steps"]:
                    detail = step["detail"].replace(str(work), "TMP")[:80]
                    detail_rows.append(
                        [reasoner, when, step["label"], f"{step['seconds']:.3f}", detail]
                    )

    print(f"\n## Build: cold against warm start (best of {args.repeat})\n")
    print(f"Code: {version}, src/filmgraph + ontology fingerprint {fingerprint}.\n")
    if code_fingerprint() != fingerprint:
        problems.append("src/filmgraph or the ontology changed during the run: mixed versions")
    header = ["reasoner", "cold build s", "warm build s", "cold / warm", "cold process s"]
    header += ["warm process s", "cold peak MB", "warm peak MB", "quads", "cache MB"]
    print(markdown_table(header, rows, right=set(range(1, 10))))
    print("\n## Steps\n")
    print(markdown_table(["reasoner", "start", "step", "seconds", "detail"], detail_rows, {3}))
    print("\n" + ("\n".join(f"PROBLEM: {p}" for p in problems) or "All warm runs were cache hits."))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

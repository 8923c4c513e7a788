"""The report of the growth benchmark (:mod:`benchmarks.growth`): a table per size with
ratios against the memory backend and the Oxigraph server, the per-query latencies, the
growth table (each cost's factor between sizes divided by the data's), and the issue's
targets, PASS or FAIL with the numbers."""

from __future__ import annotations

import argparse
import itertools
import json
import os
from typing import Any

from benchmarks.growth_plan import BACKENDS, ENGINE, SERVED_LIMIT_MB, TYPICAL
from benchmarks.load import Query
from benchmarks.reasoning import label, markdown_table


def _num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def mix_totals(mix: dict[str, Any]) -> dict[str, Any]:
    """Sum of medians and of p95s over the queries answered; timeouts and errors, named."""
    queries = mix.get("queries", {})
    ok = [r for r in queries.values() if r.get("status") == "ok"]
    return {
        "median_ms": sum(r["median_ms"] for r in ok) if ok else None,
        "p95_ms": sum(r["p95_ms"] for r in ok) if ok else None,
        "answered": len(ok),
        "timeouts": sorted(n for n, r in queries.items() if r.get("status") == "timeout"),
        "errors": sorted(n for n, r in queries.items() if r.get("status") == "error"),
    }


def metrics(size_found: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """The per-backend figures of one size that the tables compare, by metric."""
    rows: dict[str, dict[str, float | None]] = {}

    def put(metric: str, backend: str, value: float | None) -> None:
        rows.setdefault(metric, {})[backend] = value

    for backend, entry in size_found.get("backends", {}).items():
        load = entry.get("load", {})
        ok = "failure" not in load
        put("load s", backend, load.get("load_s") if ok else None)
        put("load peak MB", backend, load.get("peak_mb") if ok else None)
        totals = mix_totals(entry.get("mix", {}))
        put("query mix: sum of medians, ms", backend, totals["median_ms"])
        put("query mix: sum of p95, ms", backend, totals["p95_ms"])
        put("query mix: queries answered", backend, totals["answered"])
        put("query process peak MB", backend, entry.get("mix", {}).get("peak_mb") or None)
        http = entry.get("http", {})
        level = http.get("level") or {}
        served = "failure" not in http and level.get("requests")
        put("HTTP req/s (c=4)", backend, level.get("rps") if served else None)
        put("HTTP requests (whole passes of the mix)", backend, level.get("requests") or None)
        put("HTTP errors", backend, level.get("errors") if served else None)
        put("HTTP p50 ms", backend, level.get("p50_ms") if served else None)
        put("server start-up s", backend, http.get("startup_s") or None)
        memory = http.get("memory", {})
        put("server tree peak MB (start to end)", backend, memory.get("tree_peak_mb"))
        put("server tree peak MB (HTTP run)", backend, memory.get("phase_peak_mb", {}).get("http"))
    return rows


_DIGITS = {"MB": 0, "answered": 0, "errors": 0, "requests": 0, "ms": 1, "req/s": 1}


def _digits(metric: str) -> int:
    return next((d for key, d in _DIGITS.items() if key in metric), 2)


#: The ratios of the size tables: (backend, against, column title).
RATIOS = [
    ("oxigraph", "memory", "embedded / memory"),
    ("oxigraph", "server", "embedded / server"),
    ("memory", "server", "memory / server"),
    ("remote", "server", "remote / server"),
]


def size_table(found: dict[str, Any]) -> str:
    """One size: each metric per backend, with ratios against memory and the server."""
    rows = []
    for metric, values in metrics(found).items():
        digits = _digits(metric)
        cells = [_num(values.get(b), digits) for b in BACKENDS]
        cells += [_ratio(values.get(a), values.get(b)) for a, b, _ in RATIOS]
        rows.append([metric, *cells])
    header = ["", *BACKENDS.values(), *(title for _, _, title in RATIOS)]
    return markdown_table(header, rows, right=set(range(1, len(header))))


def query_table(found: dict[str, Any], mix: list[Query]) -> str:
    """One size: median and p95 per query and backend, and the rows (when they agree)."""
    rows = []
    for query in mix:
        cells = [query.name]
        for backend in BACKENDS:
            result = found["backends"][backend].get("mix", {}).get("queries", {}).get(query.name)
            if not result:
                cells += ["-", "-"]
            elif result["status"] != "ok":
                cells += [result["status"], "-"]
            else:
                cells += [_num(result["median_ms"], 1), _num(result["p95_ms"], 1)]
        answers = found["rows"]["by_query"].get(query.name, {})
        counts = sorted(set(answers.values()))
        if not counts:
            cells.append("-")
        else:
            cells.append(str(counts[0]) if len(counts) == 1 else "MISMATCH " + json.dumps(answers))
        rows.append(cells)
    header = ["query"]
    for name in BACKENDS.values():
        header += [f"{name} median ms", "p95"]
    return markdown_table([*header, "rows"], rows, right=set(range(1, len(header))))


def _by_role(values: dict[str, list[float]]) -> str:
    return "; ".join(
        f"{role} " + " + ".join(f"{mb:,.0f}" for mb in mbs) for role, mbs in values.items()
    )


def memory_notes(found: dict[str, Any]) -> list[str]:
    """What each load wrote and held; which process of each server holds what."""
    notes = []
    for backend, entry in found.get("backends", {}).items():
        load = entry.get("load", {})
        if "parse_s" in load:
            line = f"- {BACKENDS[backend]} load: parse {load['parse_s']:.2f} s, peak "
            line += f"{load['parse_peak_mb']:,.0f} MB"
            if "write_s" in load:
                line += f"; prepare_store {load['write_s']:.2f} s, peak {load['peak_mb']:,.0f} MB"
        elif backend == "remote":
            line = f"- {BACKENDS[backend]} load: `oxigraph load` of the named graphs and the "
            line += "ontology graph (what `filmgraph push --graphs all` leaves in a store)"
        else:
            line = f"- {BACKENDS[backend]} load: `oxigraph load` of the N-Quads (default graph too)"
        if "store_mb" in load:
            line += f"; store {load['store_mb']:,.0f} MB on disk"
        notes.append(line + ".")
    for backend, entry in found.get("backends", {}).items():
        http = entry.get("http", {})
        memory = http.get("memory", {})
        phases = ", ".join(f"{k} {v:,.0f}" for k, v in memory.get("phase_peak_mb", {}).items())
        line = f"- {http.get('target', backend)} memory, MB: peak per process (VmHWM) "
        line += (_by_role(memory.get("process_peak_mb", {})) or "-") + "; at the end "
        line += (_by_role(memory.get("process_last_mb", {})) or "-") + "; whole tree, sampled, "
        line += f"by phase: {phases or '-'}"
        if memory.get("tree_peak_upper_mb"):
            line += f" (sum of every process's peak: {memory['tree_peak_upper_mb']:,.0f})"
        line += "."
        level = http.get("level") or {}
        if level.get("requests"):
            passes = http["requests_planned"] // max(1, len(http.get("rows", {})) or 1)
            line += f" HTTP: {level['requests']} requests in {level['seconds']:.1f} s"
            line += f" ({passes} passes planned" + (", capped by time)" if level["capped"] else ")")
            line += f", after a warm-up pass of {http['warm_up_s']:.1f} s."
        if http.get("failure"):
            line += f" FAILED: {http['failure']}"
        if level.get("error_examples"):
            line += " Errors: " + "; ".join(level["error_examples"])[:300]
        if level.get("other_cpu") is not None:
            line += f" Other processes used {level['other_cpu']:.0%} of a core during the run."
        notes.append(line)
    return notes


def growth_costs(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The costs of one size that should grow at most linearly: name, backend, value, and
    why the value is only a lower bound (timeouts, errors, a failed or stopped server)."""
    reasoning = found.get("reasoning", {})
    costs = [
        {"cost": "reasoning s", "backend": "reasoning", "value": reasoning.get("reason_s")},
        {"cost": "reasoning peak MB", "backend": "reasoning", "value": reasoning.get("peak_mb")},
    ]
    table = metrics(found)
    backends = found.get("backends", {})
    for metric, cost in (
        ("load s", "load s"),
        ("load peak MB", "load peak MB"),
        ("query mix: sum of medians, ms", "query mix ms"),
        ("HTTP req/s (c=4)", "HTTP s/request"),
        ("server tree peak MB (start to end)", "server peak MB"),
    ):
        for backend, name in BACKENDS.items():
            value = table.get(metric, {}).get(backend)
            entry = backends.get(backend, {})
            why = ""
            if cost == "query mix ms":
                totals = mix_totals(entry.get("mix", {}))
                if totals["timeouts"] or totals["errors"]:
                    why = f"{len(totals['timeouts'])} timeouts, {len(totals['errors'])} errors"
            elif cost.startswith(("HTTP", "server")):
                name = entry.get("http", {}).get("target", name)
                if entry.get("http", {}).get("failure"):
                    why = "server failed"
                elif cost.startswith("HTTP") and (entry["http"].get("level") or {}).get("errors"):
                    why = f"{entry['http']['level']['errors']} HTTP errors"
                if cost.startswith("HTTP"):
                    value = 1 / value if value else None
            costs.append(
                {"cost": f"{cost}, {name}", "backend": backend, "value": value}
                | {"incomplete": why}
            )
    return costs


def growth(found: list[dict[str, Any]], tolerance: float) -> tuple[str, list[dict[str, Any]]]:
    """Each cost's factor between consecutive sizes, divided by the data's factor."""
    done = sorted((f for f in found if "triples" in f), key=lambda f: f["size"])
    pairs = list(itertools.pairwise(done))
    costs = [growth_costs(f) for f in done]
    rows: dict[str, list[str]] = {}
    records = []
    for (small, big), (before, after) in zip(pairs, itertools.pairwise(costs), strict=True):
        data_x = big["triples"]["total"] / small["triples"]["total"]
        for a, b in zip(before, after, strict=True):
            x, y = a["value"], b["value"]
            cost_x = y / x if x and y else None
            factor = cost_x / data_x if cost_x else None
            why = a.get("incomplete") or b.get("incomplete") or ""
            if factor is None:
                verdict = "not measured"
            elif factor > tolerance:
                verdict = "WORSE than linear"
            else:
                verdict = "linear or better" if factor <= 1 else "linear (within tolerance)"
            if why and factor is not None:
                verdict += f" ({why}: a lower bound)"
            records.append(
                {
                    "cost": a["cost"],
                    "backend": a["backend"],
                    "from": small["size"],
                    "to": big["size"],
                    "data_x": data_x,
                    "cost_x": cost_x,
                    "linear_factor": factor,
                    "incomplete": why,
                    "verdict": verdict,
                }
            )
            cell = "-" if factor is None else f"{cost_x:.1f}x / {factor:.2f}"
            rows.setdefault(a["cost"], [a["cost"]]).extend([cell, verdict])
    header = ["cost"]
    for small, big in pairs:
        header += [f"{label(small['size'])} -> {label(big['size'])}: cost x / linear", "verdict"]
    right = set(range(1, len(header), 2))
    return markdown_table(header, list(rows.values()), right=right), records


def _linear_check(records: list[dict[str, Any]], tolerance: float, what: str) -> dict[str, Any]:
    worse = [
        r for r in records if r["linear_factor"] is not None and r["linear_factor"] > tolerance
    ]
    unknown = [r for r in records if r["linear_factor"] is None or r["incomplete"]]
    if not records:
        verdict, detail = None, "100k and 1M not both measured"
    else:
        verdict = False if worse else (None if unknown else True)
        detail = "; ".join(f"{r['cost']} {r['linear_factor']:.2f}" for r in worse) or "none worse"
        if unknown:
            detail += "; incomplete or not measured: " + ", ".join(
                f"{r['cost']} ({r['incomplete'] or 'missing'})" for r in unknown
            )
    target = f"no step worse than linear from 100k to 1M (factor <= {tolerance:g}), {what}"
    return {"target": target, "pass": verdict, "detail": detail}


def targets(
    found: list[dict[str, Any]], records: list[dict[str, Any]], tolerance: float
) -> list[dict[str, Any]]:
    """The issue's three targets, each PASS, FAIL or not measured, with the numbers."""
    by_size = {f["size"]: f for f in found}
    out = []
    at100k = by_size.get(100_000)
    if at100k and "backends" in at100k:
        table = metrics(at100k)["HTTP req/s (c=4)"]
        ours, theirs = table.get("oxigraph"), table.get("server")
        ratio = ours / theirs if ours and theirs else None
        verdict = None if ratio is None else ratio >= 0.5
        detail = f"{_num(ours, 1)} req/s against {_num(theirs, 1)}: {_ratio(ours, theirs)}x"
    else:
        verdict, detail = None, "100k not measured"
    out.append(
        {
            "target": "filmgraph serve on embedded Oxigraph >= half the Oxigraph server's "
            "throughput at 100k",
            "pass": verdict,
            "detail": detail,
        }
    )
    last = [r for r in records if r["from"] == 100_000 and r["to"] == 1_000_000]
    ours = [r for r in last if r["backend"] in ("reasoning", "memory", "oxigraph", "remote")]
    out.append(_linear_check(ours, tolerance, "every filmgraph step (reasoning, every store)"))
    path = [r for r in last if r["backend"] in ("reasoning", "oxigraph")]
    out.append(_linear_check(path, tolerance, "on the Oxigraph path (reasoning, embedded store)"))
    at1m = by_size.get(1_000_000)
    if at1m and "backends" in at1m:
        http = at1m["backends"]["oxigraph"].get("http", {})
        memory = http.get("memory", {})
        peak = memory.get("tree_peak_mb")
        verdict = None if peak is None else (peak <= SERVED_LIMIT_MB and not http.get("failure"))
        parts = ", ".join(
            f"{role} {' + '.join(f'{mb:,.0f}' for mb in peaks)}"
            for role, peaks in memory.get("process_peak_mb", {}).items()
        )
        detail = f"tree peak {_num(peak, 0)} MB (per process, MB: {parts or '-'})"
        if http.get("failure"):
            detail += f"; {http['failure']}"
    else:
        verdict, detail = None, "1M not measured"
    out.append(
        {
            "target": f"1M triples served by filmgraph serve (embedded Oxigraph) within "
            f"{SERVED_LIMIT_MB} MB",
            "pass": verdict,
            "detail": detail,
        }
    )
    return out


def report(found: list[dict[str, Any]], mix: list[Query], args: argparse.Namespace) -> dict:
    """Print the tables; return the targets and growth records for the JSON."""
    print("# Growth: load, reasoning, queries, HTTP and memory by size\n")
    packages = ", ".join(f"{k} {v}" for k, v in args.versions.items())
    print(f"Machine: {os.cpu_count()} cores, shared. Code: {args.code}. {packages}.")
    print(
        f"Query mix: {len(mix)} queries ({len(TYPICAL)} typical + {len(mix) - len(TYPICAL)} "
        f"competency); up to {args.repeat} timed runs per query within {args.query_budget:g} s, "
        f"limit {args.query_timeout:g} s per run; in process (memory, embedded) a run is the "
        "engine's answer written as SPARQL JSON, as a query worker sends it (Answer.body); "
        "over HTTP (the Oxigraph server, and filmgraph serve over it as a remote store) its "
        f"HTTP answer, one request at a time. HTTP: concurrency {args.concurrency}, "
        f"{args.http_seconds:g} s per target, filmgraph result cache "
        + ("on." if args.result_cache else "off (every query evaluated).")
    )
    for size_found in found:
        size = size_found["size"]
        print(f"\n## {label(size)}\n")
        if "failure" in size_found:
            print(f"Not measured: {size_found['failure']}")
            continue
        t = size_found["triples"]
        r = size_found["reasoning"]
        print(
            f"Data: {t['asserted']:,} asserted + {t['inferred']:,} inferred = {t['total']:,} "
            f"triples. Reasoning ({ENGINE}, once for every backend): "
            + (
                f"{r['reason_s']:.2f} s, peak {r['peak_mb']:,.0f} MB"
                + (
                    f" (the child {r['child_peak_mb']:,.0f} MB + this process "
                    f"{r['parent_peak_mb']:,.0f} MB)"
                    if "child_peak_mb" in r
                    else f" (parse {r['load_s']:.2f} s)"
                )
                + (f", cached from {r.get('measured')}" if r.get("cached") else "")
                if "reason_s" in r
                else f"FAILED: {r.get('failure')} {r.get('detail', '')}"
            )
            + ".\n"
        )
        print(size_table(size_found))
        print()
        print("\n".join(memory_notes(size_found)))
        mismatches = size_found["rows"]["mismatches"]
        print(
            "\nRows: "
            + (
                "every backend returned the same number of rows for every query answered."
                if not mismatches
                else f"MISMATCH on {len(mismatches)} queries: {', '.join(mismatches)}."
            )
        )
        for backend, entry in size_found["backends"].items():
            totals = mix_totals(entry.get("mix", {}))
            for kind in ("timeouts", "errors"):
                if totals[kind]:
                    print(f"- {BACKENDS[backend]} {kind}: {', '.join(totals[kind])}")
            load = entry.get("load", {})
            if "failure" in load:
                print(f"- {BACKENDS[backend]} load failed: {load['failure']}")
        print(f"\n### Per query, {label(size)}\n")
        print(query_table(size_found, mix))
    table, records = growth(found, args.tolerance)
    print("\n## Growth (cost factor between sizes / data factor: 1.00 is linear)\n")
    print(table if records else "Needs two sizes measured.")
    checks = targets(found, records, args.tolerance)
    print("\n## Targets\n")
    for check in checks:
        verdict = {True: "PASS", False: "FAIL", None: "not measured"}[check["pass"]]
        print(f"- {check['target']}: **{verdict}** ({check['detail']})")
    return {"growth": records, "targets": checks}

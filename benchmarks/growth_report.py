"""The report of the growth benchmark (:mod:`benchmarks.growth`): a table per size with
ratios against the stores alone, the pages of filmgraph over a remote store, the per-query
latencies, the growth table (each cost's factor between sizes over the data's, beside its
engine alone's), and the targets, PASS or FAIL with the numbers."""

from __future__ import annotations

import argparse
import itertools
import json
import os
from typing import Any

from benchmarks.growth_plan import (
    BACKENDS,
    ENGINE,
    REMOTE_RESIDENT_MB,
    REMOTE_STARTUP_S,
    REMOTE_THROUGHPUT,
    SERVED_LIMIT_MB,
    STORES,
    TYPICAL,
)
from benchmarks.load import Query
from benchmarks.reasoning import label, markdown_table


def _num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def present(found: dict[str, Any]) -> list[str]:
    """The backends measured at one size, in table order."""
    return [b for b in BACKENDS if b in found.get("backends", {})]


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


def load_of(found: dict[str, Any], backend: str) -> dict[str, Any] | None:
    """The load shown in ``backend``'s column: its own (rdflib memory), or its store's if
    the column is that store's (:data:`~benchmarks.growth_plan.STORES`); None: it shares a
    store another column shows."""
    own = found.get("backends", {}).get(backend, {}).get("load")
    if own is not None:
        return dict(own)
    store = BACKENDS[backend].store
    if store is not None and STORES[store][0] == backend:
        return found.get("stores", {}).get(store)
    return None


def http_rate(found: dict[str, Any], backend: str) -> float | None:
    """Requests per second of ``backend``'s HTTP run, if it ran whole and served."""
    http = found.get("backends", {}).get(backend, {}).get("http", {})
    level = http.get("level") or {}
    return level.get("rps") if "failure" not in http and level.get("requests") else None


def metrics(size_found: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """The per-backend figures of one size that the tables compare, by metric."""
    rows: dict[str, dict[str, float | None]] = {}

    def put(metric: str, backend: str, value: float | None) -> None:
        rows.setdefault(metric, {})[backend] = value

    for backend in present(size_found):
        entry = size_found["backends"][backend]
        load = load_of(size_found, backend) or {}
        ok = load and "failure" not in load
        put("load s", backend, load.get("load_s") if ok else None)
        put("load peak MB", backend, load.get("peak_mb") if ok else None)
        put("store on disk MB", backend, load.get("store_mb") if ok else None)
        totals = mix_totals(entry.get("mix", {}))
        put("query mix: sum of medians, ms", backend, totals["median_ms"])
        put("query mix: sum of p95, ms", backend, totals["p95_ms"])
        put("query mix: queries answered", backend, totals["answered"])
        put("query process peak MB", backend, entry.get("mix", {}).get("peak_mb") or None)
        http = entry.get("http", {})
        level = http.get("level") or {}
        served = http_rate(size_found, backend) is not None
        put("HTTP req/s (c=4)", backend, level.get("rps") if served else None)
        put("HTTP requests (whole passes of the mix)", backend, level.get("requests") or None)
        put("HTTP errors", backend, level.get("errors") if served else None)
        put("HTTP p50 ms", backend, level.get("p50_ms") if served else None)
        put("server start-up s", backend, http.get("startup_s") or None)
        memory = http.get("memory", {})
        put("server tree peak MB (start to end)", backend, memory.get("tree_peak_mb"))
        put("server tree peak MB (HTTP run)", backend, memory.get("phase_peak_mb", {}).get("http"))
        put("its store's peak MB (remote)", backend, memory.get("store_peak_mb"))
    return rows


_DIGITS = {"MB": 0, "answered": 0, "errors": 0, "requests": 0, "ms": 1, "req/s": 1}


def _digits(metric: str) -> int:
    return next((d for key, d in _DIGITS.items() if key in metric), 2)


def ratios(backends: list[str]) -> list[tuple[str, str]]:
    """The ratio columns of a size table: each filmgraph backend against its store or engine
    alone, then embedded Oxigraph against rdflib memory and the Oxigraph server.

    >>> ratios(["oxigraph", "engine", "server", "remote"])
    [('oxigraph', 'engine'), ('remote', 'server'), ('oxigraph', 'server')]
    """
    pairs = [(b, alone) for b in backends if (alone := BACKENDS[b].alone) in backends]
    pairs += [("oxigraph", "memory"), ("oxigraph", "server"), ("memory", "server")]
    return [
        pair
        for i, pair in enumerate(pairs)
        if pair[0] in backends and pair[1] in backends and pair not in pairs[:i]
    ]


def size_table(found: dict[str, Any]) -> str:
    """One size: each metric per backend, with ratios against the stores alone."""
    backends = present(found)
    pairs = ratios(backends)
    rows = []
    for metric, values in metrics(found).items():
        if all(values.get(b) is None for b in backends):
            continue
        digits = _digits(metric)
        cells = [_num(values.get(b), digits) for b in backends]
        cells += [_ratio(values.get(a), values.get(b)) for a, b in pairs]
        rows.append([metric, *cells])
    header = ["", *(BACKENDS[b].label for b in backends), *(f"{a} / {b}" for a, b in pairs)]
    return markdown_table(header, rows, right=set(range(1, len(header))))


def pages_table(found: dict[str, Any]) -> str | None:
    """One size: filmgraph over each remote store, its start-up and pages (seconds, and the
    serve process's memory after each); None if no pages were measured."""
    backends = [b for b in present(found) if "pages" in found["backends"][b]]
    if not backends:
        return None
    pages = [found["backends"][b]["pages"] for b in backends]
    names = [
        name
        for name in dict.fromkeys(k for p in pages for k, v in p.items() if isinstance(v, dict))
        if name != "memory"
    ]
    rows = [
        ["serve: start-up until /health, s", *(_num(p.get("startup_s")) for p in pages)],
        ["serve: tree's resident memory at start-up, MB"]
        + [_num(p.get("startup_tree_mb"), 0) for p in pages],
        ["serve: main process peak at start-up, MB"]
        + [_num(p.get("startup_main_peak_mb"), 0) for p in pages],
    ]
    for name in names:
        cells = []
        for p in pages:
            page = p.get(name)
            if not page:
                cells.append("-")
                continue
            text = f"{page['seconds']:,.2f} (HTTP {page['status']}, {page['bytes'] / 1e6:,.1f} MB)"
            cells.append(text)
        rows.append([f"{name}, s", *cells])
        rows.append(
            [f"  main process peak after {name}, MB"]
            + [_num((p.get(name) or {}).get("main_peak_mb"), 0) for p in pages]
        )
        rows.append(
            [f"  tree's peak during {name}, MB (sampled)"]
            + [_num((p.get(name) or {}).get("tree_peak_mb"), 0) for p in pages]
        )
    rows.append(
        ["serve: tree's peak, whole run, MB"]
        + [_num(p.get("memory", {}).get("tree_peak_mb"), 0) for p in pages]
    )
    rows.append(["its store's peak (VmHWM), MB", *(_num(p.get("store_peak_mb"), 0) for p in pages)])
    header = ["", *(BACKENDS[b].label for b in backends)]
    notes = []
    for backend, p in zip(backends, pages, strict=True):
        name_of = BACKENDS[backend].label
        if "failure" in p:
            notes.append(f"- {name_of}: FAILED: {p['failure']}")
        for name in names:
            page = p.get(name) or {}
            if page and page.get("status") != 200:
                why = page.get("said") or p.get(f"{name} error") or "-"
                notes.append(f"- {name_of}, {name}: HTTP {page.get('status')}: {why}")
    table = markdown_table(header, rows, right=set(range(1, len(header))))
    return table + ("\n\n" + "\n".join(notes) if notes else "")


def query_table(found: dict[str, Any], mix: list[Query]) -> str:
    """One size: median and p95 per query and backend, and the rows (when they agree)."""
    backends = present(found)
    rows = []
    for query in mix:
        cells = [query.name]
        for backend in backends:
            result = found["backends"][backend].get("mix", {}).get("queries", {}).get(query.name)
            if not result:
                cells += ["-", "-"]
            elif result["status"] != "ok":
                cells += [result["status"], "-"]
            else:
                cells += [_num(result["median_ms"], 1), _num(result["p95_ms"], 1)]
        answers = found.get("rows", {}).get("by_query", {}).get(query.name, {})
        counts = sorted(set(answers.values()))
        if not counts:
            cells.append("-")
        else:
            cells.append(str(counts[0]) if len(counts) == 1 else "MISMATCH " + json.dumps(answers))
        rows.append(cells)
    header = ["query"]
    for backend in backends:
        header += [f"{BACKENDS[backend].label} median ms", "p95"]
    return markdown_table([*header, "rows"], rows, right=set(range(1, len(header))))


def _by_role(values: dict[str, list[float]]) -> str:
    return "; ".join(
        f"{role} " + " + ".join(f"{mb:,.0f}" for mb in mbs) for role, mbs in values.items()
    )


def memory_notes(found: dict[str, Any]) -> list[str]:
    """What each load wrote and held; which process of each server holds what."""
    notes = []
    memory_load = found.get("backends", {}).get("memory", {}).get("load")
    if memory_load and "failure" not in memory_load:
        notes.append(
            f"- rdflib memory load: parse {memory_load['load_s']:.2f} s, "
            f"peak {memory_load['peak_mb']:,.0f} MB."
        )
    for store, loaded in found.get("stores", {}).items():
        owner, how = STORES[store]
        line = f"- the {store} store ({how}; shown as {BACKENDS[owner].label}'s load): "
        if "failure" in loaded:
            line += f"FAILED: {loaded['failure']}"
        else:
            line += f"{loaded['load_s']:.2f} s, peak {loaded['peak_mb']:,.0f} MB"
            if "optimize_s" in loaded:
                line += f" (load {loaded['load_s'] - loaded['optimize_s']:.2f} s, "
                line += f"optimize {loaded['optimize_s']:.2f} s)"
            if loaded.get("store_mb"):
                line += f"; {loaded['store_mb']:,.0f} MB on disk"
        users = [BACKENDS[b].label for b in present(found) if BACKENDS[b].store == store]
        notes.append(line + f"; used by {', '.join(users)}.")
    for backend in present(found):
        http = found["backends"][backend].get("http", {})
        if not http:
            continue
        memory = http.get("memory", {})
        phases = ", ".join(f"{k} {v:,.0f}" for k, v in memory.get("phase_peak_mb", {}).items())
        line = f"- {http.get('target', backend)} memory, MB: peak per process (VmHWM) "
        line += (_by_role(memory.get("process_peak_mb", {})) or "-") + "; at the end "
        line += (_by_role(memory.get("process_last_mb", {})) or "-") + "; whole tree, sampled, "
        line += f"by phase: {phases or '-'}"
        if memory.get("tree_peak_upper_mb"):
            line += f" (sum of every process's peak: {memory['tree_peak_upper_mb']:,.0f})"
        if memory.get("store_peak_mb"):
            line += f"; the store it serves over: peak {memory['store_peak_mb']:,.0f}"
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


# ---------------------------------------------------------------- growth

#: The page costs that must grow at most linearly: name in the pages' record -> cost.
PAGE_COSTS = {
    "startup_s": "serve start-up s",
    "entity page": "entity page s",
    "explain": "explain s",
    "entity index": "entity index s",
    "export": "export s",
}


def _reference(cost: str, backend: str, found: dict[str, Any]) -> tuple[str, str] | None:
    """The cost of the engine alone that ``backend``'s ``cost`` is compared against: the
    same cost of its store or engine alone, or (HTTP, when the engine alone is not served)
    that engine's query mix; embedded Oxigraph's load against the Oxigraph server's."""
    if backend == "reasoning":
        return None
    alone = BACKENDS[backend].alone
    if cost == "load s" and backend == "oxigraph":
        return ("load s", "server")
    if alone is None or cost not in ("query mix ms", "HTTP s/request"):
        return None
    if cost == "HTTP s/request" and BACKENDS[alone].target is None:
        return ("query mix ms", alone)
    return (cost, alone)


def growth_costs(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The costs of one size whose growth is reported: key (cost, backend), name, value,
    why the value is only a lower bound (timeouts, errors, a failed or stopped server), and
    the key of its engine alone's cost (:func:`_reference`)."""
    reasoning = found.get("reasoning", {})
    failed = reasoning.get("failure", "")  # over the limit, a timeout
    costs = [
        {"key": ("reasoning s", "reasoning"), "value": reasoning.get("reason_s")},
        {"key": ("reasoning peak MB", "reasoning"), "value": reasoning.get("peak_mb")},
    ]
    for cost in costs:
        cost["incomplete"] = f"reasoning at {label(found['size'])} {failed}" if failed else ""
    table = metrics(found)
    backends = found.get("backends", {})
    for metric, cost in (
        ("load s", "load s"),
        ("load peak MB", "load peak MB"),
        ("query mix: sum of medians, ms", "query mix ms"),
        ("HTTP req/s (c=4)", "HTTP s/request"),
        ("server tree peak MB (start to end)", "server peak MB"),
    ):
        for backend in present(found):
            value = table.get(metric, {}).get(backend)
            entry = backends.get(backend, {})
            why = ""
            if cost == "query mix ms":
                totals = mix_totals(entry.get("mix", {}))
                if totals["timeouts"] or totals["errors"]:
                    why = f"{len(totals['timeouts'])} timeouts, {len(totals['errors'])} errors"
            elif cost.startswith(("HTTP", "server")):
                http = entry.get("http", {})
                if not http:
                    continue
                if http.get("failure"):
                    why = "server failed"
                elif cost.startswith("HTTP") and (http.get("level") or {}).get("errors"):
                    why = f"{http['level']['errors']} HTTP errors"
                if cost.startswith("HTTP"):
                    value = 1 / value if value else None
            elif load_of(found, backend) is None:
                continue  # a shared store: its owner's column has it
            costs.append({"key": (cost, backend), "value": value, "incomplete": why})
        for backend in present(found):
            pages = backends[backend].get("pages")
            if not pages:
                continue
            why = "pages failed" if "failure" in pages else ""
            for field, cost in PAGE_COSTS.items():
                value, failed = pages.get(field), why
                if isinstance(value, dict):
                    if value.get("status") != 200:
                        failed = failed or f"HTTP {value.get('status')}"
                    value = value.get("seconds") if value.get("status") == 200 else None
                costs.append({"key": (cost, backend), "value": value, "incomplete": failed})
            peak = pages.get("memory", {}).get("tree_peak_mb")
            costs.append({"key": ("serve peak MB, pages", backend), "value": peak})
    for entry in costs:
        entry.setdefault("incomplete", "")
        entry["reference"] = _reference(*entry["key"], found)
    return costs


def _name(key: tuple[str, str]) -> str:
    cost, backend = key
    return cost if backend == "reasoning" else f"{cost}, {BACKENDS[backend].label}"


def _verdict(
    factor: float | None, reference: float | None, backend: str, tolerance: float
) -> tuple[str, bool]:
    """A growth factor's verdict, and whether it is the engine's own growth."""
    if factor is None:
        return "not measured", False
    if factor <= 1:
        return "linear or better", False
    if factor <= tolerance:
        return "linear (within tolerance)", False
    if backend != "reasoning" and not BACKENDS[backend].filmgraph:
        return "worse than linear: the engine's own", True
    if reference is not None and reference > tolerance and factor / reference <= tolerance:
        return "worse than linear, as its engine alone", True
    return "WORSE than linear", False


def growth(found: list[dict[str, Any]], tolerance: float) -> tuple[str, list[dict[str, Any]]]:
    """Each cost's factor between consecutive sizes over the data's, beside the factor of
    its engine alone (:func:`_reference`) in the same run."""
    done = sorted((f for f in found if "triples" in f), key=lambda f: f["size"])
    pairs = list(itertools.pairwise(done))
    rows: dict[tuple[str, str], list[str]] = {}
    records = []
    for index, (small, big) in enumerate(pairs):
        data_x = big["triples"]["total"] / small["triples"]["total"]
        before = {c["key"]: c for c in growth_costs(small)}
        after = {c["key"]: c for c in growth_costs(big)}
        closures = small.get("closure", True) == big.get("closure", True)
        factors: dict[tuple[str, str], float | None] = {}
        both = set(small.get("backends", {})) & set(big.get("backends", {})) | {"reasoning"}
        for key in dict.fromkeys(k for k in [*before, *after] if k[1] in both):
            a, b = before.get(key, {}), after.get(key, {})
            x, y = a.get("value"), b.get("value")
            cost_x = y / x if x and y else None
            factors[key] = cost_x / data_x if cost_x else None
        for key, factor in factors.items():
            a, b = before.get(key, {}), after.get(key, {})
            why = a.get("incomplete") or b.get("incomplete") or ""
            if not closures and key[1] != "reasoning":  # reasoned on the same data
                why = "the closure at one size only: not comparable"
            ref_key = (b or a).get("reference")
            reference = factors.get(tuple(ref_key)) if ref_key else None
            verdict, engines = _verdict(factor, reference, key[1], tolerance)
            if why and factor is None:
                verdict += f" ({why})"
            elif why:
                verdict += f" ({why}: a lower bound)" if "comparable" not in why else f" ({why})"
            records.append(
                {
                    "cost": _name(key),
                    "backend": key[1],
                    "from": small["size"],
                    "to": big["size"],
                    "data_x": data_x,
                    "cost_x": factor * data_x if factor else None,
                    "linear_factor": factor,
                    "reference": _name(tuple(ref_key)) if ref_key else None,
                    "reference_factor": reference,
                    "engines": engines,
                    "incomplete": why,
                    "verdict": verdict,
                }
            )
            cell = "-" if factor is None else f"{factor * data_x:.1f}x / {factor:.2f}"
            ref = "" if reference is None else f"{reference:.2f} ({_name(tuple(ref_key))})"
            row = rows.setdefault(key, [_name(key)] + ["-", "", "-"] * len(pairs))
            row[1 + 3 * index : 4 + 3 * index] = [cell, ref, verdict]
    header = ["cost"]
    for small, big in pairs:
        span = f"{label(small['size'])} -> {label(big['size'])}"
        header += [f"{span}: cost x / linear", "its engine alone / linear", "verdict"]
    right = set(range(1, len(header), 3))
    return markdown_table(header, list(rows.values()), right=right), records


def query_growth(found: list[dict[str, Any]], mix: list[Query]) -> str | None:
    """Each query's growth between the two largest sizes (median, over the data's), on
    every backend measured at both: which queries grow, and on which engine."""
    done = sorted((f for f in found if "triples" in f), key=lambda f: f["size"])
    if len(done) < 2:
        return None
    small, big = done[-2:]
    data_x = big["triples"]["total"] / small["triples"]["total"]
    backends = [b for b in present(big) if b in small.get("backends", {})]
    rows = []
    for query in mix:
        cells = [query.name]
        for backend in backends:
            a, b = (
                f["backends"][backend].get("mix", {}).get("queries", {}).get(query.name, {})
                for f in (small, big)
            )
            if a.get("status") == "ok" and b.get("status") == "ok" and a["median_ms"] > 0:
                cells.append(f"{b['median_ms'] / a['median_ms'] / data_x:.2f}")
            else:
                cells.append(b.get("status", "-") if b.get("status") != "ok" else "-")
        rows.append(cells)
    header = ["query", *(BACKENDS[b].label for b in backends)]
    return markdown_table(header, rows, right=set(range(1, len(header))))


# ---------------------------------------------------------------- targets


def _linear_check(records: list[dict[str, Any]], tolerance: float, what: str) -> dict[str, Any]:
    worse = [r for r in records if r["verdict"].startswith("WORSE")]
    engines = [r for r in records if r["engines"]]
    unknown = [r for r in records if r["linear_factor"] is None or r["incomplete"]]
    span = "the two largest sizes"
    if records:
        span = f"{label(records[0]['from'])} to {label(records[0]['to'])}"
    target = (
        f"nothing grows worse than linearly from {span} (factor <= {tolerance:g}) but what "
        f"the engines alone do, {what}"
    )
    if not records:
        return {"target": target, "pass": None, "detail": "two sizes not measured"}
    verdict = False if worse else (None if unknown else True)
    detail = "; ".join(f"{r['cost']} {r['linear_factor']:.2f}" for r in worse) or "none worse"
    if engines:
        detail += "; as their engines alone: " + ", ".join(
            f"{r['cost']} {r['linear_factor']:.2f} (engine {r['reference_factor']:.2f})"
            for r in engines
        )
    if unknown:
        detail += "; incomplete or not measured: " + ", ".join(
            f"{r['cost']} ({r['incomplete'] or 'missing'})" for r in unknown
        )
    return {"target": target, "pass": verdict, "detail": detail}


def _largest(found: list[dict[str, Any]]) -> dict[str, Any] | None:
    done = [f for f in found if f.get("backends")]
    return max(done, key=lambda f: f["size"]) if done else None


def remote_targets(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 21's targets for filmgraph over a remote store at the largest size: start-up
    under 10 s, under 1 GB resident (its pages and its HTTP run), and at least 0.9x the
    store's own throughput (every size in the detail)."""
    largest = _largest(found)
    out: list[dict[str, Any]] = []
    if largest is None:
        return out
    at = label(largest["size"])
    for backend in (b for b in present(largest) if BACKENDS[b].pages):
        name = BACKENDS[backend].label
        entry = largest["backends"][backend]
        pages, http = entry.get("pages", {}), entry.get("http", {})
        startup = pages.get("startup_s")
        detail = f"{_num(startup)} s until /health (the pages' start)"
        if http.get("startup_s"):
            detail += f"; {http['startup_s']:.2f} s in the HTTP step"
        out.append(
            {
                "target": f"`serve` {name} starts in under {REMOTE_STARTUP_S:g} s at {at}",
                "pass": None if startup is None else startup < REMOTE_STARTUP_S,
                "detail": detail + (f"; {pages['failure']}" if "failure" in pages else ""),
            }
        )
        peaks = {
            "pages": pages.get("memory", {}).get("tree_peak_mb"),
            "HTTP run": http.get("memory", {}).get("tree_peak_mb"),
        }
        known = [v for v in peaks.values() if v is not None]
        failed = "failure" in pages or "failure" in http
        out.append(
            {
                "target": f"`serve` {name} stays under {REMOTE_RESIDENT_MB:,} MB resident "
                f"(its whole tree) at {at}",
                "pass": None if not known else (max(known) < REMOTE_RESIDENT_MB and not failed),
                "detail": "tree peak, MB: "
                + ", ".join(f"{k} {_num(v, 0)}" for k, v in peaks.items())
                + (" (a run failed)" if failed else ""),
            }
        )
        alone = BACKENDS[backend].alone
        assert alone is not None
        every = []
        for size_found in sorted(found, key=lambda f: f["size"]):
            ours, theirs = http_rate(size_found, backend), http_rate(size_found, alone)
            if ours and theirs:
                every.append(f"{label(size_found['size'])} {ours / theirs:.2f}x")
        ours, theirs = http_rate(largest, backend), http_rate(largest, alone)
        ratio = ours / theirs if ours and theirs else None
        out.append(
            {
                "target": f"{name} >= {REMOTE_THROUGHPUT:g}x the throughput of "
                f"{BACKENDS[alone].label} alone at {at}",
                "pass": None if ratio is None else ratio >= REMOTE_THROUGHPUT,
                "detail": f"{_num(ours, 2)} req/s against {_num(theirs, 2)}: "
                f"{_ratio(ours, theirs)}x (every size: {', '.join(every) or '-'})",
            }
        )
    return out


def targets(
    found: list[dict[str, Any]], records: list[dict[str, Any]], tolerance: float
) -> list[dict[str, Any]]:
    """The targets, each PASS, FAIL or not measured, with the numbers: issue 21's (growth
    up to the largest size but the engines', filmgraph over a remote store), and the first
    growth issue's where their sizes were measured (100k, 1M)."""
    by_size = {f["size"]: f for f in found}
    out = []
    sizes = sorted(f["size"] for f in found if "triples" in f)
    last = [r for r in records if sizes[-2:] == [r["from"], r["to"]]] if len(sizes) > 1 else []
    ours = [r for r in last if r["backend"] == "reasoning" or BACKENDS[r["backend"]].filmgraph]
    out.append(_linear_check(ours, tolerance, "every filmgraph step (reasoning, every store)"))
    path = [r for r in ours if r["backend"] in ("reasoning", "oxigraph")]
    out.append(_linear_check(path, tolerance, "on the embedded Oxigraph path"))
    out += remote_targets(found)
    at100k = by_size.get(100_000)
    if at100k and {"oxigraph", "server"} <= set(at100k.get("backends", {})):
        ours_rps, theirs = http_rate(at100k, "oxigraph"), http_rate(at100k, "server")
        ratio = ours_rps / theirs if ours_rps and theirs else None
        out.append(
            {
                "target": "filmgraph serve on embedded Oxigraph >= half the Oxigraph server's "
                "throughput at 100k",
                "pass": None if ratio is None else ratio >= 0.5,
                "detail": f"{_num(ours_rps, 1)} req/s against {_num(theirs, 1)}: "
                f"{_ratio(ours_rps, theirs)}x",
            }
        )
    at1m = by_size.get(1_000_000)
    if at1m and "oxigraph" in at1m.get("backends", {}):
        http = at1m["backends"]["oxigraph"].get("http", {})
        memory = http.get("memory", {})
        peak = memory.get("tree_peak_mb")
        parts = _by_role(memory.get("process_peak_mb", {}))
        detail = f"tree peak {_num(peak, 0)} MB (per process, MB: {parts or '-'})"
        if http.get("failure"):
            detail += f"; {http['failure']}"
        out.append(
            {
                "target": f"1M triples served by filmgraph serve (embedded Oxigraph) within "
                f"{SERVED_LIMIT_MB} MB",
                "pass": None
                if peak is None
                else (peak <= SERVED_LIMIT_MB and not http.get("failure")),
                "detail": detail,
            }
        )
    return out


# ---------------------------------------------------------------- the whole report


def _reasoning_line(found: dict[str, Any]) -> str:
    r = found.get("reasoning", {})
    if r.get("asserted_only"):
        head = _reasoning_line({"reasoning": r | {"asserted_only": False}, "closure": True})
        return head + " Its closure not loaded (--asserted-only): the asserted triples alone."
    if "reason_s" in r:
        text = (
            f"Reasoning ({r.get('reasoner', ENGINE)}, once for every backend): "
            f"{r['reason_s']:.2f} s, peak {r['peak_mb']:,.0f} MB"
            + (
                f" (the child {r['child_peak_mb']:,.0f} MB + this process "
                f"{r['parent_peak_mb']:,.0f} MB)"
                if "child_peak_mb" in r
                else f" (parse {r['load_s']:.2f} s)"
            )
        )
        return text + (f", cached from {r.get('measured')}" if r.get("cached") else "") + "."
    text = "Reasoning: "
    if "failure" in r:
        text += f"FAILED ({r.get('reasoner', ENGINE)}): {r['failure']}. {r.get('detail', '')}"
    if r.get("closure_from"):
        text += f" The closure used: {r['closure_from']}."
    elif not found.get("closure", True):
        text += " No closure: the asserted triples alone were measured (not comparable with a "
        text += "size that has its closure)."
    return text.strip()


def report(found: list[dict[str, Any]], mix: list[Query], args: argparse.Namespace) -> dict:
    """Print the tables; return the targets and growth records for the JSON."""
    print("# Growth: load, reasoning, queries, HTTP, the pages and memory by size\n")
    packages = ", ".join(f"{k} {v}" for k, v in args.versions.items())
    print(f"Machine: {os.cpu_count()} cores, shared. Code: {args.code}. {packages}.")
    print(
        f"Query mix: {len(mix)} queries ({len(TYPICAL)} typical + {len(mix) - len(TYPICAL)} "
        f"competency); up to {args.repeat} timed runs per query within {args.query_budget:g} s, "
        f"limit {args.query_timeout:g} s per run; in process (memory, embedded, the engine "
        "alone) a run is the answer written as SPARQL JSON, as a query worker sends it; over "
        "HTTP (the stores alone, and filmgraph serve over them as a remote store) its HTTP "
        "answer, one request at a time; the stores alone get the dataset filmgraph sends "
        f"(default-graph-uri, named-graph-uri). HTTP: concurrency {args.concurrency}, "
        f"{args.http_seconds:g} s per target, filmgraph result cache "
        + ("on." if args.result_cache else "off (every query evaluated).")
    )
    limits = [
        f"{name} {getattr(args, key):,} MB"
        for key, name in (("memory_limit_mb", "children"), ("server_memory_limit_mb", "servers"))
        if getattr(args, key, None)
    ]
    if limits:
        print(f"Address-space limits: {', '.join(limits)}.")
    for size_found in found:
        size = size_found["size"]
        print(f"\n## {label(size)}\n")
        if "triples" not in size_found or not size_found.get("backends"):
            print(f"Not measured: {size_found.get('failure', 'interrupted')}")
            continue
        t = size_found["triples"]
        print(
            f"Data: {t['asserted']:,} asserted + {t['inferred']:,} inferred = {t['total']:,} "
            f"triples. {_reasoning_line(size_found)}"
        )
        for backend, why in size_found.get("skipped", {}).items():
            print(f"- not measured: {BACKENDS[backend].label}: {why}.")
        print()
        print(size_table(size_found))
        print()
        print("\n".join(memory_notes(size_found)))
        pages = pages_table(size_found)
        if pages:
            print(f"\n### filmgraph over a remote store: start-up and pages, {label(size)}\n")
            print(pages)
        mismatches = size_found.get("rows", {}).get("mismatches", [])
        print(
            "\nRows: "
            + (
                "every backend returned the same number of rows for every query answered."
                if not mismatches
                else f"MISMATCH on {len(mismatches)} queries: {', '.join(mismatches)}."
            )
        )
        for backend in present(size_found):
            entry = size_found["backends"][backend]
            totals = mix_totals(entry.get("mix", {}))
            for kind in ("timeouts", "errors"):
                if totals[kind]:
                    print(f"- {BACKENDS[backend].label} {kind}: {', '.join(totals[kind])}")
            load = entry.get("load", {})
            if "failure" in load:
                print(f"- {BACKENDS[backend].label} load failed: {load['failure']}")
        print(f"\n### Per query, {label(size)}\n")
        print(query_table(size_found, mix))
    table, records = growth(found, args.tolerance)
    print("\n## Growth (cost factor between sizes / data factor: 1.00 is linear)\n")
    print(
        "Beside each cost, the same cost's factor on its engine alone in the same run (its "
        "store alone over HTTP; for embedded Oxigraph the bare pyoxigraph store over the "
        "same files): a cost worse than linear no more than its engine (within the tolerance) "
        "is the engine's own growth.\n"
    )
    print(table if records else "Needs two sizes measured.")
    per_query = query_growth(found, mix)
    if per_query:
        print("\n### Per query between the two largest sizes (median factor / data factor)\n")
        print(per_query)
    checks = targets(found, records, args.tolerance)
    print("\n## Targets\n")
    for check in checks:
        verdict = {True: "PASS", False: "FAIL", None: "not measured"}[check["pass"]]
        print(f"- {check['target']}: **{verdict}** ({check['detail']})")
    return {"growth": records, "targets": checks}

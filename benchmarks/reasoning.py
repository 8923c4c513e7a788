"""Reasoning benchmark: plain owlrl against the project's pipeline on both engines, and the
bounded path against reasonable alone.

Seven ways of computing the OWL 2 RL inferences of the ontology plus a synthetic film world
(:mod:`benchmarks.filmworld`) are measured side by side, in the same run:

``plain owlrl``
    the ontology (``ontology/filmgraph.ttl`` and ``ontology/schemaorg-subset.ttl``) and the
    data in one rdflib graph, expanded in place by
    ``owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)``: the baseline.
``pipeline, owlrl`` / ``pipeline, reasonable``
    ``filmgraph.reason.reasoning.reason(ontology, data, engine=...)``: closure on a scratch copy,
    the noise filter and the consistency check.
``reasonable alone``
    reasonable by itself on the engine's input of the pipeline (the ontology without its
    ``owl:FunctionalProperty`` declarations, see ``_reasonable_closure``, and the data), read
    from files by ``PyReasoner.load_file`` (``load s``), then ``reason()`` (``reason s``):
    the baseline of the bounded path. "derived" is the whole closure ``reason()`` returns.
``pipeline, bounded`` / ``pipeline, bounded, memory store``
    ``filmgraph.reason.bounded.reason_into_store(store, ontology files, data file)``: from
    the files to the three graphs of an Oxigraph store on disk (in memory), reasonable in a
    child process, the consistency check on the store; all of it is ``reason s``.
``pipeline, rules in the store``
    ``filmgraph.reason.rules_into_store(store, ontology files, data file)``: the files
    loaded into an Oxigraph store on disk, then the OWL 2 RL rules as SPARQL queries the
    store evaluates, round after round to a fixpoint (:mod:`filmgraph.reason.in_store`);
    no engine holds the graph in memory. All of it is ``reason s``.

Every measurement runs in a fresh subprocess, so its peak memory (``ru_maxrss``) is its own;
the bounded path's reasoning child is another process, whose peak is ``child peak MB``
(``peak sum MB`` adds the two). Only the reasoning step is timed as ``reason s``; parsing
the ontology and data is ``load s``; ``CPU s`` is the CPU time of both (and of the bounded
path's child), which another user of the machine changes less than the wall-clock time.
The filtered inferences of the pipeline engines are compared triple for triple (blank nodes
of the ontology, such as the restriction, are named by a hash of their description).

Usage::

    python -m benchmarks.reasoning                     # 1k, 10k, 100k; 1M on the fast engine
    python -m benchmarks.reasoning --quick             # 1k and 10k only
    python -m benchmarks.reasoning --sizes 1000 --fast-sizes '' --repeat 3
    python -m benchmarks.reasoning --profile --sizes 100000 --fast-sizes 1000000 \\
        --engines pipeline-reasonable                  # cProfile of the pipeline's steps
    python -m benchmarks.reasoning --strip-functional  # diagnostic: no owl:FunctionalProperty

Generated data is cached under ``benchmarks/.data/`` (keyed by size, seed and generator).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "benchmarks" / ".data"
ONTOLOGY_FILES = (ROOT / "ontology" / "filmgraph.ttl", ROOT / "ontology" / "schemaorg-subset.ttl")

#: The measured ways of reasoning: short name (for options and files) -> table label.
KINDS: dict[str, str] = {
    "plain-owlrl": "plain owlrl",
    "pipeline-owlrl": "pipeline, owlrl",
    "pipeline-reasonable": "pipeline, reasonable",
    "reasonable-alone": "reasonable alone",
    "pipeline-bounded": "pipeline, bounded",
    "pipeline-bounded-memory": "pipeline, bounded, memory store",
    "pipeline-in-store": "pipeline, rules in the store",
}
#: The kinds that run on the ``--fast-sizes`` too.
FAST_KINDS = (
    "pipeline-reasonable",
    "reasonable-alone",
    "pipeline-bounded",
    "pipeline-bounded-memory",
    "pipeline-in-store",
)
#: The kinds whose reasoning runs in a child process of their own (the bounded path).
BOUNDED_KINDS = ("pipeline-bounded", "pipeline-bounded-memory")
#: The kinds whose kept inferences are compared with the first's, triple for triple.
COMPARED = ("pipeline-reasonable", "pipeline-owlrl", *BOUNDED_KINDS, "pipeline-in-store")


# ---------------------------------------------------------------- shared helpers


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (``ru_maxrss`` is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and of its children waited for so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def current_mb() -> float:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def label(size: int) -> str:
    """1000 -> '1k', 1000000 -> '1M'."""
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{suffix}"
    return str(size)


def markdown_table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    """A Markdown table with aligned columns; columns in ``right`` are right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = (
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if i in right else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space, so a run that needs too much fails with MemoryError."""
    if megabytes > 0:
        limit = megabytes * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def default_memory_limit_mb() -> int:
    """Three quarters of the machine's memory."""
    return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") * 0.75 / 2**20)


def code_version() -> str:
    """The checkout's commit, and whether src/ or ontology/ have uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    changed = git("status", "--porcelain", "--", "src", "ontology")
    return commit + (" + uncommitted changes in src/ or ontology/" if changed else "")


def code_fingerprint() -> str:
    """A hash of what the measurements depend on: the package's code and the ontology.

    Compared before and after a run, it tells whether someone changed them meanwhile.
    """
    digest = hashlib.sha256()
    files = sorted((ROOT / "src" / "filmgraph").glob("*.py")) + sorted(ONTOLOGY_FILES)
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


#: The address-space limit of the film world's generator (10M triples take about 3.5 GB).
GENERATOR_LIMIT_MB = 8_000


def data_file(size: int, seed: int) -> Path:
    """The cached film world of ``size`` triples, generated (in a subprocess, its address
    space limited to :data:`GENERATOR_LIMIT_MB`) if missing."""
    generator = (ROOT / "benchmarks" / "filmworld.py").read_bytes()
    digest = hashlib.sha256(generator).hexdigest()[:10]
    path = DATA_DIR / f"filmworld-{size}-seed{seed}-{digest}.nt"
    if not path.exists():
        tmp = path.with_suffix(".tmp.nt")
        command = [sys.executable, "-m", "benchmarks.filmworld", "--triples", str(size)]
        command += ["--seed", str(seed), "-o", str(tmp)]
        command += ["--memory-limit-mb", str(min(GENERATOR_LIMIT_MB, default_memory_limit_mb()))]
        subprocess.run(command, cwd=ROOT, check=True)
        tmp.replace(path)
    return path


# ---------------------------------------------------------------- the child: one measurement


@dataclass
class StepTimes:
    """Seconds and memory after each step of ``filmgraph.reason.reasoning.reason``, by label."""

    steps: list[dict[str, Any]] = field(default_factory=list)


def _timing_steps(record: StepTimes) -> Any:
    from filmgraph.core.progress import Step, Steps

    class TimingSteps(Steps):
        @contextlib.contextmanager
        def step(self, label: str) -> Iterator[Step]:
            current = Step(label)
            started = time.perf_counter()
            yield current
            record.steps.append(
                {
                    "label": label,
                    "seconds": time.perf_counter() - started,
                    "detail": current.detail,
                    "peak_mb": peak_mb(),
                    "rss_mb": current_mb(),
                }
            )

    return TimingSteps()


def bnode_labels(graph: Any) -> dict[Any, str]:
    """A stable name for each blank node of ``graph``: a hash of what it says (recursively).

    The ontology's blank nodes (the restriction, RDF lists, the AllDisjointClasses axiom) get
    new ids at every parse; these names are the same in every process.
    """
    from rdflib import BNode

    names: dict[Any, str] = {}

    def name(node: Any, seen: frozenset) -> str:
        if node in names:
            return names[node]
        if node in seen:
            return "_:cycle"
        parts = sorted(
            f"{p.n3()} {name(o, seen | {node}) if isinstance(o, BNode) else o.n3()}"
            for p, o in graph.predicate_objects(node)
        )
        names[node] = "_:h" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
        return names[node]

    for node in graph.all_nodes():
        if isinstance(node, BNode):
            name(node, frozenset())
    return names


def canonical_line(triple: tuple[Any, Any, Any], names: dict[Any, str]) -> str:
    """One triple as an N-Triples line, blank nodes renamed: one line whatever the literal
    holds (rdflib's n3 writes a literal with a new line in triple quotes, over lines)."""
    from rdflib import BNode, Literal

    def text(term: Any) -> str:
        if isinstance(term, BNode):
            return names.get(term, f"_:unnamed-{term}")
        if isinstance(term, Literal):
            body = str(term)
            for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
                body = body.replace(raw, escaped)
            if term.language:
                return f'"{body}"@{term.language}'
            return f'"{body}"' + (f"^^<{term.datatype}>" if term.datatype else "")
        return term.n3()

    s, p, o = triple
    return f"{text(s)} {text(p)} {text(o)} ."


def canonical_lines(graph: Any, names: dict[Any, str]) -> list[str]:
    """The triples of ``graph`` as sorted canonical lines (:func:`canonical_line`)."""
    return sorted(canonical_line(triple, names) for triple in graph)


def write_canonical(triples: Path, names: dict[Any, str], out: Path) -> None:
    """The triples of an N-Triples file as :func:`canonical_lines` would give them, written
    to ``out`` without holding them: each line written as it is parsed, then sorted by the
    system's external ``sort`` in byte order (UTF-8's byte order is Python's code-point
    order, so the file is the same as ``canonical_lines``'s). At 10M inferred triples an
    rdflib graph of them would take about 10 GB."""
    import pyoxigraph as ox

    from filmgraph.query import to_rdflib

    unsorted = out.with_name(out.name + ".unsorted")
    with unsorted.open("w", encoding="utf-8") as lines:
        for quad in ox.parse(path=str(triples), format=ox.RdfFormat.N_TRIPLES):
            terms = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
            lines.write(canonical_line(terms, names) + "\n")
    environment = {**os.environ, "LC_ALL": "C"}
    command = ["sort", "-S", "512M", "-T", str(out.parent), "-o", str(out), str(unsorted)]
    subprocess.run(command, check=True, env=environment)
    unsorted.unlink()


def run_child(
    kind: str,
    data: Path,
    result: Path,
    canonical: Path | None = None,
    profile: Path | None = None,
    strip_functional: bool = False,
) -> None:
    """Load, reason once (timed), and write the measurement as JSON to ``result``.

    ``strip_functional`` (a diagnostic) removes the ontology's ``owl:FunctionalProperty``
    declarations before reasoning.
    """
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF

    from filmgraph.load.parsing import load_files

    if kind == "reasonable-alone":
        result.write_text(json.dumps(run_alone(data, result.parent)), encoding="utf-8")
        return
    if kind in BOUNDED_KINDS or kind == "pipeline-in-store":
        out = run_bounded(kind, data, result.parent, canonical)
        result.write_text(json.dumps(out), encoding="utf-8")
        return
    out: dict[str, Any] = {"kind": kind}
    cpu = cpu_seconds()
    started = time.perf_counter()
    ontology = load_files(list(ONTOLOGY_FILES))
    if strip_functional:
        ontology.remove((None, RDF.type, OWL.FunctionalProperty))
    # plain owlrl: ontology and data in one graph; the pipeline takes them apart.
    data_graph = ontology if kind == "plain-owlrl" else Graph()
    data_graph.parse(str(data), format="nt")
    out["load_s"] = time.perf_counter() - started
    out["load_mb"] = peak_mb()
    out["ontology_triples"] = len(ontology) if kind != "plain-owlrl" else None

    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
    record = StepTimes()
    inferred = None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    if kind == "plain-owlrl":
        import owlrl

        before = len(data_graph)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(data_graph)
        out["derived"] = len(data_graph) - before
        out["kept"] = None
    else:
        from filmgraph.reason.reasoning import reason

        engine = kind.removeprefix("pipeline-")
        inferred, report = reason(ontology, data_graph, engine=engine, steps=_timing_steps(record))
        out["derived"] = report.derived
        out["kept"] = report.kept
        out["dropped"] = dict(report.dropped)
    if profiler:
        profiler.disable()
    out["reason_s"] = time.perf_counter() - started
    out["cpu_s"] = cpu_seconds() - cpu
    out["peak_mb"] = peak_mb()
    out["steps"] = record.steps
    if profiler and profile:
        profiler.dump_stats(str(profile))
    if canonical is not None and inferred is not None:
        lines = canonical_lines(inferred, bnode_labels(ontology))
        canonical.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    result.write_text(json.dumps(out), encoding="utf-8")


def engine_axioms(work: Path) -> Path:
    """The ontology as the pipeline gives it to reasonable (no ``owl:FunctionalProperty``
    declarations), as N-Triples in a file named ``.ttl`` (``load_file`` reads no other)."""
    from rdflib.namespace import OWL, RDF

    from filmgraph.load.parsing import load_files

    ontology = load_files(list(ONTOLOGY_FILES))
    ontology.remove((None, RDF.type, OWL.FunctionalProperty))
    path = work / "engine-axioms.ttl"
    ontology.serialize(destination=str(path), format="nt", encoding="utf-8")
    return path


def run_alone(data: Path, work: Path) -> dict[str, Any]:
    """reasonable alone: ``load_file`` of the engine's axioms and the data, ``reason()``."""
    import reasonable

    axioms = engine_axioms(work)
    as_turtle = work / f"{data.stem}.ttl"  # N-Triples is Turtle; load_file goes by the name
    as_turtle.unlink(missing_ok=True)
    as_turtle.symlink_to(data.resolve())
    out: dict[str, Any] = {"kind": "reasonable-alone", "kept": None, "steps": []}
    cpu = cpu_seconds()
    started = time.perf_counter()
    reasoner = reasonable.PyReasoner()
    for path in (axioms, as_turtle):
        reasoner.load_file(str(path))
    out["load_s"] = time.perf_counter() - started
    out["load_mb"] = peak_mb()
    started = time.perf_counter()
    closure = reasoner.reason()
    out["reason_s"] = time.perf_counter() - started
    out["cpu_s"] = cpu_seconds() - cpu
    out["peak_mb"] = peak_mb()
    out["derived"] = len(closure)
    return out


def run_bounded(kind: str, data: Path, work: Path, canonical: Path | None) -> dict[str, Any]:
    """The bounded path into an Oxigraph store on disk (or in memory), timed whole."""
    import tempfile

    import pyoxigraph as ox

    from filmgraph.reason import WorkFiles, reason_into_store, rules_into_store

    record = StepTimes()
    folder = work / f"{kind}-{data.stem}"
    with tempfile.TemporaryDirectory(dir=work, prefix="store-") as where:
        store = ox.Store() if kind.endswith("memory") else ox.Store(where)
        cpu = cpu_seconds()
        started = time.perf_counter()
        if kind == "pipeline-in-store":
            report = rules_into_store(
                store, list(ONTOLOGY_FILES), [data], folder=folder, steps=_timing_steps(record)
            )
        else:
            report = reason_into_store(
                store, list(ONTOLOGY_FILES), [data], folder=folder, steps=_timing_steps(record)
            )
        seconds = time.perf_counter() - started
        out = {
            "kind": kind,
            "load_s": 0.0,
            "reason_s": seconds,
            "cpu_s": cpu_seconds() - cpu,
            "peak_mb": peak_mb(),
            "child_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "derived": report.derived,
            "kept": report.kept,
            "dropped": dict(report.dropped),
            "steps": record.steps,
            "stored": len(store),
        }
        del store
    if canonical is not None:
        files = WorkFiles(folder)
        write_canonical(files["inferred"], bnode_labels(read_nt(files["ontology"])), canonical)
    return out


def read_nt(path: Path) -> Any:
    """An N-Triples file as an rdflib graph, its blank nodes keeping their labels."""
    import pyoxigraph as ox
    from rdflib import Graph

    from filmgraph.query import to_rdflib

    graph = Graph()
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


# ---------------------------------------------------------------- the parent: all measurements


@dataclass
class Measurement:
    """One run (or the best of ``--repeat`` runs) of one kind on one size."""

    size: int
    kind: str
    triples: int = 0
    runs: list[dict[str, Any]] = field(default_factory=list)
    failure: str = ""  # short, for the table
    failure_detail: str = ""  # what the child said, for the notes under it
    canonical: Path | None = None

    @property
    def best(self) -> dict[str, Any] | None:
        return min(self.runs, key=lambda r: r["reason_s"]) if self.runs else None


def measure(kind: str, size: int, data: Path, args: argparse.Namespace, work: Path) -> Measurement:
    """Run ``kind`` on ``data`` ``args.repeat`` times, each in a fresh subprocess."""
    found = Measurement(size, kind)
    found.triples = sum(1 for _ in data.open("rb"))
    variant = "-nofp" if args.strip_functional else ""
    for attempt in range(args.repeat):
        name = f"{kind}-{size}{variant}"
        result = work / f"{name}-{attempt}.json"
        canonical = work / f"{name}.nt" if kind in COMPARED else None
        profile = work / f"{name}.prof" if args.profile else None
        command = [sys.executable, "-m", "benchmarks.reasoning", "--child", kind]
        command += ["--data", str(data), "--result", str(result)]
        command += ["--memory-limit-mb", str(args.memory_limit_mb)]
        if canonical is not None and attempt == 0:
            command += ["--canonical", str(canonical)]
        if profile is not None:
            command += ["--profile-out", str(profile)]
        if args.strip_functional:
            command += ["--strip-functional"]
        print(f"  {KINDS[kind]:<22} {label(size):>5} run {attempt + 1} ...", file=sys.stderr)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command, cwd=ROOT, timeout=args.timeout, capture_output=True, text=True
            )
        except subprocess.TimeoutExpired:
            found.failure = f"timeout > {args.timeout:.0f} s"
            found.failure_detail = "killed after the time limit"
            return found
        if done.returncode != 0:
            seconds = time.perf_counter() - started
            # The largest child so far: this one, if it beat every earlier child.
            children_after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            peak = (
                f", peak {children_after / 1024:.0f} MB" if children_after > children_before else ""
            )
            lines = done.stderr.strip().splitlines() or ["?"]
            said = next((line for line in lines if "memory allocation of" in line), lines[-1])
            if "MemoryError" in done.stderr or "memory allocation" in done.stderr:
                found.failure = "out of memory"
            else:
                found.failure = f"failed (exit {done.returncode})"
            found.failure_detail = (
                f"{said.strip()[:160]} (exit {done.returncode} after {seconds:.0f} s{peak}; "
                f"address-space limit {args.memory_limit_mb} MB)"
            )
            return found
        found.runs.append(json.loads(result.read_text()))
        found.canonical = canonical
        if profile is not None:
            print_profile(profile, kind, size)
    return found


def print_profile(path: Path, kind: str, size: int) -> None:
    """The functions that took the most time, by own time and by cumulative time."""
    import io
    import pstats

    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(str(path), stream=text).sort_stats(order).print_stats(22)
        body = text.getvalue()
        body = body[body.find("   ncalls") :]
        print(f"\n### cProfile, {KINDS[kind]}, {label(size)}, by {order}\n\n```\n{body}```")


def compare(a: Measurement, b: Measurement) -> str:
    """Whether the filtered inferences of two pipeline runs are the same set of triples."""
    if not (a.canonical and b.canonical and a.runs and b.runs):
        return "not compared (a run failed)"
    left = set(a.canonical.read_text("utf-8").splitlines())
    right = set(b.canonical.read_text("utf-8").splitlines())
    if left == right:
        return f"identical ({len(left)} triples)"
    only_a, only_b = sorted(left - right), sorted(right - left)
    examples = "; ".join(only_a[:2] + only_b[:2])
    return (
        f"DIFFERENT: {len(only_a)} only in {KINDS[a.kind]}, "
        f"{len(only_b)} only in {KINDS[b.kind]} (e.g. {examples})"
    )


def results_table(measurements: list[Measurement]) -> str:
    """The main table: one row per size and kind."""
    plain = {m.size: m.best for m in measurements if m.kind == "plain-owlrl" and m.runs}
    alone = {m.size: m.best for m in measurements if m.kind == "reasonable-alone" and m.runs}
    rows = []
    for m in measurements:
        best = m.best
        if best is None:
            cells = ["-", m.failure, *["-"] * 12]
            rows.append([label(m.size), f"{m.triples}", KINDS[m.kind], *cells])
            continue
        base, engine = plain.get(m.size), alone.get(m.size)
        ratio = best["reason_s"] / base["reason_s"] if base else None
        total = best["load_s"] + best["reason_s"]
        child = best.get("child_peak_mb")
        rows.append(
            [
                label(m.size),
                f"{m.triples}",
                KINDS[m.kind],
                f"{best['load_s']:.2f}",
                f"{best['reason_s']:.2f}",
                f"{total:.2f}",
                f"{best['cpu_s']:.1f}" if "cpu_s" in best else "-",
                f"{best['peak_mb']:.0f}",
                "-" if child is None else f"{child:.0f}",
                f"{best['peak_mb'] + (child or 0):.0f}",
                f"{best['derived']}",
                "-" if best["kept"] is None else f"{best['kept']}",
                "-" if ratio is None else f"{ratio:.3f}",
                "-" if ratio is None else f"{1 / ratio:.1f}x",
                "-" if engine is None else f"{total / (engine['load_s'] + engine['reason_s']):.2f}",
            ]
        )
    header = ["size", "triples", "engine", "load s", "reason s", "total s", "CPU s", "peak MB"]
    header += ["child peak MB", "peak sum MB", "derived", "kept", "time / plain", "speed-up"]
    header += ["total / alone"]
    return markdown_table(header, rows, right=set(range(3, 15)) | {1})


def steps_table(measurements: list[Measurement]) -> str:
    """Where the pipeline's time goes: its steps, with the peak memory after each."""
    rows = []
    for m in measurements:
        best = m.best
        if best is None or not best.get("steps"):
            continue
        for step in best["steps"]:
            rows.append(
                [
                    label(m.size),
                    KINDS[m.kind],
                    step["label"],
                    f"{step['seconds']:.2f}",
                    f"{step['peak_mb']:.0f}",
                    f"{step['rss_mb']:.0f}",
                    step["detail"][:70],
                ]
            )
    header = ["size", "engine", "step", "seconds", "peak MB after", "RSS MB after", "detail"]
    return markdown_table(header, rows, right={3, 4, 5})


def growth_table(measurements: list[Measurement]) -> str:
    """How time and peak memory grow from one size to the next, per kind."""
    rows = []
    for kind in KINDS:
        done = sorted((m for m in measurements if m.kind == kind and m.runs), key=lambda m: m.size)
        for small, big in itertools.pairwise(done):
            s, b = small.best, big.best
            assert s is not None and b is not None
            rows.append(
                [
                    KINDS[kind],
                    f"{label(small.size)} -> {label(big.size)}",
                    f"{big.triples / small.triples:.1f}",
                    f"{b['reason_s'] / s['reason_s']:.1f}",
                    f"{b['peak_mb'] / s['peak_mb']:.1f}",
                ]
            )
    header = ["engine", "sizes", "data x", "time x", "peak memory x"]
    return markdown_table(header, rows, right={2, 3, 4})


def _sizes(text: str) -> list[int]:
    return [int(float(part)) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--child``, one measurement)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="sizes for every engine")
    parser.add_argument("--fast-sizes", default="1000000", help="sizes for the fast engine only")
    parser.add_argument("--quick", action="store_true", help="1k and 10k only")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best kept)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the film world")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per run")
    parser.add_argument(
        "--memory-limit-mb", type=int, default=default_memory_limit_mb(), help="per run"
    )
    parser.add_argument("--engines", default=",".join(KINDS), help="which of: " + ", ".join(KINDS))
    parser.add_argument("--profile", action="store_true", help="cProfile the reasoning step")
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument(
        "--strip-functional",
        action="store_true",
        help="diagnostic: reason without the ontology's owl:FunctionalProperty declarations",
    )
    # The child process's own options.
    parser.add_argument("--child", choices=list(KINDS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--canonical", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        limit_memory(args.memory_limit_mb)
        run_child(
            args.child,
            args.data,
            args.result,
            args.canonical,
            args.profile_out,
            args.strip_functional,
        )
        return 0

    kinds = [k.strip() for k in args.engines.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    sizes, fast = _sizes(args.sizes), _sizes(args.fast_sizes)
    if args.quick:
        sizes, fast = [1000, 10000], []
    plan = [(size, kind) for size in sizes for kind in kinds]
    plan += [(size, kind) for size in fast for kind in kinds if kind in FAST_KINDS]

    work = DATA_DIR / "runs"
    work.mkdir(parents=True, exist_ok=True)
    version, fingerprint = code_version(), code_fingerprint()
    measurements: list[Measurement] = []
    for size, kind in plan:
        data = data_file(size, args.seed)
        measurements.append(measure(kind, size, data, args, work))

    print(f"\n## Reasoning: best of {args.repeat} run(s), seed {args.seed}\n")
    print(f"Code: {version}, src/filmgraph + ontology fingerprint {fingerprint}.\n")
    if code_fingerprint() != fingerprint:
        print("WARNING: src/filmgraph or the ontology changed during the run: mixed versions.\n")
    if args.strip_functional:
        print("DIAGNOSTIC: the ontology's owl:FunctionalProperty declarations were removed.\n")
    print(results_table(measurements))
    for m in measurements:
        if m.failure:
            print(f"\n- {KINDS[m.kind]}, {label(m.size)}: {m.failure_detail}")
    print("\n## Pipeline steps (time and memory after each)\n")
    print(steps_table(measurements))
    print("\n## Growth with size\n")
    print(growth_table(measurements))
    by_key = {(m.size, m.kind): m for m in measurements}
    print("\n## Filtered inferences: pipeline, owlrl vs pipeline, reasonable\n")
    for size in sorted({m.size for m in measurements}):
        a, b = by_key.get((size, "pipeline-owlrl")), by_key.get((size, "pipeline-reasonable"))
        if a and b:
            print(f"- {label(size)}: {compare(a, b)}")
    print("\n## Filtered inferences: pipeline, reasonable vs the bounded paths\n")
    print("(against the bounded path where reasonable in process was not run)\n")
    for size in sorted({m.size for m in measurements}):
        references = ("pipeline-reasonable", *BOUNDED_KINDS)
        a = next((by_key[size, k] for k in references if (size, k) in by_key), None)
        for kind in (*BOUNDED_KINDS, "pipeline-in-store"):
            b = by_key.get((size, kind))
            if a and b and b is not a:
                print(f"- {label(size)}, {KINDS[kind]} vs {KINDS[a.kind]}: {compare(a, b)}")
    if args.json:
        raw = [
            {"size": m.size, "kind": m.kind, "triples": m.triples, "failure": m.failure}
            | {"runs": m.runs}
            for m in measurements
        ]
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Bounded reasoning: the OWL 2 RL closure of files, computed by reasonable in a child
process and materialised into an Oxigraph store, with no rdflib graph of the data in this
process.

:func:`reason_into_store` gives the same inferred graph as
``reason(ontology, asserted, engine="reasonable")`` (:mod:`.reasoning`) on the same files,
and raises the same :class:`~filmgraph.core.InconsistencyError`, but its memory does not
grow with the data in this process, which holds only the store's working set:

1. the child (:mod:`.child`) writes the inputs as N-Triples, every blank node labelled,
   into a work folder, and says so;
2. this process loads them into the ontology and asserted graphs of the store while the
   child's engine reads them itself and reasons (two cores work at once);
3. the child writes what the engine adds and the noise filter keeps as N-Triples, which
   this process loads into the inferred graph as it is written (in chunks of
   :data:`.child.CHUNK` triples);
4. the consistency check (:func:`.reasoning.check_consistency`, the same rules and the same
   message) runs on the three graphs of the store, read through rdflib one lookup at a time
   (:class:`StoreGraph`).

The child's peak memory is reasonable's own: its Python API returns the whole closure as
rdflib terms (about a kilobyte a triple), which bounds it from below (benchmarks/RESULTS.md,
"Reasoning"). Blank nodes keep their labels from the child's files into the store (the
store's own loaders would rename them), so an inferred triple names the ontology's
restriction the ontology graph holds. Literals are stored as Oxigraph stores them (it
narrows ``xsd:positiveInteger`` to ``xsd:integer``): the inferred file holds them as
reasonable gives them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from oxrdflib._converter import to_ox_quad_pattern
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

from ..core import GRAPHS, DataError, Steps
from ..query import drop, graph_size, to_rdflib
from .child import FILES, FORMATS
from .reasoning import Reasoning, check_consistency, engine_missing, engine_version

#: The file extensions the bounded path reads (files of triples).
TRIPLE_FILES = frozenset(FORMATS)

#: The store's graphs :func:`reason_into_store` writes, by role.
ROLES = ("ontology", "asserted", "inferred")


@dataclass(frozen=True)
class WorkFiles:
    """The files the child leaves in the work folder (see :mod:`.child`)."""

    folder: Path

    def __getitem__(self, role: str) -> Path:
        return self.folder / FILES[role]


def reason_into_store(
    store: ox.Store,
    ontology: Sequence[Path],
    data: Sequence[Path],
    *,
    graphs: Mapping[str, URIRef] | None = None,
    folder: Path | None = None,
    steps: Steps | None = None,
    memory_limit_mb: int | None = None,
) -> Reasoning:
    """Load ``ontology`` and ``data`` (Turtle, N-Triples, N3 or RDF/XML files) into the
    ontology and asserted graphs of ``store``, and their OWL 2 RL closure, filtered, into
    its inferred graph (each emptied first); ``graphs`` names them (:data:`GRAPHS` by
    default). The engine is reasonable, run in a child process (limited to
    ``memory_limit_mb`` of address space, when given); its work files are kept in
    ``folder`` when given (:class:`WorkFiles`), else in a temporary folder.

    Raises:
        DataError: an input file is missing, of no triple format, or malformed (the error
            says the file, line and column).
        InconsistencyError: OWL 2 RL finds the inputs inconsistent (as :func:`reason`).
        SettingError: reasonable is not installed.
        RuntimeError: the child failed otherwise (out of memory: the message ends with
            what it said).
    """
    steps = steps or Steps()
    names = {role: (graphs or GRAPHS)[role] for role in ROLES}
    targets = {role: ox.NamedNode(str(name)) for role, name in names.items()}
    job = {"ontology": _sources(ontology), "data": _sources(data)}
    if importlib.util.find_spec("reasonable") is None:
        raise engine_missing()
    label = f"reasoning ({engine_version('reasonable')}, in a child process)"
    with _folder(folder) as work:
        files = WorkFiles(work)
        with steps.step(label) as step:
            for target in targets.values():
                drop(store, target)
            with _Child(job | {"folder": str(work), "memory_limit_mb": memory_limit_mb}) as child:
                child.wait("normalized")
                # loaded while the child's engine reads the same files
                load_triples(store, files["ontology"], targets["ontology"])
                load_triples(store, files["data"], targets["asserted"])
                inferred = _Inferred(store, files["inferred"], targets["inferred"])
                while (said := child.wait("kept", "restart", "done"))["event"] != "done":
                    if said["event"] == "restart":
                        inferred.restart()
                    else:  # loaded while the child filters the rest
                        inferred.load(said["upto"])
                report = said["report"]
            step.detail = _detail(report)
        with steps.step("loading the inferred graph") as step:
            inferred.load(None)
            step.detail = f"{inferred.count} triples"
    with steps.step("checking consistency"):
        check_store(store, names)
    return Reasoning(
        "reasonable",
        derived=report["derived"],
        kept=report["kept"],
        dropped=Counter(report["dropped"]),
    )


class _Inferred:
    """The inferred graph, loaded from the child's file as it says how far it is whole."""

    def __init__(self, store: ox.Store, path: Path, graph: ox.NamedNode) -> None:
        self.store, self.path, self.graph = store, path, graph
        self.offset = self.count = 0

    def load(self, upto: int | None) -> None:
        """Load the file's lines up to byte ``upto`` (None: to its end), from where the
        last load stopped."""
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read(-1 if upto is None else upto - self.offset)
        self.offset += len(chunk)
        if chunk:
            self.count += _extend(
                self.store, ox.parse(chunk, format=ox.RdfFormat.N_TRIPLES), self.graph
            )

    def restart(self) -> None:
        """Drop what was loaded: the child writes the file again."""
        drop(self.store, self.graph)
        self.offset = self.count = 0


def load_triples(store: ox.Store, path: Path, graph: ox.NamedNode) -> int:
    """Add the N-Triples of ``path`` to ``graph`` of ``store``, blank nodes as labelled
    (``Store.bulk_load`` would rename them); return how many were read."""
    return _extend(store, ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES), graph)


def _extend(store: ox.Store, triples: Iterator[Any], graph: ox.NamedNode) -> int:
    """Add the parsed ``triples`` to ``graph``; how many."""
    count = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for triple in triples:
            count += 1
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    store.bulk_extend(quads())
    return count


def write_nquads(target: Path, graphs: Mapping[URIRef, Path]) -> int:
    """Write the N-Triples files of ``graphs`` (as the child writes them: one triple a line)
    into ``target`` as N-Quads, each in its graph; return how many quads. Blank nodes keep
    their labels: one file, so a store that loads it names each one alike throughout."""
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for name, path in graphs.items():
            tail = f" <{name}> .\n"
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    if line.strip():
                        out.write(line.rstrip()[:-1].rstrip() + tail)
                        count += 1
    return count


def _sources(paths: Sequence[Path]) -> list[str]:
    """The files as absolute paths, checked: each exists and is of a triple format."""
    found = []
    for path in paths:
        if not Path(path).is_file():
            raise DataError("not found", path)
        if Path(path).suffix.lower() not in FORMATS:
            kinds = ", ".join(FORMATS)
            raise DataError(f"not a triple file for bounded reasoning (one of {kinds})", path)
        found.append(str(Path(path).resolve()))
    return found


@contextlib.contextmanager
def _folder(folder: Path | None) -> Iterator[Path]:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix="filmgraph-reason-") as work:
        yield Path(work)


def _detail(report: dict[str, Any]) -> str:
    seconds = report["seconds"]
    dropped = ", ".join(f"{n} {name}" for name, n in Counter(report["dropped"]).most_common())
    engine = seconds.get("engine load", 0) + seconds.get("engine reason", 0)
    return (
        f"{report['triples']} triples in, {report['derived']} derived, {report['kept']} kept"
        f" ({dropped}); engine {engine:.1f} s in {report['runs']} run(s),"
        f" filter {seconds.get('filter', 0):.1f} s, child peak {report['peak_mb']:.0f} MB"
    )


class _Child:
    """The child process (:mod:`.child`) doing ``job``, killed if left before it is done."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.folder = Path(job["folder"])
        path = self.folder / "job.json"
        path.write_text(json.dumps(job), encoding="utf-8")
        env = dict(os.environ)
        # The child imports this very package, wherever it was imported from.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        self.log = (self.folder / FILES["log"]).open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "filmgraph.reason.child", str(path)],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=env,
        )

    def __enter__(self) -> _Child:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def wait(self, *events: str) -> dict[str, Any]:
        """The child's next message, which must be one of ``events``."""
        stdout: IO[str] | None = self.process.stdout
        line = stdout.readline() if stdout is not None else ""
        said: dict[str, Any] = json.loads(line) if line.strip() else {"event": "exit"}
        if said["event"] in events:
            return said
        if said["event"] == "error" and said["kind"] == "data":
            raise DataError(said["reason"], said["path"], said["line"], said["column"])
        if said["event"] == "error":
            raise engine_missing()
        code = self.process.wait()
        tail = (self.folder / FILES["log"]).read_text("utf-8", "replace").strip().splitlines()
        raise RuntimeError(
            f"the reasoning child process failed (exit {code}): "
            + (tail[-1] if tail else "it said nothing")
        )


# ---------------------------------------------------------------- the store as rdflib graphs


def check_store(store: ox.Store, names: Mapping[str, URIRef]) -> None:
    """The consistency check (:func:`check_consistency`) over the ontology, asserted and
    inferred graphs of ``store`` that ``names`` names, every lookup one in the store.

    Raises:
        InconsistencyError: the graphs are inconsistent.
    """
    check_consistency({role: store_graph(store, names[role]) for role in ROLES})


def store_graph(store: ox.Store, name: URIRef) -> Graph:
    """The named graph ``name`` of ``store`` as a read-only rdflib graph, every lookup a
    lookup in the store (:class:`StoreGraph`)."""
    return Graph(store=StoreGraph(store, name), identifier=name)


class StoreGraph(Store):
    """One named graph of an Oxigraph store as a read-only rdflib store: what the
    consistency check and its explanations look up, as rdflib terms
    (:func:`filmgraph.query.to_rdflib`)."""

    def __init__(self, store: ox.Store, name: URIRef) -> None:
        super().__init__()
        self._store, self._graph = store, ox.NamedNode(str(name))

    def triples(
        self, pattern: tuple[Node | None, Node | None, Node | None], context: Any = None
    ) -> Iterator[tuple[tuple[Node, Node, Node], Iterator[Any]]]:
        s, p, o = pattern
        if isinstance(s, Literal) or isinstance(p, Literal | BNode):
            return  # no triple has a literal subject or a predicate that is not an IRI
        s_, p_, o_, _ = to_ox_quad_pattern(pattern)
        quads = self._store.quads_for_pattern(s_, p_, o_, self._graph)
        # A term the pattern gives is the one found (a literal aside: read back as stored).
        given = o if isinstance(o, URIRef | BNode) else None
        for quad in quads:
            triple = (
                s if s is not None else to_rdflib(quad.subject),
                p if p is not None else to_rdflib(quad.predicate),
                given if given is not None else to_rdflib(quad.object),
            )
            yield triple, iter(())

    def __len__(self, context: Any = None) -> int:
        return graph_size(self._store, self._graph)

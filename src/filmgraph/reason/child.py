"""The child process of bounded reasoning (:mod:`filmgraph.reason.bounded`): reasonable
run on files, its closure filtered in chunks and written out as N-Triples.

    python -m filmgraph.reason.child JOB.json

The job (JSON) names the ontology and data files, the folder to write in and, optionally,
an address-space limit in MB. The child writes into the folder (:data:`FILES`):

- the ontology and the data as N-Triples, every blank node given a label of its own
  (Oxigraph's parser, ``rename_blank_nodes``), so that the engine, the inferred triples and
  the store all name it alike;
- the ontology without its ``owl:FunctionalProperty`` declarations (the engine's axioms:
  see :func:`filmgraph.reason.reasoning._reasonable_closure`);
- what the engine adds and the noise filter keeps, as N-Triples.

reasonable reads the files itself (``load_file``: no rdflib objects for the inputs), and
the rule ``prp-fp`` is applied as the in-process engine applies it
(:func:`filmgraph.reason.reasoning.prp_fp_rounds`). Only the closure that reasonable's
``reason()`` returns is held as rdflib terms, and consumed from its end in chunks.

Which closure triples are inputs (and so not inferred) is told by a set of 64-bit hashes of
the input triples, computed while they are written (:class:`HashedBase`): 70 bytes a triple
where a set of rdflib triples takes about a kilobyte. The hashes are checked afterwards:
every input triple's hash must have been met exactly once in the closure (an input
triple is in the closure, and the closure holds each triple once). A collision breaks that
count; the engine then runs again with the input triples themselves as the base, so the
result is exactly the in-process engine's.

The child tells its parent how it goes by JSON lines on its standard output:
``{"event": "normalized"}`` once the inputs are written (the parent can load them while
the engine runs); ``{"event": "kept", "upto": N}`` each time the first N bytes of the
inferred file are whole lines the parent may load, ``{"event": "restart"}`` when the file
is started again (the engine runs again: what was loaded is to be dropped); then
``{"event": "done", "report": {...}}`` or ``{"event": "error", ...}`` (a file that cannot
be read, with its line and column; the engine missing).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF
from rdflib.plugins.serializers.nt import _quoteLiteral

from ..core import DataError, Triple
from ..query import to_rdflib
from .noise import noise
from .reasoning import prp_fp_rounds

#: The files the child writes in its folder, by role.
FILES = {
    "ontology": "ontology.ttl",  # N-Triples (which Turtle parsers read): reasonable
    "axioms": "axioms.ttl",  # reads only files named .ttl or .n3
    "data": "data.ttl",
    "equal": "equal.ttl",
    "inferred": "inferred.nt",
    "log": "child.log",
}

#: The files it reads, by extension (triples only: named graphs are not reasoned over).
FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".n3": ox.RdfFormat.N3,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}

#: Seconds spent, by step.
Timings = defaultdict[str, float]

#: Every how many kept triples the parent is told it may load them.
CHUNK = 100_000

_STRING = "http://www.w3.org/2001/XMLSchema#string"
_TYPE, _FUNCTIONAL = RDF.type.toPython(), OWL.FunctionalProperty.toPython()


def _term_hash(term: Any) -> int:
    """The hash of the rdflib term reasonable makes of ``term`` (an Oxigraph term), as
    Python computes it (``URIRef`` and ``BNode`` hash as their string; ``Literal`` as its
    lexical form, its language tag in lower case and its datatype, the plain string
    having none): no rdflib object is made."""
    if type(term) is ox.Literal:
        language = term.language
        if language:
            return hash(term.value) ^ hash(language.lower())
        datatype = term.datatype.value
        return hash(term.value) if datatype == _STRING else hash(term.value) ^ hash(datatype)
    return hash(term.value)


def line(triple: Triple) -> str:
    """``triple`` as a line of N-Triples (its IRIs are a parser's: not checked again)."""
    return " ".join(map(_text, triple)) + " .\n"


def _text(term: Any) -> str:
    kind = type(term)
    if kind is URIRef:
        return f"<{term}>"
    if kind is BNode:
        return f"_:{term}"
    if kind is Literal:
        return _quoteLiteral(term)
    raise TypeError(f"not an RDF term: {term!r}")


class HashedBase:
    """The input triples as a set of 64-bit hashes, probed with rdflib triples of the
    closure (a :class:`~collections.abc.Container`); ``extra`` holds the few input triples
    the engine is not given (the ``owl:FunctionalProperty`` declarations) as they are."""

    def __init__(self) -> None:
        self.keys: set[int] = set()
        self.extra: set[Triple] = set()
        #: Hashes of input triples whose literal rdflib rewrites when reasonable makes it
        #: (``"01"^^xsd:integer`` becomes ``"1"``): never met in the closure as written.
        self.rewritten: set[int] = set()
        self.hits = 0
        self._rewrites: dict[tuple[str, str], bool] = {}

    def add(self, quad: Any) -> None:
        o = quad.object
        key = hash((_term_hash(quad.subject), _term_hash(quad.predicate), _term_hash(o)))
        self.keys.add(key)
        if type(o) is ox.Literal and not o.language and o.datatype.value != _STRING:
            pair = (o.value, o.datatype.value)
            rewrites = self._rewrites.get(pair)
            if rewrites is None:
                rewrites = str(Literal(pair[0], datatype=URIRef(pair[1]))) != pair[0]
                self._rewrites[pair] = rewrites
            if rewrites:
                self.rewritten.add(key)

    def __contains__(self, triple: object) -> bool:
        assert isinstance(triple, tuple)
        if hash((hash(triple[0]), hash(triple[1]), hash(triple[2]))) in self.keys:
            self.hits += 1
            return True
        return triple in self.extra

    def verified(self) -> bool:
        """Whether the last run met every input triple's hash once: no collision."""
        return self.hits == len(self.keys - self.rewritten)


class _Kept:
    """Receives what the engine adds: counts it, filters the noise, writes the rest; says
    how far the file holds whole lines every :data:`CHUNK` triples (``kept`` events, so
    that the parent loads them while the rest is filtered), and ``restart`` when it starts
    the file again (another run of the engine)."""

    def __init__(self, path: Path, terms: set[Any], base: HashedBase | set[Triple]) -> None:
        self.path, self.terms, self.base = path, terms, base
        self.handle: IO[bytes] | None = None
        self.restart()

    def restart(self) -> None:
        self.close()
        if self.path.exists() and self.path.stat().st_size:
            _say({"event": "restart"})
        self.handle = self.path.open("wb", buffering=1 << 20)
        self.derived, self.kept, self.dropped = 0, 0, Counter[str]()
        if isinstance(self.base, HashedBase):
            self.base.hits = 0

    def keep(self, triple: Triple) -> None:
        self.derived += 1
        dropped = noise(triple, self.terms)
        if dropped:
            self.dropped[dropped] += 1
            return
        assert self.handle is not None
        self.handle.write(line(triple).encode())
        self.kept += 1
        if not self.kept % CHUNK:
            self.handle.flush()
            _say({"event": "kept", "upto": self.handle.tell()})

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def parsed_files(sources: Sequence[Path]) -> Iterator[Any]:
    """The triples of ``sources`` (as Oxigraph's default-graph quads), each blank node
    with a fresh label; a file that cannot be read is a :class:`DataError`."""
    for source in sources:
        fmt = FORMATS.get(source.suffix.lower())
        if fmt is None:
            raise DataError(
                f"not a triple file: the extension is not one of {', '.join(FORMATS)}", source
            )
        try:
            yield from ox.parse(path=str(source), format=fmt, rename_blank_nodes=True)
        except SyntaxError as exc:
            raise DataError(
                f"bad {fmt.name} syntax: {exc.msg}", source, exc.lineno, exc.offset
            ) from None
        except OSError as exc:
            raise DataError(f"cannot read: {exc.strerror or exc}", source) from None


def _write(quads: Iterator[Any] | list[Any], path: Path) -> None:
    ox.serialize(quads, output=str(path), format=ox.RdfFormat.N_TRIPLES)


def normalize(
    ontology: list[Path], data: list[Path], folder: Path, base: HashedBase
) -> tuple[Graph, int]:
    """Write the inputs into ``folder`` (:data:`FILES`) and their hashes into ``base``;
    return the ontology as an rdflib graph and how many triples were read."""
    quads = list(parsed_files(ontology))  # the ontology is small
    _write(quads, folder / FILES["ontology"])
    graph = Graph()
    axioms = []
    for quad in quads:
        triple = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
        graph.add(triple)
        o = quad.object
        if quad.predicate.value == _TYPE and type(o) is ox.NamedNode and o.value == _FUNCTIONAL:
            base.extra.add(triple)  # withheld from the engine: never in its closure
        else:
            axioms.append(quad)
            base.add(quad)
    _write(axioms, folder / FILES["axioms"])
    count = len(quads)

    def hashed() -> Iterator[Any]:
        nonlocal count
        for quad in parsed_files(data):
            base.add(quad)
            count += 1
            yield quad

    _write(hashed(), folder / FILES["data"])
    return graph, count


def exact_base(folder: Path, extra: set[Triple]) -> set[Triple]:
    """The input triples themselves, as rdflib terms (as the in-process engine's base)."""
    found = set(extra)
    for name in ("axioms", "data"):
        for quad in ox.parse(path=str(folder / FILES[name]), format=ox.RdfFormat.N_TRIPLES):
            found.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return found


def reason_files(
    ontology_graph: Graph, folder: Path, base: HashedBase | set[Triple], timings: Timings
) -> tuple[_Kept, int]:
    """Run the engine on the written inputs until prp-fp adds nothing; what it added,
    filtered, is in the inferred file. Returns the counts and how many runs it took."""
    import reasonable

    def closure(equal: list[Triple]) -> list[Triple]:
        started = time.perf_counter()
        reasoner = reasonable.PyReasoner()
        for name in ("axioms", "data"):
            reasoner.load_file(str(folder / FILES[name]))
        if equal:
            path = folder / FILES["equal"]
            path.write_text("".join(map(line, equal)), encoding="utf-8")
            reasoner.load_file(str(path))
        timings["engine load"] += time.perf_counter() - started
        started = time.perf_counter()
        found: list[Triple] = reasoner.reason()
        del reasoner
        timings["engine reason"] += time.perf_counter() - started
        return found

    functional = set(ontology_graph.subjects(RDF.type, OWL.FunctionalProperty))
    kept = _Kept(folder / FILES["inferred"], set(ontology_graph.subjects()), base)
    try:
        runs = prp_fp_rounds(closure, base, functional, kept.keep, kept.restart)
    finally:
        kept.close()
    return kept, runs


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Do the job; the report (counts, timings, peak memory)."""
    folder = Path(job["folder"])
    timings: Timings = defaultdict(float)
    started = time.perf_counter()
    base = HashedBase()
    ontology = [Path(p) for p in job["ontology"]]
    ontology_graph, count = normalize(ontology, [Path(p) for p in job["data"]], folder, base)
    timings["normalize"] = time.perf_counter() - started
    _say({"event": "normalized", "triples": count})
    try:
        import reasonable  # noqa: F401
    except ImportError:
        raise _Missing from None
    started = time.perf_counter()
    kept, runs = reason_files(ontology_graph, folder, base, timings)
    exact = not base.verified()
    if exact:  # a hash collision: again, with the input triples themselves
        kept, more = reason_files(ontology_graph, folder, exact_base(folder, base.extra), timings)
        runs += more
    timings["filter"] = time.perf_counter() - started - timings["engine load"]
    timings["filter"] -= timings["engine reason"]
    return {
        "triples": count,
        "derived": kept.derived,
        "kept": kept.kept,
        "dropped": dict(kept.dropped),
        "runs": runs,
        "base": "exact" if exact else "hashed",
        "seconds": dict(timings),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


class _Missing(Exception):
    """The engine is not installed."""


def _say(event: dict[str, Any]) -> None:
    print(json.dumps(event), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the job named by the one argument; see the module's documentation."""
    [path] = sys.argv[1:] if argv is None else argv
    job = json.loads(Path(path).read_text(encoding="utf-8"))
    limit = job.get("memory_limit_mb")
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit * 2**20, limit * 2**20))
    try:
        report = run(job)
    except DataError as exc:
        _say(
            {
                "event": "error",
                "kind": "data",
                "reason": exc.reason,
                "path": str(exc.path),
                "line": exc.line,
                "column": exc.column,
            }
        )
        return 2
    except _Missing:
        _say({"event": "error", "kind": "missing engine"})
        return 2
    _say({"event": "done", "report": report})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

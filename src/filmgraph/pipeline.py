"""The only place that orders the steps from files to a served dataset.

    ontology/*.ttl + data/*.ttl -> load (named graphs) -> check (SHACL + SPARQL checks)
        -> reason (OWL 2 RL, into the inferred graph)
        -> link (confirmed Wikidata items, into the links graph)
        -> assess (each claim against the Wikidata reference, into the assessments graph)
        -> cache
        -> store (memory, embedded Oxigraph, or a remote SPARQL store)

- :func:`build`: the dataset, in memory (read from the cache while the inputs are unchanged).
- :func:`open_store`: the backend the ``store`` setting names, holding the current build;
  a store that already holds it, and a remote store, build nothing.

Each later step writes into its own named graph; the asserted graph is never modified
after loading.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from .check import Report, run_checks
from .core import GRAPHS, ChecksFailedError, Settings, Steps, write_atomic
from .link import ComparisonReport, assessment_graph, compare, links_graph, read_links
from .load import load_dataset, load_rdf_files, rdf_files
from .reason import (
    TRIPLE_FILES,
    WorkFiles,
    reason,
    reason_into_store,
    rules_into_store,
    write_nquads,
)
from .store import (
    Backend,
    build_lock,
    cache_holds,
    fingerprint,
    open_backend,
    read_cache,
    remove_strays,
    write_cache,
)

DATASET_FILE = "filmgraph.trig"

log = logging.getLogger(__name__)


def build(
    settings: Settings | None = None, *, check: bool = True, steps: Steps | None = None
) -> Dataset:
    """Build the dataset: ontology, asserted facts, provenance and inferences as named graphs.

    The returned dataset's default graph, when queried, is the union of its named graphs.
    With ``settings.cache`` (the default) a build whose inputs are unchanged is read back
    from the cache instead of checked and reasoned again.

    Args:
        settings: where the project's files are, which engine reasons; ``Settings()`` by default.
        check: run the SHACL shapes and integrity checks and refuse data that fails them.
            Unchecked builds are neither read from nor written to the cache.
        steps: receives progress (the CLI shows it); silent by default.

    Raises:
        DataError: a file is malformed (the error names file and line).
        ChecksFailedError: the data violates a shape or a check (the error holds the report).
        InconsistencyError: OWL 2 RL reasoning finds the data inconsistent.

    >>> dataset = build()
    >>> len(dataset.graph(GRAPHS["asserted"])) > 100, len(dataset.graph(GRAPHS["inferred"])) > 0
    (True, True)
    """
    settings, steps = settings or Settings(), steps or Steps()
    settings.project  # noqa: B018 (a folder that is no project is refused before a lock is made)
    with _locked(settings, steps):
        return _Build(settings, check, steps).dataset()


def open_store(
    settings: Settings | None = None, *, check: bool = True, steps: Steps | None = None
) -> Backend:
    """The backend ``settings.store`` names, holding the current build: in memory, in the
    Oxigraph store on disk (opened as it is while it holds the build of the current inputs),
    or a remote store (connected; nothing is built).

    Raises:
        what :func:`build` raises, when it builds; SettingError, UpstreamError: see
        :func:`filmgraph.store.open_backend`.

    >>> open_store().engine().run("ASK { fgid:closeness a schema:Movie }").result.askAnswer
    True
    """
    settings = settings or Settings()
    steps = steps or Steps()
    keeps = settings.store_name != "remote"
    if keeps:
        settings.project  # noqa: B018 (a folder that is no project: refused before a lock)
    with _locked(settings, steps, keeps=keeps):
        return open_backend(settings, _Build(settings, check, steps), steps)


@contextmanager
def _locked(settings: Settings, steps: Steps, *, keeps: bool = True) -> Iterator[None]:
    """Hold the build folder's lock (:func:`filmgraph.store.build_lock`) while the build is
    made or the store opened, after removing what a stopped build left there: a second
    build of the same folder waits for the first, then opens what it made. Nothing is
    locked when nothing is kept in the folder (``keeps`` false: a remote store)."""
    if not keeps:
        yield
        return
    with build_lock(settings.output_dir):
        for stray in remove_strays(settings):
            steps.note(f"removed {stray}, left by a build that was stopped")
            log.warning("removed %s, left by a build that was stopped", stray)
        yield


class _Build:
    """The build of ``settings``' inputs (a :class:`filmgraph.store.Build`), made only when
    a backend asks for it: from the cache under its key when that holds it, else from the
    files."""

    def __init__(self, settings: Settings, check: bool, steps: Steps) -> None:
        self.settings = settings
        self.check = check
        self.steps = steps
        self.key = fingerprint(settings) if settings.cache and check else None
        self._dataset: Dataset | None = None

    def dataset(self) -> Dataset:
        if self._dataset is None:
            self._dataset = self._made()
        return self._dataset

    @contextmanager
    def nquads(self) -> Iterator[Path]:
        """The cache file, which holds the build under its key (it is not parsed here: a
        store loads it as it is); for a build that is not kept, a temporary file."""
        cache = self.settings.cache_file
        if self.key:
            if self._dataset is None and not cache_holds(cache, self.key):
                self.dataset()  # built from the files, and written to the cache under the key
            yield cache
            return
        with _written(self.dataset(), self.settings.output_dir) as path:
            yield path

    def _made(self) -> Dataset:
        """The dataset built from the files, or read from the cache under the key."""
        settings, steps, key = self.settings, self.steps, self.key
        if key:
            with steps.step("reading the cache") as step:
                cached = read_cache(settings.cache_file, key)
                step.detail = f"{cached.status}: {cached.detail}"
            if cached.dataset is not None:
                return cached.dataset
            if cached.status == "corrupt":
                steps.note(f"rebuilding: {cached.detail}")
                log.warning("cache not used, rebuilding: %s", cached.detail)
        with steps.step("parsing") as step:
            dataset = load_dataset(settings)
            step.detail = f"{len(dataset)} quads"
        if self.check:
            with steps.step("checking shapes and integrity") as step:
                report = run_checks(dataset, settings)
                step.detail = (
                    "conforms" if report.conforms else f"{len(report.violations)} violations"
                )
            if not report.conforms:
                raise ChecksFailedError(report, report.text())
        graph = dataset.graph
        reason(
            graph(GRAPHS["ontology"]),
            graph(GRAPHS["asserted"]),
            graph(GRAPHS["inferred"]),
            settings.reasoner,
            steps,
        )
        with steps.step("linking to Wikidata") as step:
            # A project without links (a new one) links nothing.
            links = (
                read_links(settings.links_file, settings.wikidata_reference)
                if settings.links_file.is_file()
                else []
            )
            linked = dataset.graph(GRAPHS["links"])
            linked += links_graph(links, graph(GRAPHS["asserted"]), settings.links_file)
            step.detail = f"{len(linked)} links"
        with steps.step("assessing the claims") as step:
            assessed = dataset.graph(GRAPHS["assessments"])
            assessed += assessment_graph(dataset, _comparison(dataset, settings))
            step.detail = f"{len(assessed)} triples"
        if key:
            with steps.step("writing the cache") as step:
                write_cache(settings.cache_file, key, dataset)
                step.detail = str(settings.cache_file)
        return dataset


def open_files(
    settings: Settings,
    paths: Sequence[Path],
    *,
    reasoning: bool = False,
    steps: Steps | None = None,
) -> Backend:
    """The backend ``settings.store`` names, holding plain RDF files (as ``oxigraph serve``
    and rdflib-endpoint serve them): no claims, checks, links or cache; with ``reasoning``,
    the OWL 2 RL closure of the files' own axioms and facts in the inferred graph.

    A store that loads N-Quads (``oxigraph``) over files of triples reasoned by reasonable
    gets them by the bounded path (:func:`filmgraph.reason.reason_into_store`): the files
    are never held as rdflib graphs, whatever their size.

    Raises:
        DataError: a missing or malformed file, a folder without RDF files (file, line and
            column); InconsistencyError: reasoning finds the files inconsistent.
    """
    steps = steps or Steps()
    with _locked(settings, steps):
        return open_backend(settings, _FilesBuild(settings, paths, reasoning, steps), steps)


class _FilesBuild:
    """RDF files as a build (a :class:`filmgraph.store.Build` that is never kept)."""

    key: str | None = None

    def __init__(
        self, settings: Settings, paths: Sequence[Path], reasoning: bool, steps: Steps
    ) -> None:
        self.settings, self.paths, self.reasoning, self.steps = settings, paths, reasoning, steps
        self._dataset: Dataset | None = None

    def dataset(self) -> Dataset:
        if self._dataset is None:
            with self.steps.step("parsing") as step:
                dataset = load_rdf_files(self.paths)
                step.detail = f"{len(dataset)} quads from {len(rdf_files(self.paths))} files"
            if self.reasoning:
                graph = dataset.graph
                reason(
                    graph(GRAPHS["ontology"]),
                    graph(GRAPHS["asserted"]),
                    graph(GRAPHS["inferred"]),
                    self.settings.reasoner,
                    self.steps,
                )
            self._dataset = dataset
        return self._dataset

    @contextmanager
    def nquads(self) -> Iterator[Path]:
        """The files as N-Quads; reasoned by reasonable or the rules in the store over
        triple files, made from the files without rdflib graphs (:func:`_bounded_nquads`)."""
        if self._dataset is None and self._bounded():
            with _bounded_nquads(
                rdf_files(self.paths), self.settings.output_dir, self.steps, self.settings.reasoner
            ) as path:
                yield path
            return
        with _written(self.dataset(), self.settings.output_dir) as path:
            yield path

    def _bounded(self) -> bool:
        """Whether the bounded path reasons over these files: with reasonable or the rules
        in the store, over files of triples (named graphs are loaded as they are, by the
        other path)."""
        return (
            self.reasoning
            and self.settings.reasoner in ("reasonable", "rules")
            and all(path.suffix.lower() in TRIPLE_FILES for path in rdf_files(self.paths))
        )


@contextmanager
def _bounded_nquads(
    files: Sequence[Path], folder: Path, steps: Steps, reasoner: str
) -> Iterator[Path]:
    """``files`` and their OWL 2 RL closure as N-Quads, reasoned without rdflib graphs of
    them (:func:`filmgraph.reason.reason_into_store` with reasonable,
    :func:`filmgraph.reason.rules_into_store` with the rules): the files in the asserted
    graph, the inferences in the inferred graph, checked for consistency in a scratch
    Oxigraph store on disk, and written from the reasoning's own files (literals as the
    files write them)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix="reasoning-") as scratch:
        work = Path(scratch)
        store = ox.Store(str(work / "store"))
        try:
            into_store = rules_into_store if reasoner == "rules" else reason_into_store
            into_store(store, [], files, folder=work / "files", steps=steps)
        finally:
            del store  # closed before its folder is removed
        written = WorkFiles(work / "files")
        with steps.step("writing the N-Quads") as step:
            path = work / "build.nq"
            graphs = {GRAPHS["asserted"]: written["data"], GRAPHS["inferred"]: written["inferred"]}
            step.detail = f"{write_nquads(path, graphs)} quads"
        yield path


@contextmanager
def _written(dataset: Dataset, folder: Path) -> Iterator[Path]:
    """``dataset`` in a temporary N-Quads file of ``folder``, while the context lasts."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".nq") as handle:
        dataset.serialize(destination=handle.name, format="nquads", encoding="utf-8")
        yield Path(handle.name)


def _comparison(dataset: Dataset, settings: Settings) -> ComparisonReport | None:
    """The comparison with the shipped Wikidata reference; None for a project without one."""
    files = (settings.wikidata_facts, settings.wikidata_reference, settings.wikidata_containment)
    return compare(dataset, settings) if all(f.is_file() for f in files) else None


def validate(settings: Settings | None = None) -> Report:
    """Load the files and run every check; return the report without raising on violations."""
    settings = settings or Settings()
    return run_checks(load_dataset(settings), settings)


def write_dataset(dataset: Dataset, settings: Settings) -> Path:
    """Write the built dataset as TriG into the output folder, atomically."""
    path = settings.output_dir / DATASET_FILE
    write_atomic(path, dataset.serialize(format="trig"))
    return path

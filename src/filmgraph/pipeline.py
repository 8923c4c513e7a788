"""``build``: the only place that orders the steps from files to a dataset.

    store current? -> cache? -> ontology/*.ttl + data/*.ttl -> load (named graphs)
        -> check (SHACL + SPARQL checks) -> reason (OWL 2 RL, into the inferred graph)
        -> link (confirmed Wikidata items, into the links graph) -> cache -> store

Each later step writes into its own named graph; the asserted graph is never modified
after loading.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rdflib import Dataset

from .check import Report, run_checks
from .core import GRAPHS, ChecksFailedError, Settings, Steps, write_atomic
from .link import links_graph, read_links
from .load import load_dataset
from .reason import reason
from .store import cache_holds, fingerprint, keep_store, kept_store, read_cache, write_cache

DATASET_FILE = "filmgraph.trig"

log = logging.getLogger(__name__)


def build(
    settings: Settings | None = None, *, check: bool = True, steps: Steps | None = None
) -> Dataset:
    """Build the dataset: ontology, asserted facts, provenance and inferences as named graphs.

    The returned dataset's default graph, when queried, is the union of its named graphs.
    With ``settings.cache`` (the default) a build whose inputs are unchanged is read back
    from the cache instead of checked and reasoned again. With ``store=oxigraph`` the
    build is kept in the Oxigraph store, and the dataset returned reads it there
    (read-only, nothing in memory); while the inputs are unchanged the store is opened
    without building at all.

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
    settings = settings or Settings()
    steps = steps or Steps()
    key = fingerprint(settings) if settings.cache and check else None
    if key is None or settings.store != "oxigraph":
        return _build(settings, key, check, steps)
    with steps.step("opening the Oxigraph store") as step:
        held = kept_store(settings, key)
        step.detail = "current" if held is not None else "missing or stale"
    if held is not None:
        return held
    # The store is loaded from the cache file as it is, never parsed by rdflib here: the file
    # holds the build under `key`, already or once _build has written it.
    built = None if cache_holds(settings.cache_file, key) else _build(settings, key, check, steps)
    with steps.step("writing the Oxigraph store") as step:
        step.detail = str(keep_store(settings, None, key))
    held = kept_store(settings, key)
    if held is not None:
        return held
    return built if built is not None else _build(settings, key, check, steps)


def _build(settings: Settings, key: str | None, check: bool, steps: Steps) -> Dataset:
    """The dataset built from the files, or read from the cache under ``key``."""
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
    if check:
        with steps.step("checking shapes and integrity") as step:
            report = run_checks(dataset, settings)
            step.detail = "conforms" if report.conforms else f"{len(report.violations)} violations"
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
        links = read_links(settings.links_file, settings.wikidata_reference)
        linked = dataset.graph(GRAPHS["links"])
        linked += links_graph(links, graph(GRAPHS["asserted"]), settings.links_file)
        step.detail = f"{len(linked)} links"
    if key:
        with steps.step("writing the cache") as step:
            write_cache(settings.cache_file, key, dataset)
            step.detail = str(settings.cache_file)
    return dataset


def validate(settings: Settings | None = None) -> Report:
    """Load the files and run every check; return the report without raising on violations."""
    settings = settings or Settings()
    return run_checks(load_dataset(settings), settings)


def write_dataset(dataset: Dataset, settings: Settings) -> Path:
    """Write the built dataset as TriG into the output folder, atomically."""
    path = settings.output_dir / DATASET_FILE
    write_atomic(path, dataset.serialize(format="trig"))
    return path

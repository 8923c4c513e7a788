"""``build``: the only place that orders the steps from files to a dataset.

    ontology/*.ttl + data/*.ttl -> load (named graphs) -> check (SHACL + SPARQL checks)

Later steps (reasoning, Wikidata links) are added here, each into its own named graph; the
asserted graph is never modified after loading.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from .checks import Report, run_checks
from .config import Settings
from .errors import ChecksFailedError
from .fsio import write_atomic
from .loading import load_dataset

DATASET_FILE = "filmgraph.trig"


def build(settings: Settings | None = None, *, check: bool = True) -> Dataset:
    """Build the dataset: ontology, asserted facts and provenance as named graphs.

    The returned dataset's default graph, when queried, is the union of its named graphs.

    Args:
        settings: where the project's files are; ``Settings()`` by default.
        check: run the SHACL shapes and integrity checks and refuse data that fails them.

    Raises:
        DataError: a file is malformed (the error names file and line).
        ChecksFailedError: the data violates a shape or a check (the error holds the report).

    >>> dataset = build()
    >>> from filmgraph.namespaces import GRAPHS
    >>> len(dataset.graph(GRAPHS["asserted"])) > 100
    True
    """
    settings = settings or Settings()
    dataset = load_dataset(settings)
    if check:
        report = run_checks(dataset, settings)
        if not report.conforms:
            raise ChecksFailedError(report, report.text())
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

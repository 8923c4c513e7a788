"""Run notebooks/balagov-analysis.ipynb in a fresh kernel and save it with its outputs.

    python notebooks/build.py              # re-run the notebook in place
    python notebooks/build.py -o OUT.ipynb  # write the run notebook elsewhere

The notebook is its own source: edit its cells (in Jupyter, or any editor; ``ruff format``
formats them), then run this script, so that the committed outputs are those of the
committed code, run top to bottom from a clean kernel. ``tests/test_notebook.py`` runs it the
same way (:func:`execute`) and fails on any error.

Cells tagged ``figure-*`` must show a plot and cells tagged ``table-*`` a table; the test
checks both.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "balagov-analysis.ipynb"
KERNEL = "python3"  # ipykernel's kernel of the Python running this (the project's .venv)
TIMEOUT = 300  # seconds a cell may run


def read(path: Path = NOTEBOOK) -> nbformat.NotebookNode:
    """The notebook without outputs, as it is before a run."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path = HERE) -> nbformat.NotebookNode:
    """Run every cell, in order, in a new ``python3`` kernel started in ``cwd``.

    Raises:
        nbclient.exceptions.CellExecutionError: a cell failed (with its traceback).
    """
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=TIMEOUT,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    nb = client.execute()
    nb.metadata["language_info"] = {"name": "python"}  # not this machine's Python version
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=NOTEBOOK)
    args = parser.parse_args(argv)
    nb = execute(read())
    nbformat.validate(nb)
    nbformat.write(nb, args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

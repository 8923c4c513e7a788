"""notebooks/balagov-analysis.ipynb runs from a clean kernel, and shows its plots and tables.

The notebook is run as ``notebooks/build.py`` runs it (nbclient, the ``python3`` kernel of
ipykernel in this environment), with a fresh HOME and Jupyter, IPython and matplotlib folders,
as on a fresh clone in CI; nbclient raises on the first cell that fails.
"""

from __future__ import annotations

import nbformat
import pytest
from notebooks import build as notebook

pytestmark = pytest.mark.slow


def tagged(nb: nbformat.NotebookNode, prefix: str) -> dict[str, nbformat.NotebookNode]:
    """The code cells whose tag starts with ``prefix``, by tag."""
    return {
        tag: cell
        for cell in nb.cells
        for tag in cell.get("metadata", {}).get("tags", [])
        if tag.startswith(prefix)
    }


def check_outputs(nb: nbformat.NotebookNode) -> None:
    """No errors; each ``figure-*`` cell shows a PNG, each ``table-*`` cell an HTML table."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
    figures = tagged(nb, "figure-")
    assert set(figures) >= {
        "figure-histograms",
        "figure-timeline",
        "figure-network",
        "figure-sentences",
    }
    for tag, cell in figures.items():
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, tag
        assert [o.output_type for o in cell.outputs if o not in images] in ([], ["stream"]), tag
        assert images[0].data["image/png"].startswith("iVBORw0KGgo"), tag  # a PNG
    tables = tagged(nb, "table-")
    assert {"table-comparison", "table-provenance", "table-timeline"} <= set(tables)
    for tag, cell in tables.items():
        html = [o.data["text/html"] for o in cell.outputs if "text/html" in o.get("data", {})]
        assert html and "<table" in html[-1], tag
    comparison = tables["table-comparison"].outputs[-1].data["text/html"]
    for grade in ("agrees", "refines", "conflicts", "not-in-wikidata", "unchecked"):
        assert grade in comparison


def test_the_committed_notebook_was_run_top_to_bottom_and_saved_with_its_outputs():
    nb = nbformat.read(notebook.NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    check_outputs(nb)
    assert nb.metadata["kernelspec"]["name"] == notebook.KERNEL


def test_the_notebook_runs_from_a_clean_kernel(settings, dataset, tmp_path, monkeypatch):
    for name in ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    for name in ("JUPYTER_PATH", "JUPYTER_PREFER_ENV_PATH", "PYTHONSTARTUP", "MPLBACKEND"):
        monkeypatch.delenv(name, raising=False)
    # the session's build (the `dataset` fixture put it in its cache), not the checkout's build/
    monkeypatch.setenv("FILMGRAPH_ROOT", str(settings.root))
    monkeypatch.setenv("FILMGRAPH_BUILD_DIR", str(settings.output_dir))
    nb = notebook.execute(notebook.read(), cwd=tmp_path)
    check_outputs(nb)
    committed = nbformat.read(notebook.NOTEBOOK, as_version=4)
    assert texts(nb) == texts(committed), "stale outputs: run python notebooks/build.py"


def texts(nb: nbformat.NotebookNode) -> list[list[str]]:
    """The text each code cell shows (printed, or its value as text); pictures left out, as
    their bytes depend on the fonts of the machine."""
    return [
        [o.get("text") or o.get("data", {}).get("text/plain", "") for o in cell.outputs]
        for cell in nb.cells
        if cell.cell_type == "code"
    ]


@pytest.mark.parametrize("cell", ["figure-timeline", "figure-network"])
def test_committed_figures_are_small(cell):
    nb = nbformat.read(notebook.NOTEBOOK, as_version=4)
    outputs = tagged(nb, cell)[cell].outputs
    [image] = [o.data["image/png"] for o in outputs if "image/png" in o.get("data", {})]
    assert len(image) < 200_000  # base64 characters: a modest figure at 80 dpi

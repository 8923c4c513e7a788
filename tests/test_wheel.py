"""The wheel, installed as a tool outside the checkout, builds and serves the bundled Balagov
project from an empty folder: what `uv tool install filmgraph-kg` gives a user.

The wheel is built from this checkout (`uv build`) and installed with `uv tool install` into
folders of the test's own; everything runs from an empty folder with the checkout nowhere on
the path, and nothing is written into the package's own folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from browser import serving

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
    if not Path(found).is_file():
        pytest.skip("uv is not installed (make install puts it in .tools/bin)")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([_uv(), "build", "--wheel", "-o", str(out)], cwd=ROOT, check=True)
    (found,) = out.glob("filmgraph_kg-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The tool installed from the wheel: its command, an empty working folder and the
    environment to run it in (the test's own cache folder, no FILMGRAPH_* settings)."""
    home = tmp_path_factory.mktemp("tool")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FILMGRAPH_", "VIRTUAL_ENV"))}
    env.update(
        UV_TOOL_DIR=str(home / "tools"),
        UV_TOOL_BIN_DIR=str(home / "bin"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHONPATH="",
    )
    # The versions of uv.lock, as `make run` installs them (not whatever is newest).
    constraints = home / "constraints.txt"
    exported = subprocess.run(
        [_uv(), "export", "--frozen", "--no-emit-project", "--no-dev", "--no-hashes"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    constraints.write_text(exported.stdout, encoding="utf-8")
    subprocess.run(
        [_uv(), "tool", "install", "--python", "python3", "-c", str(constraints), str(wheel)],
        env=env,
        check=True,
    )
    empty = home / "empty"
    empty.mkdir()
    return {"command": str(home / "bin" / "filmgraph"), "cwd": empty, "env": env, "home": home}


def test_the_tool_has_the_locked_runtime_and_not_the_dev_tools(installed):
    python = next(Path(str(installed["home"])).glob("tools/filmgraph-kg/bin/python"))
    listed = subprocess.run(
        [_uv(), "pip", "list", "--python", str(python), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {p["name"] for p in json.loads(listed.stdout)}
    assert {"filmgraph-kg", "rdflib", "owlrl", "flask", "pyoxigraph"} <= names
    assert not names & {"pytest", "mypy", "playwright", "hypothesis", "mkdocs"}


def _run(installed: dict[str, object], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(installed["command"]), *args],
        cwd=installed["cwd"],
        env=installed["env"],  # type: ignore[arg-type]
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_wheel_carries_the_bundled_project(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (
        "filmgraph/project/filmgraph.toml",
        "filmgraph/project/data/claims.toml",
        "filmgraph/project/data/balagov.ttl",
        "filmgraph/project/data/sources/balagov-biography.txt",
        "filmgraph/project/data/wikidata/snapshot.ttl",
        "filmgraph/project/data/vendor/schemaorg-context-30.0.jsonld",
        "filmgraph/project/ontology/filmgraph.ttl",
        "filmgraph/project/ontology/shapes/balagov.shapes.ttl",
        "filmgraph/project/queries/films-directed.rq",
        "filmgraph/web/templates/base.html",
        "filmgraph/web/static/vendor/yasgui/yasgui.min.js",
    ):
        assert path in names, path
    checks = [n for n in names if n.startswith("filmgraph/project/ontology/checks/")]
    assert len(checks) == len(list((ROOT / "ontology" / "checks").glob("*.rq")))


def test_build_from_an_empty_folder_uses_the_bundled_project(installed):
    result = _run(installed, "build")
    assert result.returncode == 0, result.stderr
    assert "(the bundled project)" in result.stdout
    assert "site-packages/filmgraph/project" in result.stdout
    # The build goes to the user's cache, never into the package or the empty folder.
    assert str(installed["home"] / "cache" / "filmgraph") in result.stdout
    assert list(Path(installed["cwd"]).iterdir()) == []  # type: ignore[arg-type]


def test_a_named_query_and_an_export_from_an_empty_folder(installed):
    result = _run(installed, "query", "films-directed", "--format", "json")
    assert result.returncode == 0, result.stderr
    titles = {b["title"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]}
    assert titles == {"Closeness", "Beanpole"}
    listed = _run(installed, "queries")
    assert listed.returncode == 0 and "films-directed" in listed.stdout
    export = _run(installed, "export", "--format", "nt", "--graphs", "asserted")
    assert export.returncode == 0, export.stderr
    assert '<https://w3id.org/filmgraph/id/beanpole> <http://schema.org/name> "Beanpole" .' in (
        export.stdout
    )


def test_serve_from_an_empty_folder(installed, tmp_path: Path):
    command = [str(installed["command"]), "--no-progress", "serve", "--port", "0"]
    env: dict[str, str] = installed["env"]  # type: ignore[assignment]
    cwd: Path = installed["cwd"]  # type: ignore[assignment]
    with serving(command, env, cwd, tmp_path / "stderr.log") as (_, base):
        query = urllib.parse.urlencode({"query": "ASK { ?film a <http://schema.org/Movie> }"})
        request = urllib.request.Request(
            f"{base}/sparql?{query}", headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response) == {"head": {}, "boolean": True}
        with urllib.request.urlopen(f"{base}/page/kantemir-balagov", timeout=30) as response:
            page = response.read().decode()
        assert "filmgraph: Kantemir Balagov" in page
        with urllib.request.urlopen(f"{base}/document", timeout=30) as response:
            assert "Balagov" in response.read().decode()

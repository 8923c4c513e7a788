"""The documentation stays true: the README and the documentation site (``docs/``, built by
``mkdocs.yml``) cover every command, setting, route, competency question and noise rule; the
site builds under ``--strict``; and the code of its pages runs.

Code blocks of the pages are run as the reader would run them: every ``python`` (or ``py``)
block is executed, every ``sparql`` block must get an answer from the build, and every
``sh``, ``bash`` or ``console`` block that runs ``filmgraph`` commands runs them on a copy of
the project (a ``console`` block's shown output must appear in what the command prints, lines
holding ``...`` aside; ``/path/to/filmgraph`` stands for the project's folder). A block that
cannot run here (it starts a server, or needs a store that is not running) is preceded by an
HTML comment ``<!-- not-tested: why -->``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path

import click
import markdown
import pytest

from console import Command, console_commands, run_as_shown
from filmgraph.cli import main
from filmgraph.core.settings import settings_help

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: The documentation's Markdown sources: the README and every page of the site.
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]

#: All of them, as one text.
SOURCES = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _hook(name: str):
    """A hook module of the site (docs/hooks/NAME.py), imported as mkdocs imports it."""
    spec = importlib.util.spec_from_file_location(
        f"docs_hook_{name}", DOCS / "hooks" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commands(group: click.Group, prefix: str = "filmgraph") -> list[str]:
    out = []
    for name, command in group.commands.items():
        out.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            out.extend(_commands(command, f"{prefix} {name}"))
    return out


# -- What the documentation covers --------------------------------------------------------


@pytest.fixture(scope="module")
def cli_reference() -> str:
    """The CLI reference page as the site renders it (mkdocs-click reads the click group)."""
    return markdown.markdown(_page("reference/cli.md"), extensions=["mkdocs-click", "tables"])


@pytest.mark.parametrize("command", _commands(main))
def test_every_cli_command_is_documented(command, cli_reference):
    # in the generated reference, with its options ...
    assert f"{command} [OPTIONS]" in cli_reference, command
    # ... and in the guide, with what it is for
    assert f"`{command}" in SOURCES, command


def test_the_cli_reference_is_generated_from_the_command():
    page = _page("reference/cli.md")
    assert "::: mkdocs-click" in page
    assert ":module: filmgraph.cli" in page and ":command: main" in page
    assert ":prog_name: filmgraph" in page


def test_the_settings_reference_is_generated_from_the_settings_table():
    hook = _hook("settings")
    assert hook.MARKER in _page("reference/settings.md")
    table = hook.settings_table()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(settings_help())
    for setting, row in zip(settings_help(), rows, strict=True):
        assert row.startswith(f"| `{setting.name}` | `{setting.env}` |"), row
        assert setting.help.replace("|", "\\|") in row
    # the page the site builds has the table in place of the marker
    page = hook.on_page_markdown(_page("reference/settings.md"), page=None)
    assert hook.MARKER not in page and table in page


@pytest.mark.parametrize(("name", "env"), [(s.name, s.env) for s in settings_help()])
def test_every_setting_is_in_the_settings_reference(name, env):
    table = _hook("settings").settings_table()
    assert f"| `{name}` | `{env}` |" in table


def test_every_http_route_is_in_the_routes_reference(app):
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routes >= {"/sparql", "/.well-known/void", "/explain", "/health", "/metrics"}
    reference = _page("reference/routes.md")
    for route in routes:
        assert f"| `{route}` |" in reference, route


def test_every_competency_question_is_documented(settings):
    for path in settings.queries_dir.glob("*.rq"):
        assert f"`{path.name}`" in SOURCES, path.name


def test_every_noise_rule_is_documented():
    from filmgraph.reason.noise import NOISE

    for name, _ in NOISE:
        assert f"| `{name}` |" in SOURCES, name


def test_the_two_commands_are_in_the_readme():
    assert "make run" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_the_readme_is_short_and_links_the_site():
    assert len(README.splitlines()) <= 200
    assert "pip install 'filmgraph-kg[fast]'" in README
    for page in ("docs/architecture.md", "docs/reference/cli.md", "docs/guide/endpoint.md"):
        assert f"]({page}" in README, page


def test_relative_links_of_the_readme_and_changelog_reach_files():
    for name in ("README.md", "CHANGELOG.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s#]+)(?:#[^)]*)?\)", text):
            if "://" not in target:
                assert (ROOT / target).exists(), f"{name}: {target}"


def test_the_changelog_keeps_a_changelog():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert re.search(r"^## \[0\.1\.0\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    # the version being built has its entry (a release is tagged v<version> in git)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert re.search(rf"^## \[{re.escape(project['version'])}\] - \d{{4}}-", changelog, re.M)
    assert "changelog.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


ARCHITECTURE = _page("architecture.md")


def test_the_architecture_page_names_every_module():
    src = ROOT / "src" / "filmgraph"
    for path in sorted(src.rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        package = path.parent.relative_to(src).as_posix()
        if package == ".":
            assert f"`{path.name}`" in ARCHITECTURE, path
            continue
        row = next(
            (line for line in ARCHITECTURE.splitlines() if line.startswith(f"| `{package}/`")),
            None,
        )
        outer = package.split("/")[0]
        row = row or next(line for line in ARCHITECTURE.splitlines() if f"| `{outer}/`" in line)
        assert f"`{path.stem}`" in row, f"{path} is not in the {package}/ row"
    assert "docs/architecture.md" in README


# -- The site builds ----------------------------------------------------------------------


def test_the_site_builds_strictly(tmp_path):
    """``mkdocs build --strict``: every nav page exists, no link or anchor is broken, the
    reference renders without a warning."""
    done = subprocess.run(
        [
            *(sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"),
            *("--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")),
        ],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    site = tmp_path / "site"
    settings = (site / "reference" / "settings" / "index.html").read_text(encoding="utf-8")
    assert all(s.env in settings for s in settings_help())
    assert "filmgraph.run_query" in (site / "reference" / "api" / "index.html").read_text(
        encoding="utf-8"
    )
    assert (site / "repo" / "benchmarks" / "RESULTS" / "index.html").exists()
    assert (site / "changelog" / "index.html").exists()


# -- The code of the pages runs -----------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page."""

    page: Path
    line: int  # of the opening fence, from 1
    language: str
    code: str
    before: str  # the last non-blank line before the fence

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT).as_posix()}:{self.line}"

    @property
    def tested(self) -> bool:
        return not self.before.startswith("<!-- not-tested:")


FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<language>[\w-]*)\s*$")


def _blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    out = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == fence)
        code = "\n".join(line[indent:] for line in lines[i + 1 : end]) + "\n"
        before = next((line.strip() for line in reversed(lines[:i]) if line.strip()), "")
        out.append(Block(page, i + 1, opening["language"], code, before))
        i = end + 1
    return out


BLOCKS = [block for page in PAGES for block in _blocks(page)]


def _python_blocks() -> list[Block]:
    return [b for b in BLOCKS if b.language in ("python", "py") and b.tested]


def test_untested_blocks_are_rare_and_say_why():
    untested = [b for b in BLOCKS if not b.tested]
    assert len(untested) <= 10, [b.id for b in untested]
    assert all(re.match(r"<!-- not-tested: \S.* -->$", b.before) for b in untested)


@pytest.mark.parametrize("block", _python_blocks(), ids=lambda b: b.id)
def test_python_examples_run(block, monkeypatch):
    # each block runs as a module of its own; one the page introduces as a module of the
    # package (`src/filmgraph/PATH.py`:) runs in that package, as the page says
    module = types.ModuleType(f"docs_example_{block.line}")
    found = re.search(r"`src/(filmgraph/[\w/]+)\.py`:$", block.before)
    module.__package__ = found[1].rsplit("/", 1)[0].replace("/", ".") if found else None
    monkeypatch.setitem(sys.modules, module.__name__, module)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(block.code, block.id, "exec"), module.__dict__)


def test_readme_python_example_prints_what_it_says():
    [block] = [b for b in BLOCKS if b.page.name == "README.md" and b.language == "python"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block.code, block.id, "exec"), {})
    assert "Closeness" in out.getvalue() and "asserted" in out.getvalue()
    assert "inferred prp-dom" in out.getvalue()


def test_stores_example_prints_what_it_says(settings):
    [block] = [b for b in _python_blocks() if "filmgraph.open_store(" in b.code]
    # run in the tests' build folder
    code = block.code.replace('filmgraph.Settings(store="oxigraph")', "settings", 1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, block.id, "exec"), {"settings": settings.with_(store="oxigraph")})
    assert out.getvalue().split() == ["t", "Beanpole", "Closeness"]


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.language == "sparql" and b.tested], ids=lambda b: b.id
)
def test_sparql_examples_answer(block, dataset):
    import filmgraph

    assert len(filmgraph.run_query(dataset, block.code)) > 0


#: How a shown output names the project's folder.
PROJECT = "/path/to/filmgraph"


def _shell_commands(block: Block) -> list[Command]:
    """The ``filmgraph`` commands of a shell block (continued lines joined)."""
    if block.language == "console":
        commands = console_commands(block.code)
    else:
        lines = block.code.replace("\\\n", " ").splitlines()
        commands = [Command(line, ()) for line in lines]
    return [c for c in commands if re.match(r"(\w+=\S+ )*filmgraph\b", c.text)]


#: Pages whose blocks run in order, in a folder of their own, by a test of their own.
TUTORIALS = {DOCS / "guide" / "projects.md"}  # tests/test_tutorial.py


def _shell_blocks() -> list[Block]:
    return [
        b
        for b in BLOCKS
        if b.language in ("sh", "bash", "console", "shell")
        and b.tested
        and _shell_commands(b)
        and b.page not in TUTORIALS
    ]


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project the shell examples may change (claims compile, snapshot)."""
    copy = tmp_path_factory.mktemp("docs-project")
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, copy / folder)
    if (ROOT / "filmgraph.toml").exists():
        shutil.copy(ROOT / "filmgraph.toml", copy / "filmgraph.toml")
    return copy


@pytest.mark.slow
@pytest.mark.parametrize("block", _shell_blocks(), ids=lambda b: b.id)
def test_shell_examples_run(block, project_copy):
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "FILMGRAPH_ROOT": str(project_copy),
        "FILMGRAPH_BUILD_DIR": str(project_copy / "build"),
    }
    for command in _shell_commands(block):
        run_as_shown(command, project_copy, env, (PROJECT, project_copy))

"""The README stays true: every command, setting and question is documented; its code runs."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import click
import pytest

from filmgraph.cli import main
from filmgraph.core.settings import settings_help

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "filmgraph") -> list[str]:
    out = []
    for name, command in group.commands.items():
        out.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            out.extend(_commands(command, f"{prefix} {name}"))
    return out


@pytest.mark.parametrize("command", _commands(main))
def test_every_cli_command_is_in_the_readme(command):
    assert f"`{command}" in README


@pytest.mark.parametrize(("name", "env"), [(s.name, s.env) for s in settings_help()])
def test_every_setting_is_in_the_readme(name, env):
    assert f"`{name}`" in README and f"`{env}`" in README


def test_every_http_route_is_in_the_readme(app):
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert routes >= {"/sparql", "/.well-known/void", "/explain", "/health", "/metrics"}
    for route in routes:
        assert f"`{route}" in README, route


def test_every_competency_question_is_in_the_readme(settings):
    for path in settings.queries_dir.glob("*.rq"):
        assert f"`{path.name}`" in README, path.name


def test_every_noise_rule_is_in_the_readme():
    from filmgraph.reason.noise import NOISE

    for name, _ in NOISE:
        assert f"| `{name}` |" in README, name


def test_the_two_commands_are_in_the_readme():
    assert "make run" in README and "make test" in README
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_readme_python_example_runs():
    [code] = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert "Closeness" in out.getvalue() and "asserted" in out.getvalue()
    assert "inferred prp-dom" in out.getvalue()


def test_readme_stores_example_runs(settings):
    [code] = [b for b in re.findall(r"```py\n(.*?)```", README, flags=re.S) if "open_store" in b]
    # run in the tests' build folder
    code = code.replace('filmgraph.Settings(store="oxigraph")', "settings", 1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"settings": settings.with_(store="oxigraph")})
    assert out.getvalue().split() == ["t", "Beanpole", "Closeness"]


ARCHITECTURE = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text(
    encoding="utf-8"
)


def test_the_architecture_page_names_every_module():
    src = Path(__file__).resolve().parents[1] / "src" / "filmgraph"
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

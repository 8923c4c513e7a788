"""The projects tutorial (docs/guide/projects.md) runs as written: in an empty folder, its
files are written, its commands run and print what the page shows, and the project it makes
is served with its own title and home entity.

The page's blocks run in order: a block after ``<!-- tutorial: write PATH -->`` (or
``append PATH``) is written to PATH; the ``$`` lines of a ``console`` block run in bash, in
the folder the last ``$ cd`` chose, and every line the page shows under a command must be in
what it prints (``...`` stands for lines left out); the block after ``<!-- tutorial: serve -->``
is checked by starting the server for real.
"""

from __future__ import annotations

import os
import re
import sys
import urllib.request
from pathlib import Path

import pytest

from browser import serving
from console import console_commands, run_as_shown

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "guide" / "projects.md"
pytestmark = pytest.mark.slow

_BLOCK = re.compile(
    r"(?:<!-- tutorial: (?P<action>[^>]*?) -->\n)?```(?P<language>\w+)\n(?P<code>.*?)```",
    re.S,
)


def _steps() -> list[tuple[str, str, str]]:
    """(action, language, code) of each fenced block of the page, in order."""
    text = PAGE.read_text(encoding="utf-8")
    return [(m["action"] or "", m["language"], m["code"]) for m in _BLOCK.finditer(text)]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMGRAPH_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["XDG_CACHE_HOME"] = str(home / "cache")
    return env


def test_the_tutorial_builds_and_serves_a_project_of_its_own(tmp_path: Path):
    steps = _steps()
    assert any(action == "serve" for action, _, _ in steps)
    env, cwd = _env(tmp_path), tmp_path
    served = False
    for action, language, code in steps:
        verb, _, target = action.partition(" ")
        if verb in ("write", "append"):
            with (cwd / target).open("a" if verb == "append" else "w", encoding="utf-8") as f:
                f.write(("\n" if verb == "append" else "") + code)
        elif verb == "serve":
            served = _check_serving(code, cwd, env, tmp_path)
        elif language == "console" and not verb:
            for command in console_commands(code):
                if command.text.startswith("cd "):
                    cwd = cwd / command.text[3:].strip()
                    continue
                run_as_shown(command, cwd, env, ("/path/to/tarkovsky", cwd), timeout=600)
    assert served


def _check_serving(code: str, cwd: Path, env: dict[str, str], tmp_path: Path) -> bool:
    [command] = console_commands(code)
    assert command.text == "filmgraph serve"
    expected = command.shown[0].replace("/path/to/tarkovsky", str(cwd))
    argv = [sys.executable, "-m", "filmgraph", "serve", "--port", "0"]
    with serving(argv, env, cwd, tmp_path / "serve.log") as (_, base):
        port = base.rsplit(":", 1)[1]
        # The line the page shows, but for the port (the test asks for any free one).
        log = expected.replace(":8000/", f":{port}/")
        assert log.startswith("serving ")
        with urllib.request.urlopen(f"{base}/page/andrei-tarkovsky", timeout=30) as response:
            page = response.read().decode()
        assert "<title>Andrei Tarkovsky · filmgraph: Andrei Tarkovsky</title>" in page
        assert '<a href="/page/andrei-tarkovsky">Andrei Tarkovsky</a>' in page
        assert "Kantemir" not in page and "Balagov" not in page
        assert "Andrei Tarkovsky&#39;s films, from a three-sentence biography." in page
        with urllib.request.urlopen(f"{base}/document", timeout=30) as response:
            document = response.read().decode()
        assert document.count("<mark") >= 5  # every quoted span highlighted
        with urllib.request.urlopen(f"{base}/", timeout=30) as response:
            assert response.status == 200  # the query page, with no competency questions
    return True

"""The console blocks of the docs, run as the page shows them: each ``$`` command with the
lines the page shows under it, run in bash, every shown line required in what it prints
(``...`` stands for lines left out). Used by tests/test_docs.py and tests/test_tutorial.py."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Command:
    """One shell command of a block, with the output the page shows for it."""

    text: str
    shown: tuple[str, ...]


def console_commands(code: str) -> list[Command]:
    """The ``$`` commands of a console block (continued lines joined), each with the lines
    shown under it."""
    commands: list[Command] = []
    for line in code.replace("\\\n", " ").splitlines():
        if line.startswith("$ "):
            commands.append(Command(line[2:], ()))
        elif commands:
            last = commands[-1]
            commands[-1] = Command(last.text, (*last.shown, line))
    return commands


def run_as_shown(
    command: Command,
    cwd: Path,
    env: Mapping[str, str],
    folder: tuple[str, Path],
    timeout: float = 300,
) -> None:
    """Run ``command`` in bash and check that it succeeds and prints every line the page
    shows; ``folder`` is (how the page names the project's folder, the folder it is here)."""
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command.text],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{command.text}\n{done.stdout}\n{done.stderr}"
    printed = {line.strip() for line in (done.stdout + done.stderr).splitlines()}
    for line in command.shown:
        line = line.strip().replace(folder[0], str(folder[1]))
        if line and "..." not in line:
            assert line in printed, f"{command.text}: {line!r} not in {sorted(printed)}"

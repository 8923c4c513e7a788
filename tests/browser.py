"""Browser-test helpers: the real server on 127.0.0.1 and a headless system Chromium.

Its fixtures reach every test module (``conftest.py`` names this module in
``pytest_plugins``); a module of browser tests skips first where there is no browser::

    from browser import MISSING, available

    if not available():
        pytest.skip(MISSING, allow_module_level=True)

    def test_something(browser_page):
        page = browser_page.open("/page/kantemir-balagov")
        ...
        assert browser_page.outside() == []

The browser is Debian's ``chromium`` (``/usr/bin/chromium``) driven by Playwright; Playwright's
own browser downloads are never used. Where it is missing, the fixtures skip with the reason
(:data:`MISSING`); ``.ci/run`` installs it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
MISSING = (
    f"no browser: the browser tests need Debian's chromium at {CHROMIUM} "
    "(apt-get install chromium chromium-driver; .ci/run installs it)"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces for the "nothing leaves 127.0.0.1" checks: a request to any other host
    # is still seen (and reported by the test) but cannot be resolved, so it never goes out.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def available() -> bool:
    """Whether the system Chromium and Playwright are both here."""
    if not CHROMIUM.exists():
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class Server:
    """``filmgraph serve`` running on 127.0.0.1: ``base`` is ``http://127.0.0.1:PORT``."""

    process: subprocess.Popen[str]
    base: str
    log: Path


#: ``filmgraph serve`` on a free port of 127.0.0.1 (the build of FILMGRAPH_BUILD_DIR, on the
#: store FILMGRAPH_STORE).
FILMGRAPH_SERVE = [sys.executable, "-m", "filmgraph", "--no-progress", "serve", "--port", "0"]


@contextlib.contextmanager
def serving(
    command: Sequence[str], env: Mapping[str, str], cwd: Path, log: Path
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``command`` in a subprocess: (the process, its base URL ``http://127.0.0.1:PORT``)
    once it prints ``serving URL``; stopped on exit (SIGTERM, then kill). Its stderr goes to
    ``log``."""
    with log.open("w") as stderr:
        process = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env), stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "serving http://127.0.0.1:PORT/sparql ..."
        assert line.startswith("serving http://127.0.0.1:"), log.read_text()
        yield process, line.split()[1].removesuffix("/sparql")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="module")
def server(settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server (uvicorn and its query workers) on a free port of 127.0.0.1, over the
    session's cached build; stopped (SIGTERM, then kill) at the end of the module."""
    log = tmp_path_factory.mktemp("server") / "stderr.log"
    env = {**os.environ, "FILMGRAPH_BUILD_DIR": str(settings.output_dir)}
    with serving(FILMGRAPH_SERVE, env, ROOT, log) as (process, base):
        yield Server(process, base, log)


@dataclass
class BrowserPage:
    """A fresh browser tab on the server, with every request and page error it saw."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str = "/") -> Page:
        """Go to ``path`` on the server and wait until the page has loaded."""
        self.page.goto(self.base + path, wait_until="load")
        return self.page

    def outside(self) -> list[str]:
        """The requests that went anywhere but the server's host (``data:`` and ``blob:``
        URLs stay in the page and do not count)."""
        return [url for url in self.requests if not _local(url)]


def _local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https", "ws") and parts.hostname in LOCAL_HOSTS


#: The window sizes the browser tests look at: a desktop's and a phone's.
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}


@contextlib.contextmanager
def open_browser(
    server: Server,
    profile: Path,
    viewport: Mapping[str, int] = VIEWPORTS["desktop"],
    javascript: bool = True,
) -> Iterator[BrowserPage]:
    """A headless system Chromium with a fresh profile in ``profile``, recording every
    request of the browser context (pages, workers) and every uncaught page error."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport=dict(viewport),  # type: ignore[arg-type]
            java_script_enabled=javascript,
            service_workers="block",
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(20_000)
            seen = BrowserPage(page, server.base)
            context.on("request", lambda request: seen.requests.append(request.url))
            page.on("pageerror", lambda error: seen.errors.append(str(error)))
            yield seen
        finally:
            context.close()


@pytest.fixture
def browser_page(server: Server, tmp_path: Path) -> Iterator[BrowserPage]:
    """A headless system Chromium with a fresh profile and a 1280x800 window (see
    :func:`open_browser`)."""
    if not available():
        pytest.skip(MISSING)
    with open_browser(server, tmp_path / "profile") as seen:
        yield seen


def screenshot(page: Page, name: str, **options: Any) -> Path:
    """Take a screenshot for the README, ``docs/screenshots/NAME.png``.

    The file is written when it is missing or when ``FILMGRAPH_SCREENSHOTS=1`` asks for new
    ones (it shows the server's random port, so rewriting it on every run would leave the work
    tree changed); otherwise the picture is still taken, into a temporary file.
    """
    path = ROOT / "docs" / "screenshots" / f"{name}.png"
    if path.exists() and os.environ.get("FILMGRAPH_SCREENSHOTS") != "1":
        path = Path(tempfile.mkdtemp(prefix="filmgraph-screenshot-")) / path.name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), **options)
    return path

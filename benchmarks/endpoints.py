"""The SPARQL servers of the load benchmark (:mod:`benchmarks.load`), on the same data.

:func:`prepare_data` writes a dataset as one N-Quads file: ``balagov`` is ``filmgraph.build()``,
``filmworld:N`` is :func:`benchmarks.filmworld.generate` with ``N`` triples. The file's
default graph is what the project's endpoint shows as its default graph (the union of
``filmgraph.query.engine.DEFAULT_GRAPHS``: the asserted, inferred and, once there is one, links
graphs), and its named graphs keep their names (a film world has only the asserted graph),
so ``GRAPH <...>`` patterns answer the same way on every server.

:func:`running` starts one server on a free port of ``127.0.0.1`` in a session of its own
and always stops that session (SIGTERM, then SIGKILL), worker processes included:

``filmgraph``
    on the Balagov data, ``filmgraph --no-progress serve --host H --port P``; on other data,
    which that command cannot load, the function it calls, ``filmgraph.web.server.serve``, in a
    child (``python -m benchmarks.endpoints filmgraph FILE --port P``) with the named graphs
    of the file. Queried at ``/sparql``; ready when ``/health`` (or ``/sparql?query=ASK{}``)
    answers 200. On its default store (Oxigraph); on other data with a build folder of its
    own (``FILMGRAPH_BUILD_DIR``, a temporary folder), where it loads the file into the store.
``filmgraph-oxigraph``, ``filmgraph-memory``
    the same server with ``FILMGRAPH_STORE`` set to that store and a build folder of its own.
    Not in :data:`DEFAULT_TARGETS`.
``rdflib-endpoint``
    ``rdflib_endpoint.SparqlEndpoint(graph=dataset)`` under uvicorn, in a child
    (``python -m benchmarks.endpoints rdflib-endpoint FILE --port P``), over an rdflib
    ``Dataset`` parsed from the file; queried at ``/``.
``oxigraph``
    ``oxigraph load --location DIR --file FILE`` then ``oxigraph serve-read-only --location
    DIR --bind H:P``; queried at ``/query``. With ``oxigraph_location`` a store already
    loaded there is served as it is.
``virtuoso``
    a Virtuoso (:mod:`benchmarks.virtuoso`) over the database already loaded in the folder
    ``virtuoso_folder``; queried at ``/sparql``.
``filmgraph-granian``
    an experiment: the same Flask app over the project's build served by granian instead
    of ``serve``'s server (:mod:`benchmarks.granian_app`, the ``bench`` extra); the Balagov
    data only.
    Not in :data:`DEFAULT_TARGETS`.
``filmgraph-remote``, ``filmgraph-remote-virtuoso``
    ``filmgraph serve --store remote:URL`` over one of the two above (its ``backing``),
    started for it and stopped with it.

A store alone can be queried with a dataset given by the protocol (``dataset``: the
``default-graph-uri`` / ``named-graph-uri`` parameters, as filmgraph over a remote store
sends them). With ``address_limit_mb`` every process started has its address space limited
to that (``prlimit``): a server that outgrows it fails, the machine does not.

Generated data, server logs and Oxigraph's store live under ``benchmarks/.data/load/``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.reasoning import DATA_DIR, ROOT, data_file

LOAD_DIR = DATA_DIR / "load"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
ACCEPT = "application/sparql-results+json"

#: The servers, in the order they run: short name -> what the tables call it.
TARGETS: dict[str, str] = {
    "filmgraph": "filmgraph serve",
    "filmgraph-memory": "filmgraph serve (memory store)",
    "rdflib-endpoint": "rdflib-endpoint",
    "oxigraph": "Oxigraph server",
    "filmgraph-oxigraph": "filmgraph serve (Oxigraph store)",
    "filmgraph-remote": "filmgraph serve (remote store: an Oxigraph server)",
    "filmgraph-granian": "filmgraph's app under granian (experiment)",
}
#: What ``benchmarks.load`` runs unless told otherwise.
DEFAULT_TARGETS = ("filmgraph", "rdflib-endpoint", "oxigraph")
DEFAULT_FILMGRAPH_COMMAND = "{bin}/filmgraph --no-progress serve --host {host} --port {port}"


# ---------------------------------------------------------------- data


@dataclass
class Data:
    """One dataset, written as N-Quads for every target."""

    spec: str  # as given: balagov, filmworld:10000
    path: Path
    quads: int
    default_triples: int
    graphs: dict[str, int]  # named graph IRI -> triples
    graphs_path: Path | None = None  # the named graphs alone, if written apart (for filmgraph)


def _nt_lines(graph: Any) -> list[str]:
    """The triples of an rdflib graph as N-Triples lines (without their newline)."""
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _in_graph(line: str, name: str) -> str:
    """An N-Triples line made an N-Quads line in the graph ``name``."""
    body = line.rstrip()
    if not body.endswith("."):
        raise ValueError(f"not an N-Triples line: {line!r}")
    return f"{body[:-1].rstrip()} <{name}> ."


def _write_quads(path: Path, default: list[str], named: dict[str, list[str]]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.writelines(line + "\n" for line in default)
        for name, lines in named.items():
            out.writelines(_in_graph(line, name) + "\n" for line in lines)
    tmp.replace(path)


def default_graph_names() -> tuple[str, ...]:
    """The graphs whose union is the endpoint's default graph, as the endpoint says."""
    try:
        from filmgraph.query import DEFAULT_GRAPHS
    except ImportError:  # an older checkout
        return ("asserted", "inferred", "links")
    return tuple(DEFAULT_GRAPHS)


def prepare_data(spec: str, seed: int) -> Data:
    """Write the dataset ``spec`` as N-Quads under ``benchmarks/.data/load/``."""
    from rdflib import Graph

    LOAD_DIR.mkdir(parents=True, exist_ok=True)
    if spec == "balagov":
        import filmgraph

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            built = filmgraph.build()
            graphs = {name: built.graph(iri) for name, iri in filmgraph.GRAPHS.items()}
            union = Graph()
            for name in default_graph_names():
                if name in graphs:
                    union += graphs[name]
            default = _nt_lines(union)
            named = {str(filmgraph.GRAPHS[n]): _nt_lines(g) for n, g in graphs.items()}
        path = LOAD_DIR / "balagov.nq"
    elif spec.startswith("filmworld:"):
        from filmgraph.core.namespaces import GRAPHS

        size = int(float(spec.split(":", 1)[1]))
        lines = data_file(size, seed).read_text(encoding="utf-8").splitlines()
        default = [line for line in lines if line.strip()]
        named = {str(GRAPHS["asserted"]): default}
        path = LOAD_DIR / f"filmworld-{size}-seed{seed}.nq"
    else:
        raise ValueError(f"unknown data {spec!r}: balagov or filmworld:N")
    _write_quads(path, default, named)
    counts = {name: len(lines) for name, lines in named.items()}
    return Data(spec, path, len(default) + sum(counts.values()), len(default), counts)


# ---------------------------------------------------------------- servers


@dataclass
class Server:
    """A running (or failed) target."""

    name: str
    path: str = "/"  # where queries go
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    startup_s: float = 0.0
    setup_s: float = 0.0  # before the server starts: Oxigraph's bulk load
    failure: str = ""
    command: str = ""  # the server's command line
    workdir: tempfile.TemporaryDirectory[str] | None = None
    backing: Server | None = None  # the store a filmgraph over a remote store serves
    dataset: str = ""  # the protocol's dataset parameters sent with every query, URL-encoded
    form: bool = False  # POST queries form-encoded (Virtuoso 7.2 reads no direct POST)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _tail(path: Path | None, lines: int = 3) -> str:
    if path is None or not path.exists():
        return ""
    text = [x for x in path.read_text(encoding="utf-8", errors="replace").splitlines() if x.strip()]
    return " / ".join(line.strip() for line in text[-lines:])[:300]


def _get_status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path, headers={"Accept": ACCEPT})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _wait_ready(server: Server, probes: list[str], timeout: float) -> None:
    """Poll ``probes`` until one answers 200, the process exits or ``timeout`` passes."""
    assert server.process is not None
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.process.poll() is not None:
            code = server.process.returncode
            server.failure = f"not available: exited with code {code}: {_tail(server.log)}"
            return
        for probe in probes:
            with contextlib.suppress(OSError, http.client.HTTPException):
                if _get_status(server.port, probe) == 200:
                    server.startup_s = time.perf_counter() - started
                    return
        time.sleep(0.1)
    server.failure = f"not available: not ready after {timeout:.0f} s: {_tail(server.log)}"


def limited(command: list[str], limit_mb: int | None) -> list[str]:
    """``command`` with its address space limited to ``limit_mb`` (none when None or 0),
    by ``prlimit`` (which execs it: the same process, no Python between fork and exec).

    >>> limited(["oxigraph", "serve"], 1024)[:2]
    ['prlimit', '--as=1073741824']
    """
    if not limit_mb:
        return command
    return ["prlimit", f"--as={limit_mb * 2**20}", "--", *command]


def _spawn(server: Server, command: list[str], env: dict[str, str] | None = None) -> None:
    assert server.log is not None
    server.command = shlex.join(command).replace(str(ROOT) + "/", "")
    if env:
        server.command = " ".join(f"{k}={v}" for k, v in env.items()) + " " + server.command
    with server.log.open("ab") as log:
        log.write(f"$ {shlex.join(command)}\n".encode())
        log.flush()
        # A session of its own: stopping it stops any worker processes it started too.
        server.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=os.environ | env if env else None,
        )


def _launch(
    server: Server, command: list[str], args: argparse.Namespace, env: dict[str, str] | None
) -> None:
    """:func:`_spawn` ``command`` within the address-space limit of ``args``, if any."""
    _spawn(server, limited(command, getattr(args, "address_limit_mb", None)), env)


def start(server: Server, data: Data, args: argparse.Namespace) -> None:
    """Start ``server`` on a free port; its ``failure`` says why if it could not.

    ``args`` gives ``startup_timeout`` and, for filmgraph, ``filmgraph_command``,
    ``filmgraph_path`` and ``no_result_cache`` (see :mod:`benchmarks.load`), and
    optionally ``filmgraph_env`` (more environment for filmgraph's server).
    """
    name = server.name
    server.port = free_port()
    logs = LOAD_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    server.log = logs / f"{name}-{data.path.stem}.log"
    server.log.write_bytes(b"")
    ask = "?" + urllib.parse.urlencode({"query": "ASK {}"})
    try:
        if name in ("filmgraph", "filmgraph-oxigraph", "filmgraph-memory"):
            template = args.filmgraph_command
            if data.spec != "balagov" and "{data}" not in template:
                template = "{python} -m benchmarks.endpoints filmgraph {data} --port {port}"
            source = data.graphs_path or data.path
            fields = {"bin": BIN, "host": HOST, "port": server.port, "data": source}
            fields["python"] = sys.executable
            command = shlex.split(template.format(**fields))
            if not Path(command[0]).exists() and not shutil.which(command[0]):
                server.failure = f"not available: {command[0]} does not exist"
                return
            server.path = args.filmgraph_path
            existing = getattr(args, "oxigraph_store", None)
            if existing is not None and name == "filmgraph-oxigraph" and "{data}" in template:
                command += ["--store-dir", str(existing)]  # served as it is, not loaded
            env = dict(getattr(args, "filmgraph_env", None) or {})
            if args.no_result_cache:
                env["FILMGRAPH_RESULT_CACHE"] = "0"
            if name != "filmgraph":  # the default store is Oxigraph's
                env["FILMGRAPH_STORE"] = name.removeprefix("filmgraph-")
            if name != "filmgraph" or data.spec != "balagov":  # never the project's build
                server.workdir = tempfile.TemporaryDirectory(prefix="filmgraph-", dir=LOAD_DIR)
                env["FILMGRAPH_BUILD_DIR"] = server.workdir.name
            _launch(server, command, args, env or None)
            _wait_ready(server, ["/health", server.path + ask], args.startup_timeout)
        elif name == "filmgraph-granian":
            if data.spec != "balagov":
                server.failure = "not available: the experiment serves the project's build only"
                return
            if importlib.util.find_spec("granian") is None:
                server.failure = "not available: granian is not installed (the bench extra)"
                return
            command = [sys.executable, "-m", "benchmarks.granian_app"]
            command += ["--host", HOST, "--port", str(server.port)]
            server.path = args.filmgraph_path
            granian_env = {"FILMGRAPH_RESULT_CACHE": "0"} if args.no_result_cache else None
            _launch(server, command, args, granian_env)
            _wait_ready(server, ["/health"], args.startup_timeout)
        elif name in ("filmgraph-remote", "filmgraph-remote-virtuoso"):
            _start_remote(server, data, args)
        elif name == "virtuoso":
            _start_virtuoso(server, args)
        elif name == "rdflib-endpoint":
            command = [sys.executable, "-m", "benchmarks.endpoints", "rdflib-endpoint"]
            command += [str(data.path), "--port", str(server.port)]
            _launch(server, command, args, None)
            _wait_ready(server, ["/" + ask], args.startup_timeout)
        elif name == "oxigraph":
            oxigraph = BIN / "oxigraph"
            if not oxigraph.exists():
                server.failure = f"not available: {oxigraph} does not exist"
                return
            store = getattr(args, "oxigraph_location", None)
            if store is None:
                server.workdir = tempfile.TemporaryDirectory(prefix="oxigraph-", dir=LOAD_DIR)
                store = Path(server.workdir.name) / "store"
                files = [str(data.path), *map(str, getattr(args, "oxigraph_extra", ()))]
                began = time.perf_counter()
                load = [str(oxigraph), "load", "--location", str(store), "--file", *files]
                with server.log.open("ab") as log:
                    loaded = subprocess.run(
                        limited(load, getattr(args, "address_limit_mb", None)),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        timeout=args.startup_timeout,
                    )
                server.setup_s = time.perf_counter() - began
                if loaded.returncode != 0:
                    server.failure = f"oxigraph load failed: {_tail(server.log)}"
                    return
            server.path = "/query"
            server.dataset = getattr(args, "dataset", "") or ""
            command = [str(oxigraph), "serve-read-only", "--location", str(store)]
            command += ["--bind", f"{HOST}:{server.port}"]
            _launch(server, command, args, None)
            _wait_ready(server, [server.path + ask], args.startup_timeout)
        else:
            raise ValueError(name)
    except (OSError, subprocess.SubprocessError) as exc:
        server.failure = f"not available: {exc}"


def _start_virtuoso(server: Server, args: argparse.Namespace) -> None:
    """Virtuoso over the database already loaded in ``args.virtuoso_folder``, in a session of
    its own, with the settings ``args.virtuoso_settings``."""
    from benchmarks.virtuoso import available, start_virtuoso

    if not available():
        server.failure = "not available: Virtuoso is not installed"
        return
    try:
        started = start_virtuoso(
            Path(args.virtuoso_folder),
            getattr(args, "virtuoso_settings", None),
            timeout=args.startup_timeout,
            limit_mb=getattr(args, "address_limit_mb", None),
        )
    except RuntimeError as exc:
        server.failure = f"not available: {exc}"
        return
    server.process, server.port = started.process, started.http_port
    server.startup_s = started.startup_s
    server.command = shlex.join(started.command)
    server.path, server.form = "/sparql", True
    server.dataset = getattr(args, "dataset", "") or ""


def _start_remote(server: Server, data: Data, args: argparse.Namespace) -> None:
    """``filmgraph serve --store remote:URL`` over an Oxigraph server (its ``backing``) that
    holds the named graphs of ``data`` and the files ``args.remote_extra`` (the ontology the
    pages read), or over the store ``args.oxigraph_location`` as it is; or, for
    ``filmgraph-remote-virtuoso``, over the Virtuoso database ``args.virtuoso_folder``.
    Nothing is built: the pages and queries go to the store."""
    over_virtuoso = server.name == "filmgraph-remote-virtuoso"
    backing = Server("virtuoso" if over_virtuoso else "oxigraph")
    server.backing = backing
    graphs = replace(data, path=data.graphs_path or data.path)
    extra = {"oxigraph_extra": getattr(args, "remote_extra", ()), "dataset": ""}
    start(backing, graphs, argparse.Namespace(**(vars(args) | extra)))
    server.setup_s = backing.setup_s
    if backing.failure:
        server.failure = f"its store: {backing.failure}"
        return
    server.workdir = tempfile.TemporaryDirectory(prefix="filmgraph-remote-", dir=LOAD_DIR)
    env = dict(getattr(args, "filmgraph_env", None) or {})
    if args.no_result_cache:
        env["FILMGRAPH_RESULT_CACHE"] = "0"
    env |= {
        "FILMGRAPH_STORE": f"remote:http://{HOST}:{backing.port}",
        "FILMGRAPH_STORE_LAYOUT": "virtuoso" if over_virtuoso else "oxigraph",
        "FILMGRAPH_BUILD_DIR": server.workdir.name,
    }
    fields = {"bin": BIN, "host": HOST, "port": server.port}
    command = shlex.split(DEFAULT_FILMGRAPH_COMMAND.format(**fields))
    server.path = "/sparql"
    _launch(server, command, args, env)
    ask = "?" + urllib.parse.urlencode({"query": "ASK {}"})
    _wait_ready(server, ["/health", server.path + ask], args.startup_timeout)


def stop(server: Server) -> None:
    """Stop the server's whole session: SIGTERM, then SIGKILL after 10 s (and the store it
    serves over, if any)."""
    process = server.process
    if process is not None and process.poll() is None:
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    # Workers left in the session after its leader exited (while any is alive, the
    # session's id cannot be reused, so this kills only what we started).
    if process is not None and session_processes(process.pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    if server.workdir is not None:
        server.workdir.cleanup()
        server.workdir = None
    if server.backing is not None:
        stop(server.backing)
        server.backing = None


@contextlib.contextmanager
def running(name: str, data: Data, args: argparse.Namespace) -> Iterator[Server]:
    """Server ``name`` serving ``data`` (or its ``failure``), stopped on the way out."""
    server = Server(name)
    try:
        start(server, data, args)
        yield server
    finally:
        stop(server)


def _stat_fields(path: Path) -> list[str]:
    """The fields of a /proc/PID/stat file from field 3 of proc(5) on (after the name)."""
    stat = path.read_text()
    return stat[stat.rindex(")") + 2 :].split()


def _cpu_seconds(fields: list[str]) -> float:
    """User plus system CPU seconds in stat fields from 3 on (fields 14 and 15)."""
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def session_processes(session: int) -> dict[int, list[str]]:
    """The live processes of session ``session``: pid -> their /proc stat fields from 3 on."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(entry / "stat")
        except OSError:
            continue
        # fields[0] is field 3 of proc(5), the state; field 6 is the session.
        if int(fields[3]) == session and fields[0] != "Z":
            found[int(entry.name)] = fields
    return found


def proc_status(pid: int) -> dict[str, int]:
    """The kB fields of /proc/PID/status (VmRSS, VmHWM, ...); empty once it has gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    found = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            found[key] = int(value.split()[0])
    return found


def process_role(pid: int, main: int) -> str:
    """What a process of a server's session is: main, worker, resource tracker or other."""
    if pid == main:
        return "main"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "other"
    if "resource_tracker" in command:
        return "resource tracker"
    return "worker" if "multiprocessing" in command else "other"


class TreeMemory:
    """Samples the resident memory of a server's whole session every 0.2 s, by phase, with
    each process's own peak (VmHWM), and kills the session if it passes ``limit_mb`` (the
    machine is shared). The store a filmgraph over a remote store serves (its ``backing``)
    is sampled too, apart (role ``store``): it is not in filmgraph's tree."""

    def __init__(self, server: Server, limit_mb: float) -> None:
        self.server, self.limit_mb = server, limit_mb
        self.phase = "startup"
        self.peaks: dict[str, float] = {}
        self.processes: dict[int, dict[str, Any]] = {}  # pid -> role, peak (VmHWM) MB
        self.store: dict[str, float] = {}  # the backing store's peak and last RSS, MB
        self.total_mb = 0.0  # the tree's resident memory at the last sample
        self.killed = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.sample()  # the last word before the server stops
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.sample()

    def sample(self) -> None:
        backing = self.server.backing
        if backing is not None and backing.process is not None:
            status = proc_status(backing.process.pid)
            if status:
                peak = max(self.store.get("peak_mb", 0.0), status.get("VmHWM", 0) / 1024)
                self.store = {"peak_mb": peak, "rss_mb": status.get("VmRSS", 0) / 1024}
        process = self.server.process
        if process is None or process.poll() is not None:
            return
        total = 0.0
        for pid in session_processes(process.pid):
            status = proc_status(pid)
            if not status:
                continue
            total += status.get("VmRSS", 0) / 1024
            entry = self.processes.setdefault(pid, {})
            # A spawned worker is the parent until exec: its role is read at every sample.
            entry["role"] = process_role(pid, process.pid)
            entry["peak_mb"] = max(entry.get("peak_mb", 0), status.get("VmHWM", 0) / 1024)
            entry["rss_mb"] = status.get("VmRSS", 0) / 1024
        self.total_mb = total
        self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), total)
        if total > self.limit_mb and not self.killed:
            self.killed = f"stopped: its processes held {total:.0f} MB (limit {self.limit_mb} MB)"
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def now_mb(self) -> float:
        """The whole tree's resident memory at this moment (sampled now)."""
        self.sample()
        return self.total_mb

    def summary(self) -> dict[str, Any]:
        peaks: dict[str, list[float]] = {}
        last: dict[str, list[float]] = {}
        for entry in self.processes.values():
            peaks.setdefault(entry["role"], []).append(entry.get("peak_mb", 0.0))
            last.setdefault(entry["role"], []).append(entry.get("rss_mb", 0.0))
        sampled = max(self.peaks.values(), default=None)
        largest = max((e.get("peak_mb", 0.0) for e in self.processes.values()), default=0.0)
        return {
            # Sampling can miss a short peak that one process's VmHWM still shows: the tree
            # held at least the larger of the two, at most the sum of every process's peak.
            "tree_peak_mb": None if sampled is None else max(sampled, largest),
            "tree_peak_sampled_mb": sampled,
            "tree_peak_upper_mb": sum(e.get("peak_mb", 0.0) for e in self.processes.values()),
            "phase_peak_mb": dict(self.peaks),
            "process_peak_mb": {role: sorted(v, reverse=True) for role, v in peaks.items()},
            "process_last_mb": {role: sorted(v, reverse=True) for role, v in last.items()},
            "store_peak_mb": self.store.get("peak_mb"),
            "killed": self.killed,
        }


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (not idle or waiting), all cores."""
    with open("/proc/stat") as stat:
        ticks = [int(x) for x in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # up to steal; guest is in user


def session_cpu_seconds(session: int) -> float:
    """User plus system CPU seconds of every live process in session ``session``."""
    return sum(_cpu_seconds(fields) for fields in session_processes(session).values())


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds process ``pid`` has used."""
    return _cpu_seconds(_stat_fields(Path(f"/proc/{pid}/stat")))


# ---------------------------------------------------------------- the children


def serve_rdflib_endpoint(data: Path, port: int) -> None:
    """Serve ``data`` (N-Quads) with rdflib-endpoint under uvicorn until stopped."""
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    from filmgraph.core.namespaces import bind_prefixes

    warnings.simplefilter("ignore", DeprecationWarning)
    # default_union=False: the default graph is the file's default graph, as elsewhere.
    dataset = Dataset(default_union=False)
    dataset.parse(str(data), format="nquads")
    bind_prefixes(dataset)
    app = SparqlEndpoint(graph=dataset, title="filmgraph load benchmark")
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False)


def serve_filmgraph(data: Path, port: int, store_dir: Path | None = None) -> None:
    """Serve the named graphs of ``data`` (N-Quads) as ``filmgraph serve`` serves its build.

    The same function (``filmgraph.web.server.serve``), settings and request log as the command;
    only the dataset differs. On the memory store it is parsed as the command reads its
    cached build (N-Quads into :func:`filmgraph.core.namespaces.new_dataset`); on the Oxigraph
    store (``FILMGRAPH_STORE=oxigraph``) it is loaded into the store as the command keeps
    its build there, and read from the store as the command reads a kept build, with no
    copy in memory. The file's default graph, if any, is dropped: filmgraph makes its own,
    the union of its graphs. With ``store_dir`` (an Oxigraph store ``load_store`` wrote from
    that file) that store is served as it is, as the command serves a kept build.
    """
    import logging

    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    from filmgraph import Backend, MemoryBackend, OxigraphBackend, Settings
    from filmgraph.core.namespaces import new_dataset
    from filmgraph.store.oxigraph import load_store
    from filmgraph.web import serve

    warnings.simplefilter("ignore", DeprecationWarning)
    settings = Settings.from_env(host=HOST, port=port)
    backend: Backend
    if settings.store == "oxigraph":
        backend = OxigraphBackend(store_dir or load_store(data, settings.oxigraph_dir))
    else:
        dataset = new_dataset()
        dataset.parse(str(data), format="nquads")
        dataset.graph(DATASET_DEFAULT_GRAPH_ID).remove((None, None, None))
        backend = MemoryBackend(dataset)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    serve(settings, backend)


def main(argv: list[str] | None = None) -> int:
    """Serve one N-Quads file with rdflib-endpoint or filmgraph until stopped."""
    parser = argparse.ArgumentParser(description="Serve an N-Quads file (for benchmarks.load).")
    parser.add_argument("server", choices=("rdflib-endpoint", "filmgraph"))
    parser.add_argument("data", type=Path, help="the N-Quads file")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store-dir", type=Path, help="filmgraph: serve this Oxigraph store")
    args = parser.parse_args(argv)
    if args.server == "rdflib-endpoint":
        serve_rdflib_endpoint(args.data, args.port)
    else:
        serve_filmgraph(args.data, args.port, args.store_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

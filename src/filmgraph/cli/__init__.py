"""The ``filmgraph`` command: a thin shell over the library, one function per command.

Options that set a setting take their help and their checks from the settings table
(:mod:`filmgraph.core.settings`).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from rdflib import Dataset

from ..core import (
    REASONERS,
    STORE_LAYOUTS,
    STORES,
    STORES_WITH_URL,
    ChecksFailedError,
    FilmgraphError,
    NotFoundError,
    Project,
    SettingError,
    Settings,
    Steps,
    convert,
    introduce,
    new_graph,
    setting_help,
    write_atomic,
)
from ..export import EXPORTS, STREAMED, export, export_stream, stats, stats_json, stats_text
from ..link import (
    compare,
    proposals_json,
    proposals_text,
    propose_links,
    report_json,
    report_text,
    snapshot_text,
)
from ..load import (
    project_subset,
    project_undefined,
    read_claims,
    scaffold_project,
    write_compiled,
)
from ..pipeline import build, open_files, open_store, validate, write_dataset
from ..query import FAMILY, GRAPH, TABULAR, answering, get_query, load_queries
from ..reason import Explainer, explanation_json, explanation_text, parse_triple
from ..store import Backend, RemoteStore, endpoints, push
from ..web import check_port, serve
from .console import RichSteps, table


class _Group(click.Group):
    """Turns filmgraph's errors into a one-line message and exit status 1, never a traceback;
    and so an error of the system's (a full disk, no permission) met where filmgraph did
    not expect one, naming the file."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ChecksFailedError as exc:
            click.echo(str(exc), err=True)  # the report, one violation a line
            raise click.exceptions.Exit(1) from exc
        except FilmgraphError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from exc


def setting_option(name: str, *decls: str, **attrs: Any) -> Callable[[Any], Any]:
    """A click option for the setting ``name``: its help (with environment variable and
    default) from the settings table, its value checked as the settings check it."""

    def check(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None or value == ():
            return None
        try:
            return convert(name, value)
        except SettingError as exc:
            raise click.BadParameter(str(exc).partition(": ")[2], ctx, param) from exc

    return click.option(*decls, help=setting_help(name), callback=check, **attrs)


def _store_names() -> str:
    return "|".join(f"{n}:URL" if n in STORES_WITH_URL else n for n in STORES)


@click.group(cls=_Group)
@setting_option("root", "--root", type=click.Path(file_okay=False, path_type=Path))
@setting_option("build_dir", "--build-dir", type=click.Path(file_okay=False, path_type=Path))
@setting_option("reasoner", "--reasoner", type=click.Choice(list(REASONERS)))
@setting_option("store", "--store", metavar=_store_names())
@click.option(
    "--no-cache",
    is_flag=True,
    help="Build from scratch; neither read nor write the cache [env FILMGRAPH_CACHE=0].",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show each build step with its counts on stderr (default: when it is a terminal).",
)
@click.version_option(package_name="filmgraph-kg")
@click.pass_context
def main(
    ctx: click.Context,
    root: Path | None,
    build_dir: Path | None,
    reasoner: str | None,
    store: str | None,
    no_cache: bool,
    progress: bool | None,
) -> None:
    """filmgraph: knowledge graphs from documents, each fact pointing back to its words.

    Works on the project in --root, else the current folder when it holds filmgraph.toml,
    else the bundled Kantemir Balagov project.
    """
    # rdflib logs a traceback for each ill-typed literal; the checks report those properly.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    # A failed query is one "Error: ..." line here, as the endpoint's answer says it; its
    # traceback is for the server's log (`serve` sets one up), not the terminal.
    logging.getLogger("filmgraph").addHandler(logging.NullHandler())
    settings = Settings.from_env(
        root=root,
        build_dir=build_dir,
        reasoner=reasoner,
        store=store,
        cache=False if no_cache else None,
    )
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        click.echo(introduce(settings.root), err=True)
    ctx.obj = _Context(settings, RichSteps() if show else Steps())


@dataclass
class _Context:
    """What every command is handed: the settings, where progress goes, and the backend
    (opened on first use, once)."""

    settings: Settings
    steps: Steps
    _backend: Backend | None = field(default=None, repr=False)

    def build(self) -> Dataset:
        """The build, in memory (for what sends or checks the build itself: push)."""
        return build(self.settings, steps=self.steps)

    def backend(self) -> Backend:
        """The store the settings name, holding the current build (as the endpoint's)."""
        if self._backend is None:
            self._backend = open_store(self.settings, steps=self.steps)
        return self._backend

    def dataset(self) -> Dataset:
        """The dataset the backend gives the pages and exports."""
        return self.backend().dataset


pass_context = click.make_pass_decorator(_Context)


def _emit(text: str | Iterable[str], output: Path | None) -> None:
    """Write ``text`` (or its pieces, as they come) to standard output, or atomically to
    the file ``output``."""
    if output is None:
        for piece in (text,) if isinstance(text, str) else text:
            click.echo(piece, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)


@main.command("build")
@pass_context
def build_cmd(ctx: _Context) -> None:
    """Load, check, reason and keep the dataset in the store; write it (TriG) to the build
    folder.

    Nothing is written when a file is malformed, a check fails or the data is inconsistent.
    """
    backend = ctx.backend()
    path = write_dataset(backend.dataset, ctx.settings)
    triples, graphs = sum(backend.graphs.values()), len(backend.graphs)
    click.echo(f"built {triples} quads in {graphs} graphs ({backend.name} store) -> {path}")
    click.echo(introduce(ctx.settings.root))


@main.command("validate")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_context
def validate_cmd(ctx: _Context, fmt: str) -> None:
    """Run the SHACL shapes and integrity checks; exit 1 on any violation."""
    report = validate(ctx.settings)
    click.echo(report.to_json() if fmt == "json" else report.text())
    if not report.conforms:
        sys.exit(1)


#: The CLI's result formats: the standard ones, and ``table`` for people (N-Triples for
#: a graph).
#: The graph formats by their file extensions too, so that `query` and `export` take the
#: same names: ttl = turtle, rdf = xml (the extensions of the files EXPORTS writes).
FORMAT_ALIASES = {ext: name for name, ext in EXPORTS.items() if ext != name and "." not in ext}
#: The same aliases the other way, for the names `query` lacks: turtle = ttl.
QUERY_ALIASES = {name: ext for ext, name in FORMAT_ALIASES.items() if name not in GRAPH}
QUERY_FORMATS = sorted({*TABULAR, *GRAPH, *QUERY_ALIASES, "table"})


@main.command("query")
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="json/xml/csv/tsv/table for SELECT and ASK; ttl (turtle)/nt/jsonld/rdf (xml)/nq/trig "
    "for CONSTRUCT/DESCRIBE.",
)
@pass_context
def query_cmd(ctx: _Context, query: str, fmt: str) -> None:
    """Run QUERY on the store, as the endpoint does (default graph: the union of the
    asserted, inferred and links graphs; every graph by name).

    QUERY is SPARQL text, a path to an .rq file, the name of a query `filmgraph queries`
    lists (films-directed), or - for standard input.
    The project's prefixes (schema:, fg:, fgid:, ...) are predeclared.
    """
    fmt = QUERY_ALIASES.get(fmt, fmt)
    if query == "-":
        text = sys.stdin.read()
    elif re.fullmatch(r"[\w-]+", query) and not Path(query).is_file():  # a name, not SPARQL
        try:
            text = get_query(ctx.settings.queries_dir, query).text
        except NotFoundError as exc:
            raise click.BadParameter(str(exc), param_hint="QUERY") from exc
    elif query.endswith(".rq") or Path(query).is_file():
        path = Path(query)
        if not path.is_file():
            raise click.BadParameter(f"no such file: {query}", param_hint="QUERY")
        text = path.read_text(encoding="utf-8")
    else:
        text = query
    engine = ctx.backend().engine(allowed_services=ctx.settings.service_allow)
    with answering():
        answer = engine.run(text, base=ctx.settings.base_iri)
        if fmt != "table":  # written as it is evaluated (Oxigraph's SELECT answers)
            out = sys.stdout.buffer
            answer.write(fmt, out)
            out.flush()
            return
        if FAMILY[answer.kind] == "GRAPH":
            output = answer.body("nt").decode("utf-8")
        else:
            output = table(answer.result, new_graph().namespace_manager)
    click.echo(output, nl=False)


@main.command("queries")
@pass_context
def queries_cmd(ctx: _Context) -> None:
    """List the competency questions in queries/."""
    found = load_queries(ctx.settings.queries_dir)
    if not found:
        click.echo(f"no competency questions: {ctx.settings.queries_dir} holds no .rq file")
    for name, q in found.items():
        click.echo(f"{name:<32} {q.title}")


@main.command("stats")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@pass_context
def stats_cmd(ctx: _Context, fmt: str) -> None:
    """Print counts per graph, class and property."""
    result = stats(ctx.dataset())
    click.echo(stats_json(result) if fmt == "json" else stats_text(result), nl=False)


@main.command("explain")
@click.argument("subject")
@click.argument("predicate")
@click.argument("object")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@setting_option("explain_depth", "--depth", type=int)
@setting_option("explain_time", "--time-budget", type=float)
@pass_context
def explain_cmd(
    ctx: _Context,
    subject: str,
    predicate: str,
    object: str,
    fmt: str,
    depth: int | None,
    time_budget: float | None,
) -> None:
    """Say why SUBJECT PREDICATE OBJECT holds: its quote, or the OWL 2 RL rules and premises
    that infer it, down to the document's words.

    Terms are <IRI>s, IRIs or prefixed names (schema:, fg:, fgid:, ...), `a` for rdf:type;
    OBJECT may be a Turtle literal such as '"Nalchik"' or '"2017"^^xsd:gYear'.
    """
    dataset = ctx.dataset()
    settings = ctx.settings
    explainer = Explainer(
        dataset,
        max_depth=settings.explain_depth if depth is None else depth,
        time_budget=settings.explain_time if time_budget is None else time_budget,
    )
    explanation = explainer.explain(parse_triple(subject, predicate, object))
    if fmt == "json":
        click.echo(json.dumps(explanation_json(explanation, dataset), indent=2, ensure_ascii=False))
    else:
        click.echo(explanation_text(explanation, dataset), nl=False)


@main.command("serve")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--reason/--no-reason",
    default=False,
    help="With PATHs: add the OWL 2 RL inferences of the files' own axioms and facts "
    "(the inferred graph).",
)
@setting_option("host", "--host")
@setting_option("port", "--port", type=int)
@setting_option("workers", "--workers", type=int)
@setting_option("threads", "--threads", type=int)
@setting_option("query_timeout", "--query-timeout", type=float)
@setting_option("max_rows", "--max-rows", type=int)
@setting_option("service_allow", "--service-allow", multiple=True, metavar="URL")
@pass_context
def serve_cmd(
    ctx: _Context,
    paths: tuple[Path, ...],
    reason: bool,
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    query_timeout: float | None,
    max_rows: int | None,
    service_allow: tuple[str, ...] | None,
) -> None:
    """Build the graph (or open the store that holds it) and serve it over HTTP: the SPARQL
    1.1 endpoint at /sparql, the pages, VoID, /explain, /health and /metrics. Ctrl-C stops it.

    With PATHs (RDF files, or folders of them: Turtle, N-Triples, N-Quads, TriG, JSON-LD,
    RDF/XML) it serves those instead of a project: no claims, so no provenance; --reason
    adds their OWL 2 RL inferences. With --store remote:URL nothing is built: queries go to
    the store and the pages look up what they show in it. --service-allow may be given more
    than once."""
    changes = {
        "host": host,
        "port": port,
        "workers": workers,
        "threads": threads,
        "query_timeout": query_timeout,
        "max_rows": max_rows,
        "service_allow": service_allow,
    }
    settings = ctx.settings.with_(**{k: v for k, v in changes.items() if v is not None})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    ready = lambda url: click.echo(  # noqa: E731
        f"serving {url} (Ctrl-C stops): {introduce(settings.root)}"
    )
    check_port(settings)  # before the build: a busy port is said at once, in one line
    if not paths:
        serve(settings, ctx.backend(), ready=ready)
        return
    project = Project.of_files(paths)
    ready = lambda url: click.echo(f"serving {url} (Ctrl-C stops): {project.title}")  # noqa: E731
    with _files_build_dir(settings) as files_settings:
        backend = open_files(files_settings, paths, reasoning=reason, steps=ctx.steps)
        serve(files_settings, backend, ready=ready, project=project)


@contextmanager
def _files_build_dir(settings: Settings) -> Iterator[Settings]:
    """``settings`` with a build folder for served files: the one given, else a temporary
    one, removed afterwards (files are never built into a project's folder)."""
    if settings.build_dir is not None:
        yield settings
        return
    with tempfile.TemporaryDirectory(prefix="filmgraph-serve-") as folder:
        yield settings.with_(build_dir=Path(folder))


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*EXPORTS, *FORMAT_ALIASES]),
    default="turtle",
    show_default=True,
)
@click.option(
    "--graphs",
    default="asserted",
    show_default=True,
    help="Comma-separated: asserted, inferred, links, provenance, ontology, wikidata, all.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File.")
@pass_context
def export_cmd(ctx: _Context, fmt: str, graphs: str, output: Path | None) -> None:
    """Export graphs of the dataset; triple formats merge them, N-Quads and TriG keep them
    apart; jsonld-framed nests each film's and person's places and events under it.
    Writes to standard output unless -o names a file (written atomically); every format but
    xml and jsonld-framed is written as it is read from the store, in bounded memory."""
    chosen = [g.strip() for g in graphs.split(",") if g.strip()]
    name = FORMAT_ALIASES.get(fmt, fmt)
    if name in STREAMED:
        _emit(export_stream(ctx.dataset(), name, chosen), output)
    else:
        _emit(export(ctx.dataset(), name, chosen, ctx.settings), output)


@main.command("push")
@click.option(
    "--to",
    "base",
    metavar="URL",
    help="The store's base URL; its endpoints follow --layout (e.g. http://127.0.0.1:7878).",
)
@click.option(
    "--layout",
    type=click.Choice(list(STORE_LAYOUTS)),
    default="oxigraph",
    show_default=True,
    help="Where the store keeps its endpoints under --to: oxigraph /query /update /store; "
    "fuseki (--to the dataset) /sparql /update /data; virtuoso /sparql /sparql-auth "
    "/sparql-graph-crud-auth.",
)
@click.option("--query", "query_url", metavar="URL", help="The SPARQL query endpoint.")
@click.option("--update", "update_url", metavar="URL", help="The SPARQL Update endpoint.")
@click.option("--gsp", "gsp_url", metavar="URL", help="The Graph Store Protocol endpoint.")
@click.option(
    "--no-update",
    is_flag=True,
    help="Use no SPARQL Update: PUT each graph in place, one after the other.",
)
@click.option(
    "--graphs",
    default="asserted,inferred,provenance,links",
    show_default=True,
    help="Comma-separated: asserted, inferred, provenance, links, ontology, wikidata, all.",
)
@click.option(
    "--user",
    help="User name for the store [env FILMGRAPH_PUSH_USER]; the password is read from "
    "FILMGRAPH_PUSH_PASSWORD.",
)
@pass_context
def push_cmd(
    ctx: _Context,
    base: str | None,
    layout: str,
    query_url: str | None,
    update_url: str | None,
    gsp_url: str | None,
    no_update: bool,
    graphs: str,
    user: str | None,
) -> None:
    """Replace the named graphs of a remote SPARQL 1.1 store with ours (staged, then swapped
    in by one SPARQL Update; graph by graph with --no-update), then count each graph there.
    Exit 1, saying what each graph holds, if the push fails or a count differs."""
    urls = endpoints(
        base,
        layout,
        query=query_url,
        update=update_url,
        gsp=gsp_url,
        use_update=not no_update,
    )
    settings = ctx.settings.with_(push_user=user) if user else ctx.settings
    chosen = [g.strip() for g in graphs.split(",") if g.strip()]
    report = push(ctx.build(), RemoteStore.from_settings(urls, settings), chosen)
    click.echo(report.text(), nl=False)
    if not report.ok:
        sys.exit(1)


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--document",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The source document (UTF-8 text); the project keeps a verbatim copy.",
)
@click.option("--title", help="The project's title [default: the document's first line].")
def init_cmd(folder: Path, document: Path, title: str | None) -> None:
    """Make a new project in FOLDER (new or empty) for a document: filmgraph.toml, a copy of
    the document, a claims file listing every sentence ready to fill in, and folders for the
    ontology extension, shapes, checks and queries."""
    written = scaffold_project(folder, document, title)
    for path in written:
        click.echo(f"wrote {folder / path}")
    click.echo(
        f"next: fill in {folder / 'data' / 'claims.toml'}, then in {folder}: "
        "filmgraph claims compile, filmgraph schemaorg subset, filmgraph build, filmgraph serve"
    )


@main.group("claims")
def claims_group() -> None:
    """The claims checklist, data/claims.toml."""


@claims_group.command("compile")
@pass_context
def claims_compile(ctx: _Context) -> None:
    """Regenerate the facts file (filmgraph.toml's `facts`) and data/provenance.ttl from the
    checklist."""
    for path in write_compiled(ctx.settings):
        click.echo(f"wrote {path}")


@claims_group.command("sentences")
@pass_context
def claims_sentences(ctx: _Context) -> None:
    """List the document's sentences with the claims that cover each."""
    claimset = read_claims(ctx.settings.claims_file, empty_ok=True)
    for source in claimset.sources:
        if len(claimset.sources) > 1:
            click.echo(f"{source.key}: {source.name} ({source.path.name})")
        for sentence in source.sentences():
            ids = [
                c.id
                for c in claimset.claims
                if c.sentence == sentence.number and c.document == source.key
            ]
            click.echo(f"{sentence.number:>3} [{sentence.start}:{sentence.end}] {sentence.text}")
            click.echo(f"      claims: {', '.join(ids) or 'NONE'}")


@main.group("wikidata")
def wikidata_group() -> None:
    """The offline Wikidata snapshot and links."""


@wikidata_group.command("snapshot")
@pass_context
def wikidata_snapshot(ctx: _Context) -> None:
    """Regenerate data/wikidata/snapshot.ttl from data/wikidata/facts.tsv."""
    target = ctx.settings.wikidata_snapshot
    write_atomic(target, snapshot_text(ctx.settings.wikidata_facts))
    click.echo(f"wrote {target}")


@wikidata_group.command("compare")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File.")
@pass_context
def wikidata_compare(ctx: _Context, fmt: str, output: Path | None) -> None:
    """Grade every claim about a linked entity against the checked Wikidata statements:
    agrees, refines, conflicts, not-in-wikidata or unchecked, with both values and the
    document's quote."""
    report = compare(ctx.dataset(), ctx.settings)
    text = report_json(report) if fmt == "json" else report_text(report)
    _emit(text, output)


@wikidata_group.command("link")
@click.option(
    "--online",
    is_flag=True,
    help="Ask Wikidata (wbsearchentities, or the reconciliation service, then "
    "wbgetentities) instead of the shipped snapshot.",
)
@click.option(
    "--entity",
    "names",
    multiple=True,
    metavar="NAME",
    help="Only this entity (name, fgid:name or IRI), linked or not; repeatable.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@pass_context
def wikidata_link(ctx: _Context, online: bool, names: tuple[str, ...], fmt: str) -> None:
    """Propose Wikidata items for the entities without a link, each scored from its name,
    type, date and director, with the reasons. Offline by default; writes nothing."""
    found = propose_links(ctx.dataset(), ctx.settings, online=online, names=names)
    click.echo(proposals_json(found) if fmt == "json" else proposals_text(found), nl=False)


@main.group("schemaorg")
def schemaorg_group() -> None:
    """The schema.org terms the project uses."""


@schemaorg_group.command("subset")
@pass_context
def schemaorg_subset(ctx: _Context) -> None:
    """Regenerate ontology/schemaorg-subset.ttl from the vendored vocabulary."""
    target = ctx.settings.schemaorg_subset
    write_atomic(target, project_subset(ctx.settings))
    click.echo(f"wrote {target}")


@schemaorg_group.command("check")
@pass_context
def schemaorg_check(ctx: _Context) -> None:
    """Fail if the project uses a schema.org term the vocabulary does not define."""
    missing = project_undefined(ctx.settings)
    if missing:
        raise click.ClickException("not in schema.org: " + ", ".join(sorted(missing)))
    click.echo("every schema.org term the project uses is defined by schema.org")

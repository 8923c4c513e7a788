"""The ``filmgraph`` command: a thin shell over the library, one function per command."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from . import claims as claims_mod
from . import schemaorg
from .config import Settings
from .errors import ChecksFailedError, FilmgraphError
from .fsio import write_atomic
from .pipeline import build, validate, write_dataset
from .queries import load_queries, run_query
from .results import GRAPH, TABULAR, format_result
from .stats import stats, stats_json, stats_text


class _Group(click.Group):
    """Turns filmgraph's errors into a one-line message and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ChecksFailedError as exc:
            click.echo(exc.report.text(), err=True)  # type: ignore[attr-defined]
            raise click.exceptions.Exit(1) from exc
        except FilmgraphError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project folder holding ontology/, data/ and queries/ [env FILMGRAPH_ROOT].",
)
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where `build` writes the dataset (default ROOT/build) [env FILMGRAPH_BUILD_DIR].",
)
@click.version_option(package_name="filmgraph")
@click.pass_context
def main(ctx: click.Context, root: Path | None, build_dir: Path | None) -> None:
    """filmgraph: the Kantemir Balagov knowledge graph, with provenance."""
    # rdflib logs a traceback for each ill-typed literal; the checks report those properly.
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    ctx.obj = Settings.from_env(root=root, build_dir=build_dir)


@main.command("build")
@click.pass_obj
def build_cmd(settings: Settings) -> None:
    """Load, check and write the dataset (TriG) to the build folder.

    Nothing is written when a file is malformed or a check fails.
    """
    dataset = build(settings)
    path = write_dataset(dataset, settings)
    click.echo(f"built {len(dataset)} quads in {len(list(dataset.graphs())) - 1} graphs -> {path}")


@main.command("validate")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def validate_cmd(settings: Settings, fmt: str) -> None:
    """Run the SHACL shapes and integrity checks; exit 1 on any violation."""
    report = validate(settings)
    click.echo(report.to_json() if fmt == "json" else report.text())
    if not report.conforms:
        sys.exit(1)


@main.command("query")
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(set(TABULAR) | set(GRAPH))),
    default="table",
    show_default=True,
    help="json/xml/csv/tsv/table for SELECT and ASK; ttl/nt/jsonld/xml for CONSTRUCT/DESCRIBE.",
)
@click.pass_obj
def query_cmd(settings: Settings, query: str, fmt: str) -> None:
    """Run QUERY over the built graph (the union of its graphs).

    QUERY is SPARQL text, a path to an .rq file, or - for standard input.
    The project's prefixes (schema:, fg:, fgid:, ...) are predeclared.
    """
    if query == "-":
        text = sys.stdin.read()
    elif query.endswith(".rq") or Path(query).is_file():
        path = Path(query)
        if not path.is_file():
            raise click.BadParameter(f"no such file: {query}", param_hint="QUERY")
        text = path.read_text(encoding="utf-8")
    else:
        text = query
    dataset = build(settings)
    result = run_query(dataset, text)
    click.echo(format_result(result, fmt, dataset.namespace_manager), nl=False)


@main.command("queries")
@click.pass_obj
def queries_cmd(settings: Settings) -> None:
    """List the competency questions in queries/."""
    for name, q in load_queries(settings.queries_dir).items():
        click.echo(f"{name:<32} {q.title}")


@main.command("stats")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def stats_cmd(settings: Settings, fmt: str) -> None:
    """Print counts per graph, class and property."""
    result = stats(build(settings))
    click.echo(stats_json(result) if fmt == "json" else stats_text(result), nl=False)


@main.group("claims")
def claims_group() -> None:
    """The claims checklist, data/claims.toml."""


@claims_group.command("compile")
@click.pass_obj
def claims_compile(settings: Settings) -> None:
    """Regenerate data/balagov.ttl and data/provenance.ttl from the checklist."""
    for path in claims_mod.write_compiled(settings):
        click.echo(f"wrote {path}")


@claims_group.command("sentences")
@click.pass_obj
def claims_sentences(settings: Settings) -> None:
    """List the document's sentences with the claims that cover each."""
    claimset = claims_mod.read_claims(settings.claims_file)
    for sentence in claimset.source.sentences():
        ids = [c.id for c in claimset.claims if c.sentence == sentence.number]
        click.echo(f"{sentence.number:>3} [{sentence.start}:{sentence.end}] {sentence.text}")
        click.echo(f"      claims: {', '.join(ids) or 'NONE'}")


@main.group("schemaorg")
def schemaorg_group() -> None:
    """The schema.org terms the project uses."""


@schemaorg_group.command("subset")
@click.pass_obj
def schemaorg_subset(settings: Settings) -> None:
    """Regenerate ontology/schemaorg-subset.ttl from the vendored vocabulary."""
    write_atomic(settings.schemaorg_subset, schemaorg.project_subset(settings))
    click.echo(f"wrote {settings.schemaorg_subset}")


@schemaorg_group.command("check")
@click.pass_obj
def schemaorg_check(settings: Settings) -> None:
    """Fail if the project uses a schema.org term the vocabulary does not define."""
    missing = schemaorg.project_undefined(settings)
    if missing:
        raise click.ClickException("not in schema.org: " + ", ".join(sorted(missing)))
    click.echo("every schema.org term the project uses is defined by schema.org")

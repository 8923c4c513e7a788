"""Projects: which folder a command works on, its filmgraph.toml metadata (errors name file,
line and column), and the pages, VoID and Service Description saying what the metadata says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS

from conftest import ROOT, replace_in
from filmgraph import Settings, open_store
from filmgraph.cli import main
from filmgraph.core import DataError, bundled_root, find_root, introduce, read_project
from filmgraph.web import create_app, state

# ---------------------------------------------------------------- which project


def test_an_explicit_folder_wins_then_the_current_folder_then_the_bundled_project(tmp_path):
    assert find_root(tmp_path / "given", cwd=tmp_path) == tmp_path / "given"
    assert find_root(None, cwd=tmp_path) == bundled_root()  # no filmgraph.toml here
    (tmp_path / "filmgraph.toml").write_text('[project]\ntitle = "T"\n', encoding="utf-8")
    assert find_root(None, cwd=tmp_path) == tmp_path


def test_the_bundled_project_is_this_checkout_and_names_balagov():
    assert bundled_root() == ROOT
    project = read_project(ROOT)
    assert project.bundled and project.title == "Kantemir Balagov"
    assert project.facts == "data/balagov.ttl"
    assert Settings().facts_file == ROOT / "data" / "balagov.ttl"


def test_settings_use_the_current_folder_when_it_is_a_project(tmp_path, monkeypatch):
    (tmp_path / "filmgraph.toml").write_text(
        '[project]\ntitle = "Elsewhere"\nfacts = "data/other.ttl"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.root == tmp_path
    assert settings.facts_file == tmp_path / "data" / "other.ttl"
    assert settings.output_dir == tmp_path / "build"
    assert introduce(settings.root) == f"project Elsewhere: {tmp_path} (the current folder)"


def test_every_command_says_which_project_it_uses(project):
    result = CliRunner().invoke(main, ["--root", str(project.root), "--progress", "queries"])
    assert result.exit_code == 0, result.output
    assert f"project Kantemir Balagov: {project.root} (given)" in result.stderr


# ---------------------------------------------------------------- bad metadata


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('[project]\ntitle = "A"\nhome = \n', "bad TOML: Invalid value", 3),
        ('title = "A"\n', "no [project] table", None),
        ('[project]\ndescription = "no title"\n', "[project] needs a title", None),
        ('[project]\ntitle = "A"\ncolour = "red"\n', "[project] has no key 'colour'", None),
        ("[project]\ntitle = 5\n", "[project] title must be text, not 5", None),
        ('[project]\ntitle = "A"\nfacts = "../x.ttl"\n', "facts must be a path inside", None),
    ],
)
def test_malformed_metadata_is_one_error_naming_file_and_line(tmp_path, text, message, line):
    path = tmp_path / "filmgraph.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_project(tmp_path)
    assert err.value.path == path and message in str(err.value)
    assert err.value.line == line


def test_metadata_that_is_not_utf8_says_where(tmp_path):
    (tmp_path / "filmgraph.toml").write_bytes(b'[project]\ntitle = "Caf\xe9"\n')
    with pytest.raises(DataError) as err:
        read_project(tmp_path)
    assert "not UTF-8 text (byte 0xe9)" in str(err.value)
    assert (err.value.line, err.value.column) == (2, 13)


def test_a_folder_without_metadata_is_a_one_line_cli_error(tmp_path):
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "build"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'filmgraph.toml'}: not found: a project folder holds "
        "filmgraph.toml (`filmgraph init DIR --document FILE` makes one)"
    ]
    assert not (tmp_path / "build").exists()


# ---------------------------------------------------------------- what the pages say


@pytest.fixture(scope="module")
def retitled(tmp_path_factory: pytest.TempPathFactory):
    """The endpoint over a copy of the project retitled, with Beanpole as its home entity."""
    root = tmp_path_factory.mktemp("retitled")
    for name in ("ontology", "data", "queries", "filmgraph.toml"):
        source = ROOT / name
        target = root / name
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.write_bytes(source.read_bytes())
    replace_in(root / "filmgraph.toml", 'title = "Kantemir Balagov"', 'title = "Two films"')
    replace_in(root / "filmgraph.toml", 'home = "kantemir-balagov"', 'home = "beanpole"')
    text = (root / "filmgraph.toml").read_text(encoding="utf-8")
    described = next(line for line in text.splitlines() if line.startswith("description = "))
    replace_in(root / "filmgraph.toml", described, 'description = "Two films by one director."')
    replace_in(
        root / "filmgraph.toml",
        '# licence = "https://creativecommons.org/licenses/by/4.0/"',
        'licence = "https://creativecommons.org/licenses/by/4.0/"',
    )
    settings = Settings(root=root, store="memory")
    app = create_app(settings, open_store(settings))
    yield app
    state(app).close()


def test_pages_are_titled_from_the_metadata_and_link_its_home(retitled):
    client = retitled.test_client()
    page = client.get("/downloads").get_data(as_text=True)
    assert '<a class="name" href="/">filmgraph: Two films</a>' in page
    assert "Two films by one director." in page and "Balagov" not in page
    assert '<a href="/page/beanpole">Beanpole</a>' in page
    missing = client.get("/page/nobody", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert '<a href="/page/beanpole">Beanpole</a>' in missing.get_data(as_text=True)


def test_void_and_the_service_description_come_from_the_metadata(retitled):
    client = retitled.test_client()
    void = Graph().parse(data=client.get("/.well-known/void?format=ttl").data, format="turtle")
    titles = set(void.objects(None, DCTERMS.title))
    assert Literal("filmgraph: Two films", lang="en") in titles
    licences = {str(o) for o in void.objects(None, DCTERMS.license)}
    assert licences == {"https://creativecommons.org/licenses/by/4.0/"}
    described = client.get("/sparql", headers={"Accept": "text/turtle"})
    sd = Graph().parse(data=described.data, format="turtle")
    assert Literal("filmgraph: Two films") in set(sd.objects(None, DCTERMS.title))


def test_a_home_entity_the_data_lacks_gives_no_link(retitled, tmp_path):
    root = Path(state(retitled).settings.root)
    replace_in(root / "filmgraph.toml", 'home = "beanpole"', 'home = "nobody"')
    settings = Settings(root=root, store="memory")
    app = create_app(settings, open_store(settings))
    try:
        page = app.test_client().get("/document").get_data(as_text=True)
        assert "/page/nobody" not in page and "filmgraph: Two films" in page
    finally:
        state(app).close()
        replace_in(root / "filmgraph.toml", 'home = "nobody"', 'home = "beanpole"')


# ---------------------------------------------------------------- filmgraph init


def _init(*args: str):
    return CliRunner().invoke(main, ["init", *args])


def test_init_makes_a_project_whose_claims_list_every_sentence(tmp_path):
    document = tmp_path / "doc.txt"
    document.write_text("A Title\n\nOne sentence here. Another one!\n", encoding="utf-8")
    result = _init(str(tmp_path / "new"), "--document", str(document))
    assert result.exit_code == 0, result.output
    project = read_project(tmp_path / "new")
    assert (project.title, project.home, project.facts) == ("A Title", "", "data/facts.ttl")
    copy = tmp_path / "new" / "data" / "sources" / "doc.txt"
    assert copy.read_bytes() == document.read_bytes()
    claims = (tmp_path / "new" / "data" / "claims.toml").read_text(encoding="utf-8")
    for number, text in [(1, "A Title"), (2, "One sentence here."), (3, "Another one!")]:
        assert f"sentence {number}\n# > {text}\n" in claims
    listed = CliRunner().invoke(main, ["--root", str(tmp_path / "new"), "claims", "sentences"])
    assert listed.exit_code == 0 and listed.output.count("claims: NONE") == 3
    queries = CliRunner().invoke(main, ["--root", str(tmp_path / "new"), "queries"])
    assert queries.output == (
        f"no competency questions: {tmp_path / 'new' / 'queries'} holds no .rq file\n"
    )
    built = CliRunner().invoke(main, ["--root", str(tmp_path / "new"), "build"])
    assert built.exit_code == 1
    assert "compile the claims first (`filmgraph claims compile`)" in built.output
    compiled = CliRunner().invoke(main, ["--root", str(tmp_path / "new"), "claims", "compile"])
    assert "no [[claim]] entries: fill in a claim for a sentence first" in compiled.output


def test_init_takes_a_title(tmp_path):
    document = tmp_path / "doc.txt"
    document.write_text("Some text. More.\n", encoding="utf-8")
    assert _init(str(tmp_path / "p"), "--document", str(document), "--title", "Mine").exit_code == 0
    assert read_project(tmp_path / "p").title == "Mine"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Caf\xe9 society.\n", "not UTF-8 text (byte 0xe9)"),
        (b"", "holds no sentence to make claims from"),
        (None, "file not found"),
    ],
)
def test_init_refuses_a_bad_document_leaving_nothing(tmp_path, content, message):
    document = tmp_path / "doc.txt"
    if content is not None:
        document.write_bytes(content)
    result = _init(str(tmp_path / "new"), "--document", str(document))
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["doc.txt"] if content is not None else []
    )


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    document = tmp_path / "doc.txt"
    document.write_text("Text.\n", encoding="utf-8")
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep me", encoding="utf-8")
    result = _init(str(tmp_path / "taken"), "--document", str(document))
    assert result.exit_code == 1 and "not an empty folder" in result.output
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["mine.txt"]

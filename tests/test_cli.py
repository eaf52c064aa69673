"""The command line: bad input gets one clear line and exit status 2, and stored rows stay."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pqcheck.cli import cli
from pqcheck.db import open_db

from .support.apiserver import FakeParliamentAPI
from .support.factories import list_response, question_value, single


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def stored(tmp_path):
    """A database holding one question, and a file that produced it."""
    path = tmp_path / "pq.db"
    source = tmp_path / "one.json"
    source.write_text(json.dumps(single(question_value(1))))
    assert run("import", "questions", path, source, "--quiet").exit_code == 0
    return path


def assert_still_stored(path):
    assert open_db(path)["questions"].get(1)["heading"] == "Human Trafficking: Detainees"


def test_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("fetch", "import", "bodies"):
        assert command in result.output


def test_import_summary_as_json(tmp_path):
    source = tmp_path / "two.json"
    source.write_text(json.dumps(list_response([question_value(1), question_value(2)])))
    result = run("import", "questions", tmp_path / "pq.db", source, "--quiet", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "questions": 2,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "kept_newer": 0,
        "truncated": 0,
        "skipped": 0,
        "files_skipped": 0,
    }


def test_import_summary_counts_the_records_skipped(tmp_path):
    source = tmp_path / "mixed.json"
    bad = question_value(3, dateTabled="not a date")
    source.write_text(json.dumps(list_response([question_value(1), bad])))
    result = run("import", "questions", tmp_path / "pq.db", source, "--quiet")
    assert result.exit_code == 0, result.output
    assert "1 record skipped (could not be read)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2021-02-30"], "Invalid value for '--from'"),
        (["--to", "yesterday"], "Invalid value for '--to'"),
        (["--from", "2021-03-01", "--to", "2021-02-01"], "--from 2021-03-01 is after --to 2021-02-01"),
        (["--tabled-from", "2021-03-01", "--tabled-to", "2021-02-01"], "--tabled-from 2021-03-01 is after"),
        (["--department", "Ministry of Magic"], "unknown department 'Ministry of Magic'"),
        (["--department", "home ofice"], "Did you mean: Home Office"),
        (["--department", "department for"], "is ambiguous: it matches"),
        (["--department", "999"], "unknown department id 999"),
        (["--house", "Senate"], "Invalid value for '--house'"),
    ],
)
def test_bad_fetch_options_exit_2_with_a_clear_message(stored, args, message):
    result = run("fetch", "questions", stored, "--api-url", "http://127.0.0.1:9", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert_still_stored(stored)


@pytest.mark.parametrize(
    ("wanted", "bodies"),
    [
        (["Cabinet Office"], ["23", "53", "57"]),  # a department: all its answering bodies
        (["cabinet-office", "1"], ["1", "23", "53", "57"]),
        (["53"], ["53"]),  # an answering body id: that body alone
        (["DCMS"], ["10", "217"]),
    ],
)
def test_fetch_questions_takes_a_department_or_an_answering_body(tmp_path, wanted, bodies):
    with FakeParliamentAPI() as api:
        options = [arg for name in wanted for arg in ("-d", name)]
        result = run("fetch", "questions", tmp_path / "pq.db", "--api-url", api.url, "--from", "2024-01-01", *options)
        assert result.exit_code == 0, result.output
        assert {tuple(r.param_list("answeringBodies")) for r in api.list_requests()} == {tuple(bodies)}


def test_ambiguous_department_lists_the_candidates(stored):
    result = run("fetch", "questions", stored, "--department", "department for")
    assert "department-for-work-and-pensions (Department for Work and Pensions)" in result.stderr
    assert "department-for-education (Department for Education)" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("this is not json", "is not JSON"),
        ('{"totalResults": 1, "results": [', "is not valid JSON"),
        ("", "is empty"),
        ("42", "is not JSON"),
        ('{"items": [{"name": "x"}]}', "is not a written question"),
        ('[{"id": 5, "title": "a written statement"}]', "is not a written question"),
        ('{"value": {"id": 1, "questionText": "q"}}\nnot json\n', "line 2 is not valid JSON"),
    ],
)
def test_bad_import_files_exit_2_and_keep_what_is_stored(stored, tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = run("import", "questions", stored, bad)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert_still_stored(stored)


def test_database_path_that_cannot_be_written(tmp_path, stored):
    source = tmp_path / "one.json"
    for target, message in [
        (tmp_path / "missing" / "pq.db", "does not exist"),
        (tmp_path, "is a directory"),
        ("/proc/pqcheck-test.db", "cannot use database /proc/pqcheck-test.db"),
    ]:
        result = run("import", "questions", target, source)
        assert result.exit_code == 2
        assert message in result.stderr


def test_a_file_that_is_not_a_database(tmp_path):
    not_db = tmp_path / "notes.db"
    not_db.write_text("shopping list\n" * 100)
    source = tmp_path / "one.json"
    source.write_text(json.dumps(single(question_value(1))))
    result = run("import", "questions", not_db, source)
    assert result.exit_code == 2
    assert "file is not a database" in result.stderr
    assert not_db.read_text().startswith("shopping list")


def test_bodies_lists_the_snapshot():
    result = run("bodies")
    assert result.exit_code == 0
    assert "   1  Home Office" in result.output
    assert "Department for Work and Pensions (DWP)" in result.output

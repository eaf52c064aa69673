"""The command line's rough edges, each kept smooth: a missing database is refused, not made; an
import over a folder skips the files it cannot read; summaries in words; fetch says when it
retries and gives up at once on a host name that does not resolve; check-answer says what it is
waiting for; the README's set-up and search examples work."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqcheck.cli import cli
from pqcheck.text import plural

from .support.apiserver import FakeParliamentAPI, make_question
from .support.cli import command, environment
from .support.factories import question_value, single

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize(
    "args",
    [
        ["report"],
        ["search", "{db}", "trafficking"],
        ["classify"],
        ["match"],
        ["review", "{db}", "--next"],
        ["review", "{db}", "abcdef12", "--verdict", "confirmed"],
        ["ocr"],
        ["serve"],
    ],
)
def test_commands_that_read_a_database_refuse_a_path_with_none(tmp_path, args):
    missing = tmp_path / "typo.db"
    args = [a.replace("{db}", str(missing)) for a in args]
    if str(missing) not in args:
        args.insert(1, str(missing))
    result = run(*args)
    assert result.exit_code == 2
    assert f"no database at {missing}" in result.stderr
    assert not missing.exists() and not list(tmp_path.iterdir())


def test_import_over_a_folder_skips_the_files_not_in_an_api_shape_and_counts_them(tmp_path):
    folder = tmp_path / "dumps"
    (folder / "older").mkdir(parents=True)
    (folder / "a.json").write_text(json.dumps(single(question_value(1))))
    (folder / "b.json").write_text('{"items": [{"name": "not a question"}]}')
    (folder / "older" / "c.jsonl").write_text(json.dumps(single(question_value(2))) + "\n")
    (folder / "notes.txt").write_text("not read: not .json")
    result = run("import", "questions", tmp_path / "pq.db", folder, "--quiet")
    assert result.exit_code == 0, result.output
    assert "b.json" in result.stderr and "file skipped" in result.stderr
    assert "notes.txt" not in result.stderr
    assert "Imported 2 questions" in result.stdout and "1 file skipped" in result.stdout
    again = run("import", "questions", tmp_path / "pq.db", folder, "--quiet", "--json")
    assert json.loads(again.stdout)["files_skipped"] == 1


def test_an_import_where_no_file_can_be_read_still_exits_2(tmp_path):
    for name in ("x.json", "y.json"):
        (tmp_path / name).write_text("not json at all")
    result = run("import", "questions", tmp_path / "pq.db", tmp_path / "x.json", tmp_path / "y.json")
    assert result.exit_code == 2
    assert "none of the 2 files could be imported" in result.stderr


def test_counts_are_in_words():
    assert [plural(n, "question") for n in (0, 1, 2, 1500)] == [
        "0 questions",
        "1 question",
        "2 questions",
        "1,500 questions",
    ]
    assert plural(1, "pass", "passes") == "1 pass" and plural(3, "pass", "passes") == "3 passes"


def test_the_match_summary_is_words_not_a_dict(demo_copy):
    result = run("match", demo_copy, "--quiet")
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert re.fullmatch(
        r"Matched \d+ refusals: \d+ paired, \d+ pairs kept \(evidence: FOI disclosure \d+.*\); .* s\.", line
    )
    assert "{" not in line and "_" not in line


def test_fetch_says_when_it_retries(tmp_path):
    today = time.strftime("%Y-%m-%d", time.gmtime())
    with FakeParliamentAPI([make_question(1, tabled=today, answered=today)]) as api:
        api.add_fault(503, number=1)
        result = subprocess.run(
            command("fetch", "questions", tmp_path / "pq.db", "--api-url", api.url, "--backoff", "0", "--rate", "100"),
            capture_output=True,
            text=True,
            timeout=60,
            env=environment(),
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"warning: retrying GET http://127\.0\.0\.1:\d+/api/writtenquestions/questions\?.* in 0s "
        r"\(HTTP 503.*\), retry 1 of 5",
        result.stderr,
    ), result.stderr
    quiet = subprocess.run(
        command(
            "fetch",
            "questions",
            tmp_path / "pq2.db",
            "--api-url",
            "http://127.0.0.1:9",
            "--retries",
            "1",
            "--backoff",
            "0",
            "--quiet",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(),
        check=False,
    )
    assert quiet.returncode == 1 and "retrying" not in quiet.stderr  # --quiet: only the error


def test_a_host_name_that_does_not_resolve_fails_at_once(tmp_path):
    started = time.monotonic()
    result = subprocess.run(
        command(
            "fetch",
            "questions",
            tmp_path / "pq.db",
            "--api-url",
            "http://no-such-host.invalid",
            "--retries",
            "5",
            "--backoff",
            "30",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(),
        check=False,
    )
    assert result.returncode == 1
    assert "the host name no-such-host.invalid could not be resolved" in result.stderr
    assert "retrying" not in result.stderr
    assert time.monotonic() - started < 25  # five retries from 30 s would take 15 minutes


def test_check_answer_on_a_terminal_says_what_it_waits_for():
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            command("check-answer"),
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment(),
        )
        deadline, said = time.monotonic() + 30, b""
        while b"Ctrl-D" not in said and time.monotonic() < deadline:
            ready, _, _ = select.select([process.stderr], [], [], 1)
            if ready:
                said += os.read(process.stderr.fileno(), 1024)
        assert b"Reading the answer to classify from standard input" in said and b"Ctrl-D" in said
        os.write(leader, b"The information is not held centrally.\n\x04")
        out, _ = process.communicate(timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    assert process.returncode == 0
    assert b"refusal" in out


def test_check_answer_from_a_pipe_says_nothing_of_the_kind():
    result = subprocess.run(
        command("check-answer"),
        input="The information is not held centrally.",
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(),
        check=False,
    )
    assert result.returncode == 0 and "refusal" in result.stdout
    assert "Reading the answer" not in result.stderr


def test_the_readme_sets_up_a_virtual_environment_first():
    setup = (ROOT / "README.md").read_text(encoding="utf-8").split("## Set-up", 1)[1].split("## ", 1)[0]
    steps = [
        line.split("#")[0].strip() for line in setup.splitlines() if line.strip() and not line.startswith(("`", " "))
    ]
    venv = next(i for i, s in enumerate(steps) if s.startswith("python3 -m venv"))
    assert venv < next(i for i, s in enumerate(steps) if s.startswith("pip install"))


def test_every_search_example_in_the_readme_runs(demo_db):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = [line.strip() for line in readme.splitlines() if line.strip().startswith("pqcheck search ")]
    assert any(" -- " in e and " -escape" in e for e in examples)
    for example in examples:
        args = shlex.split(example.split("  #")[0])[2:]
        args[0] = str(demo_db)
        result = run("search", *args)
        assert result.exit_code == 0, (example, result.output)

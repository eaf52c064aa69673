"""`pqcheck demo`: the whole pipeline offline, checked against fixtures/demo/expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqcheck.cli import cli
from pqcheck.db import open_db

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output, json.loads((DEMO / "expected.json").read_text())


def reported(db):
    return {
        (m["question_id"], m["foi_request_id"] or m["other_question_id"]): m for m in db.query("SELECT * FROM matches")
    }


def test_the_demo_writes_the_database_and_both_reports(demo):
    out, output, _ = demo
    assert (out / "pqcheck.db").is_file()
    report = (out / "report.md").read_text()
    data = json.loads((out / "report.json").read_text())
    assert data["pairs"] and all({"question_id", "score", "reasons"} <= set(p) for p in data["pairs"])
    assert str(out / "report.md") in output
    assert report.startswith("#")


def test_the_2019_home_office_case_leads_the_report(demo):
    out, _, expected = demo
    data = json.loads((out / "report.json").read_text())
    first = data["pairs"][0]
    assert {"question_id": first["question_id"], "foi_request_id": first["foi_request_id"]} in [
        {"question_id": t["question_id"], "foi_request_id": t["foi_request_id"]} for t in expected["top"]
    ]
    report = (out / "report.md").read_text()
    first_section = report[report.index("### 1.") :][:4000]
    assert "990619" in first_section
    assert "**507**" in first_section or "**479**" in first_section  # the evidence, highlighted


def test_every_expected_pair_is_reported(demo):
    out, _, expected = demo
    found = reported(open_db(out / "pqcheck.db"))
    missing = [
        (p["uin"], p["foi_request_id"])
        for p in expected["pairs"]
        if (p["question_id"], p["foi_request_id"]) not in found
    ]
    assert missing == []
    answers = [(p["question_id"], p["other_question_id"]) for p in expected["answer_pairs"]]
    assert [a for a in answers if a not in found] == []


def test_no_distractor_is_reported_as_a_disclosure(demo):
    out, _, expected = demo
    found = reported(open_db(out / "pqcheck.db"))
    wrong = []
    for distractor in expected["must_not_match"]:
        key = (distractor["question_id"], distractor.get("foi_request_id") or distractor.get("other_question_id"))
        if key in found and found[key]["evidence_kind"] in ("disclosure", "answer"):
            wrong.append((distractor["uin"], key[1], distractor["kind"]))
    assert wrong == []


@pytest.mark.parametrize("quiet", [False, True])
def test_the_demo_shows_its_progress_unless_quiet(tmp_path, quiet):
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path / "out"), *(["--quiet"] if quiet else [])])
    assert result.exit_code == 0, result.output
    assert ("Classifying answers" in result.stderr) is not quiet
    assert "Demo: 40 written answers" in result.stdout

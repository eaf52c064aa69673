"""Reviews (pqcheck.review, ``pqcheck review``): verdicts by id or prefix, the queue, the report,
re-runs of classify and match, export and import.

Each test works on its own copy of the demo database (built once per session)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pqcheck.cli import cli
from pqcheck.db import open_db, upsert_rows
from pqcheck.errors import BadInput
from pqcheck.pairs import ReportFilters, pair_rows
from pqcheck.review import (
    export_reviews,
    import_reviews,
    next_pairs,
    normalise_verdict,
    record_review,
    resolve_match_id,
    reviews_of,
)
from pqcheck.terminal import QueueIO, run_queue

from .support.databases import copy_db

WHEN = "2026-01-02T03:04:05Z"
STORED = "2026-01-02T03:04:05+00:00"  # WHEN as every timestamp is stored


@pytest.fixture
def db_path(demo_copy) -> Path:
    return demo_copy


@pytest.fixture
def rdb(db_path):
    db = open_db(db_path)
    yield db
    db.close()


def run(*args, input=None, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, env=env)


def strongest(db, n=3) -> list[str]:
    return [row["match_id"] for row in pair_rows(db, ReportFilters(limit=n))]


def stored(db) -> list[tuple]:
    return [
        tuple(row)
        for row in db.execute("SELECT match_id, verdict, note, reviewer, reviewed_at FROM reviews ORDER BY id")
    ]


# ---------------------------------------------------------------------------------------------
# recording


def test_record_by_full_id_and_by_unique_prefix(rdb):
    first, second = strongest(rdb, 2)
    row = record_review(
        rdb, first, "confirmed", note="FOI gave 2018 figures", reviewer="A. Researcher", reviewed_at=WHEN
    )
    assert row["match_id"] == first and row["verdict"] == "confirmed" and row["reviewed_at"] == STORED
    row = record_review(rdb, second[:8].upper(), "Not Comparable", reviewer="B")
    assert row["match_id"] == second and row["verdict"] == "not-comparable"
    assert stored(rdb)[0] == (first, "confirmed", "FOI gave 2018 figures", "A. Researcher", STORED)
    assert [r["verdict"] for r in reviews_of(rdb, second)] == ["not-comparable"]
    assert {r["match_id"]: r["verdict"] for r in pair_rows(rdb) if r["verdict"]} == {
        first: "confirmed",
        second: "not-comparable",
    }


def test_the_latest_review_is_the_verdict(rdb):
    first = strongest(rdb, 1)[0]
    record_review(rdb, first, "confirmed", reviewer="a", reviewed_at="2026-01-01T00:00:00Z")
    record_review(rdb, first, "rejected", reviewer="b", reviewed_at="2026-02-01T00:00:00Z")
    record_review(rdb, first, "not-comparable", reviewer="c", reviewed_at="2025-12-01T00:00:00+01:00")
    assert [r["verdict"] for r in reviews_of(rdb, first)] == ["rejected", "confirmed", "not-comparable"]
    assert reviews_of(rdb, first)[-1]["reviewed_at"] == "2025-11-30T23:00:00+00:00"  # stored in UTC
    assert pair_rows(rdb, ReportFilters(match_ids=(first,)))[0]["verdict"] == "rejected"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("abc", "not a match id"),
        ("", "not a match id"),
        ("zzzzzzzz", "not a match id"),
        ("0123456789abcdef0123456789abcdef01234567", "no matched pair"),
        ("abcdef", "fits several pairs"),
    ],
)
def test_unknown_ambiguous_or_too_short_ids_are_bad_input(rdb, given, message):
    question_id = rdb.execute("SELECT question_id FROM matches LIMIT 1").fetchone()[0]
    upsert_rows(
        rdb,
        "matches",
        [
            {"id": "abcdef" + str(n) * 34, "question_id": question_id, "target_kind": "foi", "score": 0.1}
            for n in (1, 2)
        ],
    )
    rdb.conn.commit()
    with pytest.raises(BadInput, match=message):
        resolve_match_id(rdb, given)
    with pytest.raises(BadInput):
        record_review(rdb, given, "confirmed", reviewer="x")
    assert resolve_match_id(rdb, "abcdef1") == "abcdef" + "1" * 34
    assert stored(rdb) == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("confirmed", "confirmed"),
        ("CONFIRMED ", "confirmed"),
        ("rejected", "rejected"),
        ("not-comparable", "not-comparable"),
        ("not comparable", "not-comparable"),
        ("Not_Comparable", "not-comparable"),
        ("  not   comparable ", "not-comparable"),
    ],
)
def test_verdicts_are_normalised(given, expected):
    assert normalise_verdict(given) == expected


@pytest.mark.parametrize("given", ["", None, "confirm", "yes", "unreviewed", "not"])
def test_unknown_verdicts_are_bad_input(given):
    with pytest.raises(BadInput, match="unknown verdict"):
        normalise_verdict(given)


def test_notes_and_names_are_checked(rdb):
    first = strongest(rdb, 1)[0]
    with pytest.raises(BadInput, match="note"):
        record_review(rdb, first, "confirmed", note="x" * 5000, reviewer="a")
    with pytest.raises(BadInput, match="reviewer"):
        record_review(rdb, first, "confirmed", reviewer="x" * 300)
    with pytest.raises(BadInput, match="ISO 8601"):
        record_review(rdb, first, "confirmed", reviewer="a", reviewed_at="last tuesday")
    assert stored(rdb) == []


def test_the_reviewer_defaults_to_the_environment(rdb, db_path, monkeypatch):
    first, second = strongest(rdb, 2)
    monkeypatch.setenv("PQCHECK_REVIEWER", "Env Reviewer")
    assert record_review(rdb, first, "confirmed")["reviewer"] == "Env Reviewer"
    result = run("review", db_path, second[:10], "--verdict", "rejected", env={"PQCHECK_REVIEWER": "Cli Env"})
    assert result.exit_code == 0, result.output
    assert f"Recorded: rejected for {second} by Cli Env" in result.output
    result = run("review", db_path, second, "--verdict", "confirmed", "--by", "Named", "--note", "why")
    assert result.exit_code == 0, result.output
    assert reviews_of(rdb, second)[0]["reviewer"] == "Named" and reviews_of(rdb, second)[0]["note"] == "why"


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--verdict", "confirmed"],
        ["abcdef12"],
        ["abcdef12", "--verdict", "confirmed"],
        ["abc", "--verdict", "confirmed"],
        ["--next", "--export", "out.csv"],
    ],
)
def test_cli_user_errors_exit_2(db_path, args):
    result = run("review", db_path, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.output


# ---------------------------------------------------------------------------------------------
# the queue


def test_queue_records_the_strongest_pair_first_with_its_note(rdb, db_path):
    first, second = strongest(rdb, 2)
    result = run("review", db_path, "--next", "--by", "Q", input="c\nmy note\nq\n")
    assert result.exit_code == 0, result.output
    assert stored(rdb) == [(first, "confirmed", "my note", "Q", stored(rdb)[0][4])]
    assert "WRITTEN ANSWER" in result.output and f"Recorded: confirmed for {first[:12]}" in result.output
    assert "1 confirmed, 0 rejected, 0 not-comparable, 0 skipped" in result.output
    # the next run starts where this one stopped
    result = run("review", db_path, "--next", "--by", "Q", input="r\n\nq\n")
    assert result.exit_code == 0, result.output
    assert stored(rdb)[1][:4] == (second, "rejected", None, "Q")


def test_queue_skip_and_quit(rdb, db_path):
    first, second, third = strongest(rdb, 3)
    result = run("review", db_path, "--next", "--by", "Q", input="s\nn\nnot the same period\ns\nq\n")
    assert result.exit_code == 0, result.output
    assert stored(rdb) == [(second, "not-comparable", "not the same period", "Q", stored(rdb)[0][4])]
    assert "0 confirmed, 0 rejected, 1 not-comparable, 2 skipped" in result.output
    result = run("review", db_path, "--next", input="q\n")
    assert result.exit_code == 0 and len(stored(rdb)) == 1
    result = run("review", db_path, "--next", input="")  # end of input: quit
    assert result.exit_code == 0 and len(stored(rdb)) == 1
    assert [p["match_id"] for p in next_pairs(rdb, count=2)] == [first, third]


def test_queue_with_a_note_given_does_not_ask(rdb, db_path):
    first, second = strongest(rdb, 2)
    result = run("review", db_path, "--next", "--by", "Q", "--note", "batch", input="c\nr\nq\n")
    assert result.exit_code == 0, result.output
    assert [row[:4] for row in stored(rdb)] == [(first, "confirmed", "batch", "Q"), (second, "rejected", "batch", "Q")]


def test_queue_filters_by_department_and_score(rdb, db_path):
    result = run(
        "review", db_path, "--next", "--by", "Q", "--min-score", "0.5", "-d", "defence", input="c\n\nc\n\nc\n\nc\n\n"
    )
    assert result.exit_code == 0, result.output
    defence = [r["match_id"] for r in pair_rows(rdb, ReportFilters(departments=("defence",), min_score=0.5))]
    assert defence and sorted(row[0] for row in stored(rdb)) == sorted(defence[:4])


def test_queue_says_when_nothing_is_left(rdb, db_path):
    for match_id in [row["match_id"] for row in pair_rows(rdb)]:
        record_review(rdb, match_id, "rejected", reviewer="all")
    result = run("review", db_path, "--next", input="c\n")
    assert result.exit_code == 0, result.output
    assert "No unreviewed pairs left." in result.output


def test_run_queue_asks_again_for_an_unknown_key_and_stops_at_the_end(rdb):
    pairs = [row["match_id"] for row in pair_rows(rdb)]
    for match_id in pairs[2:]:
        record_review(rdb, match_id, "rejected", reviewer="all")
    keys, said = iter(["x", "\r", "R", "c"]), []
    io = QueueIO(echo=said.append, getchar=lambda: next(keys), prompt=lambda text: " noted ")
    done = run_queue(rdb, ReportFilters(), io, reviewer="io")
    assert done == {"confirmed": 1, "rejected": 1, "not-comparable": 0, "skipped": 0}
    assert said.count("Press c, r, n, s or q.") == 2 and said[-1] == "No unreviewed pairs left."
    assert [(r["verdict"], r["note"]) for r in (reviews_of(rdb, pairs[0])[0], reviews_of(rdb, pairs[1])[0])] == [
        ("rejected", "noted"),
        ("confirmed", "noted"),
    ]


def test_run_queue_quits_on_end_of_input(rdb):
    def eof():
        raise EOFError  # Ctrl-D at click.getchar

    io = QueueIO(echo=lambda text: None, getchar=eof, prompt=lambda text: "")
    assert run_queue(rdb, ReportFilters(), io, reviewer="io")["confirmed"] == 0
    assert stored(rdb) == []


# ---------------------------------------------------------------------------------------------
# verdicts in the report, and across re-runs


def test_verdicts_appear_in_the_report(rdb, db_path):
    first, second = strongest(rdb, 2)
    record_review(rdb, first, "confirmed", note="FOI gave 507 for 2018", reviewer="Ann", reviewed_at=WHEN)
    record_review(rdb, second, "rejected", reviewer="Ben", reviewed_at=WHEN)
    result = run("report", db_path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    reviews = {p["match_id"]: p["review"] for p in data["pairs"]}
    assert reviews[first] == {
        "verdict": "confirmed",
        "note": "FOI gave 507 for 2018",
        "reviewer": "Ann",
        "reviewed_at": STORED,
    }
    assert reviews[second]["verdict"] == "rejected"
    assert sum(r is None for r in reviews.values()) == len(reviews) - 2
    md = run("report", db_path).stdout
    first_section = md[md.index("### 1.") : md.index("### 2.")]
    assert "**Review:** confirmed by Ann" in first_section and "FOI gave 507 for 2018" in first_section
    assert "not reviewed yet" in md[md.index("### 3.") :]


def test_verdicts_survive_reclassifying_and_rematching(rdb, db_path):
    pairs = strongest(rdb, 3)
    for match_id, verdict in zip(pairs, ("confirmed", "rejected", "not-comparable"), strict=True):
        record_review(rdb, match_id, verdict, note=f"on {match_id[:6]}", reviewer="R", reviewed_at=WHEN)
    before = stored(rdb)
    rdb.close()
    for args in (["classify", db_path, "--force", "-q"], ["match", db_path, "-q"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
    db = open_db(db_path)
    try:
        assert stored(db) == before
        verdicts = {row["match_id"]: row["verdict"] for row in pair_rows(db) if row["verdict"]}
        assert verdicts == {pairs[0]: "confirmed", pairs[1]: "rejected", pairs[2]: "not-comparable"}
    finally:
        db.close()
    data = json.loads(run("report", db_path, "--format", "json").stdout)
    assert {p["match_id"]: p["review"]["verdict"] for p in data["pairs"] if p["review"]} == verdicts


# ---------------------------------------------------------------------------------------------
# export and import

FORMULAS = ["=SUM(A1:A9)", "+44 20 7946 0000", "-1 in the FOI", "@cmd", "'=already quoted"]


def record_several(db) -> list[str]:
    pairs = strongest(db, len(FORMULAS))
    for i, (match_id, note) in enumerate(zip(pairs, FORMULAS, strict=True)):
        record_review(db, match_id, ("confirmed", "rejected")[i % 2], note=note, reviewer=f"R{i}", reviewed_at=WHEN)
    record_review(db, pairs[0], "not-comparable", reviewer="@handle", reviewed_at="2026-01-03T00:00:00Z")
    return pairs


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_into_a_fresh_copy(rdb, db_path, tmp_path, demo_db, fmt):
    record_several(rdb)
    out = tmp_path / f"reviews.{fmt}"
    result = run("review", db_path, "--export", out)
    assert result.exit_code == 0, result.output
    assert "6 reviews written" in result.output
    fresh_path = copy_db(demo_db, tmp_path / "fresh.db")
    result = run("review", fresh_path, "--import", out)
    assert result.exit_code == 0, result.output
    assert "6 reviews added, 0 already there." in result.stdout
    fresh = open_db(fresh_path)
    try:
        assert sorted(stored(fresh)) == sorted(stored(rdb))
        assert [row[2] for row in stored(fresh)][: len(FORMULAS)] == FORMULAS  # formula-looking notes round-trip
        result = run("review", fresh_path, "--import", out)
        assert "0 reviews added, 6 already there." in result.stdout
        assert len(stored(fresh)) == 6
    finally:
        fresh.close()
    # importing into the database it came from adds nothing either
    assert "0 reviews added, 6 already there." in run("review", db_path, "--import", out).stdout


def test_csv_export_defuses_formulas(rdb):
    record_several(rdb)
    out = io.StringIO()
    assert export_reviews(rdb, out, "csv") == 6
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["note"] for row in rows[: len(FORMULAS)]] == ["'" + note for note in FORMULAS]
    assert rows[-1]["reviewer"] == "'@handle"
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    assert set(rows[0]) == {"match_id", "verdict", "note", "reviewer", "reviewed_at", "question_id", "target"}


def test_json_export_keeps_notes_as_written(rdb):
    record_several(rdb)
    out = io.StringIO()
    export_reviews(rdb, out, "json")
    notes = [row["note"] for row in json.loads(out.getvalue())["reviews"]]
    assert notes[: len(FORMULAS)] == FORMULAS


def test_export_to_stdout_and_an_unknown_format(rdb, db_path):
    record_several(rdb)
    result = run("review", db_path, "--export", "-", "--format", "json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)["reviews"]) == 6
    with pytest.raises(BadInput, match="unknown format"):
        export_reviews(rdb, io.StringIO(), "xlsx")


def test_export_format_from_the_name_and_an_unwritable_path(rdb, db_path, tmp_path):
    record_several(rdb)
    out = tmp_path / "REVIEWS.JSON"
    assert run("review", db_path, "--export", out).exit_code == 0
    assert len(json.loads(out.read_text())["reviews"]) == 6
    result = run("review", db_path, "--export", tmp_path / "missing" / "reviews.csv")
    assert (
        result.exit_code == 2 and result.stderr.startswith("Error: cannot write") and "Traceback" not in result.output
    )


def test_import_reports_bad_rows_with_their_line_and_imports_the_rest(rdb, db_path, tmp_path):
    first, second, third = strongest(rdb, 3)
    path = tmp_path / "reviews.csv"
    path.write_text(
        "match_id,verdict,note,reviewer,reviewed_at\n"
        f"{first},confirmed,good,Ann,{WHEN}\n"  # line 2
        f"{second},maybe,,Ann,{WHEN}\n"  # line 3: verdict
        f",confirmed,,Ann,{WHEN}\n"  # line 4: no match id
        f"{third},rejected,,Ann,yesterday\n"  # line 5: date
        f'{third},rejected,"two\nlines",,{WHEN}\n'  # lines 6-7: no reviewer
        f"{third},Not Comparable,fine,Ben,2026-01-02\n",  # line 8
        encoding="utf-8",
    )
    stats = import_reviews(rdb, path)
    assert (stats.read, stats.added, stats.already_there, stats.unknown_pairs) == (6, 2, 0, 0)
    assert [p.split(":")[0] for p in stats.problems] == [
        "reviews.csv line 3",
        "reviews.csv line 4",
        "reviews.csv line 5",
        "reviews.csv line 7",
    ]
    assert "maybe" in stats.problems[0] and "yesterday" in stats.problems[2]
    assert [row[:4] for row in stored(rdb)] == [
        (first, "confirmed", "good", "Ann"),
        (third, "not-comparable", "fine", "Ben"),
    ]
    assert stored(rdb)[1][4] == "2026-01-02T00:00:00+00:00"
    result = run("review", db_path, "--import", path)
    assert result.exit_code == 0
    assert "line 3" in result.stderr and "0 reviews added, 2 already there." in result.stdout


def test_import_of_undated_rows_twice_adds_nothing(rdb, tmp_path):
    first, second = strongest(rdb, 2)
    path = tmp_path / "undated.csv"
    path.write_text(f"match_id,verdict,note,reviewer\n{first},confirmed,,Ann\n{second},rejected,why,Ann\n")
    assert import_reviews(rdb, path).added == 2
    with rdb.conn:
        rdb.execute("UPDATE reviews SET reviewed_at = '2020-01-01T00:00:00+00:00'")  # as if imported a while ago
    stats = import_reviews(rdb, path)
    assert (stats.added, stats.already_there) == (0, 2) and len(stored(rdb)) == 2


def test_reviews_of_older_versions_end_utc_offsets_and_their_exports_are_already_there(db_path, tmp_path):
    """Older versions wrote review times as ``...Z``: migration m003 rewrites them as ``+00:00``,
    and an export made then (with ``Z``) is recognised as already there."""
    db = open_db(db_path)
    first, second = strongest(db, 2)
    record_review(db, first, "confirmed", reviewer="Ann", reviewed_at=WHEN)
    record_review(db, second, "rejected", note="why", reviewer="Ben", reviewed_at="2026-02-03T04:05:06+00:00")
    with db.conn:  # as an older version left the file
        db.execute("UPDATE reviews SET reviewed_at = replace(reviewed_at, '+00:00', 'Z')")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_review_times_as_utc_offsets'")
    old_export = tmp_path / "old.csv"
    export_reviews(db, old_export.open("w", encoding="utf-8"), "csv")
    db.close()
    assert "pqcheck migrate" in run("report", db_path).stderr
    assert run("migrate", db_path).exit_code == 0
    db = open_db(db_path)
    try:
        assert [row[4] for row in stored(db)] == [STORED, "2026-02-03T04:05:06+00:00"]
        stats = import_reviews(db, old_export)
        assert (stats.added, stats.already_there) == (0, 2)
    finally:
        db.close()


def test_import_of_reviews_for_pairs_not_in_the_database(rdb, tmp_path):
    path = tmp_path / "reviews.json"
    unknown = "f" * 40
    path.write_text(json.dumps([{"match_id": unknown, "verdict": "confirmed", "reviewer": "X", "reviewed_at": WHEN}]))
    stats = import_reviews(rdb, path)
    assert (stats.added, stats.unknown_pairs) == (1, 1)
    assert stored(rdb) == [(unknown, "confirmed", None, "X", STORED)]


def test_import_of_a_prefix_resolves_it_or_says_why_not(rdb, tmp_path):
    first = strongest(rdb, 1)[0]
    path = tmp_path / "by-hand.csv"
    path.write_text(
        f"match_id,verdict,reviewer,reviewed_at\n{first[:10]},confirmed,Ann,{WHEN}\nnot-an-id,rejected,Ann,{WHEN}\n"
        f"0000000000,rejected,Ann,{WHEN}\n"
    )
    stats = import_reviews(rdb, path)
    assert stats.added == 1 and len(stats.problems) == 2
    assert stored(rdb) == [(first, "confirmed", None, "Ann", STORED)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Dear colleague,\nhere are my reviews.\n", "neither JSON nor CSV"),
        ("", "neither JSON nor CSV"),
        ("name,score\nx,1\n", "neither JSON nor CSV"),
        ("{not json", "not valid JSON"),
        ('{"pairs": []}', "expected a list"),
        (b"%PDF-1.4\n\xff\xfe\x00binary", "cannot read"),
    ],
)
def test_importing_a_file_that_is_not_reviews_is_a_clear_error(rdb, db_path, tmp_path, content, message):
    path = tmp_path / "reviews.txt"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(BadInput, match=message):
        import_reviews(rdb, path)
    result = run("review", db_path, "--import", path)
    assert result.exit_code == 2 and result.stderr.startswith("Error: ") and "Traceback" not in result.output


def test_import_of_a_huge_field_is_a_problem_not_a_crash(rdb, tmp_path):
    first = strongest(rdb, 1)[0]
    path = tmp_path / "big.csv"
    path.write_text(f"match_id,verdict,note,reviewer\n{first},confirmed,{'x' * 200_000},Ann\n{first},rejected,,Ann\n")
    try:
        stats = import_reviews(rdb, path)
    except BadInput as exc:
        assert "big.csv" in str(exc)
    else:
        assert stats.problems and stats.added <= 1

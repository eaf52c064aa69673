"""Terminal views (pqcheck.terminal): a pair side by side or stacked, highlights, search hits."""

from __future__ import annotations

import io
import re

import pytest

from pqcheck.db import open_db
from pqcheck.pairs import pair_rows
from pqcheck.search import MARK_END, MARK_START, Hit, SearchResults
from pqcheck.terminal import SIDE_BY_SIDE_MIN, QueueIO, pair_view, search_view

BOLD, RESET = "\x1b[1;33m", "\x1b[0m"
PHRASE = "There is no central record"


@pytest.fixture(scope="module")
def rows(demo_db):
    db = open_db(demo_db)
    try:
        pairs = pair_rows(db)
    finally:
        db.close()
    return pairs


@pytest.fixture
def top(rows):
    """The demo's strongest pair: UIN 990619 (no central record) and the FOI that gave 507 for 2018."""
    row = dict(rows[0])
    assert row["uin"] == "990619" and row["target_kind"] == "foi"
    return row


def panes(view: str) -> list[str]:
    """The lines of the two sides (before the blank line and the summary)."""
    lines = view.split("\n")
    end = max(i for i, line in enumerate(lines) if line == "")
    return lines[:end]


def columns(view: str) -> tuple[str, str]:
    """The text of the left and of the right column, each as one line."""
    left, right = [], []
    for line in panes(view):
        a, _, b = line.partition(" │ ")
        left.append(a.strip())
        right.append(b.strip())
    return " ".join(left), " ".join(right)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_wide_shows_both_sides_side_by_side(top):
    view = pair_view(top, width=140, color=False)
    first = view.split("\n")[0]
    assert first.startswith("WRITTEN ANSWER  UIN 990619  answered 2019-06-19") and "FOI DISCLOSURE  2019-" in first
    left, right = columns(view)
    assert "Home Office" in left and "not held centrally" in left and "Q: To ask" in left
    assert "Potential victims of trafficking" in right and "Evidence:" in right
    assert f"match {top['match_id']}" in view and f"Score {top['score']:.2f}" in view
    assert "days before the written answer" in view
    assert top["question_link"] in view


def test_wide_highlights_the_refusal_phrase_and_the_figures(top):
    left, right = columns(pair_view(top, width=140, color=False))
    assert f"A: **{PHRASE}** of the number" in squash(left)
    assert "**507** people" in squash(right)
    assert squash(left).count("**") == 2 and squash(right).count("**") == 2  # nothing else


@pytest.mark.parametrize("width", [100, 120, 140, 200])
def test_the_columns_line_up_with_or_without_colour(top, width):
    for color in (False, True):
        view = pair_view(top, width=width, color=color)
        column = (width - 3) // 2
        for line in panes(view):
            visible = line.replace(BOLD, "").replace(RESET, "")
            assert visible.index("│") == column + 1, (color, line)
            assert len(visible) <= width


def test_colour_highlights_with_bold_and_closes_every_line(top):
    view = pair_view(top, width=140, color=True)
    assert f"{BOLD}{PHRASE}{RESET}" in view and f"{BOLD}507{RESET}" in view
    assert "**" not in view
    for color_width in (100, 60):  # a highlight wrapped over two lines is closed and reopened
        for line in pair_view(top, width=color_width, color=True).split("\n"):
            assert line.count(BOLD) == line.count(RESET), line


def test_narrow_stacks_the_answer_above_the_evidence(top):
    width = SIDE_BY_SIDE_MIN - 30
    view = pair_view(top, width=width, color=False)
    assert "│" not in view
    lines = view.split("\n")
    separator = next(i for i, line in enumerate(lines) if set(line) == {"─"})
    above, below = " ".join(lines[:separator]), " ".join(lines[separator:])
    assert "WRITTEN ANSWER" in above and f"**{PHRASE}**" in squash(above)
    assert "FOI DISCLOSURE" in below and "**507**" in below
    long = [line for line in lines if len(line) > width and "://" not in line and top["match_id"] not in line]
    assert long == []


def test_width_defaults_to_the_terminal(top, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert "│" not in pair_view(top)
    monkeypatch.setenv("COLUMNS", "150")
    assert "│" in pair_view(top)


def test_an_answer_pair_shows_the_other_answer(rows):
    row = next(r for r in rows if r["target_kind"] == "answer")
    first = pair_view(row, width=140, color=False).split("\n")[0]
    assert f"OTHER WRITTEN ANSWER  UIN {row['other_uin']}" in first


def test_control_characters_in_the_texts_are_not_printed(top):
    evil = "\x1b]0;owned\x07\x1b[2J"
    top["answer_text"] = evil + top["answer_text"]
    top["span"] = (top["span"][0] + len(evil), top["span"][1] + len(evil))
    top["foi_title"] = "Title\x1b[31m red\r\nnext"
    top["evidence_text"] = top["evidence_text"] + " \x9b31m"
    top["score"] = None
    for color in (False, True):
        view = pair_view(top, width=140, color=color)
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", view.replace(BOLD, "").replace(RESET, ""))
    left, _ = columns(pair_view(top, width=140, color=False))
    assert f"**{PHRASE}**" in squash(left)  # the offsets of the phrase still hold
    assert "Score 0.00" in pair_view(top, width=140)


def results(capped: bool = False) -> SearchResults:
    snippet = f"…the number of {MARK_START}victims{MARK_END} held in {MARK_START}detention{MARK_END}\nin 2018…"
    hit = Hit(
        kind="pair",
        id="c0c7348d0ef0749c96e7005fe581c06303eea4a3",
        rank=-7.5,
        title="UIN 990619 (2019-06-19) ↔ Potential victims",
        snippet=snippet,
        date="2019-06-19",
        department="Home Office",
        details={"score": 0.987, "verdict": None},
    )
    answer = Hit(kind="answer", id="9000003", rank=-3.0, title="990619: Human Trafficking", snippet=snippet)
    return SearchResults(
        query="victims detention",
        fts='"victims" AND "detention"',
        hits={"pairs": [hit], "answers": [answer], "foi": []},
        totals={"pairs": 1000 if capped else 1, "answers": 1, "foi": 0},
        capped={"pairs": capped, "answers": False, "foi": False},
    )


def test_search_view_highlights_the_matched_words():
    plain = search_view(results(), color=False)
    assert "Search: victims detention" in plain
    assert "Matched pairs: 1 found, showing 1" in plain and "FOI disclosures: 0 found" in plain
    assert "the number of **victims** held in **detention** in 2018" in plain  # one line
    assert "score 0.99, unreviewed; id c0c7348d0ef0749c96e7005fe581c06303eea4a3" in plain
    assert MARK_START not in plain and "\x1b" not in plain
    coloured = search_view(results(), color=True)
    assert f"{BOLD}victims{RESET}" in coloured and "**" not in coloured


def test_search_view_says_when_the_total_was_capped():
    assert "Matched pairs: 1,000+ found" in search_view(results(capped=True))


def test_queue_io_lines_reads_a_line_per_key_and_note():
    said = []
    queue_io = QueueIO.lines(io.StringIO("confirmed\n\nmy note\n"), said.append)
    assert queue_io.getchar() == "c"
    assert queue_io.getchar() == "\n"  # an empty line: not a key
    assert queue_io.prompt("Note") == "my note" and said == ["Note:"]
    assert queue_io.getchar() == ""  # the end: quit

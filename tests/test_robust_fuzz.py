"""Fuzzing the commands that read what users give them (hypothesis, a fixed example budget).

``import questions`` gets API records with fields missing or of the wrong kind, bad dates, huge
texts, odd HTML, bytes that are not UTF-8; ``import foi`` gets records of the same kind as JSON
Lines or CSV, and files whose name lies about what they hold; ``check-answer`` gets any text.
Every run goes through click's CliRunner: no uncaught exception and no traceback, a non-zero
exit (2) only when the run could not go on, with one ``Error:`` line, and what the database
held before is still there (``dbcheck``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.figures import find_figures
from pqcheck.sources.foi_files import RECORD_FIELDS
from pqcheck.sources.parliament import QUESTION_KEYS
from pqcheck.vocabulary import LABELS

from .support.dbcheck import assert_kept, assert_sound, snapshot
from .support.factories import LONG_ANSWER, question_value, single
from .support.pdfs import Table, make_pdf

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same examples on every run
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
IDS = itertools.count(5000)  # each example's questions have ids of their own
NESTED = json.loads("[" * 300 + "]" * 300)  # deeper than orjson writes
HUGE_NUMBER = "9" * 5000  # int() refuses past 4,300 digits

# values of every kind, for fields that expect one kind
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["2019-02-30", "yesterday", "", "2019-06-10T00:00:00", "0000-00-00T00:00:00", "10/06/2019"]),
    st.sampled_from([HUGE_NUMBER, "²", "٣", "in the last ² years", NESTED]),
)
ODD_HTML = st.sampled_from(
    [
        "<p>unclosed <b>bold <table><tr><td>2018<td>507",
        "<script>alert(1)</script><p>The information is not held centrally.</p>",
        "<p>" + "<div>" * 500 + "deep" + "</div>" * 500 + "</p>",
        "<p>" + "<div>" * 20_000 + "deep" + "</div>" * 20_000 + "</p>",  # quadratic, it took 18 s
        "<table><tr><td>" * 2_000 + "507",
        "<![CDATA[ x ]]><!-- <p> --><p>&amp;&lt;&#0;&#xD800;&bogus;</p>",
        "<table><tr><td><table><tr><td>nested 5</td></tr></table></td></tr></table>",
        "<p>" + "word " * 40000 + "</p>",  # a huge answer
        "\x00\x01<p>\x1b[31mcontrol\x7f</p>",
    ]
)
TEXT_FIELDS = ("heading", "questionText", "answerText", "uin", "house", "answeringBodyName")


def invoke(*args: Any, input: bytes | str | None = None) -> Result:
    """Run pqcheck; fail on an uncaught exception, a traceback, or an unclear error."""
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    if result.exit_code:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, result.stderr
    return result


@pytest.fixture
def stored(tmp_path) -> Path:
    """A database that already holds a question and an FOI disclosure (``tmp_path / "seeded"``: what
    it holds, which no example may change: the examples' own rows may update each other)."""
    path = tmp_path / "pq.db"
    (tmp_path / "one.json").write_text(json.dumps(single(question_value(1, answerText=LONG_ANSWER))))
    record = {"id": "KEEP-1", "authority": "Home Office", "date": "2019-04-24", "response_text": "In 2018, 507."}
    (tmp_path / "one.jsonl").write_text(json.dumps(record) + "\n")
    assert invoke("import", "questions", path, tmp_path / "one.json", "--quiet").exit_code == 0
    assert invoke("import", "foi", path, tmp_path / "one.jsonl", "--quiet").exit_code == 0
    (tmp_path / "seeded").write_text(json.dumps(snapshot(path)))
    return path


def assert_seeded_kept(path: Path) -> None:
    assert_sound(path)
    assert_kept(json.loads((path.parent / "seeded").read_text()), snapshot(path))


@st.composite
def api_records(draw) -> list[dict[str, Any]]:
    """One to three written questions, each with some fields dropped or of the wrong kind."""
    values = []
    for _ in range(draw(st.integers(1, 3))):
        value = question_value(next(IDS))
        for key in draw(st.lists(st.sampled_from(QUESTION_KEYS), max_size=4, unique=True)):
            if draw(st.booleans()):
                del value[key]
            else:
                value[key] = draw(ODD_HTML if key == "answerText" and draw(st.booleans()) else JUNK)
        values.append(value)
    return values


def write_questions(path: Path, values: list[dict[str, Any]], shape: str, damage: str) -> None:
    items = [{"value": v, "links": []} for v in values]
    if shape == "list":
        text = json.dumps({"totalResults": len(items), "results": items})
    elif shape == "array":
        text = json.dumps(values)
    else:
        text = "\n".join(json.dumps(item) for item in items) + "\n"
    data = text.encode("utf-8")
    if damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "latin-1" and b"Trafficking" in data:
        data = data.replace(b"Trafficking", b"Traffick\xefng", 1)  # not UTF-8
    path.write_bytes(data)


@FUZZ
@example(values=[question_value(4001, heading=["a list"]), question_value(4002)], shape="list", damage="bom")
@example(
    values=[question_value(4003), question_value(4004, answerText=5, dateTabled="2019-02-30")],
    shape="jsonl",
    damage="latin-1",
)
@given(
    values=api_records(),
    shape=st.sampled_from(["list", "array", "jsonl"]),
    damage=st.sampled_from(["none", "bom", "latin-1"]),
)
def test_malformed_api_records(stored, tmp_path, values, shape, damage):
    source = tmp_path / "questions.json"
    write_questions(source, values, shape, damage)

    result = invoke("import", "questions", stored, source, "--quiet")

    assert_seeded_kept(stored)
    if result.exit_code == 0:  # every record is stored, or named as skipped
        db = open_db(stored)
        for number, value in enumerate(values, 1):  # one line of JSON is read as a document: "record"
            skipped = any(f"{source}: {unit} {number} skipped: " in result.stderr for unit in ("line", "record"))
            qid = value.get("id")
            found = type(qid) is int and abs(qid) < 2**63 and db["questions"].count_where("id = ?", [qid]) == 1
            assert skipped != found, result.stderr
    else:  # only a first record that is no question at all, or a file that is not JSON, stops it
        assert "is not a written question" in result.stderr or "JSON" in result.stderr


@FUZZ
@example(content=b"[" * 200_000 + b"]" * 200_000, suffix=".json")
@example(content=b'{"value": {"id": 7, "questionText": "x", "x": ' + b"[" * 300 + b"]" * 300 + b"}}\n", suffix=".jsonl")
@given(content=st.binary(max_size=400), suffix=st.sampled_from([".json", ".jsonl"]))
def test_bytes_that_are_not_json(stored, tmp_path, content, suffix):
    source = tmp_path / f"random{suffix}"
    source.write_bytes(content)

    invoke("import", "questions", stored, source, "--quiet")

    assert_seeded_kept(stored)


@st.composite
def foi_rows(draw) -> list[dict[str, Any]]:
    rows = []
    for n in range(draw(st.integers(1, 3))):
        row = {
            "id": f"F{next(IDS)}",
            "authority": "Home Office",
            "date": "2019-04-24",
            "title": f"Request {n}",
            "response_text": "In 2018, 507 people were held.",
            "outcome": "successful",
        }
        for key in draw(st.lists(st.sampled_from([*RECORD_FIELDS, "file"]), max_size=3, unique=True)):
            row[key] = draw(st.one_of(JUNK, st.sampled_from(["../../etc/passwd", "/etc/hostname", "x" * 200_000])))
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str, extra_cells: bool) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RECORD_FIELDS)
    for row in rows:
        cells = ["" if row.get(f) is None else str(row.get(f)) for f in RECORD_FIELDS]
        writer.writerow(cells + (["extra", "cells"] if extra_cells else []))
    path.write_bytes(out.getvalue().replace(" 507", " £507").encode(encoding, errors="replace"))


FOI_ROW = {"authority": "Home Office", "date": "2019-04-24", "response_text": "In 2018, 507 people were held."}


@FUZZ
@example(
    rows=[{**FOI_ROW, "id": "NUL\x00ID"}, {**FOI_ROW, "id": "NUL\x00ID", "title": "changed"}],
    form="jsonl",
    encoding="utf-8",
    extra_cells=False,
)
@example(
    rows=[
        {
            **FOI_ROW,
            "id": "BIG",
            "response_text": "In 2018, 507 were held. " + "More words. " * 12_000,
            "file": "/etc/hostname",
        }
    ],
    form="csv",
    encoding="cp1252",
    extra_cells=True,
)
@example(
    rows=[{**FOI_ROW, "id": "LIST", "title": ["a", "list"], "authority": 5, "file": "../../etc/passwd"}],
    form="jsonl",
    encoding="utf-8-sig",
    extra_cells=False,
)
@given(
    rows=foi_rows(),
    form=st.sampled_from(["jsonl", "csv"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    extra_cells=st.booleans(),
)
def test_malformed_foi_records(stored, tmp_path, rows, form, encoding, extra_cells):
    folder = tmp_path / "records"
    folder.mkdir(exist_ok=True)
    source = folder / f"foi.{form}"
    if form == "csv":
        write_csv(source, rows, encoding, extra_cells)
    else:
        source.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding=encoding)

    result = invoke("import", "foi", stored, source, "--quiet")

    assert_seeded_kept(stored)
    db = open_db(stored)
    for (url,) in db.execute("SELECT url FROM foi_documents WHERE url LIKE 'file:%'"):
        assert url.startswith(folder.as_uri()) or url.startswith((tmp_path / "one").as_uri()), url
    if form == "jsonl" and any(NESTED in row.values() for row in rows):
        assert "is not valid JSON (nested more than 100 levels deep)" in result.stderr
        return
    assert result.exit_code == 0
    stored_ids = {r[0] for r in db.execute("SELECT source_id FROM foi_requests")}
    for number, row in enumerate(rows, 1):
        written = row["id"] if isinstance(row["id"], str) or form == "csv" else json.dumps(row["id"])
        stored_as = str(written).strip().replace("\x00", "")  # keys are stored without NUL
        assert stored_as in stored_ids or f"record {number}: " in result.stderr, result.stderr


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_paragraph("In 2018, 507 people were held in immigration detention.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    for row in (("Year", "Number"), (2018, 507), (2019, 479)):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "507")
    return out.getvalue()


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, bytes]:
    """The content of one file of each kind (the kind ``extract`` should find, or None)."""
    pdf = make_pdf(
        tmp_path_factory.mktemp("pdf") / "x.pdf", [["In 2018, 507.", Table([("Year", "Number"), ("2018", "507")])]]
    )
    return {
        "pdf": pdf.read_bytes(),
        "html": b"<html><body><p>In 2018, 507 people.</p></body></html>",
        "text": "In 2018, 507 people were held. £5".encode("cp1252"),
        "docx": docx_bytes(),
        "xlsx": xlsx_bytes(),
        "zip": zip_bytes(),
        "binary": bytes(range(256)) * 8,
        "empty": b"",
    }


@FUZZ
@given(
    kind=st.sampled_from(["pdf", "html", "text", "docx", "xlsx", "zip", "binary", "empty"]),
    name=st.sampled_from(["reply.pdf", "reply.docx", "reply.xlsx", "reply.csv", "reply.html", "reply.txt", "reply"]),
    keep=st.sampled_from([1.0, 1.0, 0.5, 0.05]),
    as_folder=st.booleans(),
)
def test_foi_files_that_lie_about_their_type(stored, tmp_path, documents, kind, name, keep, as_folder):
    folder = tmp_path / f"files-{next(IDS)}"
    folder.mkdir()
    content = documents[kind]
    (folder / name).write_bytes(content[: int(len(content) * keep)])

    result = invoke("import", "foi", stored, folder if as_folder else folder / name, "--quiet")

    assert result.exit_code == 0
    assert_seeded_kept(stored)
    db = open_db(stored)
    sha256 = hashlib.sha256(content[: int(len(content) * keep)]).hexdigest()
    (document,) = db["foi_documents"].rows_where("sha256 = ? AND filename = ?", [sha256, name])
    assert document["status"] in ("ok", "partial", "needs_ocr", "empty", "encrypted", "corrupt", "unsupported", "error")
    if keep == 1.0 and kind in ("pdf", "html", "docx", "xlsx"):
        assert (document["file_type"], document["status"]) == (kind, "ok")  # read for what it is
        assert db["foi_figures"].count_where("document_id = ? AND value = 507", [document["id"]])
    if document["status"] not in ("ok", "partial") and "(1 new" in result.stdout:
        assert f"warning: {name}: " in result.stderr


ANSWERS = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec=None, categories=["Cs", "Cc", "Zs", "Ll"]), max_size=50),
    ODD_HTML,
    st.sampled_from(["The information is not held centrally.", "   ", "\x00", "<p>  </p>"]),
    st.sampled_from([f"The information is not held centrally: {'7' * 4400} records.", "Over the last ² years, ٣."]),
)


@FUZZ
@given(
    answer=ANSWERS,
    question=st.one_of(st.none(), st.text(max_size=200), st.sampled_from(["In the last ² years?", HUGE_NUMBER])),
    as_json=st.booleans(),
)
def test_check_answer_with_any_text(answer, question, as_json):
    options = [*(["--question", question] if question is not None else []), *(["--json"] if as_json else [])]

    result = invoke("check-answer", *options, "--", answer)

    if result.exit_code:
        assert "no answer text to classify" in result.stderr
    elif as_json:
        assert json.loads(result.stdout)["label"] in LABELS
    else:
        assert result.stdout.startswith("answer: ") and result.stdout.split()[1] in LABELS


@FUZZ
@given(
    records=st.lists(
        st.one_of(st.dictionaries(st.sampled_from(["id", "question_text", "answer_text"]), JUNK), JUNK),
        min_size=1,
        max_size=4,
    )
)
def test_check_answer_batches_of_any_records(tmp_path, records):
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps(r) for r in records) + "\n")

    result = invoke("check-answer", "--jsonl", batch, "--json")

    if result.exit_code:  # a file whose first record is not an answer, or not JSON
        assert "needs an 'answer_text'" in result.stderr or "is not valid JSON" in result.stderr
        return
    lines = result.stdout.splitlines()
    assert all(json.loads(line)["label"] in LABELS for line in lines)
    assert len(lines) + result.stderr.count(" skipped: ") == len(records)


# Regressions for what the fuzzing found, pinned down


def test_an_html_answer_is_read_as_its_text():
    result = invoke("check-answer", "<p>The information is <b>not held</b> centrally.</p>")
    assert result.stdout.startswith("answer: refusal (not_held_centrally)")


def test_figures_take_time_in_proportion_to_the_text():
    """50,000 figures in one sentence: each sentence is found and checked once, not per figure."""
    started = time.perf_counter()
    assert len(find_figures("507 " * 50_000)) == 50_000
    assert time.perf_counter() - started < 10  # quadratic, it took about half an hour


def test_file_names_that_are_not_utf8(stored, tmp_path):
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9 reply.txt")).write_text("In 2018, 507 people were held.")

    result = invoke("import", "foi", stored, folder, "--quiet")

    assert result.exit_code == 0
    assert_seeded_kept(stored)
    (document,) = open_db(stored)["foi_documents"].rows_where("filename LIKE 'caf%'")
    assert document["filename"] == "caf\ufffd reply.txt"
    assert document["status"] == "ok"

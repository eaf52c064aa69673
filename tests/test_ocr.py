"""OCR of scanned FOI replies: a typed letter with a table of figures, scanned to an image-only PDF.

With Tesseract installed the letter imports with its words and figures; without it (simulated
with a ``PATH`` that holds no ``tesseract``) it imports with ``needs_ocr`` and a one-line hint,
and ``pqcheck ocr`` reads it later. Tests that need the ``tesseract`` program skip without it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys

import pytest
from click.testing import CliRunner

from pqcheck.cache import FileCache
from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.extract import extract_file, ocr
from pqcheck.foi_ocr import original_file
from pqcheck.pairs import ocr_note

from .support import world
from .support.factories import question_value
from .support.fixtures_wdtk import Attachment, Incoming, make_request
from .support.pdfs import Table, scanned_pdf
from .support.wdtk_server import FakeWdtk

needs_tesseract = pytest.mark.skipif(
    ocr.missing() is not None,
    reason=f"OCR tests need Tesseract ({ocr.missing()}): apt-get install tesseract-ocr tesseract-ocr-eng",
)

LETTER = [
    [
        "Home Office, 2 Marsham Street, London SW1P 4DF",
        "Our ref: FOI 52658",
        "Dear Ms Smith,",
        "Thank you for your request of 3 June 2019 about immigration detention. The Home Office holds the "
        "information you asked for. The number of people detained who were identified as potential victims "
        "of trafficking is given below.",
        Table(
            [
                ("Year", "Detained", "Released"),
                ("2016", "1,204", "388"),
                ("2017", "1,457", "412"),
                ("2018", "507", "96"),
            ]
        ),
        "In total 3,168 people were detained over the three years.",
        "Yours sincerely, Information Rights Unit",
    ]
]
TABLE_ROWS = ["2016 | 1,204 | 388", "2017 | 1,457 | 412", "2018 | 507 | 96"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def letter(tmp_path):
    folder = tmp_path / "replies"
    folder.mkdir()
    return scanned_pdf(folder / "52658 Reply.pdf", LETTER)


@pytest.fixture
def no_tesseract(tmp_path, monkeypatch):
    """A ``PATH`` with no ``tesseract`` on it: OCR is not installed, as far as pqcheck can tell."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def stored(db_path):
    db = open_db(db_path, read_only=True)
    pages = list(db.query("SELECT page, text, needs_ocr, ocr, ocr_confidence FROM foi_pages"))
    figures = list(db.query("SELECT value, kind, context FROM foi_figures ORDER BY page, start"))
    document = next(db.query("SELECT status, error, notes FROM foi_documents"))
    found = [
        row["rowid"] for row in db.query("SELECT rowid FROM foi_pages_fts WHERE foi_pages_fts MATCH 'trafficking'")
    ]
    db.close()
    return pages, figures, document, found


def test_the_scanned_letter_has_no_text_layer(letter):
    extraction = extract_file(letter, ocr=False)

    assert extraction.status == "needs_ocr"
    assert [(page.text, page.needs_ocr) for page in extraction.pages] == [("", True)]


def test_words_become_lines_with_wide_gaps_kept_as_columns():
    word = ocr.Word
    words = [
        word(100, 100, 200, 130, "Year"),
        word(600, 102, 700, 130, "Detained"),
        word(100, 160, 200, 190, "2018"),
        word(600, 160, 660, 190, "507"),
        word(100, 300, 180, 330, "Yours"),
        word(195, 302, 300, 335, "sincerely"),
    ]

    assert ocr.layout(words) == "Year   Detained\n2018   507\n\nYours sincerely"


@needs_tesseract
def test_a_scanned_letter_imports_with_its_words_and_figures(tmp_path, letter):
    db_path = tmp_path / "pq.db"

    result = run("import", "foi", db_path, letter, "--quiet", "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["ocr_pages"], summary["needs_ocr"]) == (1, 0)
    assert "hint" not in result.stderr
    pages, figures, document, found = stored(db_path)
    [page] = pages
    assert (page["needs_ocr"], page["ocr"]) == (0, 1)
    assert page["ocr_confidence"] > 80
    for words in ("Dear Ms Smith", "immigration detention", "victims of trafficking", "Information Rights Unit"):
        assert words in " ".join(page["text"].split())
    assert found, "the OCR text is in the full-text index"
    table = {(f["value"], f["context"]) for f in figures if f["kind"] == "table"}
    assert {(1204.0, TABLE_ROWS[0]), (507.0, TABLE_ROWS[2]), (96.0, TABLE_ROWS[2])} <= table
    assert (3168.0, "sentence") in {(f["value"], f["kind"]) for f in figures}
    assert not {52658.0, 2019.0, 2018.0} & {f["value"] for f in figures}  # the reference, a date, a row label
    assert (document["status"], document["error"]) == ("ok", None)
    assert "read with OCR (Tesseract, mean confidence" in document["notes"]


def test_without_tesseract_the_letter_needs_ocr_and_the_import_says_how_to_install_it(tmp_path, letter, no_tesseract):
    db_path = tmp_path / "pq.db"
    second = scanned_pdf(letter.with_name("52659 Reply.pdf"), LETTER + LETTER)

    result = run("import", "foi", db_path, letter.parent, "--quiet")

    assert result.exit_code == 0, result.output
    hints = [line for line in result.stderr.splitlines() if line.startswith("hint:")]
    assert hints == [f"hint: {ocr.HINT}, then run pqcheck ocr (3 scanned pages not read)"]
    assert "apt-get install tesseract-ocr tesseract-ocr-eng" in hints[0]
    assert second.exists()
    pages, figures, _, found = stored(db_path)
    assert {(p["text"], p["needs_ocr"], p["ocr"]) for p in pages} == {("", 1, 0)}
    assert (figures, found) == ([], [])


def test_pqcheck_ocr_without_tesseract_stops_with_one_line_and_keeps_everything(tmp_path, letter, no_tesseract):
    db_path = tmp_path / "pq.db"
    assert run("import", "foi", db_path, letter, "--quiet").exit_code == 0
    before = stored(db_path)

    result = run("ocr", db_path, "--quiet")

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"Error: cannot read scanned pages: {ocr.missing()}; {ocr.HINT}"]
    assert stored(db_path) == before


@needs_tesseract
def test_pqcheck_ocr_reads_the_pages_imported_while_ocr_was_missing(tmp_path, letter, monkeypatch):
    db_path = tmp_path / "pq.db"
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(tmp_path))
        assert run("import", "foi", db_path, letter, "--quiet").exit_code == 0
    assert stored(db_path)[0][0]["needs_ocr"] == 1

    result = run("ocr", db_path, "--quiet", "--json")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["documents"], summary["pages"], summary["missing"], summary["failed"]) == (1, 1, 0, 0)
    assert summary["figures"] >= 7 and summary["confidence"] > 80
    pages, figures, document, found = stored(db_path)
    assert (pages[0]["needs_ocr"], pages[0]["ocr"]) == (0, 1)
    assert "victims of trafficking" in " ".join(pages[0]["text"].split())
    assert found
    assert (507.0, "table", TABLE_ROWS[2]) in {(f["value"], f["kind"], f["context"]) for f in figures}
    assert (document["status"], document["error"]) == ("ok", None)
    assert "pqcheck ocr: 1 page read with OCR" in document["notes"]
    again = run("ocr", db_path, "--quiet", "--json")
    assert json.loads(again.stdout)["pages"] == 0


@needs_tesseract
def test_pqcheck_ocr_leaves_a_page_whose_file_is_gone(tmp_path, letter, monkeypatch):
    db_path = tmp_path / "pq.db"
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(tmp_path))
        assert run("import", "foi", db_path, letter, "--quiet", "--no-copy").exit_code == 0
    letter.write_bytes(b"%PDF-1.4 something else now")

    result = run("ocr", db_path, "--quiet")

    assert result.exit_code == 0, result.output
    assert "the original file is not in the cache any more" in result.stderr
    assert "1 pages left needing OCR" in result.stdout
    assert stored(db_path)[0][0]["needs_ocr"] == 1


@needs_tesseract
def test_pqcheck_ocr_reads_the_copy_an_import_kept_when_the_file_is_gone(tmp_path, letter, monkeypatch):
    db_path = tmp_path / "pq.db"
    with monkeypatch.context() as patch:
        patch.setenv("PATH", str(tmp_path))
        assert run("import", "foi", db_path, letter, "--quiet").exit_code == 0
    letter.unlink()

    result = run("ocr", db_path, "--quiet", "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pages"] == 1
    assert stored(db_path)[0][0]["needs_ocr"] == 0


def test_the_original_file_is_found_in_the_cache_by_its_hash(tmp_path):
    cache = FileCache(tmp_path / "files")
    sha256, path = cache.put(b"%PDF-1.4 scanned", ".pdf")
    local = tmp_path / "local.pdf"
    local.write_bytes(b"%PDF-1.4 scanned")

    assert original_file({"sha256": sha256, "url": "https://example.org/reply.pdf"}, cache) == path
    assert original_file({"sha256": sha256, "url": local.as_uri()}, None) == local
    assert original_file({"sha256": "0" * 64, "url": local.as_uri()}, cache) is None
    assert original_file({"sha256": "../" * 20, "url": None}, cache) is None


def test_table_rules_are_painted_out_and_letters_kept():
    import numpy
    from PIL import Image

    pixels = numpy.full((200, 400), 255, numpy.uint8)
    pixels[50:52, 10:390] = 0  # a rule across the page
    pixels[60:190, 200] = 0  # a rule down it
    pixels[100:115, 50:60] = 0  # a letter's stroke
    cleaned = numpy.asarray(ocr.without_rules(Image.fromarray(pixels)))

    assert (cleaned[50:52, 10:390] == 255).all()
    assert (cleaned[60:190, 200] == 255).all()
    assert (cleaned[100:115, 50:60] == 0).all()


@needs_tesseract
def test_a_scanned_image_file_is_read_too(tmp_path, letter):
    import pypdfium2

    document = pypdfium2.PdfDocument(str(letter))
    document[0].render(scale=200 / 72).to_pil().save(tmp_path / "reply.png")
    document.close()

    extraction = extract_file(tmp_path / "reply.png")

    assert (extraction.file_type, extraction.status) == ("image", "ok")
    assert extraction.pages[0].ocr and "immigration detention" in " ".join(extraction.pages[0].text.split())


@needs_tesseract
def test_a_scanned_reply_fetched_from_whatdotheyknow_is_read_later_from_the_cache(tmp_path, letter, monkeypatch):
    for name in [k for k in os.environ if "proxy" in k.lower()]:
        monkeypatch.delenv(name)  # the fake is on 127.0.0.1
    reply = Attachment(2, "52658 Reply.pdf", letter.read_bytes())
    request = make_request(responses=[Incoming(5580392, "2019-04-24", "Please find our reply attached.", [reply])])
    db_path, cache_dir = tmp_path / "pq.db", tmp_path / "files"
    with FakeWdtk([request]) as fake:
        fetch = ["fetch", "foi-wdtk", db_path, "--body", "home_office", "--wdtk-url", fake.url]
        fetch += ["--rate", "1000", "--quiet", "--cache-dir", cache_dir]
        with monkeypatch.context() as patch:
            patch.setenv("PATH", str(tmp_path))
            without = run(*fetch)
    assert without.exit_code == 0, without.output
    assert "hint: install tesseract-ocr" in without.stderr
    pdf_page = [p for p in stored(db_path)[0] if p["needs_ocr"]]
    assert len(pdf_page) == 1

    result = run("ocr", db_path, "--quiet", "--json", "--cache-dir", cache_dir)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pages"] == 1
    pages, figures, _, found = stored(db_path)
    assert not any(p["needs_ocr"] for p in pages) and found
    assert (507.0, TABLE_ROWS[2]) in {(f["value"], f["context"]) for f in figures}


def test_without_pytesseract_the_page_needs_ocr(letter, monkeypatch):
    monkeypatch.setitem(sys.modules, "pytesseract", None)  # as if not installed: importing it fails

    extraction = extract_file(letter)

    assert ocr.missing() == "pytesseract is not installed"
    assert (extraction.status, extraction.pages[0].needs_ocr, extraction.pages[0].ocr) == ("needs_ocr", True, False)


@needs_tesseract
def test_figures_read_with_ocr_are_evidence_shown_as_ocr_text_with_their_confidence(tmp_path, letter):
    db_path = tmp_path / "pq.db"
    (letter.parent / "metadata.csv").write_text(
        "file,id,authority,date,title,request_text,outcome\n"
        f'"{letter.name}",FOI-52658,Home Office,2019-07-01,Detention of trafficking victims,'
        "How many potential victims of trafficking were held in immigration detention?,successful\n"
    )
    db = open_db(db_path)
    world.save_answers(db, [question_value(1000001, dateAnswered="2019-06-19T00:00:00")])
    db.close()
    for args in (("import", "foi", db_path, letter.parent), ("classify", db_path), ("match", db_path)):
        result = run(*args, "-q")
        assert result.exit_code == 0, result.output

    report = run("report", db_path, "--format", "json")
    (pair,) = json.loads(report.stdout)["pairs"]
    confidence = pair["evidence_ocr"]["confidence"]
    assert pair["evidence_kind"] == "disclosure" and pair["evidence_figures"] and confidence > 80
    assert pair["evidence_ocr"]["note"] == f"read with OCR (confidence {confidence:.0f})"
    markdown = run("report", db_path).stdout
    assert f"page 1 of 1, read with OCR (confidence {confidence:.0f})" in markdown
    (row,) = csv.DictReader(io.StringIO(run("report", db_path, "--format", "csv").stdout))
    assert (row["evidence_ocr"], float(row["evidence_ocr_confidence"])) == ("1", confidence)


def test_an_ocr_page_below_the_threshold_is_shown_with_a_warning():
    assert ocr_note(1, ocr.LOW_CONFIDENCE + 20) == f"read with OCR (confidence {ocr.LOW_CONFIDENCE + 20:.0f})"
    assert ocr_note(1, ocr.LOW_CONFIDENCE - 1).endswith("low: check the figures against the scan)")
    assert ocr_note(0, None) is None and "unknown" in ocr_note(1, None)

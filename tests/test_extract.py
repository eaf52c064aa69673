"""extract_file: type sniffing, per-format extraction, and every failure mode as a status."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest

from pqcheck.extract import Extraction, Limits, extract_file
from pqcheck.figures import find_figures

from .support.pdfs import Image, Rect, Table, encrypt_pdf, garbage_pdf, make_pdf, truncated_copy

LETTER_INTRO = (
    "Thank you for your email of 4 March 2019, in which you asked for information about the detention of "
    "potential victims of trafficking. Your request has been handled under the Freedom of Information Act 2000."
)
DETENTION_ROWS = [
    ("Category", "2017", "2018"),
    ("Detained in an IRC", "1,234", "507"),
    ("Released", "fewer than 5", "12.5%"),
]


def assert_bad_file(extraction: Extraction, status: str) -> None:
    """A failed extraction: the status, no pages, and a one-line error."""
    assert extraction.status == status
    assert extraction.pages == []
    assert extraction.error
    assert "\n" not in extraction.error


# --- PDF ---------------------------------------------------------------------------------------


def test_text_pdf_gives_one_page_of_text_per_pdf_page(tmp_path):
    path = make_pdf(tmp_path / "letter.pdf", [[LETTER_INTRO], ["Page two says 479 were detained."]])

    extraction = extract_file(path)

    assert (extraction.file_type, extraction.status, extraction.error) == ("pdf", "ok", None)
    assert extraction.page_count == 2
    assert [page.number for page in extraction.pages] == [1, 2]
    assert " ".join(extraction.pages[0].text.split()) == LETTER_INTRO  # wrapped lines, nothing lost
    assert extraction.pages[1].text == "Page two says 479 were detained."
    assert not any(page.needs_ocr for page in extraction.pages)


def test_pdf_table_rows_are_kept_in_place_and_figures_found_with_the_row(tmp_path):
    path = make_pdf(
        tmp_path / "52658 Reply.pdf",
        [
            [
                "Table 1 shows people detained on 31 December 2018.",
                Table(DETENTION_ROWS),
                "These figures are provisional.",
            ]
        ],
    )

    text = extract_file(path).pages[0].text
    lines = text.splitlines()

    assert "Detained in an IRC | 1,234 | 507" in lines
    assert "Released | fewer than 5 | 12.5%" in lines
    assert "Category | 2017 | 2018" in lines
    # the surrounding text is kept, in reading order around the table
    assert text.index("Table 1 shows") < text.index("Category | 2017") < text.index("These figures are provisional")
    # the table's words are not repeated as loose text
    assert text.count("1,234") == 1
    figures = {f.text: f for f in find_figures(text)}
    assert set(figures) == {"1,234", "507", "fewer than 5", "12.5%"}
    assert figures["1,234"].kind == "table"
    assert figures["1,234"].value == 1234
    assert figures["1,234"].context == "Detained in an IRC | 1,234 | 507"
    assert figures["1,234"].header == "Category | 2017 | 2018"
    assert figures["fewer than 5"].suppressed


def test_pdf_table_without_rules_keeps_its_columns_apart(tmp_path):
    path = make_pdf(tmp_path / "plain.pdf", [["Intro.", Table(DETENTION_ROWS, borders=False), "After."]])

    text = extract_file(path).pages[0].text
    row = next(line for line in text.splitlines() if line.startswith("Detained"))

    assert row.split("   ") == ["Detained in an IRC", "1,234", "507"]
    figures = find_figures(text)
    assert [(f.text, f.kind) for f in figures] == [
        ("1,234", "table"),
        ("507", "table"),
        ("fewer than 5", "table"),
        ("12.5%", "table"),
    ]
    assert figures[0].context == "Detained in an IRC | 1,234 | 507"


def test_page_with_only_an_image_needs_ocr_and_the_status_says_so(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", [["A typed covering page about 507 people."], [Image()]])

    extraction = extract_file(path, ocr=False)

    assert [page.needs_ocr for page in extraction.pages] == [False, True]
    assert extraction.pages[1].text == ""
    assert extraction.status == "needs_ocr"
    assert "1 of 2 pages" in extraction.error and "OCR" in extraction.error


def test_scanned_page_with_a_stamped_page_number_still_needs_ocr(tmp_path):
    path = make_pdf(tmp_path / "stamped.pdf", [[Image(), "Page 2"], ["A page of real text, long enough to count."]])

    extraction = extract_file(path, ocr=False)

    assert extraction.pages[0].needs_ocr is True
    assert extraction.pages[0].text == "Page 2"  # kept, but not mistaken for the page's text
    assert extraction.pages[1].needs_ocr is False


def test_page_with_only_a_drawing_needs_ocr_but_a_blank_page_does_not(tmp_path):
    drawn = extract_file(make_pdf(tmp_path / "rect.pdf", [[Rect()]]), ocr=False)
    blank = extract_file(make_pdf(tmp_path / "blank.pdf", [[]]))

    assert drawn.status == "needs_ocr"
    assert drawn.pages[0].needs_ocr is True
    assert blank.pages[0].needs_ocr is False
    assert blank.status == "empty"
    assert blank.error == "no text found"


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_corrupt_pdf_gives_status_corrupt_without_raising(tmp_path, damage):
    if damage == "truncated":
        good = make_pdf(tmp_path / "good.pdf", [[LETTER_INTRO], [LETTER_INTRO]])
        path = truncated_copy(good, tmp_path / "cut.pdf", keep=0.4)
    else:
        path = garbage_pdf(tmp_path / "garbage.pdf")

    extraction = extract_file(path)

    assert extraction.file_type == "pdf"
    assert_bad_file(extraction, "corrupt")
    assert extraction.error.startswith("unreadable PDF")


def test_pdf_encrypted_with_a_user_password_is_reported_not_read(tmp_path):
    plain = make_pdf(tmp_path / "plain.pdf", [[LETTER_INTRO]])
    path = encrypt_pdf(plain, tmp_path / "locked.pdf", user_password="secret")

    extraction = extract_file(path)

    assert extraction.file_type == "pdf"
    assert_bad_file(extraction, "encrypted")
    assert "password" in extraction.error


def test_pdf_encrypted_with_only_an_owner_password_is_read(tmp_path):
    plain = make_pdf(tmp_path / "plain.pdf", [["507 people were detained."]])
    path = encrypt_pdf(plain, tmp_path / "restricted.pdf", user_password="", owner_password="owner")

    extraction = extract_file(path)

    assert extraction.status == "ok"
    assert extraction.pages[0].text == "507 people were detained."
    assert any("empty password" in note for note in extraction.notes)


def test_pdf_over_the_page_limit_keeps_the_first_pages(tmp_path):
    path = make_pdf(tmp_path / "long.pdf", [[f"This is page {n}."] for n in range(1, 6)])

    extraction = extract_file(path, limits=Limits(max_pages=2))

    assert extraction.status == "partial"
    assert extraction.page_count == 5
    assert [page.text for page in extraction.pages] == ["This is page 1.", "This is page 2."]
    assert "first 2 of 5 pages" in extraction.error


def test_pdf_timeout_keeps_what_was_read(tmp_path):
    path = make_pdf(tmp_path / "slow.pdf", [[f"This is page {n}."] for n in range(1, 4)])

    extraction = extract_file(path, limits=Limits(timeout_seconds=0))

    assert extraction.status == "partial"
    assert [page.text for page in extraction.pages] == ["This is page 1."]
    assert "timed out" in extraction.error


def test_pdfplumber_failure_falls_back_to_pypdf(tmp_path, monkeypatch):
    import pdfplumber

    path = make_pdf(tmp_path / "odd.pdf", [["507 people were detained in 2018."], ["Page two."]])

    def broken_open(*args, **kwargs):
        raise ValueError("pdfminer choked")

    monkeypatch.setattr(pdfplumber, "open", broken_open)
    extraction = extract_file(path)

    assert extraction.status == "ok"
    assert [page.text for page in extraction.pages] == ["507 people were detained in 2018.", "Page two."]
    assert any("pypdf" in note and "pdfminer choked" in note for note in extraction.notes)


def test_one_page_pdfplumber_fails_on_is_read_with_pypdf(tmp_path, monkeypatch):
    from pqcheck.extract import pdf as pdf_module

    path = make_pdf(tmp_path / "mixed.pdf", [["Page one."], ["Page two has 45 cases."], ["Page three."]])
    real_page_text = pdf_module.page_text

    def flaky(page):
        if page.page_number == 2:
            raise KeyError("bad font")
        return real_page_text(page)

    monkeypatch.setattr(pdf_module, "page_text", flaky)
    extraction = extract_file(path)

    assert extraction.status == "ok"
    assert [page.text for page in extraction.pages] == ["Page one.", "Page two has 45 cases.", "Page three."]
    assert any(note.startswith("page 2 read with pypdf") for note in extraction.notes)


def test_pdf_where_pdfplumber_finds_no_text_gets_a_second_opinion_from_pypdf(tmp_path, monkeypatch):
    from pqcheck.extract import pdf as pdf_module

    path = make_pdf(tmp_path / "quiet.pdf", [["45 people were detained."]])
    monkeypatch.setattr(pdf_module, "page_text", lambda page: ("", False))

    extraction = extract_file(path)

    assert extraction.status == "ok"
    assert extraction.pages[0].text == "45 people were detained."
    assert "pdfplumber found no text; text from pypdf, without table detection" in extraction.notes


# --- what a file really is -------------------------------------------------------------------


def test_file_named_pdf_that_is_really_html_is_extracted_as_html(tmp_path):
    path = tmp_path / "52658 Reply.pdf"
    path.write_text(
        "<!DOCTYPE html><html><head><title>Reply</title></head><body>"
        "<p>In 2018, 507 people were detained.</p></body></html>",
        encoding="utf-8",
    )

    extraction = extract_file(path, content_type="application/pdf")

    assert (extraction.file_type, extraction.declared_type, extraction.status) == ("html", "pdf", "ok")
    assert extraction.type_mismatch
    assert any("declared as pdf but the content is html" in note for note in extraction.notes)
    assert "In 2018, 507 people were detained." in extraction.pages[0].text
    assert "<p>" not in extraction.pages[0].text


def test_office_files_are_told_apart_by_their_members_not_their_names(tmp_path):
    import docx
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Total", 507])
    xlsx_named_docx = tmp_path / "really-a-workbook.docx"
    workbook.save(xlsx_named_docx)
    document = docx.Document()
    document.add_paragraph("A Word document.")
    docx_named_xlsx = tmp_path / "really-a-document.xlsx"
    document.save(docx_named_xlsx)

    as_xlsx = extract_file(xlsx_named_docx)
    as_docx = extract_file(docx_named_xlsx)

    assert (as_xlsx.file_type, as_xlsx.declared_type) == ("xlsx", "docx")
    assert as_xlsx.pages[0].text == "Total | 507"
    assert (as_docx.file_type, as_docx.declared_type) == ("docx", "xlsx")
    assert as_docx.pages[0].text == "A Word document."


# --- HTML, text, CSV ---------------------------------------------------------------------------


def test_html_drops_scripts_and_styles_and_keeps_tables_as_rows(tmp_path):
    path = tmp_path / "release.html"
    path.write_text(
        "<html><head><style>p { color: red }</style><script>var tracked = 12345;</script></head><body>"
        "<h1>FOI release</h1><p>Figures for 2018:</p>"
        "<table><tr><th>Centre</th><th>Detained</th></tr><tr><td>Yarl's Wood</td><td>1,234</td></tr></table>"
        "<script>document.write('hidden 999')</script></body></html>",
        encoding="utf-8",
    )

    extraction = extract_file(path)
    text = extraction.pages[0].text

    assert extraction.file_type == "html"
    assert "Centre | Detained" in text.splitlines()
    assert "Yarl's Wood | 1,234" in text.splitlines()
    assert "12345" not in text and "999" not in text and "color" not in text
    assert [f.value for f in find_figures(text)] == [1234]


def test_html_with_only_document_tags_is_still_parsed(tmp_path):
    path = tmp_path / "bare.htm"
    path.write_text("<html><body>Only 45 people.<script>x = 1</script></body></html>", encoding="utf-8")

    assert extract_file(path).pages[0].text == "Only 45 people."


def test_csv_rows_become_pipe_rows_with_the_delimiter_sniffed(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text('Centre;Detained;Note\n"Brook House";507;"held, then released"\nDungavel;45;\n', encoding="utf-8")

    extraction = extract_file(path, content_type="text/csv")

    assert extraction.file_type == "csv"
    assert extraction.pages[0].text.splitlines() == [
        "Centre | Detained | Note",
        "Brook House | 507 | held, then released",
        "Dungavel | 45",
    ]
    figures = find_figures(extraction.pages[0].text)
    assert [(f.value, f.context) for f in figures] == [
        (507, "Brook House | 507 | held, then released"),
        (45, "Dungavel | 45"),
    ]


def test_prose_with_commas_is_plain_text_not_csv(tmp_path):
    path = tmp_path / "note"
    path.write_text(
        "Dear Sir, thank you for your request.\nWe hold the information, and it is below.\nYours, the FOI team.\n",
        encoding="utf-8",
    )

    extraction = extract_file(path)

    assert extraction.file_type == "text"
    assert extraction.pages[0].text.splitlines()[0] == "Dear Sir, thank you for your request."


def test_plain_text_falls_back_to_cp1252(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Spending was £4.3 million \u2013 up 12%.".encode("cp1252"))

    extraction = extract_file(path)

    assert extraction.file_type == "text"
    assert extraction.pages[0].text == "Spending was £4.3 million \u2013 up 12%."
    assert "text decoded as cp1252" in extraction.notes


# --- Office ------------------------------------------------------------------------------------


def test_xlsx_gives_one_page_per_sheet_with_rows_and_formatted_numbers(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Table 1"
    first.append(["Category", "Detained", "Share", "Snapshot"])
    first.append(["Detained in an IRC", 507, 0.125, dt.datetime(2018, 12, 31)])
    first["C2"].number_format = "0.0%"
    first.append([])
    first.append(["Total", 1234.0])
    notes = workbook.create_sheet("Notes")
    notes.append(["Figures are provisional management information."])
    path = tmp_path / "release.xlsx"
    workbook.save(path)

    extraction = extract_file(path)

    assert (extraction.file_type, extraction.status, extraction.page_count) == ("xlsx", "ok", 2)
    assert [(page.number, page.label) for page in extraction.pages] == [(1, "Table 1"), (2, "Notes")]
    assert extraction.pages[0].text.splitlines() == [
        "Category | Detained | Share | Snapshot",
        "Detained in an IRC | 507 | 12.5% | 2018-12-31",
        "Total | 1234",
    ]
    assert extraction.pages[1].text == "Figures are provisional management information."
    assert [f.text for f in find_figures(extraction.pages[0].text)] == ["507", "12.5%", "1234"]


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Dear Ms Esslemont,")
    document.add_paragraph("Table 1 gives the figures.")
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [("Category", "2017", "2018"), ("Detained", "1,234", "507")], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    merged = document.add_table(rows=1, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "Merged label"
    merged.cell(0, 2).text = "45"
    document.add_paragraph("Yours sincerely,")
    path = tmp_path / "reply.docx"
    document.save(path)

    extraction = extract_file(path)

    assert extraction.file_type == "docx"
    assert extraction.pages[0].text.split("\n\n") == [
        "Dear Ms Esslemont,",
        "Table 1 gives the figures.",
        "Category | 2017 | 2018\nDetained | 1,234 | 507",
        "Merged label | 45",
        "Yours sincerely,",
    ]


def test_ods_and_odt_are_read(tmp_path):
    from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
    from odf.table import Table as OdfTable
    from odf.table import TableCell, TableRow
    from odf.text import P

    sheet_doc = OpenDocumentSpreadsheet()
    sheet = OdfTable(name="Detention")
    for values in [("Centre", "Detained"), ("Brook House", 507.0)]:
        row = TableRow()
        for value in values:
            if isinstance(value, float):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text="507"))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            row.addElement(cell)
        sheet.addElement(row)
    sheet.addElement(TableRow(numberrowsrepeated=1000))  # the empty tail real files carry
    sheet_doc.spreadsheet.addElement(sheet)
    sheet_doc.save(str(tmp_path / "data.ods"))
    text_doc = OpenDocumentText()
    text_doc.text.addElement(P(text="In 2018, 45 people were detained."))
    text_doc.save(str(tmp_path / "letter.odt"))

    ods = extract_file(tmp_path / "data.ods")
    odt = extract_file(tmp_path / "letter.odt")

    assert (ods.file_type, ods.pages[0].label, ods.pages[0].text) == (
        "ods",
        "Detention",
        "Centre | Detained\nBrook House | 507",
    )
    assert (odt.file_type, odt.pages[0].text) == ("odt", "In 2018, 45 people were detained.")


# --- limits and other failures -----------------------------------------------------------------


def test_file_over_max_bytes_is_not_parsed(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("a,b\n" + "1,2\n" * 5000, encoding="utf-8")

    extraction = extract_file(path, limits=Limits(max_bytes=1000))

    assert extraction.file_type == "csv"
    assert_bad_file(extraction, "too_large")
    assert "over the 1,000 bytes limit" in extraction.error


def test_zip_that_expands_far_beyond_the_limit_is_not_parsed(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Small text.")
    path = tmp_path / "bomb.docx"
    document.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", b"\0" * 5_000_000)

    extraction = extract_file(path, limits=Limits(max_bytes=path.stat().st_size + 1))

    assert_bad_file(extraction, "too_large")
    assert "unzipped" in extraction.error


def test_character_limit_cuts_the_text(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("x" * 500, encoding="utf-8")

    extraction = extract_file(path, limits=Limits(max_chars=100))

    assert extraction.status == "partial"
    assert len(extraction.pages[0].text) == 100
    assert "100-character limit" in extraction.error


def test_image_file_needs_ocr(tmp_path):
    from .support.pdfs import png_image

    path = tmp_path / "scan.png"
    path.write_bytes(png_image(100, 100).getvalue())

    extraction = extract_file(path, filename="letter.pdf", ocr=False)

    assert (extraction.file_type, extraction.status) == ("image", "needs_ocr")
    assert extraction.pages[0].needs_ocr


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        (
            "letter.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "WordDocument".encode("utf-16-le"),
            "unsupported",
        ),
        ("blob.bin", bytes(range(256)) * 8, "unsupported"),
        ("archive.zip", None, "unsupported"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_unsupported_and_empty_files(tmp_path, name, data, status):
    path = tmp_path / name
    if data is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
    else:
        path.write_bytes(data)

    extraction = extract_file(path)

    assert extraction.status == status
    assert extraction.error and "\n" not in extraction.error


def test_truncated_office_file_is_corrupt(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Total", 507])
    good = tmp_path / "good.xlsx"
    workbook.save(good)
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:2000])

    extraction = extract_file(path)

    assert extraction.file_type == "xlsx"
    assert_bad_file(extraction, "corrupt")
    assert "ZIP" in extraction.error


def test_missing_file_is_reported_not_raised(tmp_path):
    extraction = extract_file(tmp_path / "gone.pdf")

    assert_bad_file(extraction, "corrupt")
    assert "cannot read" in extraction.error

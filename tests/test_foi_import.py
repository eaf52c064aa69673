"""`pqcheck import foi`: folders with a sidecar, record files, and bad files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fpdf import FPDF

from pqcheck.cli import cli
from pqcheck.db import open_db


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def table_pdf(path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0, 8, "Table 1: people detained in an IRC on 31 December who had a positive Conclusive Grounds decision."
    )
    for row in (("Year", "Number"), ("2017", "412"), ("2018", "507")):
        pdf.cell(40, 8, row[0], border=1)
        pdf.cell(40, 8, row[1], border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "responses"
    folder.mkdir()
    table_pdf(folder / "52658 Reply.pdf")
    (folder / "52658 cover.txt").write_text("Dear Ms Esslemont,\n\nPlease find attached our reply to FOI 52658.\n")
    (folder / "ukvi.html").write_text(
        "<html><head><script>alert('x')</script><style>p{}</style></head>"
        "<body><p>In 2019, 1,234 visa applications were refused.</p></body></html>"
    )
    (folder / "figures.csv").write_text("Prison,Places\nHMP Exampleton,650\nHMP Sample,1,210\n")
    (folder / "metadata.csv").write_text(
        "file,id,authority,date,title,outcome\n"
        "52658 Reply.pdf,FOI 52658,Home Office,2019-04-24,Immigration detention of trafficking victims,successful\n"
        "52658 cover.txt,FOI 52658,Home Office,2019-04-24,Immigration detention of trafficking victims,successful\n"
        "ukvi.html,UKVI 1,UK Visas and Immigration,24/04/2019,Visa refusals,successful\n"
        "figures.csv,MOJ 7,HM Prison and Probation Service,last spring,Prison places,partially_successful\n"
    )
    return folder


def test_a_folder_with_a_sidecar(tmp_path, folder):
    db_path = tmp_path / "pq.db"
    result = run("import", "foi", db_path, folder, "--quiet", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["requests"], summary["inserted"], summary["documents"]) == (3, 3, 4)
    assert "date 'last spring' not understood" in result.stderr

    db = open_db(db_path)
    request = db["foi_requests"].get("file:FOI 52658")
    assert request["department_id"] == "home-office"
    assert request["date_responded"] == "2019-04-24"
    assert request["outcome"] == "successful"
    assert db["foi_requests"].get("file:UKVI 1")["department_id"] == "home-office"  # an agency of the Home Office
    assert db["foi_requests"].get("file:UKVI 1")["date_responded"] == "2019-04-24"
    assert db["foi_requests"].get("file:MOJ 7")["department_id"] == "ministry-of-justice"
    assert db["foi_requests"].get("file:MOJ 7")["date_responded"] is None

    docs = {d["filename"]: d for d in db["foi_documents"].rows}
    assert set(docs) == {"52658 Reply.pdf", "52658 cover.txt", "ukvi.html", "figures.csv"}
    assert docs["52658 Reply.pdf"]["request_id"] == docs["52658 cover.txt"]["request_id"] == "file:FOI 52658"
    assert docs["52658 Reply.pdf"]["file_type"] == "pdf"
    assert all(len(d["sha256"]) == 64 for d in docs.values())

    pdf_figures = {
        f["text"]: f for f in db["foi_figures"].rows_where("document_id = ?", [docs["52658 Reply.pdf"]["id"]])
    }
    assert "507" in pdf_figures and "2018" in pdf_figures["507"]["context"]
    html_text = db.execute("SELECT text FROM foi_pages WHERE document_id = ?", [docs["ukvi.html"]["id"]]).fetchone()[0]
    assert "1,234 visa applications" in html_text and "alert" not in html_text
    hits = db.execute(
        "SELECT document_id FROM foi_pages_fts JOIN foi_pages ON foi_pages.rowid = foi_pages_fts.rowid "
        "WHERE foi_pages_fts MATCH 'visa refused'"
    ).fetchall()
    assert hits == [(docs["ukvi.html"]["id"],)]


def test_a_second_import_changes_nothing(tmp_path, folder):
    db_path = tmp_path / "pq.db"
    run("import", "foi", db_path, folder, "--quiet")
    db = open_db(db_path)
    before = {t: list(db[t].rows) for t in ("foi_requests", "foi_documents", "foi_pages", "foi_figures")}

    result = run("import", "foi", db_path, folder, "--quiet", "--json")

    summary = json.loads(result.stdout)
    assert (summary["inserted"], summary["updated"], summary["unchanged"], summary["extracted"]) == (0, 0, 3, 0)
    assert {t: list(db[t].rows) for t in before} == before


def test_json_lines_records(tmp_path):
    records = tmp_path / "records.jsonl"
    records.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "id": "54439",
                    "url": "https://example.org/54439",
                    "authority": "Home Office",
                    "date": "2019-08-05",
                    "title": "Voluntary removals of potential victims of trafficking",
                    "request_text": "How many potential victims returned voluntarily?",
                    "response_text": "Between 2016 and 2018, 30 confirmed victims were removed.",
                    "outcome": "successful",
                },
                {
                    "id": "60222",
                    "authority": "Home Office",
                    "title": "Deaths in detention",
                    "response_text": "We estimate that the cost of complying would exceed the limit.",
                    "outcome": "rejected",
                },
                {"title": "no id here"},
            ]
        )
        + "\n"
    )
    db_path = tmp_path / "pq.db"
    result = run("import", "foi", db_path, records, "--quiet", "--json")
    assert result.exit_code == 0
    assert "record 3: skipped, it has no 'id'" in result.stderr
    db = open_db(db_path)
    first = db["foi_requests"].get("file:54439")
    assert (first["url"], first["date_responded"], first["outcome"]) == (
        "https://example.org/54439",
        "2019-08-05",
        "successful",
    )
    assert first["request_text"] == "How many potential victims returned voluntarily?"
    assert db["foi_requests"].get("file:60222")["outcome"] == "rejected"
    (figure,) = db["foi_figures"].rows_where("document_id = 'file:54439/response'")
    assert figure["value"] == 30


def test_csv_records(tmp_path):
    records = tmp_path / "records.csv"
    records.write_text(
        "id,authority,date,title,response_text,outcome\n"
        'A1,Jobcentre Plus,2020-01-31,Sanctions,"In 2019, 4,500 sanctions were applied.",successful\n'
    )
    db_path = tmp_path / "pq.db"
    assert run("import", "foi", db_path, records, "--quiet").exit_code == 0
    row = open_db(db_path)["foi_requests"].get("file:A1")
    assert row["department_id"] == "department-for-work-and-pensions"


def test_bad_files_are_reported_and_the_run_goes_on(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    (folder / "really-html.pdf").write_text("<html><body><p>There were 42 cases.</p></body></html>")
    (folder / "fine.txt").write_text("There were 17 cases.")
    db_path = tmp_path / "pq.db"

    result = run("import", "foi", db_path, folder, "--quiet", "--json")

    assert result.exit_code == 0
    assert "corrupt.pdf" in result.stderr
    assert "Traceback" not in result.stderr
    db = open_db(db_path)
    docs = {d["filename"]: d for d in db["foi_documents"].rows}
    assert docs["corrupt.pdf"]["status"] != "ok" and docs["corrupt.pdf"]["error"]
    assert docs["really-html.pdf"]["file_type"] == "html"
    assert docs["fine.txt"]["status"] == "ok"
    assert db["foi_figures"].count_where("text = '17'") == 1


def test_a_path_that_does_not_exist(tmp_path):
    result = run("import", "foi", tmp_path / "pq.db", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_an_authority_as_signed_and_a_partial_date_are_kept(tmp_path):
    records = tmp_path / "letters.jsonl"
    rows = [
        {"id": "IE-1", "authority": "Home Office (Immigration Enforcement)", "date": "2015-06"},
        {"id": "NOMS-1", "authority": "Ministry of Justice (National Offender Management Service)", "date": "2016"},
        {"id": "HMCTS-1", "authority": "HM Courts & Tribunals Service (Ministry of Justice)", "date": "2015/16"},
        {"id": "POLICE-1", "authority": "Northumbria Police", "date": "June 2015"},
        {"id": "COUNCIL-1", "authority": "Stockport Metropolitan Borough Council", "date": "2015-06-12"},
        {"id": "UNDATED-1", "authority": "UK Visas and Immigration"},
    ]
    records.write_text("".join(json.dumps({**r, "response_text": "Dear requester, 12 people."}) + "\n" for r in rows))
    db_path = tmp_path / "pq.db"
    result = run("import", "foi", db_path, records, "--quiet")
    assert result.exit_code == 0, result.output
    columns = "department_id, local_kind, date_responded, date_precision, date_end"
    stored = {r["id"]: tuple(r.values())[1:] for r in open_db(db_path).query(f"SELECT id, {columns} FROM foi_requests")}
    assert stored == {
        "file:IE-1": ("home-office", None, "2015-06-01", "month", "2015-06-30"),
        "file:NOMS-1": ("ministry-of-justice", None, "2016-01-01", "year", "2016-12-31"),
        "file:HMCTS-1": ("ministry-of-justice", None, "2015-04-01", "financial_year", "2016-03-31"),
        "file:POLICE-1": (None, "police", "2015-06-01", "month", "2015-06-30"),
        "file:COUNCIL-1": (None, "council", "2015-06-12", "day", "2015-06-12"),
        "file:UNDATED-1": ("home-office", None, None, None, None),
    }


def test_a_csv_record_keeps_its_date_precision(tmp_path):
    records = tmp_path / "records.csv"
    records.write_text("id,authority,date,response_text\nA1,Legal Aid Agency,Jun 2014,Nil\n")
    db_path = tmp_path / "pq.db"
    assert run("import", "foi", db_path, records, "--quiet").exit_code == 0
    row = open_db(db_path)["foi_requests"].get("file:A1")
    assert (row["department_id"], row["date_responded"], row["date_precision"]) == (
        "ministry-of-justice",
        "2014-06-01",
        "month",
    )

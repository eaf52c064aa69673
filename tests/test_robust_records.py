"""One odd record must not stop a run, and a folder must not let in what is outside it (issue 11).

Numbers written oddly (4,400 digits, ``²``) are text, not a crash, in ``classify``, ``check-answer``
and ``match``; HTML nested 200,000 deep is read in time in proportion to its size; JSON nested
thousands deep is a one-line error naming the file; a link in an FOI folder to a file outside it,
or a file that cannot be read, is left out with a warning. The commands run as the real CLI.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Comment, NavigableString
from click.testing import CliRunner

from pqcheck.bodies import resolve_department
from pqcheck.classify import extract_period, figure_positions
from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.errors import BadInput
from pqcheck.extract.markup import html_page_text
from pqcheck.figures import find_figures
from pqcheck.http import retry_after_seconds
from pqcheck.match.terms import years_in
from pqcheck.sources.wdtk import parse_request_page
from pqcheck.text import html_to_text, looks_like_html, normalise_whitespace

from .support.cli import pqcheck_executable
from .support.dbcheck import assert_kept, assert_sound, snapshot
from .support.factories import question_value

SAMPLES = Path("/work/shared/samples")
QUESTION = (
    "To ask the Secretary of State for the Home Department, how many victims of trafficking were held in "
    "immigration detention in the last {n} years."
)
REFUSAL = "<p>The Home Office does not hold centrally the number of victims of trafficking in detention.</p>"
FOI = {
    "id": "F-1",
    "authority": "Home Office",
    "date": "2019-04-24",
    "title": "Victims of trafficking held in immigration detention",
    "response_text": "In 2018, 507 victims of trafficking were held in immigration detention.",
}


def run(*args: Any, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real CLI; never a traceback (``timeout``: a guard against a hang, not a time asserted)."""
    result = subprocess.run(
        [pqcheck_executable(), *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    return result


def one_error(result: subprocess.CompletedProcess) -> str:
    """The single ``Error:`` line of a run that stopped on bad input (exit 2)."""
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr[-2000:]
    return errors[0]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def write_questions(path: Path, values: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(values))
    return path


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A database with a question, its refusal, an FOI disclosure and their match."""
    folder = tmp_path_factory.mktemp("seeded")
    db = folder / "pq.db"
    values = [question_value(1, questionText=QUESTION.format(n="five"), answerText=REFUSAL)]
    assert run("import", "questions", db, write_questions(folder / "q.json", values), "--quiet").returncode == 0
    (folder / "foi.jsonl").write_text(json.dumps(FOI) + "\n")
    assert run("import", "foi", db, folder / "foi.jsonl", "--quiet").returncode == 0
    assert run("classify", db).returncode == 0
    assert run("match", db).returncode == 0
    assert open_db(db)["matches"].count == 1
    return db


@pytest.fixture
def db(seeded, tmp_path) -> Path:
    """A copy of the seeded database, for one test to change."""
    path = tmp_path / "pq.db"
    shutil.copy(seeded, path)
    return path


# --- numbers written oddly --------------------------------------------------------------------


def test_ascii_int_reads_only_ascii_digits_of_bounded_length():
    from pqcheck.text import ascii_int  # here: the module is collected on code without it, to see each test fail

    assert [ascii_int(t) for t in ("2019", "007", "0", "9" * 18)] == [2019, 7, 0, int("9" * 18)]
    for odd in ("²", "٣", "1²", "-5", "+5", " 5", "5\n", "1_000", "1.5", "", "9" * 19, "9" * 5000, None):
        assert ascii_int(odd) is None, odd
    assert ascii_int("123", max_digits=2) is None


def test_an_answer_with_a_4400_digit_number_is_classified(db, tmp_path):
    huge = "7" * 4400
    answer = f"<p>The Home Office does not hold centrally the number of victims: {huge} records were searched.</p>"
    values = [question_value(2, questionText=QUESTION.format(n="five"), answerText=answer)]
    assert run("import", "questions", db, write_questions(tmp_path / "q.json", values), "--quiet").returncode == 0

    result = run("classify", db)

    assert result.returncode == 0, result.stderr[-2000:]
    assert open_db(db)["refusals"].count_where("question_id = 2") == 1
    checked = run("check-answer", "--json", "--", answer)
    assert checked.returncode == 0 and json.loads(checked.stdout)["label"] == "refusal"
    assert figure_positions(f"In 2018, {huge} people.") == [9]
    assert [f.text for f in find_figures(f"In 2018, {'9' * 5000} people, and 507 others.")] == ["507"]


@pytest.mark.parametrize("n", ["²", "٣", "9" * 5000])
def test_a_question_about_the_last_odd_number_of_years_is_matched(db, tmp_path, n):
    values = [question_value(3, questionText=QUESTION.format(n=n), answerText=REFUSAL)]
    assert run("import", "questions", db, write_questions(tmp_path / "q.json", values), "--quiet").returncode == 0
    assert run("classify", db).returncode == 0

    result = run("match", db)

    assert result.returncode == 0, result.stderr[-2000:]
    assert open_db(db)["matches"].count_where("question_id = 3") == 1
    assert years_in(QUESTION.format(n=n), 2020) == set()


def test_other_numbers_read_from_upstream_text():
    assert years_in(QUESTION.format(n="5"), 2020) == {2015, 2016, 2017, 2018, 2019}
    asked = "To ask the Secretary of State for the Home Department, how many people were detained between {} and {}."
    assert extract_period(asked.format("30 February 2020", "3 March 2020"))[1:] == ("2020-02-01", "2020-03-03")
    assert extract_period(asked.format("3 February 2020", "3 March 2020"))[1:] == ("2020-02-03", "2020-03-03")
    assert [retry_after_seconds(v) for v in ("nan", "inf", "²", "120", "1.5")] == [None, None, None, 120.0, 1.5]
    with pytest.raises(BadInput, match="unknown department id"):
        resolve_department("²", {1: {"id": 1, "name": "Home Office"}})
    huge = "9" * 5000
    page = (
        f'<div id="incoming-{huge}" class="incoming correspondence"><p>Reply</p>'
        f'<a href="/request/x/response/{huge}/attach/2/a.pdf">a.pdf</a></div>'
        '<div id="incoming-7" class="incoming correspondence"><p>Second reply</p></div>'
    )
    assert [m.incoming_message_id for m in parse_request_page(page, "https://wdtk.example/request/x").messages] == [7]


# --- deeply nested HTML ------------------------------------------------------------------------


def deep(levels: int, text: str = "deep 507") -> str:
    return "<div>" * levels + text + "</div>" * levels


def lines_run(function: Callable[[], Any]) -> int:
    """How many lines of Python ``function`` runs: a count of the work done, not a time."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        function()
    finally:
        sys.settrace(previous)
    return count


@pytest.mark.parametrize(
    "shape",
    [
        lambda n: deep(n),
        lambda n: "<ul>" + "<li><p>item" * n + "</ul>",
        lambda n: "<table><tr><td>" * n + "507",
        lambda n: "<pre><b>" * n + "a\nb",
    ],
    ids=["divs", "list items", "tables", "pre"],
)
def test_html_to_text_does_work_in_proportion_to_the_nesting(shape):
    """Twice the nesting, about twice the work (it was four times: quadratic)."""
    small, large = (lines_run(lambda n=n: html_to_text(shape(n))) for n in (1_500, 3_000))
    assert large < 2.3 * small, (small, large)


def test_html_nested_200000_deep_is_read(tmp_path):
    """Answers, FOI pages and local HTML files nested 200,000 deep (about half an hour before)."""
    page = tmp_path / "deep.html"
    page.write_text(f"<html><body>{deep(200_000)}</body></html>")
    db = tmp_path / "pq.db"
    values = [question_value(4, answerText=deep(200_000, REFUSAL))]

    assert run("import", "foi", db, page, "--quiet", timeout=600).returncode == 0
    assert run("import", "questions", db, write_questions(tmp_path / "q.json", values), "--quiet").returncode == 0

    store = open_db(db)
    assert [r["text"] for r in store["foi_pages"].rows] == ["deep 507"]
    assert [r["status"] for r in store["foi_documents"].rows] == ["ok"]
    assert store["questions"].get(4)["answer_text"] == html_to_text(REFUSAL)
    assert html_page_text(deep(200_000)) == "deep 507"


def quadratic_html_to_text(html: str) -> str:
    """The implementation before issue 11 (insert a separator per block): the reference output."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    for string in soup.find_all(string=True):
        if "\n" in string and not isinstance(string, Comment) and string.find_parent("pre") is None:
            string.replace_with(NavigableString(re.sub(r"\s+", " ", string)))
    for table in soup.find_all("table"):
        if table.find_parent("table") is None:
            rows = [
                " | ".join(" ".join(cell.get_text(" ").split()) for cell in row.find_all(["td", "th"]))
                for row in table.find_all("tr")
            ]
            table.replace_with(NavigableString("\n\n" + "\n".join(rows) + "\n\n"))
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for item in soup.find_all("li"):
        item.insert_before(NavigableString("\n- "))
    for block in soup.find_all(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote"]):
        block.insert_before(NavigableString("\n\n"))
        block.insert_after(NavigableString("\n\n"))
    return normalise_whitespace(soup.get_text())


def generated_html(rng: random.Random, depth: int = 0) -> str:
    """Answer-like HTML: blocks, lists, line breaks, pre, scripts, comments, CDATA, tables (cells
    closed, not nested), tags left open, text with source line breaks."""
    parts = []
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < 0.4 or depth > 4:
            parts.append(
                rng.choice(["x", " y ", "a\nb", "  \n ", "507", "\t2018\r\n", "&amp;", "<!-- c\n -->", "<br>"])
                + rng.choice(["", "<![CDATA[ z ]]>", "\xa0", "<?pi x?>", "<!DOCTYPE html>"])
            )
        elif roll < 0.5:
            rows = (
                "<tr>" + "".join(f"<td>{generated_html(rng, 5)}</td>" for _ in range(rng.randint(0, 3))) + "</tr>"
                for _ in range(rng.randint(0, 3))
            )
            parts.append("<table><tbody>" + "".join(rows) + "</tbody></table>")
        else:
            tag = rng.choice(["p", "div", "span", "b", "li", "ul", "ol", "h2", "blockquote", "pre", "a", "script"])
            parts.append(f"<{tag}>{generated_html(rng, depth + 1)}" + (f"</{tag}>" if rng.random() < 0.9 else ""))
    return "".join(parts)


def sample_html() -> list[str]:
    """Every HTML string in the stored upstream samples (answers, GOV.UK bodies), if present."""
    found: list[str] = []
    stack: list[Any] = [json.loads(p.read_text()) for p in sorted(SAMPLES.glob("**/*.json"))]
    while stack:
        value = stack.pop()
        if isinstance(value, str) and looks_like_html(value):
            found.append(value)
        elif isinstance(value, dict | list):
            stack.extend(value.values() if isinstance(value, dict) else value)
    return found


def test_html_to_text_reads_documents_as_before():
    rng = random.Random(11)
    documents = [*sample_html(), *("<p>" + generated_html(rng) for _ in range(600))]
    for html in documents:
        assert html_to_text(html) == quadratic_html_to_text(html), html


def test_a_table_nested_in_a_cell_is_read_once():
    html = "<table><tr><td>Year<table><tr><td>2018</td><td>507</td></tr></table></td></tr></table><p>End</p>"
    assert html_to_text(html) == "Year\n2018 | 507\n\nEnd"
    assert html_to_text("<table><tr><td>2018<td>507") == "2018 | 507"  # cells left open, as html.parser nests them


# --- deeply nested JSON ------------------------------------------------------------------------


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


# command -> (its arguments, the file it reads and that file's text with NESTED, what the error says)
JSON_COMMANDS = {
    "review --import": (
        ["review", "{db}", "--import", "{file}"],
        "reviews.json",
        '{"reviews": NESTED}',
        "is not valid JSON",
    ),
    "check-answer --jsonl": (
        ["check-answer", "--jsonl", "{file}"],
        "a.jsonl",
        '{"id": "a", "answer_text": NESTED}\n',
        "line 1 is not valid JSON",
    ),
    "import foi records": (
        ["import", "foi", "{db}", "{file}"],
        "r.jsonl",
        '{"id": "F-2", "more": NESTED}\n',
        "line 1 is not valid JSON",
    ),
    "import foi metadata.json": (
        ["import", "foi", "{db}", "{folder}"],
        "metadata.json",
        '{"a.txt": {"x": NESTED}}',
        "cannot read the sidecar",
    ),
    "import questions json": (
        ["import", "questions", "{db}", "{file}"],
        "q.json",
        json.dumps([question_value(9, extra="NESTED")]).replace('"NESTED"', "NESTED"),
        "is not valid JSON",
    ),
    "import questions jsonl": (
        ["import", "questions", "{db}", "{file}"],
        "q.jsonl",
        json.dumps(question_value(9, extra="NESTED")).replace('"NESTED"', "NESTED") + "\n{}\n",
        "line 1",
    ),
}


@pytest.mark.parametrize("levels", [300, 5_000, 200_000])  # past orjson's writer, Python's stack, orjson's reader
@pytest.mark.parametrize("command", list(JSON_COMMANDS))
def test_deeply_nested_json_is_a_one_line_error(db, tmp_path, command, levels):
    before = snapshot(db)
    args, name, text, message = JSON_COMMANDS[command]
    folder = tmp_path / "in"
    write(folder / "a.txt", "In 2018, 507.")
    file = write(folder / name, text.replace("NESTED", nested(levels)))

    error = one_error(run(*(a.format(db=db, file=file, folder=folder) for a in args)))

    assert error.startswith(f"Error: {file}") and message in error, error
    assert_sound(db)
    assert_kept(before, snapshot(db))


# --- FOI folders: links out of the folder, files that cannot be read ----------------------------


def test_a_folder_import_does_not_follow_links_out_of_the_folder(db, tmp_path):
    secret = write(tmp_path / "outside" / "shadow", "root:SECRET-HASH:19000:0:99999:7:::\n")
    folder = tmp_path / "foi"
    write(folder / "reply.txt", "In 2018, 507 people were held.")
    write(folder / "sub" / "more.txt", "In 2019, 479 people were held.")
    (folder / "notes.txt").symlink_to(secret)
    (folder / "sub" / "inside.txt").symlink_to(folder / "reply.txt")  # a link inside the folder is fine
    (folder / "metadata.csv").symlink_to(secret)
    (folder / "elsewhere").symlink_to(secret.parent, target_is_directory=True)

    result = run("import", "foi", db, folder)

    assert result.returncode == 0, result.stderr
    assert f"{folder / 'notes.txt'}: links to a file outside {folder}: left out" in result.stderr
    assert f"{folder / 'metadata.csv'}: links to a file outside {folder}: not read" in result.stderr
    store = open_db(db)
    assert not [r for r in store["foi_pages"].rows if "SECRET" in r["text"]]
    assert not [r for r in store["foi_documents"].rows if "outside" in (r["url"] or "")]
    names = {r["filename"] for r in store["foi_documents"].rows_where("kind = 'file'")}
    assert names == {"reply.txt", "more.txt", "inside.txt"}


def test_a_file_that_cannot_be_read_is_left_out_of_a_folder(db, tmp_path, monkeypatch):
    """Tests run as root, who reads any file: the refusal is simulated (and real when not root)."""
    folder = tmp_path / "foi"
    write(folder / "reply.txt", "In 2018, 507 people were held.")
    locked = write(folder / "locked.txt", "In 2019, 479 people were held.")
    real_open = Path.open

    def refusing_open(self, *args, **kwargs):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)

    result = CliRunner().invoke(cli, ["import", "foi", str(db), str(folder)])
    alone = CliRunner().invoke(cli, ["import", "foi", str(db), str(locked)])

    assert result.exit_code == 0, result.output
    assert f"{locked}: cannot be read (Permission denied): left out" in result.stderr
    assert open_db(db)["foi_documents"].count_where("filename = 'reply.txt'") == 1
    assert open_db(db)["foi_documents"].count_where("filename = 'locked.txt'") == 0
    assert alone.exit_code == 2 and alone.stderr == f"Error: {locked}: cannot be read: Permission denied\n"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_file_without_read_permission_is_left_out_of_a_folder(db, tmp_path):
    folder = tmp_path / "foi"
    write(folder / "reply.txt", "In 2018, 507 people were held.")
    locked = write(folder / "locked.txt", "In 2019, 479 people were held.")
    locked.chmod(0)

    result = run("import", "foi", db, folder)

    assert result.returncode == 0 and f"{locked}: cannot be read (Permission denied): left out" in result.stderr

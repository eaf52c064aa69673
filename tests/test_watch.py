"""``pqcheck run CONFIG``: one command that keeps a watch current, run as a subprocess against the
fake Parliament and WhatDoTheyKnow servers; its config checked key by key; its lock."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from pqcheck.run_config import EXAMPLE, ConfigError, load_config
from pqcheck.watch import lock_path

from .support.apiserver import FakeParliamentAPI, make_question
from .support.cli import command, environment
from .support.fixtures_govuk import file_attachment, make_release, organisation_item
from .support.fixtures_wdtk import Attachment, Incoming, make_body, make_request, tiny_pdf
from .support.govuk_server import FakeGovuk
from .support.wdtk_server import FakeWdtk

TODAY = datetime.now(UTC).date()
HOME_OFFICE = 4  # apiserver.BODIES index of the Home Office

TRAFFICKING = (
    "To ask the Secretary of State for the Home Department, how many potential victims of trafficking "
    "were held in immigration detention in 2025."
)
SLAVERY = (
    "To ask the Secretary of State for the Home Department, how many confirmed victims of modern slavery "
    "were granted discretionary leave to remain in 2025."
)
REFUSAL = (
    "<p>The Home Office does not hold this information centrally; it could only be obtained at "
    "disproportionate cost.</p>"
)


def question(qid: int, text: str, days_ago: int) -> dict:
    day = TODAY - timedelta(days=days_ago)
    return make_question(
        qid,
        tabled=day - timedelta(days=7),
        answered=day,
        body_index=HOME_OFFICE,
        question_text=text,
        answer_html=REFUSAL,
    )


def foi(request_id: int, url_title: str, title: str, text: str, days_ago: int):
    day = (TODAY - timedelta(days=days_ago)).isoformat()
    reply = Incoming(
        request_id * 10 + 1, day, "Please find our reply attached.", [Attachment(2, "reply.pdf", tiny_pdf(text))]
    )
    return make_request(request_id, url_title, title, created=day, responses=[reply])


TRAFFICKING_FOI = (
    "Potential victims of trafficking held in immigration detention, 2025",
    "In 2025, 507 potential victims of trafficking were held in immigration detention.",
)
SLAVERY_FOI = (
    "Discretionary leave to remain granted to confirmed victims of modern slavery, 2025",
    "In 2025, 27 confirmed victims of modern slavery were granted discretionary leave to remain.",
)


def write_config(folder: Path, api: FakeParliamentAPI, wdtk: FakeWdtk, **more: str) -> Path:
    config = folder / "watch.toml"
    extra = "".join(f"{k} = {v}\n" for k, v in more.items())
    config.write_text(
        f"""name = "home"
database = "pq.db"
output = "out"
departments = ["home-office"]
since = "last-run"
{extra}
[sources.questions]
base_url = "{api.url}"
rate = 1000.0
retries = 1
backoff = 0.0

[sources.wdtk]
base_url = "{wdtk.url}"
rate = 1000.0
retries = 1
backoff = 0.0
"""
    )
    return config


def run(config: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        command("run", config, *args), capture_output=True, text=True, timeout=timeout, env=environment(), check=False
    )


def stored_pairs(db_path: Path) -> set[str]:
    with sqlite3.connect(db_path) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM matches")}


def digest_ids(folder: Path) -> list[str]:
    return [pair["match_id"] for pair in json.loads((folder / "out" / "digest.json").read_text())["new_pairs"]]


def last_run(db_path: Path) -> dict:
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM watch_runs ORDER BY id DESC LIMIT 1").fetchone())


def attachment_downloads(wdtk: FakeWdtk, url_title: str) -> int:
    return len([h for h in wdtk.hits(f"/request/{url_title}/response/") if "/attach/" in h.path])


def test_two_runs_keep_a_watch_current_and_the_second_digest_lists_exactly_the_new_pairs(tmp_path):
    first_foi = foi(7001, "trafficking_detention", *TRAFFICKING_FOI, days_ago=20)
    with FakeParliamentAPI([question(501, TRAFFICKING, 10)]) as api, FakeWdtk([first_foi]) as wdtk:
        config = write_config(tmp_path, api, wdtk, site='"https://pq.example.org/"')

        first = run(config)
        assert first.returncode == 0, first.stderr
        assert first.stderr == ""  # quiet: cron mails nothing but the one line
        assert len(first.stdout.strip().splitlines()) == 1 and "pqcheck run home:" in first.stdout
        db_path = tmp_path / "pq.db"
        after_first = stored_pairs(db_path)
        assert after_first, "the first run should pair the trafficking answer with the FOI reply"
        assert sorted(digest_ids(tmp_path)) == sorted(after_first)
        assert "1 question fetched (1 new)" in first.stdout
        assert {"report.md", "digest.md", "digest.json", "feed.atom"} <= {p.name for p in (tmp_path / "out").iterdir()}

        # between the runs: a new answer and a new FOI reply
        api.add(question(502, SLAVERY, 2))
        wdtk.requests.append(foi(7002, "slavery_leave", *SLAVERY_FOI, days_ago=5))
        list_before = len(api.list_requests())
        second = run(config)
        assert second.returncode == 0, second.stderr
        second_lists = api.list_requests(list_before)

    after_second = stored_pairs(db_path)
    new = after_second - after_first
    assert new, "the second run should pair the new answer"
    assert sorted(digest_ids(tmp_path)) == sorted(new)  # exactly the new pairs
    assert f"{len(new)} new pair" in second.stdout
    summary = json.loads(last_run(db_path)["summary"])
    assert summary["steps"]["questions"]["inserted"] == 1  # only the new answer was new
    assert summary["steps"]["wdtk"]["inserted"] == 1
    # incremental: the second run asked only for answers since the first run (less the overlap)
    since = (TODAY - timedelta(days=3)).isoformat()
    for request in second_lists:
        bounds = [v for k, vs in request.params.items() if k.lower().endswith("whenfrom") for v in vs]
        assert bounds and min(bounds) >= since, request.params
    assert attachment_downloads(wdtk, "trafficking_detention") == 1  # the first reply was not downloaded again
    assert attachment_downloads(wdtk, "slavery_leave") == 1
    feed = feedparser.parse((tmp_path / "out" / "feed.atom").read_text())
    assert not feed.bozo
    assert {e.link for e in feed.entries} == {f"https://pq.example.org/pair/{m}" for m in after_second}
    digest = (tmp_path / "out" / "digest.md").read_text()
    assert "since the run of" in digest and "slavery" in digest.lower()


def test_a_second_run_on_the_same_database_is_refused_while_the_first_runs(tmp_path):
    with FakeParliamentAPI([question(501, TRAFFICKING, 10)]) as api, FakeWdtk([], bodies=[make_body()]) as wdtk:
        api.add_fault("slow", path="/api/writtenquestions/questions", delay=6.0)
        config = write_config(tmp_path, api, wdtk)
        first = subprocess.Popen(
            command("run", config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment()
        )
        try:
            deadline = time.monotonic() + 30
            while not api.list_requests() and time.monotonic() < deadline:  # the first run is fetching
                time.sleep(0.1)
            second = run(config, timeout=60)
            assert second.returncode == 2
            assert "another pqcheck run is keeping" in second.stderr and "pid" in second.stderr
            assert "Traceback" not in second.stderr
        finally:
            _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err


def test_a_lock_left_by_a_killed_run_does_not_block_the_next(tmp_path):
    with FakeParliamentAPI([question(501, TRAFFICKING, 10)]) as api, FakeWdtk([], bodies=[make_body()]) as wdtk:
        config = write_config(tmp_path, api, wdtk)
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, time\nfrom pathlib import Path\nfrom pqcheck.watch import run_lock\n"
                "with run_lock(Path(sys.argv[1])):\n    print('locked', flush=True)\n    time.sleep(60)\n",
                str(tmp_path / "pq.db"),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=environment(),
        )
        assert holder.stdout.readline().strip() == "locked"
        assert run(config, timeout=60).returncode == 2  # held
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        assert lock_path(tmp_path / "pq.db").exists()  # the file stays; its lock went with the process
        result = run(config)
        assert result.returncode == 0, result.stderr


def test_an_upstream_that_keeps_failing_exits_1_and_the_rest_of_the_run_goes_on(tmp_path):
    with FakeParliamentAPI([question(501, TRAFFICKING, 10)]) as api, FakeWdtk([], bodies=[make_body()]) as wdtk:
        wdtk.fail["/body/home_office.json"] = 503
        config = write_config(tmp_path, api, wdtk)
        result = run(config)
    assert result.returncode == 1
    assert "error: wdtk:" in result.stderr and "HTTP 503" in result.stderr
    assert "FAILED: wdtk" in result.stdout and "1 question fetched" in result.stdout
    record = last_run(tmp_path / "pq.db")
    assert record["status"] == "failed" and json.loads(record["summary"])["steps"]["questions"]["ok"]


def test_verbose_says_what_each_step_did(tmp_path):
    with FakeParliamentAPI([question(501, TRAFFICKING, 10)]) as api, FakeWdtk([], bodies=[make_body()]) as wdtk:
        result = run(write_config(tmp_path, api, wdtk), "--verbose")
    assert result.returncode == 0, result.stderr
    for step in ("questions:", "wdtk:", "classify:", "match:"):
        assert step in result.stderr


# ---------------------------------------------------------------------------------------------
# the config


def config_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "watch.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'database = "pq.db"\n[sources.wdtk]\nbase_url = "ftp://example.org"\n',
            "config: sources.wdtk.base_url: not an http URL",
        ),
        ('output = "out"\n', "config: database: missing"),
        ('database = "pq.db"\ndepartments = ["no such department at all"]\n', "config: departments:"),
        (
            'database = "pq.db"\n[sources.questions]\nrate = "fast"\n',
            "config: sources.questions.rate: must be a number, not text",
        ),
        (
            'database = "pq.db"\n[sources.questions]\nretries = 99\n',
            "config: sources.questions.retries: must be between 0 and 20",
        ),
        ('database = "pq.db"\nfrom = "2019-13-01"\n', "config: from: must be a date"),
        ('database = "pq.db"\nfrom = 2019-06-01\nto = 2019-01-01\n', "config: to: 2019-01-01 is before from"),
        ('database = "pq.db"\nsince = "yesterday"\n', 'config: since: must be "last-run"'),
        ('database = "pq.db"\n[sources.wdtk]\nbodys = ["home_office"]\n', "config: sources.wdtk.bodys: unknown key"),
        (
            'database = "pq.db"\n[sources.wdtk]\nstatuses = ["won"]\n',
            "config: sources.wdtk.statuses: unknown status 'won'",
        ),
        ('database = "pq.db"\n[sources.wdtk]\nenabled = "yes"\n', "config: sources.wdtk.enabled: must be true/false"),
        ('database = "pq.db"\n[sources.wdtk]\n', "config: sources.wdtk.bodies: give the authorities"),
        ('database = "pq.db"\n[sourcez]\n', "config: sourcez: unknown key"),
        ('database = "pq.db"\nsources = 3\n', "config: sources: must be a table"),
        ("database = \n", "is not valid TOML"),
        ('database = "pq.db"\nsite = "javascript:alert(1)"\n', "config: site: not an http URL"),
    ],
)
def test_a_bad_config_names_the_key_and_the_reason(tmp_path, text, message):
    assert message in config_error(tmp_path, text)


def test_a_bad_config_exits_2_with_one_line(tmp_path):
    path = tmp_path / "watch.toml"
    path.write_text('database = "pq.db"\n[sources.wdtk]\nbase_url = "ftp://x"\n')
    result = run(path, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: config: sources.wdtk.base_url: not an http URL")
    assert "Traceback" not in result.stderr and not (tmp_path / "pq.db").exists()


def test_init_writes_an_example_that_reads_back_and_never_overwrites(tmp_path):
    path = tmp_path / "watch.toml"
    assert subprocess.run(command("run", "--init", path), env=environment(), check=False).returncode == 0
    assert path.read_text() == EXAMPLE
    config = load_config(path)
    assert config.database == tmp_path / "pq.db" and config.departments == ("home-office",)
    assert config.wdtk.bodies == ("home_office",) and config.govuk.organisations == ("home-office",)
    again = subprocess.run(
        command("run", "--init", path), capture_output=True, text=True, env=environment(), check=False
    )
    assert again.returncode == 2 and "is there already" in again.stderr


def test_outputs_that_cannot_be_written_leave_the_pairs_new_for_the_next_digest(tmp_path):
    (tmp_path / "out").write_text("a file where the output folder should be")
    first_foi = foi(7001, "trafficking_detention", *TRAFFICKING_FOI, days_ago=20)
    with FakeParliamentAPI([question(501, TRAFFICKING, 10)]) as api, FakeWdtk([first_foi]) as wdtk:
        config = write_config(tmp_path, api, wdtk)
        blocked = run(config)
        assert blocked.returncode == 2
        assert "error: outputs: cannot make the output folder" in blocked.stderr
        (tmp_path / "out").unlink()
        result = run(config)
    assert result.returncode == 0, result.stderr
    pairs = stored_pairs(tmp_path / "pq.db")
    assert pairs and sorted(digest_ids(tmp_path)) == sorted(pairs)


def test_a_fixed_range_with_gov_uk_and_folders(tmp_path):
    start = (TODAY - timedelta(days=60)).isoformat()
    (tmp_path / "foi").mkdir()
    record = {
        "id": "held-1",
        "url": "https://example.org/foi/held-1",
        "authority": "Home Office",
        "date": (TODAY - timedelta(days=15)).isoformat(),
        "title": "Victims of modern slavery granted leave",
        "request_text": "How many confirmed victims of modern slavery were granted discretionary leave?",
        "response_text": "In 2025, 27 confirmed victims of modern slavery were granted discretionary leave to remain.",
        "outcome": "disclosed",
    }
    (tmp_path / "foi" / "held.jsonl").write_text(json.dumps(record) + "\n")
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "answers.jsonl").write_text(json.dumps({"value": question(601, SLAVERY, 4)}) + "\n")
    (tmp_path / "dumps" / "other.json").write_text('{"not": "a question"}')
    with FakeGovuk() as govuk, FakeParliamentAPI([question(501, TRAFFICKING, 10)]) as api:
        govuk.add_item(organisation_item("home-office", "Home Office"))
        pdf = govuk.add_file("/media/reply.pdf", tiny_pdf(TRAFFICKING_FOI[1]), "application/pdf")
        published = f"{(TODAY - timedelta(days=20)).isoformat()}T09:30:00.000+00:00"
        govuk.add_release(
            make_release(
                "trafficking",
                TRAFFICKING_FOI[0],
                published=published,
                attachments=[file_attachment("pdf", pdf)],
                base=govuk.url,
            )
        )
        config = tmp_path / "watch.toml"
        config.write_text(
            f'database = "pq.db"\noutput = "out"\ndepartments = ["Home Office"]\nfrom = {start}\n'
            f'[sources.questions]\nbase_url = "{api.url}"\nrate = 1000.0\n'
            f'[sources.govuk]\nbase_url = "{govuk.url}"\nbackoff = 0.0\n'
            '[folders]\nfoi = ["foi/held.jsonl"]\nquestions = ["dumps"]\n'
        )
        first = run(config)
        assert first.returncode == 0, first.stderr
        searches = len(govuk.paths("/api/search.json"))
        second = run(config)
        assert second.returncode == 0, second.stderr
        later = [r for r in govuk.requests[:] if r.path == "/api/search.json"][searches:]
    steps = json.loads(last_run(tmp_path / "pq.db")["summary"])["steps"]
    assert steps["govuk"]["since"] == (TODAY - timedelta(days=3)).isoformat()  # the second run: since the first
    assert later and all(f"from:{TODAY - timedelta(days=3)}" in r.query["filter_public_timestamp"][0] for r in later)
    assert steps["folders"]["question_files_skipped"] == 1 and steps["folders"]["questions"] == 1
    assert "FOI request from GOV.UK (1 new)" in first.stdout and "from files (1 new)" in first.stdout
    assert "1 warning" in first.stdout  # the file that is not a question, counted, shown with --verbose
    with sqlite3.connect(tmp_path / "pq.db") as conn:
        kinds = {
            row[0]
            for row in conn.execute("SELECT f.source FROM matches m JOIN foi_requests f ON f.id = m.foi_request_id")
        }
    assert kinds >= {"govuk", "file"}, kinds

"""``datasette pq.db -m metadata.json`` is useful at once: a real Datasette, started as a process on
a free local port over a copy of the demo database with the metadata ``pqcheck datasette-metadata``
writes, serves the ``pairs`` view strongest first with its title, and labels the ids of ``matches``.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time

import pytest
import requests
from click.testing import CliRunner

from pqcheck.cli import cli

from .support.webserver import copy_db

pytest.importorskip("datasette", reason="datasette is in the test extra: pip install -e '.[test]'")
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def datasette(demo_db, tmp_path):
    """A Datasette serving ``pq.db`` (a copy of the demo) with pqcheck's metadata: its base URL."""
    db_path = copy_db(demo_db, tmp_path / "pq.db")
    metadata = tmp_path / "metadata.json"
    written = CliRunner().invoke(cli, ["datasette-metadata", str(db_path), "-o", str(metadata)])
    assert written.exit_code == 0, written.output
    port = free_port()
    command = [sys.executable, "-m", "datasette", str(db_path), "-m", str(metadata), "-h", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                if requests.get(f"{base}/-/versions.json", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
                pytest.fail(f"datasette did not start: {output[-2000:]}")
            time.sleep(0.2)
        yield base, db_path, json.loads(metadata.read_text(encoding="utf-8"))
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        process.stdout.close()


def test_datasette_serves_the_pairs_view_strongest_first_with_its_labels(datasette):
    base, db_path, metadata = datasette
    assert set(metadata["databases"]) == {"pq"}
    served = requests.get(f"{base}/pq/pairs.json", params={"_shape": "objects", "_size": "max"}, timeout=15)
    assert served.status_code == 200, served.text[:500]
    rows = served.json()["rows"]
    conn = sqlite3.connect(db_path)
    count = conn.execute("SELECT count(*) FROM matches").fetchone()[0]
    top = conn.execute("SELECT id, score FROM matches ORDER BY score DESC LIMIT 1").fetchone()
    conn.close()
    assert len(rows) == count > 0
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)  # the default sort
    assert (rows[0]["match_id"], rows[0]["score"]) == top
    assert {"question", "answer", "refusal", "evidence", "score", "verdict"} <= set(rows[0])
    assert rows[0]["question"] and rows[0]["answer"] and rows[0]["refusal"] and rows[0]["evidence"]

    # the page has the title, description, licences and source of the metadata
    page = requests.get(f"{base}/pq/pairs", timeout=15).text
    assert "Matched pairs" in page and "A pair is a lead to check, not proof." in page
    assert "Open Parliament Licence v3.0" in page
    home = requests.get(f"{base}/", timeout=15).text
    assert "pqcheck: refusals to Parliament, and what FOI released" in home
    assert "Open Government Licence v3.0" in home  # in the description's attributions

    # an id that points at another table shows that row's label (its declared foreign key)
    labelled = requests.get(
        f"{base}/pq/matches.json", params={"_shape": "objects", "_labels": "on", "_size": "5"}, timeout=15
    ).json()["rows"]
    question = labelled[0]["question_id"]
    assert isinstance(question, dict) and question["label"] and question["value"]
    headings = dict(sqlite3.connect(db_path).execute("SELECT id, heading FROM questions").fetchall())
    assert question["label"] == headings[question["value"]]

    # a table's search box searches its full-text index (over a view of the table)
    found = requests.get(
        f"{base}/pq/questions.json", params={"_shape": "objects", "_search": "trafficking"}, timeout=15
    ).json()["rows"]
    conn = sqlite3.connect(db_path)
    expected = conn.execute("SELECT rowid FROM questions_fts WHERE questions_fts MATCH 'trafficking'").fetchall()
    conn.close()
    assert found and sorted(r["id"] for r in found) == sorted(r[0] for r in expected)

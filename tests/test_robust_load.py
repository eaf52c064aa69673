"""Under load: `pqcheck serve` answers many searching clients while a fetch writes to the same
database (a separate `pqcheck fetch questions` process against the fake API): no errors, no
"database is locked", every fetched record stored. Latency is measured by bench/serve_load.py,
not asserted here."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from pqcheck.web.server import make_server

from .support.apiserver import FakeParliamentAPI, make_question_set
from .support.cli import pqcheck_executable

CLIENTS = 50
QUERIES = ("trafficking detention", '"immigration detention"', "prison OR prisons", "victims -modern", "asylum")


def test_fifty_searching_clients_while_a_fetch_writes(demo_copy: Path):
    today = datetime.now(UTC).date()
    questions = make_question_set(200, today=today)
    failures: list[str] = []
    served = [0] * CLIENTS
    with FakeParliamentAPI(questions) as api:
        api.add_fault("slow", delay=0.01, times=None)  # a fetch that lasts a while
        running = make_server(demo_copy, "127.0.0.1", 0)
        threading.Thread(target=running.run, daemon=True).start()
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()} | {"NO_PROXY": "127.0.0.1"}
        command = [pqcheck_executable(), "fetch", "questions", str(demo_copy), "--api-url", api.url]
        command += ["--from", str(today - timedelta(days=60)), "--rate", "1000", "--quiet", "--json"]
        fetch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:

            def client(n: int) -> None:
                session = requests.Session()
                session.trust_env = False
                while fetch.poll() is None or served[n] < 3:
                    query = QUERIES[(n + served[n]) % len(QUERIES)]
                    try:
                        response = session.get(running.url + "search", params={"q": query}, timeout=30)
                    except requests.RequestException as exc:
                        failures.append(f"client {n}: {exc}")
                        return
                    if response.status_code != 200 or "locked" in response.text:
                        failures.append(f"client {n}: {response.status_code} {response.text[:200]}")
                        return
                    served[n] += 1

            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            _out, err = fetch.communicate(timeout=240)
            for thread in threads:
                thread.join(timeout=60)
        finally:
            if fetch.poll() is None:
                fetch.kill()
            running.close()
    assert fetch.returncode == 0, err
    assert not failures, failures[:5]
    assert sum(served) >= CLIENTS * 3
    conn = sqlite3.connect(demo_copy)
    stored = {row[0] for row in conn.execute("SELECT id FROM questions")}
    assert {q["id"] for q in questions} <= stored  # every fetched record, beside the demo's own
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

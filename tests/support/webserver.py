"""The web interface under test: the real waitress server of ``pqcheck serve`` on 127.0.0.1 and a
free port, run in a background thread, over a demo database or a copy of one.

- :func:`serving`: a context manager giving the :class:`~pqcheck.web.server.Running` server (its
  ``url`` and ``token``); on leaving, the server is closed and its thread must have ended.
- :func:`build_demo_db`: ``pqcheck demo``'s database, built into a folder.
- :func:`copy_db`: a consistent copy of a database (SQLite's backup API, so a WAL file is included),
  for tests that write to it.
- :func:`pair_id`: the match id of a demo pair, from its UIN and the start of its FOI title.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pqcheck.demo import build_demo
from pqcheck.web.server import Running, make_server

LOOPBACK = "127.0.0.1"
HOME_OFFICE_FOI = "Potential victims of trafficking in immigration detention, 2018 (stand-in)"


@contextmanager
def serving(db_path: str | Path, *, token: str | None = None, **options: Any) -> Iterator[Running]:
    """``options``: more of :func:`make_server`'s (``allow_hosts``, ``trusted_proxy``)."""
    running = make_server(db_path, LOOPBACK, 0, token=token, **options)
    thread = threading.Thread(target=running.run, name="pqcheck-web-test", daemon=True)
    thread.start()
    try:
        yield running
    finally:
        running.close()
        thread.join(10)
        assert not thread.is_alive(), "the server's thread did not end after close()"


def build_demo_db(folder: Path) -> Path:
    return build_demo(Path(folder)).db_path


def copy_db(source: str | Path, target: str | Path) -> Path:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return Path(target)


def pair_id(db_path: str | Path, uin: str, foi_title: str | None = None) -> str:
    """The id of the pair of written answer ``uin`` and the FOI titled ``foi_title`` (or, without
    a title, its best-scored pair)."""
    sql = """SELECT m.id FROM matches m JOIN questions q ON q.id = m.question_id
             LEFT JOIN foi_requests f ON f.id = m.foi_request_id
             WHERE q.uin = ? AND (? IS NULL OR f.title = ?) ORDER BY m.score DESC, m.id LIMIT 1"""
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute(sql, [uin, foi_title, foi_title]).fetchone()
    finally:
        conn.close()
    assert row, f"no pair of UIN {uin} with {foi_title!r} in {db_path}"
    return row[0]


def reviews(db_path: str | Path) -> list[dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM reviews ORDER BY id")]
    finally:
        conn.close()

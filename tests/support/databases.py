"""Copies of SQLite databases, for tests that write to a database they share."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path


def copy_db(source: str | Path, target: str | Path) -> Path:
    """A consistent copy of ``source`` at ``target`` (SQLite's backup API, so a WAL file is included)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return Path(target)

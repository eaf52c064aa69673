from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from pqcheck.db import ensure_db_shape
from pqcheck.demo import build_demo
from pqcheck.progress import Progress

from .support.databases import copy_db

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


@pytest.fixture
def db():
    database = sqlite_utils.Database(memory=True)
    ensure_db_shape(database)
    yield database
    database.close()


@pytest.fixture
def parliament_samples() -> Path:
    folder = SAMPLES / "parliament"
    if not folder.is_dir():
        pytest.skip(f"real API samples not found at {folder} (the shared/ folder beside the repo)")
    return folder


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """``pqcheck demo``'s database (classified and matched), built once per session: never write to it."""
    return build_demo(tmp_path_factory.mktemp("demo"), progress=Progress(quiet=True)).db_path


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Path:
    """A copy of the demo database, for a test that writes."""
    return copy_db(demo_db, tmp_path / "pqcheck.db")

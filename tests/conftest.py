from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from pqcheck.db import ensure_db_shape

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

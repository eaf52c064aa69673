"""Importing questions from files: the recipe behind ``pqcheck import questions``."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from pathlib import Path

import sqlite_utils

from .progress import Progress
from .questions import SaveStats, save_questions
from .sources.question_files import QuestionFile

BATCH = 2000


def import_question_files(
    db: sqlite_utils.Database, paths: Iterable[str | Path], progress: Progress | None = None
) -> SaveStats:
    """Save every question in ``paths``, one transaction per batch.

    Each file's shape is checked before anything from it is saved; what earlier files and
    batches stored stays stored if a later one is bad.
    """
    progress = progress or Progress(quiet=True)
    stats = SaveStats()
    for path in paths:
        file = QuestionFile(path)
        progress.start(f"Importing {file.path.name}", file.total)
        records = iter(file)
        while batch := list(islice(records, BATCH)):
            stats.add(save_questions(db, batch))
            progress.advance(len(batch))
        progress.finish()
    return stats

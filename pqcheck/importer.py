"""Importing questions from files: the recipe behind ``pqcheck import questions``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path

import click
import sqlite_utils

from .progress import Progress
from .questions import SaveStats, save_questions
from .sources.question_files import QuestionFile

BATCH = 2000
MAX_REPORTED = 20  # skipped records reported one by one, per file; then only how many


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def import_question_files(
    db: sqlite_utils.Database,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    on_problem: Callable[[str], None] = warn,
) -> SaveStats:
    """Save every question in ``paths``, one transaction per batch.

    Each file's shape is checked before anything from it is saved; what earlier files and
    batches stored stays stored if a later one is bad. A record that cannot be read is skipped
    and reported to ``on_problem`` (after ``MAX_REPORTED`` in a file, only how many there were).
    """
    progress = progress or Progress(quiet=True)
    stats = SaveStats()
    for path in paths:
        skipped: list[str] = []

        def report(message: str, skipped: list[str] = skipped) -> None:
            skipped.append(message)
            if len(skipped) <= MAX_REPORTED:
                on_problem(message)

        file = QuestionFile(path, report)
        progress.start(f"Importing {file.path.name}", file.total)
        records = iter(file)
        while batch := list(islice(records, BATCH)):
            stats.add(save_questions(db, batch))
            progress.advance(len(batch))
        progress.finish()
        if len(skipped) > MAX_REPORTED:
            on_problem(f"{file.path}: {len(skipped)} records skipped in all")
        stats.skipped += len(skipped)
    return stats

"""Importing questions from files: the recipe behind ``pqcheck import questions``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path

import click
import sqlite_utils

from .errors import BadInput
from .progress import Progress
from .questions import SaveStats, save_questions
from .sources.question_files import QuestionFile

BATCH = 2000
SUFFIXES = (".json", ".jsonl")  # the files a folder given to the import is read for
MAX_REPORTED = 20  # skipped records reported one by one, per file; then only how many


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def import_question_files(
    db: sqlite_utils.Database,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    on_problem: Callable[[str], None] = warn,
) -> SaveStats:
    """Save every question in ``paths`` (files, or folders read for their ``.json`` and ``.jsonl``
    files), one transaction per batch.

    Each file's shape is checked before anything from it is saved. A file that is not in one of
    the API's shapes (or stops being JSON part-way) is reported to ``on_problem``, counted in
    ``files_skipped`` and left (what came before its bad line stays stored), and the import goes on
    with the next; if no file at all could be read, :class:`BadInput` says why. A record that cannot
    be read is skipped and reported (after ``MAX_REPORTED`` in a file, only how many there were).
    """
    progress = progress or Progress(quiet=True)
    stats = SaveStats()
    files = question_paths(paths)
    problem: BadInput | None = None
    for path in files:
        skipped: list[str] = []

        def report(message: str, skipped: list[str] = skipped) -> None:
            skipped.append(message)
            if len(skipped) <= MAX_REPORTED:
                on_problem(message)

        try:
            _import_file(db, QuestionFile(path, report), stats, progress)
        except BadInput as exc:
            progress.finish()
            problem = exc
            stats.files_skipped += 1
            if len(files) > 1:
                on_problem(f"{exc} (file skipped)")
        if len(skipped) > MAX_REPORTED:
            on_problem(f"{path}: {len(skipped)} records skipped in all")
        stats.skipped += len(skipped)
    if problem is not None and stats.files_skipped == len(files):
        raise problem if len(files) == 1 else BadInput(f"none of the {len(files)} files could be imported: {problem}")
    return stats


def question_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The files to import: each file given, and each folder's ``.json``/``.jsonl`` files (in it and
    below it, in name order); :class:`BadInput` for a folder that holds none."""
    files = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
        if not found:
            raise BadInput(f"{path} holds no .json or .jsonl files to import")
        files += found
    return files


def _import_file(db: sqlite_utils.Database, file: QuestionFile, stats: SaveStats, progress: Progress) -> None:
    progress.start(f"Importing {file.path.name}", file.total)
    records = iter(file)
    while batch := list(islice(records, BATCH)):
        stats.add(save_questions(db, batch))
        progress.advance(len(batch))
    progress.finish()

"""Files pqcheck writes (reports, review exports): all or nothing, and never over the database.

:func:`atomic_output` writes to a temporary file beside the target and renames it into place only
when everything was written, so a full disk or an interrupted run leaves the old file as it was and
no temporary file behind. ``-`` means standard output.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from .errors import BadInput, PqcheckError

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


@contextmanager
def atomic_output(path: str | Path, *, database: str | Path | None = None) -> Iterator[TextIO]:
    """A UTF-8 text handle whose content replaces ``path`` only when the ``with`` block completes.

    Raises :class:`BadInput` when ``path`` is ``database`` or one of its SQLite files, or cannot be
    created; :class:`PqcheckError` when the write fails (a full disk, say), the old file untouched.
    """
    if str(path) == "-":
        with click.open_file("-", "w", encoding="utf-8") as handle:
            yield handle
        return
    if database is not None:
        refuse_database_path(path, database)
    target = Path(os.path.realpath(path))  # through a symlink, as a plain open() would write
    handle, temporary = _open_beside(target, shown=path)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise PqcheckError(f"cannot write {path}: {exc.strerror or exc}; the file was left as it was") from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def refuse_database_path(path: str | Path, database: str | Path) -> None:
    """Raise :class:`BadInput` when ``path`` names ``database`` or its ``-wal``/``-shm``/``-journal`` file."""
    output = os.path.realpath(path)
    for suffix in SQLITE_COMPANIONS:
        spellings = {os.path.realpath(f"{database}{suffix}"), os.path.realpath(database) + suffix}
        if output in spellings or any(_same_file(output, spelling) for spelling in spellings):
            what = f"the database {database}" + (f" (its {suffix} file)" if suffix else "")
            raise BadInput(f"{path} is {what}: write the output to another file")


def _same_file(a: str, b: str) -> bool:
    """Whether two existing paths are one file (a hard link, or another spelling of the name)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _open_beside(target: Path, *, shown: str | Path) -> tuple[TextIO, Path]:
    """Create a new temporary file in ``target``'s folder (with ``target``'s permissions if it exists)."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise BadInput(f"cannot write {shown}: {exc.strerror or exc}") from exc
    try:
        if target.exists():
            os.fchmod(fd, stat.S_IMODE(target.stat().st_mode))
        return os.fdopen(fd, "w", encoding="utf-8"), temporary
    except BaseException:
        os.close(fd)
        temporary.unlink(missing_ok=True)
        raise

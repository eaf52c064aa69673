"""Progress reporting on stderr for long runs; silent when ``--quiet`` is given."""

from __future__ import annotations

import sys

import click


class Progress:
    """A click progress bar per stage, written to stderr."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self._bar = None
        self._counting: str | None = None  # label of a count with no known total
        self._count = 0

    def start(self, label: str, total: int | None) -> None:
        """A bar when the total is known; otherwise a running count (on a terminal)."""
        self.finish()
        if self.quiet:
            return
        if total is None:
            self._counting, self._count = label, 0
        else:
            self._bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self._bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)
        elif self._counting is not None:
            self._count += n
            if sys.stderr.isatty():
                sys.stderr.write(f"\r{self._counting}: {self._count}")
                sys.stderr.flush()

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        if self._counting is not None and sys.stderr.isatty():
            sys.stderr.write("\n")
        self._counting = None

    def note(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

"""Progress reporting on stderr for long runs; silent when ``--quiet`` is given."""

from __future__ import annotations

import sys

import click


class Progress:
    """A click progress bar per stage, written to stderr."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self._bar = None

    def start(self, label: str, total: int | None) -> None:
        self.finish()
        if not self.quiet:
            self._bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self._bar.__enter__()

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def note(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

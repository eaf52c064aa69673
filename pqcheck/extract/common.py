"""Helpers shared by the extractors: decoding text files and rendering table rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pqcheck.extract.model import Run


def read_text(path: Path, encoding: str | None, run: Run) -> str:
    """The file decoded with ``encoding`` (from sniffing), else UTF-8, else cp1252, else latin-1.

    A fallback is noted in ``run.notes``; latin-1 always decodes, so this never fails on content.
    """
    data = path.read_bytes()
    tried = []
    for codec in (encoding or "utf-8", "utf-8", "cp1252"):
        if codec in tried:
            continue
        tried.append(codec)
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if codec not in {"utf-8", "utf-8-sig", "ascii"}:
            run.notes.append(f"text decoded as {codec}")
        return text
    run.notes.append("text is neither UTF-8 nor cp1252; decoded as latin-1")
    return data.decode("latin-1")


def clean_cell(value: Any) -> str:
    """One table cell as text on one line: None is empty, whitespace runs collapse to one space."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return " ".join(str(value).replace("|", "/").split())


def format_number(value: float) -> str:
    """A spreadsheet number as a person would type it: ``507`` not ``507.0``, no float noise."""
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10g}"
    return text


def render_row(cells: Iterable[Any]) -> str:
    """``a | b | c``; trailing empty cells dropped; an all-empty row gives ``""``."""
    values = [clean_cell(cell) for cell in cells]
    while values and not values[-1]:
        values.pop()
    if not any(values):
        return ""
    return " | ".join(values)

"""CSV and TSV files: the delimiter sniffed, each record rendered as ``a | b | c``, one page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pqcheck.extract.common import read_text, render_row
from pqcheck.extract.model import Extraction, PageText, Run
from pqcheck.extract.sniff import csv_delimiter

FIELD_LIMIT = 1_000_000  # characters in one field; longer fields are cut, not an error


def extract_csv(path: Path, encoding: str | None, run: Run, extraction: Extraction) -> None:
    text = read_text(path, encoding, run)
    delimiter = csv_delimiter(text[:65536], strict=False) or ","
    lines = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        for number, row in enumerate(reader):
            if number % 1000 == 0 and run.timed_out():
                run.cut_once(f"timed out after {run.limits.timeout_seconds:g} s at record {number + 1:,}")
                break
            line = render_row(cell[:FIELD_LIMIT] for cell in row)
            if line:
                lines.append(run.take(line))
                if run.full:
                    break
    except csv.Error as error:
        # e.g. a field over the csv module's size limit: keep what was read, say where it stopped
        run.cut_once(f"CSV parsing stopped at line {reader.line_num:,}: {error}")
    extraction.pages = [PageText(1, "\n".join(lines))]
    extraction.page_count = 1
    if delimiter != ",":
        run.notes.append(f"delimiter {delimiter!r}")

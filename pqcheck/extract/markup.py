"""HTML (scripts and styles dropped, tables as ``a | b`` rows) and plain text, one page each."""

from __future__ import annotations

from pathlib import Path

from pqcheck.extract.common import read_text
from pqcheck.extract.model import Extraction, PageText, Run
from pqcheck.text import html_to_text, looks_like_html


def extract_markup(path: Path, kind: str, encoding: str | None, run: Run, extraction: Extraction) -> None:
    raw = read_text(path, encoding, run)
    text = html_page_text(raw) if kind == "html" else plain_text(raw)
    extraction.pages = [PageText(1, run.take(text))]
    extraction.page_count = 1


def html_page_text(html: str) -> str:
    """Text of a whole HTML page through :func:`pqcheck.text.html_to_text`.

    ``html_to_text`` treats input without one of its block tags as plain text; a page whose
    markup is only ``<html><body>…`` is wrapped in a ``div`` so its tags are still parsed.
    """
    if not looks_like_html(html):
        html = f"<div>{html}</div>"
    return html_to_text(html) or ""


def plain_text(text: str) -> str:
    """Line endings normalised, trailing spaces and form feeds removed; alignment inside lines kept.

    Runs of spaces and tabs are kept: whitespace-aligned columns are how plain-text tables show.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    blank = 0
    for line in lines:
        if line.strip():
            blank = 0
            out.append(line)
        else:
            blank += 1
            if blank == 1 and out:
                out.append("")
    return "\n".join(out).strip("\n")

"""Upstream text made safe to use: HTML as plain text that keeps its structure, the one guard of
links (http(s) URLs only) and the one guard of CSV cells (no formulas)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString

_HTML_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|div|table|tbody|thead|tr|td|th|ul|ol|li|a|strong|em|b|i|u|span|h[1-6]|"
    r"sup|sub|blockquote|script|style)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCKS = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote"]
_BLANK_RUNS = re.compile(r"\n{3,}")
_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A cell starting with one of these is a formula to a spreadsheet (= + - @, and tab and carriage
# return, which some strip before looking); one starting with the quote itself is quoted too, so that
# :func:`csv_unquote` gives back exactly what :func:`csv_safe` was given.
CSV_QUOTED_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def looks_like_html(text: str | None) -> bool:
    """True if ``text`` carries HTML markup (the detail endpoint) rather than plain text (lists)."""
    return bool(text) and _HTML_TAG.search(text) is not None


def without_surrogates(value: Any) -> Any:
    """``value`` (a string, or lists and dicts of them) with every lone UTF-16 surrogate, which
    cannot be stored or printed, as U+FFFD. JSON escapes (``"\\ud800"``) and undecodable bytes in
    command-line arguments (``\\udcff``) bring them in."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value


def normalise_whitespace(text: str) -> str:
    """Collapse spaces inside lines and runs of blank lines; keep paragraph breaks."""
    if "\n" not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str | None) -> str | None:
    """Plain text from an HTML answer: paragraphs on their own lines, table rows as ``a | b``.

    Scripts and styles are dropped; text that is not HTML is returned with whitespace tidied.
    """
    if html is None:
        return None
    if not looks_like_html(html):
        return normalise_whitespace(html)
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    for string in soup.find_all(string=True):
        if "\n" in string and not isinstance(string, Comment) and string.find_parent("pre") is None:
            string.replace_with(NavigableString(_SPACES.sub(" ", string)))  # source line breaks are not text
    for table in soup.find_all("table"):
        if table.find_parent("table") is None:
            table.replace_with(NavigableString(f"\n\n{_table_rows(table)}\n\n"))
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for item in soup.find_all("li"):
        item.insert_before(NavigableString("\n- "))
    for block in soup.find_all(_BLOCKS):
        block.insert_before(NavigableString("\n\n"))
        block.insert_after(NavigableString("\n\n"))
    return normalise_whitespace(soup.get_text())


def _table_rows(table) -> str:
    """One line per table row, cells joined with `` | ``."""
    rows = []
    for row in table.find_all("tr"):
        cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["td", "th"])]
        rows.append(" | ".join(cells))
    return "\n".join(rows)


def safe_url(url: Any) -> str | None:
    """``url`` (without surrounding spaces) if it is an http(s) address with a host, else None: a
    ``javascript:``, ``data:`` or ``file:`` address from a fetched page or a local file is never made
    a link."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def csv_safe(value: Any) -> Any:
    """``value`` for a CSV cell: text starting like a formula (or with an apostrophe) gets a leading
    apostrophe, so a spreadsheet shows it as text."""
    if isinstance(value, str) and value.startswith(CSV_QUOTED_STARTS):
        return "'" + value
    return value


def csv_unquote(value: Any) -> Any:
    """A CSV cell read back: the apostrophe :func:`csv_safe` put before it taken off."""
    if isinstance(value, str) and value[:1] == "'" and value[1:].startswith(CSV_QUOTED_STARTS):
        return value[1:]
    return value

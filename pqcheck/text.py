"""Upstream text made safe to use: HTML as plain text that keeps its structure (in one linear pass),
numbers read from ASCII digits only and bounded, lone surrogates replaced, the one guard of links
(http(s) URLs only), the one guard of CSV cells (no formulas), text as HTML with spans marked, and
counts in words (:func:`plural`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, CData, NavigableString, PageElement, Tag
from markupsafe import Markup, escape

_HTML_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|div|table|tbody|thead|tr|td|th|ul|ol|li|a|strong|em|b|i|u|span|h[1-6]|"
    r"sup|sub|blockquote|script|style)\b[^>]*>",
    re.IGNORECASE,
)
_BLOCKS = frozenset(["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote"])
_DROPPED = frozenset(["script", "style"])
_TEXT_STRINGS = (NavigableString, CData)  # what BeautifulSoup's get_text reads
_BLANK_RUNS = re.compile(r"\n{3,}")
_SPACES = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")
# A cell starting with one of these is a formula to a spreadsheet (= + - @, and tab and carriage
# return, which some strip before looking); one starting with the quote itself is quoted too, so that
# :func:`csv_unquote` gives back exactly what :func:`csv_safe` was given.
CSV_QUOTED_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
_ASCII_DIGITS = re.compile("[0-9]+")
MAX_DIGITS = 18  # every number of this many digits fits a signed 64-bit integer


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


def ascii_int(text: str | None, max_digits: int = MAX_DIGITS) -> int | None:
    """The whole number ``text`` writes in ASCII digits (``"2019"``, ``"007"``), or None for anything
    else: a sign, spaces, digits of other scripts (``"²"``, ``"٣"``: ``isdigit`` is true for both) or
    more than ``max_digits`` digits (``int`` refuses past 4,300; SQLite stores at most 19)."""
    if not isinstance(text, str) or len(text) > max_digits or not _ASCII_DIGITS.fullmatch(text):
        return None
    return int(text)


def normalise_whitespace(text: str) -> str:
    """Collapse spaces inside lines and runs of blank lines; keep paragraph breaks."""
    if "\n" not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(html: str | None) -> str | None:
    """Plain text from an HTML answer: paragraphs on their own lines, table rows as ``a | b``.

    Scripts and styles are dropped; text that is not HTML is returned with whitespace tidied.
    One pass over the parsed tree, without recursion: time in proportion to the document, however
    deeply it nests.
    """
    if html is None:
        return None
    if not looks_like_html(html):
        return normalise_whitespace(html)
    soup = BeautifulSoup(html, "html.parser")
    return normalise_whitespace("".join(_pieces(soup)))


def _pieces(root: Tag) -> Iterator[str]:
    """The text under ``root`` in document order, with a blank line around each block, ``- ``
    before each list item, a line break for each ``<br>`` and each table as its rows."""
    stack: list[str | tuple[PageElement, bool]] = [(child, False) for child in reversed(root.contents)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):  # the separator after a block
            yield item
            continue
        node, in_pre = item
        if isinstance(node, NavigableString):
            yield _string_text(node, in_pre)
        elif node.name == "table":
            yield f"\n\n{_table_rows(node)}\n\n"
        elif node.name == "br":
            yield "\n"
        elif node.name not in _DROPPED:
            if node.name == "li":
                yield "\n- "
            elif node.name in _BLOCKS:
                yield "\n\n"
                stack.append("\n\n")
            in_pre = in_pre or node.name == "pre"
            stack.extend((child, in_pre) for child in reversed(node.contents))


def _string_text(string: NavigableString, in_pre: bool) -> str:
    """A string as text: line breaks in the source are spaces (except in ``<pre>``); comments,
    doctypes and other markup strings are no text."""
    if type(string) not in _TEXT_STRINGS:
        return ""
    return _SPACES.sub(" ", string) if "\n" in string and not in_pre else str(string)


def _table_rows(table: Tag) -> str:
    """One line per table row, cells joined with `` | ``. A string belongs to the nearest cell
    around it and a cell to the nearest row, so a table nested in a cell (or a cell left open)
    gives rows of its own rather than its text again in every cell around it."""
    rows: list[list[list[str]]] = []
    stack: list[tuple[PageElement, list | None, list | None]] = [(c, None, None) for c in reversed(table.contents)]
    while stack:
        node, row, cell = stack.pop()
        if isinstance(node, NavigableString):
            if cell is not None:
                cell.append(_string_text(node, True))
            continue
        if node.name in _DROPPED:
            continue
        if node.name == "tr":
            row, cell = [], None
            rows.append(row)
        elif node.name in ("td", "th") and row is not None:
            cell = []
            row.append(cell)
        stack.extend((child, row, cell) for child in reversed(node.contents))
    return "\n".join(" | ".join(" ".join(" ".join(cell).split()) for cell in row) for row in rows)


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


def marked(text: Any, spans: Any = ()) -> Markup:
    """``text`` escaped as HTML, with each (start, end) span in ``<mark>`` (spans that overlap an
    earlier one or fall outside the text are left out)."""
    text = "" if text is None else str(text)
    out, pos = [], 0
    for start, end in sorted({(int(s), int(e)) for s, e in spans or ()}):
        if start < pos or start >= end or end > len(text):
            continue
        out += [escape(text[pos:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def html_link(url: Any, label: Any) -> Markup:
    """``label`` linked to ``url`` when it is a web address; otherwise the label alone (a local
    file's path is never shown; a ``javascript:`` address cannot be clicked)."""
    target = safe_url(url)
    if target:
        return Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(target, label)
    return escape(label)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word`` in the number it needs: "1 question", "2 questions", "3 answers cut short"
    (``many``: the plural when it is not ``word`` + "s", e.g. ``plural(n, "pass", "passes")``)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"

"""Terminal views: a matched pair side by side, the review queue, and search hits.

Highlighted parts (the refusal phrase, the figures, the searched words) are bold on a terminal and
between ``**`` when the output is not one (click strips the styles), so piped output keeps them.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from .explain import describe_reasons, figure_spans
from .review import next_pairs, record_review
from .search import SearchResults, split_marks
from .vocabulary import CATEGORY_NAMES, EVIDENCE_NAMES

_ON, _OFF = "\ue002", "\ue003"  # highlight marks inside wrapped text
SIDE_BY_SIDE_MIN = 100  # narrower terminals get the two sides one under the other
TEXT_LIMIT = 1800  # characters of an answer or of evidence shown in the queue
KEYS = {"c": "confirmed", "r": "rejected", "n": "not-comparable"}
# Control characters (a terminal obeys escape sequences in text from an FOI document or an answer),
# the marks used here, and lone surrogates (which no terminal encoding can write), in text from
# outside: each is replaced by one character, so offsets hold.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ue000-\ue003\ud800-\udfff]")


def _safe(text: Any) -> str:
    """Text from the database, safe to print: ``\\r`` becomes a space, other control characters, stray
    marks and lone surrogates become U+FFFD (one for one: the offsets of the refusal phrase and figures
    hold)."""
    return _UNSAFE.sub(lambda m: " " if m.group() == "\r" else "\ufffd", "" if text is None else str(text))


def _marked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out += [text[pos:start], _ON, text[start:end], _OFF]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _styled(line: str, bold: bool, color: bool) -> tuple[str, bool]:
    """A wrapped line with its marks turned into styles, given whether a highlight runs on into
    it; and whether one runs on past it."""
    on, off = ("\x1b[1;33m", "\x1b[0m") if color else ("**", "**")
    out = [on] if bold and color else []
    for char in line:
        if char == _ON:
            bold = True
            out.append(on)
        elif char == _OFF:
            bold = False
            out.append(off)
        else:
            out.append(char)
    if bold and color:
        out.append(off)
    return "".join(out), bold


def _visible(line: str) -> int:
    return len(line.replace(_ON, "").replace(_OFF, ""))


def _wrap(text: str, width: int) -> list[str]:
    lines = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines


def _shorten(text: str | None, limit: int = TEXT_LIMIT) -> str:
    text = _safe(text).strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _answer_side(row: dict[str, Any]) -> str:
    answer = _safe(row["answer_text"])
    span = row.get("span")
    shown = _shorten(answer)
    lead = len(answer) - len(answer.lstrip())  # the offsets are in the text before _shorten strips it
    spans = [(span[0] - lead, span[1] - lead)] if span and lead <= span[0] and span[1] - lead <= len(shown) else []
    who = ", ".join(
        x for x in (row.get("asker_name"), row.get("minister_name") and f"answered by {row['minister_name']}") if x
    )
    category = row["category"]
    return "\n".join(
        [
            f"WRITTEN ANSWER  UIN {_safe(row['uin'])}  answered {_safe(row['date_answered'] or '?')[:10]}",
            _safe(f"{row['department']}{'; ' + who if who else ''}"),
            _safe(f"Refusal: {CATEGORY_NAMES.get(category, category or '?')} ({row['label'] or '?'})"),
            "",
            f"Q: {_shorten(row['question_text'], 600)}",
            "",
            "A: " + _marked(shown, spans),
        ]
    )


def _evidence_side(row: dict[str, Any]) -> str:
    evidence = _shorten(row["evidence_text"])
    spans, _ = figure_spans(evidence, row["figures"])
    if row["target_kind"] == "statement":
        head = [f"STATEMENT  {row['said']}", row["said_debate"] or ""]
    elif row["target_kind"] == "answer":
        head = [f"OTHER WRITTEN ANSWER  UIN {row['other_uin']}  answered {(row['other_date_answered'] or '?')[:10]}"]
    else:
        page = f", page {row['evidence_page']}" if row["evidence_page"] else ""
        page += f", {row['ocr_note']}" if row.get("ocr_note") else ""
        head = [
            f"{EVIDENCE_NAMES.get(row['evidence_kind'], 'FOI').upper()}  {row['foi_date_shown'] or '?'}",
            f"{row['foi_title'] or row['doc_title'] or '(untitled)'}",
            f"{row['foi_authority'] or ''}; outcome {row['foi_outcome'] or '?'}{page}",
        ]
    return "\n".join([*map(_safe, head), "", "Evidence: " + _marked(evidence, spans)])


def _plain(text: str, color: bool) -> str:
    """Without colour the marks become ``**`` before the text is wrapped, so that the wrapping (and
    the columns) count them."""
    return text if color else text.replace(_ON, "**").replace(_OFF, "**")


def pair_view(row: dict[str, Any], width: int | None = None, color: bool = False) -> str:
    """A pair as text: the answer and the evidence side by side (or stacked when narrow), then the
    timing, the score and its reasons, and the links."""
    width = width or shutil.get_terminal_size((120, 40)).columns
    left, right = _plain(_answer_side(row), color), _plain(_evidence_side(row), color)
    lines: list[str] = []
    if width >= SIDE_BY_SIDE_MIN:
        column = (width - 3) // 2
        a, b = _wrap(left, column), _wrap(right, column)
        a_bold = b_bold = False
        for i in range(max(len(a), len(b))):
            la = a[i] if i < len(a) else ""
            lb = b[i] if i < len(b) else ""
            pad = " " * (column - _visible(la))
            sa, a_bold = _styled(la, a_bold, color)
            sb, b_bold = _styled(lb, b_bold, color)
            lines.append(f"{sa}{pad} │ {sb}".rstrip())
    else:
        bold = False
        for line in [*_wrap(left, width), "─" * min(width, 60), *_wrap(right, width)]:
            styled, bold = _styled(line, bold, color)
            lines.append(styled)
    lines += ["", *_wrap_line(f"{row['timing']}.  Score {row['score'] or 0:.2f}  (match {row['match_id']})", width)]
    for reason in describe_reasons(row["reasons_obj"]):
        lines += _wrap_line(f"  {reason}", width, "      ")
    links = [x for x in (row.get("question_link"), row.get("evidence_link")) if x]
    lines += [f"  {_safe(link)}" for link in links]  # whole, so that a terminal can open them
    return "\n".join(lines)


def _wrap_line(text: str, width: int, indent: str = "") -> list[str]:
    """One line of the summary under the pair, wrapped (words are not broken: ids stay whole)."""
    return textwrap.wrap(
        _safe(text), width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False
    ) or [""]


@dataclass
class QueueIO:
    """How the queue talks to the person: echo a line, read a key, ask for a line of text."""

    echo: Callable[[str], None]
    getchar: Callable[[], str]
    prompt: Callable[[str], str]
    width: int | None = None
    color: bool = False

    @classmethod
    def lines(cls, stream: TextIO, echo: Callable[[str], None], *, width: int | None = None, color: bool = False):
        """Reads a line for each key (its first letter) and for each note: for input that is not a
        terminal (a pipe, a file, a test), where ``click.getchar`` would read the terminal instead,
        or fail, and would leave the rest of each line to be read as keys."""

        def getchar() -> str:
            line = stream.readline()
            return (line.strip()[:1] or "\n") if line else ""  # "": the end of the input, which quits

        def prompt(text: str) -> str:
            echo(f"{text}:")
            return stream.readline().rstrip("\r\n")

        return cls(echo=echo, getchar=getchar, prompt=prompt, width=width, color=color)


def run_queue(db, filters, io: QueueIO, *, reviewer: str, note: str | None = None, ask_note: bool = True) -> dict:
    """Show the strongest unreviewed pair, record the verdict of a key press, and go on until the
    queue is empty or the person quits. Returns counts by verdict (and ``skipped``)."""
    skipped: list[str] = []
    done = {"confirmed": 0, "rejected": 0, "not-comparable": 0, "skipped": 0}
    while True:
        pending = next_pairs(db, filters, skip=skipped)
        if not pending:
            io.echo("No unreviewed pairs left." if not skipped else "No more unreviewed pairs (some were skipped).")
            return done
        row = pending[0]
        io.echo("")
        io.echo(pair_view(row, io.width, io.color))
        io.echo("")
        io.echo("[c] confirmed  [r] rejected  [n] not comparable  [s] skip  [q] quit")
        key = _read_key(io)
        if key == "q":
            return done
        if key == "s":
            skipped.append(row["match_id"])
            done["skipped"] += 1
            continue
        verdict = KEYS[key]
        text = note
        if text is None and ask_note:
            text = io.prompt("Note (Enter for none)").strip() or None
        record_review(db, row["match_id"], verdict, note=text, reviewer=reviewer)
        done[verdict] += 1
        io.echo(f"Recorded: {verdict} for {row['match_id'][:12]}")


def _read_key(io: QueueIO) -> str:
    while True:
        try:
            key = _as_text(io.getchar()).lower()
        except EOFError:  # Ctrl-D at click.getchar
            return "q"
        if key in KEYS or key in ("s", "q"):
            return key
        if key in ("\x03", "\x04", ""):  # Ctrl-C, Ctrl-D, end of input
            return "q"
        io.echo("Press c, r, n, s or q.")


def _as_text(key: str | bytes | None) -> str:
    """A key as text: bytes (valid UTF-8 or not) are decoded, undecodable ones to U+FFFD."""
    if isinstance(key, bytes):
        return key.decode("utf-8", "replace")
    return key or ""


def search_view(results: SearchResults, color: bool = False) -> str:
    """Search results as text: per kind, the hits with their snippets (matched words highlighted)."""
    names = {"pairs": "Matched pairs", "answers": "Written answers", "foi": "FOI disclosures"}
    out = [_safe(f"Search: {results.query}")]
    for kind, hits in results.hits.items():
        total = results.totals[kind]
        more = "+" if results.capped[kind] else ""
        out += ["", f"{names[kind]}: {total:,}{more} found" + (f", showing {len(hits)}" if hits else "")]
        if results.windowed.get(kind):
            out.append("  (so many rows have these words that only the latest were ranked: add words to narrow)")
        for i, hit in enumerate(hits, 1):
            extra = ""
            if hit.kind == "pair":
                verdict = hit.details.get("verdict") or "unreviewed"
                extra = f"; score {hit.details['score'] or 0:.2f}, {verdict}"
            elif hit.kind == "answer" and hit.details.get("label"):
                extra = f"; {hit.details['label']}"
            out.append(_safe(f"{i:>3}. {hit.title}"))
            out.append(_safe(f"     {hit.department or '?'}; {(hit.date or '?')[:10]}{extra}; id {hit.id}"))
            text, spans = split_marks(hit.snippet)
            styled, _ = _styled(_marked(_safe(text).replace("\n", " "), spans), False, color)
            out.append(f"     {styled}")
            if hit.kind == "pair" and hit.details.get("target_kind") == "statement" and hit.details.get("said_url"):
                out.append(_safe(f"     {hit.details['said_url']}"))
    return "\n".join(out)

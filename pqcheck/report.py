"""Reports of matched pairs: markdown and one self-contained HTML page for researchers, CSV and
JSON for tools.

``write_report(db, out, fmt=..., filters=...)`` writes the pairs of :mod:`pqcheck.pairs` (each a
written answer that declined to give information, paired with an FOI response or another answer
that gave it, with their refusal, question, members, FOI request and document, and the latest
review) strongest first (score descending, then match id), after their summary;
``stream_report`` gives the CSV or JSON in pieces (the web's exports).

Every format is deterministic: the same database gives byte-identical output, and nothing in it
comes from the clock. The markdown is meant for GitHub: upstream text is escaped so that it
cannot add HTML, links, tables or headings; links are only made to ``http(s)`` addresses; the
contents link to explicit anchors (``<a id="pair-MATCH_ID">``) that work in
any renderer; each pair shows its match id and the ``pqcheck review`` line that records a verdict.

Provenance (pqcheck version, the data's date, sources, the Open Parliament Licence and Open
Government Licence attributions) ends the markdown and the HTML and is the JSON's ``provenance``
object; the CSV holds its header and rows only (so any CSV reader takes it as it is), starting
with a UTF-8 byte-order mark so that spreadsheets read its accents right.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

import orjson
import sqlite_utils
from jinja2 import Environment, PackageLoader, select_autoescape

from .errors import BadInput
from .explain import describe_reasons, figure_spans, number_text
from .pairs import PairQuery, ReportFilters, iter_pairs, report_scope
from .provenance import provenance
from .text import csv_safe, html_link, marked, safe_url
from .vocabulary import CATEGORY_NAMES, CUT_SHORT_NOTE, EVIDENCE_NAMES, REFUSAL_LABELS

FORMATS = ("md", "csv", "json", "html")
BOM = "\ufeff"  # first in a CSV, so that spreadsheets read it as UTF-8
VERDICT_LINE = 'pqcheck review {db} {match_id} --verdict confirmed|rejected|not-comparable --note "..."'
TOC_SIZE = 50  # pairs listed in the markdown table of contents
CSV_CHUNK = 200  # rows of CSV in each piece of a streamed export


@dataclass
class ReportStats:
    """What one report covered (also the ``summary`` of the JSON form)."""

    fmt: str
    answers: int = 0  # substantive written answers within the filters
    refusals: int = 0  # of which refusals (label refusal or partial)
    partial: int = 0
    pairs: int = 0  # matched pairs within the filters
    listed: int = 0  # pairs written (after ``limit``)
    reviewed: int = 0  # pairs with at least one review
    verdicts: dict[str, int] = field(default_factory=dict)  # latest verdict -> pairs
    departments: tuple[str, ...] = ()  # the department ids the filter resolved to

    @property
    def confirmed(self) -> int:
        return self.verdicts.get("confirmed", 0)


# ---------------------------------------------------------------------------------------------
# public entry point


def write_report(
    db: sqlite_utils.Database,
    out: TextIO,
    *,
    fmt: str = "md",
    filters: ReportFilters = ReportFilters(),  # frozen, so one shared default is safe
) -> ReportStats:
    """Write the report of matched pairs to ``out`` in ``fmt`` (``md``, ``csv`` or ``json``).

    Raises :class:`BadInput` for an unknown format, department or category, or a date range
    that ends before it starts.
    """
    if fmt not in FORMATS:
        raise BadInput(f"unknown report format '{fmt}': use one of {', '.join(FORMATS)}")
    names, query, summary, listed = report_scope(db, filters)
    pairs = iter_pairs(db, query, names)  # streamed: a report of a million pairs never sits in memory
    stats = ReportStats(
        fmt=fmt,
        answers=summary["answers"],
        refusals=summary["refusals"],
        partial=summary["partial"],
        pairs=summary["pairs"],
        listed=listed,
        reviewed=summary["reviewed"],
        verdicts=dict(summary["verdicts"]),
        departments=query.department_ids,
    )
    if fmt == "md":
        _write_markdown(out, query, summary, pairs, listed, names, provenance(db), db_name(db))
    elif fmt == "html":
        out.writelines(html_report(query, summary, pairs, listed, names, provenance(db), db_name(db)))
    else:
        out.writelines(_csv_chunks(pairs) if fmt == "csv" else _json_chunks(query, summary, pairs, listed, db))
    return stats


def db_name(db: sqlite_utils.Database) -> str:
    """The database's file name for the ``pqcheck review`` lines (never its folder), or ``DB``."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    return Path(path).name if path else "DB"


def stream_report(db: sqlite_utils.Database, *, fmt: str, filters: ReportFilters = ReportFilters()) -> Iterator[str]:
    """The ``csv`` or ``json`` report as pieces of text, each pair read from the database as its
    piece is asked for (the web's exports); the same text as :func:`write_report`. A bad filter
    raises :class:`BadInput` here, before any text."""
    if fmt not in ("csv", "json"):
        raise BadInput(f"unknown export format '{fmt}': use csv or json")
    names, query, summary, listed = report_scope(db, filters)
    pairs = iter_pairs(db, query, names)
    return _csv_chunks(pairs) if fmt == "csv" else _json_chunks(query, summary, pairs, listed, db)


# ---------------------------------------------------------------------------------------------
# markdown text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&$])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCK_START = re.compile(r"^(?:(?:[-=]\s*)+|\d{1,9}[.)]|\+)$")  # setext underline, thematic break, bare marker
_URL_SAFE = "/:?#@!$&'*+,;=%~-._"


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))


def md_escape(text: Any) -> str:
    """Upstream text as inline markdown that shows exactly that text: no HTML, links, emphasis,
    code, tables, headings, strikethrough or maths. Line breaks become spaces."""
    if text is None:
        return ""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(_clean(str(text)).split()))


def _escape_keep_lines(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", _clean(text))


def _link(label_md: str, url: Any) -> str:
    target = safe_url(url)
    return f"[{label_md}]({quote(target, safe=_URL_SAFE)})" if target else label_md


def _expand_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole words and trim its spaces, so ``**`` around it always renders as bold."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped for markdown, with each span in bold (line by line, so paragraphs survive)."""
    merged: list[list[int]] = []
    for start, end in sorted(_expand_to_words(text, s, e) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(_escape_keep_lines(text[pos:start]))
        lines = []
        for part in text[start:end].split("\n"):
            core = part.strip()
            if core:
                lead, trail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()) :]
                lines.append(f"{lead}**{_escape_keep_lines(core)}**{trail}")
            else:
                lines.append(part)
        out.append("\n".join(lines))
        pos = end
    out.append(_escape_keep_lines(text[pos:]))
    return "".join(out)


def _blockquote(escaped: str) -> str:
    """Escaped multi-line text as a blockquote: paragraphs kept, single line breaks kept (hard
    breaks), no line able to start a heading, code block, rule or list marker of its own."""
    lines = [line.strip() for line in escaped.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return "> *(no text)*\n"
    out = []
    for i, line in enumerate(lines):
        if not line:
            if out and out[-1] != ">":
                out.append(">")
            continue
        if _BLOCK_START.match(line):
            line = "\\" + line
        follows = i + 1 < len(lines) and lines[i + 1]
        out.append(f"> {line}" + ("  " if follows else ""))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# markdown


def pair_anchor(row: dict[str, Any]) -> str:
    """The pair's anchor: ``pair-`` and its match id (the same in every report of the pair)."""
    return f"pair-{row['match_id']}"


def _n(value: int) -> str:
    return f"{value:,}"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    align = ["---" if i < numeric_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _category_name(category: str | None) -> str:
    if not category or category == "unknown":
        return "unknown"
    return CATEGORY_NAMES.get(category, category.replace("_", " "))


def _pair_heading(row: dict[str, Any]) -> str:
    title = " ".join(str(row["heading"] or f"UIN {row['uin'] or row['question_id']}").split())
    return f"{row['rank']}. {title} — {row['department']}"


def _member(name: str | None, party: str | None) -> str:
    if not name:
        return "unknown"
    return md_escape(name) + (f" ({md_escape(party)})" if party else "")


def _write_markdown(
    out: TextIO,
    query: PairQuery,
    summary: dict[str, Any],
    pairs: Iterator[dict[str, Any]],
    listed: int,
    names: dict[str, str],
    found: dict[str, Any],
    database: str,
) -> None:
    parts: list[str] = []
    add = parts.append
    title = "Written answers that declined to give information, and the FOI releases that gave it"
    add(f"# {title}\n\n")
    filters = query.describe(names)
    add(f"Filters: {md_escape('; '.join(filters))}.\n\n" if filters else "Filters: none.\n\n")

    add("## Summary\n\n")
    span = ""
    if summary["first_answered"]:
        span = f", answered {summary['first_answered']} to {summary['last_answered']}"
    add(f"- **{_n(summary['answers'])}** substantive written answers read{md_escape(span)}.\n")
    refusals = summary["refusals"]
    partial = f" (of which {_n(summary['partial'])} partial)" if summary["partial"] else ""
    add(f"- **{_n(refusals)}** refusals{partial}: {_share(refusals, summary['answers'])} of the answers read.\n")
    line = f"- **{_n(summary['pairs'])}** matched pairs"
    if summary["evidence_kinds"]:
        kinds = ", ".join(
            f"{EVIDENCE_NAMES.get(k, k.replace('_', ' '))} {_n(v)}" for k, v in summary["evidence_kinds"].items()
        )
        line += f" ({md_escape(kinds)})"
    line += f"; **{_n(summary['reviewed'])}** reviewed, **{_n(summary['verdicts'].get('confirmed', 0))}** confirmed"
    others = [f"{_n(v)} {k.replace('-', ' ')}" for k, v in summary["verdicts"].items() if k != "confirmed"]
    add(line + (f" ({md_escape(', '.join(others))})" if others else "") + ".\n")
    if query.filters.limit is not None and summary["pairs"] > listed:
        add(f"- The {_n(listed)} strongest pairs are listed below.\n")
    versions = summary["versions"]
    if versions["classifier"] or versions["matcher"]:
        add(
            f"- Classifier {md_escape(', '.join(versions['classifier']) or 'unknown')}, "
            f"matcher {md_escape(', '.join(versions['matcher']) or 'unknown')}.\n"
        )
    add("\n")

    for heading, rows in _summary_tables(summary):
        add(f"### {heading}\n\n{rows}\n")

    first = list(islice(pairs, TOC_SIZE))  # the contents list these; the rest are written as they come
    if not first:
        add("## Pairs\n\n")
        if summary["pairs"]:
            add("No pairs listed (the limit is 0).\n")
        else:
            add("There are no matched pairs" + (" within these filters" if filters else "") + ".\n")
        add(_provenance_markdown(found))
        out.write("".join(parts))
        return

    add('<a id="contents"></a>\n\n## Contents\n\n')
    for row in first:
        verdict = f", {row['verdict']}" if row["verdict"] else ""
        heading = md_escape(_pair_heading(row).split(". ", 1)[1])
        add(f"{row['rank']}. [{heading}](#{pair_anchor(row)}) — score {_score(row)}{md_escape(verdict)}\n")
    if listed > TOC_SIZE:
        add(f"\n…and {_n(listed - TOC_SIZE)} more below.\n")
    add("\n## Pairs\n")
    for row in chain(first, pairs):
        _pair_markdown(row, database, add)
        if len(parts) > 2000:
            out.write("".join(parts))
            parts.clear()
    add(_provenance_markdown(found))
    out.write("".join(parts))


def _provenance_markdown(found: dict[str, Any]) -> str:
    """The report's provenance footer: version, data date, sources and licences, linked."""
    lines = ["\n## Provenance\n\n"]
    lines.append(
        f"Made with pqcheck {md_escape(found['pqcheck_version'])}; "
        f"data as of {md_escape(found['data_as_of'] or 'unknown')}.\n\n"
    )
    for source in found["sources"]:
        licence = f", {md_escape(source['licence'])}" if source["licence"] else ""
        lines.append(f"- {_link(md_escape(source['name']), source['url'])}: {_n(source['records'])} records{licence}\n")
    credits = [
        f"{md_escape(licence['attribution'])} ({_link(md_escape(licence['name']), licence['url'])})\n"
        for licence in found["licences"]
    ]
    return "".join(lines) + "\n" + "\n".join(credits)


def _summary_tables(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The three summary tables (department, category, year) as (heading, markdown)."""
    refusals = summary["refusals"]
    departments = []
    for d in summary["by_department"]:
        share = _share(d["refusals"], d["answers"])
        departments.append([md_escape(d["department"]), _n(d["answers"]), _n(d["refusals"]), share, _n(d["pairs"])])
    categories = [
        [md_escape(_category_name(c["category"])), _n(c["refusals"]), _share(c["refusals"], refusals), _n(c["pairs"])]
        for c in summary["by_category"]
    ]
    years = [
        [md_escape(y["year"]), _n(y["answers"]), _n(y["refusals"]), _share(y["refusals"], y["answers"]), _n(y["pairs"])]
        for y in summary["by_year"]
    ]
    return [
        (
            "Refusals by department",
            _table(["Department", "Answers read", "Refusals", "Share", "Pairs"], departments)
            if departments
            else "No refusals.\n",
        ),
        (
            "Refusals by category",
            _table(["Category", "Refusals", "Share of refusals", "Pairs"], categories)
            if categories
            else "No refusals.\n",
        ),
        (
            "Refusals by year",
            _table(["Year answered", "Answers read", "Refusals", "Share", "Pairs"], years)
            if years
            else "No answers.\n",
        ),
    ]


def _score(row: dict[str, Any]) -> str:
    return "unscored" if row["score"] is None else f"{row['score']:.2f}"


def _date(value: str | None) -> str:
    return md_escape(value[:10]) if value else "unknown date"


def _pair_markdown(row: dict[str, Any], database: str, add) -> None:
    add(f'\n<a id="{pair_anchor(row)}"></a>\n\n### {md_escape(_pair_heading(row))}\n\n')
    add(f"- **Match id:** `{_code(row['match_id'])}`\n")
    uin = md_escape(row["uin"] or row["question_id"])
    house = f" ({md_escape(row['house'])})" if row["house"] else ""
    add(
        f"- **Question:** {_link('UIN ' + uin, row['question_link'])}{house}, tabled {_date(row['date_tabled'])}, "
        f"answered {_date(row['date_answered'])}\n"
    )
    add(f"- **Asked by:** {_member(row['asker_name'], row['asker_party'])}\n")
    body = f", {md_escape(row['answering_body_name'])}" if row["answering_body_name"] else ""
    add(f"- **Answered by:** {_member(row['minister_name'], row['minister_party'])}{body}\n")
    if row["label"] in REFUSAL_LABELS:
        kind = "partial refusal, " if row["label"] == "partial" else ""
        add(f"- **Refusal:** {kind}{md_escape(_category_name(row['category']))}\n")
    if row["subject"] or row["period"]:
        about = md_escape(row["subject"] or "") + (f" ({md_escape(row['period'])})" if row["period"] else "")
        add(f"- **Information asked for:** {about.strip()}\n")
    if row["refused_part"]:
        add(f"- **Part refused:** {md_escape(row['refused_part'])}\n")
    if row["answer_cut_short"]:
        add(f"- **Note:** {CUT_SHORT_NOTE}\n")
    add("\n**Question**\n\n")
    add(_blockquote(_escape_keep_lines(row["question_text"] or "")))
    add("\n**Answer** (refusal phrase in bold)\n\n" if row["span"] else "\n**Answer**\n\n")
    add(_blockquote(_highlight(row["answer_text"] or "", [row["span"]] if row["span"] else [])))
    add("\n")
    if row["target_kind"] == "statement":
        add(f"- **Statement:** {md_escape(row['said'])}")
        add(f" — {_link(md_escape(row['said_debate'] or 'the debate'), row['said_url'])}\n")
    elif row["target_kind"] == "answer":
        other = md_escape(row["other_uin"] or row["other_question_id"])
        heading = f": {md_escape(row['other_heading'])}" if row["other_heading"] else ""
        add(
            f"- **Other written answer:** {_link('UIN ' + other, row['other_link'])}{heading}, "
            f"answered {_date(row['other_date_answered'])}\n"
        )
    else:
        title = md_escape(row["foi_title"] or row["foi_id"] or row["foi_request_id"] or "untitled FOI request")
        add(f"- **{md_escape(EVIDENCE_NAMES.get(row['evidence_kind'] or '', 'FOI'))}:** {_link(title, row['foi_url'])}")
        details = [md_escape(row["foi_authority"]) if row["foi_authority"] else None]
        details.append(f"answered {_date(row['foi_date_shown'])}")
        if row["foi_outcome"]:
            details.append("outcome: " + md_escape(row["foi_outcome"].replace("_", " ")))
        add(" — " + ", ".join(d for d in details if d) + "\n")
        if row["foi_document_id"]:
            name = md_escape(row["doc_title"] or row["doc_filename"] or "document")
            page = ""
            if row["evidence_page"] is not None:
                count = row["doc_page_count"]
                of = f" of {count:,}" if isinstance(count, int) and count >= row["evidence_page"] else ""
                page = f", page {row['evidence_page']:,}{of}"
            read = f", {md_escape(row['ocr_note'])}" if row["ocr_note"] else ""
            add(f"- **Document:** {_link(name, row['doc_url'])}{page}{read}\n")
        elif row["evidence_page"] is not None:
            add(f"- **Page:** {row['evidence_page']:,}\n")
    add(f"- **Timing:** {md_escape(row['timing'])}\n")
    evidence = row["evidence_text"] or ""
    spans, missing = figure_spans(evidence, row["figures"])
    if evidence.strip():
        said = {"answer": "The other answer said", "statement": "Said in the debate"}.get(
            row["target_kind"], "The FOI response said"
        )
        add(f"\n**{said}**" + (" (figures in bold)" if spans else "") + "\n\n")
        add(_blockquote(_highlight(evidence, spans)))
    if row["figures"]:
        listed, missing_ids = [], {id(f) for f in missing}
        for figure in row["figures"]:
            text = md_escape(figure.get("text") or number_text(figure.get("value")))
            context = figure.get("context") if id(figure) in missing_ids else None
            listed.append(f"**{text}**" + (f" ({md_escape(context)})" if context else ""))
        add(f"\n- **Figures:** {'; '.join(listed)}\n")
    else:
        add("\n")
    add(f"- **Score:** {_score(row)}\n")
    for line in describe_reasons(row["reasons_obj"]):
        add(f"  - {md_escape(line[:1].upper() + line[1:])}\n")
    if row["verdict"]:
        by = f" by {md_escape(row['reviewer'])}" if row["reviewer"] else ""
        when = f" on {md_escape(row['reviewed_at'])}" if row["reviewed_at"] else ""
        note = f": {md_escape(row['review_note'])}" if row["review_note"] else ""
        add(f"- **Review:** {md_escape(row['verdict'])}{by}{when}{note}\n")
    else:
        add("- **Review:** not reviewed yet\n")
    add(f"- **Record a verdict:** `{review_line(database, row['match_id'])}`\n")
    add("\n[Back to contents](#contents)\n")


def review_line(database: str, match_id: str) -> str:
    """The command that records a verdict on the pair (the database by its file name)."""
    shown = database if database and all(c.isalnum() or c in "._-" for c in database) else "DB"
    return VERDICT_LINE.format(db=shown, match_id=_code(match_id))


def _code(text: Any) -> str:
    """Text to put in a markdown code span (no backticks, no line breaks)."""
    return " ".join(str(text).replace("`", "'").split())


# ---------------------------------------------------------------------------------------------
# CSV and JSON

CSV_COLUMNS = (
    "rank",
    "match_id",
    "question_id",
    "uin",
    "house",
    "department_id",
    "department",
    "date_tabled",
    "date_answered",
    "question_url",
    "heading",
    "label",
    "category",
    "refusal_phrase",
    "subject",
    "refused_part",
    "answer_cut_short",
    "target_kind",
    "evidence_kind",
    "foi_request_id",
    "foi_document_id",
    "foi_title",
    "foi_url",
    "foi_authority",
    "foi_date",
    "foi_outcome",
    "other_question_id",
    "other_uin",
    "other_date_answered",
    "other_url",
    "contribution_id",
    "statement",
    "statement_house",
    "statement_date",
    "statement_speaker",
    "statement_debate",
    "statement_url",
    "evidence_url",
    "evidence_ocr",
    "evidence_ocr_confidence",
    "score",
    "time_relation",
    "gap_days",
    "timing",
    "evidence_page",
    "evidence_text",
    "evidence_figures",
    "verdict",
    "reviewer",
    "reviewed_at",
)


def _phrase_text(row: dict[str, Any]) -> str | None:
    if row["span"] and row["answer_text"]:
        return row["answer_text"][row["span"][0] : row["span"][1]]
    return row["phrase"] or row["match_phrase"]


def _csv_chunks(pairs: Iterator[dict[str, Any]]) -> Iterator[str]:
    """The CSV report: the byte-order mark and the header, then a piece of text every CSV_CHUNK rows."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for n, row in enumerate(pairs, 1):
        values = {
            **row,
            "foi_request_id": row["foi_request_id"] or row["foi_id"],
            "question_url": row["question_link"],
            "other_url": row["other_link"],
            **_statement_columns(row),
            "evidence_url": row["evidence_link"],
            "evidence_ocr": int(bool(row["evidence_ocr"])),
            "refusal_phrase": _phrase_text(row),
            "answer_cut_short": int(bool(row["answer_cut_short"])),
            "evidence_figures": "; ".join(str(f.get("text") or f.get("value") or "") for f in row["figures"]),
            "score": "" if row["score"] is None else repr(float(row["score"])),
        }
        writer.writerow([csv_safe(values[c]) for c in CSV_COLUMNS])  # URLs too: a stored one may start with =
        if n % CSV_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _statement_columns(row: dict[str, Any]) -> dict[str, Any]:
    """A statement's CSV columns: where, when and by whom it was said, and its Hansard link."""
    said = row["target_kind"] == "statement"
    return {
        "statement": row["said"],
        "statement_house": row["said_house"] if said else None,
        "statement_date": row["said_date"] if said else None,
        "statement_speaker": (row["said_attributed"] or row["said_by"]) if said else None,
        "statement_debate": row["said_debate"] if said else None,
        "statement_url": row["said_url"] if said else None,
    }


def json_pair(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "rank": row["rank"],
        "match_id": row["match_id"],
        "question_id": row["question_id"],
        "foi_request_id": row["foi_request_id"] or row["foi_id"],
        "foi_document_id": row["foi_document_id"],
        "other_question_id": row["other_question_id"],
        "contribution_id": row["contribution_id"],
        "score": row["score"],
        "reasons": row["reasons_obj"],
        "target_kind": row["target_kind"],
        "evidence_kind": row["evidence_kind"],
        "department_id": row["department_id"],
        "department": row["department"],
        "question": {
            "uin": row["uin"],
            "house": row["house"],
            "date_tabled": row["date_tabled"],
            "date_answered": row["date_answered"],
            "heading": row["heading"],
            "url": row["question_link"],
            "question_text": row["question_text"],
            "answer_text": row["answer_text"],
            "asked_by": {"name": row["asker_name"], "party": row["asker_party"]},
            "answered_by": {"name": row["minister_name"], "party": row["minister_party"]},
            "answering_body": row["answering_body_name"],
        },
        "refusal": {
            "label": row["label"],
            "category": row["category"],
            "phrase": _phrase_text(row),
            "phrase_start": row["span"][0] if row["span"] else None,
            "phrase_end": row["span"][1] if row["span"] else None,
            "subject": row["subject"],
            "refused_part": row["refused_part"],
            "period": row["period"],
        },
        "foi": None
        if row["target_kind"] in ("answer", "statement") and not row["foi_id"]
        else {
            "title": row["foi_title"],
            "url": row["foi_url"],
            "authority": row["foi_authority"],
            "date_responded": row["foi_date"],
            "date_precision": row["foi_date_precision"],
            "outcome": row["foi_outcome"],
            "document_title": row["doc_title"] or row["doc_filename"],
            "document_url": row["doc_url"],
            "page_count": row["doc_page_count"],
        },
        "other_question": None
        if row["other_question_id"] is None
        else {"uin": row["other_uin"], "date_answered": row["other_date_answered"], "url": row["other_link"]},
        "statement": None
        if row["target_kind"] != "statement"
        else {
            "said": row["said"],
            "house": row["said_house"],
            "date": row["said_date"],
            "speaker": row["said_attributed"] or row["said_by"],
            "member_name": row["said_by"],
            "debate": row["said_debate"],
            "url": row["said_url"],
        },
        "evidence_url": row["evidence_link"],
        "evidence_text": row["evidence_text"],
        "evidence_page": row["evidence_page"],
        "evidence_ocr": None
        if not row["evidence_ocr"]
        else {"confidence": row["evidence_ocr_confidence"], "note": row["ocr_note"]},
        "evidence_figures": row["figures"],
        "time_relation": row["time_relation"],
        "gap_days": row["gap_days"],
        "timing": row["timing"],
        "review": None
        if row["verdict"] is None
        else {
            "verdict": row["verdict"],
            "note": row["review_note"],
            "reviewer": row["reviewer"],
            "reviewed_at": row["reviewed_at"],
        },
        "matcher_version": row["matcher_version"],
        "classifier_version": row["classifier_version"],
        "answer_cut_short": bool(row["answer_cut_short"]),
    }


def _json_chunks(
    query: PairQuery, summary: dict[str, Any], pairs: Iterator[dict[str, Any]], listed: int, db: sqlite_utils.Database
) -> Iterator[str]:
    """The provenance and the summary, then the pairs one piece of text each (the same text as one
    orjson document)."""
    document = {
        "provenance": provenance(db),
        "summary": {
            "filters": {
                "departments": list(query.department_ids),
                "date_from": query.date_from,
                "date_to": query.date_to,
                "categories": list(query.categories),
                "min_score": query.filters.min_score,
                "verdicts": list(query.filters.verdicts),
                "limit": query.filters.limit,
            },
            **summary,
            "listed": listed,
        },
        "pairs": [],
    }
    head = orjson.dumps(document, option=orjson.OPT_INDENT_2).decode()
    assert head.endswith('"pairs": []\n}')
    yield head[: -len("[]\n}")] + "["
    for n, row in enumerate(pairs):
        item = orjson.dumps(json_pair(row), option=orjson.OPT_INDENT_2).decode().replace("\n", "\n    ")
        yield ("," if n else "") + "\n    " + item
    yield "\n  ]\n}\n" if listed else "]\n}\n"


# ---------------------------------------------------------------------------------------------
# HTML: one page, its styles inline, nothing fetched from anywhere

_HTML = Environment(loader=PackageLoader("pqcheck", "data"), autoescape=select_autoescape(["html"]))
_HTML.filters["marked"] = marked


def html_report(
    query: PairQuery,
    summary: dict[str, Any],
    pairs: Iterator[dict[str, Any]],
    listed: int,
    names: dict[str, str],
    found: dict[str, Any],
    database: str,
) -> Iterator[str]:
    """The report as one self-contained HTML page (inline CSS, no scripts, no external resources),
    in pieces; upstream text is escaped, links are made to ``http(s)`` addresses only."""
    first = list(islice(pairs, TOC_SIZE))
    return _HTML.get_template("report.html").generate(
        title="Written answers that declined to give information, and the FOI releases that gave it",
        filters=query.describe(names),
        summary=summary,
        listed=listed,
        first=first,
        pairs=chain(first, pairs),
        provenance=found,
        anchor=pair_anchor,
        heading=lambda row: _pair_heading(row).split(". ", 1)[1],
        score=_score,
        category=_category_name,
        evidence_name=lambda kind: EVIDENCE_NAMES.get(kind or "", "FOI"),
        evidence_spans=lambda row: figure_spans(row["evidence_text"] or "", row["figures"])[0],
        reasons=lambda row: [line[:1].upper() + line[1:] for line in describe_reasons(row["reasons_obj"])],
        review_line=lambda match_id: review_line(database, match_id),
        link=html_link,
    )

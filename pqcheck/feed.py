"""Atom 1.0 feeds of new discrepancies: the pairs first matched most recently, newest first.

``write_feed`` serves both the web's ``/feed.atom`` and ``pqcheck report --format atom``. Each
entry is one pair: its id a ``urn:uuid`` made from the match id (the same on every run, so a feed
reader shows a pair once), its title the question, its content the refusal, the evidence and the
score, its link the pair's page (or, in a static feed with no server to link to, the question's
page on parliament.uk). Every value is escaped by the XML writer, after the characters XML 1.0
cannot hold are taken out; what is shown as HTML is escaped as HTML first.
"""

from __future__ import annotations

import dataclasses
import html
import io
import re
import uuid
from collections.abc import Iterator
from typing import Any, TextIO
from urllib.parse import quote
from xml.etree import ElementTree as ET

import sqlite_utils

from . import __version__
from .pairs import ReportFilters, iter_pairs, report_scope
from .records import now_iso
from .text import safe_url
from .vocabulary import CATEGORY_NAMES, EVIDENCE_NAMES

ATOM = "http://www.w3.org/2005/Atom"
MIME = "application/atom+xml"
DEFAULT_ENTRIES = 50
MAX_ENTRIES = 500
GENERATOR_URI = "https://github.com/pqcheck/pqcheck"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, GENERATOR_URI)


def entry_id(match_id: str) -> str:
    """The Atom id of a pair's entry: a ``urn:uuid`` from its match id, stable across runs."""
    return uuid.uuid5(_ID_NAMESPACE, f"match:{match_id}").urn


def feed_id(key: str) -> str:
    """The Atom id of a feed: a ``urn:uuid`` from what selects its pairs (its address or filters)."""
    return uuid.uuid5(_ID_NAMESPACE, f"feed:{key}").urn


def xml_text(value: Any) -> str:
    """``value`` as text XML 1.0 can hold (control characters and lone surrogates dropped)."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def write_feed(
    db: sqlite_utils.Database,
    out: TextIO,
    *,
    filters: ReportFilters = ReportFilters(),
    self_url: str | None = None,
    pair_url: str | None = None,
    alternate_url: str | None = None,
    feed_key: str | None = None,
) -> int:
    """Write the Atom feed of the pairs within ``filters``, newest first (at most
    ``filters.limit``, else ``DEFAULT_ENTRIES``), to ``out``; return how many entries it holds.

    ``pair_url`` is a pair page's address with ``{match_id}`` in it (the web's
    ``https://host/pair/{match_id}``); without it an entry links to the question's page.
    ``self_url`` is the feed's own address, ``alternate_url`` the page it follows.
    """
    limit = min(filters.limit or DEFAULT_ENTRIES, MAX_ENTRIES)
    scoped = dataclasses.replace(filters, limit=limit, newest_first=True)
    names, query, _, _ = report_scope(db, scoped)
    fallback = _latest_match(db) or now_iso()  # for a pair with no time of its own (written by hand)
    entries = [_entry(row, pair_url, fallback) for row in iter_pairs(db, query, names)]
    described = query.describe(names)[:-1]  # not "at most N pairs listed": that is the cap
    feed = ET.Element("feed", {"xmlns": ATOM})
    _add(feed, "id", feed_id(feed_key or self_url or repr(dataclasses.astuple(filters))))
    _add(feed, "title", "pqcheck: new discrepancies" + (f" ({'; '.join(described)})" if described else ""))
    _add(
        feed,
        "subtitle",
        "Written answers to Parliament that declined to give information, each paired with an FOI release, "
        "another answer or a statement that gave it; the pairs first matched most recently first.",
    )
    updated = max((e.findtext("updated") or "" for e in entries), default="") or fallback
    _add(feed, "updated", updated)
    if self_url and safe_url(self_url):
        ET.SubElement(feed, "link", {"rel": "self", "type": MIME, "href": xml_text(self_url)})
    if alternate_url and safe_url(alternate_url):
        ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": xml_text(alternate_url)})
    author = ET.SubElement(feed, "author")
    _add(author, "name", "pqcheck")
    _add(author, "uri", GENERATOR_URI)
    _add(feed, "generator", "pqcheck", uri=GENERATOR_URI, version=__version__)
    _add(
        feed,
        "rights",
        "Parliamentary information licensed under the Open Parliament Licence v3.0; FOI releases under the "
        "Open Government Licence v3.0 unless marked otherwise.",
    )
    feed.extend(entries)
    ET.indent(feed)
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(ET.tostring(feed, encoding="unicode"))
    out.write("\n")
    return len(entries)


def feed_text(db: sqlite_utils.Database, **options: Any) -> str:
    """:func:`write_feed`'s text."""
    out = io.StringIO()
    write_feed(db, out, **options)
    return out.getvalue()


def _add(parent: ET.Element, tag: str, text: Any, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
    element.text = xml_text(text)
    return element


def _latest_match(db: sqlite_utils.Database) -> str | None:
    return db.execute("SELECT max(matched_at) FROM matches").fetchone()[0]


def _entry(row: dict[str, Any], pair_url: str | None, fallback: str) -> ET.Element:
    entry = ET.Element("entry")
    _add(entry, "id", entry_id(row["match_id"]))
    _add(entry, "title", _title(row))
    link = pair_url.replace("{match_id}", quote(row["match_id"], safe="")) if pair_url else None
    link = safe_url(link) or safe_url(row["question_link"])
    if link:
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": xml_text(link)})
    for related in (row["question_link"], row["foi_url"] or row["doc_url"], row["other_link"], row["said_url"]):
        if safe_url(related) and related != link:
            ET.SubElement(entry, "link", {"rel": "related", "href": xml_text(related)})
    first = row["first_matched_at"] or row["matched_at"] or fallback
    _add(entry, "published", first)
    _add(entry, "updated", max(first, _utc(row["reviewed_at"]) or ""))
    if row["department_id"]:
        _add(entry, "category", None, term=row["department_id"], label=row["department"])
    if row["category"]:
        _add(entry, "category", None, term=row["category"], label=CATEGORY_NAMES.get(row["category"], row["category"]))
    _add(entry, "summary", _summary(row), type="text")
    _add(entry, "content", "".join(_content_html(row)), type="html")
    return entry


def _utc(stamp: str | None) -> str | None:
    """A review time (``...Z`` or ``+00:00``) as every other time in the feed."""
    return stamp[:-1] + "+00:00" if stamp and stamp.endswith("Z") else stamp


def _score(row: dict[str, Any]) -> str:
    return "no score" if row["score"] is None else f"score {row['score']:.2f}"


def _said_by(row: dict[str, Any]) -> str:
    """What the evidence is: the FOI release, the other answer or the statement, in a few words."""
    if row["target_kind"] == "answer":
        return f"written answer {row['other_uin'] or ''} ({(row['other_date_answered'] or '')[:10]})".strip()
    if row["target_kind"] == "statement":
        return row["said"] or "a statement in Parliament"
    title = row["foi_title"] or row["doc_title"] or row["doc_filename"] or "an FOI response"
    when = f", {row['foi_date_shown']}" if row.get("foi_date_shown") else ""
    return f"{title} ({row['foi_authority'] or 'FOI'}{when})"


def _title(row: dict[str, Any]) -> str:
    category = CATEGORY_NAMES.get(row["category"] or "", "declined")
    heading = row["heading"] or "written question"
    return f"{row['department']}: {heading} (UIN {row['uin']}): {category}, {_score(row)}"


def _summary(row: dict[str, Any]) -> str:
    phrase = row["phrase"] or row["match_phrase"] or "declined to give the information"
    evidence = EVIDENCE_NAMES.get(row["evidence_kind"] or "", "evidence")
    return (
        f"Answered {(row['date_answered'] or '')[:10]}: \u201c{phrase}\u201d. "
        f"Evidence ({evidence}): {_said_by(row)}. {row['timing']}. {_score(row).capitalize()}."
    )


def _content_html(row: dict[str, Any]) -> Iterator[str]:
    """The entry's content as HTML, every value escaped (the XML writer escapes it all again)."""
    e = html.escape
    category = CATEGORY_NAMES.get(row["category"] or "", row["category"] or "declined")
    yield f"<p><strong>Refusal</strong> ({e(category)}), answered {e((row['date_answered'] or '')[:10])}"
    if row["minister_name"]:
        yield f" by {e(row['minister_name'])}"
    yield ":</p>"
    yield f"<blockquote>{e(row['phrase'] or row['match_phrase'] or row['answer_text'] or '')}</blockquote>"
    if row["subject"]:
        yield f"<p>Asked for: {e(row['subject'])}</p>"
    evidence = EVIDENCE_NAMES.get(row["evidence_kind"] or "", "evidence")
    yield f"<p><strong>Evidence</strong> ({e(evidence)}): {e(_said_by(row))}"
    if row["evidence_page"]:
        yield f", page {e(str(row['evidence_page']))}"
    yield ":</p>"
    if row["evidence_text"]:
        yield f"<blockquote>{e(row['evidence_text'])}</blockquote>"
    figures = [str(f.get("text")) for f in row["figures"] if f.get("text")]
    if figures:
        yield f"<p>Figures: {e(', '.join(figures[:10]))}</p>"
    yield f"<p>{e(row['timing'])}. <strong>{e(_score(row).capitalize())}</strong>"
    if row["verdict"]:
        yield f"; reviewed: {e(row['verdict'])}"
    yield f". Match id {e(row['match_id'])}.</p>"

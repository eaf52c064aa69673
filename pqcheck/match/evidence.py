"""Choosing a candidate's evidence: its figures grouped, its pages read, the evidence text.

Figures (``foi_figures``, or those found in an answer's text, or, when none are, the cells of a
table its stored copy flattened into lines: :func:`line_figures`) are grouped by what shows them: one
sentence, or the rows of one table (same header on a page). The pages read for a candidate (at
most ``MAX_PAGES``) are those of its best-looking figure groups and its best full-text hit. The
evidence is the group whose caption, header, rows and surrounding text hold most of the subject's
terms; an FOI without figures on the subject gets the sentence of its pages that best matches the
subject (for a not_held or refused response, a sentence with a denial cue weighs more). An answer
labelled a refusal or "other" is evidence only when the sentence of its figures is on the subject
(``ASIDE_PROXIMITY``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from ..figures import Figure, find_figures
from ..periods import years_in
from .letters import is_boilerplate, sentences, substance
from .scoring import EVIDENCE_KIND
from .terms import DENIAL_CUES, Refusal, Stemmer, Text

MAX_FIGURES = 3000  # figures read per candidate
MAX_PAGES = 6  # pages read per candidate
MAX_PAGE_CHARS = 200_000
PAGE_STEM_CHARS = 30_000  # of a page read, the part searched for the subject's terms outside the figures
WINDOW_BEFORE, WINDOW_AFTER = 600, 200  # characters around a figure that count as "near"
EVIDENCE_CHARS = 1200
STEMS_CACHE = 2000  # pages (as stems) and answers (figures and stems) kept between refusals, each
# an answer not labelled a disclosure is evidence only when the sentence (or row) of its figures holds
# this share of the subject's terms
ASIDE_PROXIMITY = 0.3
# an answer pointing to tables its stored copy does not hold (attached, placed in the Library, below)
LOST_TABLE = re.compile(r"\b(?:attached|enclosed)\s+tables?\b|\btables?\s+(?:attached|enclosed)\b", re.I)


class EvidenceReader:
    """Reads the figures and pages of the best candidates and chooses each one's evidence."""

    def __init__(self, conn: sqlite3.Connection, stemmer: Stemmer):
        self.conn = conn
        self.stemmer = stemmer
        # what does not depend on the refusal, kept for the next ones: a page's substance as stems,
        # an answer's figures and stems (a candidate comes back for many refusals on its subject)
        self.page_stems: dict[tuple[str, int], Text] = {}
        self.answer_figures: dict[Any, tuple[list[tuple], Text]] = {}

    def choose(self, refusal: Refusal, pool: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """Each candidate of ``pool`` with its evidence: its figures and pages read (in a few statements
        for the whole pool), the evidence chosen. An answer without figures is left out."""
        fois = [c for c in pool if c["kind"] == "foi"]
        figures = self._figures(fois)
        hit_pages = self._hit_pages(fois)
        wanted: dict[int, list[tuple[str, int]]] = {}
        for candidate in fois:
            groups = candidate["groups"] = _group_figures(figures.get(candidate["rowid"], []))
            for group in groups:
                group["context_text"] = Text(self.stemmer.words(group["context"] + "\n" + (group["header"] or "")))
                group["context_weight"] = refusal.weight_in([group["context_text"]])
            # pages to read: those with the best-looking figures, and the best full-text hit
            pages: list[tuple[str, int]] = []
            for group in sorted(groups, key=lambda g: -g["context_weight"]):
                if (group["document_id"], group["page"]) not in pages:
                    pages.append((group["document_id"], group["page"]))
                if len(pages) >= MAX_PAGES - 1:
                    break
            hit = hit_pages.get(candidate.get("page_rowid"))
            if hit is None and not groups and candidate["documents"]:
                hit = (candidate["documents"][0][0], 1)
            if hit is not None and hit not in pages:
                pages.append(hit)
            wanted[candidate["rowid"]] = pages
        texts = self._pages([key for pages in wanted.values() for key in pages])
        found = []
        for candidate in pool:
            if candidate["kind"] == "foi":
                pages = {key: texts[key] for key in wanted[candidate["rowid"]] if key in texts}
                evidence = self._foi_evidence(refusal, candidate, pages)
            else:
                evidence = self._answer_evidence(refusal, candidate)
                if evidence is None:
                    continue
            found.append((candidate, evidence))
        return found

    def _figures(self, fois: list[dict[str, Any]]) -> dict[int, list[tuple]]:
        """The figures of each candidate's documents (at most MAX_FIGURES a candidate), by its rowid."""
        owner = {d: c["rowid"] for c in fois if c["figure_count"] for d, _ in c["documents"]}
        small = [c for c in fois if 0 < c["figure_count"] <= MAX_FIGURES]
        found: dict[int, list[tuple]] = {}
        columns = "document_id, page, start, end, value, text, kind, context, header, qualifier, unit"
        if small:
            for row in self.conn.execute(
                f"SELECT {columns} FROM foi_figures WHERE document_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY document_id, page, start",
                [json.dumps([d for c in small for d, _ in c["documents"]])],
            ):
                found.setdefault(owner[row[0]], []).append(row)
        for candidate in fois:
            if candidate["figure_count"] > MAX_FIGURES:
                found[candidate["rowid"]] = self.conn.execute(
                    f"SELECT {columns} FROM foi_figures WHERE document_id IN (SELECT value FROM json_each(?)) "
                    "ORDER BY document_id, page, start LIMIT ?",
                    [json.dumps([d for d, _ in candidate["documents"]]), MAX_FIGURES],
                ).fetchall()
        return found

    def _hit_pages(self, fois: list[dict[str, Any]]) -> dict[int, tuple[str, int]]:
        """(document, page) of the best full-text page of each candidate found through its pages."""
        rowids = [c["page_rowid"] for c in fois if c.get("page_rowid") is not None]
        if not rowids:
            return {}
        cursor = self.conn.execute(
            "SELECT rowid, document_id, page FROM foi_pages WHERE rowid IN (SELECT value FROM json_each(?))",
            [json.dumps(rowids)],
        )
        return {rowid: (document_id, page) for rowid, document_id, page in cursor}

    def _pages(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
        if not keys:
            return {}
        cursor = self.conn.execute(
            "SELECT document_id, page, substr(text, 1, ?) FROM foi_pages "
            "WHERE (document_id, page) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
            "FROM json_each(?))",
            [MAX_PAGE_CHARS, json.dumps(keys)],
        )
        return {(d, p): text or "" for d, p, text in cursor}

    def _foi_evidence(
        self, refusal: Refusal, candidate: dict[str, Any], pages: dict[tuple[str, int], str]
    ) -> dict[str, Any]:
        groups = candidate["groups"]
        # the letters' substance: their form (greeting, the Act, review rights) says nothing of the subject
        page_texts = [self._page_stems(key, text) for key, text in pages.items()]
        best = None
        for group in groups:
            self._describe(refusal, group, pages.get((group["document_id"], group["page"])))
            if best is None or group["proximity"] > best["proximity"]:
                best = group
        evidence: dict[str, Any] = {"pages": page_texts, "group": None}
        if best is not None and best["proximity"] > 0:
            evidence.update(_group_evidence(best))
            return evidence
        # no figures on the subject: the sentence that best matches it (or the denial)
        cues = candidate["outcome"] in EVIDENCE_KIND
        choice = None
        for (doc_id, page), text in pages.items():
            for _, sentence in sentences(text[:PAGE_STEM_CHARS]):
                if is_boilerplate(sentence) and not (cues and any(c in sentence.lower() for c in DENIAL_CUES)):
                    continue
                stems = Text(self.stemmer.words(sentence))
                weight = refusal.weight_in([stems])
                if cues and any(c in sentence.lower() for c in DENIAL_CUES):
                    weight += 0.5
                if weight > 0 and (choice is None or weight > choice[0]):
                    choice = (weight, sentence, doc_id, page, stems)
        if choice is not None:
            evidence.update(text=choice[1], document_id=choice[2], page=choice[3], figures=[], context_text=choice[4])
        else:
            doc_ids = [d for d, _ in candidate["documents"]]
            first = next(iter(pages), None) or ((doc_ids[0], None) if doc_ids else (None, None))
            evidence.update(text=None, document_id=first[0], page=first[1], figures=[], context_text=None)
        evidence["years"] = set()
        evidence["window"] = []
        return evidence

    def _page_stems(self, key: tuple[str, int], text: str) -> Text:
        found = self.page_stems.get(key)
        if found is None:
            if len(self.page_stems) >= STEMS_CACHE:
                self.page_stems.clear()
            found = self.page_stems[key] = Text(self.stemmer.words(substance(text[:PAGE_STEM_CHARS])))
        return found

    def _answer_figures(self, candidate: dict[str, Any]) -> tuple[list[tuple], Text]:
        key = (candidate["kind"], candidate["target"])
        found = self.answer_figures.get(key)
        if found is None:
            if len(self.answer_figures) >= STEMS_CACHE:
                self.answer_figures.clear()
            text = candidate["answer_text"]
            figures = [(None, None, f.start, f.end, *_figure_fields(f)) for f in find_figures(text)]
            figures = figures or line_figures(text)
            found = self.answer_figures[key] = (figures, Text(self.stemmer.words(text)))
        return found

    def _answer_evidence(self, refusal: Refusal, candidate: dict[str, Any]) -> dict[str, Any] | None:
        text = candidate["answer_text"]
        figures, stems = self._answer_figures(candidate)
        groups = _group_figures(figures)
        if not groups:
            return None if candidate.get("aside") else self._lost_table(refusal, text, stems)
        best = None
        for group in groups:
            self._describe(refusal, group, text)
            if best is None or group["proximity"] > best["proximity"]:
                best = group
        if candidate.get("aside") and self._aside_weight(refusal, best, text) < ASIDE_PROXIMITY:
            return None  # a refusal's (or a passing) figures count only when what shows them is on the subject
        return {"pages": [stems], **_group_evidence(best)}

    def _lost_table(self, refusal: Refusal, text: str, stems: Text) -> dict[str, Any] | None:
        """A disclosing answer whose figures were in tables the stored copy lost ("Please see the
        attached tables showing the number of ..."): the sentence that points to them is its
        evidence, when it is on the subject; None otherwise."""
        choice = None
        for _, sentence in sentences(text or ""):
            if not LOST_TABLE.search(sentence):
                continue
            said = Text(self.stemmer.words(sentence))
            weight = refusal.weight_in([said])
            if weight > 0 and (choice is None or weight > choice[0]):
                choice = (weight, sentence, said)
        if choice is None:
            return None
        _, sentence, said = choice
        return {
            "pages": [stems],
            "group": None,
            "text": sentence,
            "document_id": None,
            "page": None,
            "figures": [],
            "context_text": said,
            "window": [],
            "years": years_in(sentence),
        }

    def _aside_weight(self, refusal: Refusal, group: dict[str, Any], text: str) -> float:
        """How much of the subject shows a figure group of an answer not labelled a disclosure, the
        sentences that refuse left out: its own sentence or rows, and the text around it (a table
        flattened into lines is introduced by the sentence above it), never only the refusal beside
        it ("... not recorded centrally. The Department replied to 1,250 letters")."""
        around = text[max(0, group["start"] - WINDOW_BEFORE) : group["end"] + WINDOW_AFTER]
        said = " ".join(s for _, s in sentences(around) if not any(c in s.lower() for c in DENIAL_CUES))
        return refusal.weight_in([group["context_text"]], [Text(self.stemmer.words(said))])

    def _describe(self, refusal: Refusal, group: dict[str, Any], text: str | None) -> None:
        """A figure group's caption (the line above a table's header), the stems of what shows it and
        of the text around it, and its proximity to the subject."""
        caption = _caption(text, group) if text else None
        if caption:
            group["caption"] = caption
            group["evidence_text"] = caption + "\n" + group["evidence_text"]
        shown = "\n".join(filter(None, [caption, group["header"], group["context"]]))
        group["context_text"] = Text(self.stemmer.words(shown))
        group["shown"] = shown
        group["window"] = []
        if text:
            around = text[max(0, group["start"] - WINDOW_BEFORE) : group["end"] + WINDOW_AFTER]
            group["window"] = [Text(self.stemmer.words(around))]
        group["proximity"] = refusal.weight_in([group["context_text"]], group["window"])


# a line that is a number alone: a table cell of a stored copy that flattened its table into lines
BARE_NUMBER = re.compile(r"[ \t]*(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?[ \t]*\r?\n?$")
TABLE_CAPTION = re.compile(r"^[ \t]*Table\s+\w+\s*[:.\-–]", re.I)
MAX_LINE_FIGURES = 200


def line_figures(text: str) -> list[tuple]:
    """The figures of a table a stored copy flattened into lines, one cell a line ("October" /
    "9" / "November" / "10"), which ``find_figures`` does not read as figures: each number alone
    on its line (``MAX_LINE_FIGURES`` at most), its row the line above it that is not a number,
    its header the caption above ("Table 1: Number not housed on the first night of release ..."),
    when there is one."""
    found: list[tuple] = []
    row, header, offset = "", None, 0
    for line in text.splitlines(keepends=True):
        cell = BARE_NUMBER.match(line)
        if cell is not None:
            start = offset + cell.start(1)
            value = float(cell.group(1).replace(",", ""))
            kind = "table" if header else "sentence"
            found.append(
                (None, None, start, start + len(cell.group(1)), value, cell.group(1), kind, row, header, None, None)
            )
            if len(found) >= MAX_LINE_FIGURES:
                break
        elif line.strip():
            row = line.strip()
            if TABLE_CAPTION.match(line):
                header = row
        offset += len(line)
    return found


def _figure_fields(f: Figure) -> tuple:
    return (f.value, f.text, f.kind, f.context, f.header, f.qualifier, f.unit)


def _group_evidence(group: dict[str, Any]) -> dict[str, Any]:
    return {
        "group": group,
        "text": group["evidence_text"],
        "document_id": group["document_id"],
        "page": group["page"],
        "figures": group["figures"],
        "context_text": group["context_text"],
        "window": group["window"],
        "years": years_in(group["shown"]),
    }


def _caption(text: str, group: dict[str, Any]) -> str | None:
    """The line just above a table's header row, when it is text (``Table 1: ...``)."""
    if not group["header"]:
        return None
    at = text.rfind(group["header"], 0, group["start"])
    if at <= 0:
        return None
    before = text[:at].rstrip()
    line = before[before.rfind("\n") + 1 :].strip()
    return line if line and " | " not in line and len(line) <= 300 else None


def _group_figures(figures: list[tuple]) -> list[dict[str, Any]]:
    """Figures by what shows them: one sentence, or the rows of one table (same header on a page)."""
    groups: dict[tuple, dict[str, Any]] = {}
    for document_id, page, start, end, value, text, kind, context, header, _qualifier, _unit in figures:
        context = context or ""
        key = (document_id, page, "table", header) if kind == "table" and header else (document_id, page, context)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "document_id": document_id,
                "page": page,
                "start": start,
                "end": end,
                "header": header if kind == "table" else None,
                "rows": [],
                "figures": [],
            }
        if context not in group["rows"]:
            group["rows"].append(context)
        group["end"] = max(group["end"], end)
        if len(group["figures"]) < 20:
            group["figures"].append({"text": text, "value": value, "context": context})
    for group in groups.values():
        shown = group["rows"][:12]
        group["context"] = "\n".join(group["rows"][:40])
        lines = ([group["header"]] if group["header"] else []) + shown
        if len(group["rows"]) > len(shown):
            lines.append(f"… ({len(group['rows']) - len(shown)} more rows)")
        group["evidence_text"] = "\n".join(lines)
    return list(groups.values())


def clip(text: str, limit: int = EVIDENCE_CHARS) -> str:
    """The evidence text as stored: at most ``limit`` characters, an ellipsis where it was cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

"""``pqcheck datasette-metadata``: a metadata file that makes ``datasette pq.db -m metadata.json``
useful at once: titles and descriptions of the tables that matter, their licences and sources,
the column each table is labelled by where another table's id points at it, the ``pairs`` view
strongest first with its facets, and what its columns hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from .db import FTS_CONTENT
from .provenance import OPEN_GOVERNMENT_LICENCE, OPEN_PARLIAMENT_LICENCE, provenance

PARLIAMENT = {
    "license": OPEN_PARLIAMENT_LICENCE["name"],
    "license_url": OPEN_PARLIAMENT_LICENCE["url"],
    "source": "UK Parliament: Written Questions API and Hansard",
    "source_url": "https://questions-statements.parliament.uk/",
}
FOI = {
    "license": OPEN_GOVERNMENT_LICENCE["name"],
    "license_url": OPEN_GOVERNMENT_LICENCE["url"],
    "source": "WhatDoTheyKnow, GOV.UK FOI releases and local files",
    "source_url": "https://www.whatdotheyknow.com/",
}
PAIR_COLUMNS = {
    "match_id": "The pair's id: `pqcheck review DB MATCH_ID --verdict confirmed` records a verdict on it.",
    "score": "How strongly the evidence gives what the answer declined to give (higher is stronger).",
    "verdict": "The latest reviewer's verdict: confirmed, rejected or not-comparable (empty: not reviewed).",
    "question": "The written question.",
    "answer": "The written answer that declined to give the information.",
    "refusal": "The words of the answer that decline (the refusal phrase).",
    "refusal_category": "How it declined: not held centrally, disproportionate cost, not collected...",
    "evidence_title": "The FOI request, the other written answer or the debate that gave the information.",
    "evidence": "The part of the evidence that holds the information.",
    "evidence_page": "The page of the FOI document the evidence is on.",
}
# table -> (title, description, label column, Parliament's or FOI's licence)
TABLE_NOTES: dict[str, tuple[str, str, str | None, dict[str, str]]] = {
    "questions": ("Written questions", "Written questions and their answers.", "heading", PARLIAMENT),
    "refusals": (
        "Answers as classified",
        "Each answer's label (refusal, partial, disclosure, other), refusal category and phrase.",
        None,
        PARLIAMENT,
    ),
    "matches": (
        "Matches",
        "Each refusal paired with evidence that gave the information, with the score's reasons.",
        None,
        PARLIAMENT,
    ),
    "reviews": ("Reviews", "People's verdicts on matched pairs: the latest is the pair's verdict.", None, PARLIAMENT),
    "foi_requests": ("FOI requests", "FOI requests and releases with their outcome.", "title", FOI),
    "foi_documents": ("FOI documents", "The documents of each FOI request.", "title", FOI),
    "foi_pages": ("FOI pages", "The text of each page of each FOI document.", None, FOI),
    "foi_figures": ("FOI figures", "The figures found in each page of each FOI document.", None, FOI),
    "contributions": (
        "Hansard contributions",
        "What ministers said in debates.",
        "debate_title",
        PARLIAMENT,
    ),
    "members": ("Members", "Members of Parliament and the Lords.", "name", PARLIAMENT),
    "answering_bodies": ("Answering bodies", "The departments that answer written questions.", "name", PARLIAMENT),
    "departments": ("Departments", "The canonical departments every source is resolved to.", "name", PARLIAMENT),
}


def datasette_metadata(db: sqlite_utils.Database, database_name: str) -> dict[str, Any]:
    """The Datasette metadata of the database served as ``database_name`` (its file's stem)."""
    found = provenance(db)
    sources = ", ".join(source["name"] for source in found["sources"]) or "none yet"
    credits = " ".join(licence["attribution"] for licence in found["licences"])
    tables: dict[str, Any] = {
        "pairs": {
            "title": "Matched pairs",
            "description": (
                "Written answers that declined to give information, each beside the FOI release, other "
                "answer or statement that gave it, strongest first. A pair is a lead to check, not proof."
            ),
            "sort_desc": "score",
            "facets": ["verdict", "refusal_category", "department_id", "evidence_kind"],
            "columns": PAIR_COLUMNS,
            **PARLIAMENT,
        }
    }
    for name, (title, description, label, licence) in TABLE_NOTES.items():
        tables[name] = {"title": title, "description": description, **licence}
        if label:
            tables[name]["label_column"] = label
    tables["matches"]["sort_desc"] = "score"
    for name in FTS_CONTENT:  # an index over a view of its table, which Datasette would not find itself
        tables[name]["fts_table"] = f"{name}_fts"
    return {
        "title": "pqcheck: refusals to Parliament, and what FOI released",
        "description": (
            f"Made with pqcheck {found['pqcheck_version']}; data as of {found['data_as_of'] or 'unknown'}; "
            f"sources: {sources}. {credits}"
        ),
        **PARLIAMENT,
        "databases": {database_name: {"title": "pqcheck", "tables": tables}},
    }


def database_name(path: str | Path) -> str:
    """The name Datasette serves a database file under: its file name without the extension."""
    return Path(path).stem

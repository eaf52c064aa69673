"""Answering bodies (departments that answer questions): the shipped snapshot, the stored list,
and resolving what a user types for ``--department`` to body ids."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from importlib import resources
from typing import Any

import sqlite_utils

from .db import write_transaction
from .errors import BadInput
from .text import ascii_int

SNAPSHOT = "answering_bodies.json"


def snapshot_bodies() -> list[dict[str, Any]]:
    """The answering bodies shipped with pqcheck, for use without the network."""
    text = resources.files("pqcheck").joinpath("data", SNAPSHOT).read_text(encoding="utf-8")
    return json.loads(text)["items"]


def known_bodies(db: sqlite_utils.Database | None) -> dict[int, dict[str, Any]]:
    """Bodies by id: the shipped snapshot, overlaid by what the database holds."""
    bodies = {b["id"]: {"id": b["id"], "name": b["name"], "short_name": b.get("shortName")} for b in snapshot_bodies()}
    if db is not None and db["answering_bodies"].exists():
        for row in db["answering_bodies"].rows:
            if row["name"]:
                bodies[row["id"]] = {**bodies.get(row["id"], {}), **{k: v for k, v in row.items() if v is not None}}
    return bodies


def resolve_department(text: str, bodies: dict[int, dict[str, Any]]) -> int:
    """One body id for a name, a short name, a fragment of a name, or an id.

    An ambiguous fragment or an unknown name raises :class:`BadInput` listing the candidates.
    """
    wanted = text.strip()
    if wanted.isdigit():  # an id, or digits of another script ("²") that no body has
        number = ascii_int(wanted)
        if number in bodies:
            return number
        raise BadInput(f"unknown department id {wanted:.40}")
    folded = wanted.casefold()
    exact = [b for b in bodies.values() if folded in {_fold(b.get("name")), _fold(b.get("short_name"))}]
    if len(exact) == 1:
        return exact[0]["id"]
    partial = exact or [
        b for b in bodies.values() if folded in _fold(b.get("name")) or folded == _fold(b.get("short_name"))
    ]
    if len(partial) == 1:
        return partial[0]["id"]
    if partial:
        listed = "; ".join(f"{b['id']} {b['name']}" for b in sorted(partial, key=lambda b: b["id"]))
        raise BadInput(f"department '{wanted}' is ambiguous: it matches {listed}. Give a longer name or an id.")
    names = {_fold(b["name"]): b for b in bodies.values()}
    close = difflib.get_close_matches(folded, list(names), n=3, cutoff=0.5)
    hint = f" Did you mean: {'; '.join(names[c]['name'] for c in close)}?" if close else ""
    raise BadInput(f"unknown department '{wanted}'.{hint} ('pqcheck bodies DB' lists them all.)")


def _fold(value: str | None) -> str:
    return (value or "").casefold()


def body_rows(bodies: Iterable[dict[str, Any]], source_url: str, fetched_at: str) -> list[dict[str, Any]]:
    """``answering_bodies`` rows for Members API ``AnsweringBody`` objects."""
    rows = []
    for body in bodies:
        department = body.get("department") or {}
        rows.append(
            {
                "id": body["id"],
                "name": body.get("name"),
                "short_name": body.get("shortName"),
                "department_id": department.get("id"),
                "department_name": department.get("name"),
                "source": "members-api",
                "source_url": source_url,
                "fetched_at": fetched_at,
                "raw": json.dumps(body, ensure_ascii=False, sort_keys=True),
            }
        )
    return rows


def save_answering_bodies(db: sqlite_utils.Database, rows: list[dict[str, Any]]) -> int:
    """Upsert answering bodies (keyed on the Members API id)."""
    with write_transaction(db):
        db["answering_bodies"].upsert_all(rows, pk="id")
    return len(rows)

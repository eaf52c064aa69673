"""One canonical department for every answering body, FOI authority and agency.

The mapping ships as ``pqcheck/data/departments.json``: each department lists its names (and
former names), the answering-body ids it has answered under, its WhatDoTheyKnow url_names and
GOV.UK organisation slugs, and its agencies, which belong to it. A department replaced by
another names its ``successor``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class DepartmentIndex:
    departments: dict[str, dict[str, Any]]
    aliases: dict[str, str]  # "kind:key" -> department id

    def lookup(
        self,
        *,
        name: str | None = None,
        wdtk: str | None = None,
        govuk: str | None = None,
        answering_body: int | None = None,
    ) -> str | None:
        """The canonical department id for whichever identifiers are known, most specific first."""
        keys = [
            answering_body is not None and f"body:{answering_body}",
            wdtk and f"wdtk:{wdtk.lower()}",
            govuk and f"govuk:{govuk.lower()}",
            name and f"name:{normalise_name(name)}",
        ]
        for key in keys:
            if key and key in self.aliases:
                return self.aliases[key]
        return None


def normalise_name(name: str) -> str:
    """Lower case, '&' as 'and', no punctuation, no leading 'the' or 'HM'/'Her Majesty's'."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"\b(his|her) majesty'?s\b", "hm", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^(the|hm) ", "", text)


@cache
def department_index() -> DepartmentIndex:
    """The shipped mapping, loaded once."""
    data = json.loads(resources.files("pqcheck").joinpath("data", "departments.json").read_text(encoding="utf-8"))
    departments, aliases = {}, {}
    for dept in data["departments"]:
        departments[dept["id"]] = dept
        entries = [("name", normalise_name(n)) for n in [dept["name"], *dept["names"]]]
        entries += [("body", str(b)) for b in dept["answering_bodies"]]
        entries += [("wdtk", w) for w in dept["wdtk"]] + [("govuk", g) for g in dept["govuk"]]
        for agency in dept["agencies"]:
            entries.append(("name", normalise_name(agency["name"])))
            entries += [("wdtk", w) for w in agency["wdtk"]] + [("govuk", g) for g in agency["govuk"]]
        for kind, key in entries:
            alias = f"{kind}:{key}"
            if aliases.setdefault(alias, dept["id"]) != dept["id"]:
                raise ValueError(f"departments.json: {alias} belongs to two departments")
    return DepartmentIndex(departments, aliases)


def _department_rows(index: DepartmentIndex) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``departments`` and ``department_aliases`` rows of the shipped mapping."""
    departments = [
        {
            "id": d["id"],
            "name": d["name"],
            "kind": d["kind"],
            "parent_id": None,
            "successor_id": d["successor"],
            "url": f"https://www.gov.uk/government/organisations/{d['govuk'][0]}" if d["govuk"] else None,
        }
        for d in index.departments.values()
    ]
    aliases = [{"alias": a, "department_id": d, "kind": a.split(":", 1)[0]} for a, d in index.aliases.items()]
    return departments, aliases


def departments_current(db: sqlite_utils.Database) -> bool:
    """Whether the database holds every row of the shipped mapping (so opening it need not write)."""
    departments, aliases = _department_rows(department_index())
    for table, rows in (("departments", departments), ("department_aliases", aliases)):
        if not db[table].exists():
            return False
        columns = list(rows[0])
        stored = {tuple(row) for row in db.execute(f"SELECT {', '.join(columns)} FROM {table}")}
        if not {tuple(row[c] for c in columns) for row in rows} <= stored:
            return False
    return True


def save_departments(db: sqlite_utils.Database) -> None:
    """Write the shipped mapping into ``departments`` and ``department_aliases`` (idempotent)."""
    departments, aliases = _department_rows(department_index())
    with db.atomic():
        db["departments"].upsert_all(departments, pk="id")
        db["department_aliases"].upsert_all(aliases, pk="alias")

"""One canonical department for every answering body, FOI authority and agency, and the one
resolver of what a user types for ``--department``.

The mapping ships as ``pqcheck/data/departments.json``: each department lists its names (and
former names and abbreviations), the answering-body ids it has answered under, its WhatDoTheyKnow
url_names and GOV.UK organisation slugs, and its agencies (with their former names), which belong
to it. A department replaced by another names its ``successor``. The answering bodies ship as
``answering_bodies.json`` (a snapshot of the Members API's list), overlaid by the ones a database
holds.

:func:`resolve_department` reads a department id or name (or former name, or agency), a
WhatDoTheyKnow url_name, a GOV.UK slug, an answering body's id, name or short name, or a fragment
of any name, as one department (with all its answering bodies) or one answering body that belongs
to none: :func:`department_ids` for the filters of reports, search and review, and
:func:`answering_body_ids` for fetching questions.

:func:`resolve_authority` reads an FOI authority as its letter is signed: a department or agency
by any of its names, a department with its agency or team in brackets ("Home Office (Immigration
Enforcement)", "HM Courts & Tribunals Service (Ministry of Justice)"), or a local body (a police
force, a council, an NHS trust or board, a fire service, a devolved government or body), which
is marked with its kind (``LOCAL_KINDS``) and belongs to no department.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import sqlite_utils

from .errors import BadInput
from .text import ascii_int


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
            entries += [("name", normalise_name(n)) for n in [agency["name"], *agency.get("names", [])]]
            entries += [("wdtk", w) for w in agency["wdtk"]] + [("govuk", g) for g in agency["govuk"]]
        for kind, key in entries:
            alias = f"{kind}:{key}"
            if aliases.setdefault(alias, dept["id"]) != dept["id"]:
                raise ValueError(f"departments.json: {alias} belongs to two departments")
    return DepartmentIndex(departments, aliases)


def wdtk_names() -> dict[str, str]:
    """The WhatDoTheyKnow url_names of the mapping: url_name -> the department's or agency's name."""
    names = {}
    for dept in department_index().departments.values():
        names |= dict.fromkeys(dept["wdtk"], dept["name"])
        for agency in dept["agencies"]:
            names |= dict.fromkeys(agency["wdtk"], agency["name"])
    return names


# ---------------------------------------------------------------------------------------------
# FOI authorities as their letters are signed

LOCAL_KINDS = ("police", "fire", "nhs", "council", "devolved")
# national bodies whose names hold a local body's words ("police", "council"): not local
_NATIONAL = re.compile(
    r"\b(?:independent office for police conduct|independent police complaints|college of policing|"
    r"national police chiefs|inspectorate|national crime agency|police federation|arts council|research council|"
    r"sentencing council|british council|privy council|medical council|midwifery council|professions council|"
    r"design council|crafts council|general council|national fire chiefs)\b"
)
_LOCAL = {
    "police": re.compile(r"\b(?:police|constabulary|policing and crime)\b"),
    "fire": re.compile(r"\bfire\b"),
    "nhs": re.compile(
        r"^nhs\b|\b(?:nhs\b.*\b(?:trust|board)|(?:foundation|healthcare|care|primary care|hospitals?) trust|"
        r"health board|hospitals?|integrated care board|clinical commissioning group|ccg|icb|ambulance service|"
        r"health and social care (?:trust|partnership)|hsc trust|strategic health authority)\b"
    ),
    "council": re.compile(
        r"(?:\bcouncil$|\b(?:borough|county|city|district|parish|town|metropolitan|community|unitary) council\b|"
        r"^(?:london borough|royal borough|city|county|metropolitan borough) of\b|\bgreater london authority\b|"
        r"\bcombined authority\b|\bcity of london corporation\b|\btransport for london\b|\bcyngor\b)"
    ),
    "devolved": re.compile(
        r"\b(?:scottish|scotland|welsh|wales|cymru|northern ireland)\b|\bni\b$|^(?:department for communities|"
        r"department for infrastructure|department for the economy|department of finance|department of justice|"
        r"department of education|department of agriculture environment and rural affairs|executive office)$"
    ),
}
_BRACKETS = re.compile(r"\(([^()]*)\)")
_SEPARATORS = re.compile(r"\s+[-–/:]\s+|;")


@dataclass(frozen=True)
class Authority:
    """What an FOI authority is: a department's (the department itself or one of its agencies),
    a local body of a kind in ``LOCAL_KINDS`` (``local``; no department), or neither (unknown)."""

    department_id: str | None = None
    local: str | None = None


@lru_cache(maxsize=8192)  # an import or a migration meets the same few authorities again and again
def resolve_authority(name: str | None, *, wdtk: str | None = None, govuk: str | None = None) -> Authority:
    """The department (or the kind of local body) of an FOI authority, from its url_name or slug,
    its name as the letter is signed, the name outside brackets, or the agency or department
    named inside them (a local body's own name is read before the brackets)."""
    index = department_index()
    found = index.lookup(wdtk=wdtk, govuk=govuk, name=name)
    if found:
        return Authority(found)
    outer, inner = _authority_parts(name or (wdtk or "").replace("_", " "))
    local = _local_kind(outer, inner)
    if local:
        return Authority(local=local)
    for part in [outer, *inner]:
        if found := index.lookup(name=part):
            return Authority(found)
    return Authority()


def _authority_parts(name: str) -> tuple[str, list[str]]:
    """The name outside brackets, and the names that might stand alone inside them and around
    separators ("Home Office - Immigration Enforcement", "ONS / UK Statistics Authority")."""
    outer, bracketed = name, []
    while _BRACKETS.search(outer):  # innermost first: "Ministry of Defence (Defence Statistics (Health))"
        bracketed += _BRACKETS.findall(outer)
        outer = _BRACKETS.sub(" ", outer)
    outer = " ".join(outer.split())
    inner = []
    for text in [outer, *bracketed]:
        pieces = [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
        if text is not outer:
            inner.append(text.strip())
            pieces += [p.strip() for p in text.split(",") if p.strip()]
        inner += [p for p in pieces if p != outer]
    return outer, list(dict.fromkeys(inner))


def _local_kind(outer: str, inner: list[str]) -> str | None:
    """The kind of local body a name outside brackets says (or Northern Ireland in brackets alone:
    its departments share the names of Whitehall's, "Department of Health (Northern Ireland)");
    None for a national body."""
    key = normalise_name(outer)
    if any(normalise_name(part) in {"northern ireland", "ni"} for part in inner):
        return "devolved"
    if not key or _NATIONAL.search(key):
        return None
    return next((kind for kind in LOCAL_KINDS if _LOCAL[kind].search(key)), None)


# ---------------------------------------------------------------------------------------------
# answering bodies


def snapshot_bodies() -> list[dict[str, Any]]:
    """The answering bodies shipped with pqcheck, for use without the network."""
    text = resources.files("pqcheck").joinpath("data", "answering_bodies.json").read_text(encoding="utf-8")
    return json.loads(text)["items"]


def known_bodies(db: sqlite_utils.Database | None) -> dict[int, dict[str, Any]]:
    """Bodies by id: the shipped snapshot, overlaid by what the database holds."""
    bodies = {b["id"]: {"id": b["id"], "name": b["name"], "short_name": b.get("shortName")} for b in snapshot_bodies()}
    if db is not None and db["answering_bodies"].exists():
        for row in db["answering_bodies"].rows:
            if row["name"]:
                bodies[row["id"]] = {**bodies.get(row["id"], {}), **{k: v for k, v in row.items() if v is not None}}
    return bodies


# ---------------------------------------------------------------------------------------------
# what a user types for --department


@dataclass(frozen=True)
class ResolvedDepartment:
    """What one ``--department`` names: a canonical department with its answering bodies, or an
    answering body that belongs to no department (``department_id`` None)."""

    department_id: str | None
    answering_bodies: tuple[int, ...]


def department_ids(wanted: Iterable[str], bodies: dict[int, dict[str, Any]]) -> tuple[str, ...]:
    """Canonical department ids for what was typed (an answering body stands for its department)."""
    found = set()
    for text in wanted:
        resolved = resolve_department(text, bodies)
        if resolved.department_id is None:
            [body] = resolved.answering_bodies
            raise BadInput(f"answering body {body} ({bodies[body]['name']}) belongs to no department pqcheck knows")
        found.add(resolved.department_id)
    return tuple(sorted(found))


def answering_body_ids(wanted: Iterable[str], bodies: dict[int, dict[str, Any]]) -> tuple[int, ...]:
    """Answering body ids for what was typed (a department stands for all its answering bodies)."""
    return tuple(sorted({body for text in wanted for body in resolve_department(text, bodies).answering_bodies}))


def resolve_department(text: str, bodies: dict[int, dict[str, Any]]) -> ResolvedDepartment:
    """One department or department-less answering body for an id, a name or a fragment of one.

    Digits are an answering body id. Otherwise an exact department id, name, former name, agency,
    url_name or slug comes first, then an exact answering body name or short name, then fragments
    of names; a fragment that fits several departments, or none, raises :class:`BadInput` naming
    the candidates or the close matches.
    """
    wanted = text.strip()
    if wanted.isdigit():  # an id, or digits of another script ("²") that no body has
        number = ascii_int(wanted)
        if number not in bodies:
            raise BadInput(f"unknown department id {wanted:.40}")
        return ResolvedDepartment(department_index().lookup(answering_body=number), (number,))
    index, key, folded = department_index(), normalise_name(wanted), wanted.casefold()
    exact = (index.aliases.get(alias) for alias in (f"wdtk:{folded}", f"govuk:{folded}", f"name:{key}"))
    dept_id = folded if folded in index.departments else next((d for d in exact if d), None)
    if dept_id:
        return _of_department(dept_id)
    if not key:
        raise BadInput(f"unknown department '{wanted}'.{_close(wanted, bodies)}")
    named = [b for b in bodies.values() if folded in {_fold(b.get("name")), _fold(b.get("short_name"))}]
    found = set([_of_body(b["id"]) for b in named] or _fragments(wanted, bodies))
    if len(found) == 1:
        return found.pop()
    if found:
        listed = "; ".join(sorted(_describe(r, bodies) for r in found))
        raise BadInput(f"department '{wanted}' is ambiguous: it matches {listed}. Give a longer name or an id.")
    raise BadInput(f"unknown department '{wanted}'.{_close(wanted, bodies)}")


def _of_department(dept_id: str) -> ResolvedDepartment:
    return ResolvedDepartment(dept_id, tuple(department_index().departments[dept_id]["answering_bodies"]))


def _of_body(body: int) -> ResolvedDepartment:
    """A body's department with all its bodies, or the body alone when it belongs to none."""
    dept_id = department_index().lookup(answering_body=body)
    return _of_department(dept_id) if dept_id else ResolvedDepartment(None, (body,))


def _fragments(wanted: str, bodies: dict[int, dict[str, Any]]) -> list[ResolvedDepartment]:
    """What the fragments of names fit: departments (by any of their names) and answering bodies."""
    index, key, folded = department_index(), normalise_name(wanted), wanted.casefold()
    names = [(alias.split(":", 1)[1], dept) for alias, dept in index.aliases.items() if alias.startswith("name:")]
    names += [(dept_id.replace("-", " "), dept_id) for dept_id in index.departments]
    found = [_of_department(dept) for name, dept in names if key in name]
    return found + [
        _of_body(b["id"])
        for b in bodies.values()
        if folded in _fold(b.get("name")) or folded == _fold(b.get("short_name"))
    ]


def _describe(resolved: ResolvedDepartment, bodies: dict[int, dict[str, Any]]) -> str:
    if resolved.department_id is None:
        return f"{resolved.answering_bodies[0]} {bodies[resolved.answering_bodies[0]]['name']}"
    return f"{resolved.department_id} ({department_index().departments[resolved.department_id]['name']})"


def _close(wanted: str, bodies: dict[int, dict[str, Any]]) -> str:
    """Did-you-mean names for an unknown department, and where to find them all."""
    choices = {normalise_name(d["name"]): d["name"] for d in department_index().departments.values()}
    choices |= {normalise_name(b["name"]): b["name"] for b in bodies.values() if b.get("name")}
    choices |= {d_id: d["name"] for d_id, d in department_index().departments.items()}
    close = difflib.get_close_matches(normalise_name(wanted) or wanted.lower(), list(choices), n=4, cutoff=0.5)
    hint = f" Did you mean: {'; '.join(dict.fromkeys(choices[c] for c in close))}?" if close else ""
    known = ", ".join(sorted(department_index().departments))
    return f"{hint} Known departments: {known}; 'pqcheck bodies' lists the answering bodies."


def _fold(value: str | None) -> str:
    return (value or "").casefold()


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

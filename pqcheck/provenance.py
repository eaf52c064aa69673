"""Where a database's data came from, as every report, export and page credits it: the pqcheck
version, the data's date (the latest time anything in it was fetched, never the clock), each source
with how many records it gave, and the licences: Parliament's written answers and Hansard under the
Open Parliament Licence, public sector information (FOI releases) under the Open Government Licence.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from . import __version__

OPEN_PARLIAMENT_LICENCE = {
    "name": "Open Parliament Licence v3.0",
    "url": "https://www.parliament.uk/site-information/copyright-parliament/open-parliament-licence/",
    "attribution": "Contains Parliamentary information licensed under the Open Parliament Licence v3.0.",
}
OPEN_GOVERNMENT_LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "attribution": "Contains public sector information licensed under the Open Government Licence v3.0.",
}
LICENCES = (OPEN_PARLIAMENT_LICENCE, OPEN_GOVERNMENT_LICENCE)

# (table, its source column's value or None for any) -> how the source is credited
SOURCES = (
    (
        "questions",
        "api",
        "UK Parliament Written Questions API",
        "https://questions-statements.parliament.uk/",
        OPEN_PARLIAMENT_LICENCE,
    ),
    (
        "questions",
        "file",
        "UK Parliament written questions, from files",
        "https://questions-statements.parliament.uk/",
        OPEN_PARLIAMENT_LICENCE,
    ),
    ("contributions", None, "Hansard", "https://hansard.parliament.uk/", OPEN_PARLIAMENT_LICENCE),
    ("foi_requests", "wdtk", "WhatDoTheyKnow", "https://www.whatdotheyknow.com/", OPEN_GOVERNMENT_LICENCE),
    ("foi_requests", "govuk", "GOV.UK FOI releases", "https://www.gov.uk/", OPEN_GOVERNMENT_LICENCE),
    ("foi_requests", "file", "FOI responses from local files", None, None),
)
FETCHED = ("questions", "foi_requests", "contributions")  # the tables whose fetched_at dates the data


def provenance(db: sqlite_utils.Database) -> dict[str, Any]:
    """The database's provenance: ``pqcheck_version``, ``data_as_of`` (the latest ``fetched_at``),
    ``sources`` (each with its ``records``; those that gave none are left out) and ``licences``."""
    latest = [db.execute(f"SELECT max(fetched_at) FROM [{table}]").fetchone()[0] for table in FETCHED]
    counts: dict[tuple[str, str | None], int] = {}
    for table in sorted({source[0] for source in SOURCES}):
        by = "source" if any(source[1] for source in SOURCES if source[0] == table) else "NULL"
        for value, count in db.execute(f"SELECT {by}, count(*) FROM [{table}] GROUP BY 1"):
            counts[(table, value)] = counts.get((table, value), 0) + count
            counts[(table, None)] = counts.get((table, None), 0) + count
    sources = []
    for table, value, name, url, licence in SOURCES:
        records = counts.get((table, value), 0)
        if records:
            sources.append({"name": name, "url": url, "records": records, "licence": licence and licence["name"]})
    return {
        "pqcheck_version": __version__,
        "data_as_of": max((when for when in latest if when), default=None),
        "sources": sources,
        "licences": [dict(licence) for licence in LICENCES],
    }

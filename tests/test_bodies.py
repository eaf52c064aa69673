"""Resolving --department against the answering bodies."""

from __future__ import annotations

import pytest

from pqcheck.bodies import known_bodies, resolve_department, snapshot_bodies
from pqcheck.errors import BadInput


@pytest.fixture
def bodies():
    return known_bodies(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("Home Office", 1),
        ("home office", 1),
        ("DWP", 29),
        ("work and pensions", 29),
        ("Treasury", 14),
        ("Department for Education", 60),
        ("  Ministry of Justice ", 54),
    ],
)
def test_resolves_names_fragments_short_names_and_ids(bodies, text, expected):
    assert resolve_department(text, bodies) == expected


def test_ambiguous_fragment_lists_candidates(bodies):
    with pytest.raises(BadInput) as error:
        resolve_department("culture", bodies)
    assert "10 Department for Digital, Culture, Media and Sport" in str(error.value)
    assert "217 Department for Culture, Media and Sport" in str(error.value)


def test_unknown_name_suggests_close_matches(bodies):
    with pytest.raises(BadInput, match="Did you mean: Ministry of Defence"):
        resolve_department("Ministry of Defense", bodies)


def test_the_database_list_overrides_the_snapshot(db):
    db["answering_bodies"].insert({"id": 999, "name": "Department for Pqcheck Tests", "source": "members-api"})
    bodies = known_bodies(db)
    assert resolve_department("pqcheck tests", bodies) == 999
    assert resolve_department("Home Office", bodies) == 1


def test_snapshot_has_unique_ids_and_names():
    items = snapshot_bodies()
    assert len({b["id"] for b in items}) == len(items)
    assert len({b["name"] for b in items}) == len(items)

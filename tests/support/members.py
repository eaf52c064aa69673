"""A Parliament member in the shape the Written Questions API sends (``MemberViewModel``, 8 keys in order)."""

from __future__ import annotations

from typing import Any


def member(
    member_id: int,
    name: str = "Jane Example",
    party: str = "Labour",
    *,
    list_as: str | None = None,
    colour: str = "ff0000",
    abbreviation: str | None = None,
    seat: str = "Exampleton",
) -> dict[str, Any]:
    """A ``MemberViewModel`` as sent with ``expandMember=true``; ``list_as`` defaults to "Surname, First"
    and ``abbreviation`` to the party's first three letters."""
    first, _, last = name.partition(" ")
    return {
        "id": member_id,
        "listAs": list_as if list_as is not None else f"{last or first}, {first}",
        "name": name,
        "party": party,
        "partyColour": colour,
        "partyAbbreviation": abbreviation if abbreviation is not None else party[:3],
        "memberFrom": seat,
        "thumbnailUrl": f"https://members-api.parliament.uk/api/Members/{member_id}/Thumbnail",
    }

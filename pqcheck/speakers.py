"""Who speaks for the government in a debate, as far as Hansard's attribution tells: the role-led
form ("The Minister for Immigration (Caroline Nokes)") is a minister speaking in office; a member
named with a constituency, a crossbench or spiritual peer, or a member of a party not in government
on the day is not; a peer of a governing party may or may not be."""

from __future__ import annotations

import re

_ROLE = re.compile(
    r"^the\b[^()]*?\b(?:minister|secretary|solicitor\s+general|attorney\s+general|advocate\s+general|"
    r"chancellor|leader\s+of\s+the\s+house|paymaster|lord\s+privy\s+seal|whip)\b",
    re.IGNORECASE,
)
_BISHOP = re.compile(r"\bBishop\b")
_BRACKETS = re.compile(r"\(([^()]*)\)")
_NEVER_IN_OFFICE = {"CB", "Bp", "Non-Afl", "Crossbench", "Bishop", "Speaker"}
_PARTIES = {"Con", "Lab", "LD", "SNP", "PC", "DUP", "SF", "Green", "Ind", "UUP", "SDLP", "Alliance", "Reform"}
_PARTY_ALIASES = {
    "lib dem": "LD",
    "lab co-op": "Lab",
    "lab/co-op": "Lab",
    "co-op": "Lab",
    "reform uk": "Reform",
    "green party": "Green",
}
#: Governments since 1979 (the day each took office, the parties in it).
_GOVERNMENTS = (
    ("1979-05-04", frozenset({"Con"})),
    ("1997-05-02", frozenset({"Lab"})),
    ("2010-05-11", frozenset({"Con", "LD"})),
    ("2015-05-08", frozenset({"Con"})),
    ("2024-07-05", frozenset({"Lab"})),
)


def speaks_in_office(attributed_to: str | None, date: str | None) -> bool | None:
    """Whether a speaker spoke for the government, as far as the attribution tells:
    True for the role-led form ("The Minister for Immigration (Caroline Nokes)"), False for a
    member of a party not in government on ``date`` ("Diane Abbott (Hackney North ...) (Lab)" in
    2019), a Commons member speaking from the benches ("Name (Constituency) (Con)") or a crossbench
    or spiritual peer; None when it cannot tell (no attribution, a peer of a governing party)."""
    text = (attributed_to or "").strip()
    if not text:
        return None
    if _ROLE.match(text):
        return True
    if _BISHOP.search(text):
        return False
    brackets = _BRACKETS.findall(text)
    if not brackets:
        return None
    party = brackets[-1].strip()
    if party in _NEVER_IN_OFFICE:
        return False
    if len(brackets) >= 2:  # "Name (Constituency) (Party)": a member speaking from the benches
        return False
    governing = governing_parties(date)
    code = _party_code(party)
    if governing and code in _PARTIES:
        return None if code in governing else False
    return None


def governing_parties(date: str | None) -> frozenset[str]:
    """The parties in government on an ISO ``date`` (empty when the date is unknown)."""
    if not date:
        return frozenset()
    found = frozenset()
    for start, parties in _GOVERNMENTS:
        if date[:10] >= start:
            found = parties
    return found


def _party_code(party: str) -> str:
    return _PARTY_ALIASES.get(party.lower(), party.split("/")[0].strip())

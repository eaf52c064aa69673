"""A classify corpus from real written answers: ``fixtures/real/answers.jsonl`` and, when present,
``../shared/realdata/answers.jsonl``, read at bench time (never copied into the repository) and
repeated to the size asked for.

Each copy is varied so that no cache (of sentences, questions or their parts) sees the same text
twice more often than real text would: every number is redrawn (years as other years, "2019-20"
as another financial year, other numbers with as many digits), month names are redrawn, and
proper nouns inside a sentence (a capitalised word after a lower-case one, not an institution's
word such as "Department") become made-up names. The wording that decides a label is left as it
is, so the labels are spread much as in the real answers.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .common import ROOT

REAL_PATHS = (ROOT / "fixtures" / "real" / "answers.jsonl", ROOT.parent / "shared" / "realdata" / "answers.jsonl")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)  # fmt: skip
# Capitalised words that name institutions or places every answer may name: kept as they are.
_KEEP_WORDS = """
Department Departments Government Secretary State Office Ministry Member Members House Houses
Library Parliament Commons Lords England Wales Scotland Northern Ireland Kingdom British National
Statistics Authority Agency Service Services Health Home Justice Defence Treasury Court Courts
Police Prison Prisons Table Annex Question Questions Answer Majesty Minister Ministers Official
Officials Council Councils Local Education Work Pensions Transport Executive Board Trust Trusts
Force Forces Royal Navy Army Universal Credit Freedom Information Act Census Survey Labour Market
Public Sector Annual Report Written Statement
"""
KEEP = frozenset(_KEEP_WORDS.split()) | frozenset(MONTHS)
SYLLABLES = ("ab", "ber", "cal", "dun", "el", "ford", "gate", "ham", "ing", "ley", "mor", "ton", "wick", "stow")

_NUMBER = re.compile(r"\b(?:19|20)\d\d([-–/])\d\d\b|\d+")  # a financial year ("2019-20") or a number
_MONTH = re.compile(rf"\b(?:{'|'.join(MONTHS)})\b")
_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{3,}\b")


def real_records(paths: tuple[Path, ...] = REAL_PATHS) -> list[dict[str, Any]]:
    """The real answers (with text) of the files of ``paths`` that exist."""
    records = []
    for path in paths:
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            records += [r for r in map(json.loads, filter(str.strip, lines)) if r.get("answer_text")]
    if not records:
        raise FileNotFoundError(f"no real answers in {', '.join(map(str, paths))}")
    return records


class Varier:
    """Redraws the numbers, months and proper nouns of texts (see the module's docstring)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def vary(self, text: str | None, names: dict[str, str]) -> str | None:
        """``text`` with its numbers, months and proper nouns redrawn (``names``: those of its record)."""
        if not text:
            return text
        text = _NUMBER.sub(self._number, text)
        text = _MONTH.sub(lambda m: self.rng.choice(MONTHS), text)
        return _NAME.sub(lambda m: self._name(m.group(), names), text)

    def _number(self, m: re.Match[str]) -> str:
        """Another year, financial year, or number with as many digits."""
        if m.group(1):
            year = self.rng.randint(2005, 2024)
            return f"{year}{m.group(1)}{(year + 1) % 100:02d}"
        digits = m.group()
        if len(digits) == 4 and digits[:2] in ("19", "20"):
            return str(self.rng.randint(2005, 2024))
        low = 10 ** (len(digits) - 1) if len(digits) > 1 else 0
        return str(self.rng.randint(low, 10 ** len(digits) - 1)).zfill(len(digits))

    def _name(self, word: str, names: dict[str, str]) -> str:
        """The made-up name of a proper noun (the same within a record); an institution's word as it is."""
        if word in KEEP:
            return word
        if word not in names:
            parts = self.rng.sample(SYLLABLES, self.rng.choice((2, 3)))
            names[word] = "".join(parts).capitalize()
        return names[word]


def varied_real_rows(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """``n`` rows of ``questions`` (ids from 1), each a varied copy of a real answer, in turn."""
    records = real_records()
    varier = Varier(seed)
    for qid in range(1, n + 1):
        record = records[(qid - 1) % len(records)]
        names: dict[str, str] = {}  # the same proper noun gets the same name in question and answer
        answered = record.get("date_answered") or "2023-01-01"
        yield {
            "id": qid,
            "uin": str(qid),
            "house": record.get("house") or "Commons",
            "date_tabled": answered,
            "date_answered": answered,
            "heading": record.get("subject"),
            "question_text": varier.vary(record.get("question_text"), names),
            "answer_status": "answered",
            "answer_text": varier.vary(record["answer_text"], names),
            "answer_text_truncated": int(bool(record.get("truncated"))),
            "answering_body_name": record.get("department"),
            "source": "bench-real",
            "fetched_at": "2024-01-01T00:00:00+00:00",
        }

"""What one :func:`pqcheck.match.match_db` run is asked to do: the window, the limits, the refusals."""

from __future__ import annotations

from dataclasses import dataclass

TEN_YEARS = 3653  # days


@dataclass(frozen=True)
class MatchOptions:
    """How :func:`match_db` searches and what it keeps."""

    # the outer limit of the candidates: an FOI (or answer) dated up to this many days before the
    # written answer, and after it; inside it time is a score (scoring.closeness), never a cut
    days_before: int = TEN_YEARS
    days_after: int = TEN_YEARS
    candidates: int = 50  # targets examined per refusal, at most (FTS5 rows per index, too)
    keep: int = 5  # matches kept per refusal, at most (and up to run.SAID_EXTRA answers and statements beyond)
    min_score: float = 0.3  # matches scoring less (before the not_held/refused factor) are dropped
    answers: bool = True  # also look for other written answers that gave the figures
    include_undated: bool = True  # consider FOIs with no date at all (with a penalty)
    question_ids: tuple[int, ...] | None = None  # only these refusals (None: every refusal)
    workers: int = 1  # processes for a file database in WAL mode (open_db sets it); 1 in-process


DEFAULT_OPTIONS = MatchOptions()

"""Each query phrase's rows in one FTS5 index with their bm25 share, read once per process and
grouped by department, so that a refusal's candidate search reads only its department's rows.

FTS5's bm25 of a query is the sum, over the phrases of the query that the row holds, of each
phrase's own bm25 (its weight in the whole index times its frequency in the row, by column,
against the row's length): the one-phrase query ``MATCH '"phrase"'`` gives exactly that share for
every row. :class:`PhraseLists` asks it once per phrase and process and keeps the rows that can be
candidates (those of the retrieval's TEMP table: a department, a day), sorted by department, as
arrays: a refusal's search then slices its department's rows of each of its phrases, keeps those
in the window and adds the shares the way FTS5 would for the query (:func:`combine`), in
vectorised steps. An FTS5 query reads each phrase's whole list across the collection for every
refusal (to weigh it, then to find the department's rows); here it is read once per run, and what a
refusal reads is its department's part. The database does not change during a run (the matcher
only reads), so the shares stay right; :data:`CACHE_ROWS` bounds the memory.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

CACHE_ROWS = 16_000_000  # phrase rows kept per index and process (12 bytes each), least recently used dropped
PHRASE_ROWS = 300  # rows of a phrase read in full for one refusal, at most; beyond: the highest shares, and lookups


@dataclass(frozen=True)
class Hits:
    """Rows of one index (positions in :class:`PhraseLists`' arrays) with their summed bm25."""

    positions: np.ndarray
    scores: np.ndarray


@dataclass(frozen=True)
class _Phrase:
    starts: np.ndarray  # where each department's rows begin (department code -> index), one more at the end
    positions: np.ndarray  # int32, positions in the index's arrays, by department, in row order
    scores: np.ndarray  # float32, the phrase's bm25 share in each row (negative, as FTS5's)
    by_share: np.ndarray  # int32, indexes of the rows above: by department, its highest share first


class PhraseLists:
    """The phrases of one FTS5 index (``table``, ``bm25`` column weights) over the rows of one TEMP
    table of the retrieval (``rowid``, ``dept``, ``day`` and, if ``spans``, ``last``, the last day
    of an imprecise date; a NULL day is undated)."""

    def __init__(
        self, conn: sqlite3.Connection, index: str, weights: tuple[float, ...], rows_table: str, *, spans: bool
    ):
        self.conn = conn
        self.sql = f"SELECT rowid, bm25({index}{''.join(f', {w}' for w in weights)}) FROM {index} WHERE {index} MATCH ?"
        cursor = conn.execute(
            f"SELECT rowid, dept, coalesce(day, -1), coalesce({'last' if spans else 'day'}, day, -1) "
            f"FROM {rows_table} ORDER BY rowid"
        )
        columns = np.fromiter(cursor, dtype=np.dtype((np.int64, 4))).reshape(-1, 4)
        self.rowids = columns[:, 0].copy()
        self.dept = columns[:, 1].astype(np.int32)
        self.codes = np.arange(int(self.dept.max(initial=0)) + 2)
        self.day = columns[:, 2].copy()
        self.last = columns[:, 3].copy()
        self.undated = self.day == -1
        self.cache: OrderedDict[str, _Phrase] = OrderedDict()
        self.cached_rows = 0
        self.loads = self.loaded_rows = 0  # phrases read from the index, and their rows kept, in all

    def phrase(self, phrase: str) -> _Phrase:
        found = self.cache.get(phrase)
        if found is not None:
            self.cache.move_to_end(phrase)
            return found
        rows = self.conn.execute(self.sql, [phrase]).fetchall()
        pairs = np.array(rows, dtype=np.float64).reshape(-1, 2)
        rowids = pairs[:, 0].astype(np.int64)
        positions = np.searchsorted(self.rowids, rowids)
        inside = positions < len(self.rowids)
        inside[inside] = self.rowids[positions[inside]] == rowids[inside]
        positions, scores = positions[inside], pairs[inside, 1]
        departments = self.dept[positions]
        order = np.lexsort((positions, departments))
        positions, scores, departments = positions[order].astype(np.int32), scores[order], departments[order]
        scores = scores.astype(np.float32)
        by_share = np.lexsort((positions, scores, departments)).astype(np.int32)
        found = _Phrase(np.searchsorted(departments, self.codes), positions, scores, by_share)
        self.cache[phrase] = found
        self.cached_rows += len(order)
        self.loads += 1
        self.loaded_rows += len(order)
        while self.cached_rows > CACHE_ROWS and len(self.cache) > 1:
            _, dropped = self.cache.popitem(last=False)
            self.cached_rows -= len(dropped.positions)
        return found

    def rows(self, phrase: str, dept: int, lo: int, hi: int, undated: bool) -> tuple[np.ndarray, np.ndarray, bool]:
        """The phrase's rows of department ``dept`` whose span meets the window ``lo``-``hi`` (and
        the undated ones if ``undated``): their positions, the phrase's bm25 share in each and
        whether that is all of them. A department with more than ``PHRASE_ROWS`` rows of the
        phrase gives that many, its highest shares (the others: :meth:`shares`)."""
        found = self.phrase(phrase)
        if not 0 <= dept < len(found.starts) - 1:
            return found.positions[:0], found.scores[:0], True
        first, end = found.starts[dept], found.starts[dept + 1]
        if end - first <= PHRASE_ROWS:
            positions, scores = found.positions[first:end], found.scores[first:end]
            keep = self._in_window(positions, lo, hi, undated)
            return positions[keep], scores[keep], True
        kept_positions, kept_scores, kept = [], [], 0
        while first < end and kept < PHRASE_ROWS:
            chosen = found.by_share[first : min(end, first + 2 * PHRASE_ROWS)]
            positions = found.positions[chosen]
            keep = self._in_window(positions, lo, hi, undated)
            kept_positions.append(positions[keep])
            kept_scores.append(found.scores[chosen[keep]])
            kept += len(kept_positions[-1])
            first += len(chosen)
        positions, scores = np.concatenate(kept_positions), np.concatenate(kept_scores)
        return positions[:PHRASE_ROWS], scores[:PHRASE_ROWS], False

    def shares(self, phrase: str, dept: int, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``positions`` (sorted, of department ``dept``) hold the phrase, and its share in those."""
        found = self.phrase(phrase)
        first, end = found.starts[dept], found.starts[dept + 1]
        block = found.positions[first:end]
        at = np.minimum(np.searchsorted(block, positions), len(block) - 1)
        held = block[at] == positions
        return held, found.scores[first:end][at[held]]

    def _in_window(self, positions: np.ndarray, lo: int, hi: int, undated: bool) -> np.ndarray:
        blank = self.undated[positions]
        keep = ~blank & (self.day[positions] <= hi) & (self.last[positions] >= lo)
        return keep | blank if undated else keep


def combine(
    terms: list[list[tuple[np.ndarray, np.ndarray]]],
    counted: list[int],
    *,
    pairs: bool,
    alone: int | None,
    leading: tuple[int, int] | None,
) -> Hits:
    """The rows that the query of ``terms`` (each term the rows of its phrases, as
    :meth:`PhraseLists.rows` gives them) matches, with the bm25 FTS5 gives them.

    Without ``pairs`` the query is an OR of the terms, term ``i`` written ``counted[i]`` times: a
    row holding it gets its shares that many times. With ``pairs``, an OR of ``(a AND b)`` for
    every two terms, ``leading`` (two terms) once more, and term ``alone`` by itself (if not None):
    a row matches with two terms or with ``alone``, and a term's shares count once for each of
    those clauses the row matches (a clause it does not match adds nothing)."""
    positions = [p for phrases in terms for p, _ in phrases]
    if not positions or not sum(len(p) for p in positions):
        return Hits(np.zeros(0, np.int32), np.zeros(0))
    all_positions = np.concatenate(positions)
    scores = np.concatenate([s for phrases in terms for _, s in phrases])
    term_of = np.concatenate([np.full(len(p), i, np.int32) for i, phrases in enumerate(terms) for p, _ in phrases])
    rows, row_of = np.unique(all_positions, return_inverse=True)
    n_terms = len(terms)
    held = np.zeros((len(rows), n_terms), dtype=bool)
    held[row_of, term_of] = True
    if pairs:
        holding = held.sum(axis=1)
        times = np.repeat(holding[:, None] - 1, n_terms, axis=1)
        if leading is not None:
            both = held[:, leading[0]] & held[:, leading[1]]
            times[:, leading[0]] += both
            times[:, leading[1]] += both
        if alone is not None:
            times[:, alone] += 1
        matched = holding >= 2
        if alone is not None:
            matched |= held[:, alone]
    else:
        times = np.broadcast_to(np.asarray(counted, dtype=np.int64), held.shape)
        matched = np.ones(len(rows), dtype=bool)
    totals = np.bincount(row_of, weights=scores * times[row_of, term_of], minlength=len(rows))
    return Hits(rows[matched].astype(np.int32), totals[matched])


def best(hits: Hits, limit: int, rowids: np.ndarray) -> list[tuple[int, float]]:
    """The ``limit`` best rows (lowest bm25 first, then by row id) as (row id, bm25)."""
    if len(hits.positions) > limit:
        cut = np.argpartition(hits.scores, limit - 1)[:limit]
        threshold = hits.scores[cut].max()
        chosen = np.nonzero(hits.scores <= threshold)[0]
    else:
        chosen = np.arange(len(hits.positions))
    found = rowids[hits.positions[chosen]]
    order = np.lexsort((found, hits.scores[chosen]))[:limit]
    return [(int(r), float(s)) for r, s in zip(found[order], hits.scores[chosen][order], strict=True)]

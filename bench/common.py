"""What the bench scripts share: where things are, one core to run on, latency figures, the planted pairs
of a corpus, the command line of another bench script and the one way to write generated rows.

Standard library only at import: ``bench.run``'s orchestrator, which imports it, stays small."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import statistics
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"  # generated corpora, databases and results (gitignored)


def bench_command(module: str, *args: str) -> list[str]:
    """The command line of ``python -m bench.MODULE ARGS`` (run from the repository root)."""
    return [sys.executable, "-m", f"bench.{module}", *args]


def pin_to_one_core() -> int | None:
    """Pin this process (and its children) to one core: 0 if allowed, else the lowest allowed."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = os.sched_getaffinity(0)
    core = 0 if 0 in allowed else min(allowed)
    os.sched_setaffinity(0, {core})
    return core


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latency_stats(values: list[float]) -> dict:
    """Count, median, 95th and 99th percentiles and maximum of times in milliseconds."""
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
        "max_ms": round(max(values), 1),
    }


def planted_pairs(corpus_dir: str | Path) -> list[dict[str, Any]]:
    """The planted refusal-disclosure pairs of a corpus written by ``bench.corpus`` (its ``pairs.jsonl``)."""
    import orjson

    return [orjson.loads(line) for line in (Path(corpus_dir) / "pairs.jsonl").read_bytes().splitlines()]


def insert_rows(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write generated rows straight into a table of pqcheck's schema (``pqcheck.db.TABLES``), for databases
    too large to build through the savers; every column must be the table's."""
    from pqcheck.db import TABLES

    unknown = set(columns) - set(TABLES[table][1])
    if unknown:
        raise ValueError(f"{table} has no column {sorted(unknown)}")
    names = ", ".join(columns)
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)


def half(record_id: str) -> str:
    """``dev`` or ``held-out``: a stable split of pqcheck's own real set by a hash of the id."""
    return "dev" if int(hashlib.sha1(record_id.encode()).hexdigest(), 16) % 2 == 0 else "held-out"

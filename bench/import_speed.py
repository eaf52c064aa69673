"""How fast ``pqcheck.importer.import_question_files`` imports a 100,000-record file.

For each run a fresh worker process opens a new SQLite file with ``pqcheck.db.open_db``,
imports the file (timed), reopens the database and imports the same file again (timed; this
should change nothing), and reports records/s, database size and peak RSS. Every worker is
pinned to one core. The medians over ``--runs`` are printed and written to
``bench/out/import_speed.json`` (other inputs: ``bench/out/import_speed-<input file>.json``).

The input is generated once with ``bench/generate_questions.py`` and cached under ``bench/out/``
(gitignored).

    python -m bench.import_speed --runs 3
    python -m bench.import_speed --profile          # cProfile of one first import, top 25
    python -m bench.import_speed --profile --phase reimport

The target from the issue is at least 20,000 records/s on one core.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import platform
import pstats
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from .common import BENCH, OUT, ROOT, bench_command, pin_to_one_core

TARGET = 20_000


def data_file(n: int, seed: int, fmt: str, html_share: float, regenerate: bool) -> Path:
    """The cached input file, generated if missing or made by another version of the generator."""
    suffix = "jsonl" if fmt == "jsonl" else "json"
    html = f"-html{html_share:g}" if html_share else ""
    path = OUT / f"questions-n{n}-seed{seed}{html}.{suffix}"
    stamp = path.with_name(path.name + ".generator-sha1")
    generator = hashlib.sha1((BENCH / "generate_questions.py").read_bytes()).hexdigest()
    if path.exists() and not regenerate and stamp.exists() and stamp.read_text().strip() == generator:
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # in a child process, so this process stays small: forked workers inherit its ru_maxrss
    command = bench_command("generate_questions", "--n", str(n), "--seed", str(seed))
    command += ["--format", fmt, "--html-share", str(html_share), "--quiet", "-o", str(path)]
    subprocess.run(command, check=True)
    stamp.write_text(generator + "\n")
    print(f"generated {path.relative_to(ROOT)} ({n:,} records) in {time.perf_counter() - started:.1f}s")
    return path


def max_rss_mib() -> float:
    """Peak resident set size of this process so far, from ``resource.getrusage``.

    ru_maxrss is KiB on Linux and bytes on macOS. On Linux a child starts with its parent's
    value (it survives fork and exec), which is why the parent here stays small.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def hwm_mib() -> float | None:
    """Linux's VmHWM: the peak RSS of this process image alone (reset by exec); None elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def db_bytes(path: Path) -> dict[str, int]:
    sizes = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{path}{suffix}")
        sizes[suffix or "main"] = p.stat().st_size if p.exists() else 0
    return sizes


def table_counts(db) -> dict[str, int]:
    names = ("questions", "answer_versions", "members", "answering_bodies")
    return {name: db.execute(f"SELECT count(*) FROM [{name}]").fetchone()[0] for name in names}


def timed_import(db, path: Path) -> dict[str, Any]:
    from pqcheck.importer import import_question_files

    changes_before = db.conn.total_changes
    wall, cpu = time.perf_counter(), time.process_time()
    stats = import_question_files(db, [path])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    records = stats.inserted + stats.updated + stats.unchanged + stats.kept_newer
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "records": records,
        "records_per_s": records / wall,
        "inserted": stats.inserted,
        "updated": stats.updated,
        "unchanged": stats.unchanged,
        "kept_newer": stats.kept_newer,
        "truncated": stats.truncated,
        "row_changes": db.conn.total_changes - changes_before,
        "peak_rss_mib": max_rss_mib(),
        "vm_hwm_mib": hwm_mib(),
    }


def worker(path: Path, db_path: Path) -> dict[str, Any]:
    """One run in this (fresh) process: first import, then a re-import over a reopened database."""
    from pqcheck.db import open_db

    core = pin_to_one_core()
    remove_db(db_path)
    rss_start, hwm_start = max_rss_mib(), hwm_mib()
    started = time.perf_counter()
    db = open_db(db_path)
    open_seconds = time.perf_counter() - started
    rss_open = max_rss_mib()
    first = timed_import(db, path)
    sizes_after_first = db_bytes(db_path)
    db.conn.close()

    db = open_db(db_path)
    counts_before = table_counts(db)
    again = timed_import(db, path)
    counts_after = table_counts(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sizes = db_bytes(db_path)
    db.conn.close()
    return {
        "core": core,
        "open_db_seconds": open_seconds,
        "rss_at_start_mib": rss_start,
        "rss_after_open_mib": rss_open,
        "vm_hwm_at_start_mib": hwm_start,
        "first": first,
        "reimport": again,
        "reimport_changed_nothing": (
            again["inserted"] == 0
            and again["updated"] == 0
            and again["row_changes"] == 0
            and counts_before == counts_after
        ),
        "rows": counts_after,
        "db_bytes_after_first_import": sizes_after_first,
        "db_bytes": sizes["main"],
    }


def run_worker(path: Path, db_path: Path) -> dict[str, Any]:
    command = bench_command("import_speed", "--worker", str(path), "--db", str(db_path))
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"worker failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def profile(path: Path, db_path: Path, phase: str, top: int) -> None:
    """cProfile one import (the first, or the re-import over an imported database)."""
    from pqcheck.db import open_db
    from pqcheck.importer import import_question_files

    core = pin_to_one_core()
    remove_db(db_path)
    db = open_db(db_path)
    if phase == "reimport":
        import_question_files(db, [path])
        db.conn.close()
        db = open_db(db_path)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    stats = import_question_files(db, [path])
    profiler.disable()
    seconds = time.perf_counter() - started
    db.conn.close()
    records = stats.inserted + stats.updated + stats.unchanged + stats.kept_newer
    OUT.mkdir(parents=True, exist_ok=True)
    dump = OUT / f"import_profile_{phase}.pstats"
    profiler.dump_stats(dump)
    buffer = io.StringIO()
    report = pstats.Stats(profiler, stream=buffer).strip_dirs()
    report.sort_stats("cumulative").print_stats(top)
    report.sort_stats("tottime").print_stats(top)
    text = buffer.getvalue()
    header = (
        f"profile of the {phase} of {path.name} on core {core}: {records:,} records in {seconds:.1f}s "
        f"under cProfile ({records / seconds:,.0f} records/s; profiling slows Python code down)\n"
        f"stats saved to {dump.relative_to(ROOT)}\n"
    )
    (OUT / f"import_profile_{phase}.txt").write_text(header + text)
    print(header + text)


def environment() -> dict[str, Any]:
    try:
        sqlite_utils_version = metadata.version("sqlite-utils")
    except metadata.PackageNotFoundError:
        sqlite_utils_version = ""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "-C", str(ROOT), "status", "--porcelain", "--", "pqcheck"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
        )
    except OSError:
        commit, dirty = "", False
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlite_utils": sqlite_utils_version,
        "platform": platform.platform(),
        "cpu": cpu,
        "git_commit": commit,
        "pqcheck_dirty": dirty,
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(get) -> float:
        return statistics.median(get(r) for r in runs)

    return {
        "first_import_records_per_s": med(lambda r: r["first"]["records_per_s"]),
        "first_import_seconds": med(lambda r: r["first"]["seconds"]),
        "first_import_cpu_seconds": med(lambda r: r["first"]["cpu_seconds"]),
        "reimport_records_per_s": med(lambda r: r["reimport"]["records_per_s"]),
        "reimport_seconds": med(lambda r: r["reimport"]["seconds"]),
        "reimport_cpu_seconds": med(lambda r: r["reimport"]["cpu_seconds"]),
        "db_bytes": med(lambda r: r["db_bytes"]),
        "peak_rss_mib_first_import": med(lambda r: r["first"]["peak_rss_mib"]),
        "peak_rss_mib_after_reimport": med(lambda r: r["reimport"]["peak_rss_mib"]),
        "open_db_seconds": med(lambda r: r["open_db_seconds"]),
        "reimport_changed_nothing": all(r["reimport_changed_nothing"] for r in runs),
    }


def print_table(path: Path, n: int, runs: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    rate = [r["first"]["records_per_s"] for r in runs]
    again = [r["reimport"]["records_per_s"] for r in runs]
    print(f"\nimport of {path.name} ({n:,} records, {path.stat().st_size / 1e6:.1f} MB), {len(runs)} runs, one core")
    print(f"{'':28}{'median':>12}{'min':>12}{'max':>12}")
    print(f"{'first import, records/s':28}{statistics.median(rate):>12,.0f}{min(rate):>12,.0f}{max(rate):>12,.0f}")
    print(f"{'re-import, records/s':28}{statistics.median(again):>12,.0f}{min(again):>12,.0f}{max(again):>12,.0f}")
    print(f"{'first import, seconds':28}{summary['first_import_seconds']:>12.2f}")
    print(f"{'first import, CPU seconds':28}{summary['first_import_cpu_seconds']:>12.2f}")
    print(f"{'re-import, seconds':28}{summary['reimport_seconds']:>12.2f}")
    print(f"{'database size, MB':28}{summary['db_bytes'] / 1e6:>12.1f}")
    print(f"{'peak RSS (first), MiB':28}{summary['peak_rss_mib_first_import']:>12.0f}")
    print(f"{'peak RSS (re-import), MiB':28}{summary['peak_rss_mib_after_reimport']:>12.0f}")
    rows = runs[0]["rows"]
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    first = runs[0]["first"]
    print(
        f"first import: inserted {first['inserted']:,}, truncated {first['truncated']:,}; "
        f"re-import changed nothing: {summary['reimport_changed_nothing']}"
    )
    verdict = "meets" if summary["first_import_records_per_s"] >= TARGET else "MISSES"
    print(f"target {TARGET:,} records/s on one core: first import {verdict} it")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="records in the input file (default 100000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--format", choices=("jsonl", "list"), default="jsonl", help="input file shape")
    parser.add_argument("--html-share", type=float, default=0.0, help="generator option: share of HTML answers")
    parser.add_argument("--runs", type=int, default=3, help="timed runs; medians are reported (default 3)")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the cached input file")
    parser.add_argument("--profile", action="store_true", help="cProfile one import instead of timing runs")
    parser.add_argument("--phase", choices=("first", "reimport"), default="first", help="what --profile profiles")
    parser.add_argument("--top", type=int, default=25, help="functions to list with --profile")
    parser.add_argument("--db-dir", type=Path, default=OUT, help="where the scratch databases go (default bench/out)")
    parser.add_argument("--keep-db", action="store_true", help="keep the last scratch database")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1 or args.n < 1:
        parser.error("--runs and --n must be at least 1")

    if args.worker:
        print(json.dumps(worker(args.worker, args.db)))
        return 0

    path = data_file(args.n, args.seed, args.format, args.html_share, args.regenerate)
    args.db_dir.mkdir(parents=True, exist_ok=True)
    db_path = args.db_dir / "import_speed_scratch.db"
    core = pin_to_one_core()
    if args.profile:
        profile(path, db_path, args.phase, args.top)
        return 0

    runs = []
    for number in range(1, args.runs + 1):
        result = run_worker(path, db_path)
        runs.append(result)
        print(
            f"run {number}: first import {result['first']['records_per_s']:,.0f} records/s "
            f"({result['first']['seconds']:.2f}s), re-import {result['reimport']['records_per_s']:,.0f} records/s "
            f"({result['reimport']['seconds']:.2f}s)"
        )
    if not args.keep_db:
        remove_db(db_path)
    summary = summarise(runs)
    print_table(path, args.n, runs, summary)
    result = {
        "when": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "input": {
            "path": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
            "records": args.n,
            "seed": args.seed,
            "format": args.format,
            "html_share": args.html_share,
            "bytes": path.stat().st_size,
        },
        "pinned_core": core,
        "target_records_per_s": TARGET,
        "meets_target": summary["first_import_records_per_s"] >= TARGET,
        "median": summary,
        "runs": runs,
        "environment": environment(),
    }
    out = OUT / "import_speed.json"
    if args.html_share or args.format != "jsonl" or args.n != 100_000:
        out = OUT / f"import_speed-{path.name.replace('.', '_')}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"results written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

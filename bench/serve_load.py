"""`pqcheck serve` under load: many searching clients while an import writes to the same database.

    python -m bench.serve_load                      # 50 clients, 1 s between a client's searches
    python -m bench.serve_load --think 0            # clients that never pause: the throughput
    python -m bench.serve_load --clients 100 --seconds 60
    python -m bench.serve_load --think 5 --scale full   # on bench/out/run-full/pqcheck.db

The database is a copy (in /dev/shm when there is room) of the 1.3M-row search benchmark's
(``bench/search_speed.py`` builds it), or with ``--scale``, of the database ``bench/run.py`` made at
that scale, searched for the planted subjects (``run.corpus_queries``). While the clients search, a
separate process writes into the same file: by default ``pqcheck fetch questions`` from the fake
Parliament API of the tests (``tests/support/apiserver.py``: 2,000 answers with their detail records, at
pqcheck's default 5 requests/s, as against the real API); with ``--writer import``, ``pqcheck import
questions`` of 100,000 generated answers as fast as it can (a harsher case: it takes a core). The
server runs in a process of its own, as `pqcheck serve` does, and so does the fake API; the clients
are shared out among CLIENT_PROCESSES processes (one interpreter's GIL would hold 50 threads back, and
that wait would count as the server's). Each client is a thread with its own HTTP session that
GETs ``/search?q=...`` (the queries of ``search_speed.py``: the whole results page, all three kinds,
rendered), waits about ``--think`` seconds (a person reading: uniform between half and one and a half
times it, and the clients start at random moments within it, so that they do not search in
lockstep), and again, for ``--seconds``.
Prints the latency (p50/p95/p99), requests per second, errors (any non-200, any "database is
locked") and whether the import finished; writes bench/out/serve_load.json (serve_load-SCALE.json).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import requests

from pqcheck.web.server import make_server
from tests.support.apiserver import FakeParliamentAPI, make_question_set

from . import search_speed
from .common import OUT, bench_command, planted_pairs

IMPORT_FILE = OUT / "questions-n100000-seed42.jsonl"
CLIENT_PROCESSES = 5  # the clients' threads are shared out among this many processes
WARM_UP_S = 10  # the server's caches fill in the first seconds: the latency after them is given apart


def _serve(path: str, ready) -> None:
    """Run `pqcheck serve`'s server on ``path`` (in a child process), its address put on ``ready``."""
    running = make_server(path, "127.0.0.1", 0)
    ready.put(running.url)
    running.run()


def _fake_api(ready) -> None:
    """Serve the fake Parliament API (in a child process) until stopped, its address put on ``ready``."""
    with FakeParliamentAPI(make_question_set(2000, today=date.today())) as api:
        ready.put(api.url)
        threading.Event().wait()


def _clients(url: str, workload: list[dict], first: int, args, stop: float, results) -> None:
    """Clients ``first``, ``first + CLIENT_PROCESSES``, ... (in a child process), each a thread with its own
    HTTP session, searching until ``stop`` (the clock's time); their (start, ms) and errors put on ``results``."""
    latencies: list[tuple[float, float]] = []
    errors: list[str] = []
    started = stop - args.seconds

    def client(n: int) -> None:
        own = requests.Session()
        pause = random.Random(n)
        time.sleep(pause.uniform(0, args.think))
        i = n
        while time.time() < stop:
            page = url + "search?" + urlencode(workload[i % len(workload)])
            began, timer = time.time(), time.perf_counter()
            try:
                response = own.get(page, timeout=60)
                if response.status_code != 200 or "database is locked" in response.text:
                    errors.append(f"{response.status_code}: {response.text[:120]}")
            except requests.RequestException as exc:
                errors.append(str(exc))
            latencies.append((began - started, (time.perf_counter() - timer) * 1000))
            i += args.clients
            time.sleep(pause.uniform(0.5, 1.5) * args.think)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(first, args.clients, CLIENT_PROCESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((latencies, errors))


def writer_file() -> Path:
    if not IMPORT_FILE.exists():
        subprocess.run(
            [
                *bench_command("generate_questions"),
                "--n",
                "100000",
                "--seed",
                "42",
                "--format",
                "jsonl",
                "-o",
                str(IMPORT_FILE),
            ],
            check=True,
        )
    return IMPORT_FILE


def working_copy(source: Path) -> Path:
    room = shutil.disk_usage("/dev/shm").free if Path("/dev/shm").exists() else 0
    folder = Path(tempfile.mkdtemp(dir="/dev/shm" if room > 3 * source.stat().st_size else None))
    target = folder / source.name
    shutil.copyfile(source, target)
    return target


def params_of(text: str, filters) -> dict:
    params = {"q": text}
    if filters.departments:
        params.update(department=filters.departments[0], to=str(filters.date_to), **{"from": str(filters.date_from)})
    if filters.verdicts:
        params.update(verdict="unreviewed", min_score="0.5")
    return params


def _percentile(values: list[float], share: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[int(share * (len(ordered) - 1))], 1) if ordered else None


def _p95(values: list[float]) -> float | None:
    return _percentile(values, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="Seconds a client waits between searches.")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--writer", choices=("fetch", "import"), default="fetch")
    parser.add_argument("--scale", choices=("10k", "100k", "full"), help="bench/run.py's database at this scale")
    args = parser.parse_args()
    if args.scale:
        from . import run

        source = OUT / f"run-{args.scale}" / "pqcheck.db"
        if not source.exists():
            raise SystemExit(f"no database at {source}: run python -m bench.run --scale {args.scale} first")
        path = working_copy(source)
        queries = run.corpus_queries(planted_pairs(OUT / f"corpus-{args.scale}"), 160)
    else:
        path = working_copy(search_speed.build(1_300_000))
        queries = search_speed.queries(160)
    workload = [params_of(text, filters) for _, text, filters in queries]
    # The server in a process of its own, as `pqcheck serve` is: the clients' threads here would
    # otherwise share its interpreter (one GIL) and slow it down as much as the searches do.
    context = multiprocessing.get_context("fork")
    ready = context.Queue()
    server = context.Process(target=_serve, args=(str(path), ready), daemon=True)
    server.start()
    url = ready.get(timeout=300)
    session = requests.Session()
    for params in workload[:40]:  # warm the page cache a little, as a server that has been up
        session.get(url + "search?" + urlencode(params), timeout=60)
    pqcheck = str(Path(sys.executable).parent / "pqcheck")
    api = None
    if args.writer == "import":
        command = [pqcheck, "import", "questions", str(path), str(writer_file()), "-q"]
    else:  # the fake API in a process of its own too: it would share the clients' interpreter
        api_ready = context.Queue()
        api = context.Process(target=_fake_api, args=(api_ready,), daemon=True)
        api.start()
        since = str(date.today() - timedelta(days=60))
        command = [pqcheck, "fetch", "questions", str(path), "--api-url", api_ready.get(timeout=60), "--from", since]
        command.append("--quiet")
    writer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # The clients in several processes, a share of the threads each: 50 threads in one interpreter
    # wait for its one GIL, and that wait would be counted as the server's.
    results = context.Queue()
    began = time.perf_counter()
    stop = time.time() + args.seconds
    processes = [
        context.Process(target=_clients, args=(url, workload, n, args, stop, results), daemon=True)
        for n in range(min(CLIENT_PROCESSES, args.clients))
    ]
    for process in processes:
        process.start()
    latencies: list[tuple[float, float]] = []  # (when the search began, after the clients started; ms)
    errors: list[str] = []
    for _ in processes:
        found, failed = results.get(timeout=args.seconds + 300)
        latencies += found
        errors += failed
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - began
    import_done = writer.poll() is not None
    if not import_done:
        writer.terminate() if api is not None else writer.wait()
        writer.wait()
    if api is not None:
        api.terminate()
        api.join()
    server.terminate()
    server.join()
    ordered = sorted(ms for _, ms in latencies)
    steady = sorted(ms for at, ms in latencies if at >= WARM_UP_S)
    result = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": args.scale or "search_speed",
        "clients": args.clients,
        "think_s": args.think,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": _percentile(ordered, 0.5),
        "p95_ms": _p95(ordered),
        "p99_ms": _percentile(ordered, 0.99),
        "steady_after_s": WARM_UP_S,
        "steady_requests": len(steady),
        "steady_p50_ms": _percentile(steady, 0.5),
        "steady_p95_ms": _p95(steady),
        # p95 of the searches begun in each 10 s: a write makes cached pages stale, and the bursts of
        # searching again that follow show here (and the warm-up, in the first)
        "p95_ms_by_10s": [_p95([ms for at, ms in latencies if t <= at < t + 10]) for t in range(0, int(elapsed), 10)],
        "errors": len(errors),
        "first_errors": errors[:5],
        "writer": args.writer,
        "writer_exit": writer.returncode,
        "writer_finished_during_load": import_done,
        "writer_stderr": writer.stderr.read()[-500:] if writer.stderr else "",
    }
    shutil.rmtree(path.parent, ignore_errors=True)
    print(
        f"{args.clients} clients (think {args.think:g} s) for {elapsed:.0f} s while a {args.writer} wrote: "
        f"{result['requests']:,} searches, {result['requests_per_s']}/s; p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms (after the first {WARM_UP_S} s: p50 "
        f"{result['steady_p50_ms']} ms, p95 {result['steady_p95_ms']} ms); {result['errors']} errors; "
        f"{args.writer} exit {writer.returncode} ({'finished' if import_done else 'stopped at the end'})"
    )
    (OUT / f"serve_load{'-' + args.scale if args.scale else ''}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

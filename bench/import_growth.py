"""Does importing answers get slower as the database grows? A scale corpus imported in chunks.

    python -m bench.import_growth                 # bench/out/corpus-full, chunks of 100,000
    python -m bench.import_growth --scale 100k --chunk 10000

``bench/run.py`` gives one figure per scale, and the scales are different corpora. This imports
the answers of one corpus into a new database a chunk at a time (``import_question_files`` on a
file of ``--chunk`` records each) and times each chunk: a flat cost per record from the first
chunk to the last means the import grows linearly with the database. Results go to
``bench/out/import_growth.json``; ``bench/run.py --docs-only`` puts them in docs/performance.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

from pqcheck.db import open_db
from pqcheck.importer import import_question_files

from .common import OUT

RESULTS = OUT / "import_growth.json"


def measure(answers: Path, chunk: int, folder: Path) -> list[dict[str, float]]:
    """Per chunk: the rows in the database before it, and its µs per record."""
    db = open_db(folder / "pqcheck.db")
    rows, out = 0, []
    with answers.open("rb") as handle:
        while lines := list(itertools.islice(handle, chunk)):
            part = folder / "chunk.jsonl"
            part.write_bytes(b"".join(lines))
            began = time.perf_counter()
            stats = import_question_files(db, [part])
            seconds = time.perf_counter() - began
            out.append(
                {"rows_before": rows, "records": stats.inserted, "us_per_record": round(seconds / len(lines) * 1e6, 1)}
            )
            print(json.dumps(out[-1]), flush=True)
            rows += stats.inserted
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="full", help="the corpus bench/run.py made (default full)")
    parser.add_argument("--chunk", type=int, default=100_000, help="answers a chunk (default 100,000)")
    args = parser.parse_args(argv)
    answers = OUT / f"corpus-{args.scale}" / "answers.jsonl"
    if not answers.exists():
        print(f"no corpus at {answers}: run python -m bench.run --scale {args.scale} first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        chunks = measure(answers, args.chunk, Path(folder))
    RESULTS.write_text(json.dumps({"scale": args.scale, "chunk": args.chunk, "chunks": chunks}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How fast ``pqcheck.extract.extract_file`` reads FOI-style PDFs, and how many figures they yield.

Generates (once, seeded, cached under ``bench/out/``) ``--n`` PDFs of 1-6 pages each: paragraphs
in the style of a Home Office reply (dates, reference numbers, sections of the Act, figures in
sentences) and tables of figures, ruled or whitespace-aligned. Then, pinned to one core, it
extracts them all with ``extract_file`` (timed), and runs ``pqcheck.figures.find_figures`` on
every page (timed separately). Prints pages/s and documents/s (medians of ``--runs``), figures
per page (with precision and recall against the figures the generator put in: a smoke test of
``find_figures`` on its own templates, not an accuracy benchmark) and peak memory, and writes
``bench/out/extract_speed.json``.

    python -m bench.extract_speed                 # 1,000 PDFs, 3 runs
    python -m bench.extract_speed --n 200 --runs 1
    python -m bench.extract_speed --profile       # cProfile of one run, top 25
    python -m bench.extract_speed --baseline      # also time plain pdfplumber extract_text() once

Needs fpdf2 (the test extra) to generate the PDFs; the generator is ``tests/support/pdfs.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import resource
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from pqcheck.extract import Limits, extract_file
from pqcheck.figures import find_figures

from .common import OUT, pin_to_one_core

GENERATOR_VERSION = "1"

PLACES = ["Brook House", "Colnbrook", "Dungavel", "Harmondsworth", "Morton Hall", "Tinsley House", "Yarl's Wood"]
NATIONALITIES = ["Albania", "Vietnam", "Eritrea", "Sudan", "Iran", "Iraq", "China", "India", "Nigeria", "Other"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def _count(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.1:
        return "fewer than 5"
    if roll < 0.2:
        return f"{rng.uniform(0, 100):.1f}%"
    return f"{rng.randint(5, 25000):,}"


def _paragraph(rng: random.Random) -> tuple[str, list[str]]:
    """A paragraph and the figures it discloses (as ``Figure.text`` should read)."""
    year = rng.randint(2015, 2023)
    ref = rng.randint(40000, 69999)
    people, released, days = rng.randint(20, 900), rng.randint(5, 400), rng.randint(2, 30)
    share, spend, rise = f"{rng.uniform(1, 60):.1f}%", f"£{rng.uniform(1, 90):.1f} million", rng.randint(2, 40)
    templates = [
        (
            f"Thank you for your email of {rng.randint(1, 28)} {rng.choice(MONTHS)} {year}, in which you asked for "
            f"information about immigration detention. Your request has been handled under the Freedom of "
            f"Information Act 2000 and given the reference FOI {ref}.",
            [],
        ),
        (
            f"In {year}, {people} people received a positive reasonable grounds decision while detained, "
            f"of whom {released} were released within {days} days. This is {share} of the total.",
            [str(people), str(released), str(days), share],
        ),
        (
            f"The information you requested is given in Table {rng.randint(1, 4)} below. The notes to the table are "
            f"at Annex B. Some information is exempt under section 40(2) of the Act.",
            [],
        ),
        (
            "The figures are provisional management information. They have not been assured to the standard of "
            "Official Statistics and may be subject to change.",
            [],
        ),
        (
            f"Spending on escorting contracts was {spend} in {year}/{(year + 1) % 100:02d}, about {rise} per cent "
            f"more than in {rng.choice(MONTHS)} {year - 1}.",
            [spend, f"about {rise} per cent"],
        ),
        (
            f"If you are dissatisfied with this response you may request an internal review within two months, "
            f"quoting reference {ref}. The cost limit is £600, which represents 24 hours of work at £25 per hour.",
            [],
        ),
    ]
    return rng.choice(templates)


def _table(rng: random.Random):
    """A table of figures and the figures it discloses (every cell but the header and the row labels)."""
    from tests.support.pdfs import Table

    columns = rng.randint(2, 5)
    first_year = rng.randint(2014, 2020)
    header = ("Nationality", *(str(first_year + i) for i in range(columns - 1)))
    rows = [header]
    for name in rng.sample(NATIONALITIES if rng.random() < 0.6 else PLACES, k=rng.randint(3, 7)):
        rows.append((name, *(_count(rng) for _ in range(columns - 1))))
    rows.append(("Total", *(f"{rng.randint(100, 50000):,}" for _ in range(columns - 1))))
    width = 190 // columns
    table = Table(rows, borders=rng.random() < 0.7, col_widths=(190 - width * (columns - 1), *[width] * (columns - 1)))
    return table, [cell for row in rows[1:] for cell in row[1:]]


def generate(folder: Path, n: int, seed: int) -> tuple[list[Path], dict[str, list[str]]]:
    """``n`` seeded PDFs in ``folder`` and the figures each discloses; reused when the stamp matches."""
    from tests.support import pdfs

    source_hash = hashlib.sha1(Path(pdfs.__file__).read_bytes() + Path(__file__).read_bytes()).hexdigest()[:12]
    stamp = folder / "generator.json"
    wanted = {"version": GENERATOR_VERSION, "n": n, "seed": seed, "source": source_hash}
    paths = [folder / f"doc-{i:05d}.pdf" for i in range(n)]
    expected_file = folder / "expected.json"
    if (
        stamp.exists()
        and json.loads(stamp.read_text()) == wanted
        and expected_file.exists()
        and all(p.exists() for p in paths)
    ):
        return paths, json.loads(expected_file.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    started = time.perf_counter()
    expected: dict[str, list[str]] = {}
    for path in paths:
        pages, figures = [], []
        for _ in range(rng.randint(1, 6)):
            blocks = [_paragraph(rng) for _ in range(rng.randint(1, 3))]
            for _ in range(rng.choice([0, 1, 1, 2])):
                blocks.insert(rng.randint(0, len(blocks)), _table(rng))
            pages.append([block for block, _ in blocks])
            figures.extend(text for _, texts in blocks for text in texts)
        pdfs.make_pdf(path, pages)
        expected[path.name] = figures
    expected_file.write_text(json.dumps(expected))
    stamp.write_text(json.dumps(wanted))
    print(f"generated {n} PDFs in {time.perf_counter() - started:.1f} s into {folder}", file=sys.stderr)
    return paths, expected


def run_once(paths: list[Path], limits: Limits, expected: dict[str, list[str]]) -> dict:
    pages = figures = matched = 0
    statuses: dict[str, int] = {}
    texts: list[tuple[str, str]] = []
    started = time.perf_counter()
    for path in paths:
        extraction = extract_file(path, limits=limits)
        statuses[extraction.status] = statuses.get(extraction.status, 0) + 1
        pages += len(extraction.pages)
        texts.extend((path.name, page.text) for page in extraction.pages)
    extract_seconds = time.perf_counter() - started
    found: dict[str, list[str]] = {}
    started = time.perf_counter()
    for name, text in texts:
        found.setdefault(name, []).extend(figure.text for figure in find_figures(text))
    figure_seconds = time.perf_counter() - started
    for name, texts_found in found.items():
        figures += len(texts_found)
        matched += sum((Counter(texts_found) & Counter(expected.get(name, []))).values())
    wanted = sum(len(expected.get(path.name, [])) for path in paths)
    return {
        "documents": len(paths),
        "pages": pages,
        "figures": figures,
        "figures_expected": wanted,
        "figures_matched": matched,
        "statuses": statuses,
        "extract_seconds": extract_seconds,
        "figures_seconds": figure_seconds,
    }


def baseline(paths: list[Path]) -> dict:
    """Plain ``pdfplumber`` ``page.extract_text()`` over the same files: the floor our extraction builds on."""
    import pdfplumber

    pages = 0
    started = time.perf_counter()
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    seconds = time.perf_counter() - started
    return {"pages": pages, "seconds": round(seconds, 2), "pages_per_second": round(pages / seconds, 1)}


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("pdfplumber", "pdfminer.six", "pypdf", "fpdf2"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of PDFs (default 1000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=3, help="timed runs; medians are reported (default 3)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one core")
    parser.add_argument("--profile", action="store_true", help="cProfile one run instead of timing")
    parser.add_argument(
        "--baseline", action="store_true", help="also time plain pdfplumber extract_text() once, for comparison"
    )
    args = parser.parse_args()

    folder = OUT / f"extract_speed-pdfs-n{args.n}-seed{args.seed}"
    paths, expected = generate(folder, args.n, args.seed)
    core = None if args.no_pin else pin_to_one_core()
    limits = Limits()
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(run_once, paths, limits, expected)
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(25)
        print(stream.getvalue())
        return

    runs = []
    for number in range(1, args.runs + 1):
        result = run_once(paths, limits, expected)
        runs.append(result)
        print(
            f"run {number}: {result['pages'] / result['extract_seconds']:.1f} pages/s, "
            f"{result['documents'] / result['extract_seconds']:.1f} documents/s "
            f"({result['extract_seconds']:.1f} s); find_figures {result['pages'] / result['figures_seconds']:,.0f} "
            f"pages/s",
            file=sys.stderr,
        )
    first = runs[0]
    floor = baseline(paths) if args.baseline else None
    extract_median = statistics.median(r["extract_seconds"] for r in runs)
    figures_median = statistics.median(r["figures_seconds"] for r in runs)
    summary = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": first["documents"],
        "pages": first["pages"],
        "figures": first["figures"],
        "statuses": first["statuses"],
        "pages_per_second": round(first["pages"] / extract_median, 1),
        "documents_per_second": round(first["documents"] / extract_median, 1),
        "figures_per_page": round(first["figures"] / max(first["pages"], 1), 2),
        # against the figures the generator put in (synthetic templates: a smoke test, not a benchmark of accuracy)
        "figures_precision": round(first["figures_matched"] / max(first["figures"], 1), 4),
        "figures_recall": round(first["figures_matched"] / max(first["figures_expected"], 1), 4),
        "find_figures_pages_per_second": round(first["pages"] / figures_median, 1),
        "extract_seconds_runs": [round(r["extract_seconds"], 2) for r in runs],
        "figures_seconds_runs": [round(r["figures_seconds"], 3) for r in runs],
        "pdfplumber_extract_text_baseline": floor,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "pinned_core": core,
        "runs": args.runs,
        "seed": args.seed,
        "versions": versions(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "extract_speed.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"{summary['documents']:,} documents, {summary['pages']:,} pages: "
        f"{summary['pages_per_second']} pages/s, {summary['documents_per_second']} documents/s "
        f"(median of {args.runs}); {summary['figures_per_page']} figures/page "
        f"(precision {summary['figures_precision']:.2%}, recall {summary['figures_recall']:.2%} vs the generator); "
        f"find_figures {summary['find_figures_pages_per_second']:,} pages/s; peak RSS {summary['peak_rss_mib']} MiB"
    )
    if floor:
        print(f"baseline, plain pdfplumber extract_text(): {floor['pages_per_second']} pages/s")


if __name__ == "__main__":
    main()

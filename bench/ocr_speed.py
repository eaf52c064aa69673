"""How fast scanned pages are read with OCR (Tesseract), on one core, and how many planted figures come back.

Generates (seeded) ``--n`` one-page letters in the style of a Home Office reply, each with a ruled
table of figures and a figure in a sentence, scanned to image-only PDFs at 200 dpi
(``tests/support/pdfs.py``'s ``scanned_pdf``: no text layer). Then, pinned to one core with
Tesseract held to one thread (``OMP_THREAD_LIMIT=1``), it extracts each with ``extract_file``
(which renders the page at 300 dpi, paints out the table rules and runs Tesseract), timed. Prints
pages/s (median of ``--runs``), the mean OCR confidence and the share of planted figures that
``find_figures`` found in the OCR text, and writes ``bench/out/ocr_speed.json``.

    python -m bench.ocr_speed                # 10 pages, 3 runs
    python -m bench.ocr_speed --n 4 --runs 1

Needs Tesseract (``apt-get install tesseract-ocr tesseract-ocr-eng``), pytesseract and fpdf2.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pqcheck.extract import extract_file, ocr
from pqcheck.figures import find_figures

from .common import OUT, pin_to_one_core

YEARS = ["2015", "2016", "2017", "2018", "2019", "2020"]


def letter(rng: random.Random) -> tuple[list, set[float]]:
    """One page of a reply (blocks for ``scanned_pdf``) and the figures planted in it."""
    from tests.support.pdfs import Table

    rows = [(year, f"{rng.randint(100, 9999):,}", str(rng.randint(5, 99))) for year in rng.sample(YEARS, 4)]
    total = rng.randint(1000, 30000)
    blocks = [
        "Home Office, 2 Marsham Street, London SW1P 4DF",
        f"Our ref: FOI {rng.randint(40000, 69999)}",
        "Dear Requester,",
        "Thank you for your request about immigration detention. The information you asked for is held. "
        "The number of people detained who were referred to the National Referral Mechanism is below.",
        Table([("Year", "Detained", "Released"), *sorted(rows)]),
        f"In total {total:,} people were detained over the period.",
        "Yours sincerely, Information Rights Unit",
    ]
    planted = {float(cell.replace(",", "")) for row in rows for cell in row[1:]} | {float(total)}
    return blocks, planted


def generate(folder: Path, n: int, seed: int) -> list[tuple[Path, set[float]]]:
    from tests.support.pdfs import scanned_pdf

    rng = random.Random(seed)
    pages = []
    for index in range(n):
        blocks, planted = letter(rng)
        pages.append((scanned_pdf(folder / f"scan-{index}.pdf", [blocks]), planted))
    return pages


def one_run(pages: list[tuple[Path, set[float]]]) -> tuple[float, list[float], int, int]:
    """(seconds, confidences, planted figures found, planted figures) over every page."""
    confidences, found, planted_total = [], 0, 0
    start = time.perf_counter()
    extractions = [(extract_file(path), planted) for path, planted in pages]
    seconds = time.perf_counter() - start
    for extraction, planted in extractions:
        page = extraction.pages[0]
        if page.ocr_confidence is not None:
            confidences.append(page.ocr_confidence)
        found += len(planted & {figure.value for figure in find_figures(page.text)})
        planted_total += len(planted)
    return seconds, confidences, found, planted_total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="scanned pages to generate")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    reason = ocr.missing()
    if reason is not None:
        print(f"cannot run: {reason}; {ocr.HINT}", file=sys.stderr)
        return 2
    os.environ["OMP_THREAD_LIMIT"] = "1"  # Tesseract's own threads: one core means one thread
    core = pin_to_one_core()
    with tempfile.TemporaryDirectory() as tmp:
        pages = generate(Path(tmp), args.n, args.seed)
        runs = [one_run(pages) for _ in range(args.runs)]
    seconds = statistics.median(run[0] for run in runs)
    _, confidences, found, planted = runs[0]
    result = {
        "pages": args.n,
        "runs": args.runs,
        "core": core,
        "seconds_median": round(seconds, 2),
        "pages_per_second": round(args.n / seconds, 2),
        "mean_confidence": round(statistics.fmean(confidences), 1) if confidences else None,
        "planted_figures_found": f"{found}/{planted}",
        "dpi": ocr.DPI,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ocr_speed.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

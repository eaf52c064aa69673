"""Quality of detection, measured: refusal precision/recall and the matcher's recall@3 and top-20 precision.

Runs ``bench/quality_refusals.py`` (the classifier on fixtures/eval/answers.jsonl) and
``bench/quality_matches.py`` (the matcher on fixtures/eval/pairs/) and prints both.

    python bench/quality.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    for script in ("quality_refusals.py", "quality_matches.py"):
        print(f"== {script}", flush=True)
        status |= subprocess.run([sys.executable, str(BENCH / script)], check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Quality of detection, measured: refusal precision/recall and the matcher's recall@3 and top-20 precision.

Runs ``bench/quality_refusals.py`` (the classifier on fixtures/eval/answers.jsonl) and
``bench/quality_matches.py`` (the matcher on fixtures/eval/pairs/) and prints both.

    python -m bench.quality
"""

from __future__ import annotations

import subprocess
import sys

from .common import bench_command


def main() -> int:
    status = 0
    for module in ("quality_refusals", "quality_matches"):
        print(f"== bench.{module}", flush=True)
        status |= subprocess.run(bench_command(module), check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())

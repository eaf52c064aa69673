"""Running the installed ``pqcheck`` console script as a subprocess, as a user would."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def pqcheck_executable() -> str:
    """The installed console script; PQCHECK_E2E_BIN overrides it (e.g. a wheel's, elsewhere)."""
    if os.environ.get("PQCHECK_E2E_BIN"):
        return os.environ["PQCHECK_E2E_BIN"]
    candidate = Path(sys.executable).parent / "pqcheck"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("pqcheck")
    if found is None:
        pytest.skip("the pqcheck console script is not installed")
    return found


def command(*args) -> list[str]:
    """The command line of ``pqcheck ARGS`` (each argument made a string)."""
    return [pqcheck_executable(), *map(str, args)]


def environment() -> dict[str, str]:
    """This process's environment without proxies, so that requests to the fakes on 127.0.0.1 go direct."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = "127.0.0.1,localhost"
    return env

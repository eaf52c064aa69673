"""Make docs/pair-page.png: the pair page of the demo's leading case (the 2019 Home Office written
answer UIN 990619 beside the FOI disclosure "Potential victims of trafficking in immigration
detention, 2018 (stand-in)"), 1280 pixels wide, in headless Chromium.

    python docs/screenshot.py [--out docs/pair-page.png]

Builds the demo in a temporary folder, serves it on 127.0.0.1 (a free port), and drives Debian's
chromium through its chromedriver with selenium (nothing is downloaded: SE_OFFLINE and explicit
paths). The whole page is captured, not just the first screenful.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pqcheck.demo import build_demo  # noqa: E402
from pqcheck.web.server import make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH = 1280
UIN = "990619"
FOI_TITLE = "Potential victims of trafficking in immigration detention, 2018 (stand-in)"
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    f"--window-size={WIDTH},900",
)


def pair_id(db_path: Path) -> str:
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute(
            """SELECT m.id FROM matches m JOIN questions q ON q.id = m.question_id
               JOIN foi_requests f ON f.id = m.foi_request_id WHERE q.uin = ? AND f.title = ?""",
            [UIN, FOI_TITLE],
        ).fetchone()
    finally:
        conn.close()
    if not row:
        raise SystemExit(f"the demo has no pair of UIN {UIN} and '{FOI_TITLE}'")
    return row[0]


def capture(url: str, out: Path, profile: Path) -> None:
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (*CHROMIUM_ARGS, f"--user-data-dir={profile}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.get(url)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        # the whole page at exactly WIDTH css pixels, whatever the window's frame
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        if not driver.save_screenshot(str(out)):
            raise SystemExit("chromium did not save the screenshot")
    finally:
        driver.quit()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "pair-page.png")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pqcheck-shot-") as tmp:
        db_path = build_demo(Path(tmp) / "demo").db_path
        running = make_server(db_path, "127.0.0.1", 0)
        thread = threading.Thread(target=running.run, daemon=True)
        thread.start()
        try:
            capture(f"{running.url}pair/{pair_id(db_path)}", args.out, Path(tmp) / "profile")
        finally:
            running.close()
            thread.join(10)
    print(f"{args.out} ({args.out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()

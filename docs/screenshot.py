"""Make the screenshots in docs/: the search, pair, department and FOI document pages of the demo,
1280 and 390 pixels wide (a laptop and a phone), in headless Chromium.

    python docs/screenshot.py [--out docs]

Writes ``search-1280.png``, ``search-390.png``, ``pair-1280.png``, ... ``document-390.png``. The
pair is the demo's leading case (the 2019 Home Office written answer UIN 990619 beside the FOI
disclosure "Potential victims of trafficking in immigration detention, 2018 (stand-in)"); the
document is that pair's evidence, opened at its page.

Builds the demo in a temporary folder, serves it on 127.0.0.1 (a free port), and drives Debian's
chromium through its chromedriver with selenium (nothing is downloaded: SE_OFFLINE and explicit
paths). Each whole page is captured, not just the first screenful; at 390 pixels the page must
not scroll sideways (``document.documentElement.scrollWidth``), or the script stops and says which.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pqcheck.demo import build_demo  # noqa: E402
from pqcheck.web.server import make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTHS = (1280, 390)  # a laptop, a phone held upright
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
    "--window-size=1280,900",
)


def leading_pair(db_path: Path) -> tuple[str, str, int]:
    """The match id of the demo's leading pair, its evidence document and page."""
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute(
            """SELECT m.id, m.foi_document_id, coalesce(m.evidence_page, 1) FROM matches m
               JOIN questions q ON q.id = m.question_id
               JOIN foi_requests f ON f.id = m.foi_request_id WHERE q.uin = ? AND f.title = ?""",
            [UIN, FOI_TITLE],
        ).fetchone()
    finally:
        conn.close()
    if not row or not row[1]:
        raise SystemExit(f"the demo has no pair of UIN {UIN} and a document of '{FOI_TITLE}'")
    return row


def pages(db_path: Path) -> dict[str, str]:
    """Each screenshot's name and the path of its page."""
    match_id, document, page = leading_pair(db_path)
    return {
        "search": "search?q=trafficking+detention",
        "pair": f"pair/{match_id}",
        "department": "department/home-office",
        "document": f"document/{quote(document, safe='/:')}#page-{page}",
    }


def fit(driver, width: int) -> None:
    """The window exactly ``width`` css pixels wide (a phone's at 390) and as tall as the page."""
    metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    for _ in range(2):  # the height depends on the width the text wraps at
        metrics["height"] = driver.execute_script("return document.documentElement.scrollHeight")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)


def capture(base: str, paths: dict[str, str], out: Path, profile: Path) -> list[Path]:
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (*CHROMIUM_ARGS, f"--user-data-dir={profile}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for width in WIDTHS:
            for name, path in paths.items():
                fit(driver, width)
                driver.get(base + path)
                fit(driver, width)
                scroll = driver.execute_script("return document.documentElement.scrollWidth")
                if scroll > width:
                    raise SystemExit(f"the {name} page is {scroll} px wide at {width} px: it scrolls sideways")
                target = out / f"{name}-{width}.png"
                if not driver.save_screenshot(str(target)):
                    raise SystemExit(f"chromium did not save {target}")
                written.append(target)
    finally:
        driver.quit()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="The folder for the screenshots.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pqcheck-shot-") as tmp:
        db_path = build_demo(Path(tmp) / "demo").db_path
        running = make_server(db_path, "127.0.0.1", 0)
        thread = threading.Thread(target=running.run, daemon=True)
        thread.start()
        try:
            written = capture(running.url, pages(db_path), args.out, Path(tmp) / "profile")
        finally:
            running.close()
            thread.join(10)
    for path in written:
        print(f"{path} ({path.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()

"""End to end in a real browser: headless Chromium (Debian's, driven by its chromedriver through
selenium) searches the demo, opens the first pair, sees the refusal phrase highlighted, records a
verdict, and the verdict is in the database and in ``pqcheck report --format json``.

Selenium is never allowed to fetch a driver or a browser (SE_OFFLINE, explicit paths); without
Debian's chromium and chromedriver the test is skipped.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from pqcheck.cli import cli
from pqcheck.db import open_db
from pqcheck.pairs import ReportFilters, pair_rows

from .support.webserver import reviews, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    # without these Chromium reaches out to Google's services, and on a closed network its
    # connections (to the test server too) are refused
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
)
WAIT = 10  # seconds for a page to load


def chromium_options(profile: Path):
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (*CHROMIUM_ARGS, f"--user-data-dir={profile}"):
        options.add_argument(argument)
    return options


@pytest.fixture
def browser(tmp_path, monkeypatch):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        pytest.skip(
            f"needs Debian's chromium and chromedriver (apt-get install chromium chromium-driver): no {missing}"
        )
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # selenium-manager must not download anything
    driver = webdriver.Chrome(
        service=Service(executable_path=str(CHROMEDRIVER)), options=chromium_options(tmp_path / "profile")
    )
    driver.set_page_load_timeout(WAIT * 3)
    try:
        yield driver
    finally:
        driver.quit()


def test_search_open_a_pair_and_record_a_verdict(demo_copy, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    db_path = demo_copy
    wait = WebDriverWait(browser, WAIT)
    with serving(db_path) as running:
        browser.get(running.url)
        assert "Overview" in browser.title
        box = browser.find_element(By.CSS_SELECTOR, "form.big-search input[name=q]")
        box.send_keys("trafficking detention")
        browser.find_element(By.CSS_SELECTOR, "form.big-search button[type=submit]").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#results-pairs a.hit-title")))
        assert "q=trafficking+detention" in browser.current_url  # a link that can be shared

        first = browser.find_elements(By.CSS_SELECTOR, "#results-pairs a.hit-title")[0]
        assert first.text.startswith("UIN 990619 (2019-")
        match_id = first.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
        first.click()
        wait.until(ec.url_contains(f"/pair/{match_id}"))

        database = open_db(db_path)
        [row] = pair_rows(database, ReportFilters(match_ids=(match_id,)))
        database.close()
        assert row["uin"] == "990619" and row["department"] == "Home Office"
        phrase = row["answer_text"][row["span"][0] : row["span"][1]]
        marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#answer-text mark")]
        assert phrase in marks, (phrase, marks)
        assert browser.find_element(By.CSS_SELECTOR, ".verdict.v-none").text == "unreviewed"

        browser.find_element(By.NAME, "note").send_keys("The FOI gives the figure the answer says is not held.")
        browser.find_element(By.NAME, "reviewer").send_keys("Alex Researcher")
        browser.find_element(By.CSS_SELECTOR, "button.b-confirmed").click()
        notice = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "p.notice")))
        assert "Verdict recorded" in notice.text
        assert "recorded=1" in browser.current_url
        assert browser.find_element(By.CSS_SELECTOR, ".summary-line .verdict").text == "confirmed"
        assert "Alex Researcher" in browser.find_element(By.CSS_SELECTOR, "ol.reviews").text

    [review] = reviews(db_path)
    assert review["match_id"] == match_id
    assert review["verdict"] == "confirmed"
    assert review["note"] == "The FOI gives the figure the answer says is not held."
    assert review["reviewer"] == "Alex Researcher"

    result = CliRunner().invoke(cli, ["report", str(db_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    pairs = {p["match_id"]: p for p in json.loads(result.output)["pairs"]}
    assert pairs[match_id]["review"]["verdict"] == "confirmed"
    assert pairs[match_id]["review"]["reviewer"] == "Alex Researcher"
    assert pairs[match_id]["review"]["note"] == review["note"]
    assert [p["match_id"] for p in pairs.values() if p["review"]] == [match_id]


# ---------------------------------------------------------------------------------------------
# a phone's width, the chart's colours, the reviewer's name

PHONE = 390  # css pixels: a phone held upright


def phone_pages(db_path: Path) -> dict[str, str]:
    """The pages a staffer opens on a phone: a search, a pair, a department, an FOI document."""
    conn = sqlite3.connect(db_path)
    try:
        match_id, document = conn.execute(
            "SELECT id, foi_document_id FROM matches WHERE foi_document_id IS NOT NULL ORDER BY score DESC, id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return {
        "search": "search?q=trafficking+detention",
        "pair": f"pair/{match_id}",
        "department": "department/home-office",
        "document": "document/" + quote(document, safe="/:"),
        "foi": "foi/" + quote(document.split("/", 1)[0], safe=":"),
    }


def set_width(driver, width: int, *, mobile: bool) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": mobile},
    )


def test_no_page_scrolls_sideways_at_a_phones_width(demo_db, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    with serving(demo_db) as running:
        set_width(browser, PHONE, mobile=True)
        for name, path in phone_pages(demo_db).items():
            browser.get(running.url + path)
            # the page and its style sheet loaded (a loaded machine may still be fetching the CSS)
            WebDriverWait(browser, WAIT).until(lambda b: b.execute_script("return document.readyState") == "complete")
            assert browser.execute_script("return window.innerWidth") == PHONE, name
            width = browser.execute_script("return document.documentElement.scrollWidth")
            assert width <= PHONE, f"{name} ({path}) is {width} px wide at {PHONE} px"
            if name in ("department", "search"):  # tables are stacked rows, each cell with its label
                cells = browser.execute_script(
                    "return [...document.querySelectorAll('table.stack td')].map(td => getComputedStyle(td).display)"
                )
                assert not cells or set(cells) == {"block"}, (name, set(cells))


def test_the_department_chart_draws_refusals_in_the_legends_colour(demo_db, browser):
    from selenium.webdriver.common.by import By

    with serving(demo_db) as running:
        browser.get(running.url + "department/home-office")
        bars = browser.find_elements(By.CSS_SELECTOR, "svg.bars rect.bar-r")
        assert bars and any(float(bar.get_attribute("width")) > 0 for bar in bars)
        colour = browser.execute_script
        refusal_bar = colour("return getComputedStyle(document.querySelector('rect.bar-r')).fill")
        pair_bar = colour("return getComputedStyle(document.querySelector('rect.bar-p')).fill")
        refusal_key = colour("return getComputedStyle(document.querySelector('.key-r')).color")
        pair_key = colour("return getComputedStyle(document.querySelector('.key-p')).color")
        assert refusal_bar == refusal_key and pair_bar == pair_key and refusal_bar != pair_bar


def test_the_reviewers_name_is_remembered_for_the_next_verdict(demo_copy, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    conn = sqlite3.connect(demo_copy)
    first, second = [row[0] for row in conn.execute("SELECT id FROM matches ORDER BY score DESC, id LIMIT 2")]
    conn.close()
    with serving(demo_copy) as running:
        browser.get(f"{running.url}pair/{first}")
        assert browser.find_element(By.NAME, "reviewer").get_attribute("value") == ""
        browser.find_element(By.NAME, "reviewer").send_keys("Sam Staffer")
        browser.find_element(By.CSS_SELECTOR, "button.b-rejected").click()
        WebDriverWait(browser, WAIT).until(ec.presence_of_element_located((By.CSS_SELECTOR, "p.notice")))
        browser.get(f"{running.url}pair/{second[:8]}")  # the first characters of an id, as the CLI takes
        assert browser.current_url.endswith(f"/pair/{second}")
        assert browser.find_element(By.NAME, "reviewer").get_attribute("value") == "Sam Staffer"
    assert [r["reviewer"] for r in reviews(demo_copy)] == ["Sam Staffer"]

"""End to end in a real browser: headless Chromium (Debian's, driven by its chromedriver through
selenium) searches the demo, opens the first pair, sees the refusal phrase highlighted, records a
verdict, and the verdict is in the database and in ``pqcheck report --format json``.

Selenium is never allowed to fetch a driver or a browser (SE_OFFLINE, explicit paths); without
Debian's chromium and chromedriver the test is skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

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

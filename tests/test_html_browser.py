"""The HTML report in a real headless browser: it loads, draws every record, steps, shows payloads.

Needs Chromium, its driver and selenium (``.ci/run`` installs them). Without them the test skips
and says why, except in CI (``CI=true``), where a missing browser is a failure: the report must be
checked there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lso_sim.cli.main import main
from lso_sim.trace.select import load_records

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the browser test: {reason} (.ci/run installs it)")
    pytest.skip(f"{reason}; install chromium, chromium-driver and selenium (.ci/run does) to run it")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by selenium, with a fresh profile."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed")
    binary = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    driver_path = shutil.which("chromedriver")
    if binary is None or driver_path is None:
        _missing(
            f"no Chromium ({binary or 'browser missing'}) or chromedriver ({driver_path or 'missing'})"
        )
    options = webdriver.ChromeOptions()
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="lso-sim-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = str(binary)
    driver = webdriver.Chrome(options=options, service=Service(str(driver_path)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The HTML report of the canonical 10.2 trace, and the trace's records."""
    folder = tmp_path_factory.mktemp("html")
    trace, page = folder / "t.jsonl", folder / "t.html"
    assert main(["run", "--thread", "10.2", "--quiet", "--trace-out", str(trace)]) == 0
    assert main(["trace", str(trace), "--format", "html", "-o", str(page)]) == 0
    return page, load_records(trace).records


def test_html_is_self_contained_and_deterministic(
    report: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    page, _ = report
    text = page.read_text(encoding="utf-8")
    # Nothing is fetched: no linked stylesheet, no script or image source, no CSS url() or import.
    # (Payloads may mention addresses, e.g. schema locations: they are data, not fetched.)
    assert "<link" not in text and "src=" not in text and "@import" not in text
    assert not re.search(r"url\(\s*['\"]?https?:", text)
    again = tmp_path / "again.html"
    assert main(["trace", str(page.with_suffix(".jsonl")), "--format", "html", "-o", str(again)]) == 0
    assert again.read_bytes() == page.read_bytes()


def test_report_loads_steps_and_shows_payloads(
    browser: Any, report: tuple[Path, list[dict[str, Any]]]
) -> None:
    from selenium.webdriver.common.by import By

    page, records = report
    browser.get(page.as_uri())
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true"
    rows = browser.find_elements(By.CSS_SELECTOR, "#sequence g.row")
    assert len(rows) == len(records)
    assert [int(r.get_attribute("data-seq")) for r in rows] == [r["seq"] for r in records]
    labels = [r.text for r in rows]
    first, second = records[0], records[1]
    assert labels[0] == f"{first['irp']} {first['operation']} [{first['step']}]"
    assert labels[1] == f"{second['irp']} {second['operation']} [{second['step']}] ({second['status']})"
    position = browser.find_element(By.ID, "position")
    assert position.text == f"step {len(records)} of {len(records)}"

    browser.find_element(By.ID, "first").click()
    for _ in range(3):
        browser.find_element(By.ID, "next").click()
    assert position.text == f"step 3 of {len(records)}"
    current = browser.find_elements(By.CSS_SELECTOR, "#sequence g.row.current")
    assert [c.get_attribute("data-seq") for c in current] == [str(records[2]["seq"])]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#sequence g.row.future")) == len(records) - 3
    browser.find_element(By.ID, "prev").click()
    assert position.text == f"step 2 of {len(records)}"
    assert json.loads(browser.find_element(By.ID, "payload").text) == records[1]["payload"]

    target = next(i for i, r in enumerate(records) if r["operation"] == "createProductOrder")
    browser.execute_script(
        "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", rows[target]
    )
    assert json.loads(browser.find_element(By.ID, "payload").text) == records[target]["payload"]
    detail = browser.find_element(By.ID, "detail").text
    assert "step 4: Customer places the product order" in detail
    assert "acme sends BUS-sp bus-sp the request createProductOrder: place a product order." in detail


def test_per_irp_summary_table(browser: Any, report: tuple[Path, list[dict[str, Any]]]) -> None:
    from selenium.webdriver.common.by import By

    page, records = report
    browser.get(page.as_uri())
    cells = {
        row.find_elements(By.TAG_NAME, "td")[0].text: row.find_elements(By.TAG_NAME, "td")[1].text
        for row in browser.find_elements(By.CSS_SELECTOR, "table:first-of-type tbody tr")
    }
    for irp in ("CANTATA", "SONATA", "LEGATO", "INTERLUDE", "PRESTO", "ADAGIO"):
        assert cells[irp] == str(sum(1 for r in records if r["irp"] == irp and r["kind"] != "timeout"))

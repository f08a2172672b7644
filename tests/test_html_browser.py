"""The HTML report in a real headless browser: it loads, draws every record, steps, shows payloads.

Needs Chromium, its driver and selenium (``.ci/run`` installs them). Without them the test skips
and says why, except in CI (``CI=true``), where a missing browser is a failure: the report must be
checked there.
"""

from __future__ import annotations

import itertools
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
from lso_sim.threads.explain import explain_records
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


# -- the viewer students expect: sticky heads, time axis, phases, reveal, state machine, quiz ----


def _click(browser: Any, element: Any) -> None:
    """A click that works on SVG elements too (selenium's own click needs an HTML box)."""
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", element)


def _y(row: Any) -> float:
    return float(row.get_attribute("transform").split(",")[1].rstrip(")"))


@pytest.fixture(scope="module")
def trouble(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The HTML report of the canonical 10.5 golden (10.2 set-up first), and its records."""
    golden = Path(__file__).resolve().parents[1] / "scenarios" / "goldens" / "thread-10.5.jsonl"
    page = tmp_path_factory.mktemp("html") / "trouble.html"
    assert main(["trace", str(golden), "--format", "html", "-o", str(page)]) == 0
    return page, load_records(golden).records


def test_participant_headers_stay_visible(browser: Any, report: tuple[Path, list[dict[str, Any]]]) -> None:
    from selenium.webdriver.common.by import By

    page, _ = report
    browser.get(page.as_uri())
    heads = browser.find_element(By.ID, "heads")
    assert browser.execute_script("return getComputedStyle(arguments[0]).position", heads) == "sticky"
    browser.execute_script("document.getElementById('diagram').scrollTop = 1500")
    top = browser.execute_script(
        "return [arguments[0].getBoundingClientRect().top,"
        " document.getElementById('diagram').getBoundingClientRect().top]",
        heads,
    )
    assert abs(top[0] - top[1]) <= 2
    names = {t.text for t in heads.find_elements(By.CSS_SELECTOR, ".head text")}
    assert names >= {"acme", "bus-sp", "SOF-sp"}


def test_time_axis_shows_times_and_waits(browser: Any, report: tuple[Path, list[dict[str, Any]]]) -> None:
    from selenium.webdriver.common.by import By

    page, records = report
    browser.get(page.as_uri())
    times = browser.find_elements(By.CSS_SELECTOR, "#axis text.time")
    assert len(times) == len(records) and times[0].get_attribute("textContent") == "0.000 s"
    waits = [b["time"] - a["time"] for a, b in itertools.pairwise(records)]
    labels = [g.get_attribute("textContent") for g in browser.find_elements(By.CSS_SELECTOR, ".gap-label")]
    assert len(labels) == sum(1 for w in waits if w >= 30) > 0
    assert all(label.endswith(" later") for label in labels)
    marks = browser.find_elements(By.CSS_SELECTOR, "#axis .concurrent-mark")
    concurrent = [m.concurrent for m in explain_records(records) if m.concurrent]
    assert [m.find_element(By.TAG_NAME, "title").get_attribute("textContent") for m in marks] == concurrent
    rows = browser.find_elements(By.CSS_SELECTOR, "#sequence g.row")
    longest = max(range(len(waits)), key=lambda i: waits[i])
    shortest = min(range(len(waits)), key=lambda i: waits[i])
    assert _y(rows[longest + 1]) - _y(rows[longest]) > 2 * (_y(rows[shortest + 1]) - _y(rows[shortest]))


def test_phases_fold_and_unfold(browser: Any, trouble: tuple[Path, list[dict[str, Any]]]) -> None:
    from selenium.webdriver.common.by import By

    page, records = trouble
    browser.get(page.as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "#sequence g.row")
    setup = sum(1 for r in records if r["thread"] == "10.2" and r["instance"] == "acme/order-1")
    after = _y(rows[setup])
    button = browser.find_element(By.CSS_SELECTOR, '#phases button[data-phase="instance:acme/order-1"]')
    assert "set-up" in button.text
    _click(browser, button)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#sequence g.row.folded")) == setup
    fold = browser.find_element(By.CSS_SELECTOR, "#folds .fold")
    assert f"{setup} record(s) folded: acme/order-1" in fold.text
    assert _y(rows[setup]) < after  # the rows below moved up
    _click(browser, fold)
    assert browser.find_elements(By.CSS_SELECTOR, "#sequence g.row.folded") == []
    assert browser.find_elements(By.CSS_SELECTOR, "#folds .fold") == []

    step = browser.find_elements(By.CSS_SELECTOR, '#phases button[data-phase^="step:"]')[1]
    _click(browser, step)
    folded = browser.find_elements(By.CSS_SELECTOR, "#sequence g.row.folded")
    assert folded and step.get_attribute("aria-pressed") == "true"
    _click(browser, step)
    assert browser.find_elements(By.CSS_SELECTOR, "#sequence g.row.folded") == []


def test_step_by_step_reveal_shows_the_step_text_beside_the_arrow(
    browser: Any, report: tuple[Path, list[dict[str, Any]]]
) -> None:
    from selenium.webdriver.common.by import By

    page, records = report
    browser.get(page.as_uri())
    browser.find_element(By.ID, "first").click()
    browser.find_element(By.ID, "next").click()
    shown = [c for c in browser.find_elements(By.CSS_SELECTOR, "#sequence .caption") if c.is_displayed()]
    assert [c.text for c in shown] == [
        "step setup: Not a MEF step: set-up; a buyer registers a notification hub so later events reach it"
    ]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#sequence g.row.future")) == len(records) - 1


def test_state_machine_beside_the_sequence(browser: Any, report: tuple[Path, list[dict[str, Any]]]) -> None:
    from selenium.webdriver.common.by import By

    page, records = report
    browser.get(page.as_uri())
    target = next(
        i
        for i, r in enumerate(records)
        if r["operation"] == "productOrderStateChangeEvent" and r["payload"]["event"]["state"] == "completed"
    )
    _click(browser, browser.find_elements(By.CSS_SELECTOR, "#sequence g.row")[target])
    title = browser.find_element(By.CSS_SELECTOR, "#machine .machine-title").text
    assert title.startswith("productOrder ") and title.endswith(": completed")
    current = browser.find_elements(By.CSS_SELECTOR, "#machine .state.current")
    assert [c.get_attribute("data-state") for c in current] == ["completed"]
    boxes = browser.find_elements(By.CSS_SELECTOR, "#machine .state.visited")
    visited = {v.get_attribute("data-state") for v in boxes}
    assert {"acknowledged", "inProgress"} <= visited
    # Before any record reported a resource's state, there is no machine to show.
    browser.find_element(By.ID, "first").click()
    browser.find_element(By.ID, "next").click()
    assert browser.find_element(By.ID, "machine").text == ""


def test_what_comes_next_quiz(browser: Any, report: tuple[Path, list[dict[str, Any]]]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    page, records = report
    browser.get(page.as_uri())
    browser.find_element(By.ID, "first").click()
    quiz = browser.find_element(By.ID, "quiz")
    assert not quiz.is_displayed()
    browser.find_element(By.ID, "guess").click()
    assert quiz.is_displayed()
    rows = browser.find_elements(By.CSS_SELECTOR, "#sequence g.row")
    assert not rows[0].is_displayed()  # the next message stays hidden until guessed
    assert not any(g.is_displayed() for g in browser.find_elements(By.CSS_SELECTOR, "#gaps .gap-label"))

    def guess(src: str, dst: str, irp: str) -> str:
        Select(browser.find_element(By.ID, "guess-src")).select_by_value(src)
        Select(browser.find_element(By.ID, "guess-dst")).select_by_value(dst)
        Select(browser.find_element(By.ID, "guess-irp")).select_by_value(irp)
        browser.find_element(By.ID, "guess-check").click()
        return str(browser.find_element(By.ID, "guess-feedback").text)

    first, second = records[0], records[1]
    assert guess(first["src"], first["dst"], first["irp"]).startswith("Right: acme -> bus-sp over CANTATA")
    assert rows[0].is_displayed() and not rows[1].is_displayed()
    assert browser.find_element(By.ID, "position").text == f"step 1 of {len(records)}"
    feedback = guess(second["dst"], second["src"], second["irp"])  # sender and receiver swapped
    assert feedback.startswith(f"Not quite: it was {second['src']} -> {second['dst']}")
    assert browser.find_element(By.ID, "guess-score").text == "1 of 2 right"
    browser.find_element(By.ID, "guess").click()
    assert not quiz.is_displayed() and rows[5].is_displayed()

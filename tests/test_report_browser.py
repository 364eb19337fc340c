"""The class report in a real browser (Debian's chromium, headless): it loads nothing from
the network or beside it, logs no console error, runs no student's script, and its search
and sorting work. Set GRADER_SCREENSHOT=docs/report.png to refresh the README's picture."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import Browser
from test_classreport import write_hostile


@pytest.fixture(scope="module")
def browser():
    opened = Browser()
    yield opened
    opened.close()


def test_the_practice_class_report_loads_nothing_and_logs_no_error(graded_class, browser, tmp_path):
    _, out, expected, _, _ = graded_class
    report = out / "report.html"
    visit = browser.open(report)
    assert visit.requests == [report.resolve().as_uri()]
    assert visit.errors == [] and visit.dialogs == []
    rows = "Array.from(document.querySelectorAll('#student-table tbody tr'))"
    assert browser.evaluate(f"{rows}.length") == len(expected)
    browser.evaluate("var s = document.getElementById('search'); s.value = 'm_softmax';"
                     "s.dispatchEvent(new Event('input')); 0")
    shown = browser.evaluate(f"{rows}.filter(r => !r.hidden).map(r => r.cells[0].textContent)")
    assert shown and all("m_softmax" in s for s in shown)
    browser.evaluate("document.querySelectorAll('#student-table thead th')[2].click(); 0")  # total
    totals = browser.evaluate(f"{rows}.map(r => parseFloat(r.cells[2].textContent))")
    assert totals == sorted(totals)
    shot = Path(os.environ.get("GRADER_SCREENSHOT") or tmp_path / "report.png")
    browser.evaluate("var s = document.getElementById('search'); s.value = '';"
                     "s.dispatchEvent(new Event('input')); 0")
    browser.screenshot(shot)
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert browser.open(out / "feedback" / "ivy.html").errors == []


def test_a_hostile_class_runs_no_script_of_its_own(browser, tmp_path):
    report = write_hostile(tmp_path)
    for page in [report.path, *sorted((tmp_path / "feedback").glob("*.html"))]:
        visit = browser.open(page)
        assert visit.dialogs == [], page  # no alert() of a student's ran
        assert visit.errors == [], page  # nor was one blocked: none reached the page as HTML
        assert visit.requests == [page.resolve().as_uri()]  # no <img src=x> either

"""Lighthouse (npm, pinned in package.json), run by the project on the system
Chromium against the built book served on 127.0.0.1: accessibility 100 and
best practices 100 on the landing page, the heaviest chapter, the heaviest
lab and every lab that shows a widget, and no request to another host. Performance and SEO are reported by
``make bench``, not asserted (tpmcourse/bench/lighthouse.py).

``TPM_BOOK_HTML`` points the test at a book built elsewhere (default:
``_build/html``, made by ``make book``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tpmcourse.bench import lighthouse
from tpmcourse.paths import ROOT

pytestmark = pytest.mark.book  # reads the built book

HTML = Path(os.environ.get("TPM_BOOK_HTML") or ROOT / "_build" / "html")


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    assert (HTML / "index.html").exists(), f"the book is not built in {HTML}: run `make book` first"
    assert lighthouse.LIGHTHOUSE.exists(), "Lighthouse is not installed: run `npm ci` (make test does)"
    return lighthouse.audit(HTML)


def test_the_audited_pages_are_the_landing_page_a_chapter_and_the_labs_that_matter():
    pages = lighthouse.pages_to_audit(HTML)
    assert pages[0] == "intro.html"
    assert pages[1].startswith("chapters/") and pages[2].startswith("exercises/lab")
    assert "exercises/lab1_prioritization.html" in pages  # its explorer, shown as a still


@pytest.mark.parametrize("category", lighthouse.ASSERTED)
def test_lighthouse_scores_100(reports, category):
    low = {page: lighthouse.scores(report)[category] for page, report in reports.items()
           if lighthouse.scores(report)[category] != 100}
    details = [f"{page}: {problem}" for page in low for problem in lighthouse.failing(reports[page], category)]
    assert not low, f"{category}: {low}\n" + "\n".join(details)


def test_lighthouse_reaches_nothing_but_the_local_book(reports):
    for page, report in reports.items():
        assert report["finalDisplayedUrl"].startswith("http://127.0.0.1:"), page
        assert lighthouse.external_requests(report) == [], page
        assert not report.get("runtimeError"), report.get("runtimeError")

"""Lighthouse (npm, pinned in package.json), run by the project on the system
Chromium against the built book served on 127.0.0.1: accessibility 100 and
best practices 100 on the landing page, the heaviest chapter, the heaviest
lab and every lab that shows a widget, and no request to another host. Performance and SEO are reported by
``make bench``, not asserted (tpmcourse/bench/lighthouse.py).

``TPM_BOOK_HTML`` points the test at a book built elsewhere (default:
``_build/html``, made by ``make book``).
"""

from __future__ import annotations

import pytest

from browser import BOOK_HTML as HTML
from tpmcourse.bench import lighthouse

pytestmark = pytest.mark.book  # reads the built book


BUILT = (HTML / "index.html").exists()
PAGES = lighthouse.pages_to_audit(HTML) if BUILT else []  # collected without a book (make check), never run


def test_the_audited_pages_are_the_landing_page_a_chapter_and_the_labs_that_matter():
    assert BUILT, f"the book is not built in {HTML}: run `make book` first"
    assert PAGES[0] == "intro.html"
    assert PAGES[1].startswith("chapters/") and PAGES[2].startswith("exercises/lab")
    assert "exercises/lab1_prioritization.html" in PAGES  # its explorer, shown as a still


@pytest.mark.parametrize("page", PAGES)
def test_lighthouse_scores_100_and_reaches_nothing_but_the_local_book(book_url, page):
    """One audit per page, one test per page, so test workers share the pages."""
    assert lighthouse.LIGHTHOUSE.exists(), "Lighthouse is not installed: run `npm ci` (make test does)"
    report = lighthouse.run(f"{book_url}/{page}", categories=lighthouse.ASSERTED)
    low = {c: s for c, s in lighthouse.scores(report).items() if s != 100}
    assert low.keys() == set(), f"{page}: {low}\n" + "\n".join(
        p for c in low for p in lighthouse.failing(report, c))
    assert set(lighthouse.scores(report)) == set(lighthouse.ASSERTED)  # both were scored
    assert report["finalDisplayedUrl"].startswith("http://127.0.0.1:"), page
    assert "network-requests" in report["audits"]  # what the next line reads was measured
    assert lighthouse.external_requests(report) == [], page
    assert not report.get("runtimeError"), report.get("runtimeError")

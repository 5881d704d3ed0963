"""The notebook a page's download button gives is the learner edition
(tpmcourse/book/learner_downloads.py), while the page itself is built from the
repository's notebook as before.

Reads the built book (default ``_build/html``, made by ``make book``;
``TPM_BOOK_HTML=DIR/_build/html`` reads another build).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup

from browser import BOOK_HTML as HTML
from tpmcourse.book.learner_downloads import published_url
from tpmcourse.content import learner_edition

pytestmark = pytest.mark.book  # reads the built book

COURSE = learner_edition.Course(published_url())
NOTEBOOKS = learner_edition.course_notebooks(COURSE)
BOOK_ROLE = re.compile(r"\{(cite(:[a-z]+)?|doc|term|ref)\}`")


@pytest.fixture()
def built() -> Path:  # a cheap check: any worker may run these tests
    assert (HTML / "index.html").exists(), f"the book is not built in {HTML}: run `make book` first"
    return HTML


def download_link(built: Path, docname: str) -> Path:
    """The file the page's download button links for its notebook."""
    page = built / f"{docname}.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    hrefs = [str(a["href"]) for a in soup.find_all("a", href=True)]
    links = [href for href in hrefs if urlsplit(href).path.endswith(".ipynb") and "_sources/" in href
             and "://" not in href]
    assert len(links) == 1, f"{docname}.html: {len(links)} download links to a notebook: {links}"
    return built / urlsplit(urljoin(f"{docname}.html", links[0])).path


@pytest.mark.parametrize("page", NOTEBOOKS, ids=lambda page: page.docname)
def test_the_download_button_gives_the_learner_edition(built, page):
    downloaded = nbformat.read(download_link(built, page.docname), as_version=4)
    source = nbformat.read(page.path, as_version=4)
    expected = learner_edition.learner_notebook(source, page.docname, COURSE, name=page.path.name)
    assert downloaded == expected
    text = "\n".join(cell.source for cell in downloaded.cells if cell.cell_type == "markdown")
    assert not BOOK_ROLE.search(text), f"{page.docname}: a book-only role is left in the download"
    prose = "\n".join(cell.source for cell in downloaded.cells  # not the References cell: the works' addresses
                      if cell.cell_type == "markdown" and cell.get("id") != learner_edition.APPENDIX_ID)
    links = re.findall(r"\]\(([^)\s]+)\)", prose)
    assert links and all(url.startswith((COURSE.book_url, "#")) for url in links), (
        f"{page.docname}: a downloaded notebook travels alone, so its links go to the book: {links[:5]}")


def test_the_pages_are_still_built_from_the_repositorys_notebooks(built):
    """The book's own rendering is unchanged: its citations link the bibliography, its terms the glossary."""
    soup = BeautifulSoup((built / "chapters" / "02_responsibilities.html").read_text(encoding="utf-8"),
                         "html.parser")
    article = soup.find("article") or soup
    hrefs = [str(a["href"]) for a in article.find_all("a", href=True)]
    assert any("bibliography.html#" in href for href in hrefs)
    assert any("glossary.html#term-" in href for href in hrefs)
    assert not article.find("abbr"), "the page shows the learner edition's {abbr} instead of the book's roles"
    assert "References" not in [h.get_text(strip=True).rstrip("#") for h in article.find_all("h2")]

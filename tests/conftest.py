"""Shared fixtures (the course outline and its chapter notebooks, read once;
the system Chromium; the built book) and the test tiers.

Tiers are markers, given here so no test can forget its own:
- ``browser``: the test drives Chromium (it uses the ``browser`` or ``page`` fixture);
- ``book``: the test reads the built book (it uses ``book_url``, or is in
  tests/book/);
- ``grading``: the test runs submissions in the sandbox (the rule is in
  tests/tiers.py; a test that starts a sandbox without the marker fails).
``make check`` runs the tiers with none of them (``-m "not browser and not book
and not grading"``): the loop a developer runs on every change.

``make test`` runs the suite on every core, with the scheduler of the
repository's root ``conftest.py``. A cheap shared resource (the browser, the
served book) is a session fixture here, so that it does not hold its tests
together on one worker.
"""

from __future__ import annotations

import sys

import pytest
import yaml

from tpmcourse.content import notebooks
from tpmcourse.paths import COURSE, ROOT

sys.path.insert(0, str(ROOT / "tests"))

import tiers  # tests/ is on sys.path from the line above

BOOK_TESTS = ROOT / "tests" / "book"  # every test there is of the built book (or of building one)


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection, whichever plugins are on
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = tuple(getattr(item, "fixturenames", ()))
        if {"browser", "page"} & set(fixtures):
            item.add_marker(pytest.mark.browser)
        if "book_url" in fixtures or BOOK_TESTS in item.path.parents:
            item.add_marker(pytest.mark.book)
        if tiers.grades(item.path, getattr(item, "originalname", item.name), fixtures):
            item.add_marker(pytest.mark.grading)


_running: list[pytest.Item] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


def pytest_configure(config: pytest.Config) -> None:
    """Every sandbox a test starts in this process goes through :func:`tiers.guard`."""
    from tpmcourse.instructor.grade import runner

    run_job = runner.run_job

    def guarded(job: dict, timeout: float) -> dict:
        if _running:
            tiers.guard(_running[-1].get_closest_marker("grading") is not None, _running[-1].nodeid)
        return run_job(job, timeout)

    runner.run_job = guarded


@pytest.fixture(scope="session")
def outline() -> dict:
    return yaml.safe_load((COURSE / "outline.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def chapter_notebooks(outline) -> dict:
    return {ch["file"]: notebooks.read(ROOT / ch["file"]) for ch in outline["chapters"]}


@pytest.fixture(scope="session")
def browser():
    """The system Chromium (Debian package `chromium`), installed by .ci/run."""
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, CHROMIUM_ARGS

    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: run `apt-get install chromium` (.ci/run does this)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser):
    """A fresh page with its own storage; console errors are collected."""
    context = browser.new_context()
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture(scope="session")
def book_url():
    """The built book (made by `make book` / `make test`, or ``TPM_BOOK_HTML``), served on 127.0.0.1."""
    from browser import BOOK_HTML, serve

    assert (BOOK_HTML / "index.html").exists(), f"the book is not built in {BOOK_HTML}: run `make book` first"
    with serve(BOOK_HTML) as url:
        yield url

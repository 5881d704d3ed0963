"""Shared fixtures (the course outline and its chapter notebooks, read once;
the system Chromium; the built book) and the test tiers.

Tiers are markers, given here so no test can forget its own:
- ``browser``: the test drives Chromium (it uses the ``browser`` or ``page`` fixture);
- ``book``: the test reads the built book (it uses ``book_url``, or its module
  says ``pytestmark = pytest.mark.book``, as tests/book/test_book_*.py do).
``pytest -m "not browser and not book"`` runs the unit tiers with neither.

``make test`` runs the suite on every core (pytest-xdist, with the scheduler
below). Tests are spread one by one, except those that must share a process:

- the cells of one notebook (nbval runs them in order in one kernel);
- the tests of a module that sets up something costly once for the module (it
  defines a fixture of module, package or session scope, or imports fixtures
  with ``*``: a graded class, a JupyterLab server), so it is set up once, not
  once per worker. A cheap shared resource (the browser, the served book) is
  a session fixture here instead, so that it does not hold its tests together.
"""

from __future__ import annotations

import ast
import functools
import sys
from pathlib import Path

import pytest
import yaml

from tpmcourse.content import notebooks
from tpmcourse.paths import COURSE, ROOT

sys.path.insert(0, str(ROOT / "tests"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"browser", "page"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if "book_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.book)


SHARED_SCOPES = {"module", "package", "session"}


def sets_up_once(path: Path) -> bool:
    """Whether the test module ``path`` defines a fixture of module, package or
    session scope, or imports fixtures with ``*`` (read from its source: the
    scheduler decides before any test is collected in a worker)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return True
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                scope = next((k.value for k in getattr(deco, "keywords", []) if k.arg == "scope"), None)
                if isinstance(scope, ast.Constant) and scope.value in SHARED_SCOPES:
                    return True
    return False


def unit_of(nodeid: str) -> str:
    """The scheduling unit of a test: its notebook, its module when the module
    sets up once, else the test itself."""
    path = nodeid.split("::", 1)[0]
    if not path.endswith(".py"):  # a notebook's cells (pytest 9 may show "x/nb::ipynb::Cell 0")
        return path
    file = ROOT / path
    return path if file.exists() and _sets_up_once(file) else nodeid


_sets_up_once = functools.cache(sets_up_once)


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist's scope scheduling with the units above (its `loadgroup` marks
    do not reach the scheduler under pytest 9, which ignores the test id it rewrites)."""
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]  # xdist ships no type hints

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return CourseScheduling(config, log)


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

"""Every page of the built book, in the system Chromium: nothing loaded from
another host, no console error, no serious or critical axe-core violation in
light or dark mode, and a working download link on every notebook page.
Plus: a page opened straight from disk (file://) works, quiz and search."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest

from browser import InFlight, axe_violations
from quizpage import answer, result
from tpmcourse.book import repository, widgets
from tpmcourse.content import launch_tree
from tpmcourse.paths import ROOT
from tpmcourse.quiz import bank as quizbank

pytestmark = pytest.mark.book  # reads the built book in _build/html

HTML = ROOT / "_build" / "html"
PAGES = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
               if "_static" not in p.parts and "_sources" not in p.parts and p.name != "index.html")


def test_the_book_has_all_its_pages():
    assert "intro.html" in PAGES and "course/progress.html" in PAGES
    assert sum(p.startswith("chapters/") for p in PAGES) == 10


@dataclass
class Visit:
    """What one visit to a page saw: its theme, the hosts it reached, its errors and axe's violations."""

    theme: str
    hosts: set[str]
    errors: list[str]
    violations: list[dict]
    cookies: list


def is_axe_reading_a_sheet(request) -> bool:
    """axe's own request for a stylesheet's text, made while it runs."""
    return request.resource_type in ("xhr", "fetch") and urlparse(request.url).path.endswith(".css")


def visit(browser, url: str, mode: str, extra: str = "") -> Visit:
    """Open ``url`` in ``mode`` (``extra``: HTML added to the page's body, for the tests of this
    test), wait for its widgets, run axe, and wait for what the page still has in flight."""
    context = browser.new_context(color_scheme=mode)
    page = context.new_page()
    hosts, console, thrown, by_axe = set(), [], [], set()
    in_flight = InFlight(page)
    axe_running = False
    if extra:
        def add(route):
            response = route.fetch()
            route.fulfill(response=response, body=response.text().replace("</body>", extra + "</body>"))
        page.route(url, add)
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname) if r.url.startswith("http") else None)
    page.on("request", lambda r: by_axe.add(r.url) if axe_running and is_axe_reading_a_sheet(r) else None)
    page.on("console", lambda m: console.append((m.text, m.location.get("url", ""))) if m.type == "error" else None)
    page.on("pageerror", lambda e: thrown.append(str(e)))
    try:
        page.goto(url, wait_until="load")
        if page.locator(f'script[type="{widgets.VIEW_MIME}"]').count():
            page.wait_for_selector(".jupyter-widgets", timeout=20_000)  # axe reads the drawn widgets
        theme = page.evaluate("document.documentElement.dataset.theme")
        axe_running = True
        violations = axe_violations(page)
        axe_running = False
        # axe ran for longer than the half second of quiet Playwright's "networkidle" waits for:
        # whatever the page fetches late (a tracker, a font) has been asked for; let it end.
        in_flight.wait(page)
        # axe fetches the page's stylesheets again to read them (by XHR), resolving an @import against
        # the page rather than the sheet (/basic.css): a 404 of its own making, not of the page's.
        errors = [text for text, where in console
                  if not (text.startswith("Failed to load resource") and where in by_axe)] + thrown
        return Visit(theme, hosts, errors, violations, context.cookies())
    finally:
        context.close()


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_page_is_private_clean_and_accessible(browser, book_url, path, mode):
    seen = visit(browser, f"{book_url}/{path}", mode)
    assert seen.theme == mode, f"{path}: theme is {seen.theme!r} in {mode} mode"
    assert seen.hosts <= {"127.0.0.1"}, f"{path} loaded from other hosts: {sorted(seen.hosts - {'127.0.0.1'})}"
    assert seen.errors == [], f"{path}: console errors {seen.errors}"
    assert not seen.violations, f"{path} ({mode}): " + "; ".join(
        f"{v['id']} on {[n['target'] for n in v['nodes'][:3]]}" for v in seen.violations)
    assert seen.cookies == []


def test_the_visit_sees_late_errors_missing_files_and_other_hosts(browser, book_url):
    """What the page test must catch, made to happen after the load event and during axe's run."""
    seen = visit(browser, f"{book_url}/course/glossary.html", "light", extra=(
        '<script>setTimeout(() => { throw new Error("late failure"); }, 300);'
        'setTimeout(() => { const i = new Image(); i.alt = ""; i.src = "/no-such-figure.png"; }, 500);'
        'setTimeout(() => { fetch("http://192.0.2.1/pixel").catch(() => null); }, 700);</script>'))
    assert any("late failure" in e for e in seen.errors), seen.errors
    assert any(e.startswith("Failed to load resource") for e in seen.errors), seen.errors
    assert "192.0.2.1" in seen.hosts


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith(("chapters/", "exercises/"))])
def test_notebook_page_download_link_resolves(page, book_url, path):
    page.goto(f"{book_url}/{path}")
    link = page.locator('a[href$=".ipynb"][href*="_sources/"]')
    assert link.count() == 1, f"{path}: no download link"
    href = link.get_attribute("href")
    response = page.request.get(f"{book_url}/{path.rsplit('/', 1)[0]}/{href}")
    assert response.ok, f"{path}: download link {href} gives HTTP {response.status}"
    notebook = response.json()
    assert notebook["nbformat"] == 4
    assert any(cell.get("outputs") for cell in notebook["cells"] if cell["cell_type"] == "code"), \
        "the downloaded notebook should carry its outputs"


@pytest.mark.parametrize("path", ["chapters/02_responsibilities.html", "exercises/lab1_prioritization.html"])
def test_launch_buttons_open_the_learner_branch_on_binder_only(path):
    """Binder builds the course's environment; Colab (one notebook, no package) and a hub the
    course does not have are left out (tests/book/test_repository_url.py builds a hub's button)."""
    import yaml
    from bs4 import BeautifulSoup

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = urlparse(repository.url(config["repository"]["url"])).path.strip("/")
    branch = launch_tree.launch_branch()  # the learner edition's, which the workflow pushes
    notebook = path.replace(".html", ".ipynb")
    soup = BeautifulSoup((HTML / path).read_text(encoding="utf-8"), "html.parser")
    launch = soup.select(".dropdown-launch-buttons a[href]")
    assert [str(a["href"]) for a in launch] == [
        f"{config['launch_buttons']['binderhub_url']}/v2/gh/{repo}/{branch}?urlpath=lab/tree/{notebook}"]


PLACEHOLDER_HREF = re.compile(r"""href=["']?(https?://([\w-]+\.)*example\.(com|org|net|edu)\b[^"'\s>]*)""", re.I)


def test_no_page_links_to_a_placeholder_host():
    """A link to example.com, .org, .net or .edu is a setting nobody filled in (as a hub's address was)."""
    found = [(page.relative_to(HTML).as_posix(), match[1]) for page in sorted(HTML.rglob("*.html"))
             for match in PLACEHOLDER_HREF.finditer(page.read_text(encoding="utf-8"))]
    assert found == []
    assert PLACEHOLDER_HREF.search('<a href="https://hub.example.edu/hub/user-redirect/git-pull?repo=x">')


def test_a_page_opened_from_disk_works_quiz_included(page):
    bank = quizbank.load_chapter("ch02")
    q = bank.questions[0]
    hosts = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).scheme))
    page.goto((HTML / "chapters" / "02_responsibilities.html").as_uri())
    answer(page, q, right=True)
    assert result(page, q.id) == "correct"
    assert page.locator(".katex").count() > 0  # math typeset at build time, no script needed
    assert hosts <= {"file", "data", "about"}, hosts
    assert page.console_errors == []


def test_search_works_from_disk(page):
    page.goto((HTML / "search.html").as_uri() + "?q=error+budget")
    page.wait_for_selector("#search-results li", timeout=20_000)
    titles = page.locator("#search-results li").all_inner_texts()
    assert any("Technical Skills and Tools" in t for t in titles), titles[:5]


def test_print_layout_hides_navigation_and_solutions(page, book_url):
    page.goto(f"{book_url}/chapters/02_responsibilities.html")
    page.emulate_media(media="print")
    assert not page.locator(".bd-sidebar-primary").is_visible()
    assert not page.locator("button.tpm-check").first.is_visible()
    solution = page.locator(".solution").first
    assert solution.count() == 1 and not solution.is_visible()
    assert page.locator("h1").first.is_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 20_000


@pytest.mark.parametrize("path", PAGES)
def test_headings_never_skip_a_level(path):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((HTML / path).read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup
    levels = [int(h.name[1]) for h in article.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    assert levels and levels[0] == 1, f"{path}: the page should start with one h1, got {levels[:3]}"
    jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert not jumps, f"{path}: heading levels jump {jumps}"
    assert levels.count(1) == 1, f"{path}: {levels.count(1)} h1 headings"

"""What each page of the built book weighs: every response a first visit
loads, counted in headless Chromium over a local HTTP server.

Each page is opened in a fresh browser context (an empty cache), scrolled to
its end so that anything loaded lazily is loaded too, and left until the
network is idle. Every response is counted: its bytes as served (``raw``)
and again compressed with gzip at level 6 (``gzip``), so the compressed
figure does not depend on what the server does. A file of the served folder
is weighed from the file (the bytes the static server sends, compressed once
per file rather than once per page); anything else from its body. Figures are the
images Sphinx copies into ``_images/`` (charts and pictures in the text); the
chapter budget is counted without them.

The budgets (``BUDGETS``) are asserted in ``tests/book/test_page_weight.py``
and printed beside the table by ``make bench``.
"""

from __future__ import annotations

import functools
import gzip
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from tpmcourse.paths import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import Response as PlaywrightResponse

LANDING = "intro.html"  # index.html only redirects here
KB = 1000  # budgets are in kilobytes of 1000 bytes, the stricter reading


@dataclass(frozen=True)
class Budgets:
    landing_gzip: int = 300 * KB
    landing_requests: int = 20
    chapter_gzip_without_figures: int = 500 * KB
    any_page_gzip: int = 1000 * KB


BUDGETS = Budgets()


@dataclass(frozen=True)
class Response:
    url: str
    raw: int
    gzip: int

    @property
    def is_figure(self) -> bool:
        return "/_images/" in urlparse(self.url).path


@dataclass
class PageWeight:
    page: str
    responses: list[Response] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.responses)

    @property
    def raw(self) -> int:
        return sum(r.raw for r in self.responses)

    @property
    def gzip(self) -> int:
        return sum(r.gzip for r in self.responses)

    @property
    def figures_gzip(self) -> int:
        return sum(r.gzip for r in self.responses if r.is_figure)

    @property
    def gzip_without_figures(self) -> int:
        return self.gzip - self.figures_gzip


def gzip_size(body: bytes) -> int:
    """Bytes of ``body`` compressed with gzip at level 6 (a server's usual setting)."""
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def book_pages(html: Path) -> list[str]:
    """Every page a reader can open: the HTML files outside ``_static`` and
    ``_sources``, without ``index.html`` (a redirect to the landing page)."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if "_static" not in p.parts and "_sources" not in p.parts and p.name != "index.html")


def _tests_on_path() -> None:
    """The browser set-up (system Chromium, local server) lives in tests/browser.py."""
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))


@functools.lru_cache(maxsize=1024)
def _file_weight(path: Path, size: int, mtime_ns: int) -> tuple[int, int]:
    """A served file's bytes, raw and gzipped: once per file and version, not once per page."""
    body = path.read_bytes()
    return len(body), gzip_size(body)


def weigh(browser: Browser, url: str, page_path: str, folder: Path | None = None) -> PageWeight:
    """One first visit to ``page_path`` of the book served at ``url``. With ``folder``, the
    folder the server serves as is: a response for one of its files is weighed from the file
    (the same bytes, without passing each body through Playwright); others by their body."""
    _tests_on_path()
    from browser import InFlight

    weight = PageWeight(page_path)
    context = browser.new_context()
    seen: list[PlaywrightResponse] = []
    in_flight = InFlight(context)
    context.on("response", lambda r: seen.append(r))
    page = context.new_page()
    try:
        page.goto(f"{url}/{page_path}", wait_until="load")
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_load_state("networkidle")
        # A font asked for by the last layout: lay out now, wait for the fonts, then for the requests.
        page.evaluate("document.body.offsetHeight; document.fonts.ready.then(() => true)")
        in_flight.wait(page)
        for response in seen:
            weight.responses.append(_weigh(response, url, folder))
    finally:
        context.close()
    return weight


def _weigh(response: PlaywrightResponse, url: str, folder: Path | None) -> Response:
    if folder is not None and response.url.startswith(url + "/") and response.status == 200:
        path = folder / unquote(urlparse(response.url).path).lstrip("/")
        if path.is_file() and folder.resolve() in path.resolve().parents:
            stat = path.stat()
            raw, gzipped = _file_weight(path, stat.st_size, stat.st_mtime_ns)
            return Response(response.url, raw, gzipped)
    body = response.body()
    return Response(response.url, len(body), gzip_size(body))


def measure(html: Path, pages: list[str] | None = None) -> list[PageWeight]:
    """Weigh every page (or ``pages``) of the book built in ``html``."""
    _tests_on_path()
    from playwright.sync_api import sync_playwright

    from browser import CHROMIUM, CHROMIUM_ARGS, serve

    rows = []
    with serve(html) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for page_path in pages if pages is not None else book_pages(html):
                rows.append(weigh(browser, url, page_path, html))
        finally:
            browser.close()
    return rows


def is_chapter(page: str) -> bool:
    return page.startswith("chapters/")


def over_budget(rows: list[PageWeight], budgets: Budgets = BUDGETS) -> list[str]:
    """Each budget a page breaks, in words; empty when all hold."""
    problems = []
    for r in rows:
        if r.page == LANDING and r.gzip >= budgets.landing_gzip:
            problems.append(f"{r.page}: {r.gzip / KB:.0f} kB compressed (landing budget "
                            f"{budgets.landing_gzip / KB:.0f} kB)")
        if r.page == LANDING and r.requests >= budgets.landing_requests:
            problems.append(f"{r.page}: {r.requests} requests (landing budget {budgets.landing_requests})")
        if is_chapter(r.page) and r.gzip_without_figures >= budgets.chapter_gzip_without_figures:
            problems.append(f"{r.page}: {r.gzip_without_figures / KB:.0f} kB compressed without figures "
                            f"(chapter budget {budgets.chapter_gzip_without_figures / KB:.0f} kB)")
        if r.gzip >= budgets.any_page_gzip:
            problems.append(f"{r.page}: {r.gzip / KB:.0f} kB compressed (page budget "
                            f"{budgets.any_page_gzip / KB:.0f} kB)")
    return problems


def table(rows: list[PageWeight]) -> str:
    """A Markdown table: one row per page, in kilobytes of 1000 bytes."""
    headers = ("page", "requests", "raw kB", "gzip kB", "figures gzip kB", "gzip kB without figures")
    body = [(r.page, str(r.requests), f"{r.raw / KB:.1f}", f"{r.gzip / KB:.1f}", f"{r.figures_gzip / KB:.1f}",
             f"{r.gzip_without_figures / KB:.1f}") for r in rows]
    widths = [max(len(x) for x in col) for col in zip(headers, *body, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in body])


def summary(rows: list[PageWeight], budgets: Budgets = BUDGETS) -> str:
    """The landing page, the heaviest chapter and the heaviest page, against their budgets."""
    by_page = {r.page: r for r in rows}
    lines = []
    if LANDING in by_page:
        landing = by_page[LANDING]
        lines.append(f"landing page: {landing.requests} requests (budget < {budgets.landing_requests}), "
                     f"{landing.gzip / KB:.0f} kB compressed (budget < {budgets.landing_gzip / KB:.0f} kB)")
    chapters = [r for r in rows if is_chapter(r.page)]
    if chapters:
        heaviest = max(chapters, key=lambda r: r.gzip_without_figures)
        lines.append(f"heaviest chapter: {heaviest.page}, {heaviest.gzip_without_figures / KB:.0f} kB compressed "
                     f"without figures (budget < {budgets.chapter_gzip_without_figures / KB:.0f} kB)")
    if rows:
        heaviest = max(rows, key=lambda r: r.gzip)
        lines.append(f"heaviest page: {heaviest.page}, {heaviest.gzip / KB:.0f} kB compressed "
                     f"(budget < {budgets.any_page_gzip / KB:.0f} kB)")
    problems = over_budget(rows, budgets)
    lines.append("every budget holds" if not problems else "over budget: " + "; ".join(problems))
    return "\n".join(lines)


def bench_page_weight(html: Path) -> str:
    rows = measure(html)
    return table(rows) + "\n\n" + summary(rows)

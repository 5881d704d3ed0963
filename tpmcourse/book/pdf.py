"""The whole course as one PDF: ``make pdf``, or ``python -m tpmcourse.book.pdf``.

Two steps, both offline:

1. Sphinx's ``singlehtml`` builder, run by Jupyter Book with the book's own
   configuration and warnings as errors, puts every page of ``_toc.yml`` on
   one HTML page, in the table of contents' order (math typeset at build time,
   figures and KaTeX's fonts served from the build folder).
2. The system Chromium, driven by Playwright, opens that page from disk and
   prints it to A4 with the book's print stylesheets (``static/tpm-book.css``,
   ``static/tpm-print.css``). Before printing, a script adds a cover, a
   contents list and a heading for each part of ``_toc.yml``; Chromium makes
   the bookmarks (outline) from the headings and puts a page number in every
   footer. The contents list gets its page numbers in a second printing, read
   from the first one's bookmarks. Every request the page makes other than to
   a local file is blocked, and any such request fails the print.

What the paper shows is the book as it first appears on screen, with nothing
unfolded: exercise solutions and lab model answers (folded on screen) do not
print, nor the verdicts of the checks that report on those answers; quizzes
print their questions and options, never answers or feedback (those exist only
in the browser). ``TPM_HIDE_SOLUTIONS=1`` builds it from a term's book
(tpmcourse/book/solutions.py), in which the answers are not even in the page.

This module also holds the two build hooks that make a ``singlehtml`` build
render pages as the ``html`` build does (:func:`register`).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import html
import io
import logging
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml
from sphinx.application import Sphinx
from sphinx.config import Config

from tpmcourse.paths import ROOT

if TYPE_CHECKING:  # the printer's own dependencies (the dev extra) are imported when it runs, not by the book build
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

CHROMIUM = "/usr/bin/chromium"  # Debian package `chromium`; Playwright never downloads a browser here
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]
OUT = ROOT / "_build" / "pdf" / "tpm-hands-on.pdf"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
# The page is laid out at the printed width (A4 less the margins, 180 mm, in CSS pixels) before it is measured.
PRINT_WIDTH = round((210 - 30) / 25.4 * 96)
# Chromium draws the footer in its own page with no styles: sizes and fonts are set here.
FOOTER = ('<div style="width:100%;margin:0 15mm;font:8pt sans-serif;color:#333;display:flex;'
          'justify-content:space-between"><span>{title}</span>'
          '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>')
PASSES = 3  # printings at most before the contents' page numbers settle (two suffice)


class PrintError(RuntimeError):
    """The PDF could not be made as promised (a page missing, a request off the machine, ...)."""


@dataclass(frozen=True)
class Part:
    """A part of ``_toc.yml``: its caption (None for the pages before the first part) and its pages."""

    caption: str | None
    docs: tuple[str, ...]


@dataclass(frozen=True)
class Printed:
    """What was printed: the file, its number of pages, the contents' entries
    as (level, title, page), the time it took, and the errors the page's own
    scripts reported (the quiz script, ...: the print does not depend on them)."""

    path: Path
    pages: int
    contents: tuple[tuple[int, str, int], ...]
    seconds: float
    script_errors: tuple[str, ...] = ()


# -- Build hooks (connected by tpmcourse.book.setup) --------------------------------------------

def register(app: Sphinx) -> None:
    app.connect("config-inited", choose_outputs_like_html)
    app.connect("builder-inited", share_html_handlers)


def choose_outputs_like_html(app: Sphinx, config: Config) -> None:
    """myst-nb picks each output's format per builder name: ``_config.yml``'s
    overrides for ``html`` (the quiz's HTML before its widget) apply to
    ``singlehtml`` too. Harmless to other builders, and the same in every build."""
    overrides = [tuple(item) for item in config.nb_mime_priority_overrides]
    extra = [("singlehtml", *item[1:]) for item in overrides if item[0] == "html"]
    config.nb_mime_priority_overrides = overrides + [item for item in extra if item not in overrides]


def share_html_handlers(app: Sphinx) -> None:
    """Sphinx looks up node handlers by builder name and falls back to the
    format (``html``) only when no extension registered any for the name.
    sphinx-exercise registers its own for ``singlehtml``, which hides every
    other extension's (sphinx-design, myst-nb, ...): give ``singlehtml`` the
    ``html`` handlers it lacks."""
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node, pair in handlers.get("html", {}).items():
        single.setdefault(node, pair)


# -- The table of contents -----------------------------------------------------------------------

def read_toc(toc: Path = ROOT / "_toc.yml") -> tuple[str, list[Part]]:
    """The root page and the parts of a jb-book ``_toc.yml``, in order."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    parts = [Part(part.get("caption"), tuple(_docname(ch["file"]) for ch in part.get("chapters", [])))
             for part in data.get("parts", [])]
    if "chapters" in data:  # a book without parts
        parts.insert(0, Part(None, tuple(_docname(ch["file"]) for ch in data["chapters"])))
    return _docname(data["root"]), [part for part in parts if part.docs]


def _docname(file: str) -> str:
    return Path(file).with_suffix("").as_posix() if Path(file).suffix in (".md", ".ipynb") else file


def book_title(config: Path = ROOT / "_config.yml") -> tuple[str, str]:
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    return str(data.get("title", "")), str(data.get("author", ""))


# -- Step 1: the single-page build --------------------------------------------------------------

def build_singlehtml(build_root: Path, source: Path = ROOT) -> Path:
    """Build the book with the ``singlehtml`` builder into ``build_root/_build/singlehtml``
    (warnings are errors, as in ``make book``); return the page to print."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book), "build", str(source), "--builder", "singlehtml",
               "--path-output", str(build_root), "-W", "-n", "--keep-going"]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise PrintError(f"the singlehtml build failed ({' '.join(command)}):\n"
                         f"{run.stdout[-4000:]}{run.stderr[-4000:]}")
    root, _ = read_toc(source / "_toc.yml")
    page = build_root / "_build" / "singlehtml" / f"{root}.html"
    if not page.exists():
        raise PrintError(f"the singlehtml build wrote no {page}")
    return page


# -- Step 2: printing ----------------------------------------------------------------------------

# Runs in the page before printing: cover, part headings, contents (page numbers to come).
PREPARE = """
({parts, note, contentsLabel}) => {
  const missing = [];
  const entries = [];
  const article = document.querySelector("article") || document.body;
  const title = article.querySelector("h1");
  if (!title) return {missing: ["the root page's title"], entries};
  document.querySelectorAll("a.headerlink").forEach((link) => link.remove());
  document.getElementById("jb-print-docs-body")?.remove();  // the theme's per-page print title and contents
  const text = (heading) => heading.textContent.replace(/\\s+/g, " ").trim();
  const target = (element, id) => { if (!element.id) element.id = id; return element.id; };

  title.classList.add("tpm-print-cover-title");
  const cover = document.createElement("p");
  cover.className = "tpm-print-cover-note";
  cover.textContent = note;
  title.after(cover);
  const intro = title.closest("section");
  intro.querySelectorAll(":scope > section > h2").forEach((heading, number) => {
    entries.push({level: 2, title: text(heading), id: target(heading.parentElement, "tpm-print-intro-" + number)});
  });
  parts.forEach((part, number) => {
    let partHeading = null;
    part.docs.forEach((name, index) => {
      const anchor = document.getElementById("document-" + name);
      const section = anchor && anchor.nextElementSibling;
      const heading = section && section.querySelector("h1, h2");
      if (!heading) { missing.push(name); return; }
      if (index === 0 && part.caption) {
        partHeading = document.createElement("h1");
        partHeading.className = "tpm-print-part";
        partHeading.id = "tpm-print-part-" + number;
        partHeading.textContent = part.caption;
        anchor.before(partHeading);
        entries.push({level: 1, title: part.caption, id: partHeading.id});
      }
      section.classList.add("tpm-print-doc");
      entries.push({level: 2, title: text(heading), id: target(section, "tpm-print-doc-" + name)});
    });
  });

  const nav = document.createElement("nav");
  nav.className = "tpm-print-toc";
  nav.setAttribute("aria-labelledby", "tpm-print-contents");
  const label = document.createElement("h2");
  label.id = "tpm-print-contents";
  label.textContent = contentsLabel;
  const list = document.createElement("ol");
  for (const entry of entries) {
    const item = document.createElement("li");
    item.className = "tpm-print-level-" + entry.level;
    const link = document.createElement("a");
    link.href = "#" + entry.id;
    const name = document.createElement("span");
    name.className = "tpm-print-toc-title";
    name.textContent = entry.title;
    const dots = document.createElement("span");
    dots.className = "tpm-print-toc-dots";
    dots.setAttribute("aria-hidden", "true");
    const page = document.createElement("span");
    page.className = "tpm-print-toc-page";
    page.textContent = "000";
    link.append(name, dots, page);
    item.append(link);
    list.append(item);
  }
  nav.append(label, list);
  cover.after(nav);
  return {missing, entries: entries.map(({level, title}) => ({level, title}))};
}
"""

FILL_PAGES = """
(pages) => {
  const slots = document.querySelectorAll(".tpm-print-toc-page");
  pages.forEach((page, index) => { slots[index].textContent = String(page); });
  return slots.length;
}
"""

# The headings Chromium makes bookmarks of (those laid out in print), in document order.
HEADINGS = """
() => Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
  .filter((heading) => heading.getClientRects().length > 0)
  .map((heading) => heading.textContent.replace(/\\s+/g, " ").trim())
"""

# Anything wider than the paper (a data frame with many columns) is scaled down to fit, not cut off.
FIT_WIDTH = """
() => {
  let fitted = 0;
  for (const element of document.querySelectorAll("article table, article pre, article img, article svg")) {
    const room = element.parentElement.clientWidth;
    const wide = element.scrollWidth;
    if (room > 0 && wide > room + 1 && !element.closest("[style*=zoom]")) {
      element.style.zoom = String(Math.floor((room / wide) * 1000) / 1000);
      fitted += 1;
    }
  }
  return fitted;
}
"""

READY = """
async () => {
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map((image) => image.complete ? null
    : new Promise((done) => { image.addEventListener("load", done); image.addEventListener("error", done); })));
  return Array.from(document.images).filter((image) => !image.naturalWidth).map((image) => image.src);
}
"""


def _within(heading: str, title: str) -> bool:
    """Whether the heading's characters (spaces aside) appear in order in the bookmark's title."""
    rest = iter("".join(title.split()))
    return all(char in rest for char in "".join(heading.split()))


def read_pdf(data: bytes) -> PdfReader:
    """A reader of PDF bytes. Chromium's trailer undercounts its objects, which
    pypdf reports as a warning on every read; the count is not used."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    return PdfReader(io.BytesIO(data))


def fix_outline(pdf: bytes, headings: Sequence[str]) -> tuple[bytes, list[tuple[str, int]]]:
    """Give Chromium's bookmarks the headings' own text, and list them as (title, page from 1).

    Chromium names a bookmark after the text of its heading's layout, which
    sometimes repeats in part and runs together ("1.9. 1.9. What’s nextWhat’s next").
    The bookmarks are the printed headings in document order: each gets its
    heading's text, once it is checked to be that heading."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=read_pdf(pdf))
    page_numbers = {page.indirect_reference.idnum: number for number, page in enumerate(writer.pages, start=1)
                    if page.indirect_reference is not None}
    items: list[DictionaryObject] = []

    def walk(node: DictionaryObject) -> None:  # depth first: /First child, then its /Next siblings
        child = node.get("/First")
        while child is not None:
            item = cast("DictionaryObject", child.get_object())
            items.append(item)
            walk(item)
            child = item.get("/Next")

    if "/Outlines" not in writer.root_object:
        raise PrintError("the printed PDF has no bookmarks")
    walk(cast("DictionaryObject", writer.root_object["/Outlines"].get_object()))
    if len(items) != len(headings):
        raise PrintError(f"{len(items)} bookmarks for {len(headings)} printed headings")
    found: list[tuple[str, int]] = []
    for item, heading in zip(items, headings, strict=True):
        title = str(item["/Title"])
        if not _within(heading, title):
            raise PrintError(f"bookmark {title!r} is not the heading {heading!r}")
        item[NameObject("/Title")] = TextStringObject(heading)
        destination = cast("list[Any]", item["/Dest"])  # [page, /XYZ, left, top, zoom]: Chromium's explicit form
        found.append((heading, page_numbers[destination[0].idnum]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), found


def match_contents(entries: Sequence[tuple[int, str]], outline: Sequence[tuple[str, int]]) -> list[int]:
    """The page of each contents entry: the next bookmark, in order, with the same title."""
    pages: list[int] = []
    position = 0
    for _, title in entries:
        for index in range(position, len(outline)):
            if outline[index][0] == title:
                pages.append(outline[index][1])
                position = index + 1
                break
        else:
            raise PrintError(f"no bookmark for {title!r} in the printed PDF: the outline lacks a page of _toc.yml")
    return pages


def print_pdf(page_html: Path, out: Path, *, toc: Path = ROOT / "_toc.yml", config: Path = ROOT / "_config.yml",
              chromium: str = CHROMIUM) -> Printed:
    """Print a singlehtml build of the book to ``out``: A4, a cover, the contents
    with page numbers, bookmarks, tagged, a page number in every footer.

    The printing runs in a thread of its own: Playwright's sync API refuses a
    thread with a running asyncio loop (Jupyter's, or another sync Playwright
    session's, such as a test run's browser)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tpm-pdf") as pool:
        return pool.submit(_print_pdf, page_html, out, toc, config, chromium).result()


def _print_pdf(page_html: Path, out: Path, toc: Path, config: Path, chromium: str) -> Printed:
    from playwright.sync_api import Request, Route, sync_playwright

    started = time.monotonic()
    _, parts = read_toc(toc)
    title, author = book_title(config)
    note = (f"{author}. Printed from the book on {datetime.date.today():%d %B %Y}; "
            "the online book checks the quizzes and runs the notebooks.")
    if not Path(chromium).exists():
        raise PrintError(f"{chromium} is missing: install Chromium (Debian package `chromium`; `make chromium` does)")
    off_machine: list[str] = []
    script_errors: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            off_machine.append(route.request.url)
            route.abort()

    def note_request(request: Request) -> None:  # requests that bypass routing (a service worker's, ...)
        if not request.url.startswith(LOCAL_SCHEMES) and request.url not in off_machine:
            off_machine.append(request.url)

    def check_local() -> None:
        if off_machine:
            raise PrintError(f"the page asked for {len(off_machine)} resource(s) off this machine (blocked): "
                             f"{sorted(set(off_machine))[:5]}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(color_scheme="light", service_workers="block",
                                          viewport={"width": PRINT_WIDTH, "height": 1000})
            context.route("**/*", local_only)
            page = context.new_page()
            page.on("request", note_request)
            page.on("pageerror", lambda error: script_errors.append(str(error)))
            page.emulate_media(media="print")  # everything below is measured as it prints
            page.goto(page_html.resolve().as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            broken = page.evaluate(READY)
            check_local()
            if broken:
                raise PrintError(f"images that did not load: {broken[:5]}")
            prepared = page.evaluate(PREPARE, {"parts": [{"caption": p.caption, "docs": list(p.docs)} for p in parts],
                                               "note": note, "contentsLabel": "Contents"})
            if prepared["missing"]:
                raise PrintError(f"pages of {toc.name} missing from {page_html.name}: {prepared['missing']}")
            entries = [(int(e["level"]), str(e["title"])) for e in prepared["entries"]]
            page.evaluate(FIT_WIDTH)
            headings = page.evaluate(HEADINGS)
            options: dict[str, Any] = {
                "format": "A4", "margin": MARGIN, "print_background": True, "display_header_footer": True,
                "header_template": "<span></span>", "footer_template": FOOTER.format(title=html.escape(title)),
                "outline": True, "tagged": True,
            }
            pdf, outline = fix_outline(page.pdf(**options), headings)
            pages = match_contents(entries, outline)
            for _ in range(PASSES - 1):  # the contents get their numbers; the next printing confirms them
                page.evaluate(FILL_PAGES, pages)
                pdf, outline = fix_outline(page.pdf(**options), headings)
                settled = match_contents(entries, outline)
                if settled == pages:
                    break
                pages = settled
            else:
                raise PrintError(f"the contents' page numbers did not settle in {PASSES} printings")
        finally:
            browser.close()
    check_local()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    contents = tuple((level, name, number) for (level, name), number in zip(entries, pages, strict=True))
    return Printed(out, len(read_pdf(pdf).pages), contents, time.monotonic() - started, tuple(script_errors))


def single_page(build_root: Path = ROOT) -> Path:
    """Where a ``singlehtml`` build into ``build_root`` puts the single page."""
    start, _ = read_toc()
    return build_root / "_build" / "singlehtml" / f"{start}.html"


def make(out: Path = OUT, *, build_root: Path = ROOT, build: bool = True) -> Printed:
    """Build the single page (unless ``build`` is False: print the last build) and print it to ``out``.

    By default the single page is built beside the html build (``_build/singlehtml``):
    the two builders share Sphinx's environment (``_build/.doctrees``), so after
    ``make book`` no page is read again and only the single page is written."""
    started = time.monotonic()
    if build:
        page = build_singlehtml(build_root)
    else:
        page = single_page(build_root)
        if not page.exists():
            raise PrintError(f"{page} does not exist: build it first (drop --no-build)")
    printed = print_pdf(page, out)
    return dataclasses.replace(printed, seconds=time.monotonic() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tpmcourse.book.pdf", description=(
        "Print the whole course as one PDF (singlehtml build, then the system Chromium)."))
    parser.add_argument("--out", type=Path, default=OUT, help=f"the PDF to write (default: {OUT.relative_to(ROOT)})")
    parser.add_argument("--build-root", type=Path, default=ROOT,
                        help="the folder whose _build/ gets the singlehtml build (default: the book's own, "
                             "which shares the html build's environment; a term's book: _build/term)")
    parser.add_argument("--no-build", action="store_true", help="print the last singlehtml build as it is")
    args = parser.parse_args(argv)
    try:
        printed = make(args.out, build_root=args.build_root, build=not args.no_build)
    except PrintError as exc:
        print(f"make pdf: {exc}", file=sys.stderr)
        return 1
    size = printed.path.stat().st_size / 1e6
    term = " (a term's book: TPM_HIDE_SOLUTIONS=1)" if os.environ.get("TPM_HIDE_SOLUTIONS") else ""
    for error in printed.script_errors[:3]:
        print(f"note: a script of the page failed (the print does not depend on it): {error}", file=sys.stderr)
    print(f"Wrote {printed.path}{term}: {printed.pages} pages, {size:.1f} MB, in {printed.seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The course as one PDF (``make pdf``, tpmcourse/book/pdf.py).

The PDF is made once per session into its usual place, _build/pdf/, unless
``make pdf`` already made one after the last build of the book, which is then
read as it is. The tests hold it to what a printed course promises: every page
of ``_toc.yml`` in order, with a bookmark and an entry in the contents at the
right page; a page number on every page; figures and typeset math; nothing
of a folded solution, a lab's model answer or a check's verdict on it, while
the page that was printed holds them all (so each absence means something).
A small page printed on its own shows that a request off the machine stops
the print.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import pypdfium2  # type: ignore[import-untyped]  # pypdfium2 ships no type hints
import pytest
import yaml
from lxml import html as lxml_html  # type: ignore[import-untyped]  # lxml ships no type hints

from tpmcourse.book import pdf
from tpmcourse.instructor import strip
from tpmcourse.paths import ROOT

pytestmark = [pytest.mark.book, pytest.mark.browser]  # builds the book's single page and prints it in Chromium

BOOK_STAMP = ROOT / "_build" / "html" / ".built"  # touched by `make book` after each build
ROOT_DOC, PARTS = pdf.read_toc()
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
LABS = sorted((ROOT / "exercises").glob("lab*.ipynb"))
MARKUP = re.compile(r"[*`$\\]|\{[a-z-]+\}|^\s*(>|[-+]|\d+\.)\s+")
SECTION_NUMBER = re.compile(r"^(\d+\.)+\s+")


def squash(text: str) -> str:
    """Text as compared here: compatibility forms (the PDF's ligatures) folded, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture(scope="session")
def printed() -> Path:
    """The PDF: ``make pdf``'s if it is newer than the built book, else made now."""
    out = pdf.OUT
    fresh = out.exists() and pdf.single_page().exists() and (
        not BOOK_STAMP.exists() or out.stat().st_mtime > BOOK_STAMP.stat().st_mtime)
    if not fresh:
        pdf.make(out)
    return out


@pytest.fixture(scope="session")
def reader(printed):
    return pdf.read_pdf(printed.read_bytes())


@pytest.fixture(scope="session")
def page_texts(printed) -> list[str]:
    """Each page's text, extracted by PDFium (a second reader besides pypdf, which made
    the bookmarks; thirty times faster at text than pypdf on this PDF's 490 pages). PDFium
    writes a hyphen that ends a line as U+FFFE, and lines end in CRLF."""
    document = pypdfium2.PdfDocument(printed)
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n").replace("\ufffe", "-") for page in document]
    finally:
        document.close()


@pytest.fixture(scope="session")
def pdf_text(page_texts) -> str:
    return squash(" ".join(page_texts))


@pytest.fixture(scope="session")
def printed_page(printed):
    """The HTML page that was printed (scripts and styles left out: they are not text)."""
    tree = lxml_html.parse(str(pdf.single_page()))
    for element in tree.getroot().xpath("//script | //style"):
        element.drop_tree()
    return tree.getroot()


@pytest.fixture(scope="session")
def printed_page_text(printed_page) -> str:
    return squash(printed_page.text_content())


def doc_name(source: Path) -> str:
    return source.relative_to(ROOT).with_suffix("").as_posix()


FOLDED = " | ".join(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
                   for name in ("dropdown", "tag_hide-cell", "toggle-hidden")) + " | .//details"


@pytest.fixture(scope="session")
def html_of(printed_page):
    """A page of the toc as the printed page holds it, folded parts included."""
    @cache
    def text(doc: str) -> str:
        anchor = printed_page.get_element_by_id(f"document-{doc}")
        return squash(anchor.getnext().text_content())
    return text


@pytest.fixture(scope="session")
def folded_of(printed_page):
    """The text of what a page folds on screen (solution dropdowns, cells tagged hide-cell, ...)."""
    @cache
    def text(doc: str) -> str:
        section = printed_page.get_element_by_id(f"document-{doc}").getnext()
        return squash(" ".join(element.text_content() for element in section.xpath(FOLDED)))
    return text


@pytest.fixture(scope="session")
def pdf_of(reader, page_texts):
    """The text of the PDF's pages that print a page of the toc (each starts a new page)."""
    tree = outline_tree(reader)
    first: dict[str, int] = {}
    for part in PARTS:
        children = next(children for title, _, children in tree if title == part.caption)
        first.update({doc: page for doc, (_, page, _) in zip(part.docs, children, strict=True)})
    starts = sorted(first.values())

    @cache
    def text(doc: str) -> str:
        start = first[doc]
        end = min([page for page in starts if page > start], default=len(page_texts) + 1)
        return squash(" ".join(page_texts[start - 1:end - 1]))
    return text


@cache
def title_of(doc: str) -> str:
    """A page's title: the first ``# `` heading of its source."""
    for suffix in (".md", ".ipynb"):
        source = ROOT / f"{doc}{suffix}"
        if source.exists():
            if suffix == ".md":
                lines = source.read_text(encoding="utf-8").splitlines()
            else:
                nb = nbformat.read(source, as_version=4)
                lines = [line for cell in nb.cells if cell.cell_type == "markdown" for line in cell.source.splitlines()]
            return next(line[2:].strip() for line in lines if line.startswith("# "))
    raise FileNotFoundError(doc)


def outline_tree(reader) -> list[tuple[str, int, list[Any]]]:
    """The bookmarks as (title, page from 1, children)."""
    def build(items: list[Any]) -> list[tuple[str, int, list[Any]]]:
        tree: list[tuple[str, int, list[Any]]] = []
        for item in items:
            if isinstance(item, list):
                title, page, _ = tree[-1]
                tree[-1] = (title, page, build(item))
            else:
                tree.append((str(item.title), reader.get_destination_page_number(item) + 1, []))
        return tree
    return build(reader.outline)


def test_a_sane_number_of_a4_pages(reader):
    assert 150 <= len(reader.pages) <= 800, f"{len(reader.pages)} pages"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) in {(595, 842), (596, 843)}  # A4 in points


def test_the_pdf_is_tagged(reader):
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]


def test_bookmarks_hold_every_part_and_page_of_the_toc_in_order(reader):
    tree = outline_tree(reader)
    parts = [(title, children) for title, _, children in tree]
    captions = [part.caption for part in PARTS]
    assert [title for title, _ in parts if title in captions] == captions
    for part in PARTS:
        children = next(children for title, children in parts if title == part.caption)
        shown = [SECTION_NUMBER.sub("", title) for title, _, _ in children]
        assert shown == [title_of(doc) for doc in part.docs], f"bookmarks of {part.caption!r}"


def test_every_page_of_the_toc_starts_where_its_bookmark_and_contents_entry_say(reader, page_texts):
    tree = outline_tree(reader)
    contents_page = next(page for title, page, _ in (item for top in tree for item in [top, *top[2]])
                         if title == "Contents")
    contents_text = unicodedata.normalize("NFKC", "\n".join(page_texts[contents_page - 1:contents_page + 1]))
    for part in PARTS:
        children = next(children for title, _, children in tree if title == part.caption)
        for doc, (title, page, _) in zip(part.docs, children, strict=True):
            assert squash(title_of(doc)) in squash(page_texts[page - 1]), f"{title!r} is not on page {page}"
            entry = r"\s+".join(map(re.escape, title.split())) + rf"\s+{page}$"  # the title may wrap
            assert re.search(entry, contents_text, re.M), f"the contents do not give {title!r} page {page}"


def test_every_chapter_title_is_printed(pdf_text):
    missing = [title_of(doc) for part in PARTS for doc in part.docs if squash(title_of(doc)) not in pdf_text]
    assert not missing


def test_every_page_is_numbered(page_texts):
    total = len(page_texts)
    unnumbered = [number for number, text in enumerate(page_texts, start=1)
                  if f"Page {number} of {total}" not in text]
    assert not unnumbered, f"pages without their number: {unnumbered[:10]}"


def test_figures_and_typeset_math_are_in(reader):
    found, widest = 0, 0
    for page in reader.pages:  # until the evidence is in: decoding all 400+ pages' images takes a minute
        for image in page.images:
            found += 1
            widest = max(widest, image.image.width)
        if found >= 10 and widest >= 400:
            break
    assert found >= 10, f"{found} images"
    assert widest >= 400  # a chart, not an icon
    fonts = {str(font.get_object().get("/BaseFont")) for page in reader.pages[:80]
             for font in (page.get("/Resources", {}).get("/Font") or {}).values()}
    assert any("KaTeX" in font for font in fonts), f"no KaTeX font embedded: {sorted(fonts)}"


def plain(line: str) -> str:
    return " ".join(MARKUP.sub("", line).split())


def solution_lines(nb: nbformat.NotebookNode, min_length: int = 40) -> list[str]:
    """Telling lines of the notebook's solutions (``{solution}`` blocks, cells
    tagged ``solution``) that no other part of the notebook repeats."""
    kept = strip.strip_solutions(nb)
    kept_lines = {line for cell in kept.cells for line in cell.source.splitlines()}
    rest = squash(" ".join(plain(line) for cell in kept.cells for line in cell.source.splitlines()))
    lines = [line for cell in nb.cells if strip.is_solution(cell) for line in cell.source.splitlines()]
    lines += [plain(line) for cell in nb.cells if cell.cell_type == "markdown" and not strip.is_solution(cell)
              for line in cell.source.splitlines() if line not in kept_lines and "](" not in line]
    return [line for line in lines if len(line) >= min_length and squash(plain(line)) not in rest]


def check_verdicts(nb: nbformat.NotebookNode) -> list[str]:
    """The sentences of what the check cell right after a lab's model answer said about it."""
    verdicts = []
    for before, cell in zip(nb.cells, nb.cells[1:], strict=False):
        if strip.is_solution(before) and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                said = str(output.get("data", {}).get("text/plain", output.get("text", "")))
                verdicts += [part for part in re.split(r"(?<=[.;:])\s+", said) if len(part) >= 30]
    return verdicts


@pytest.mark.parametrize("source", CHAPTERS + LABS, ids=lambda p: p.stem)
def test_no_folded_solution_is_printed_though_the_printed_page_holds_it(source, pdf_of, folded_of):
    """Paper shows a page as it opens: what it folds (every chapter's solutions,
    every lab's model answers) does not print."""
    doc = doc_name(source)
    hidden = [line for line in solution_lines(nbformat.read(source, as_version=4)) if squash(line) in folded_of(doc)]
    assert hidden, f"{source.name}: no solution line is folded on the printed page; the test would prove nothing"
    printed_lines = [line for line in hidden if squash(line) in pdf_of(doc)]
    assert not printed_lines, f"{source.name}: the PDF prints its solution: {printed_lines[0]!r}"


@pytest.mark.parametrize(("doc", "answer"), [
    # Chapter 1, the solution of the latency-budget exercise (a sphinx-exercise dropdown).
    ("chapters/01_introduction", "The over-budget components are the risk score (52 against 45, 7 ms over)"),
    # Lab 1, the model answer of task 1 (a code cell tagged solution and hide-cell).
    ("exercises/lab1_prioritization", 'rice_scores = backlog[["id"]].assign(rice=rice(backlog).round(1)'),
])
def test_a_known_answer_is_folded_on_the_page_and_absent_from_the_pdf(doc, answer, folded_of, pdf_of):
    assert squash(answer) in folded_of(doc)
    assert squash(answer) not in pdf_of(doc)


@pytest.mark.parametrize("source", LABS, ids=lambda p: p.stem)
def test_no_check_verdict_on_a_model_answer_is_printed(source, pdf_of, html_of):
    doc = doc_name(source)
    verdicts = [line for line in check_verdicts(nbformat.read(source, as_version=4)) if squash(line) in html_of(doc)]
    assert verdicts, f"{source.name}: no check verdict on the printed page; the test would prove nothing"
    shown = [line for line in verdicts if squash(line) in pdf_of(doc)]
    assert not shown, f"{source.name}: the PDF prints the verdict {shown[0]!r}"


@pytest.mark.parametrize("source", CHAPTERS + LABS, ids=lambda p: p.stem)
def test_the_rest_of_the_prose_is_printed(source, pdf_of, html_of):
    """The counterpart of the absences above: text extraction finds what is printed."""
    doc = doc_name(source)
    kept = strip.strip_solutions(nbformat.read(source, as_version=4))
    lines = [plain(line) for cell in kept.cells if cell.cell_type == "markdown" for line in cell.source.splitlines()
             if len(line) >= 60 and "](" not in line and "<" not in line]
    on_page = [line for line in lines if squash(line) in html_of(doc)]
    assert len(on_page) >= 5
    found = [line for line in on_page if squash(line) in pdf_of(doc)]
    assert len(found) >= 0.8 * len(on_page), [line for line in on_page if line not in found][:3]


def test_quizzes_print_their_questions_but_not_their_browser_parts(pdf_text, printed_page):
    quizzes = printed_page.find_class("tpm-quiz")
    assert len(quizzes) >= len(CHAPTERS)
    for quiz in quizzes:
        legends = [squash(legend.text_content()) for legend in quiz.iter("legend")
                   if not legend.find_class("katex")]  # KaTeX's hidden MathML repeats a formula's text
        assert legends and all(legend in pdf_text for legend in legends), f"a question of {quiz.get('data-chapter')}"
        for intro in quiz.find_class("tpm-quiz-intro"):  # "answers are checked in your browser ..."
            assert squash(intro.text_content()) not in pdf_text
    assert squash("then check your answers in the online book") in pdf_text


# -- The printer on a small page of its own ------------------------------------------------------

SMALL_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>A small course</title>{head}
</head><body><article><section id="small"><h1>A small course</h1><p>It has one lesson.</p>
<section id="welcome"><h2>Welcome</h2><p>Read on.</p></section>
<div class="toctree-wrapper"><span id="document-lesson"></span>
<section id="a-lesson"><h2>A lesson</h2><p>It is short.</p></section></div>
</section></article></body></html>"""


@pytest.fixture()
def small_course(tmp_path):
    toc, config = tmp_path / "_toc.yml", tmp_path / "_config.yml"
    toc.write_text(yaml.safe_dump({"format": "jb-book", "root": "small",
                                   "parts": [{"caption": "Part one", "chapters": [{"file": "lesson"}]}]}))
    config.write_text(yaml.safe_dump({"title": "A small course", "author": "Its authors"}))

    def print_page(head: str = "", body: str = "") -> pdf.Printed:
        page = tmp_path / "small.html"
        page.write_text(SMALL_PAGE.format(head=head).replace("<p>Read on.</p>", f"<p>Read on.</p>{body}"),
                        encoding="utf-8")
        return pdf.print_pdf(page, tmp_path / "small.pdf", toc=toc, config=config)

    return print_page


def test_a_small_page_prints_with_cover_contents_bookmarks_and_numbers(small_course):
    printed = small_course()
    assert printed.contents == ((2, "Welcome", 1), (1, "Part one", 1), (2, "A lesson", 1))
    reader = pdf.read_pdf(printed.path.read_bytes())
    tree = outline_tree(reader)
    assert [(title, [child[0] for child in children]) for title, _, children in tree] == [
        ("A small course", ["Contents", "Welcome"]), ("Part one", ["A lesson"])]
    text = reader.pages[0].extract_text()
    assert f"Page 1 of {printed.pages}" in text and "Printed from the book on" in text


@pytest.mark.parametrize(("head", "body"), [
    ('<link rel="stylesheet" href="https://cdn.example.org/style.css">', ""),
    ("", '<script>fetch("http://192.0.2.1/track").catch(() => null)</script>'),
    ("", '<iframe src="https://video.example.org/embed"></iframe>'),
])
def test_a_request_off_the_machine_stops_the_print(small_course, head, body):
    with pytest.raises(pdf.PrintError, match="off this machine"):
        small_course(head, body)


def test_a_page_of_the_toc_missing_from_the_page_stops_the_print(small_course):
    with pytest.raises(pdf.PrintError, match="missing"):
        small_course(body='<script>addEventListener("DOMContentLoaded", '
                          '() => document.getElementById("document-lesson").remove())</script>')

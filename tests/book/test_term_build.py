"""A term's book (``TPM_HIDE_SOLUTIONS=1``, see tpmcourse/book/solutions.py)
holds no model answer: no chapter page holds a solution's text, no lab page
a solution cell's source, no downloadable source a solution, no instructors'
page its rubrics; the normal build (``_build/html``, made by ``make book``)
still holds them all. ``make test`` builds the term's book beside the normal
one, into ``_build/term`` (the two builds run at the same time).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from lxml import html as lxml_html  # type: ignore[import-untyped]  # lxml ships no type hints

from tpmcourse.instructor import strip
from tpmcourse.paths import ROOT

pytestmark = pytest.mark.book  # reads the built book and the term's book

NORMAL = ROOT / "_build" / "html"
TERM = ROOT / "_build" / "term" / "_build" / "html"
SOURCES = ("chapters", "exercises", "course", "instructors", "tpmcourse")  # what the book is built from
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
LABS = sorted((ROOT / "exercises").glob("lab*.ipynb"))
MARKUP = re.compile(r"[*`$\\]|\{[a-z-]+\}|^\s*(>|[-+]|\d+\.)\s+")


@pytest.fixture()
def term() -> Path:
    """The term's book, which `make test` builds beside the normal one
    (`make book TPM_HIDE_SOLUTIONS=1`, warnings as errors), and which must be
    newer than every source it is built from."""
    assert (TERM / ".built").exists(), (
        f"the term's book is not built in {TERM}: run `make book TPM_HIDE_SOLUTIONS=1` (make test does)")
    built = (TERM / ".built").stat().st_mtime
    newer = [p for folder in SOURCES for p in (ROOT / folder).rglob("*")
             if p.suffix in (".ipynb", ".md", ".yml", ".py", ".bib") and p.stat().st_mtime > built
             and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts]
    assert not newer, f"the term's book is older than {newer[0]}: run `make book TPM_HIDE_SOLUTIONS=1`"
    return TERM


@pytest.fixture()
def normal() -> Path:
    assert (NORMAL / "index.html").exists(), "the book is not built: run `make book` first"
    return NORMAL


#: Sphinx's smart quotes, read back as the source's straight ones.
STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def page(folder: Path, source: Path) -> str:
    """The visible text of the page built from ``source``, whitespace collapsed, quotes straight."""
    tree = lxml_html.parse(str(folder / source.relative_to(ROOT).with_suffix(".html")))
    return " ".join(tree.getroot().text_content().split()).translate(STRAIGHT)


def plain(line: str) -> str:
    """A markdown or code line as it reads on a page: markup and extra spaces gone."""
    return " ".join(MARKUP.sub("", line).split())


def as_shown(cell: nbformat.NotebookNode, line: str) -> str:
    return plain(line) if cell.cell_type == "markdown" else " ".join(line.split())


def solution_lines(nb: nbformat.NotebookNode, min_length: int = 30) -> dict[int, list[str]]:
    """For each cell holding a solution, its lines that are long enough to be
    telling and that nothing else in the notebook repeats (a check call names
    the answer's variables, an exercise may quote what its solution uses)."""
    kept = strip.strip_solutions(nb)
    rest = " ".join(as_shown(c, line) for c in kept.cells for line in c.source.splitlines())
    stripped = {line for c in kept.cells for line in c.source.splitlines()}
    found: dict[int, list[str]] = {}
    for number, cell in enumerate(nb.cells):
        lines = cell.source.splitlines() if strip.is_solution(cell) else [
            line for line in cell.source.splitlines() if cell.cell_type == "markdown" and line not in stripped]
        telling = [text for line in lines if len(text := as_shown(cell, line)) >= min_length and text not in rest]
        if telling:
            found[number] = telling
    return found


@pytest.mark.parametrize("source", CHAPTERS + LABS, ids=lambda p: p.stem)
def test_no_page_shows_a_solution_that_the_normal_build_shows(term, normal, source):
    nb = nbformat.read(source, as_version=4)
    solutions = solution_lines(nb)
    assert solutions, f"{source.name} has no solution to hide"
    shown, hidden = page(normal, source), page(term, source)
    for number, lines in solutions.items():
        assert any(line in shown for line in lines), f"{source.name}, cell {number}: not in the normal build"
        leaked = [line for line in lines if line in hidden]
        assert not leaked, f"{source.name}, cell {number}: the term's book shows {leaked[0]!r}"


@pytest.mark.parametrize("source", CHAPTERS, ids=lambda p: p.stem)
def test_chapters_keep_their_exercises_but_lose_the_solution_blocks(term, normal, source):
    def blocks(folder: Path, kind: str) -> int:
        tree = lxml_html.parse(str(folder / source.relative_to(ROOT).with_suffix(".html")))
        return len(tree.getroot().find_class(kind))

    assert blocks(normal, "solution") > 0 and blocks(term, "solution") == 0
    assert blocks(term, "exercise") == blocks(normal, "exercise") > 0


@pytest.mark.parametrize("source", LABS, ids=lambda p: p.stem)
def test_lab_pages_show_the_placeholders_and_no_check_result(term, normal, source):
    shown, hidden = page(normal, source), page(term, source)
    assert strip.PLACEHOLDER_NOTE.lstrip("# ") in hidden and strip.PLACEHOLDER_NOTE.lstrip("# ") not in shown
    def passing_results(folder: Path) -> int:
        tree = lxml_html.parse(str(folder / source.relative_to(ROOT).with_suffix(".html")))
        return len(tree.getroot().xpath('//*[contains(@class, "tpm-check-result")][@data-result="correct"]'))

    assert passing_results(normal) > 0 and passing_results(term) == 0


@pytest.mark.parametrize("source", CHAPTERS + LABS, ids=lambda p: p.stem)
def test_the_downloadable_notebooks_hold_no_solution(term, normal, source):
    copy = Path("_sources") / source.relative_to(ROOT)
    original = nbformat.read(normal / copy, as_version=4)
    offered = nbformat.read(term / copy, as_version=4)
    assert solution_lines(original)
    assert not solution_lines(offered), f"_sources/{source.name} of the term's book holds a solution"


def test_instructors_pages_and_launch_buttons_are_left_out(term, normal):
    rubrics = ROOT / "instructors" / "rubrics.md"
    assert "Excellent example" in page(normal, rubrics)
    assert "Excellent example" not in page(term, rubrics) and "left out of a term" in page(term, rubrics)
    assert "Excellent example" not in (term / "_sources" / "instructors" / "rubrics.md").read_text(encoding="utf-8")
    lab = (LABS[0].relative_to(ROOT)).with_suffix(".html")
    assert "mybinder.org" in (normal / lab).read_text(encoding="utf-8")
    assert "mybinder.org" not in (term / lab).read_text(encoding="utf-8")

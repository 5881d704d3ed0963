"""`tpmcourse assign --chapter N`: chapters handed out without their exercise
solutions, with their data, README and zip, alone or with labs."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

from tpmcourse import labs
from tpmcourse.content.learner_edition import APPENDIX_ID
from tpmcourse.instructor import assign, cli, strip
from tpmcourse.paths import ROOT

CHAPTERS = assign.chapters()
BOOK_ROLE = re.compile(r"\{(cite(:[a-z]+)?|doc|term|ref)\}`")
LINK = re.compile(r"(?<!!)\[(?:\\.|[^\]\\])+\]\((?P<url>[^)\s]+)\)")
QUIZ_CELL = re.compile(r"""\bshow\(["']ch\d\d["']\)""")
# A sphinx-exercise solution block, found independently of strip.py: the same
# fence (``` or ```` or :::) opens with {solution} and closes it.
SOLUTION_BLOCK = re.compile(r"^(?P<fence>`{3,}|:{3,}|~{3,})\{solution\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
                            re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("course") / "week1"
    args = ["assign", "metrics"]
    for chapter in CHAPTERS:
        args += ["--chapter", str(chapter.number)]
    assert cli.main([*args, "--out", str(out)]) == 0
    return out


def solution_lines(chapter: assign.Chapter) -> list[str]:
    """Lines of the chapter's solutions that appear nowhere else in it."""
    nb = nbformat.read(chapter.notebook, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    rest = "\n".join([SOLUTION_BLOCK.sub("", s) for s in markdown]
                     + [c.source for c in nb.cells if c.cell_type == "code"])
    return [line.strip() for source in markdown for m in SOLUTION_BLOCK.finditer(source)
            for line in m["body"].splitlines()
            if len(line.strip()) > 25 and not line.strip().startswith(":") and line.strip() not in rest]


def test_every_chapter_has_exercise_solutions_to_remove():
    for chapter in CHAPTERS:
        assert solution_lines(chapter), f"{chapter.notebook.name}: no solution found by the test"


def test_handout_has_the_chapters_the_lab_their_data_a_readme_and_a_zip(handout):
    names = {p.name for p in handout.glob("*.ipynb")}
    assert names == {c.notebook.name for c in CHAPTERS} | {labs.find("metrics").notebook.name}
    data = {p.name for p in (handout / "data").iterdir()}
    for chapter in CHAPTERS:
        assert set(chapter.data_files()) <= data, chapter.notebook.name
    assert set(labs.find("metrics").data_files()) <= data
    assert {"larkspur_backlog_small.csv", "merchant_events_small.csv"} <= data
    readme = (handout / "README.md").read_text(encoding="utf-8")
    assert "## Chapters" in readme and "## Labs" in readme and "02_responsibilities.ipynb" in readme
    with zipfile.ZipFile(handout.with_suffix(".zip")) as zf:
        zipped = {Path(n).name for n in zf.namelist()}
    assert zipped >= names | data | {"README.md"}


def test_no_trace_of_any_exercise_solution(handout):
    checked = 0
    for chapter in CHAPTERS:
        student = nbformat.read(handout / chapter.notebook.name, as_version=4)
        text = json.dumps(student)
        assert "{solution" not in text, chapter.notebook.name
        assert not any("solution" in c.metadata.get("tags", []) for c in student.cells)
        for line in solution_lines(chapter):
            checked += 1
            assert json.dumps(line)[1:-1] not in text, f"{chapter.notebook.name}: solution line leaked: {line}"
    assert checked > 100


def test_exercises_and_the_chapter_text_stay(handout):
    for chapter in CHAPTERS:
        original = nbformat.read(chapter.notebook, as_version=4)
        student = nbformat.read(handout / chapter.notebook.name, as_version=4)
        labels = re.findall(r":label: (ch\d\d-ex-[a-z0-9-]+)", "\n".join(c.source for c in original.cells))
        student_text = "\n".join(c.source for c in student.cells)
        assert len(labels) >= 3 and all(f":label: {label}" in student_text for label in labels)
        assert student_text.count("{exercise}") == len(labels)
        kept = [c for c in original.cells if not strip.is_solution(c)]  # a cell tagged solution goes
        assert len(student.cells) == len(kept) + 1 and student.cells[-1].id == APPENDIX_ID
        assert student.cells[0].source.splitlines()[0] == original.cells[0].source.splitlines()[0]


def test_the_quiz_output_is_cleared_and_worked_examples_keep_theirs(handout):
    for chapter in CHAPTERS:
        original = nbformat.read(chapter.notebook, as_version=4)
        student = nbformat.read(handout / chapter.notebook.name, as_version=4)
        quizzes = 0
        kept = [c for c in original.cells if not strip.is_solution(c)]  # a cell tagged solution goes
        for before, after in zip(kept, student.cells[:-1], strict=True):
            if before.cell_type != "code":
                continue
            assert after.source == before.source
            if QUIZ_CELL.search(before.source):
                quizzes += 1
                assert before.outputs, f"{chapter.notebook.name}: the course's quiz cell has no output to clear"
                assert after.outputs == [] and after.execution_count is None, chapter.notebook.name
            else:
                assert after.outputs == before.outputs, f"{chapter.notebook.name}: a worked example lost its output"
        assert quizzes == 1, chapter.notebook.name
        text = json.dumps(student)
        assert "tpm-quiz-data" not in text and "widget-view" not in text
        assert "widgets" not in student.metadata
        assert student.metadata["tpmcourse"]["chapter"] == chapter.id


def test_the_lab_in_the_same_handout_is_stripped_as_before(handout):
    lab = labs.find("metrics")
    student = nbformat.read(handout / lab.notebook.name, as_version=4)
    assert student.metadata["tpmcourse"]["lab"] == lab.id
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert any("answer" in c.metadata.get("tags", []) for c in student.cells)


@pytest.mark.parametrize("bad", ["11", "0", "two", "ch11", "-1", ""])
def test_bad_chapters_get_a_clear_message_and_exit_2(bad, tmp_path, capsys):
    out = tmp_path / "x"
    assert cli.main(["assign", "--chapter", bad, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no chapter" in err and "1 to 10" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("name", ["2", "02", "ch02", "CH02"])
def test_a_chapter_is_found_by_number_or_id(name):
    assert assign.find_chapter(name).notebook.name == "02_responsibilities.ipynb"


def test_assign_needs_something_to_hand_out_and_a_new_folder(handout, tmp_path, capsys):
    assert cli.main(["assign", "--out", str(tmp_path / "y")]) == 2
    assert "--chapter" in capsys.readouterr().err
    assert cli.main(["assign", "--chapter", "2", "--out", str(handout)]) == 2
    assert "not empty" in capsys.readouterr().err
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert cli.main(["assign", "--chapter", "2", "--out", str(afile / "sub")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the handout" in err and "Traceback" not in err


def test_a_chapter_alone_gets_a_readme_without_lab_instructions(tmp_path):
    archive = assign.handout([], tmp_path / "ch", chosen_chapters=[assign.find_chapter("1")])
    readme = (tmp_path / "ch" / "README.md").read_text(encoding="utf-8")
    assert "1 chapter notebook(s)" in readme and "## Labs" not in readme
    assert archive.exists() and not any((tmp_path / "ch" / "data").iterdir())


def links(nb) -> list[str]:
    """Links of the Markdown cells, not those of the closing References cell (the works' own addresses)."""
    return [m["url"] for cell in nb.cells if cell.cell_type == "markdown" and cell.get("id") != APPENDIX_ID
            for m in LINK.finditer(cell.source)]


def test_the_handout_is_the_learner_edition_with_links_between_its_notebooks(handout):
    """Citations, cross-references and terms render in JupyterLab; a link to a notebook of the
    handout opens it, a link to any other page goes to the published book."""
    book = assign.learner_course().book_url
    for path in sorted(handout.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert not BOOK_ROLE.findall(text), f"{path.name}: {BOOK_ROLE.findall(text)[:3]}"
        assert nb.metadata["tpmcourse"]["edition"] == "learner"
        for url in links(nb):
            if "://" in url:
                assert url.startswith(book), f"{path.name}: {url}"
                assert not url.startswith(f"{book}chapters/"), f"{path.name}: a chapter of the handout via the web"
            elif not url.startswith("#"):
                assert (handout / url.partition("#")[0]).is_file(), f"{path.name}: {url}"
    ch03 = nbformat.read(handout / "03_skills_and_tools.ipynb", as_version=4)
    assert "lab2_metrics.ipynb" in links(ch03), "the lab in the same handout is linked as a notebook"
    assert f"{book}exercises/lab3_reliability.html" in links(ch03), "a lab not handed out is linked in the book"
    assert ch03.cells[-1].source.startswith("## References")


def test_a_chapter_alone_links_the_other_chapters_in_the_book(tmp_path):
    assign.handout([], tmp_path / "one", chosen_chapters=[assign.find_chapter("2")])
    nb = nbformat.read(tmp_path / "one" / "02_responsibilities.ipynb", as_version=4)
    book = assign.learner_course().book_url
    assert f"{book}chapters/01_introduction.html" in links(nb)
    assert not [url for url in links(nb) if url.endswith(".ipynb")]
    original = (ROOT / "chapters" / "02_responsibilities.ipynb").read_text(encoding="utf-8")
    assert "{cite:t}" in original and "{term}" in original

"""The project layout and the lesson template that every chapter follows.

These are the promises the README makes to readers, learners and instructors;
each test names the chapter and what is missing so an author can fix it.
"""

from __future__ import annotations

import re

import pytest
import yaml

from tpmcourse.content import notebooks
from tpmcourse.paths import ROOT

TEMPLATE = ["Learning objectives", "Prerequisites", "Exercises", "Summary", "What's next",
            "Further reading"]
CHAPTER_IDS = [f"ch{n:02d}" for n in range(1, 11)]


def test_required_files_exist():
    for name in ["_config.yml", "_toc.yml", "requirements.txt", "pyproject.toml", "Makefile",
                 "README.md", ".ci/run", "chapters", "exercises", "data", "tests", "tpmcourse"]:
        assert (ROOT / name).exists(), f"{name} is missing from the repository root"


def test_requirements_are_pinned_and_install_the_package():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    deps = [line for line in lines if line and not line.startswith(("#", "-c"))]
    assert "-e ." in deps
    unpinned = [d for d in deps if d != "-e ." and "==" not in d]
    assert not unpinned, f"unpinned requirements: {unpinned}"
    for needed in ["jupyter-book==1.0.4.post1", "nbval", "ipywidgets==8", "pandas"]:
        assert any(d.startswith(needed) for d in deps), f"{needed} is not pinned"


def test_toc_lists_the_ten_chapters_in_the_guides_order(outline):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    chapter_files = [f for f in files if f.startswith("chapters/")]
    expected = [ch["file"].removesuffix(".ipynb") for ch in outline["chapters"]]
    assert chapter_files == expected


def test_book_executes_nothing_at_build_time():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] == "off"


@pytest.mark.parametrize("index", range(10), ids=CHAPTER_IDS)
def test_chapter_follows_the_lesson_template(index, outline, chapter_notebooks):
    chapter = outline["chapters"][index]
    nb = chapter_notebooks[chapter["file"]]
    title = next(c.source for c in nb.cells if c.cell_type == "markdown").splitlines()[0]
    assert title == f"# {chapter['title']}", f"{chapter['file']}: first heading is {title!r}"
    headings = list(notebooks.markdown_sections(nb))
    wanted = TEMPLATE[:2] + chapter["sections"] + TEMPLATE[2:]
    present = [h for h in headings if h in wanted]
    assert present == wanted, f"{chapter['file']}: level-2 headings {headings}, expected {wanted}"


@pytest.mark.parametrize("index", range(10), ids=CHAPTER_IDS)
def test_objectives_are_labelled_and_measurable(index, outline, chapter_notebooks):
    chapter = outline["chapters"][index]
    objectives = notebooks.objectives(chapter_notebooks[chapter["file"]])
    assert 3 <= len(objectives) <= 6, f"{chapter['file']}: {len(objectives)} objectives"
    prefix = f"ch{index + 1:02d}-"
    for objective in objectives:
        assert objective.label.startswith(prefix), objective.label
        first_word = objective.text.split()[0].lower()
        assert first_word not in {"understand", "know", "learn", "appreciate"}, objective
    labels = [o.label for o in objectives]
    assert len(set(labels)) == len(labels), f"duplicate objective labels in {chapter['file']}"


@pytest.mark.parametrize("index", range(10), ids=CHAPTER_IDS)
def test_chapter_has_enough_original_prose(index, outline, chapter_notebooks):
    chapter = outline["chapters"][index]
    words = notebooks.prose_words(chapter_notebooks[chapter["file"]])
    assert words >= 1200, f"{chapter['file']}: {words} words of prose, need 1,200"


@pytest.mark.parametrize("index", range(10), ids=CHAPTER_IDS)
def test_chapter_has_something_to_do_and_time_to_learn(index, outline, chapter_notebooks):
    chapter = outline["chapters"][index]
    nb = chapter_notebooks[chapter["file"]]
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, f"{chapter['file']} has no code cell to run"
    assert all(c.outputs for c in code), f"{chapter['file']}: a code cell has no stored output"
    prereq = notebooks.markdown_sections(nb)["Prerequisites"]
    assert re.search(r"Time to learn\**:?\**\s*\d+", prereq), f"{chapter['file']}: no time to learn"
    reading = notebooks.markdown_sections(nb)["Further reading"]
    assert reading.count("{cite") >= 3, f"{chapter['file']}: fewer than 3 cited works to read"
    body = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert body.count("{term}") >= 3, f"{chapter['file']}: fewer than 3 glossary links"
    assert "{solution}" in body and ":class: dropdown" in body, f"{chapter['file']}: no solutions"


def test_every_figure_has_alt_text():
    missing = []
    for path in notebooks.all_notebooks():
        for i, cell in enumerate(notebooks.read(path).cells):
            if cell.cell_type != "code":
                continue
            has_image = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            if has_image and len(alt.strip()) < 20:
                missing.append(f"{path.relative_to(ROOT)} cell {i}")
    assert not missing, f"figures without alt text (mystnb.image.alt): {missing}"


def test_no_notebook_stores_an_error_output():
    errors = [
        str(path.relative_to(ROOT))
        for path in notebooks.all_notebooks()
        for cell in notebooks.read(path).cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error" or out.get("name") == "stderr"
    ]
    assert not errors, f"notebooks with stored errors or warnings: {sorted(set(errors))}"


def test_every_chart_also_gives_its_numbers():
    """A reader who cannot see a chart gets its numbers: the same cell or a
    neighbouring code cell shows a table (or text) of the plotted values."""

    def shows_numbers(cell) -> bool:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "<table" in data.get("text/html", "") or out.get("output_type") == "stream":
                return True
            if "text/plain" in data and "image/png" not in data and any(ch.isdigit() for ch in data["text/plain"]):
                return True
        return False

    missing = []
    for path in notebooks.all_notebooks():
        cells = [c for c in notebooks.read(path).cells if c.cell_type == "code"]
        for i, cell in enumerate(cells):
            if any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
                neighbours = cells[max(0, i - 1): i + 2]
                if not any(shows_numbers(c) for c in neighbours):
                    missing.append(f"{path.relative_to(ROOT)} code cell {i}")
    assert not missing, f"charts without their numbers nearby: {missing}"

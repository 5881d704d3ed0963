"""Unit tests for tpmcourse.content.notebooks: the parsing the layout tests rely on."""

from __future__ import annotations

import nbformat

from tpmcourse.content import notebooks


def make(*markdown: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
    return nb


def test_objectives_are_read_with_their_labels():
    nb = make("# T\n\n## Learning objectives\n\nYou will:\n\n"
              "1. `ch02-rice` Rank a backlog with RICE.\n2. `ch02-risk` Plot a risk matrix.\n"
              "3. not labelled, so not an objective\n\n## Prerequisites\n\n1. `ch02-x` no")
    found = notebooks.objectives(nb)
    assert [o.label for o in found] == ["ch02-rice", "ch02-risk"]
    assert found[0].text == "Rank a backlog with RICE."


def test_sections_split_on_level_two_headings_across_cells():
    nb = make("# Title\n\nintro", "## A\n\nalpha\n### sub\n\nbeta", "more a", "## B\n\nbee")
    sections = notebooks.markdown_sections(nb)
    assert list(sections) == ["_preamble", "A", "B"]
    assert "beta" in sections["A"] and "more a" in sections["A"]


def test_prose_words_skip_code_fences_and_options_but_count_directive_bodies():
    nb = make("One two three.\n\n```python\nnot counted at all\n```\n\n"
              "```{note}\n:class: dropdown\nfour five\n```\n\n(ch01-target)=\nsix")
    assert notebooks.prose_words(nb) == 6


def test_prose_words_of_an_empty_notebook_is_zero():
    assert notebooks.prose_words(make()) == 0


def test_all_notebooks_skips_build_and_venv(tmp_path):
    for rel in ["a.ipynb", "sub/b.ipynb", "_build/c.ipynb", ".venv/d.ipynb"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    found = [p.relative_to(tmp_path).as_posix() for p in notebooks.all_notebooks(tmp_path)]
    assert found == ["a.ipynb", "sub/b.ipynb"]


def test_widget_state_is_kept_only_where_the_book_shows_a_widget():
    quiz_only = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show('ch02')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/html": "<p>quiz</p>"})]
    quiz_only.cells = [cell]
    assert not notebooks.needs_widget_state(quiz_only)
    slider = nbformat.v4.new_code_cell("IntSlider()")
    slider.outputs = [nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "y"}, "text/plain": "IntSlider"})]
    quiz_only.cells.append(slider)
    assert notebooks.needs_widget_state(quiz_only)

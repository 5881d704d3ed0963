"""Student versions: solutions become placeholders and leave no trace."""

from __future__ import annotations

import json

import nbformat

from tpmcourse.instructor import strip as assign


def lab() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    given = nbformat.v4.new_code_cell("import pandas as pd\nbacklog = pd.DataFrame({'x': [1]})")
    sol = nbformat.v4.new_code_cell(
        "w = 0.8\nscored, ranked = backlog.assign(r=w), None\ndef helper():\n    return 'SECRET-CODE'")
    sol.metadata = {"tags": ["solution", "hide-input"], "mystnb": {"x": "SECRET-META"}}
    sol.outputs = [nbformat.v4.new_output("stream", text="SECRET-OUTPUT")]
    sol.execution_count = 3
    memo = nbformat.v4.new_markdown_cell("```{solution} t1\nSECRET-MEMO\n```")
    memo.metadata = {"tags": ["solution"]}
    memo.attachments = {"a.png": {"image/png": "SECRET-ATTACHMENT"}}
    check = nbformat.v4.new_code_cell("check('lab.t1', scored)")
    nb.cells = [given, sol, memo, check]
    nb.metadata["widgets"] = {"state": "SECRET-STATE"}
    return nb


def test_solution_code_becomes_placeholders_for_each_assigned_name():
    student = assign.strip_solutions(lab())
    assert [c.cell_type for c in student.cells] == ["code", "code", "code"]
    source = student.cells[1].source
    assert source.splitlines()[1:] == ["w = ...", "scored = ...", "ranked = ...", "helper = ..."]
    assert student.cells[1].metadata == {"tags": ["answer"]}
    assert student.cells[1].outputs == [] and student.cells[1].execution_count is None
    assert student.cells[2].source == "check('lab.t1', scored)"


def test_nothing_of_a_solution_remains_anywhere():
    text = json.dumps(assign.strip_solutions(lab()))
    assert "SECRET" not in text


def test_the_original_is_not_modified():
    nb = lab()
    assign.strip_solutions(nb)
    assert "SECRET-CODE" in nb.cells[1].source


def test_unparseable_or_empty_solutions_still_get_a_placeholder():
    assert assign.placeholder("this is not python(").endswith("\n...")
    assert assign.assigned_names("x += 1\na: int = 2\n(b, [c, d]) = 1, [2, 3]") == ["x", "a", "b", "c", "d"]

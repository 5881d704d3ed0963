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


# Chapters: sphinx-exercise solutions written in markdown cells, not tagged.

def md(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


EXERCISES = """## Exercises

Intro text stays.

```{exercise}
:label: ch01-ex-a

Question A?
```

```{solution} ch01-ex-a
:class: dropdown

SECRET-A first line.
```

````{exercise}
:label: ch01-ex-b

Question B, with code:

```python
given = 1
```
````

````{solution} ch01-ex-b
:class: dropdown

```python
secret_b = "SECRET-B"
```

SECRET-B prose.
````

:::{solution} ch01-ex-c
SECRET-C in a colon fence.
:::

Closing text stays.
"""


def test_solution_directives_go_and_exercises_stay():
    student = assign.strip_solutions(notebook(md(EXERCISES)))
    text = student.cells[0].source
    assert "SECRET" not in text and "{solution}" not in text
    for kept in ("Intro text stays.", "Question A?", "Question B, with code:", "given = 1",
                 "Closing text stays.", ":label: ch01-ex-b"):
        assert kept in text
    assert text.count("{exercise}") == 2 and text.count("````{exercise}") == 1
    assert "\n\n\n" not in text


def test_a_solution_inside_another_directive_goes_too():
    source = "::::{admonition} Try it\nDo X.\n\n```{solution}\nSECRET\n```\n::::\nAfter."
    text = assign.strip_solutions(notebook(md(source))).cells[0].source
    assert "SECRET" not in text and "Do X." in text and text.rstrip().endswith("After.")


def test_a_solution_shown_as_an_example_in_a_code_block_stays():
    source = "How to write one:\n\n````markdown\n```{solution} ex\nThe answer.\n```\n````\n"
    nb = notebook(md(source))
    assert assign.strip_solutions(nb).cells[0].source == source


def test_gated_solutions_spanning_cells_go_with_the_cells_between():
    cells = [
        md("```{exercise-start}\n:label: ex1\n```\nAsk.\n```{exercise-end}\n```\n\n"
           "```{solution-start} ex1\n:class: dropdown\n```\nSECRET-INTRO"),
        nbformat.v4.new_code_cell("secret = 'SECRET-CODE'"),
        md("SECRET-MIDDLE"),
        nbformat.v4.new_code_cell("tagged = 'SECRET-TAGGED'", metadata={"tags": ["solution"]}),
        md("SECRET-LAST\n```{solution-end}\n```\nAfter the solution."),
        nbformat.v4.new_code_cell("print('kept')"),
    ]
    student = assign.strip_solutions(notebook(*cells))
    assert "SECRET" not in json.dumps(student)
    assert [c.cell_type for c in student.cells] == ["markdown", "markdown", "code"]
    assert "Ask." in student.cells[0].source
    assert student.cells[1].source == "After the solution."
    assert student.cells[2].source == "print('kept')"


def test_an_unclosed_solution_is_an_error_not_a_leak():
    import pytest

    for cells in ([md("```{solution} x\nSECRET")], [md("```{solution-start} x\n```\nSECRET")],
                  [md("```{solution-end}\n```")]):
        with pytest.raises(assign.SolutionError, match="cell 1"):
            assign.strip_solutions(notebook(*cells), "ch.ipynb")


def test_outputs_that_could_reveal_a_solution_are_cleared_and_the_rest_kept():
    quiz = nbformat.v4.new_code_cell('show("ch01")')
    quiz.outputs = [nbformat.v4.new_output("execute_result", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "m"},
        "text/html": '<section class="tpm-quiz"><script class="tpm-quiz-data">{"correct": [1]}</script>'})]
    echo = nbformat.v4.new_code_cell("print(x)")
    echo.outputs = [nbformat.v4.new_output("stream", text="the answer is forty-two point five\n")]
    echo.execution_count = 4
    worked = nbformat.v4.new_code_cell("1 + 1")
    worked.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"})]
    worked.execution_count = 5
    solution = md("```{solution} ex\nthe answer is forty-two point five\n```")
    student = assign.student_copy(notebook(solution, quiz, echo, worked))
    outputs = [c.outputs for c in student.cells if c.cell_type == "code"]
    assert outputs[0] == [] and outputs[1] == []
    assert outputs[2][0]["data"]["text/plain"] == "2" and student.cells[-1].execution_count == 5
    assert "forty-two" not in json.dumps(student)


def test_the_chapter_copy_does_not_modify_the_original():
    nb = notebook(md(EXERCISES))
    assign.student_copy(nb)
    assert "SECRET-A" in nb.cells[0].source

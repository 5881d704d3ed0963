"""Every lab's "What you found" debrief is folded until the learner opens it.

Read from the notebooks, so it needs no build (tests/book/test_debrief_hidden.py
checks the built pages). For every ``exercises/lab*.ipynb``, including a lab
added later:

- the heading and its prompt sit in an untagged cell, so a learner's copy and
  a term's book keep the question (and, as tests/labs/test_student_copies.py
  asks, no figure);
- the model summary follows in a cell tagged ``solution``, so a learner's copy
  and a term's book drop it (tpmcourse/instructor/strip.py,
  tpmcourse/book/solutions.py), and that cell is one dropdown and nothing
  else, so the book, the printed PDF and Jupyter show it folded;
- more generally, no markdown cell tagged ``solution`` holds text outside a
  dropdown: a model answer written as plain markdown would be on the page for
  everyone to read.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tpmcourse.paths import ROOT

LABS = sorted((ROOT / "exercises").glob("lab*.ipynb"))
HEADING = "## What you found"
OPENING = re.compile(r"^(?P<fence>`{3,}|~{3,}|:{3,})\s*\{(?P<directive>[a-z-]+)\}\s*(?P<title>.*)$")
DIRECTIVES = {"admonition", "solution", "dropdown"}  # directives that fold with `:class: dropdown`


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return "solution" in cell.metadata.get("tags", [])


def folded(source: str) -> str | None:
    """Why a markdown cell is not one dropdown and nothing else (None when it is)."""
    lines = source.strip("\n").splitlines()
    opening = OPENING.match(lines[0].strip()) if lines else None
    if opening is None or opening["directive"] not in DIRECTIVES:
        return f"it does not open with a folding directive: {lines[0][:60] if lines else '(empty)'!r}"
    fence = opening["fence"]
    options = [line.strip() for line in lines[1:] if line.strip().startswith(":")]
    if opening["directive"] != "dropdown" and not any(
            re.fullmatch(r":class:.*\bdropdown\b.*", option) for option in options[:3]):
        return f"its {{{opening['directive']}}} has no `:class: dropdown`"
    closings = [k for k, line in enumerate(lines) if line.strip() == fence]
    if not closings or closings[-1] != len(lines) - 1:
        return "text follows the dropdown's closing fence"
    # The first line that closes the opening fence must be the last line: text after it is outside.
    depth = 0
    for k, line in enumerate(lines):
        stripped = line.strip()
        if OPENING.match(stripped) and stripped.startswith(fence[0] * len(fence)) and \
                not stripped.startswith(fence[0] * (len(fence) + 1)):
            depth += 1
        elif stripped == fence:
            depth -= 1
            if depth == 0 and k != len(lines) - 1:
                return f"the dropdown closes on line {k + 1}, and the rest of the cell is outside it"
    return None


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_the_debrief_is_a_prompt_then_a_folded_model_summary(path: Path):
    cells = nbformat.read(path, as_version=4).cells
    at = [k for k, c in enumerate(cells) if c.cell_type == "markdown" and HEADING in c.source]
    assert len(at) == 1, f"{path.name}: {len(at)} cells hold {HEADING!r}; a lab has one debrief"
    heading = cells[at[0]]
    assert not is_solution(heading), (f"{path.name}: the {HEADING!r} cell is tagged solution, so a learner's "
                                      "copy and a term's book lose the question; keep the prompt untagged")
    assert heading.source.lstrip().startswith(HEADING), f"{path.name}: the debrief shares a cell with other text"
    rest = cells[at[0] + 1:]
    summary = next((c for c in rest if c.cell_type == "markdown"), None)
    assert summary is not None and is_solution(summary), \
        f"{path.name}: the cell after {HEADING!r} must be the model summary, tagged solution"
    problem = folded(summary.source)
    assert problem is None, f"{path.name}: the model summary is not folded: {problem}"


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.stem)
def test_no_written_model_answer_is_left_unfolded(path: Path):
    cells = nbformat.read(path, as_version=4).cells
    problems = [f"cell {k + 1} ({c.get('id')}): {why}" for k, c in enumerate(cells)
                if c.cell_type == "markdown" and is_solution(c) and (why := folded(c.source))]
    assert not problems, f"{path.name}: model answers anyone can read without opening them: {problems}"


@pytest.mark.parametrize("source, problem", [
    ("```{admonition} Model summary\n:class: dropdown\n\n- found\n```", None),
    ("````{admonition} Model summary\n:class: dropdown\n\n```python\nx = 1\n```\n````", None),
    ("**Model summary.**\n\n- found", "does not open with a folding directive"),
    ("```{admonition} Model summary\n:class: note\n\n- found\n```", "has no `:class: dropdown`"),
    ("```{admonition} Model answer\n:class: dropdown\n\nmemo\n```\n\n## What you found\n\n- found",
     "text follows the dropdown's closing fence"),
    ("```{admonition} Model answer\n:class: dropdown\n\nmemo\n```\n\n- found\n```", "closes on line 5"),
])
def test_the_fold_check_bites(source: str, problem: str | None):
    found = folded(source)
    assert (found is None) if problem is None else (found is not None and problem in found), found

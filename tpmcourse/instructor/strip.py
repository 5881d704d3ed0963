"""Student versions of notebooks (labs and chapters): every solution becomes a
placeholder or goes, and nothing of a solution survives in the output.

Cells tagged ``solution``:
- code cells are replaced by ``name = ...`` for each name the solution
  assigns, with a comment asking for the learner's answer; outputs, execution
  counts, attachments and metadata other than the tags are dropped;
- markdown cells (written model answers, solution dropdowns) are removed.

Solutions written with sphinx-exercise in markdown cells go too, wherever
they sit in a cell:
- a ``{solution}`` directive, in a backtick, tilde or colon fence of any
  length (an outer fence of four backticks may hold a code block);
- everything from a ``{solution-start}`` directive to its ``{solution-end}``,
  which may span cells: the code and markdown cells between them are removed.

A ``{solution}`` shown as an example inside a code block is text, not a
solution, and stays. A solution that is never closed is an error (the
notebook would not build either), never a silent leak.

:func:`clear_revealing_outputs` then clears the outputs that could give a
solution away: a stored quiz (its HTML carries the correct answers) or
widget view, and any output that repeats a line of a removed solution.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from dataclasses import dataclass, field

import nbformat

SOLUTION = "solution"
PLACEHOLDER_NOTE = "# Your answer: replace each ... below with your code, then run the check cell."
# An opening fence: indent, fence (``` ~~~ :::), and the info string.
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*?)\s*$")
_DIRECTIVE = re.compile(r"^\{(?P<name>[A-Za-z0-9_:-]+)\}")
SOLUTION_DIRECTIVES = ("solution", "solution-start", "solution-end")
# Outputs of these kinds hold the quiz's answers or a widget's state.
_REVEALING_MIME = ("application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json")
_REVEALING_HTML = ("tpm-quiz-data", 'class="tpm-quiz"')
# A removed line must be at least this long to count as "repeated" in an output.
_MIN_LEAK = 20


class SolutionError(ValueError):
    """A solution directive that is never closed: the notebook names the cell."""


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return SOLUTION in cell.get("metadata", {}).get("tags", [])


def assigned_names(source: str) -> list[str]:
    """Names a cell defines at top level, in order (assignments, functions, imports excluded)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []

    def add(target: ast.AST) -> None:
        if isinstance(target, ast.Name) and target.id not in names:
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                add(element)

    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                add(target)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            add(node.target)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name not in names:
            names.append(node.name)
    return names


def placeholder(source: str) -> str:
    names = assigned_names(source)
    lines = [PLACEHOLDER_NOTE] + [f"{name} = ..." for name in names]
    return "\n".join(lines) if names else PLACEHOLDER_NOTE + "\n..."


@dataclass
class _Fence:
    char: str
    length: int
    literal: bool  # a code block: its lines are text, not directives
    solution: bool  # a {solution}, {solution-start} or {solution-end} block: removed


@dataclass
class _Scan:
    """State carried from cell to cell: whether a gated solution is open."""

    gated: bool = False
    gated_at: str = ""
    removed: list[str] = field(default_factory=list)


def _closes(line: str, fence: _Fence) -> bool:
    stripped = line.strip()
    return (len(stripped) >= fence.length and set(stripped) == {fence.char}
            and len(line) - len(line.lstrip(" ")) <= 3)


def _opening(line: str) -> tuple[_Fence, str] | None:
    """The fence a line opens, and its directive's name ("" for a code block)."""
    match = _FENCE.match(line)
    if not match or (match["fence"][0] == "`" and "`" in match["info"]):
        return None  # not a fence (```x``` is an inline code span)
    directive = _DIRECTIVE.match(match["info"])
    name = directive["name"] if directive else ""
    return _Fence(match["fence"][0], len(match["fence"]), literal=directive is None,
                  solution=name in SOLUTION_DIRECTIVES), name


def _strip_markdown(source: str, scan: _Scan, where: str) -> str:
    """``source`` without its solution directives; ``scan`` says whether a
    gated solution is open at the start and at the end of the cell."""
    kept: list[str] = []
    stack: list[_Fence] = []
    before = len(scan.removed)

    def inside_solution() -> bool:
        return scan.gated or any(f.solution for f in stack)

    for line in source.splitlines(keepends=True):
        top = stack[-1] if stack else None
        if top is not None and _closes(line, top):
            hidden = inside_solution()  # the closing line belongs to the block it closes
            stack.pop()
        elif (opened := _opening(line) if top is None or not top.literal else None) is not None:
            fence, name = opened
            if name == "solution-start":
                if scan.gated:
                    raise SolutionError(f"{where}: a second {{solution-start}} before the "
                                        f"{{solution-end}} of the one in {scan.gated_at}")
                scan.gated, scan.gated_at = True, where
            elif name == "solution-end":
                if not scan.gated:
                    raise SolutionError(f"{where}: {{solution-end}} without a {{solution-start}}")
                scan.gated = False
            stack.append(fence)
            hidden = inside_solution()
        else:
            hidden = inside_solution()
        (scan.removed if hidden else kept).append(line)
    if any(f.solution for f in stack):
        raise SolutionError(f"{where}: a {{solution}} directive is never closed")
    if len(scan.removed) == before:
        return source
    text = re.sub(r"\n{3,}", "\n\n", "".join(kept))
    return text.strip("\n") + "\n" if text.endswith("\n") and text.strip() else text.strip("\n")


def strip_solutions(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """A copy of the notebook with every solution replaced or removed.

    ``name`` is used in the error raised for an unclosed solution.
    """
    return _strip(nb, name)[0]


def _strip(nb: nbformat.NotebookNode, name: str) -> tuple[nbformat.NotebookNode, list[str]]:
    out = copy.deepcopy(nb)
    scan = _Scan()
    cells = []
    for number, cell in enumerate(out.cells, start=1):
        where = f"{name}, cell {number}"
        if scan.gated and cell.cell_type != "markdown":  # a cell inside a gated solution
            scan.removed.extend(cell.source.splitlines())
            continue
        if is_solution(cell):
            scan.removed.extend(cell.source.splitlines())
            if cell.cell_type != "code":
                continue  # written model answers are removed entirely
            tags = [t for t in cell.metadata.get("tags", []) if t not in (SOLUTION, "hide-input", "hide-cell")]
            fresh = nbformat.v4.new_code_cell(placeholder(cell.source))
            fresh.metadata = {"tags": ["answer", *tags]}
            fresh.id = cell.get("id", fresh.id)
            cells.append(fresh)
            continue
        if cell.cell_type != "markdown":
            cells.append(cell)
            continue
        source = _strip_markdown(cell.source, scan, where)
        if source == cell.source:
            cells.append(cell)
        elif source.strip():  # a cell emptied by the removal goes
            cell.source = source
            cell.pop("attachments", None)  # they may belong to the removed solution
            cells.append(cell)
    if scan.gated:
        raise SolutionError(f"{scan.gated_at}: {{solution-start}} has no {{solution-end}}")
    out.cells = cells
    out.metadata.pop("widgets", None)
    return out, scan.removed


def _output_text(output: nbformat.NotebookNode) -> str:
    """The text of an output (stream, text/*, JSON), images left out."""
    parts = [str(output.get("text", ""))]
    for mime, value in output.get("data", {}).items():
        if mime.startswith("image/"):
            continue
        parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


def reveals(output: nbformat.NotebookNode, removed: list[str]) -> bool:
    """Whether an output could give a solution away: quiz answers, widget
    state, or a line of a removed solution."""
    data = output.get("data", {})
    if any(mime in data for mime in _REVEALING_MIME):
        return True
    text = _output_text(output)
    if any(marker in text for marker in _REVEALING_HTML):
        return True
    lines = {line.strip() for line in removed if len(line.strip()) >= _MIN_LEAK}
    return any(line in text for line in lines)


def clear_revealing_outputs(nb: nbformat.NotebookNode, removed: list[str]) -> nbformat.NotebookNode:
    """Clear (in place) every code cell's outputs if any of them :func:`reveals` a solution."""
    for cell in nb.cells:
        if cell.cell_type == "code" and any(reveals(o, removed) for o in cell.get("outputs", [])):
            cell.outputs = []
            cell.execution_count = None
    return nb


def student_copy(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """Solutions removed (:func:`strip_solutions`) and the outputs that could
    reveal them cleared (:func:`clear_revealing_outputs`); other outputs stay."""
    stripped, removed = _strip(nb, name)
    return clear_revealing_outputs(stripped, removed)

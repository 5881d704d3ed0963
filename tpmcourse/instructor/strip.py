"""Student versions of the labs: every ``solution`` cell becomes a
placeholder, and nothing of a solution survives in the output.

Cells tagged ``solution``:
- code cells are replaced by ``name = ...`` for each name the solution
  assigns, with a comment asking for the learner's answer; outputs, execution
  counts, attachments and metadata other than the tags are dropped;
- markdown cells (written model answers, solution dropdowns) are removed.
"""

from __future__ import annotations

import ast
import copy

import nbformat

SOLUTION = "solution"
PLACEHOLDER_NOTE = "# Your answer: replace each ... below with your code, then run the check cell."


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


def strip_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook with every solution replaced or removed."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if not is_solution(cell):
            cells.append(cell)
            continue
        if cell.cell_type != "code":
            continue  # written model answers are removed entirely
        tags = [t for t in cell.metadata.get("tags", []) if t not in (SOLUTION, "hide-input", "hide-cell")]
        fresh = nbformat.v4.new_code_cell(placeholder(cell.source))
        fresh.metadata = {"tags": ["answer", *tags]}
        fresh.id = cell.get("id", fresh.id)
        cells.append(fresh)
    out.cells = cells
    out.metadata.pop("widgets", None)
    return out

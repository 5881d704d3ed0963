"""The grading tier: which tests run submissions in the sandbox (read from their
module's source, as tests/scheduling.py reads fixture scopes), so that
``make check`` can leave them out and no test can forget its marker.

A test is in the tier when it, or a fixture it uses (directly or through other
fixtures), calls something that starts a sandbox: the ``grade`` command
(a list of arguments holding ``"grade"``), ``grade_one``, ``run_job``, the
sandbox ``probe`` or ``refusal``, or ``reference_sizes``; or calls a function
of its module that does. What the rule cannot see (a helper of another module
that grades) is caught when it runs: :func:`guard` fails the test instead.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

#: Calls that start a sandboxed kernel (or the probe's sandbox) in this process or a child.
SANDBOX_CALLS = frozenset({"grade_one", "run_job", "probe", "refusal", "reference_sizes"})


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        if isinstance(call.func, ast.Name):
            names.add(call.func.id)
        elif isinstance(call.func, ast.Attribute):
            names.add(call.func.attr)
    return names


def _runs_the_grade_command(node: ast.AST) -> bool:
    return any(isinstance(n, ast.List | ast.Tuple) and any(isinstance(e, ast.Constant) and e.value == "grade"
                                                         for e in n.elts)
               for n in ast.walk(node))


def grading_functions(path: Path) -> frozenset[str]:
    """The module's top-level functions (tests, fixtures, helpers) that start a sandbox, directly or
    through another function of the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = {name: _called_names(node) for name, node in functions.items()}
    found = {name for name, node in functions.items()
             if calls[name] & SANDBOX_CALLS or _runs_the_grade_command(node)}
    while True:
        more = {name for name in functions if name not in found and calls[name] & found}
        if not more:
            return frozenset(found)
        found |= more


_grading_functions = functools.cache(grading_functions)


def grades(path: Path, function: str, fixtures: list[str] | tuple[str, ...]) -> bool:
    """Whether the test ``function`` of the module ``path``, with its fixture closure ``fixtures``, grades."""
    if path.suffix != ".py" or not path.exists():
        return False
    found = _grading_functions(path)
    return function in found or any(name in found for name in fixtures)


def guard(item_is_grading: bool, nodeid: str) -> None:
    """Called by a sandbox's start in the tests: a test outside the grading tier may not start one."""
    if not item_is_grading:
        raise AssertionError(
            f"{nodeid} runs a submission in the sandbox but is not in the grading tier: mark it "
            f"@pytest.mark.grading (tests/tiers.py did not see the call in its module)")

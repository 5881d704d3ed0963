"""The scheduling units of pytest-xdist for the course (the hook is in the
repository's root ``conftest.py``, which pytest loads whatever paths it is given).

Tests are spread one by one, except those that must share a process:

- the cells of one notebook (nbval runs them in order in one kernel: spread,
  a cell would run without the cells before it);
- the tests of a module that sets up something costly once for the module (it
  defines a fixture of module, package or session scope, or imports fixtures
  with ``*``: a graded class, a JupyterLab server), so it is set up once, not
  once per worker.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SHARED_SCOPES = {"module", "package", "session"}


def sets_up_once(path: Path) -> bool:
    """Whether the test module ``path`` defines a fixture of module, package or
    session scope, or imports fixtures with ``*`` (read from its source: the
    scheduler decides before any test is collected in a worker)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return True
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                scope = next((k.value for k in getattr(deco, "keywords", []) if k.arg == "scope"), None)
                if isinstance(scope, ast.Constant) and scope.value in SHARED_SCOPES:
                    return True
    return False


def unit_of(nodeid: str) -> str:
    """The scheduling unit of a test: its notebook, its module when the module
    sets up once, else the test itself."""
    path = nodeid.split("::", 1)[0]
    if not path.endswith(".py"):  # a notebook's cells (pytest 9 may show "x/nb::ipynb::Cell 0")
        return path
    file = ROOT / path
    return path if file.exists() and _sets_up_once(file) else nodeid


_sets_up_once = functools.cache(sets_up_once)


@pytest.hookimpl(optionalhook=True)  # pytest -p no:xdist runs without it
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """pytest-xdist's scope scheduling with the units above (its `loadgroup` marks
    do not reach the scheduler under pytest 9, which ignores the test id it rewrites)."""
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]  # xdist ships no type hints

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return CourseScheduling(config, log)

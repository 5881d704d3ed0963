"""Which course helpers a cell used to compute a task's answer.

Some helpers installed with the course compute a lab task's answer in one
call: the lab's own reference answers (everything in a lab's check module,
``tpmcourse.labs.labN_name``, such as ``expected_lift``), and lab helpers
such as ``funnel_pandas`` or ``simulate`` that the tasks ask learners to
rebuild. A task declares the helpers it must not be answered with in its
registration (``@task(..., shortcuts=[...])``, :attr:`tpmcourse.checks.Task.shortcuts`);
the helpers a task's text offers (``pert_table``, ``group_threshold_sweep``)
are simply not listed.

This module reads code, never runs it: :func:`shortcut_calls` parses a cell
with :mod:`ast` and returns the declared helpers it imports or calls,
resolving ``import ... as`` aliases, ``from ... import`` names, attribute
chains (``h.funnel_pandas``), ``getattr(module, "name")`` and
``importlib.import_module("...")``, and, when given a namespace (a kernel's
``user_ns``), names bound in other cells. :func:`graded_shortcuts` does the
same for a whole notebook, cell by cell, following each task's answer back
through the cells it comes from; it is what the instructors' grader calls.
:func:`notice_for_kernel` is what :func:`tpmcourse.checks.check` shows in
Jupyter: a one-line notice, never a change of verdict.
"""

from __future__ import annotations

import ast
import functools
import importlib
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["POLICY", "answer_cell", "answer_sources", "assigned_names", "forbidden", "graded_shortcuts",
           "notice_for_kernel", "shortcut_calls"]

#: The rule every lab's introduction states, in these words.
POLICY = ("Nothing from a lab's own check module may produce an answer: it holds the course's reference "
          "answers. If the cell that made an answer calls one of the helpers a task rules out, its check "
          "adds a note, and a graded submission earns no points for that task.")



# --- what a task forbids ----------------------------------------------------------------------------


@functools.cache
def _reference_modules() -> tuple[str, ...]:
    """Every lab's check module: its functions are the reference answers."""
    from tpmcourse import labs

    return tuple(lab.module for lab in labs.labs())


@functools.cache
def canonical(dotted: str) -> str:
    """A dotted name as the object it names calls itself (``module.qualname``),
    so that a helper re-exported by another module is still recognised;
    the name unchanged when it cannot be imported."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        except Exception:
            return dotted
        try:
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return dotted
        if isinstance(obj, types.ModuleType):
            return obj.__name__
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if isinstance(module, str) and isinstance(qualname, str) and callable(obj):
            return f"{module}.{qualname}"
        return dotted
    return dotted


def forbidden(task_id: str) -> tuple[str, ...]:
    """The dotted names (helpers or whole modules) that must not compute
    ``task_id``'s answer: the task's declared shortcuts and every lab's
    reference answers."""
    from tpmcourse import checks

    registered = {t.id: t for t in checks.tasks()}
    declared = registered[task_id].shortcuts if task_id in registered else ()
    return tuple(dict.fromkeys([*declared, *_reference_modules()]))


def _matches(name: str, banned: Iterable[str]) -> str | None:
    """The banned entry ``name`` falls under (itself, or a module it lives in)."""
    real = canonical(name)
    for entry in banned:
        target = canonical(entry)
        for candidate in (name, real):
            if candidate in (entry, target) or candidate.startswith((target + ".", entry + ".")):
                return entry if entry.count(".") >= candidate.count(".") else candidate
    return None


# --- reading a cell -----------------------------------------------------------------------------------


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"], or None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _object_name(value: Any) -> str | None:
    """The dotted name of a namespace value: a module, a function or class, or a dotted-name string."""
    if isinstance(value, str):
        return value
    if isinstance(value, types.ModuleType):
        return value.__name__
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if callable(value) and isinstance(module, str) and isinstance(qualname, str):
        return f"{module}.{qualname}"
    return None


class _Reader(ast.NodeVisitor):
    """Collects the dotted names a cell imports and uses."""

    def __init__(self, aliases: dict[str, str], namespace: Mapping[str, Any] | None, imports: bool = True):
        self.aliases = aliases  # local name -> dotted name (updated as imports are read)
        self.imports = imports  # whether importing a name counts as using it
        self.namespace = namespace or {}
        self.stars: list[str] = []
        self.found: list[str] = []

    def resolve(self, parts: list[str]) -> str | None:
        head, rest = parts[0], parts[1:]
        if head in self.aliases:
            base: str | None = self.aliases[head]
        elif head in self.namespace:
            base = _object_name(self.namespace[head])
        else:
            base = next((f"{m}.{head}" for m in self.stars if hasattr(_module(m), head)), None)
        if base is None:
            return None
        return ".".join([base, *rest])

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top
            if self.imports:
                self.found.append(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        for alias in node.names:
            if alias.name == "*":
                self.stars.append(node.module)
                continue
            dotted = f"{node.module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = dotted
            if self.imports:
                self.found.append(dotted)

    def visit_Assign(self, node: ast.Assign) -> None:
        # m = importlib.import_module("tpmcourse.labs.lab2_metrics")
        module = _imported_module(node.value)
        if module is not None:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.aliases[target.id] = module
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        module = _imported_module(node)
        if module is not None:
            self.found.append(module)
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            parts = _dotted(node.args[0])
            base = self.resolve(parts) if parts else _imported_module(node.args[0])
            if base is not None:
                self.found.append(f"{base}.{node.args[1].value}")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        parts = _dotted(node)
        if parts is not None:
            name = self.resolve(parts)
            if name is not None:
                self.found.append(name)
            return
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            name = self.resolve([node.id])
            if name is not None:
                self.found.append(name)


def _imported_module(node: ast.AST) -> str | None:
    """The module an ``importlib.import_module("...")`` or ``__import__("...")`` call names."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    parts = _dotted(node.func)
    if parts not in (["importlib", "import_module"], ["import_module"], ["__import__"]):
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


@functools.cache
def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except Exception:
        return None


def _parse(source: str) -> ast.Module | None:
    # IPython magics and shell escapes are not Python; drop those lines.
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not code, a NUL byte, absurd nesting
        return None


def _read(source: str, aliases: dict[str, str], namespace: Mapping[str, Any] | None, imports: bool = True
          ) -> list[str]:
    tree = _parse(source)
    if tree is None:
        return []
    reader = _Reader(aliases, namespace, imports)
    reader.visit(tree)
    return reader.found


def _banned_in(found: Iterable[str], banned: Sequence[str]) -> list[str]:
    hits: list[str] = []
    for name in found:
        entry = _matches(name, banned)
        if entry is not None and entry not in hits:
            hits.append(entry)
    return hits


def shortcut_calls(task_id: str, source: str, namespace: Mapping[str, Any] | None = None) -> list[str]:
    """The course helpers forbidden for ``task_id`` (:func:`forbidden`) that
    the code ``source`` imports or calls, as dotted names, in order of first
    use; empty when there are none or the code does not parse.

    ``namespace`` resolves names the cell did not import itself: a kernel's
    ``user_ns`` (values are the objects), or a mapping from names to dotted
    names (``{"fp": "tpmcourse.labs.lab2_metrics_helpers.funnel_pandas"}``)."""
    return _banned_in(_read(source, {}, namespace), forbidden(task_id))


# --- finding the cell that produced an answer -------------------------------------------------------


def assigned_names(source: str) -> set[str]:
    """Names a cell binds outside functions and classes: assignments (also
    in loops and ``with`` blocks), augmented assignments and for-loop targets."""
    tree = _parse(source)
    if tree is None:
        return set()
    names: set[str] = set()
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        todo.extend(ast.iter_child_nodes(node))
    return names


def answer_cell(variables: Iterable[str], sources: Sequence[str]) -> int | None:
    """Index of the last of ``sources`` that assigns one of ``variables`` (the
    cell that produced the answer a check then reads), or None."""
    wanted = set(variables)
    for k in range(len(sources) - 1, -1, -1):
        if assigned_names(sources[k]) & wanted:
            return k
    return None


def read_names(source: str) -> set[str]:
    """Names a cell reads (loads) anywhere, functions included."""
    tree = _parse(source)
    if tree is None:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def answer_sources(variables: Iterable[str], cells: Sequence[str]) -> list[int]:
    """The cells a task's answer comes from: the last cell that assigns one of
    ``variables``, and, following the names it reads back to the last earlier
    cell that assigned each, every cell it depends on (sorted). A learner who
    computes ``x = helper()`` in one cell and ``answer = x`` in the next is
    followed to the helper."""
    last = answer_cell(variables, cells)
    if last is None:
        return []
    seen: set[int] = set()
    todo = [last]
    while todo:
        k = todo.pop()
        if k in seen:
            continue
        seen.add(k)
        for name in read_names(cells[k]):
            j = answer_cell([name], cells[:k])
            if j is not None and j not in seen:
                todo.append(j)
    return sorted(seen)


def graded_shortcuts(task_ids: Iterable[str], cells: Sequence[str]) -> dict[str, list[str]]:
    """For grading: for each of ``task_ids``, the forbidden helpers used by
    the cells its answer comes from (:func:`answer_sources`), with imports
    followed from cell to cell. A helper counts when those cells call or use
    it; importing it (as the labs' set-up cells do) does not. Check cells play
    no part (a learner may delete them). Tasks with none are left out."""
    aliases: list[dict[str, str]] = []  # the aliases in force after each cell
    current: dict[str, str] = {}
    for source in cells:
        _read(source, current, None)
        aliases.append(dict(current))
    from tpmcourse import checks

    registered = {t.id: t for t in checks.tasks()}
    out: dict[str, list[str]] = {}
    for task_id in task_ids:
        task = registered.get(task_id)
        if task is None:
            continue
        found: list[str] = []
        for k in answer_sources(task.variables, cells):  # what they call or use, not what they import
            found += _read(cells[k], dict(aliases[k - 1]) if k else {}, None, imports=False)
        hits = _banned_in(found, forbidden(task_id))
        if hits:
            out[task_id] = hits
    return out


# --- the notice in Jupyter ----------------------------------------------------------------------------


def notice(helpers: Sequence[str]) -> str:
    """The one-line notice for answers computed with ``helpers``."""
    names = ", ".join(f"`{h}`" for h in helpers)
    return (f"this answer comes from {names}, a course helper that computes it in one call. The check "
            "still says whether it is right, but a graded submission earns no points for it: compute it "
            "yourself with the tools the task names.")


def notice_for_kernel(task_id: str) -> str:
    """The notice for the answer a check in the running IPython kernel is
    about to read, or "" (also outside IPython, or when the history cannot
    be read: the notice fails safe, towards silence)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return ""
    shell = get_ipython()
    if shell is None:
        return ""
    from tpmcourse import checks

    registered = {t.id: t for t in checks.tasks()}
    if task_id not in registered:
        return ""
    namespace = shell.user_ns
    history = namespace.get("In") or namespace.get("_ih") or []
    if not isinstance(history, list) or not history:
        return ""
    sources = [s for s in history if isinstance(s, str)]
    current, earlier = sources[-1], sources[:-1]
    found = shortcut_calls(task_id, current, namespace)
    k = answer_cell(registered[task_id].variables, earlier)
    if k is not None:
        found += [h for h in shortcut_calls(task_id, earlier[k], namespace) if h not in found]
    return notice(found) if found else ""

"""Formulas in question banks, such as ``(risk - 45) + (ledger - 70)``.

Banks are written by content authors, so a formula is data, never code: it is
parsed with :mod:`ast` and only a small arithmetic language is accepted
(numbers, the question's declared names, ``+ - * / **``, unary minus,
parentheses and a few named functions). Nothing is ever passed to ``eval``.
Arithmetic is done in floats, so ``10 ** 10 ** 10`` overflows at once
instead of building a huge integer.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass


class FormulaError(ValueError):
    """A formula that cannot be used; the message says what is wrong in it."""


def _round(x: float, digits: float = 0) -> float:
    return float(round(x, int(digits)))


def _log(x: float, base: float | None = None) -> float:
    return math.log(x) if base is None else math.log(x, base)


# name -> (function, smallest and largest number of arguments; None: any)
FUNCTIONS: dict[str, tuple[Callable[..., float], int, int | None]] = {
    "round": (_round, 1, 2),
    "min": (min, 2, None),
    "max": (max, 2, None),
    "abs": (abs, 1, 1),
    "sqrt": (math.sqrt, 1, 1),
    "log": (_log, 1, 2),
    "exp": (math.exp, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "floor": (math.floor, 1, 1),
}
_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.Mod: "%",
           ast.FloorDiv: "//", ast.BitXor: "^", ast.BitAnd: "&", ast.BitOr: "|", ast.MatMult: "@",
           ast.LShift: "<<", ast.RShift: ">>"}


@dataclass(frozen=True)
class Formula:
    """A checked formula: ``names`` are the names it reads."""

    source: str
    tree: ast.Expression
    names: frozenset[str]

    def __call__(self, values: Mapping[str, float]) -> float:
        """The value for these names; FormulaError if it is not a finite number."""
        try:
            value = float(_evaluate(self.tree.body, values))
        except ZeroDivisionError:
            raise FormulaError(f"'{self.source}' divides by zero") from None
        except (OverflowError, ValueError) as exc:
            raise FormulaError(f"'{self.source}' has no finite value ({exc})") from None
        if not math.isfinite(value):
            raise FormulaError(f"'{self.source}' has no finite value")
        return value


def parse(source: str, allowed: Iterable[str]) -> Formula:
    """Check a formula against the language and the names it may use."""
    allowed = set(allowed)
    if not isinstance(source, str) or not source.strip():
        raise FormulaError("a formula must be a non-empty text")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"'{source}' is not a formula ({exc.msg})") from None
    names: set[str] = set()
    _check(tree.body, source, allowed, names)
    return Formula(source.strip(), tree, frozenset(names))


def _check(node: ast.expr, source: str, allowed: set[str], names: set[str]) -> None:
    """Walk the tree by hand, so a function name is accepted only where it is called."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"'{source}': only numbers may be written in a formula, not {node.value!r}")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise FormulaError(f"'{source}': the operator {_SYMBOL.get(type(node.op), '?')} is not allowed; "
                               "use + - * / ** and parentheses")
        _check(node.left, source, allowed, names)
        _check(node.right, source, allowed, names)
    elif isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            raise FormulaError(f"'{source}': only a minus or plus sign may stand before a number")
        _check(node.operand, source, allowed, names)
    elif isinstance(node, ast.Name):
        if node.id not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise FormulaError(f"'{source}': unknown name '{node.id}' (declared: {known})")
        names.add(node.id)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise FormulaError(f"'{source}': only these functions may be called: {', '.join(FUNCTIONS)}")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError(f"'{source}': call {node.func.id}() with plain arguments")
        _, low, high = FUNCTIONS[node.func.id]
        if len(node.args) < low or (high is not None and len(node.args) > high):
            wanted = str(low) if high == low else f"{low} or more" if high is None else f"{low} or {high}"
            raise FormulaError(f"'{source}': {node.func.id}() takes {wanted} arguments, not {len(node.args)}")
        for arg in node.args:
            _check(arg, source, allowed, names)
    else:
        raise FormulaError(f"'{source}': '{ast.unparse(node)}' is not allowed in a formula; use numbers, "
                           "declared names, + - * / ** and parentheses")


def _evaluate(node: ast.expr, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(values[node.id])
    if isinstance(node, ast.BinOp):
        result = _BINARY[type(node.op)](_evaluate(node.left, values), _evaluate(node.right, values))
        if isinstance(result, complex):  # e.g. (-8) ** 0.5
            raise ValueError("a complex result")
        return float(result)
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_evaluate(node.operand, values))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        function = FUNCTIONS[node.func.id][0]
        result = function(*(_evaluate(a, values) for a in node.args))
        if isinstance(result, complex):
            raise ValueError("a complex result")
        return float(result)
    raise FormulaError(f"cannot evaluate {type(node).__name__}")  # unreachable after parse()

"""Stop conditions of a study's runs, e.g. ``"active_customers < 100"`` or
``"retention < 0.5 or (step >= 52 and nps < 0)"``: comparisons of the weekly columns
and numbers, with ``and``, ``or``, ``not``, ``+ - * /`` and parentheses. The text is
parsed by Python's parser into a tree that is checked node by node against that small
grammar and then walked; nothing is ever evaluated as Python.
"""

from __future__ import annotations

import ast
import math
import operator
from typing import Any, Callable

MAX_LENGTH = 500
COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
           ast.Eq: operator.eq, ast.NotEq: operator.ne}
ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
         ast.Div: lambda a, b: a / b if b else math.nan}  # x / 0 compares false
Row = dict[str, Any]


class ConditionError(ValueError):
    """A stop condition outside the grammar; the message is one line."""


def parse(text: Any, columns: tuple[str, ...]) -> Callable[[Row], bool]:
    """The condition as a function of a week's row (``model.current``)."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_LENGTH or "\n" in text:
        raise ConditionError(f"must be one line of at most {MAX_LENGTH} characters, "
                             "e.g. \"active_customers < 100\"")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ConditionError(f"{text!r} is not a condition; write comparisons of weekly "
                             "columns and numbers joined by and / or, e.g. \"active_customers < 100\"") from None
    try:
        fn = _boolean(tree, columns)
    except RecursionError:
        raise ConditionError(f"{text[:40]!r}...: nested too deep") from None
    return fn


def _boolean(node: ast.AST, columns) -> Callable[[Row], bool]:
    if isinstance(node, ast.BoolOp):
        parts = [_boolean(v, columns) for v in node.values]
        if isinstance(node.op, ast.And):
            return lambda row: all(p(row) for p in parts)
        return lambda row: any(p(row) for p in parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _boolean(node.operand, columns)
        return lambda row: not inner(row)
    if isinstance(node, ast.Compare):
        if not all(type(op) in COMPARE for op in node.ops):
            raise ConditionError(f"{ast.unparse(node)!r}: compare with <, <=, >, >=, == or !=")
        terms = [_number(node.left, columns)] + [_number(c, columns) for c in node.comparators]
        ops = [COMPARE[type(op)] for op in node.ops]

        def compare(row: Row) -> bool:
            values = [t(row) for t in terms]
            return all(op(a, b) for op, a, b in zip(ops, values, values[1:]))
        return compare
    raise ConditionError(f"{ast.unparse(node)!r} is not a comparison; e.g. \"active_customers < 100\"")


def _number(node: ast.AST, columns) -> Callable[[Row], float]:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        value = float(node.value)
        return lambda row: value
    if isinstance(node, ast.Name):
        if node.id not in columns:
            raise ConditionError(f"{node.id!r} is not a weekly column; allowed: {', '.join(columns)}")
        name = node.id
        return lambda row: float(row[name])
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _number(node.operand, columns)
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        return lambda row: sign * inner(row)
    if isinstance(node, ast.BinOp) and type(node.op) in ARITH:
        left, right, op = _number(node.left, columns), _number(node.right, columns), ARITH[type(node.op)]
        return lambda row: op(left(row), right(row))
    raise ConditionError(f"{ast.unparse(node)!r}: only weekly columns, numbers and + - * / "
                         "may be compared")

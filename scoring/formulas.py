"""Declared formulas (``rd_expenditure / sales * 10000``) parsed once and evaluated exactly.

Only + − × ÷, unary minus, parentheses, decimal literals and base-statistic names are allowed;
the expression is walked as an AST, never handed to ``eval``. A missing operand gives a missing
result; a division by zero gives a missing result with the reason ``division_by_zero``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class FormulaSyntaxError(ValueError):
    """Raised with a short reason; the registry loader wraps it with file and row."""


class _Undefined(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, values: Mapping[str, Fraction | None]) -> tuple[Fraction | None, str | None]:
        """Return (value, reason-if-missing). Reasons: ``missing:<name>``, ``division_by_zero``."""
        try:
            return _walk(self.tree, values), None
        except _Undefined as why:
            return None, why.reason


def _walk(node: ast.expr, values: Mapping[str, Fraction | None]) -> Fraction:
    if isinstance(node, ast.Constant):
        return Fraction(str(node.value))
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None:
            raise _Undefined(f"missing:{node.id}")
        return value
    if isinstance(node, ast.UnaryOp):
        operand = _walk(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    assert isinstance(node, ast.BinOp)
    left, right = _walk(node.left, values), _walk(node.right, values)
    op = _OPS[type(node.op)]
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0:
        raise _Undefined("division_by_zero")
    return left / right


def parse_formula(text: str, known_names: frozenset[str] | set[str]) -> Formula:
    """Parse and check a formula; unknown names or constructs raise ``FormulaSyntaxError``."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise FormulaSyntaxError(f"formula {text!r} is not valid arithmetic ({exc.msg})") from exc
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in known_names:
                raise FormulaSyntaxError(
                    f"formula {text!r} uses {node.id!r}, which is not a declared base statistic"
                )
            names.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise FormulaSyntaxError(f"formula {text!r}: only numbers are allowed as constants")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _OPS:
                raise FormulaSyntaxError(f"formula {text!r}: only + - * / are allowed")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise FormulaSyntaxError(f"formula {text!r}: only unary minus is allowed")
        elif not isinstance(node, (ast.operator, ast.unaryop, ast.expr_context)):
            raise FormulaSyntaxError(f"formula {text!r}: {type(node).__name__} is not allowed")
    return Formula(text=text, tree=tree, names=frozenset(names))

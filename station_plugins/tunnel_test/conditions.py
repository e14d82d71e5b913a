"""Safe evaluation of run / skip conditions and preconditions written in sequences.

A tiny expression language (a checked subset of Python): literals, names from the
context (``unit``, ``results``, ``verdicts``, ``params``), attribute / item access,
comparisons, ``and / or / not``, ``in`` and the call ``read('door.closed')`` which asks
the drivers. Anything else (imports, lambdas, dunder access, other calls) is rejected at
load, so a sequence file cannot run arbitrary code through a condition.
"""
from __future__ import annotations

import ast
from typing import Any, Callable, Mapping

_ALLOWED = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
            ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In,
            ast.NotIn, ast.Is, ast.IsNot, ast.Name, ast.Load, ast.Constant, ast.Attribute,
            ast.Subscript, ast.List, ast.Tuple, ast.Call, ast.BinOp, ast.Add, ast.Sub,
            ast.Mult, ast.Div)
_CALLS = ("read",)
NAMES = ("unit", "results", "verdicts", "params", "read", "True", "False", "None")


class ConditionError(ValueError):
    pass


def compile_condition(text: str) -> ast.Expression:
    """Parse and check ``text``; raises ConditionError with the reason."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"condition '{text}' is not a valid expression: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ConditionError(f"condition '{text}': '{type(node).__name__}' is not allowed")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ConditionError(f"condition '{text}': private attribute '{node.attr}'")
        if isinstance(node, ast.Name) and node.id not in NAMES:
            raise ConditionError(f"condition '{text}': unknown name '{node.id}' "
                                 f"(use {', '.join(NAMES[:5])})")
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _CALLS):
                raise ConditionError(f"condition '{text}': only read('...') may be called")
            if node.keywords or len(node.args) != 1:
                raise ConditionError(f"condition '{text}': read() takes one name")
    return tree


class _Ns(dict):
    """Dict with attribute access, so ``unit.variant`` reads ``unit['variant']``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise ConditionError(f"no field '{name}'") from None


def _wrap(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return _Ns({k: _wrap(v) for k, v in obj.items()})
    return obj


def evaluate(text: str, *, unit: Mapping, results: Mapping, verdicts: Mapping,
             params: Mapping, read: Callable[[str], Any]) -> bool:
    tree = compile_condition(text)
    env = {"unit": _wrap(unit), "results": _wrap(results), "verdicts": _Ns(verdicts),
           "params": _wrap(params), "read": read}
    try:
        return bool(eval(compile(tree, "<condition>", "eval"),  # noqa: S307 - checked AST
                         {"__builtins__": {}}, env))
    except ConditionError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported as the step's ERROR reason
        raise ConditionError(f"condition '{text}' failed: {type(exc).__name__}: {exc}") from exc

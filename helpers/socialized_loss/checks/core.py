"""The three-state check machinery every lesson's checks are built from."""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

STRICT_ENV = "SOCIALIZED_LOSS_STRICT"

__all__ = ["CheckResult", "check_value", "check_function", "not_attempted", "strict_mode", "report"]


@dataclass(frozen=True)
class CheckResult:
    """What a check found: ``status`` is ``"not attempted"``, ``"correct"`` or ``"wrong"``."""

    name: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def _ipython_display_(self) -> None:  # the message was already printed; show nothing twice
        return None

    def __bool__(self) -> bool:
        return self.correct


def strict_mode() -> bool:
    """True when wrong answers must raise (the test suite sets ``SOCIALIZED_LOSS_STRICT=1``)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0", "false", "False")


def not_attempted(answer: Any) -> bool:
    """True for the stub values a student notebook ships with: ``None`` and ``...``."""
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, (list, tuple)) and len(answer) > 0:
        return all(a is None or a is Ellipsis for a in answer)
    return False


def report(name: str, status: str, message: str) -> CheckResult:
    """Print one friendly line and, in strict mode, raise on a wrong answer."""
    icon = {"not attempted": "⏳", "correct": "✓", "wrong": "✗"}[status]
    line = f"{icon} {name}: {message}"
    print(line)
    result = CheckResult(name, status, message)
    if status == "wrong" and strict_mode():
        raise AssertionError(line)
    return result


def _close(answer: Any, expected: Any, rtol: float, atol: float) -> bool:
    try:
        a = np.asarray(answer, dtype=float)
        e = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return answer == expected
    if a.shape != e.shape:
        return False
    if not np.all(np.isfinite(a) == np.isfinite(e)):
        return False
    fin = np.isfinite(e)
    if not np.all(a[~fin] == e[~fin]):
        return False
    return bool(np.allclose(a[fin], e[fin], rtol=rtol, atol=atol))


def _fmt(x: Any) -> str:
    if isinstance(x, (float, np.floating)) and math.isfinite(x):
        return f"{x:,.4f}".rstrip("0").rstrip(".")
    return repr(x)


def check_value(
    name: str,
    answer: Any,
    expected: Any,
    *,
    why: str,
    hint: str,
    rtol: float = 1e-6,
    atol: float = 0.005,
) -> CheckResult:
    """Compare ``answer`` with ``expected`` (numbers, arrays, or other values compared with ==).

    ``atol`` defaults to half a cent, since money is in quote currency. ``why`` explains a correct answer in a
    line; ``hint`` nudges a wrong one without giving the answer away.
    """
    if not_attempted(answer):
        return report(name, "not attempted", "not attempted yet: replace the `...` and run this cell again.")
    if _close(answer, expected, rtol, atol):
        return report(name, "correct", why)
    return report(name, "wrong", f"not quite (you gave {_fmt(answer)}). Hint: {hint}")


def check_function(
    name: str,
    func: Callable[..., Any],
    cases: Iterable[tuple[tuple, Any]],
    *,
    why: str,
    hint: str,
    rtol: float = 1e-6,
    atol: float = 0.005,
) -> CheckResult:
    """Call ``func(*args)`` for each ``(args, expected)`` case; a stub that returns ``None`` is *not attempted*."""
    if func is None or func is Ellipsis:
        return report(name, "not attempted", "not attempted yet: fill in the function and run this cell again.")
    for args, expected in cases:
        try:
            got = func(*args)
        except Exception as exc:  # a learner's bug is reported, never a traceback
            return report(name, "wrong", f"calling it with {args} raised {type(exc).__name__}: {exc}. Hint: {hint}")
        if not_attempted(got):
            return report(name, "not attempted", "not attempted yet: the function still returns nothing.")
        if not _close(got, expected, rtol, atol):
            return report(name, "wrong", f"for inputs {args} it returned {_fmt(got)}. Hint: {hint}")
    return report(name, "correct", why)

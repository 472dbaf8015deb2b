"""The three-state check machinery every lesson's checks are built from.

Never a traceback for a learner: whatever is passed as an answer — a number, text, a ragged list, an array where a
single number is asked, ``NaN``, a dict, a function that raises or returns junk — a check reports one of three
states and, for a wrong answer, a hint. Only two things raise:

- strict mode (``SOCIALIZED_LOSS_STRICT=1``, set by the test suite): a *wrong* answer raises ``AssertionError`` so a
  wrong solution notebook fails ``make test``; a blank never raises;
- :class:`InvariantError` (a ``RuntimeError``): the course's own expected answer broke an internal invariant, a bug
  in the course, never the learner's fault.

Tolerances. Answers are compared element by element, ``|answer − expected| ≤ atol + rtol × |expected|``, with the
shapes equal. The default is **absolute: half a cent** (``atol=0.005``, ``rtol=0``), because most answers are money
in a quote currency and a relative tolerance would accept an error of 90 EUR on a 90-million default. A check whose
answer is not money (a ratio, a price, a count) states its own ``atol``/``rtol`` next to the expected value. NaN
matches only NaN, ±inf only the same infinity. Text, booleans and complex numbers are never accepted where a real
number is expected (and ``True`` is not ``1``).

>>> import os; os.environ.pop(STRICT_ENV, None) and None
>>> check_value("Ex", 100.004, 100.0, why="w", hint="h").status
✓ Ex: w
'correct'
>>> check_value("Ex", "100", 100.0, why="w", hint="h").status
✗ Ex: not quite: that is text ('100'); give a number. Hint: h
'wrong'
>>> check_value("Ex", [1, 2], 3.0, why="w", hint="h").status
✗ Ex: not quite: expected a single number, got 2 values. Hint: h
'wrong'
"""
from __future__ import annotations

import copy
import functools
import math
import numbers
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

STRICT_ENV = "SOCIALIZED_LOSS_STRICT"

#: Default tolerances: half a cent, absolute (see the module docstring).
MONEY_ATOL = 0.005
MONEY_RTOL = 0.0

__all__ = [
    "MONEY_ATOL",
    "MONEY_RTOL",
    "STRICT_ENV",
    "CheckResult",
    "InvariantError",
    "check_function",
    "check_parts",
    "check_value",
    "grader",
    "invariant",
    "not_attempted",
    "real_number",
    "report",
    "strict_mode",
]


@dataclass(frozen=True)
class CheckResult:
    """What a check found: ``status`` is ``"not attempted"``, ``"correct"`` or ``"wrong"``.

    >>> CheckResult("Ex", "correct", "w").correct
    True
    """

    name: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        """True when the answer was right."""
        return self.status == "correct"

    def _ipython_display_(self) -> None:  # the message was already printed; show nothing twice
        return None

    def __bool__(self) -> bool:
        return self.correct


class InvariantError(RuntimeError):
    """The course's own expected answer broke an internal invariant (a bug in the course, not in the answer)."""


def invariant(condition: bool, message: str) -> None:
    """Raise :class:`InvariantError` with ``message`` unless ``condition`` holds.

    >>> invariant(1 + 1 == 2, "arithmetic")
    """
    if not condition:
        raise InvariantError(f"internal check failed: {message}")


def strict_mode() -> bool:
    """True when wrong answers must raise (the test suite sets ``SOCIALIZED_LOSS_STRICT=1``)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0", "false", "False")


def _is_stub(x: Any) -> bool:
    return x is None or x is Ellipsis


def not_attempted(answer: Any) -> bool:
    """True for the stub values a student notebook ships with: ``None``, ``...``, or a list/tuple of only those.

    >>> not_attempted(...), not_attempted([None, ...]), not_attempted([1, ...]), not_attempted(0)
    (True, True, False, False)
    """
    if _is_stub(answer):
        return True
    if isinstance(answer, (list, tuple)) and len(answer) > 0:
        return all(_is_stub(a) for a in answer)
    return False


def _partly_attempted(answer: Any) -> bool:
    return isinstance(answer, (list, tuple)) and any(_is_stub(a) for a in answer) and not not_attempted(answer)


def report(name: str, status: str, message: str) -> CheckResult:
    """Print one friendly line and, in strict mode, raise ``AssertionError`` on a wrong answer."""
    icon = {"not attempted": "⏳", "correct": "✓", "wrong": "✗"}[status]
    line = f"{icon} {name}: {message}"
    print(line)
    result = CheckResult(name, status, message)
    if status == "wrong" and strict_mode():
        raise AssertionError(line)
    return result


def _fmt(x: Any, limit: int = 80) -> str:
    """A short, safe rendering of any answer (never raises, never floods the output)."""
    try:
        if isinstance(x, (float, np.floating)) and math.isfinite(x):
            return f"{x:,.4f}".rstrip("0").rstrip(".")
        if isinstance(x, np.ndarray):
            text = np.array2string(x, threshold=8, precision=4, separator=", ")
        else:
            text = repr(x)
    except Exception:  # a learner's object with a broken __repr__  # noqa: BLE001
        text = f"<{type(x).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _numeric_leaf_problem(x: Any) -> str | None:
    """Why ``x`` (an answer, possibly nested) cannot stand for real numbers, or None if it can."""
    if isinstance(x, (str, bytes)):
        return f"that is text ({_fmt(x)}); give a number"
    if isinstance(x, (bool, np.bool_)):
        return f"that is {x!r}, a yes/no value; give a number"
    if isinstance(x, (complex, np.complexfloating)):
        return "that is a complex number; give a real number"
    if isinstance(x, dict):
        return "that is a dict; give the number(s) themselves"
    if callable(x) and not isinstance(x, np.ndarray):
        return "that is a function; call it and give its result"
    if isinstance(x, (list, tuple)):
        for item in x:
            why = _numeric_leaf_problem(item)
            if why is not None:
                return why
    if isinstance(x, np.ndarray) and x.dtype.kind in "USObc":
        if x.dtype.kind == "O":
            for item in x.ravel()[:1000]:
                why = _numeric_leaf_problem(item)
                if why is not None:
                    return why
            return None
        return f"that is an array of {x.dtype.name} values; give numbers"
    return None


def _as_real_array(x: Any) -> np.ndarray | None:
    try:
        arr = np.asarray(x, dtype=float)
    except Exception:  # ragged lists, odd objects, overflowing ints  # noqa: BLE001
        return None
    return arr


def _is_numeric_expected(expected: Any) -> bool:
    if isinstance(expected, (bool, np.bool_, str, bytes)):
        return False
    if isinstance(expected, numbers.Real):
        return True
    if isinstance(expected, np.ndarray):
        return expected.dtype.kind in "iuf"
    if isinstance(expected, (list, tuple)):
        return len(expected) > 0 and all(_is_numeric_expected(e) for e in expected)
    return False


def real_number(answer: Any) -> tuple[float | None, str]:
    """``(value, "")`` when ``answer`` is one finite real number (a plain number or a one-element array), else
    ``(None, reason)``. Never raises.

    >>> real_number(2), real_number("2")[0], real_number(float("nan"))[1]
    ((2.0, ''), None, 'that is nan; give a finite number')
    """
    problem = _numeric_leaf_problem(answer)
    if problem is not None:
        return None, problem
    arr = _as_real_array(answer)
    if arr is None or arr.size != 1:
        return None, f"expected a single number, got {_fmt(answer)}"
    value = float(arr.reshape(()))
    if not math.isfinite(value):
        return None, f"that is {value!r}; give a finite number"
    return value, ""


def _describe_shape(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return "a single number"
    if arr.ndim == 1:
        return f"{arr.shape[0]} values"
    return f"an array of shape {arr.shape}"


def _compare(answer: Any, expected: Any, rtol: float, atol: float) -> tuple[bool, str]:
    """(matches, reason if not). Never raises, whatever ``answer`` is."""
    if not _is_numeric_expected(expected):
        try:
            same = answer == expected
            ok = bool(same) if isinstance(same, (bool, np.bool_)) else False
        except Exception:  # noqa: BLE001
            ok = False
        if ok and isinstance(expected, (bool, np.bool_)) and not isinstance(answer, (bool, np.bool_)):
            ok = False  # 1 is not True
        return ok, "" if ok else f"you gave {_fmt(answer)}"
    problem = _numeric_leaf_problem(answer)
    if problem is not None:
        return False, problem
    a = _as_real_array(answer)
    e = np.asarray(expected, dtype=float)
    if a is None:
        return False, f"{_fmt(answer)} is not a number or a list of numbers of one length"
    if a.shape != e.shape:
        return False, f"expected {_describe_shape(e)}, got {_describe_shape(a)}"
    nan_a, nan_e = np.isnan(a), np.isnan(e)
    inf_e = np.isinf(e)
    if np.any(nan_a != nan_e) or np.any(a[inf_e] != e[inf_e]) or np.any(np.isinf(a) & ~inf_e):
        return False, f"you gave {_fmt(answer)}"
    fin = np.isfinite(e)
    with np.errstate(all="ignore"):
        ok = bool(np.all(np.abs(a[fin] - e[fin]) <= atol + rtol * np.abs(e[fin])))
    return ok, "" if ok else f"you gave {_fmt(answer)}"


def check_value(
    name: str,
    answer: Any,
    expected: Any,
    *,
    why: str,
    hint: str,
    rtol: float = MONEY_RTOL,
    atol: float = MONEY_ATOL,
) -> CheckResult:
    """Compare ``answer`` with ``expected`` (numbers, arrays, or other values compared with ==).

    Tolerances default to half a cent, absolute (see the module docstring). ``why`` explains a correct answer in a
    line; ``hint`` nudges a wrong one without giving the answer away. A list or tuple answer with some parts still
    ``...`` is *not attempted*.

    >>> import os; os.environ.pop(STRICT_ENV, None) and None
    >>> check_value("Ex", (3.0, ...), (3.0, 4.0), why="w", hint="h").status
    ⏳ Ex: not attempted yet: some parts are still `...`; fill them all in and run this cell again.
    'not attempted'
    """
    if not_attempted(answer):
        return report(name, "not attempted", "not attempted yet: replace the `...` and run this cell again.")
    if _partly_attempted(answer):
        return report(name, "not attempted",
                      "not attempted yet: some parts are still `...`; fill them all in and run this cell again.")
    ok, reason = _compare(answer, expected, rtol, atol)
    if ok:
        return report(name, "correct", why)
    return report(name, "wrong", f"not quite: {reason}. Hint: {hint}")


def _call(func: Callable[..., Any], args: tuple) -> tuple[Any, BaseException | None]:
    try:
        safe_args = copy.deepcopy(args)  # a learner's function may change its inputs in place
    except Exception:  # noqa: BLE001
        safe_args = args
    try:
        return func(*safe_args), None
    except Exception as exc:  # a learner's bug is reported, never a traceback  # noqa: BLE001
        return None, exc


def check_function(
    name: str,
    func: Callable[..., Any],
    cases: Iterable[tuple[tuple, Any]],
    *,
    why: str,
    hint: str,
    rtol: float = MONEY_RTOL,
    atol: float = MONEY_ATOL,
) -> CheckResult:
    """Call ``func(*args)`` for each ``(args, expected)`` case (on copies of ``args``); a stub that returns ``None``
    is *not attempted*; anything that is not a function, raises, or returns the wrong thing is *wrong* with a hint.

    >>> import os; os.environ.pop(STRICT_ENV, None) and None
    >>> check_function("Ex", lambda x: 2 * x, [((2,), 4)], why="w", hint="h").status
    ✓ Ex: w
    'correct'
    >>> check_function("Ex", 42, [((2,), 4)], why="w", hint="h").status
    ✗ Ex: not quite: expected a function (a `def`), got 42. Hint: h
    'wrong'
    """
    if func is None or func is Ellipsis:
        return report(name, "not attempted", "not attempted yet: fill in the function and run this cell again.")
    if not callable(func):
        return report(name, "wrong", f"not quite: expected a function (a `def`), got {_fmt(func)}. Hint: {hint}")
    for args, expected in cases:
        got, exc = _call(func, args)
        shown = _fmt(args, limit=120)
        if exc is not None:
            return report(name, "wrong", f"calling it with {shown} raised {type(exc).__name__}: "
                          f"{_fmt(str(exc), limit=160)}. Hint: {hint}")
        if got is None or got is Ellipsis:
            return report(name, "not attempted", "not attempted yet: the function still returns nothing.")
        ok, reason = _compare(got, expected, rtol, atol)
        if not ok:
            why_not = "" if reason.startswith("you gave") else f" ({reason})"
            return report(name, "wrong", f"for inputs {shown} it returned {_fmt(got)}{why_not}. Hint: {hint}")
    return report(name, "correct", why)


def check_parts(name: str, parts: list[tuple[Any, Callable[[], CheckResult]]], *, why: str) -> CheckResult:
    """Grade a multi-part answer part by part: ``parts`` pairs each part's answer with a function that grades it.

    Every attempted part is graded and printed on its own line (so a learner sees which part is right), even when
    another part is wrong or still ``...``. The overall verdict: *wrong* if any part is wrong, else *not attempted*
    if any part is blank, else *correct* with ``why``. When every part is blank only one line is printed.

    >>> import os; os.environ.pop(STRICT_ENV, None) and None
    >>> parts = [(1.0, lambda: check_value("Ex a", 1.0, 1.0, why="a", hint="h")),
    ...          (..., lambda: check_value("Ex b", ..., 2.0, why="b", hint="h"))]
    >>> check_parts("Ex", parts, why="both").status
    ✓ Ex a: a
    ⏳ Ex b: not attempted yet: replace the `...` and run this cell again.
    ⏳ Ex: part of it is still `...`; the parts you answered are graded above.
    'not attempted'
    """
    if all(not_attempted(answer) for answer, _ in parts):
        return report(name, "not attempted", "not attempted yet: replace every `...` and run this cell again.")
    results = []
    for _answer, grade in parts:
        try:
            results.append(grade())
        except AssertionError:
            if strict_mode():
                raise
            results.append(CheckResult(name, "wrong", "could not be graded"))
    statuses = [r.status for r in results]
    if "wrong" in statuses:
        # the wrong part already raised in strict mode; here the learner gets the summary line
        return report(name, "wrong", "one part is not right yet; see the hints above.")
    if "not attempted" in statuses:
        return report(name, "not attempted", "part of it is still `...`; the parts you answered are graded above.")
    return report(name, "correct", why)


_EXERCISE = re.compile(r"Exercise\s+\d+\.\d+")


def grader(func: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
    """Wrap a lesson's check so that no learner answer can make it raise.

    Anything the check raises while grading becomes a *wrong* verdict naming the problem, except the strict-mode
    ``AssertionError`` and :class:`InvariantError` (a bug in the course). The verdict is named after the
    "Exercise N.M" at the start of the check's docstring.

    >>> import os; os.environ.pop(STRICT_ENV, None) and None
    >>> @grader
    ... def ex(answer):
    ...     '''Exercise 0.9: a toy.'''
    ...     return check_value("Exercise 0.9", float(answer), 1.0, why="w", hint="h")
    >>> ex({"a": 1}).status
    ✗ Exercise 0.9: not quite: this answer could not be graded (TypeError); give the number(s) asked for.
    'wrong'
    """
    match = _EXERCISE.search(func.__doc__ or "")
    name = match.group(0) if match else func.__name__

    @functools.wraps(func)
    def wrapper(*answers: Any, **kw: Any) -> CheckResult:
        try:
            return func(*answers, **kw)
        except InvariantError:
            raise
        except AssertionError:
            if strict_mode():  # a wrong answer in strict mode: the test suite wants it loud
                raise
            return report(name, "wrong", "not quite: this answer could not be graded; give the number(s) asked for.")
        except Exception as exc:  # noqa: BLE001
            return report(name, "wrong", f"not quite: this answer could not be graded ({type(exc).__name__}); "
                          "give the number(s) asked for.")

    return wrapper

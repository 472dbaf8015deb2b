"""Exercise checks: three states, never a traceback for a learner.

- *not attempted*: the answer is ``None`` or ``...`` (the stub the student notebook ships with): a friendly line.
- *correct*: ✓ and a one-line why.
- *wrong*: ✗ and a hint. Any answer at all — a string, a ragged list, an array where a number is asked, a function
  that raises or returns junk — is graded, never raised on. A check raises ``AssertionError`` only when strict mode
  is on (environment variable ``SOCIALIZED_LOSS_STRICT=1``, which the test suite sets), so a wrong *solution* fails
  ``make test`` while a learner's Run All never stops.

Tolerances are documented in :mod:`socialized_loss.checks.core`. Each lesson's checks live in
``checks/lessonNN.py`` and are reached as ``sl.checks.lessonNN.<name>``; predict-first exercises compare a
recorded prediction with the computed answer (``checks/predict.py``, never graded). The checks compute their expected answers
with the engine (never the widgets).
"""
from __future__ import annotations

from . import (
    lesson00,
    lesson01,
    lesson02,
    lesson03,
    lesson04,
    lesson05,
    lesson06,
    lesson07,
    lesson08,
    lesson09,
    lesson10,
    predict,
)
from .core import CheckResult, check_function, check_value, not_attempted, report, strict_mode

__all__ = [
    "CheckResult",
    "check_function",
    "check_value",
    "lesson00",
    "lesson01",
    "lesson02",
    "lesson03",
    "lesson04",
    "lesson05",
    "lesson06",
    "lesson07",
    "lesson08",
    "lesson09",
    "lesson10",
    "not_attempted",
    "predict",
    "report",
    "strict_mode",
]

#: Every lesson's check module, in lesson order (for tests and tools).
LESSONS = (lesson00, lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07, lesson08, lesson09, lesson10)

"""Exercise checks: three states, never a traceback for a learner.

- *not attempted*: the answer is ``None`` or ``...`` (the stub the student notebook ships with): a friendly line.
- *correct*: ✓ and a one-line why.
- *wrong*: ✗ and a hint. It raises ``AssertionError`` only when strict mode is on (environment variable
  ``SOCIALIZED_LOSS_STRICT=1``, which the test suite sets), so a wrong *solution* fails ``make test`` while a
  learner's Run All never stops.

Each lesson's checks live in ``checks/lessonNN.py`` and are reached as ``sl.checks.lessonNN.<name>``. Every module
named ``lesson*.py`` in this folder is imported automatically.
"""
from __future__ import annotations

import pkgutil as _pkgutil
from importlib import import_module as _import_module

from .core import CheckResult, check_value, check_function, not_attempted, strict_mode, report

__all__ = ["CheckResult", "check_value", "check_function", "not_attempted", "strict_mode", "report"]

for _info in sorted(_pkgutil.iter_modules(__path__), key=lambda i: i.name):
    if _info.name.startswith("lesson"):
        globals()[_info.name] = _import_module(f".{_info.name}", __name__)
        __all__.append(_info.name)

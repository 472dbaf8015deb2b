"""Predict-first exercises: compare the prediction a learner wrote down with the computed answer.

A prediction is never graded as right or wrong work: it is compared, in one printed line, with what the computation
shows, so the learner sees where their intuition stood. It never raises, not even in strict mode.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .core import _fmt, not_attempted

__all__ = ["compare_prediction", "normalise"]


def normalise(value: Any) -> Any:
    """A prediction in comparable form: words lower-cased and stripped, numbers as floats, lists as tuples and sets
    as sorted tuples (pass ``unordered=True`` to :func:`compare_prediction` when order does not matter).

    >>> normalise("  Above ")
    'above'
    >>> normalise([5, 2, 4])
    (5.0, 2.0, 4.0)
    """
    if isinstance(value, str):
        return " ".join(value.lower().replace("%", " %").split())
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [normalise(v) for v in value]
        return tuple(sorted(items, key=repr)) if isinstance(value, (set, frozenset)) else tuple(items)
    return value


def _show(value: Any) -> str:
    """A prediction or computed answer as a learner reads it: words quoted, numbers with separators and no float
    noise, lists as their items separated by commas (no Python brackets).

    >>> _show("at"), _show(2.6999999999999997), _show(["gain", "pay"]), _show((5, 2.5))
    ("'at'", '2.7', "'gain', 'pay'", '5, 2.5')
    """
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _fmt(float(value)) if isinstance(value, float) else f"{value:,}"
    return _fmt(value)


def compare_prediction(name: str, prediction: Any, computed: Any, *, options: Iterable[Any] | None = None,
                       unordered: bool = False, answered: bool = True) -> str:
    """Print how a recorded prediction compares with the computed answer; return ``"missing"``, ``"recorded"``,
    ``"matches"``, ``"differs"`` or ``"unclear"`` (a prediction outside ``options``).

    ``computed`` is the right answer to the prediction question, in the same form as the options. With
    ``unordered=True`` a list prediction is compared as a set. With ``answered=False`` (the exercise itself is not
    attempted yet) nothing about the answer is revealed.

    >>> compare_prediction("Exercise 1.1", "below", "at", options=("above", "at", "below"))
    📝 Exercise 1.1: you predicted 'below'; the computation says 'at'. Worth a minute: what did the intuition miss?
    'differs'
    >>> compare_prediction("Exercise 1.1", "below", "at", answered=False)
    📝 Exercise 1.1: prediction 'below' recorded; compute the answer and run this cell again to compare.
    'recorded'
    """
    try:
        return _compare_prediction(name, prediction, computed, options=options, unordered=unordered,
                                   answered=answered)
    except Exception:  # a prediction is never graded and never raises, whatever was written  # noqa: BLE001
        print(f"📝 {name}: could not read that prediction ({_fmt(prediction)}); write one of the words asked for.")
        return "unclear"


def _compare_prediction(name: str, prediction: Any, computed: Any, *, options: Iterable[Any] | None,
                        unordered: bool, answered: bool) -> str:
    if not_attempted(prediction):
        seen = f" (the computation says {_show(computed)})" if answered else ""
        print(f"📝 {name}: no prediction recorded{seen}. Write it in `prediction` before you compute.")
        return "missing"
    got, want = normalise(prediction), normalise(computed)
    if unordered and isinstance(got, tuple) and isinstance(want, tuple):
        got, want = tuple(sorted(got, key=repr)), tuple(sorted(want, key=repr))
    if options is not None:
        allowed = [normalise(o) for o in options]
        if got not in allowed:
            shown = ", ".join(repr(o) for o in options)
            print(f"📝 {name}: your prediction {_show(prediction)} is not one of {shown}; write one of them.")
            return "unclear"
    if not answered:
        print(f"📝 {name}: prediction {_show(prediction)} recorded; compute the answer and run this cell again to "
              "compare.")
        return "recorded"
    if got == want:
        print(f"📝 {name}: you predicted {_show(prediction)}, and the computation agrees.")
        return "matches"
    print(f"📝 {name}: you predicted {_show(prediction)}; the computation says {_show(computed)}. Worth a minute: "
          "what did the intuition miss?")
    return "differs"

"""Two tiers for property tests: a quick default run and a ``slow`` tier with ≥ 10⁴ examples per property.

``tiered(**strategies)(check)`` returns ``(test_quick, test_slow)``: the same property, run with few examples by
default and with ``SLOW_EXAMPLES`` under ``-m slow``. Assign both to module-level names starting with ``test_``.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings

QUICK_EXAMPLES = 200
SLOW_EXAMPLES = 10_000


def tiered(quick: int = QUICK_EXAMPLES, slow: int = SLOW_EXAMPLES, **strategies):
    def deco(check):
        quick_test = settings(max_examples=quick, deadline=None, database=None)(given(**strategies)(check))
        slow_test = settings(max_examples=slow, deadline=None, database=None)(given(**strategies)(check))
        return quick_test, pytest.mark.slow(slow_test)

    return deco

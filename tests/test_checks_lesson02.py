"""Lesson 02's checks beyond the shared scaffold in tests/test_checks.py (blank / right / wrong / strict / odd
answers): lesson-specific cases."""
from __future__ import annotations

import pytest

import socialized_loss as sl
from socialized_loss.checks import core

L = sl.checks.lesson02


def test_expected_values_come_from_the_engine():
    assert list(sl.insurance_fund_delta(-1.0, [64_500.0, 66_400.0], 66_000.0)) == pytest.approx([967.5, -400.0])
    book = sl.make_book(200, {2: 1, 5: 1, 10: 1, 20: 1, 50: 1}, seed=1)
    assert sl.cascade(book, 0.08, 1e6, mmr=0.01, fund_balance=50_000).total_uncovered == 0
    assert sl.cascade(book, 0.09, 1e6, mmr=0.01, fund_balance=50_000).total_uncovered > 0


def test_a_crashing_function_is_wrong_not_a_traceback(monkeypatch):
    monkeypatch.setenv(core.STRICT_ENV, "0")
    assert L.fund_delta_rule(lambda *a: 1 / 0).status == "wrong"

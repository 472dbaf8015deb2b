"""Lesson 03's checks beyond the shared scaffold in tests/test_checks.py (blank / right / wrong / strict / odd
answers): lesson-specific cases."""
from __future__ import annotations

import math

import pytest

import socialized_loss as sl
from socialized_loss.checks import core

L = sl.checks.lesson03
U_TEACHING = math.log((2 * 3e6 / 7.3e6) / 0.05) / (1 / 3e6 - 2 / 7.3e6)


@pytest.mark.parametrize("answer", [14_250_000, 14_400_000, -250_000, "a lot", float("nan")])
def test_fund_for_target_rejects_other_answers(answer, monkeypatch):
    monkeypatch.setenv(core.STRICT_ENV, "0")
    assert L.fund_for_target(answer).status == "wrong"


def test_fund_for_target_agrees_with_engine_bisection():
    # the engine's bisection puts the threshold just below the accepted multiple of 250,000 USD
    threshold = sl.size_for_target(0.05, fee_share=0.10, crash_rate=2.0)
    assert 14_250_000 < threshold <= 14_500_000
    p = sl.exhaustion_probability_grid([14_250_000, 14_500_000], [0.10], crash_rate=2.0)[:, 0]
    assert p[0] > 0.05 >= p[1]


def test_teaching_model_answer_solves_the_formula():
    c, lam, mu = 7.3e6, 2.0, 3e6
    assert sl.ruin_probability_exponential(U_TEACHING, c, lam, mu) == pytest.approx(0.05)

"""Lesson 03's checks: a stub is 'not attempted', the right answer 'correct', a wrong one 'wrong' (and raises when
strict)."""
from __future__ import annotations

import math

import pytest

import socialized_loss as sl
from socialized_loss.checks import core

L = sl.checks.lesson03
U_TEACHING = math.log((2 * 3e6 / 7.3e6) / 0.05) / (1 / 3e6 - 2 / 7.3e6)

CASES = [
    (L.five_days, (20_000, 170_000), (20_000, 140_000)),
    (L.three_markets, [650_000, 0, 1_350_000], [650_000, 0, 2_000_000]),
    (L.fund_for_target, 14_500_000, 14_750_000),
    (L.teaching_model_size, U_TEACHING, math.log(1 / 0.05) / (1 / 3e6 - 2 / 7.3e6)),
]
IDS = ["3.1", "3.2", "3.3", "3.4"]


@pytest.mark.parametrize("check, right, wrong", CASES, ids=IDS)
def test_stub_is_not_attempted(check, right, wrong, monkeypatch):
    monkeypatch.setenv(core.STRICT_ENV, "1")
    assert check(...).status == "not attempted"
    assert check(None).status == "not attempted"


@pytest.mark.parametrize("check, right, wrong", CASES, ids=IDS)
def test_right_answer_is_correct(check, right, wrong, monkeypatch):
    monkeypatch.setenv(core.STRICT_ENV, "1")
    assert check(right).status == "correct"


@pytest.mark.parametrize("check, right, wrong", CASES, ids=IDS)
def test_wrong_answer_is_wrong_and_raises_when_strict(check, right, wrong, monkeypatch):
    monkeypatch.setenv(core.STRICT_ENV, "0")
    assert check(wrong).status == "wrong"
    monkeypatch.setenv(core.STRICT_ENV, "1")
    with pytest.raises(AssertionError):
        check(wrong)


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

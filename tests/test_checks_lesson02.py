"""Lesson 02's checks: a stub is 'not attempted', the right answer 'correct', a wrong one 'wrong' (and raises when
strict)."""
from __future__ import annotations

import pytest

import socialized_loss as sl
from socialized_loss.checks import core

L = sl.checks.lesson02


def right_rule(size, fill, bk, rate=0.015):
    surplus = size * (fill - bk)
    return min(surplus, rate * abs(size * fill)) if surplus >= 0 else surplus


def uncapped_rule(size, fill, bk, rate=0.015):
    return size * (fill - bk)


CASES = [
    (L.short_fund_deltas, [967.5, -400.0], [1_500.0, -400.0]),
    (L.fund_delta_rule, right_rule, uncapped_rule),
    (L.black_thursday_lots, [80, 114], [80, 113]),
    (L.smallest_crash, 9, 10),
]
IDS = ["2.1", "2.2", "2.3", "2.4"]


@pytest.mark.parametrize("check, right, wrong", CASES, ids=IDS)
def test_stub_is_not_attempted(check, right, wrong, monkeypatch):
    monkeypatch.setenv(core.STRICT_ENV, "1")  # a blank never raises, even strict
    stub = (lambda *a: None) if callable(right) else ...
    assert check(stub).status == "not attempted"
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


def test_expected_values_come_from_the_engine():
    assert list(sl.insurance_fund_delta(-1.0, [64_500.0, 66_400.0], 66_000.0)) == pytest.approx([967.5, -400.0])
    book = sl.make_book(200, {2: 1, 5: 1, 10: 1, 20: 1, 50: 1}, seed=1)
    assert sl.cascade(book, 0.08, 1e6, mmr=0.01, fund_balance=50_000).total_bad_debt == 0
    assert sl.cascade(book, 0.09, 1e6, mmr=0.01, fund_balance=50_000).total_bad_debt > 0


def test_a_crashing_function_is_wrong_not_a_traceback(monkeypatch):
    monkeypatch.setenv(core.STRICT_ENV, "0")
    assert L.fund_delta_rule(lambda *a: 1 / 0).status == "wrong"

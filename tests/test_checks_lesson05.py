"""Lesson 05's checks: not attempted, correct, wrong (and strict mode raises on wrong)."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl

L = sl.checks.lesson05


def _score_right(mark_value, bankrupt_value, entry_value):
    lev = abs(mark_value) / (mark_value - bankrupt_value)
    pnl = (mark_value - entry_value) / abs(entry_value)
    return pnl * lev if pnl > 0 else pnl / lev


def _score_always_multiplies(mark_value, bankrupt_value, entry_value):
    lev = abs(mark_value) / (mark_value - bankrupt_value)
    return (mark_value - entry_value) / abs(entry_value) * lev


def _score_raises(mark_value, bankrupt_value, entry_value):
    raise ZeroDivisionError("oops")


RIGHT = {
    "bitmex_example": ([0, 10, 0, 5, 20, 0],),
    "bitmex_score_function": (_score_right,),
    "dydx_example": (1.2, 100.0, 200.0),
    "adl_vs_clawback": ([0, 500, 0, 250, 1_000, 0], 1_750 * 1_800 / 9_200),
}
WRONG = {
    "bitmex_example": ([10, 10, 15, 0, 0, 0],),  # filled in account order instead of queue order
    "bitmex_score_function": (_score_always_multiplies,),
    "dydx_example": (1.2, 500.0, 200.0),  # A's profit at the mark, not at B's bankruptcy price
    "adl_vs_clawback": ([0, 500, 0, 250, 1_000, 0], 1_750 / 6),  # split equally
}
NAMES = list(RIGHT)


def test_every_check_is_tested():
    assert sorted(NAMES) == sorted(L.__all__)


@pytest.mark.parametrize("name", NAMES)
def test_not_attempted(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    n = len(RIGHT[name])
    for stub in (..., None):
        assert getattr(L, name)(*([stub] * n)).status == "not attempted"


def test_partial_answers_are_not_attempted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.dydx_example(1.2, ..., ...).status == "not attempted"
    assert L.adl_vs_clawback([0, 500, 0, 250, 1_000, 0], ...).status == "not attempted"


@pytest.mark.parametrize("name", NAMES)
def test_correct(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert getattr(L, name)(*RIGHT[name]).status == "correct"


@pytest.mark.parametrize("name", NAMES)
def test_wrong(name, monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert getattr(L, name)(*WRONG[name]).status == "wrong"
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        getattr(L, name)(*WRONG[name])


def test_a_learner_bug_is_reported_not_raised(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert L.bitmex_score_function(_score_raises).status == "wrong"


def test_bitmex_example_with_20_is_the_published_one():
    # BitMEX's own example (a short of 20): accounts 2 and 5, 10 contracts each, at 650
    f = sl.adl_fills(L.BITMEX_SIZES, L.BITMEX_RANKS, 20, 650.0)
    assert np.array_equal(f.quantity, [0, 10, 0, 0, 10, 0])
    assert np.nanmax(f.price) == np.nanmin(f.price) == 650.0
    assert f.remaining[4] == 10

"""Lesson 05's checks beyond the shared scaffold in tests/test_checks.py (blank / right / wrong / strict / odd
answers): lesson-specific cases."""
from __future__ import annotations

import numpy as np

import socialized_loss as sl

L = sl.checks.lesson05


def _score_raises(mark_value, bankrupt_value, entry_value):
    raise ZeroDivisionError("oops")


def test_partial_answers_are_not_attempted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.dydx_example(1.2, ..., ...).status == "not attempted"
    assert L.adl_vs_clawback([0, 500, 0, 250, 1_000, 0], ...).status == "not attempted"


def test_a_learner_bug_is_reported_not_raised(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert L.bitmex_score_function(_score_raises).status == "wrong"


def test_bitmex_example_with_20_is_the_published_one():
    # BitMEX's own example (a short of 20): accounts 2 and 5, 10 contracts each, at 650
    f = sl.adl_fills(L.BITMEX_SIZES, L.BITMEX_RANKS, 20, 650.0)
    assert np.array_equal(f.quantity, [0, 10, 0, 0, 10, 0])
    assert np.nanmax(f.price) == np.nanmin(f.price) == 650.0
    assert f.remaining[4] == 10

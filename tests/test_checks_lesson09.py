"""Lesson 09's checks beyond the shared scaffold in tests/test_checks.py (blank / right / wrong / strict / odd
answers): lesson-specific cases."""
from __future__ import annotations

import socialized_loss as sl
from socialized_loss import casestudy as cs

L = sl.checks.lesson09


def test_headline_accepts_the_cent_rounded_answer(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert L.headline_overshoot(45_028_665.72).status == "correct"
    assert L.headline_overshoot(45_028_665.70).status == "wrong"


def test_money_is_checked_to_the_cent(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    w = cs.load_waves()
    short = w.taken < w.needed
    usd = float((w.needed - w.taken)[short].sum())
    assert L.undertaken_waves(int(short.sum()), usd + 0.05).status == "wrong"
    assert L.worst_delay(500, 51_673_606.61).status == "correct"
    assert L.worst_delay(500, 51_673_606.00).status == "wrong"

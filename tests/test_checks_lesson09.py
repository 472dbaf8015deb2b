"""Lesson 09's checks: not attempted, correct, wrong (and strict mode raises on wrong)."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss import casestudy as cs

L = sl.checks.lesson09


def _answers():
    w = cs.load_waves()
    sweep = cs.load_horizon_sweep()
    head = cs.load_headlines()["headline"]
    short = w.taken < w.needed
    i = int(np.argmax(sweep.overshoot))
    ratio = head["winner_overcollateralization_equity_over_pnl"]["trimmed_mean"]
    return {
        "headline_overshoot": (w.taken.sum() - w.needed.sum(),),
        "top_three_share": (np.sort(w.overshoot)[::-1][:3].sum() / w.overshoot.sum(),),
        "undertaken_waves": (int(short.sum()), float((w.needed - w.taken)[short].sum())),
        "worst_delay": (int(sweep.horizon_ms[i]), float(sweep.overshoot[i])),
        "naive_mapping": (head["queue_total_overshoot_usd"] / ratio / head["prod_overshoot_vs_needed_usd"],),
    }


WRONG = {
    "headline_overshoot": (60_108_335.33,),
    "top_three_share": (0.9,),
    "undertaken_waves": (5, 4_376_912.41),
    "worst_delay": (5000, 49_273_475.02),
    "naive_mapping": (14.5,),
}
NAMES = list(WRONG)


def test_every_check_is_tested():
    assert sorted(NAMES) == sorted(L.__all__)


@pytest.mark.parametrize("name", NAMES)
def test_not_attempted(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    n = len(WRONG[name])
    for stub in (..., None):
        assert getattr(L, name)(*([stub] * n)).status == "not attempted"


@pytest.mark.parametrize("name", NAMES)
def test_correct(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert getattr(L, name)(*_answers()[name]).status == "correct"


@pytest.mark.parametrize("name", NAMES)
def test_wrong(name, monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert getattr(L, name)(*WRONG[name]).status == "wrong"
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        getattr(L, name)(*WRONG[name])


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

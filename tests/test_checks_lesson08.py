"""Lesson 08's checks: not attempted, correct, wrong (and strict mode raises on wrong)."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl

L = sl.checks.lesson08


def _capped(w, budget, caps):
    w, caps = np.asarray(w, dtype=float), np.asarray(caps, dtype=float)
    lo, hi = 0.0, 1.0
    for _ in range(60):
        eta = (lo + hi) / 2
        lo, hi = (eta, hi) if np.sum(w * np.minimum(eta, caps)) < budget else (lo, eta)
    return w * np.minimum(hi, caps)


def _book():
    return sl.widgets.mechanism_books()["lesson"]


RIGHT = {
    "pro_rata_amounts": lambda: np.array([4.8, 2.4, 0.3]),
    "queue_split": lambda: sl.widgets.mechanisms_state("lesson", "ADL queue", split="Ben", pieces=2)["split_total"],
    "top_winner_gap": lambda: 8 * (1 - 10 / 20),
    "market_maker_bill": lambda: _book().budget / np.abs(_book().size).sum() * 0.74,
    "water_filling": lambda: _capped,
}
WRONG = {
    "pro_rata_amounts": np.array([3.5, 4.0, 0.0]),
    "queue_split": 4_000.0,
    "top_winner_gap": 2.7,
    "market_maker_bill": 1_250.0,
    "water_filling": lambda w, b, caps: np.asarray(w, dtype=float) * b / np.sum(w),  # ignores the caps
}
NAMES = list(RIGHT)


def test_every_check_is_tested():
    assert sorted(NAMES) == sorted(L.__all__)


@pytest.mark.parametrize("name", NAMES)
def test_not_attempted(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    for stub in (..., None):
        assert getattr(L, name)(stub).status == "not attempted"


def test_stub_function_that_returns_nothing_is_not_attempted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.water_filling(lambda w, b, caps: None).status == "not attempted"


@pytest.mark.parametrize("name", NAMES)
def test_correct(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert getattr(L, name)(RIGHT[name]()).status == "correct"


@pytest.mark.parametrize("name", NAMES)
def test_wrong(name, monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert getattr(L, name)(WRONG[name]).status == "wrong"
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        getattr(L, name)(WRONG[name])


def test_a_crashing_function_is_wrong_not_a_traceback(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert L.water_filling(lambda w, b, caps: 1 / 0).status == "wrong"

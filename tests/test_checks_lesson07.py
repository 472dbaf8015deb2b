"""Lesson 07's checks: not attempted, correct, wrong (and strict mode raises on wrong)."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl

L = sl.checks.lesson07


def my_waterfall(loss, capacities):
    draws, left = [], loss
    for cap in capacities:
        take = min(cap, left)
        draws.append(take)
        left -= take
    return draws


def my_waterfall_wrong(loss, capacities):  # shares the loss pro rata instead of in order
    total = sum(capacities)
    return [min(c, loss * c / total) for c in capacities]


def my_waterfall_stub(loss, capacities):
    ...  # YOUR CODE HERE


longs = np.array([1_000, 0, 150, 300])
shorts = np.array([990, 200, 0, 280])
net, gross = np.abs(longs - shorts), longs + shorts

RIGHT = {
    "member_b_pays": 8_000_000 + 26_000_000 * 8 / 30,
    "average_refill": 107_000_000 / 166,
    "my_waterfall": my_waterfall,
    "extra_for_market_maker": sl.pro_rata(26e6, gross)[0] - sl.pro_rata(26e6, net)[0],
}
WRONG = {
    "member_b_pays": 26_000_000 * 8 / 30,  # only the default-fund part of a 60 M loss
    "average_refill": 114_000_000 / 166,  # forgot Nasdaq's 7 M
    "my_waterfall": my_waterfall_wrong,
    "extra_for_market_maker": sl.pro_rata(26e6, gross)[0],
}
NAMES = list(RIGHT)


def test_every_check_is_tested():
    assert sorted(NAMES) == sorted(L.__all__)


def test_known_values():
    assert RIGHT["member_b_pays"] == pytest.approx(14_933_333.33, abs=0.005)
    assert RIGHT["average_refill"] == pytest.approx(644_578.31, abs=0.005)
    assert RIGHT["extra_for_market_maker"] == pytest.approx(17_719_178.08 - 684_210.53, abs=0.01)


@pytest.mark.parametrize("name", NAMES)
def test_not_attempted(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    for stub in (..., None):
        assert getattr(L, name)(stub).status == "not attempted"


def test_stub_function_is_not_attempted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.my_waterfall(my_waterfall_stub).status == "not attempted"


@pytest.mark.parametrize("name", NAMES)
def test_correct(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert getattr(L, name)(RIGHT[name]).status == "correct"


@pytest.mark.parametrize("name", NAMES)
def test_wrong(name, monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert getattr(L, name)(WRONG[name]).status == "wrong"


@pytest.mark.parametrize("name", NAMES)
def test_wrong_raises_in_strict_mode(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        getattr(L, name)(WRONG[name])


def test_numpy_answers_are_accepted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.my_waterfall(lambda loss, caps: np.array(my_waterfall(loss, caps))).status == "correct"
    assert L.member_b_pays(np.float64(RIGHT["member_b_pays"])).status == "correct"

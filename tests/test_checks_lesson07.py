"""Lesson 07's checks beyond the shared scaffold in tests/test_checks.py (blank / right / wrong / strict / odd
answers): lesson-specific cases."""
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


longs = np.array([1_000, 0, 150, 300])
shorts = np.array([990, 200, 0, 280])
net, gross = np.abs(longs - shorts), longs + shorts

RIGHT = {
    "member_b_pays": 8_000_000 + 26_000_000 * 8 / 30,
    "average_refill": 107_000_000 / 166,
    "my_waterfall": my_waterfall,
    "extra_for_market_maker": sl.pro_rata(26e6, gross)[0] - sl.pro_rata(26e6, net)[0],
}


def test_known_values():
    assert RIGHT["member_b_pays"] == pytest.approx(14_933_333.33, abs=0.005)
    assert RIGHT["average_refill"] == pytest.approx(644_578.31, abs=0.005)
    assert RIGHT["extra_for_market_maker"] == pytest.approx(17_719_178.08 - 684_210.53, abs=0.01)


def test_numpy_answers_are_accepted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.my_waterfall(lambda loss, caps: np.array(my_waterfall(loss, caps))).status == "correct"
    assert L.member_b_pays(np.float64(RIGHT["member_b_pays"])).status == "correct"

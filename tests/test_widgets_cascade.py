"""Lesson 02's cascade explorer, driven headless, against the liquidation engine."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss.widgets import cascade as wc

MIXED = "mixed (2–50×)"


def test_state_matches_engine():
    st = sl.widgets.cascade_state(8.0, MIXED, 1_000_000)
    book = sl.make_book(200, sl.widgets.LEVERAGE_MIXES[MIXED], seed=1)
    res = sl.cascade(book, 0.08, 1_000_000, mmr=0.01, fund_balance=50_000, max_rounds=wc.MAX_ROUNDS)
    np.testing.assert_allclose(st["prices"], res.prices)
    assert st["n_liquidated"] == res.n_liquidated == int(st["liquidations_per_round"].sum())
    assert st["bad_debt"] == pytest.approx(res.total_bad_debt)
    assert st["uncovered"] == pytest.approx(res.total_uncovered)
    assert st["fund_after"] == pytest.approx(res.fund_balance)
    assert st["price_after_crash"] == pytest.approx(92.0)


def test_money_balances_to_the_cent():
    for crash in (0.0, 3.0, 9.0, 25.0):
        st = sl.widgets.cascade_state(crash, "aggressive (10–100×)", 250_000)
        # the fund's change = fees in − bad debt paid; bad debt = paid + uncovered
        assert round(st["fund_before"] + st["fees"] - st["fund_draw"], 2) == pytest.approx(st["fund_after"], abs=0.005)
        assert round(st["fund_draw"] + st["uncovered"], 2) == pytest.approx(st["bad_debt"], abs=0.005)


def test_no_crash_no_liquidation_and_monotone_in_crash():
    assert sl.widgets.cascade_state(0.0, MIXED, 1e6)["n_liquidated"] == 0
    bad = [sl.widgets.cascade_state(c, MIXED, 1e6)["bad_debt"] for c in (2, 5, 10, 20)]
    assert bad == sorted(bad) and bad[-1] > 0


def test_thin_book_cascades_further():
    thin = sl.widgets.cascade_state(5.0, "aggressive (10–100×)", 250_000)
    deep = sl.widgets.cascade_state(5.0, "aggressive (10–100×)", 10_000_000)
    assert thin["final_price"] < deep["final_price"]
    assert thin["bad_debt"] > deep["bad_debt"]


def test_explorer_responds_to_controls():
    ex = sl.widgets.cascade_explorer()
    assert ex.state["crash_pct"] == 3.0 and ex.state["uncovered"] == 0
    png = ex.image.value
    ex.set(crash_pct=15.0)
    assert ex.state["uncovered"] > 0 and "Left uncovered" in ex.readout.value
    assert ex.image.value != png
    ex.set(leverage_mix="cautious (2–5×)")
    assert ex.state["leverage_mix"] == "cautious (2–5×)" and ex.state["uncovered"] == 0
    ex.set(depth=100_000.0)
    assert ex.state["depth"] == pytest.approx(100_000.0)


def test_controls_keep_inputs_valid():
    ex = sl.widgets.cascade_explorer()
    crash = ex.controls["crash_pct"]
    crash.value = 500.0
    assert crash.value == crash.max <= 95
    assert ex.controls["depth"].min > 0  # a log slider: depth is always positive


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"crash_pct": -1.0}, "crash_pct"),
        ({"crash_pct": 99.0}, "crash_pct"),
        ({"leverage_mix": "reckless"}, "leverage_mix"),
        ({"depth": 0.0}, "depth"),
        ({"fund_balance": -5.0}, "fund_balance"),
    ],
)
def test_bad_values_raise(kwargs, word):
    with pytest.raises(ValueError, match=word):
        sl.widgets.cascade_state(**kwargs)

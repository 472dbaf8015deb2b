"""Lesson 03's insurance-fund explorer, driven headless, against the insurance engine."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl


def test_state_matches_engine():
    st = sl.widgets.fund_state(5_000_000, 10.0, 2.0, n_paths=500, seed=3)
    mc = sl.fund_monte_carlo(5_000_000, 0.10, 2.0, n_paths=500, seed=3, quantile_levels=(0.05, 0.25, 0.5, 0.75, 0.95))
    assert st["exhaustion_probability"] == pytest.approx(mc.exhaustion_probability)
    np.testing.assert_allclose(st["quantiles"], mc.quantiles)
    np.testing.assert_allclose(st["paths"], mc.paths[:3])
    assert st["days"][-1] == 365
    assert st["expected_inflow"] == pytest.approx(0.10 * 100_000 * 365)
    assert st["expected_bad_debt"] == pytest.approx(2.0 * 3_000_000)  # Pareto(1.5) with minimum 1 M: mean 3 M
    p = st["exhaustion_probability"]
    assert st["standard_error"] == pytest.approx(np.sqrt(p * (1 - p) / 500))


def test_first_exhausted_day_matches_paths():
    st = sl.widgets.fund_state(1_000_000, 5.0, 6.0, n_paths=200, seed=0, n_show=10)
    mc = sl.fund_monte_carlo(1_000_000, 0.05, 6.0, n_paths=200, seed=0)
    for i, day in enumerate(st["first_exhausted_day"]):
        short = np.flatnonzero(mc.uncovered[i] > 0)
        assert (np.isnan(day) and short.size == 0) or day == short[0] + 1


def test_more_money_less_risk():
    probs = [sl.widgets.fund_state(x, 10.0, 2.0, n_paths=400)["exhaustion_probability"] for x in (0, 5e6, 20e6)]
    assert probs[0] >= probs[1] >= probs[2]
    assert sl.widgets.fund_state(5e6, 10.0, 0.0, n_paths=100)["exhaustion_probability"] == 0.0


def test_explorer_responds_to_controls():
    ex = sl.widgets.fund_explorer()
    assert ex.state["initial"] == pytest.approx(5_000_000)
    p0, png = ex.state["exhaustion_probability"], ex.image.value
    ex.set(initial=30.0)
    assert ex.state["initial"] == pytest.approx(30_000_000) and ex.state["exhaustion_probability"] < p0
    assert ex.image.value != png and "Exhaustion probability" in ex.readout.value
    ex.set(fee_share_pct=0.0, crash_rate=12.0)
    assert ex.state["fee_share_pct"] == 0.0 and ex.state["crash_rate"] == 12.0
    assert ex.state["expected_inflow"] == 0.0


def test_controls_keep_inputs_valid():
    ex = sl.widgets.fund_explorer()
    share = ex.controls["fee_share_pct"]
    share.value = 250.0
    assert share.value == share.max <= 100
    assert ex.controls["initial"].min >= 0 and ex.controls["crash_rate"].min >= 0


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"initial": -1.0}, "initial"),
        ({"fee_share_pct": 101.0}, "fee_share_pct"),
        ({"fee_share_pct": -0.5}, "fee_share_pct"),
        ({"crash_rate": -2.0}, "crash_rate"),
        ({"tail_index": 1.0}, "tail_index"),
    ],
)
def test_bad_values_raise(kwargs, word):
    with pytest.raises(ValueError, match=word):
        sl.widgets.fund_state(**kwargs)

"""Lesson 09's wave explorer, driven headless."""
from __future__ import annotations

import pytest

import socialized_loss as sl
from socialized_loss import casestudy as cs


def test_state_matches_the_data():
    w = cs.load_waves()
    st = sl.widgets.waves_state(step=11)
    assert st["wave"] == 13
    assert st["needed"] == pytest.approx(w.needed[10]) and st["taken"] == pytest.approx(w.taken[10])
    assert st["overshoot"] == pytest.approx(w.taken[10] - w.needed[10])
    assert st["cum_needed"] == pytest.approx(w.needed[:11].sum())
    assert st["cum_taken"] == pytest.approx(w.taken[:11].sum())
    assert st["taken_by"]["contract_pr"] == pytest.approx(w.budgets["contract_pr"][10])
    assert st["values"] is st["taken_by"]


def test_last_step_is_the_headline():
    st = sl.widgets.waves_state(step=16)
    h = cs.hyperliquid_headline()
    assert round(st["cum_needed"], 2) == h.needed and round(st["cum_taken"], 2) == h.taken
    assert round(st["cum_overshoot"], 2) == h.overshoot
    assert st["share_of_total"] == pytest.approx(1.0)


def test_measure_switches_to_percent():
    st = sl.widgets.waves_state(step=1, measure="largest haircut (% of equity)")
    assert st["values"] is st["max_pct"]
    assert st["values"]["prod"] == pytest.approx(100.0)
    assert all(0 <= v <= 100 for v in st["values"].values())


def test_explorer_responds_to_controls():
    ex = sl.widgets.waves_explorer()
    assert ex.state["step"] == 1 and ex.state["wave"] == 1
    png = ex.image.value
    ex.set(step=6)
    assert ex.state["wave"] == 8 and "8" in ex.readout.value
    assert ex.image.value != png
    ex.set(measure="largest haircut (% of equity)")
    assert ex.state["values"]["prod"] == pytest.approx(100.0)
    assert "% of equity" in ex.readout.value


def test_controls_keep_inputs_valid():
    ex = sl.widgets.waves_explorer()
    step = ex.controls["step"]
    step.value = 99  # the slider clamps, so the state function never sees an invalid step
    assert step.value == step.max == 16
    assert ex.state["wave"] == 28


@pytest.mark.parametrize("bad", [0, 17, 2.5, "3"])
def test_bad_step_is_an_error(bad):
    with pytest.raises(ValueError, match="step"):
        sl.widgets.waves_state(step=bad)


def test_bad_measure_is_an_error():
    with pytest.raises(ValueError, match="measure"):
        sl.widgets.waves_state(step=1, measure="vibes")

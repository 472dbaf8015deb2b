"""Lesson 01's margin explorer, driven headless."""
from __future__ import annotations

import pytest

import socialized_loss as sl


def test_state_matches_engine():
    st = sl.widgets.margin_state(side="short", leverage=20, mmr=0.01, entry_price=60_000, mark_price=61_000)
    c = 60_000 / 20
    assert st["collateral"] == pytest.approx(c)
    assert st["equity"] == pytest.approx(sl.equity(c, -1.0, 60_000, 61_000))
    assert st["liquidation_price"] == pytest.approx(sl.liquidation_price(c, -1.0, 60_000, 0.01))
    assert st["bankruptcy_price"] == pytest.approx(63_000)
    assert st["status"] == "safe"


def test_explorer_responds_to_controls():
    ex = sl.widgets.margin_explorer()
    assert ex.state["status"] == "safe"
    png_before = ex.image.value
    ex.set(mark_price=53_000)
    assert ex.state["status"] == "bankrupt" and "bankrupt" in ex.readout.value
    assert ex.image.value != png_before
    ex.set(mark_price=54_100)
    assert ex.state["status"] == "liquidatable"
    ex.set(side="short", mark_price=61_000)
    assert ex.state["size"] == -1.0 and ex.state["equity"] == pytest.approx(5_000)


def test_controls_keep_inputs_valid():
    ex = sl.widgets.margin_explorer()
    lev = ex.controls["leverage"]
    lev.value = 1_000  # a slider clamps to its range, so the maths never sees an invalid leverage
    assert lev.value == lev.max == 100
    assert ex.controls["mmr"].min > 0


def test_bad_side_is_an_error():
    with pytest.raises(ValueError, match="side"):
        sl.widgets.margin_state(side="sideways")

"""Lesson 04's socialization explorer, driven headless."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss.allocation import to_minor
from socialized_loss.books import socialization_book
from socialized_loss.comparison import BASES

BOOK = socialization_book().as_dict()


def test_state_matches_engine():
    st = sl.comparison.socialization_state(loss=1_500, base="clawback")
    assert np.array_equal(st["charges"], sl.clawback(1_500, BOOK["profits"]).charges)
    assert st["rate"] == pytest.approx(0.125) and st["total_weight"] == 12_000
    by = st["charges_by_base"]
    assert np.array_equal(by["contracts_pro_rata"], sl.contracts_pro_rata(1_500, BOOK["sizes"]).charges)
    assert np.array_equal(by["deposit_index_haircut"], sl.deposit_haircut_charges(1_500, BOOK["deposits"]).charges)
    assert by["contracts_pro_rata"].tolist() == [125, 500, 500, 250, 125, 0]
    assert by["deposit_index_haircut"].tolist() == [50, 625, 300, 200, 75, 250]
    assert st["index"] == pytest.approx(0.975)


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("loss", [0.0, 0.01, 1_234.57, 12_000.0, 14_999.99])
def test_every_cent_is_accounted_for(base, loss):
    st = sl.comparison.socialization_state(loss=loss, base=base)
    collected = int(to_minor(st["charges"]).sum())
    assert collected + int(to_minor(st["uncovered"])) == int(to_minor(loss))
    assert np.all(st["charges"] >= 0)


def test_who_pays_under_each_base():
    st = {b: sl.comparison.socialization_state(loss=1_500, base=b) for b in BASES}
    losers = BOOK["profits"] < 0
    flat = BOOK["sizes"] == 0
    assert np.all(st["clawback"]["charges"][losers] == 0) and st["clawback"]["payers"] == 3
    assert np.all(st["contracts_pro_rata"]["charges"][losers] > 0) and np.all(st["contracts_pro_rata"]["charges"][flat] == 0)
    assert st["deposit_index_haircut"]["payers"] == 6
    assert st["contracts_pro_rata"]["rate"] == pytest.approx(125.0)  # USD per BTC


def test_clawback_caps_at_all_the_profits():
    st = sl.comparison.socialization_state(loss=14_000, base="clawback")
    assert st["rate"] == 1.0 and st["uncovered"] == pytest.approx(2_000)
    assert np.allclose(st["charges"], np.maximum(BOOK["profits"], 0))


def test_drift_and_mango_examples_through_the_state():
    st = sl.comparison.socialization_state(loss=100, base="contracts_pro_rata", sizes=[7, -4], profits=[0, 0], deposits=[1, 1e6])
    assert st["rate"] == pytest.approx(100 / 11) and st["charges"].tolist() == [63.64, 36.36]
    st = sl.comparison.socialization_state(loss=100, base="deposit_index_haircut", sizes=[1.0], profits=[0.0], deposits=[1_000.0])
    assert st["index"] == pytest.approx(0.9) and st["names"] == ("#0",)


def test_explorer_responds_to_controls():
    ex = sl.widgets.socialization_explorer()
    assert ex.state["base"] == "clawback" and ex.state["loss"] == 1_500
    png = ex.image.value
    ex.set(base="deposit_index_haircut")
    assert ex.state["charges"][5] == pytest.approx(250) and "index" in ex.readout.value
    assert ex.image.value != png
    ex.set(loss=14_000, base="clawback")
    assert ex.state["uncovered"] == pytest.approx(2_000) and "2,000.00 USD" in ex.readout.value
    heights = [b.get_height() for b in ex.figure.axes[0].patches]
    assert heights == pytest.approx(ex.state["charges"].tolist())


def test_controls_keep_inputs_valid():
    ex = sl.widgets.socialization_explorer()
    ex.controls["loss"].value = 1e9  # the slider clamps, so the maths never sees more than the deposits
    assert ex.controls["loss"].value == ex.controls["loss"].max <= BOOK["deposits"].sum()
    assert ex.controls["loss"].min == 0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"base": "volume"}, "base"),
        ({"loss": -1.0}, "loss"),
        ({"loss": 70_000.0}, "loss"),
        ({"sizes": [1.0, 2.0]}, "lengths differ"),
        ({"loss": 10.0, "sizes": [0.0] * 6, "base": "contracts_pro_rata"}, "open interest"),
        ({"names": ("a", "b")}, "names"),
    ],
)
def test_bad_input_is_a_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sl.comparison.socialization_state(**kwargs)

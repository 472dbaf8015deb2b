"""Lesson 07's waterfall explorer, driven headless, and its numbers checked against sl.default_waterfall."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss.widgets.waterfall import draw_waterfall, waterfall_state


def test_lesson_default_stops_in_the_members_fund():
    st = waterfall_state()  # the lesson's CCP: 60 M EUR
    r = sl.default_waterfall(
        60_000_000,
        sl.WaterfallLayers(25_000_000, 5_000_000, 4_000_000, [30_000_000], [30_000_000], [40_000_000]),
    )
    assert list(st["draws"]) == [r.draws[k] for k in sl.LAYER_NAMES]
    assert st["reached_name"] == "Members' default fund"
    assert st["members_pay"] == 26_000_000 and st["prefunded_left"] == 4_000_000
    assert st["rest"] == 0 and not st["tear_up"]


def test_nasdaq_2018():
    st = waterfall_state(loss=114e6, initial_margin=0, defaulter_fund=0, skin_in_the_game=7e6,
                         members_fund=160.5e6, assessment_multiple=0, vm_gains=0)
    assert st["ccp_pays"] == 7e6 and st["members_pay"] == 107e6
    assert st["members_pay"] / 160.5e6 == pytest.approx(2 / 3)


def test_conservation_and_tear_up():
    for loss in (0.0, 1.0, 33_333_333.33, 90e6, 134e6, 500e6):
        st = waterfall_state(loss=loss)
        assert sl.to_minor(st["draws"]).sum() + sl.to_minor(st["rest"]) == sl.to_minor(loss)
        assert np.all(st["draws"] <= st["capacities"])
    st = waterfall_state(loss=500e6)
    assert st["tear_up"] and st["reached_name"].startswith("Tear-up")
    assert st["rest"] == pytest.approx(500e6 - st["capacities"].sum())
    assert waterfall_state(loss=0)["reached"] == -1


def test_assessment_cap_scales_with_the_fund():
    st = waterfall_state(loss=100e6, members_fund=20e6, assessment_multiple=2.5)
    assert st["capacities"][4] == 50e6
    assert st["draws"][4] == pytest.approx(100e6 - 25e6 - 5e6 - 4e6 - 20e6)


def test_explorer_responds_to_controls():
    ex = sl.widgets.waterfall_explorer()
    assert ex.state["reached_name"] == "Members' default fund"
    png = ex.image.value
    ex.set(loss=90.0)
    assert ex.state["reached_name"] == "Assessments (cash calls)" and ex.image.value != png
    ex.set(loss=300.0)
    assert ex.state["tear_up"] and "Tear-up" in ex.readout.value
    ex.set(currency="USD")
    assert "USD" in ex.readout.value and "USD" in ex.figure.axes[0].get_xlabel()
    ex.set(vm_gains=200.0, loss=250.0)  # 94 M prefunded and assessed, then 156 M of the 200 M of VM gains
    assert ex.state["reached_name"] == "VM gains haircutting"
    assert ex.state["draws"][5] == pytest.approx(156e6)


def test_controls_keep_inputs_valid():
    ex = sl.widgets.waterfall_explorer()
    ex.controls["loss"].value = -50.0
    assert ex.controls["loss"].value == 0.0
    ex.controls["assessment_multiple"].value = 10.0
    assert ex.controls["assessment_multiple"].value == 3.0


def test_draw_waterfall_for_lesson_figures():
    fig, ax = plt.subplots()
    layers = sl.WaterfallLayers(skin_in_the_game=7e6, member_default_fund=[160.5e6])
    out = draw_waterfall(ax, 114e6, layers, currency="EUR", hide_empty=True)
    assert out["draws"][3] == 107e6 and out["uncovered"] == 0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["CCP skin in the game", "Members' default fund",
                                                          "Tear-up (not covered)"]
    assert "EUR" in ax.get_xlabel()
    plt.close(fig)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"loss": -1}, "loss"),
        ({"members_fund": float("inf")}, "members_fund"),
        ({"assessment_multiple": -0.5}, "assessment_multiple"),
        ({"currency": "GBP"}, "currency"),
        ({"vm_gains": [1, 2]}, "vm_gains"),
    ],
)
def test_bad_input_is_an_error(kwargs, name):
    with pytest.raises(ValueError, match=name):
        waterfall_state(**kwargs)

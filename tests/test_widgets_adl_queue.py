"""Lesson 05's ADL-queue explorer, driven headless."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss.books import adl_book
from socialized_loss.deleveraging import RANKINGS as RULES

BOOK = adl_book().as_dict()
MARK_PRICE = BOOK["mark_price"]
BANKRUPTCY_PRICE = BOOK["bankruptcy_price"]


def test_bitmex_scores_and_lights_match_the_engine_and_bitmex_table():
    st = sl.deleveraging.adl_queue_state(quantity=20, rule="bitmex")
    bk = sl.bankruptcy_price(BOOK["collateral"], BOOK["sizes"], BOOK["entry_prices"])
    assert np.allclose(st["scores"], sl.bitmex_adl_score(BOOK["sizes"], BOOK["entry_prices"], MARK_PRICE, bk))
    # the book is built so that BitMEX's formula gives its example's order 2, 5, 4, 1, 6, 3 and its table
    assert (st["order"] + 1).tolist() == [2, 5, 4, 1, 6, 3]
    assert [20 * (6 - st["lights"][i]) for i in st["order"]] == [20, 40, 60, 80, 80, 100]
    assert st["closed"].tolist() == [0, 10, 0, 0, 10, 0]
    assert st["queue"].tolist() == [4, 1, 6, 3, 2, 5]


def test_rules_disagree_on_who_is_first():
    first = {r: int(sl.deleveraging.adl_queue_state(rule=r)["order"][0]) + 1 for r in ("bitmex", "binance", "hyperliquid")}
    assert first == {"bitmex": 2, "binance": 4, "hyperliquid": 4}
    st = sl.deleveraging.adl_queue_state(rule="binance")
    upnl = BOOK["sizes"] * (MARK_PRICE - BOOK["entry_prices"])
    mm = sl.maintenance_margin(BOOK["sizes"], MARK_PRICE, 0.005)
    assert np.allclose(st["scores"], sl.binance_leverage_pnl(upnl, BOOK["collateral"], mm))


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("quantity", [0.0, 1.0, 35.0, 99.0, 100.0])
def test_fills_conserve_and_given_up_equals_the_deficit(rule, quantity):
    st = sl.deleveraging.adl_queue_state(quantity=quantity, rule=rule, seed=3)
    assert st["closed"].sum() + st["rest"] == pytest.approx(quantity)
    assert np.all((st["closed"] >= 0) & (st["closed"] <= BOOK["sizes"]))
    offset = quantity - st["rest"]
    assert st["forgone"].sum() == pytest.approx(offset * (MARK_PRICE - BANKRUPTCY_PRICE))
    assert np.allclose(st["realized_pnl"], st["closed"] * (BANKRUPTCY_PRICE - BOOK["entry_prices"]))


@pytest.mark.parametrize("rule", sl.deleveraging.RANKINGS)
def test_the_curve_passes_through_every_fill(rule):
    # the curve is drawn once per rule and seed (not per size): it must pass through the fill at every size the
    # slider can show, read off the drawn polyline
    for seed in (0, 3):
        curve = sl.deleveraging.adl_queue_state(quantity=0.0, rule=rule, seed=seed)
        for q in range(int(BOOK["sizes"].sum()) + 1):
            st = sl.deleveraging.adl_queue_state(quantity=float(q), rule=rule, seed=seed)
            assert st["curve_q"] is curve["curve_q"]  # one curve, whatever the size
            drawn = [np.interp(q, st["curve_q"], c) for c in st["curve_closed"]]
            assert np.allclose(drawn, st["closed"], rtol=0, atol=1e-9), (rule, seed, q)
        assert np.allclose(curve["curve_closed"][:, -1], BOOK["sizes"])


def test_dydx_is_random_but_seeded():
    a = sl.deleveraging.adl_queue_state(quantity=35, rule="dydx_v4", seed=0)
    b = sl.deleveraging.adl_queue_state(quantity=35, rule="dydx_v4", seed=0)
    assert np.array_equal(a["closed"], b["closed"]) and np.all(a["lights"] == 0) and np.all(np.isnan(a["scores"]))
    d = sl.dydx_deleverage(BOOK["sizes"], 35, a["equity"], BANKRUPTCY_PRICE, MARK_PRICE, seed=0)
    assert np.array_equal(a["closed"], d.quantity)
    starts = {int(sl.deleveraging.adl_queue_state(quantity=35, rule="dydx_v4", seed=s)["order"][0]) for s in range(10)}
    assert len(starts) > 1


def test_explorer_responds_to_controls():
    ex = sl.widgets.adl_queue_explorer()
    assert ex.state["rule"] == "bitmex" and ex.state["closed"].tolist() == [0, 10, 0, 0, 10, 0]
    png = ex.image.value
    ex.set(quantity=35)
    assert ex.state["closed"].tolist() == [0, 10, 0, 5, 20, 0] and "1,750.00 USD" in ex.readout.value
    assert ex.image.value != png
    ex.set(rule="hyperliquid")
    assert ex.state["closed"][3] == 30 and "Hyperliquid-style" in ex.figure.axes[0].get_title()
    ex.set(rule="dydx_v4", seed=4)
    assert ex.state["seed"] == 4 and "no queue" in ex.readout.value
    bars = ex.figure.axes[0].patches
    assert [p.get_height() for p in bars[6:]] == pytest.approx(ex.state["closed"].tolist())


def test_controls_keep_inputs_valid():
    ex = sl.widgets.adl_queue_explorer()
    ex.controls["quantity"].value = 1e6
    assert ex.controls["quantity"].value == BOOK["sizes"].sum()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rule": "okx"}, "rule"),
        ({"quantity": 101.0}, "quantity"),
        ({"quantity": -1.0}, "quantity"),
        ({"seed": -1}, "seed"),
        ({"bankruptcy_price": 750.0}, "bankruptcy_price"),
        ({"sizes": [10.0, -5.0, 1, 1, 1, 1]}, "sizes"),
    ],
)
def test_bad_input_is_a_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sl.deleveraging.adl_queue_state(**kwargs)

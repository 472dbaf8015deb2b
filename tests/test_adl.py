"""Tests for socialized_loss.adl: scores, queue, lights, fills, dYdX deleveraging."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialized_loss import margin
from socialized_loss.adl import (
    adl_fills,
    adl_lights,
    adl_queue,
    auto_deleverage,
    binance_leverage_pnl,
    bitmex_adl_score,
    dydx_deleverage,
    hyperliquid_adl_score,
)
from socialized_loss.allocation import to_minor

# BitMEX worked example (https://www.bitmex.com/app/autoDeleveragingExamples), accounts 1..6
BITMEX_SIZES = [10, 10, 20, 30, 20, 10]
BITMEX_SCORES = [3, 6, 1, 4, 5, 2]


def test_bitmex_score_vector():
    lev = 110 / (110 - 90)
    pnl = (110 - 100) / 100
    assert lev == pytest.approx(5.5) and pnl == pytest.approx(0.10)
    assert bitmex_adl_score(1, 100, 110, 90) == pytest.approx(0.55)
    assert bitmex_adl_score(10, 10, 11, 9) == pytest.approx(0.55)  # values scale out
    assert bitmex_adl_score(1, 100, 90, 80) == pytest.approx(-0.1 / 9)  # at a loss: PNL% ÷ leverage (90 ÷ 10 = 9)
    # a short in profit: entry 100, mark 90, bankrupt 110 → lev 90/20 = 4.5, pnl 0.1
    assert bitmex_adl_score(-1, 100, 90, 110) == pytest.approx(0.45)


def test_binance_leverage_pnl_forum_formula():
    # PnlPercent = 50/100 = 0.5; MarginRatio = 10/(100+50); LeveragePnl = 0.5 × 10/150
    assert binance_leverage_pnl(50, 100, 10) == pytest.approx(0.5 * 10 / 150)
    assert binance_leverage_pnl(-20, 100, 10) == 0.0
    assert binance_leverage_pnl(5, 0.5, 1) == pytest.approx(5 / 1 * 1 / 5.5)  # max(1, wallet)
    assert binance_leverage_pnl(5, -10, 1) == 0.0  # equity ≤ 0 → margin ratio 0


def test_hyperliquid_score_is_pnl_times_leverage():
    assert hyperliquid_adl_score(0.2, 3.0) == pytest.approx(0.6)
    assert np.allclose(hyperliquid_adl_score([1, -1], [2, 2]), [2, -2])


def test_bitmex_queue_and_fills():
    assert list(adl_queue(BITMEX_SCORES) + 1) == [2, 5, 4, 1, 6, 3]
    f = adl_fills(BITMEX_SIZES, BITMEX_SCORES, 20, 650)
    assert list(f.quantity) == [0, 10, 0, 0, 10, 0]
    assert f.price[1] == 650 and f.price[4] == 650
    assert np.isnan(f.price[0])
    assert f.remaining[4] == 10 and f.remaining[1] == 0
    assert list(f.remaining) == [10, 0, 20, 30, 10, 10]


def test_fills_pnl_effect():
    f = adl_fills([10, 5], [1, 2], 8, 650, entry_prices=[600, 640], mark_price=700)
    assert list(f.quantity) == [3, 5]
    assert f.realized_pnl == pytest.approx([3 * 50, 5 * 10])
    assert f.forgone_vs_mark == pytest.approx([3 * 50, 5 * 50])
    g = adl_fills([-10], [1], 4, 650, entry_prices=[700], mark_price=600)  # shorts closed at 650
    assert g.realized_pnl == pytest.approx([4 * 50]) and g.forgone_vs_mark == pytest.approx([4 * 50])
    assert g.remaining[0] == -6


def test_bitmex_lights_tie_rule():
    lights = adl_lights(BITMEX_SCORES, BITMEX_SIZES)
    order = [2, 5, 4, 1, 6, 3]
    shown = [int(20 * (6 - lights[i - 1])) for i in order]
    assert shown == [20, 40, 60, 80, 80, 100]
    assert lights[0] == lights[5]  # accounts 1 and 6 share 80 %
    # without sizes each account counts once: six accounts → 20, 40, 60, 80, 100, 100
    lights1 = adl_lights(BITMEX_SCORES)
    assert [int(20 * (6 - lights1[i - 1])) for i in order] == [20, 40, 60, 80, 100, 100]


def test_auto_deleverage_ties_and_overflow():
    assert list(auto_deleverage([5, 5, 5], [1, 1, 1], 7)) == [5, 2, 0]
    with pytest.raises(ValueError, match="quantity"):
        auto_deleverage([5, 5], [1, 2], 11)


def test_dydx_docs_example():
    b_bankruptcy = margin.bankruptcy_price(100, -500, 1)
    assert b_bankruptcy == pytest.approx(1.20)
    a_equity_at_2 = margin.equity(100, 500, 1, 2)  # 600
    r = dydx_deleverage([500], 500, [a_equity_at_2], b_bankruptcy, 2.0, entry_prices=[1.0], seed=7)
    assert r.quantity[0] == 500
    assert r.realized_pnl[0] == pytest.approx(100.0)
    assert 500 * (2 - 1) == 500  # what A expected at the oracle price
    assert r.equity_after[0] == pytest.approx(200.0)
    assert r.rest == 0


def test_dydx_random_start_cyclic_and_skip():
    sizes = [10, 10, 10, 10]
    eq = [100, 1, 100, 100]  # account 1 would go negative: fill 10 × (1.0 − 2.0) = −10
    starts = set()
    for seed in range(40):
        r = dydx_deleverage(sizes, 25, eq, 1.0, 2.0, seed=seed)
        starts.add(r.start)
        assert list(r.visited) == [(r.start + j) % 4 for j in range(4)]
        assert r.quantity[1] == 0
        assert to_minor(r.quantity, 1e-8).sum() == to_minor(25, 1e-8)
        # cyclic from start, skipping 1: the first two solvent accounts visited get 10, then 5
        solvent = [i for i in r.visited if i != 1]
        assert [r.quantity[i] for i in solvent] == [10, 10, 5]
    assert starts == {0, 1, 2, 3}
    r = dydx_deleverage([10], 15, [100], 1.0, 1.0, seed=0)
    assert r.rest == 5.0


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: bitmex_adl_score(1, float("nan"), 110, 90), "entry_price"),
        (lambda: bitmex_adl_score(1, 100, 80, 90), "bankruptcy_price"),
        (lambda: auto_deleverage([1, 2], [1], 1), "lengths"),
        (lambda: auto_deleverage([1, 2], [1, 2], -1), "quantity"),
        (lambda: adl_lights([1, 2], [1]), "lengths"),
        (lambda: dydx_deleverage([1], 1, [1], 1, 1, seed=-1), "seed"),
        (lambda: dydx_deleverage([1], 1, [1, 2], 1, 1), "lengths"),
        (lambda: binance_leverage_pnl(1, 1, -1), "maint_margin"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@settings(max_examples=300, deadline=None, database=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_adl_quantities_sum_and_priority(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 25))
    sizes = rng.integers(0, 100, size=n) * np.where(rng.random(n) < 0.5, 1, -1)
    scores = rng.integers(-3, 4, size=n).astype(float)
    Q = int(rng.integers(0, np.abs(sizes).sum() + 1))
    x = auto_deleverage(sizes, scores, Q)
    assert to_minor(x, 1e-8).sum() == to_minor(Q, 1e-8)
    assert np.all(x >= 0) and np.all(x <= np.abs(sizes))
    # nobody is closed while a higher-ranked position is not fully closed
    order = adl_queue(scores)
    touched = x[order] > 0
    full = x[order] == np.abs(sizes)[order]
    for j in range(1, n):
        if touched[j]:
            assert np.all(full[:j])
    lights = adl_lights(scores, np.abs(sizes) + 1)
    assert np.all((lights >= 1) & (lights <= 5))
    assert np.all(np.diff(lights[order]) <= 0)  # lights never increase down the queue
    r = dydx_deleverage(sizes, min(Q, int(np.abs(sizes).sum())), rng.integers(0, 1000, size=n), 1.0, 1.01,
                        seed=rng)
    assert to_minor(r.quantity, 1e-8).sum() + to_minor(r.rest, 1e-8) == to_minor(Q, 1e-8)
    assert np.all(r.equity_after >= 0)


# ----------------------------------------------------------------------------------------------------------------
# regressions (issue 10): never close more than a position holds; the whole side can always be closed


def test_adl_never_rounds_a_position_up_to_a_lot():
    f = adl_fills([0.0099], [1.0], 0.0099, bankruptcy_price=100.0, lot=0.01)
    assert f.quantity.tolist() == [0.0099]
    assert f.remaining.tolist() == [0.0]  # the long is closed, not turned short
    x = auto_deleverage([0.0149, 0.02], [2.0, 1.0], 0.02, lot=0.01)
    assert np.all(x <= [0.0149, 0.02])
    d = dydx_deleverage([0.0099], 0.0099, [100.0], 1.0, 1.0, lot=0.01, seed=0)
    assert d.quantity.tolist() == [0.0099] and d.rest == 0


@settings(max_examples=300, deadline=None, database=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_adl_closes_exactly_the_whole_side_of_any_float_book(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    sizes = rng.exponential(size=n) * np.where(rng.random(n) < 0.5, 1, -1) * 10 ** rng.uniform(-3, 3)
    scores = rng.normal(size=n)
    for total in (float(np.abs(sizes).sum()), sum(np.abs(sizes).tolist())):
        x = auto_deleverage(sizes, scores, total)
        assert np.array_equal(x, np.abs(sizes))
    f = adl_fills(sizes, scores, float(np.abs(sizes).sum()), bankruptcy_price=10.0)
    assert np.all(f.remaining == 0)
    part = float(rng.uniform(0, np.abs(sizes).sum()))
    lot = float(10.0 ** rng.integers(-8, 0))
    x = auto_deleverage(sizes, scores, part, lot=lot)
    assert np.all(x >= 0) and np.all(x <= np.abs(sizes))
    rem = adl_fills(sizes, scores, part, bankruptcy_price=10.0, lot=lot).remaining
    assert np.all(np.sign(rem) * np.sign(sizes) >= 0)  # nobody's position flips side


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: auto_deleverage([1], [1], 1, lot=0), "lot"),
        (lambda: auto_deleverage([1], [1], 1, lot=[0.01, 0.1]), "lot"),
        (lambda: adl_fills([1], [1], 1, bankruptcy_price=1.0, lot=-1), "lot"),
        (lambda: dydx_deleverage([1], 1, [1], 1, 1, lot=float("nan")), "lot"),
        (lambda: auto_deleverage([1], [1], [1]), "quantity"),
        (lambda: auto_deleverage([1], [1], "1"), "quantity"),
        (lambda: auto_deleverage([1], [True], 1), "scores"),
        (lambda: adl_fills([1], [1], 1, bankruptcy_price=[1.0, 2.0]), "bankruptcy_price"),
    ],
)
def test_adl_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()

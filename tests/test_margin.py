"""Margin maths: worked examples, identities that must hold on random positions, and clear errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import socialized_loss as sl

prices = st.floats(min_value=1.0, max_value=1e6, allow_nan=False, allow_infinity=False)
sizes = st.floats(min_value=1e-3, max_value=1e3).flatmap(lambda s: st.sampled_from([s, -s]))
mmrs = st.floats(min_value=1e-4, max_value=0.2)
leverages = st.floats(min_value=1.0, max_value=100.0)


def test_bybit_inverse_example():
    # Bybit: long at 7,890.08 with 50x, inverse contract: entry × L/(L+1) = 7,735.37 (7,735.50 on Bybit's tick grid)
    assert sl.inverse_bankruptcy_price(7_890.08, 50) == pytest.approx(7_890.08 * 50 / 51, rel=1e-12)
    assert round(sl.inverse_bankruptcy_price(7_890.08, 50), 2) == 7_735.37


def test_linear_long_example():
    # 1 BTC at 60,000 with 6,000 USD: bankrupt at 54,000; liquidated at 54,000/0.995
    assert sl.bankruptcy_price(6_000, 1.0, 60_000) == pytest.approx(54_000)
    assert sl.liquidation_price(6_000, 1.0, 60_000, 0.005) == pytest.approx(54_000 / 0.995)
    assert sl.effective_leverage(6_000, 1.0, 60_000, 60_000) == pytest.approx(10.0)
    assert sl.bankruptcy_price_from_leverage(60_000, 10) == pytest.approx(54_000)


def test_short_example():
    assert sl.equity(12_000, -2.0, 60_000, 63_000) == pytest.approx(6_000)
    assert sl.bankruptcy_price(12_000, -2.0, 60_000) == pytest.approx(66_000)
    assert sl.liquidation_price(12_000, -2.0, 60_000, 0.005) == pytest.approx(66_000 / 1.005)


def test_fully_collateralised_long_is_never_liquidated():
    assert sl.liquidation_price(60_000, 1.0, 60_000, 0.005) == 0.0
    assert sl.bankruptcy_price(70_000, 1.0, 60_000) == 0.0


def test_vectorised_matches_scalar():
    c = np.array([6_000.0, 1_200.0]); s = np.array([1.0, -1.0]); e = np.array([60_000.0, 60_000.0])
    liq = sl.liquidation_price(c, s, e, 0.005)
    assert liq.shape == (2,)
    assert liq[1] == pytest.approx(sl.liquidation_price(1_200.0, -1.0, 60_000.0, 0.005))


@settings(max_examples=400, deadline=None)
@given(entry=prices, size=sizes, mmr=mmrs, lev=leverages)
def test_equity_at_liquidation_price_equals_maintenance_margin(entry, size, mmr, lev):
    collateral = abs(size) * entry / lev
    liq = sl.liquidation_price(collateral, size, entry, mmr)
    if liq > 0:
        eq = sl.equity(collateral, size, entry, liq)
        mm = sl.maintenance_margin(size, liq, mmr)
        assert eq == pytest.approx(mm, rel=1e-7, abs=1e-6 * abs(size) * entry)


@settings(max_examples=400, deadline=None)
@given(entry=prices, size=sizes, mmr=mmrs, lev=leverages)
def test_liquidation_comes_before_bankruptcy(entry, size, mmr, lev):
    collateral = abs(size) * entry / lev
    liq = sl.liquidation_price(collateral, size, entry, mmr)
    bk = sl.bankruptcy_price(collateral, size, entry)
    if size > 0:
        assert liq >= bk - 1e-9 * entry  # a long meets its liquidation price first on the way down
    else:
        assert liq <= bk + 1e-9 * entry  # a short meets it first on the way up
    if bk > 0:
        assert sl.equity(collateral, size, entry, bk) == pytest.approx(0.0, abs=1e-7 * abs(size) * entry)


@settings(max_examples=300, deadline=None)
@given(entry=prices, size=sizes, lev=leverages, move=st.floats(min_value=-0.5, max_value=0.5))
def test_effective_leverage_definition(entry, size, lev, move):
    collateral = abs(size) * entry / lev
    p = entry * (1 + move)
    eq = sl.equity(collateral, size, entry, p)
    got = sl.effective_leverage(collateral, size, entry, p)
    if eq > 0:
        assert got == pytest.approx(abs(size * p) / eq, rel=1e-9)
    else:
        assert math.isinf(got)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: sl.equity("100", 1, 100, 100), "collateral"),
        (lambda: sl.equity(float("nan"), 1, 100, 100), "collateral"),
        (lambda: sl.equity(True, 1, 100, 100), "collateral"),
        (lambda: sl.equity(1j, 1, 100, 100), "collateral"),
        (lambda: sl.bankruptcy_price(1, 1, "100"), "entry_price"),
        (lambda: sl.bankruptcy_price_from_leverage(100, 10, side=["long"]), "side"),
        (lambda: sl.margin.cross_bankruptcy_price(-1, 0, 100), "size"),
        (lambda: sl.margin.cross_bankruptcy_price(-1, 1, 0), "price"),
        (lambda: sl.margin.cross_bankruptcy_price(-1, 1, 100, margin_share=1.5), "margin_share"),
        (lambda: sl.margin.cross_bankruptcy_price("x", 1, 100), "net_collateral"),
        (lambda: sl.equity(1, 1, 100, 0), "price"),
        (lambda: sl.equity(1, float("nan"), 100, 100), "size"),
        (lambda: sl.equity(1, 1, float("inf"), 100), "entry_price"),
        (lambda: sl.maintenance_margin(1, 100, 1.5), "mmr"),
        (lambda: sl.maintenance_margin(1, 100, 0), "mmr"),
        (lambda: sl.liquidation_price(1, 0, 100, 0.01), "size"),
        (lambda: sl.bankruptcy_price(1, 0, 100), "size"),
        (lambda: sl.equity([1, 2], [1, 2, 3], 100, 100), "shapes do not broadcast"),
        (lambda: sl.inverse_bankruptcy_price(100, 0.5), "leverage"),
        (lambda: sl.bankruptcy_price_from_leverage(100, 10, side="up"), "side"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ----------------------------------------------------------------------------------------------------------------
# cross margin: an account may already be underwater (issue 10)


def test_negative_collateral_is_an_underwater_account():
    assert sl.equity(-20.0, 2.0, 1000.0, 1000.0) == -20.0
    # the bankruptcy price of an underwater long lies above entry (a short's below): beyond the current price
    assert sl.bankruptcy_price(-50.0, 1.0, 1000.0) == 1050.0
    assert sl.bankruptcy_price(-50.0, -1.0, 1000.0) == 950.0
    for size in (2.5, -2.5):
        bk = sl.bankruptcy_price(-30.0, size, 1000.0)
        assert sl.equity(-30.0, size, 1000.0, bk) == pytest.approx(0.0, abs=1e-9)
    assert sl.liquidation_price(-50.0, 1.0, 1000.0, 0.05) > 1000.0
    assert sl.margin_ratio(-1.0, 1.0, 100.0, 100.0, 0.05) == math.inf
    assert sl.is_liquidatable(-1.0, 1.0, 100.0, 100.0, 0.05)


def test_cross_bankruptcy_price_matches_dydx_v4_formula():
    # dYdX v4 GetBankruptcyPriceInQuoteQuantums for closing a whole position: −DNNV − TNC × |DMMR| / TMMR quote units,
    # with DNNV = −size × oracle; per unit of size that is oracle − TNC × share / size
    oracle, size = 50.0, 10.0
    for tnc in (100.0, 0.0, -50.0):
        quote = -(-size * oracle) - tnc * 1.0
        assert sl.margin.cross_bankruptcy_price(tnc, size, oracle) == pytest.approx(quote / size)
    assert sl.margin.cross_bankruptcy_price(-50.0, 10.0, 50.0) > 50.0  # underwater long: beyond the oracle price
    assert sl.margin.cross_bankruptcy_price(-50.0, -10.0, 50.0) < 50.0
    # a single isolated position: the same as bankruptcy_price with the equity at the oracle as TNC
    c, s, e, p = 120.0, 3.0, 100.0, 90.0
    tnc = sl.equity(c, s, e, p)
    assert sl.margin.cross_bankruptcy_price(tnc, s, p) == pytest.approx(sl.bankruptcy_price(c, s, e))
    # half of the maintenance margin: half of the collateral backs it
    assert sl.margin.cross_bankruptcy_price(-50.0, 10.0, 50.0, margin_share=0.5) == 52.5


# ----------------------------------------------------------------------------------------------------------------
# tiered maintenance margin (issue 11, item 21)

_TIERS = [(0, 0.005), (1_000_000, 0.01), (2_500_000, 0.02)]


@pytest.mark.parametrize("notional, expected", [
    (0.0, 0.0),
    (400_000.0, 2_000.0),
    (1_000_000.0, 5_000.0),
    (2_500_000.0, 5_000.0 + 15_000.0),
    (3_000_000.0, 30_000.0),
])
def test_tiered_maintenance_margin_charges_each_slice_its_rate(notional, expected):
    assert sl.margin.tiered_maintenance_margin(notional, _TIERS) == pytest.approx(expected, abs=1e-9)


def test_tiered_maintenance_margin_equals_rate_minus_deduction_and_is_continuous():
    # the venues' printed form: notional × top rate − deduction, deduction accumulated at each bound
    bounds, rates = np.array([b for b, _ in _TIERS], float), np.array([r for _, r in _TIERS], float)
    deduction = np.concatenate([[0.0], np.cumsum(bounds[1:] * np.diff(rates))])
    n = np.linspace(0, 5_000_000, 10_001)
    k = np.searchsorted(bounds, n, side="right") - 1
    assert np.allclose(sl.margin.tiered_maintenance_margin(n, _TIERS), n * rates[k] - deduction[k])
    eps = 1e-3
    for b in bounds[1:]:
        lo, hi = sl.margin.tiered_maintenance_margin([b - eps, b + eps], _TIERS)
        assert hi - lo < 0.1 * eps


def test_one_tier_is_the_flat_rate():
    n = np.array([0.0, 1.0, 5e6])
    assert np.allclose(sl.margin.tiered_maintenance_margin(n, [(0, 0.01)]), sl.maintenance_margin(n, 1.0, 0.01))


@pytest.mark.parametrize("tiers", [
    [],
    [(1, 0.01)],                      # must start at 0
    [(0, 0.01), (0, 0.02)],           # bounds must rise
    [(0, 0.02), (10, 0.01)],          # rates must not fall
    [(0, 1.5)],                       # rate outside (0, 1)
    [(0, 0.01, 3)],                   # not pairs
    "tiers",
])
def test_tiered_maintenance_margin_refuses_bad_tiers(tiers):
    with pytest.raises((ValueError, TypeError), match="tiers"):
        sl.margin.tiered_maintenance_margin(1.0, tiers)


def test_tiered_maintenance_margin_refuses_negative_notional():
    with pytest.raises(ValueError, match="notional"):
        sl.margin.tiered_maintenance_margin(-1.0, _TIERS)

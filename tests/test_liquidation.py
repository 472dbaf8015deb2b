"""Tests for socialized_loss.liquidation: dYdX fund delta, liquidate, price impact, cascades."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialized_loss import margin
from socialized_loss.liquidation import (
    Book,
    cascade,
    insurance_fund_delta,
    liquidate,
    make_book,
    price_impact,
)

money = st.floats(0, 1e6, allow_nan=False)
price = st.floats(1, 1e4, allow_nan=False)
sizes = st.floats(-1e3, 1e3, allow_nan=False).filter(lambda s: abs(s) > 1e-3)


def test_delta_surplus_capped_at_fee_long_and_short():
    # long 1 @ bankruptcy 95 filled at 99: surplus 4, fee cap 1.5% × 99 = 1.485 → 1.48 in whole cents (ties to even;
    # money is in minor units of ``unit`` since issue 10); the cap in satoshi-sized units keeps 1.485
    assert insurance_fund_delta(1, 99, 95, 0.015) == 1.48
    assert insurance_fund_delta(1, 99, 95, 0.015, unit=1e-8) == 1.485
    # short 1 @ bankruptcy 105 filled at 101: surplus 4, cap 1.515 → 1.52
    assert insurance_fund_delta(-1, 101, 105, 0.015) == 1.52
    # small surplus below the cap goes to the fund entirely
    assert insurance_fund_delta(1, 95.5, 95, 0.015) == 0.5


def test_delta_shortfall_paid_in_full():
    assert insurance_fund_delta(1, 90, 95, 0.015) == pytest.approx(-5)
    assert insurance_fund_delta(-2, 110, 105, 0.015) == pytest.approx(-10)
    out = insurance_fund_delta([1, -1], [90, 110], [95, 105], 0.015)
    assert np.allclose(out, [-5, -5])


def test_liquidate_full_and_refusal():
    r = liquidate(10, 1, 100, 95)  # equity 5, fee 1.43 (1.5 % of 95 = 1.425 → cents)
    assert r.closed == 1 and r.remaining_size == 0
    assert r.fund_delta == pytest.approx(1.42) or r.fund_delta == pytest.approx(1.43)
    assert r.remaining_collateral + r.fund_delta == pytest.approx(5)
    r = liquidate(10, 1, 100, 85)  # shortfall 5 paid by the fund
    assert r.fund_delta == -5 and r.uncovered == 0 and r.bad_debt == 5 and not r.refused
    r = liquidate(10, 1, 100, 85, fund_balance=2)  # fund would go negative: refused (dYdX)
    assert r.refused and r.fund_delta == 0 and r.uncovered == 5 and r.bad_debt == 5
    r = liquidate(10, 1, 100, 85, fund_balance=2, partial_cover=True)
    assert r.fund_delta == -2 and r.uncovered == 3 and r.bad_debt == 5
    r = liquidate(10, -1, 100, 115, fund_balance=100)  # short
    assert r.fund_delta == -5 and r.uncovered == 0 and r.bad_debt == 5
    r = liquidate(10, 1, 100, 95)  # closed above bankruptcy: no bad debt at all
    assert r.bad_debt == 0 and r.uncovered == 0


def test_bad_debt_means_one_thing_and_uncovered_another():
    # "bad debt" is the loss beyond collateral, whoever pays it; ``uncovered`` is the part the fund leaves.
    r = liquidate(10, 1, 100, 85, fund_balance=2, partial_cover=True)
    assert (r.bad_debt, -r.fund_delta, r.uncovered) == (5, 2, 3)
    assert not hasattr(r, "shortfall")
    b = make_book(60, (10, 50), seed=3)
    c = cascade(b, 0.2, 1e5, fund_balance=100)
    assert c.total_bad_debt > c.total_uncovered > 0
    assert not hasattr(c, "shortfall") and not hasattr(c, "total_shortfall")


def test_partial_liquidation_reaches_target():
    r = liquidate(100, 10, 100, 95, mmr=0.05, target_margin_ratio=0.5)
    assert 0 < r.closed < 10
    mr = margin.margin_ratio(r.remaining_collateral, r.remaining_size, 100, 95, 0.05)
    assert mr == pytest.approx(0.5, abs=1e-3)
    # already below target: nothing closed
    r = liquidate(1000, 1, 100, 100, mmr=0.05, target_margin_ratio=0.5)
    assert r.closed == 0


@settings(max_examples=200, deadline=None)
@given(money, sizes, price, price, st.floats(0, 0.1), st.one_of(st.none(), money), st.booleans())
def test_liquidate_conserves_to_the_cent(c, s, e, p, rate, fund, partial):
    r = liquidate(c, s, e, p, max_fee_rate=rate, fund_balance=fund, partial_cover=partial)
    eq = round((c + s * (p - e)) * 100)
    left = round((r.remaining_collateral + r.remaining_size * (p - e)) * 100)
    assert left + round(r.fund_delta * 100) - round(r.uncovered * 100) == eq
    assert r.uncovered >= 0 and r.bad_debt >= r.uncovered and r.remaining_collateral >= -1e-9
    assert round(r.bad_debt * 100) == round(max(0.0, -r.fund_delta) * 100) + round(r.uncovered * 100) or r.refused
    if r.refused:
        assert r.uncovered == r.bad_debt
    if fund is not None and not partial and r.fund_delta < 0:
        assert -r.fund_delta <= fund + 0.005


def test_price_impact_models():
    assert price_impact(1e6, 1e6, "linear") == pytest.approx(0.01)
    assert price_impact(4e6, 1e6, "sqrt") == pytest.approx(0.02)
    assert price_impact(1e12, 1e6, "linear", max_impact=0.5) == 0.5
    assert price_impact(0, 1e6) == 0


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="fill_price"):
        insurance_fund_delta(1, 0, 95, 0.015)
    with pytest.raises(ValueError, match="max_fee_rate"):
        insurance_fund_delta(1, 99, 95, 1.5)
    with pytest.raises(ValueError, match="size"):
        insurance_fund_delta(float("nan"), 99, 95, 0.015)
    with pytest.raises(ValueError, match="collateral"):
        liquidate(-1, 1, 100, 95)
    with pytest.raises(ValueError, match="depth"):
        price_impact(1, 0)
    with pytest.raises(ValueError, match="model"):
        price_impact(1, 1, "cubic")
    with pytest.raises(ValueError, match="lengths differ"):
        Book(size=np.ones(3), entry=np.ones(2), collateral=np.ones(3), leverage=np.ones(3), price=1.0)
    with pytest.raises(ValueError, match="shock"):
        cascade(make_book(5), 1.5, 1e6)
    with pytest.raises(ValueError, match="mmr"):
        cascade(make_book(5), 0.1, 1e6, mmr=0)
    with pytest.raises(TypeError, match="book"):
        cascade({"size": [1.0]}, 0.1, 1e6)
    with pytest.raises(ValueError, match="unit"):
        insurance_fund_delta(1, 99, 95, unit=0)
    for bad, name in ((lambda: liquidate([1.0, 2.0], 1, 100, 95), "collateral"),
                      (lambda: liquidate(1.0, "1", 100, 95), "size"),
                      (lambda: liquidate(1.0, 1, [100, 101], 95), "entry_price"),
                      (lambda: liquidate(1.0, 1, 100, 95, fund_balance=[1.0]), "fund_balance"),
                      (lambda: liquidate(1.0, 1, 100, 95, partial_cover="yes"), "partial_cover"),
                      (lambda: liquidate(1.0, True, 100, 95), "size"),
                      (lambda: cascade(make_book(5), [0.1, 0.2], 1e6), "shock"),
                      (lambda: cascade(make_book(5), 0.1, 1e6, fund_balance=-1.0), "fund_balance"),
                      (lambda: make_book(5, unit=-1.0), "unit"),
                      (lambda: Book(size=np.ones(2), entry=np.ones(2), collateral=np.ones(2), leverage=np.ones(2),
                                    price=[1.0, 2.0]), "price")):
        with pytest.raises(ValueError, match=name):
            bad()


def test_book_keeps_read_only_copies():
    size = np.array([1.0, -2.0])
    b = Book(size=size, entry=np.full(2, 100.0), collateral=np.full(2, 10.0), leverage=np.full(2, 10.0), price=100.0)
    assert size.flags.writeable
    size[0] = 5.0
    assert b.size[0] == 1.0 and not b.size.flags.writeable


def test_cascade_deterministic_and_amplifies():
    b = make_book(200, {5: 1, 20: 1, 50: 1}, seed=3)
    assert np.array_equal(make_book(200, {5: 1, 20: 1, 50: 1}, seed=3).size, b.size)
    r1 = cascade(b, 0.05, 1e5)
    r2 = cascade(b, 0.05, 1e5)
    assert np.array_equal(r1.prices, r2.prices) and np.array_equal(r1.round_liquidated, r2.round_liquidated)
    deep = cascade(b, 0.05, 1e9)
    assert r1.n_liquidated >= deep.n_liquidated  # a thin book liquidates more
    assert r1.prices[-1] <= deep.prices[-1]
    assert np.all(np.diff(r1.prices[1:]) <= 0)  # a long-heavy book: forced selling pushes down


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.floats(0, 0.5), st.floats(1e4, 1e8), st.one_of(st.none(), money))
def test_cascade_conserves_to_the_cent(seed, shock, depth, fund):
    b = make_book(60, (2, 10, 50), seed=seed)
    r = cascade(b, shock, depth, fund_balance=fund)
    c = lambda x: np.rint(np.asarray(x) * 100).astype(np.int64)
    liq = r.round_liquidated >= 0
    eq = c(b.collateral[liq] + b.size[liq] * (r.fill_price[liq] - b.entry[liq]))
    assert np.array_equal(eq, c(r.payout[liq]) + c(r.fee[liq]) - c(r.bad_debt[liq]))
    assert np.array_equal(c(r.bad_debt), c(r.fund_paid) + c(r.uncovered))
    if fund is not None:
        assert c(r.fund_balance) == c(fund) + c(r.fee).sum() - c(r.fund_paid).sum()
        assert r.fund_balance >= 0
    else:
        assert np.array_equal(c(r.uncovered), c(r.bad_debt))


def test_cascade_in_satoshis():
    # the same cascade with a BTC-sized minor unit balances exactly in that unit
    b = make_book(80, (2, 10, 50), seed=4, unit=1e-8)
    r = cascade(b, 0.2, 1e5, fund_balance=0.5, unit=1e-8)
    c = lambda x: np.asarray(np.rint(np.asarray(x) * 1e8), dtype=np.int64)
    assert np.array_equal(c(r.bad_debt), c(r.fund_paid) + c(r.uncovered))
    assert c(r.fund_balance) == c(0.5) + c(r.fee).sum() - c(r.fund_paid).sum()

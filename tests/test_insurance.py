"""Tests for socialized_loss.insurance: ledger, law of motion, Monte Carlo, ruin model."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialized_loss.allocation import to_minor
from socialized_loss.insurance import (
    InsuranceFund,
    add_inflows,
    adjustment_coefficient,
    cover,
    cover_losses,
    exhaustion_probability_grid,
    fund_fan,
    fund_monte_carlo,
    fund_path,
    lundberg_bound,
    ruin_monte_carlo,
    ruin_probability_exponential,
    size_for_target,
)

money = st.floats(0, 1e9, allow_nan=False)
c = lambda x: round(x * 100)


def test_cover_never_below_zero():
    f = InsuranceFund(100.0, "BTC")
    f2, paid, rest = cover(f, 30)
    assert (f2.balance, paid, rest) == (70.0, 30.0, 0.0)
    f3, paid, rest = cover(f2, 100)
    assert (f3.balance, paid, rest) == (0.0, 70.0, 30.0)
    assert f3.paid == 100.0


def test_inflows():
    f = add_inflows(InsuranceFund(10), liquidation_fees=1.5, trading_fees=100, fee_share=0.2, top_up=5)
    assert f.balance == 36.5 and f.received == 26.5


def test_segregated_vs_shared():
    funds = {"BTC": InsuranceFund(100, "BTC"), "ETH": InsuranceFund(50, "ETH")}
    seg = cover_losses(funds, {"BTC": 120, "ETH": 10})
    assert seg.uncovered == {"BTC": 20.0, "ETH": 0.0} and seg.funds["ETH"].balance == 40
    sh = cover_losses(funds, {"BTC": 120, "ETH": 10}, shared=True)
    assert sh.uncovered == {"BTC": 0.0, "ETH": 0.0} and sh.funds["ETH"].balance == 20


@settings(max_examples=100, deadline=None)
@given(money, st.lists(st.tuples(money, money), min_size=1, max_size=10))
def test_ledger_conserves_to_the_cent(b0, steps):
    f = InsuranceFund(b0)
    tot_in = tot_paid = tot_unc = tot_loss = 0
    for inflow, loss in steps:
        f = add_inflows(f, top_up=inflow)
        f, paid, rest = cover(f, loss)
        tot_in += c(inflow); tot_paid += c(paid); tot_unc += c(rest); tot_loss += c(loss)
        assert f.balance >= 0
    assert c(f.balance) == c(b0) + tot_in - tot_paid
    assert tot_loss == tot_paid + tot_unc


def test_fund_path_law_of_motion():
    r = fund_path(10.0, [5, 0, 0], [3, 20, 1])
    assert np.allclose(r.balance, [10, 12, 0, 0]) and np.allclose(r.paid, [3, 12, 0])
    assert np.allclose(r.uncovered, [0, 8, 1]) and bool(r.exhausted)
    rv = fund_path([10.0, 100.0], np.ones((2, 3)) * 5, [[3, 20, 1], [3, 20, 1]])
    assert rv.balance.shape == (2, 4) and not rv.exhausted[1]


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_fund_path_conserves(seed):
    g = np.random.default_rng(seed)
    inf, d = g.random((4, 30)) * 10, g.exponential(8, (4, 30))
    r = fund_path(g.random(4) * 50, inf, d)
    assert np.all(r.balance >= 0)
    # one money regime (issue 10): inputs rounded to the cent, then the ledger is exact in cents
    B, P, U = to_minor(r.balance), to_minor(r.paid), to_minor(r.uncovered)
    assert np.array_equal(B[:, -1], B[:, 0] + to_minor(inf).sum(1) - P.sum(1))
    assert np.array_equal(P + U, to_minor(d))
    assert np.allclose(r.paid + r.uncovered, d, atol=0.005)
    sat = fund_path(g.random(4), inf / 1e3, d / 1e3, unit=1e-8)
    assert np.array_equal(to_minor(sat.paid, 1e-8) + to_minor(sat.uncovered, 1e-8), to_minor(d / 1e3, 1e-8))


def test_money_regime_and_wrong_fund_objects():
    f = InsuranceFund(0.123456789, "BTC", unit=1e-8)
    assert f.balance == 0.12345679
    f2, paid, rest = cover(f, 0.2)
    assert (f2.balance, paid, rest) == (0.0, 0.12345679, 0.07654321)
    assert add_inflows(f, top_up=1e-8).balance == 0.1234568
    with pytest.raises(TypeError, match="fund"):
        cover({"balance": 1.0}, 1.0)
    with pytest.raises(TypeError, match="fund"):
        add_inflows(100.0, top_up=1.0)
    with pytest.raises(TypeError, match="funds"):
        cover_losses({"BTC": 100.0}, {"BTC": 1.0})
    with pytest.raises(ValueError, match="unit"):
        cover_losses({"A": InsuranceFund(1.0), "B": InsuranceFund(1.0, unit=1e-8)}, {"A": 1.0})
    with pytest.raises(ValueError, match="loss"):
        cover(InsuranceFund(1.0), [1.0, 2.0])
    with pytest.raises(ValueError, match="loss"):
        cover(InsuranceFund(1.0), "1.0")
    with pytest.raises(ValueError, match="balance"):
        InsuranceFund(True)
    with pytest.raises(ValueError, match="unit"):
        InsuranceFund(1.0, unit=0)
    with pytest.raises(ValueError, match="fee_share"):
        add_inflows(InsuranceFund(1.0), fee_share=[0.1, 0.2])


def test_monte_carlo_deterministic_and_monotone():
    # (its speed is a benchmark, not a timed test: issue 10 moves wall-clock assertions out of the tests)
    a = fund_monte_carlo(5e6, 0.1, 2.0, n_paths=2000, seed=1)
    b = fund_monte_carlo(5e6, 0.1, 2.0, n_paths=2000, seed=1)
    assert np.array_equal(a.paths, b.paths) and a.paths.shape == (2000, 366)
    assert a.quantiles.shape == (5, 366) and 0 <= a.exhaustion_probability <= 1
    g = exhaustion_probability_grid([1e6, 5e6, 5e7], [0.0, 0.2], n_paths=300, seed=2)
    assert g.shape == (3, 2)
    assert np.all(np.diff(g, axis=0) <= 0) and np.all(np.diff(g, axis=1) <= 0)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 999, 1000])
def test_quantiles_of_sorted_rows_are_numpys(n):
    # the fan chart reads quantiles off sorted rows without np.quantile's copy and partition: the same floats
    from socialized_loss.insurance import _quantiles_of_sorted

    g = np.random.default_rng(n)
    rows = np.sort(np.round(g.standard_normal((40, n)) * 1e6, 2 * (n % 2)), axis=1)  # ties when rounded to units
    levels = np.array([0.0, 0.05, 0.25, 1 / 3, 0.5, 0.75, 0.95, 0.999, 1.0])
    assert np.array_equal(_quantiles_of_sorted(rows, levels), np.quantile(rows, levels, axis=1).T)
    ints = np.sort(g.integers(-10**9, 10**9, (40, n)), axis=1)  # the fan's case: sorted minor units, then cents
    assert np.array_equal(_quantiles_of_sorted(ints, levels, lambda x: x / 100),
                          np.quantile(ints / 100, levels, axis=1).T)


@pytest.mark.parametrize(("initial", "rate", "share"), [(0.0, 2.0, 0.1), (5e6, 2.0, 0.1), (1e6, 12.0, 0.0),
                                                        (3e7, 0.0, 0.5), (2e6, 6.0, 0.05)])
def test_fund_fan_is_the_monte_carlo_fan(initial, rate, share):
    fan = fund_fan(initial, share, rate, n_paths=300, seed=5, n_show=7)
    mc = fund_monte_carlo(initial, share, rate, n_paths=300, seed=5)
    assert np.array_equal(fan.quantiles, mc.quantiles)
    assert np.array_equal(fan.shown, mc.paths[:7])
    assert fan.exhaustion_probability == mc.exhaustion_probability and fan.n_paths == 300
    unc = mc.uncovered[:7] > 0
    first = np.where(unc.any(axis=1), unc.argmax(axis=1) + 1.0, np.nan)
    assert np.array_equal(fan.first_exhausted_day, first, equal_nan=True)
    if rate >= 6:
        assert np.isfinite(first).any()  # the case is one where shown paths do run out


def test_size_for_target():
    s = size_for_target(0.05, 0.1, 2.0, n_paths=300, seed=4, tol=1e4)
    assert s == size_for_target(0.05, 0.1, 2.0, n_paths=300, seed=4, tol=1e4)
    g = exhaustion_probability_grid([s, s - 2e4], [0.1], n_paths=300, seed=4)
    assert g[0, 0] <= 0.05 < g[1, 0]


def test_cramer_lundberg():
    R = adjustment_coefficient(1.2, 1.0, 1.0)
    assert R == pytest.approx(1 - 1 / 1.2)
    psi = ruin_probability_exponential(5, 1.2, 1.0, 1.0)
    assert psi == pytest.approx(1 / 1.2 * np.exp(-R * 5))
    assert psi <= lundberg_bound(5, 1.2, 1.0, 1.0)
    p, se = ruin_monte_carlo(5, 1.2, 1.0, 1.0, horizon=400, n_paths=4000, seed=0)
    assert abs(p - psi) < 4 * se + 0.01


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="premium_rate"):
        adjustment_coefficient(0.5, 1.0, 1.0)
    with pytest.raises(ValueError, match="balance"):
        InsuranceFund(-1)
    with pytest.raises(ValueError, match="loss"):
        cover(InsuranceFund(1), float("nan"))
    with pytest.raises(ValueError, match="fee_share"):
        fund_monte_carlo(1e6, 1.5, 1.0)
    with pytest.raises(ValueError, match="tail_index"):
        fund_monte_carlo(1e6, 0.1, 1.0, tail_index=1.0)
    with pytest.raises(ValueError, match="bad_debts"):
        fund_path(1.0, [1, 2], [-1, 0])


@pytest.mark.parametrize("run", [fund_fan, fund_monte_carlo])
def test_a_year_past_exact_minor_units_is_refused(run):
    run(2**51 / 100 - 10**9, 0.0, 1.0, n_paths=5, n_days=5)  # no inflow: the start alone fits
    with pytest.raises(ValueError, match="2\\*\\*51"):
        run(2**51 / 100 - 1, 0.1, 1.0, n_paths=5, n_days=5)

"""Tests for socialized_loss.socialize: clawback, contracts-pro-rata, deposit and withdrawal haircuts."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialized_loss.allocation import from_minor, to_minor
from socialized_loss.socialize import (
    clawback,
    contracts_pro_rata,
    deposit_haircut_charges,
    deposit_index_haircut,
    withdrawal_haircut,
)


def test_drift_contracts_pro_rata_example():
    r = contracts_pro_rata(100, [7, -4])
    assert r.per_contract == pytest.approx(100 / 11)
    assert abs(r.per_contract - 9.0909) < 1e-4
    assert list(to_minor(r.charges)) == [6364, 3636]
    assert to_minor(r.charges).sum() == 10000


def test_contracts_zero_open_interest_refused():
    with pytest.raises(ValueError, match="sizes"):
        contracts_pro_rata(1, [0, 0])
    assert list(contracts_pro_rata(0, [0, 0]).charges) == [0, 0]


def test_clawback_equal_percentage_of_profits_only():
    r = clawback(30, [100, -50, 50, 0])
    assert r.rate == pytest.approx(0.2)
    assert list(r.charges) == [20.0, 0.0, 10.0, 0.0]
    assert r.uncovered == 0


def test_clawback_capped_at_100_percent():
    r = clawback(500, [100, 50, -10])
    assert r.rate == 1.0
    assert list(r.charges) == [100.0, 50.0, 0.0]
    assert r.uncovered == 350.0


def test_clawback_bitvc_rate_implies_profits():
    # Huobi BitVC 2014: 3,032.3848 BTC at 46.1 % implies Σ profits ≈ 6,578 BTC (domain.md d.8)
    profits = np.array([6578.0 * 0.6, 6578.0 * 0.4])
    r = clawback(3032.3848, profits, unit=1e-8)
    assert r.rate == pytest.approx(0.461, abs=5e-4)
    assert to_minor(r.charges, 1e-8).sum() == to_minor(3032.3848, 1e-8)


def test_clawback_no_profitable_account():
    r = clawback(10, [-1, 0])
    assert r.rate == 0.0 and r.uncovered == 10.0 and list(r.charges) == [0, 0]


def test_deposit_index_haircut_example_and_bounds():
    assert deposit_index_haircut(100, 1000, 1.0) == pytest.approx(0.9)
    assert deposit_index_haircut(100, 1000, 1.2) == pytest.approx(1.08)
    assert deposit_index_haircut(1000, 1000) == 0.0
    with pytest.raises(ValueError, match="total_deposits"):
        deposit_index_haircut(1001, 1000)


def test_deposit_haircut_charges():
    r = deposit_haircut_charges(100, [600, 400, 0])
    assert list(r.charges) == [60.0, 40.0, 0.0]
    assert list(r.balances) == [540.0, 360.0, 0.0]
    assert r.factor == pytest.approx(deposit_index_haircut(100, 1000))
    with pytest.raises(ValueError, match="deposits"):
        deposit_haircut_charges(1001, [600, 400])


def test_withdrawal_haircut_paradex():
    r = withdrawal_haircut(1000, 0.05)
    assert r.charged == 50.0 and r.received == 950.0
    r = withdrawal_haircut([100, 33.33], 0.1)
    assert np.allclose(r.charged, [10.0, 3.33]) and np.allclose(r.received, [90.0, 30.0])
    with pytest.raises(ValueError, match="factor"):
        withdrawal_haircut(100, 1.5)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: clawback(-1, [1]), "loss"),
        (lambda: clawback(1, [float("nan")]), "profits"),
        (lambda: contracts_pro_rata(float("inf"), [1]), "loss"),
        (lambda: contracts_pro_rata(1, [[1, 2]]), "sizes"),
        (lambda: deposit_index_haircut(1, -5), "total_deposits"),
        (lambda: deposit_haircut_charges(1, [1, -1]), "deposits"),
        (lambda: withdrawal_haircut(-1, 0.1), "amount"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@settings(max_examples=300, deadline=None, database=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_mechanisms_conserve_exactly(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    profits = from_minor(rng.integers(-10**6, 10**6, size=n))
    P = to_minor(np.maximum(profits, 0)).sum()
    L = int(rng.integers(0, 2 * P + 2))
    r = clawback(from_minor(L), profits)
    x = to_minor(r.charges)
    assert x.sum() + to_minor(r.uncovered) == L
    assert np.all(x >= 0) and np.all(x <= to_minor(np.maximum(profits, 0)))
    sizes = rng.normal(size=n) * 10
    sizes[0] = 1.0
    c = contracts_pro_rata(from_minor(L), sizes)
    assert to_minor(c.charges).sum() == L and np.all(c.charges >= 0)
    deposits = from_minor(rng.integers(0, 10**6, size=n))
    D = int(to_minor(deposits).sum())
    Ld = int(rng.integers(0, D + 1))
    d = deposit_haircut_charges(from_minor(Ld), deposits)
    assert to_minor(d.charges).sum() == Ld
    assert np.array_equal(to_minor(d.charges) + to_minor(d.balances), to_minor(deposits))
    w = withdrawal_haircut(deposits, rng.random())
    assert np.array_equal(to_minor(w.charged) + to_minor(w.received), to_minor(deposits))

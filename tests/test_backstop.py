"""Tests for socialized_loss.backstop: vault shares and cooldown, Hyperliquid takeover, Umbrella, GMX trigger."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from socialized_loss.allocation import to_minor
from socialized_loss.backstop import (
    DRIFT_UNSTAKE_DAYS,
    UMBRELLA_COOLDOWN_DAYS,
    apply_pnl,
    balances,
    deposit,
    gmx_adl_triggered,
    liquidator_vault_takeover,
    new_vault,
    request_withdrawal,
    share_price,
    umbrella_slash,
    withdraw,
)


def test_vault_share_accounting():
    vt = new_vault(2)
    vt = deposit(vt, 0, 100)
    vt = deposit(vt, 1, 300)
    assert list(vt.shares) == [100, 300] and share_price(vt) == 1.0
    vt = apply_pnl(vt, -40)
    assert share_price(vt) == pytest.approx(0.9)
    assert balances(vt) == pytest.approx([90, 270])
    vt = deposit(vt, 0, 90)  # at 0.9 per share → 100 new shares
    assert vt.shares[0] == pytest.approx(200)
    vt = apply_pnl(vt, 50)  # gains pro rata to shares: 450 → 500
    assert balances(vt) == pytest.approx([200, 300])
    vt, paid = withdraw(vt, 1, 150)
    assert paid == pytest.approx(150) and balances(vt) == pytest.approx([200, 150])


def test_cooldown_still_exposed_to_losses():
    vt = new_vault(2, cooldown=DRIFT_UNSTAKE_DAYS)
    vt = deposit(deposit(vt, 0, 100), 1, 100)
    vt = request_withdrawal(vt, 0, 100, t=0)
    with pytest.raises(ValueError, match="t must be"):
        withdraw(vt, 0, 100, t=12.9)
    with pytest.raises(ValueError, match="requested"):
        withdraw(vt, 1, 10, t=20)
    vt = apply_pnl(vt, -50)  # the loss during the cooldown hits the leaving depositor too
    vt, paid = withdraw(vt, 0, 100, t=13)
    assert paid == pytest.approx(75)
    assert vt.assets == pytest.approx(75) and balances(vt) == pytest.approx([0, 75])
    assert UMBRELLA_COOLDOWN_DAYS == 20


def test_losses_beyond_assets_become_bad_debt():
    vt = apply_pnl(deposit(new_vault(1), 0, 10), -15)
    assert vt.assets == 0 and vt.bad_debt == 5
    with pytest.raises(ValueError, match="amount"):
        deposit(vt, 0, 5)
    empty = new_vault(1)
    assert apply_pnl(empty, -3).bad_debt == 3
    with pytest.raises(ValueError, match="pnl"):
        apply_pnl(empty, 3)


def test_hyperliquid_takeover_two_thirds():
    t = liquidator_vault_takeover([5.9, 6.0, 7.0, -1.0], 9.0, [1, 2, 3, -4])
    assert list(t.triggered) == [True, False, False, True]
    assert list(t.position) == [1, 0, 0, -4]
    assert list(t.margin) == [5.9, 0, 0, 0]
    assert liquidator_vault_takeover(5, 9).triggered is True


def test_umbrella_offset_first_then_pro_rata():
    r = umbrella_slash(80_000, 100_000, [1e6, 3e6])  # below the offset: no slashing
    assert r.offset_used == 80_000 and list(r.slashed) == [0, 0] and r.uncovered == 0
    r = umbrella_slash(140_000, 100_000, [1e6, 3e6])
    assert r.offset_used == 100_000 and list(r.slashed) == [10_000, 30_000]
    r = umbrella_slash(10e6, 100_000, [1e6, 3e6])
    assert list(r.slashed) == [1e6, 3e6] and r.uncovered == pytest.approx(10e6 - 4.1e6)


def test_gmx_strictly_greater_triggers():
    assert gmx_adl_triggered(45, 100, 0.45) is False
    assert gmx_adl_triggered(45.01, 100, 0.45) is True
    assert list(gmx_adl_triggered([-10, 50], 100, 0.45)) == [False, True]


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: deposit(new_vault(1), 0, -1), "amount"),
        (lambda: deposit(new_vault(1), 3, 1), "depositor"),
        (lambda: new_vault(1, cooldown=-1), "cooldown"),
        (lambda: apply_pnl(new_vault(1), float("nan")), "pnl"),
        (lambda: withdraw(deposit(new_vault(1), 0, 5), 0, 6), "shares"),
        (lambda: liquidator_vault_takeover(1, -1), "maintenance_margin"),
        (lambda: umbrella_slash(1, 0, [1, -1]), "stakes"),
        (lambda: gmx_adl_triggered(1, 0, 0.5), "pool_value"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@settings(max_examples=200, deadline=None, database=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_vault_and_umbrella_conservation(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    vt = new_vault(n)
    paid_out = deposited = pnl_total = 0.0
    for _ in range(20):
        op = rng.integers(3)
        i = int(rng.integers(n))
        if op == 0:
            a = float(rng.integers(1, 1000))
            if vt.shares.sum() > 0 and vt.assets <= 0:
                continue
            before = balances(vt)
            vt = deposit(vt, i, a)
            deposited += a
            after = balances(vt)
            assert after[i] == pytest.approx(before[i] + a) and np.delete(after, i) == pytest.approx(np.delete(before, i))
        elif op == 1:
            p = float(rng.normal() * 100)
            if vt.shares.sum() == 0 and p > 0:
                with pytest.raises(ValueError, match="pnl"):
                    apply_pnl(vt, p)
                continue
            before = balances(vt)
            old = vt.assets
            vt = apply_pnl(vt, p)
            pnl_total += vt.assets - old
            if vt.shares.sum() > 0 and old > 0:  # gains and losses in proportion to shares
                assert balances(vt) == pytest.approx(before * (vt.assets / old), abs=1e-9)
        else:
            s = float(vt.shares[i] * rng.random())
            vt, paid = withdraw(vt, i, s)
            paid_out += paid
        assert balances(vt).sum() == pytest.approx(vt.assets, abs=1e-7)
        assert vt.assets == pytest.approx(deposited + pnl_total - paid_out, abs=1e-6)
    stakes = rng.integers(0, 10**6, size=n) / 100
    d, o = rng.integers(0, 2 * 10**6) / 100, rng.integers(0, 10**5) / 100
    r = umbrella_slash(d, o, stakes)
    assert to_minor(r.offset_used) + to_minor(r.slashed).sum() + to_minor(r.uncovered) == to_minor(d)
    assert np.all(to_minor(r.slashed) <= to_minor(stakes))

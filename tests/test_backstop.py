"""Tests for socialized_loss.backstop: vault shares and cooldown, Hyperliquid takeover, Umbrella, GMX trigger."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis_tiers import tiered

from socialized_loss.allocation import from_minor, to_minor
from socialized_loss.backstop import (
    DRIFT_UNSTAKE_DAYS,
    UMBRELLA_COOLDOWN_DAYS,
    Vault,
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
        (lambda: deposit(new_vault(1), 0, [1.0, 2.0]), "amount"),
        (lambda: deposit(new_vault(1), 0, "5"), "amount"),
        (lambda: deposit(new_vault(1), 0, True), "amount"),
        (lambda: apply_pnl(new_vault(1), 1j), "pnl"),
        (lambda: new_vault(1, unit=0), "unit"),
        (lambda: withdraw(new_vault(1), 0, 0.0, t=[1.0]), "t"),
        (lambda: umbrella_slash([1.0], 0, [1]), "deficit"),
        (lambda: umbrella_slash(1.0, "0", [1]), "offset"),
        (lambda: liquidator_vault_takeover(1, 1, unit=-1), "unit"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def check_vault_and_umbrella_conservation(seed):
    # money regime (issue 10): the ledger balances exactly in minor units; claims within one unit of proportional
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    unit = [0.01, 1e-8, 1.0][int(rng.integers(3))]
    vt = new_vault(n, unit=unit)
    paid_out = deposited = pnl_total = 0
    for _ in range(20):
        op = rng.integers(3)
        i = int(rng.integers(n))
        if op == 0:
            a = float(rng.integers(1, 1000)) + float(rng.random())
            if vt.shares.sum() > 0 and vt.assets <= 0:
                continue
            before = balances(vt)
            vt = deposit(vt, i, a)
            deposited += int(to_minor(a, unit))
            after = balances(vt)
            assert abs(after[i] - (before[i] + float(from_minor(to_minor(a, unit), unit)))) <= 2 * unit + 1e-9
            assert np.all(np.abs(np.delete(after, i) - np.delete(before, i)) <= 2 * unit + 1e-9)
        elif op == 1:
            p = float(rng.normal() * 100)
            if vt.shares.sum() == 0 and to_minor(p, unit) > 0:
                with pytest.raises(ValueError, match="pnl"):
                    apply_pnl(vt, p)
                continue
            before = balances(vt)
            old = vt.assets
            vt = apply_pnl(vt, p)
            pnl_total += int(to_minor(vt.assets, unit)) - int(to_minor(old, unit))
            if vt.shares.sum() > 0 and old > 0:  # gains and losses in proportion to shares
                ratio = vt.assets / old
                assert np.all(np.abs(balances(vt) - before * ratio) <= unit * (1 + ratio) + 1e-9)
        else:
            s = float(vt.shares[i] * rng.random())
            vt, paid = withdraw(vt, i, s)
            paid_out += int(to_minor(paid, unit))
        assert to_minor(balances(vt), unit).sum() == to_minor(vt.assets, unit)  # exact
        assert to_minor(vt.assets, unit) == deposited + pnl_total - paid_out  # exact
        assert vt.assets >= 0
    stakes = rng.integers(0, 10**6, size=n) / 100
    d, o = rng.integers(0, 2 * 10**6) / 100, rng.integers(0, 10**5) / 100
    r = umbrella_slash(d, o, stakes)
    assert to_minor(r.offset_used) + to_minor(r.slashed).sum() + to_minor(r.uncovered) == to_minor(d)
    assert np.all(to_minor(r.slashed) <= to_minor(stakes)) and np.all(r.slashed >= 0)


test_vault_and_umbrella_conservation, test_vault_and_umbrella_conservation_slow = tiered(
    quick=60, seed=st.integers(0, 2**63 - 1))(check_vault_and_umbrella_conservation)


def test_vault_never_freezes_or_aliases_the_callers_arrays():
    shares = np.array([1.0, 2.0])
    vt = Vault(3.0, shares, np.zeros(2), np.full(2, np.nan))
    assert shares.flags.writeable
    shares[0] = 99.0
    assert vt.shares[0] == 1.0
    with pytest.raises(ValueError):
        vt.shares[0] = 5.0  # the vault's own copy is read-only


def test_wrong_vault_object_is_a_type_error_naming_vault():
    for call in (lambda: share_price({"assets": 1}), lambda: balances(None), lambda: deposit("v", 0, 1.0),
                 lambda: apply_pnl(3.0, 1.0), lambda: withdraw([], 0, 1.0)):
        with pytest.raises(TypeError, match="vault"):
            call()


def test_vault_money_in_minor_units():
    vt = deposit(new_vault(3), 0, 100.0)
    vt = deposit(vt, 1, 100.0)
    vt = deposit(vt, 2, 100.0)
    vt = apply_pnl(vt, -100.0)
    assert balances(vt).tolist() == [66.67, 66.67, 66.66]  # sums to 200.00 exactly
    vt, paid = withdraw(vt, 0, vt.shares[0])
    assert paid == 66.67 and vt.assets == 133.33
    btc = deposit(new_vault(1, unit=1e-8), 0, 0.123456789)
    assert btc.assets == 0.12345679

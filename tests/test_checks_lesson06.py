"""Lesson 06's checks beyond the shared scaffold in tests/test_checks.py (blank / right / wrong / strict / odd
answers): lesson-specific cases."""
from __future__ import annotations

import pytest

import socialized_loss as sl

L = sl.checks.lesson06


def _replay(leavers):
    vt = sl.new_vault(5)
    for i, amt in enumerate((400_000, 300_000, 200_000, 100_000)):
        vt = sl.deposit(vt, i, amt)
    vt = sl.apply_pnl(vt, 50_000)
    vt = sl.deposit(vt, 4, 210_000)
    for i in leavers:
        vt, _ = sl.withdraw(vt, i, vt.shares[i])
    return sl.share_price(sl.apply_pnl(vt, -189_000))


def adl_needed_crashes(pending_profit, pool_value, max_pnl_factor):
    raise ZeroDivisionError("oops")


RIGHT = {
    "price_after_run": _replay((1, 0)),
    "staker_loss": sl.umbrella_slash(1_300_000, 100_000, [50_000, 120_790_000]).slashed[0],
    "min_cooldown": 10 * (1 - (1 - 1 / 1.12) / 0.4),
}


def test_known_values():
    assert RIGHT["price_after_run"] == pytest.approx(0.672)
    assert RIGHT["staker_loss"] == pytest.approx(496.52, abs=0.005)
    assert RIGHT["min_cooldown"] == pytest.approx(7.3214, abs=1e-4)


def test_a_crashing_function_is_wrong_not_a_traceback(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    r = L.gmx_trigger(adl_needed_crashes)
    assert r.status == "wrong" and "ZeroDivisionError" in r.message

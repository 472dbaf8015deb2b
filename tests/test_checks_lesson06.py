"""Lesson 06's checks: not attempted, correct, wrong (and strict mode raises on wrong)."""
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


def adl_needed(pending_profit, pool_value, max_pnl_factor):
    ratio = pending_profit / pool_value
    return ratio > 0 and ratio > max_pnl_factor


def adl_needed_wrong(pending_profit, pool_value, max_pnl_factor):  # ≥ instead of >
    return pending_profit / pool_value >= max_pnl_factor


def adl_needed_stub(pending_profit, pool_value, max_pnl_factor):
    ...  # YOUR CODE HERE


def adl_needed_crashes(pending_profit, pool_value, max_pnl_factor):
    raise ZeroDivisionError("oops")


RIGHT = {
    "price_after_run": _replay((1, 0)),
    "gmx_trigger": adl_needed,
    "staker_loss": sl.umbrella_slash(1_300_000, 100_000, [50_000, 120_790_000]).slashed[0],
    "min_cooldown": 10 * (1 - (1 - 1 / 1.12) / 0.4),
}
WRONG = {
    "price_after_run": _replay((1,)),  # only Ben left: 0.84
    "gmx_trigger": adl_needed_wrong,
    "staker_loss": 1_300_000 * 50_000 / 120_840_000,  # forgot the offset
    "min_cooldown": 10.0,
}
NAMES = list(RIGHT)


def test_every_check_is_tested():
    assert sorted(NAMES) == sorted(L.__all__)


def test_known_values():
    assert RIGHT["price_after_run"] == pytest.approx(0.672)
    assert RIGHT["staker_loss"] == pytest.approx(496.52, abs=0.005)
    assert RIGHT["min_cooldown"] == pytest.approx(7.3214, abs=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_not_attempted(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    for stub in (..., None):
        assert getattr(L, name)(stub).status == "not attempted"


def test_stub_function_is_not_attempted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.gmx_trigger(adl_needed_stub).status == "not attempted"


@pytest.mark.parametrize("name", NAMES)
def test_correct(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert getattr(L, name)(RIGHT[name]).status == "correct"


@pytest.mark.parametrize("name", NAMES)
def test_wrong(name, monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert getattr(L, name)(WRONG[name]).status == "wrong"


@pytest.mark.parametrize("name", NAMES)
def test_wrong_raises_in_strict_mode(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        getattr(L, name)(WRONG[name])


def test_a_crashing_function_is_wrong_not_a_traceback(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    r = L.gmx_trigger(adl_needed_crashes)
    assert r.status == "wrong" and "ZeroDivisionError" in r.message

"""Lesson 10's checks: a stub is "not attempted", the right answer "correct", a wrong one "wrong" (and raises in strict
mode). Right answers are computed here the way a learner would, with the engine."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import socialized_loss as sl
from socialized_loss import stress
from socialized_loss.checks import lesson10 as c


@pytest.fixture(autouse=True)
def lenient(monkeypatch):
    """Checks print rather than raise unless a test turns strict mode on."""
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)


@pytest.fixture(scope="module")
def lab():
    return stress.lab()


@pytest.fixture(scope="module")
def r_none(lab):
    return sl.simulate.simulate(population=lab.population, prices=lab.prices, mechanism="none", fund0=lab.fund0)


def my_waterfall(loss, profits, venue=10_000.0, vault=40_000.0):
    drawn = sl.sequential(loss, [venue, vault])
    charges = sl.pro_rata(drawn.rest, profits, caps=profits)
    return drawn.draws, charges, round(drawn.rest - charges.sum(), 2)


# ----------------------------------------------------------------------------------------------------------------
# stubs


@pytest.mark.parametrize("check", [c.traders_charged, c.stress_test, c.fund_for_target, c.capped_waterfall])
@pytest.mark.parametrize("stub", [..., None, (..., ...)])
def test_stubs_are_not_attempted(check, stub, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")  # even strict, a blank never raises
    assert check(stub).status == "not attempted"


def test_waterfall_stubs_are_not_attempted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert c.waterfall(...).status == "not attempted"
    assert c.waterfall(None).status == "not attempted"

    def stub(loss, profits, venue=10_000.0, vault=40_000.0):
        """The student notebook's stub: the body was stripped."""

    assert c.waterfall(stub).status == "not attempted"


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.1


def test_traders_charged(lab, monkeypatch):
    def median_charged(mechanism):
        r = sl.simulate.simulate(population=lab.population, prices=lab.prices, mechanism=mechanism, fund0=lab.fund0)
        hit = r.charged_cents.sum(axis=1) > 0
        return np.median((r.charged_cents[hit] > 0).sum(axis=1))

    right = (median_charged("clawback"), median_charged("pnl_haircut_queue"))
    assert right[0] > 5 * right[1], "a clawback touches many more traders than the ADL queue"
    assert c.traders_charged(right).status == "correct"
    assert c.traders_charged((right[1], right[0])).status == "wrong"
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        c.traders_charged((right[0] + 1, right[1]))


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.2


def test_waterfall_right_answer(capsys):
    assert c.waterfall(my_waterfall).status == "correct"
    assert "cent for cent" in capsys.readouterr().out


def no_cap(loss, profits, venue=10_000.0, vault=40_000.0):
    drawn = sl.sequential(loss, [venue, vault])
    charges = sl.pro_rata(drawn.rest, np.maximum(profits, 1e-9))
    return drawn.draws, charges, 0.0


def skips_layers(loss, profits, venue=10_000.0, vault=40_000.0):
    charges = sl.pro_rata(loss, profits, caps=profits)
    return np.zeros(2), charges, round(loss - charges.sum(), 2)


def loses_money(loss, profits, venue=10_000.0, vault=40_000.0):
    drawn = sl.sequential(loss, [venue, vault])
    return drawn.draws, np.zeros_like(profits), 0.0


def crashes(loss, profits, venue=10_000.0, vault=40_000.0):
    raise RuntimeError("oops")


def wrong_shape(loss, profits, venue=10_000.0, vault=40_000.0):
    return [0.0], profits, 0.0


def by_profit_share_not_equal(loss, profits, venue=10_000.0, vault=40_000.0):
    drawn = sl.sequential(loss, [venue, vault])
    n = np.count_nonzero(profits)
    w = (profits > 0).astype(float)  # an equal split among winners, capped at profit
    charges = sl.pro_rata(drawn.rest, w, caps=profits) if n else np.zeros_like(profits)
    return drawn.draws, charges, round(drawn.rest - charges.sum(), 2)


@pytest.mark.parametrize("func", [no_cap, skips_layers, loses_money, crashes, wrong_shape, by_profit_share_not_equal])
def test_waterfall_wrong_answers(func, monkeypatch):
    assert c.waterfall(func).status == "wrong"
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        c.waterfall(func)


def test_reference_matches_the_engine_clawback():
    lab = stress.lab()
    r = sl.simulate.simulate(population=lab.population, prices=lab.prices, mechanism="clawback", fund0=lab.fund0)
    p, t = c.single_step_path(r)
    assert (r.socialized_cents[p] > 0).sum() == 1
    residual = float(r.bad_debt_cents[p, t - 1] - r.fund_paid_cents[p, t - 1]) / 100
    _, charges, uncovered = c.reference_waterfall(residual, stress.open_profits(lab.population, r, p, t), 0.0, 0.0)
    assert np.array_equal(sl.to_minor(charges), r.charged_cents[p])
    assert sl.to_minor(uncovered) == r.uncovered_cents[p, t - 1]


@settings(max_examples=60, deadline=None)
@given(
    loss=st.floats(0, 200_000, allow_nan=False),
    profits=st.lists(st.floats(0, 50_000, allow_nan=False), min_size=1, max_size=12),
    venue=st.floats(0, 30_000, allow_nan=False),
    vault=st.floats(0, 60_000, allow_nan=False),
    cap=st.sampled_from([None, 0.1, 0.25, 1.0]),
)
def test_reference_waterfall_conserves_to_the_cent(loss, profits, venue, vault, cap):
    prof = np.round(np.array(profits), 2)
    layers, charges, uncovered = c.reference_waterfall(loss, prof, venue, vault, cap_share=cap)
    total = sl.to_minor(layers).sum() + sl.to_minor(charges).sum() + sl.to_minor(uncovered)
    assert total == sl.to_minor(loss)
    assert np.all(charges <= (prof if cap is None else np.round(cap * prof, 2)) + 1e-9)
    assert uncovered >= 0 and np.all(charges >= 0)
    # layers fill in order: the vault is only touched once the venue's capital is used up
    if layers[1] > 0:
        assert sl.to_minor(layers[0]) == sl.to_minor(venue)


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.3


def test_stress_test(lab, r_none, monkeypatch):
    beyond = r_none.uncovered_cents.sum(axis=1) / 100
    P = beyond.size
    reach, worst = 0, 0.0
    for p in range(P):
        prof = stress.open_profits(lab.population, r_none, p)
        _, charges, _ = my_waterfall(beyond[p], prof)
        if charges.sum() > 0:
            reach += 1
            worst = max(worst, charges.sum() / prof.sum())
    assert 0 < reach < P and 0 < worst < 1
    assert c.stress_test((reach / P, worst)).status == "correct"
    assert c.stress_test((np.mean(beyond > 0), worst)).status == "wrong"  # forgot the two layers
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        c.stress_test((reach / P, 1.0))


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.4


def test_fund_for_target(lab, r_none, monkeypatch):
    bad = r_none.bad_debt_cents / 100
    inflows = (r_none.liq_fee_cents + r_none.fee_inflow_cents) / 100
    P = bad.shape[0]

    def p_exhausted(f):
        return sl.fund_path(np.full(P, f), inflows, bad).exhausted.mean()

    lo, hi = 0.0, float(bad.sum(axis=1).max())
    while hi - lo > 0.5:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if p_exhausted(mid) <= 0.05 else (mid, hi)
    assert p_exhausted(hi) <= 0.05 < p_exhausted(hi - 5)
    assert hi > lab.fund0
    assert c.fund_for_target(hi).status == "correct"
    assert c.fund_for_target(hi * 1.2).status == "wrong"
    assert c.fund_for_target(lab.fund0).status == "wrong"
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        c.fund_for_target(hi - 100)


def test_replay_matches_the_engine_fund(lab, r_none):
    inflows = (r_none.liq_fee_cents + r_none.fee_inflow_cents) / 100
    replay = sl.fund_path(np.full(r_none.mark.shape[0], lab.fund0), inflows, r_none.bad_debt_cents / 100)
    assert np.allclose(replay.balance, r_none.fund)
    assert np.allclose(replay.uncovered, r_none.uncovered_cents / 100)


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.5


def test_capped_waterfall(lab, r_none, monkeypatch):
    beyond = r_none.uncovered_cents.sum(axis=1) / 100
    left = []
    for p in range(beyond.size):
        prof = stress.open_profits(lab.population, r_none, p)
        drawn = sl.sequential(beyond[p], [10_000.0, 40_000.0])
        charges = sl.pro_rata(drawn.rest, prof, caps=np.round(0.25 * prof, 2))
        left.append(round(drawn.rest - charges.sum(), 2))
    left = np.array(left)
    right = (np.mean(left > 0), left.max())
    assert right[0] > 0, "the cap must leave some path short, or the exercise teaches nothing"
    assert c.capped_waterfall(right).status == "correct"
    assert c.capped_waterfall((right[0], 0.0)).status == "wrong"
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        c.capped_waterfall((0.0, 0.0))

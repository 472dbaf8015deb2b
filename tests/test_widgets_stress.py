"""Lesson 10's stress lab: the explorer driven headless, its numbers checked against the engine, and the lab helpers."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss import stress
from socialized_loss.stress import stress_state


def engine_run(mechanism="clawback", jump_size=6.0, jumps_per_path=3.0, fund=20_000.0, max_leverage=50.0, seed=0):
    """The explorer's market rebuilt from the engine directly (its documented recipe)."""
    pop = sl.make_population(300, seed=seed, max_leverage=max_leverage)
    prices = sl.gbm_jump_paths(40, 250, seed=seed + 1, jump_rate=jumps_per_path * 8760 / 250,
                               jump_mean=np.log1p(-jump_size / 100), jump_sd=0.04)
    return pop, sl.simulate.simulate(population=pop, prices=prices, mechanism=mechanism, fund0=fund)


@pytest.fixture(scope="module")
def default_state():
    return stress_state()


def test_state_matches_the_engine(default_state):
    st = default_state
    _pop, r = engine_run()
    assert np.array_equal(st["socialized"], r.socialized_cents.sum(axis=1) / 100)
    assert np.array_equal(st["uncovered"], r.uncovered_cents.sum(axis=1) / 100)
    assert np.array_equal(st["bad_debt"], r.bad_debt)
    assert np.allclose(st["beyond_fund"], st["socialized"] + st["uncovered"])
    assert st["p_beyond_fund"] == np.mean(st["beyond_fund"] > 0)
    assert (st["n_traders"], st["n_paths"], st["n_steps"]) == (300, 40, 250)
    # the largest hit is the engine's largest single charge
    assert st["largest_hit"] == r.charged_cents.max() / 100


def test_ledger_conserves_money_per_path(default_state):
    r = default_state["result"]
    lhs = r.bad_debt_cents.sum(axis=1)
    rhs = r.fund_paid_cents.sum(axis=1) + r.socialized_cents.sum(axis=1) + r.uncovered_cents.sum(axis=1)
    assert np.array_equal(lhs, rhs)


def test_who_pays_adds_up(default_state):
    st = default_state
    r = st["result"]
    assert sl.to_minor(st["group_paid"]).sum() == r.charged_cents.sum()
    assert st["group_paid"].sum() == pytest.approx(st["socialized"].sum(), abs=0.005)
    assert st["group_share"].sum() == pytest.approx(1.0)
    assert 0 <= st["top_decile_share"] <= 1
    labels, masks = stress.groups(sl.make_population(300, seed=0, max_leverage=50.0))
    assert labels == st["group_labels"]
    assert np.array_equal(masks.sum(axis=0), np.ones(300)), "every trader is in exactly one group"


def test_group_shares_agree_with_monte_carlo():
    pop = sl.make_population(300, seed=0, max_leverage=50.0)
    prices = sl.gbm_jump_paths(40, 250, seed=1, jump_rate=3 * 8760 / 250, jump_mean=np.log1p(-0.06), jump_sd=0.04)
    mc = sl.monte_carlo(population=pop, prices=prices, mechanisms=["pnl_haircut_queue"], fund0=20_000.0)
    labels, shares = stress.group_shares(mc["pnl_haircut_queue"])
    st = stress_state(mechanism="pnl_haircut_queue")
    assert labels == st["group_labels"]
    assert np.allclose(shares, st["group_share"])


def test_none_leaves_the_venue_owing():
    st = stress_state(mechanism="none")
    assert st["socialized"].sum() == 0 and st["uncovered"].sum() > 0
    assert np.all(st["group_share"] == 0) and st["largest_hit"] == 0


def test_a_bigger_fund_shrinks_the_tail_path_by_path():
    small = stress_state(mechanism="none", fund=20_000.0)
    big = stress_state(mechanism="none", fund=100_000.0)
    assert np.all(big["beyond_fund"] <= small["beyond_fund"])
    assert big["p_beyond_fund"] < small["p_beyond_fund"]


def test_the_rules_send_the_bill_to_different_people(default_state):
    claw = default_state
    adl = stress_state(mechanism="pnl_haircut_queue")
    cpr = stress_state(mechanism="contracts_pro_rata")
    high = lambda st: st["group_share"][1] + st["group_share"][3]
    longs = lambda st: st["group_share"][0] + st["group_share"][1]
    assert high(adl) > high(claw), "the ADL queue ranks leveraged winners first"
    assert longs(cpr) > 0.2 and longs(claw) < 0.05, "only contracts-pro-rata charges the losing side"
    assert adl["median_hit_count"] < claw["median_hit_count"] < cpr["median_hit_count"]


def test_leverage_mix_moves_traders_between_groups():
    st = stress_state(leverage_mix="cautious (1–5×)")
    assert st["group_share"][1] == 0 and st["group_share"][3] == 0  # nobody at 10× or more


def test_bigger_crashes_make_more_bad_debt():
    calm = stress_state(mechanism="none", jump_size=0.0, jumps_per_path=0.0)
    wild = stress_state(mechanism="none", jump_size=12.0, jumps_per_path=8.0)
    assert wild["bad_debt"].sum() > calm["bad_debt"].sum()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mechanism": "socialism"},
        {"jump_size": -1.0},
        {"jump_size": 60.0},
        {"jump_size": float("nan")},
        {"jumps_per_path": -0.5},
        {"fund": -5.0},
        {"leverage_mix": "yolo"},
        {"n_steps": 0},
        {"n_paths": 0},
        {"seed": -1},
    ],
)
def test_bad_inputs_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        stress_state(**kwargs)


def test_explorer_responds_to_controls():
    ex = sl.widgets.stress_explorer()
    assert ex.state["mechanism"] == "clawback"
    png = ex.image.value
    assert png[:4] == b"\x89PNG"
    ex.set(mechanism="none")
    assert ex.state["socialized"].sum() == 0 and "nobody" in ex.readout.value
    assert ex.image.value != png
    ex.set(mechanism="pnl_haircut_queue", fund=100_000.0)
    assert ex.state["fund"] == 100_000.0 and ex.state["mechanism"] == "pnl_haircut_queue"
    ex.set(leverage_mix="reckless (1–100×)", jump_size=12.0, jumps_per_path=8.0)
    assert ex.state["leverage_mix"] == "reckless (1–100×)" and ex.state["p_beyond_fund"] > 0
    # controls carry their units and keep inputs valid
    assert "USD" in ex.controls["fund"].description and "%" in ex.controls["jump_size"].description
    assert ex.controls["fund"].min >= 0 and ex.controls["jump_size"].max <= 50
    assert set(ex.controls["leverage_mix"].options) == set(stress.LEVERAGE_MIXES)
    assert {v for _, v in ex.controls["mechanism"].options} == set(sl.MECHANISMS)


def test_explorer_axes_name_their_units():
    ex = sl.widgets.stress_explorer()
    left, right = ex.figure.axes[:2]
    assert "USD" in left.get_xlabel() and "%" in left.get_ylabel()
    assert "%" in right.get_xlabel()


# ----------------------------------------------------------------------------------------------------------------
# The lab helpers used by lesson 10


@pytest.fixture(scope="module")
def lab_and_none():
    lab = stress.lab()
    return lab, sl.simulate.simulate(population=lab.population, prices=lab.prices, mechanism="none", fund0=lab.fund0)


def test_lab_is_deterministic_and_described(lab_and_none):
    lab, _ = lab_and_none
    again = stress.lab()
    assert np.array_equal(lab.prices, again.prices) and np.array_equal(lab.population.size, again.population.size)
    assert lab.prices.shape == (200, 301) and len(lab.population) == 500 and lab.fund0 == 20_000.0
    assert "500 traders" in repr(lab)
    assert np.array_equal(lab.population.size, sl.make_population(500, seed=3, max_leverage=50.0).size)


def test_open_profits(lab_and_none):
    lab, r = lab_and_none
    pop = lab.population
    prof = stress.open_profits(pop, r, 4)
    mark = r.mark[4, -1]
    open_ = r.liquidated_step[4] == -1
    exact = np.where(open_, np.maximum(pop.size * (mark - pop.entry), 0), 0)
    # the registry's clawback base: whole cents, rounded down (never above the profit, less than a cent below it)
    assert np.all(prof <= exact + 1e-9) and np.all(exact - prof < 0.01 + 1e-9)
    assert np.array_equal(sl.from_minor(sl.to_minor(prof)), prof)
    assert np.all(prof[~open_] == 0) and np.all(prof >= 0)
    # at an earlier step, traders liquidated later still count as open
    t = 10
    prof_t = stress.open_profits(pop, r, 4, t)
    assert np.all(prof_t[(r.liquidated_step[4] > 0) & (r.liquidated_step[4] <= t)] == 0)
    with pytest.raises(ValueError):
        stress.open_profits(pop, r, 4, 0)
    with pytest.raises(ValueError):
        stress.open_profits(pop, r, 999)
    with pytest.raises(TypeError):
        stress.open_profits(pop, "not a result", 0)


def test_table_and_figure(lab_and_none):
    lab, _ = lab_and_none
    mc = sl.monte_carlo(population=lab.population, prices=lab.prices, fund0=lab.fund0,
                        mechanisms=["none", "clawback", "pnl_haircut_queue"])
    text = stress.table(mc)
    for name in ("none", "clawback", "PnL-haircut queue"):
        assert name in text
    assert "%" in text
    fig = sl.widgets.stress.comparison_figure(mc)
    left, right = fig.axes[:2]
    assert "USD" in left.get_xlabel() and "%" in right.get_xlabel()
    assert len(right.get_yticklabels()) == 2  # only the rules that socialized something
    plt.close(fig)

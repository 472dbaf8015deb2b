"""Tests for socialized_loss.simulate: the two engines agree exactly; ledgers conserve to the cent."""
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialized_loss.simulate import (
    DEFAULT_VENUE,
    EXTRA_MECHANISMS,
    MECHANISMS,
    crash_replay,
    gbm_jump_paths,
    make_population,
    monte_carlo,
    simulate,
    simulate_reference,
)

ALL = MECHANISMS + EXTRA_MECHANISMS
INT_FIELDS = ("fund_cents", "bad_debt_cents", "fund_paid_cents", "socialized_cents", "uncovered_cents",
              "liq_fee_cents", "n_liquidated", "n_deleveraged", "charged_cents", "liquidated_step")
# a violent market and a thin fund, so every mechanism is exercised
HOT = dict(fund0=500.0, depth=2e5, price_kw=dict(sigma=1.5, jump_rate=400))


def noisy_crash(n_steps, *, crash, crash_steps, recovery, recovery_steps, n_paths, sd, seed):
    """``n_paths`` noisy replays of a crash and recovery from 100 (lognormal noise of log-sd ``sd``, seeded)."""
    path = crash_replay(n_steps, crash=crash, start=3, crash_steps=crash_steps, recovery=recovery,
                        recovery_steps=recovery_steps)
    prices = path * np.exp(np.random.default_rng(seed).normal(0, sd, (n_paths, path.size)))
    prices[:, 0] = 100.0
    return prices


#: A long deep crash on a thin book: liquidations at most steps, socialization again and again.
LONG_CRASH = dict(crash=0.6, crash_steps=60, recovery=0.6, recovery_steps=20, n_paths=3, sd=0.003, seed=4)


def assert_same(a, b):
    for f in INT_FIELDS:
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    np.testing.assert_allclose(a.mark, b.mark, rtol=1e-12, atol=0)


def assert_conserves(r, fund0=500.0):
    assert np.array_equal(r.bad_debt_cents, r.fund_paid_cents + r.socialized_cents + r.uncovered_cents)
    assert np.all(r.uncovered_cents >= 0) and np.all(r.socialized_cents >= 0) and np.all(r.fund_cents >= 0)
    T = r.bad_debt_cents.shape[1]
    expect = round(fund0 * 100) + T * r.fee_inflow_cents + r.liq_fee_cents.sum(1) - r.fund_paid_cents.sum(1)
    assert np.array_equal(r.fund_cents[:, -1], expect)
    assert np.array_equal(r.charged_cents.sum(1), r.socialized_cents.sum(1))
    assert np.all(r.charged_cents >= 0)


@pytest.mark.parametrize("mechanism", MECHANISMS)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_reference_and_vectorised_identical(mechanism, seed):
    kw = dict(n_traders=60, n_steps=120, n_paths=4, seed=seed, mechanism=mechanism, **HOT)
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert_conserves(b)
    if mechanism != "none":
        assert b.socialized_cents.sum() > 0  # the test exercises the mechanism


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_crash_replay_identical(mechanism):
    pop = make_population(80, seed=5, max_leverage=40)
    path = crash_replay(60, crash=0.35, start=5, crash_steps=3)
    kw = dict(population=pop, prices=path, n_paths=2, mechanism=mechanism, fund0=200.0, depth=3e5, impact="linear")
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert_conserves(b, 200.0)
    assert b.n_liquidated.sum() > 0


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31), st.sampled_from(ALL), st.floats(0, 5e3), st.floats(1e4, 1e7),
       st.sampled_from([1, 3, 50]), st.floats(0, 1))
def test_conservation_property(seed, mechanism, fund0, depth, max_rounds, resilience):
    kw = dict(n_traders=40, n_steps=60, n_paths=3, seed=seed, mechanism=mechanism, fund0=fund0, depth=depth,
              max_rounds=max_rounds, resilience=resilience, price_kw=dict(sigma=1.5, jump_rate=300))
    b = simulate(**kw)
    assert_conserves(b, fund0)
    assert_same(simulate_reference(**kw), b)


def test_determinism_and_inputs():
    a = simulate(n_traders=50, n_steps=50, n_paths=3, seed=11, **HOT)
    b = simulate(n_traders=50, n_steps=50, n_paths=3, seed=11, **HOT)
    assert_same(a, b)
    assert np.array_equal(a.mark, b.mark)
    p1, p2 = gbm_jump_paths(3, 20, seed=2), gbm_jump_paths(3, 20, seed=2)
    assert np.array_equal(p1, p2) and p1.shape == (3, 21) and np.all(p1[:, 0] == 100)
    pop = make_population(100, seed=1)
    assert np.all(np.sign(pop.size) == pop.side) and np.all(pop.collateral >= 0)
    assert np.all((pop.leverage >= 1) & (pop.leverage <= 50))
    path = crash_replay(40, s0=100, crash=0.3, start=5, crash_steps=5, recovery=0.5, recovery_steps=10)
    assert path[0] == 100 and path[10] == pytest.approx(70) and path[-1] == pytest.approx(85)


def test_monte_carlo_summary():
    out = monte_carlo(n_traders=60, n_steps=80, n_paths=4, seed=3, fund0=500.0, depth=2e5,
                      price_kw=dict(sigma=1.5, jump_rate=400))
    assert set(out) == set(MECHANISMS)
    assert np.all(out["none"].socialized == 0)
    s = out["clawback"]
    assert s.charged_by_group.shape == (4, len(s.group_labels))
    assert np.allclose(s.charged_by_group.sum(1), s.socialized)
    # same market for every mechanism until the first socialization: bad debt identical under "none"/"clawback" starts
    assert np.allclose(out["none"].bad_debt + 0, out["none"].fund_paid + out["none"].uncovered)


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="mechanism"):
        simulate(n_traders=5, n_steps=5, n_paths=1, mechanism="bailout")
    with pytest.raises(ValueError, match="'none', 'clawback', 'contracts_pro_rata', 'pnl_haircut_queue'"):
        simulate_reference(n_traders=5, n_steps=5, n_paths=1, mechanism="haircut")
    with pytest.raises(ValueError, match="mmr"):
        simulate(n_traders=5, n_steps=5, n_paths=1, mmr=0)
    with pytest.raises(ValueError, match="prices"):
        simulate(n_traders=5, n_paths=1, prices=[100, 0, 90])
    with pytest.raises(ValueError, match="fund0"):
        simulate(n_traders=5, n_steps=5, n_paths=1, fund0=-1)
    with pytest.raises(ValueError, match="n_traders"):
        make_population(0)
    with pytest.raises(ValueError, match="seed"):
        gbm_jump_paths(2, 2, seed=-3)


# ----------------------------------------------------------------------------------------------------------------
# The event-driven engine: many events, none, and the corners of its bookkeeping


@pytest.mark.parametrize("mechanism", [*MECHANISMS, "venue_adl"])
def test_many_events_identical(mechanism):
    # high leverage, a long deep crash and a thin book: liquidations at most steps of the crash, cascades of many
    # rounds, bad debt beyond the fund, socialization again and again. For venue_adl, ADL again and again: each path
    # runs on its shrunk positions (the engine re-sorts the path's row with its new sizes and collateral)
    pop = make_population(300, seed=9, max_leverage=100, long_share=0.7)
    kw = dict(population=pop, prices=noisy_crash(100, **LONG_CRASH), mechanism=mechanism, fund0=100.0, depth=1e5)
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert_conserves(b, 100.0)
    if mechanism == "venue_adl":
        assert (b.n_deleveraged > 0).sum() >= 3 and (b.socialized_minor > 0).sum() >= 3
        return
    assert np.all((b.n_liquidated > 0).sum(axis=1) >= 25)  # events at many steps of every path
    assert b.n_liquidated.max() >= 30 and b.bad_debt_cents.sum() > 0
    if mechanism != "none":
        assert (b.socialized_cents > 0).sum() >= 3


def test_no_events_identical():
    # unlevered traders on a calm market: nobody is ever liquidated, the marks are the prices
    pop = make_population(80, seed=2, max_leverage=1.0)
    prices = gbm_jump_paths(3, 150, seed=2, sigma=0.3, jump_rate=0.0)
    for mechanism in ("none", "pnl_haircut_queue"):
        kw = dict(population=pop, prices=prices, mechanism=mechanism, fund0=1000.0, fee_inflow=2.5)
        a, b = simulate_reference(**kw), simulate(**kw)
        assert_same(a, b)
        assert b.n_liquidated.sum() == 0 and np.all(b.liquidated_step == -1)
        assert np.array_equal(b.mark, prices)
        assert np.array_equal(b.fund_cents, 100_000 + 250 * np.arange(151)[None, :].repeat(3, axis=0))


def test_flat_prices_one_event_each_path():
    # a flat price: only the traders underwater at the start go, in step 1; then nothing for 300 steps
    pop = make_population(200, seed=3, max_leverage=50, entry_sd=0.03)
    kw = dict(population=pop, prices=np.full(301, 100.0), n_paths=2, mechanism="clawback")
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert b.n_liquidated[:, 0].min() > 0 and b.n_liquidated[:, 1:].sum() == 0


@pytest.mark.parametrize("max_rounds", [1, 2, 3])
def test_max_rounds_cap_identical(max_rounds):
    pop = make_population(120, seed=4, max_leverage=80)
    path = crash_replay(40, crash=0.4, start=2, crash_steps=2)
    kw = dict(population=pop, prices=path, n_paths=1, mechanism="contracts_pro_rata", fund0=0.0, depth=3e4,
              max_rounds=max_rounds, resilience=0.5)
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert b.n_liquidated.sum() > 0


@pytest.mark.parametrize("long_share", [0.0, 1.0])
def test_one_sided_market_identical(long_share):
    pop = make_population(50, seed=6, long_share=long_share, max_leverage=30)
    kw = dict(population=pop, n_steps=80, n_paths=3, seed=6, **HOT)
    for mechanism in ("clawback", "pnl_haircut_queue"):
        a, b = simulate_reference(mechanism=mechanism, **kw), simulate(mechanism=mechanism, **kw)
        assert_same(a, b)
        assert b.n_liquidated.sum() > 0


@pytest.mark.parametrize("kw", [
    dict(resilience=0.0), dict(resilience=1.0), dict(impact="linear", coef=0.05), dict(max_impact=0.9, depth=1e4),
    dict(n_steps=1), dict(n_steps=2, n_paths=1), dict(fee_inflow=0.0, fund0=0.0), dict(mmr=0.3),
])
def test_parameter_corners_identical(kw):
    args = dict(n_traders=40, n_steps=60, n_paths=3, seed=12, mechanism="clawback",
                price_kw=dict(sigma=1.5, jump_rate=300)) | kw
    assert_same(simulate_reference(**args), simulate(**args))


def test_paths_are_independent():
    # each path runs on its own clock: simulating paths together or one by one gives the same numbers
    pop = make_population(70, seed=8, max_leverage=60)
    prices = gbm_jump_paths(5, 200, seed=8, sigma=1.5, jump_rate=300)
    together = simulate(population=pop, prices=prices, mechanism="pnl_haircut_queue", fund0=300.0)
    for p in range(5):
        alone = simulate(population=pop, prices=prices[p:p + 1], mechanism="pnl_haircut_queue", fund0=300.0)
        for f in INT_FIELDS:
            assert np.array_equal(getattr(alone, f)[0], getattr(together, f)[p]), f
        assert np.array_equal(alone.mark[0], together.mark[p])


def test_lesson_size_workload_identical_and_small():
    # the size the stress widget runs (300 traders × 250 steps × 40 paths): same numbers, little memory
    import tracemalloc
    pop = make_population(300, seed=3)
    prices = gbm_jump_paths(40, 250, seed=103, jump_rate=3 * 8760 / 250, jump_mean=-0.06)
    tracemalloc.start()
    b = simulate(population=pop, prices=prices, mechanism="clawback", fund0=5_000.0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8e6  # bytes, the result itself included
    a = simulate_reference(population=pop, prices=prices[:8], mechanism="clawback", fund0=5_000.0)
    for f in INT_FIELDS:
        assert np.array_equal(getattr(a, f), getattr(b, f)[:8]), f
    assert b.n_liquidated.sum() > 0


# ----------------------------------------------------------------------------------------------------------------
# Chunks of paths, money units, the registry's names


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_chunked_identical_to_unchunked_and_reference(mechanism):
    pop = make_population(150, seed=21, max_leverage=60)
    prices = gbm_jump_paths(7, 120, seed=21, sigma=1.5, jump_rate=400)
    kw = dict(population=pop, prices=prices, mechanism=mechanism, fund0=300.0, depth=2e5)
    whole = simulate(chunk_paths=7, **kw)
    assert_same(simulate_reference(**kw), whole)
    for chunk in (1, 2, 3, 6, 100, None):
        part = simulate(chunk_paths=chunk, **kw)
        assert_same(part, whole)
        assert np.array_equal(part.mark, whole.mark)
    if mechanism != "none":
        assert whole.socialized_minor.sum() > 0


def test_chunks_bound_the_working_memory(monkeypatch):
    # the engine sees at most chunk_paths paths at once; by default as many as CHUNK_BYTES allows for the traders
    S = sys.modules["socialized_loss.simulate"]  # (the package's attribute `simulate` is the function)
    seen = []
    real = S._run_paths
    monkeypatch.setattr(S, "_run_paths", lambda pr, pop, prices, o: (seen.append(prices.shape[0]),
                                                                      real(pr, pop, prices, o)))
    kw = dict(n_traders=30, n_steps=40, n_paths=7, seed=3, **HOT)
    simulate(chunk_paths=3, **kw)
    assert seen == [3, 3, 1]
    seen.clear()
    simulate(**kw)
    assert seen == [7]  # a small workload runs in one chunk
    # 100× the standard traders: chunks whose working memory (≤ 150 bytes per trader per path) fits the budget
    k = S._chunk_paths(100_000, 1000)
    assert 1 <= k < 200 and k * (150 * 100_000 + 16 * 1050) <= S.CHUNK_BYTES
    assert S._chunk_paths(1000, 1000) >= 200  # the standard workload: one chunk
    monkeypatch.setattr(S, "CHUNK_BYTES", 1)
    assert S._chunk_paths(1000, 1000) == 1


@pytest.mark.parametrize("unit", [1.0, 0.001])
def test_other_money_units(unit):
    kw = dict(n_traders=60, n_steps=100, n_paths=3, seed=4, mechanism="contracts_pro_rata", unit=unit, **HOT)
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert b.unit == unit and b.fee_inflow_minor == round(5.0 / unit)
    assert np.array_equal(b.bad_debt_minor, b.fund_paid_minor + b.socialized_minor + b.uncovered_minor)
    assert b.fund_minor[0, 0] == round(500.0 / unit)
    np.testing.assert_array_equal(b.fund, b.fund_minor * unit if unit == 1.0 else b.fund_minor / round(1 / unit))
    cents = simulate(**(kw | dict(unit=0.01)))
    # the same market in coarser or finer money: the ledgers agree to within rounding of each amount
    assert abs(b.bad_debt.sum() - cents.bad_debt.sum()) <= unit * b.n_liquidated.sum() + 0.01 * b.n_liquidated.sum()


def test_cents_names_are_the_minor_ledgers():
    r = simulate(n_traders=40, n_steps=30, n_paths=2, seed=1, **HOT)
    for f in ("fund", "bad_debt", "fund_paid", "socialized", "uncovered", "liq_fee", "charged"):
        assert getattr(r, f + "_cents") is getattr(r, f + "_minor")
    assert r.fee_inflow_cents == r.fee_inflow_minor == 500


def test_adl_is_a_deprecated_name_for_the_pnl_haircut_queue():
    kw = dict(n_traders=60, n_steps=80, n_paths=3, seed=0, **HOT)
    with pytest.warns(DeprecationWarning, match="pnl_haircut_queue"):
        old = simulate(mechanism="adl", **kw)
    new = simulate(mechanism="pnl_haircut_queue", **kw)
    assert old.mechanism == "pnl_haircut_queue"
    assert_same(old, new)
    assert new.socialized_minor.sum() > 0 and new.n_deleveraged.sum() == 0  # the queue seizes profit, closes nothing
    with pytest.warns(DeprecationWarning):
        mc = monte_carlo(mechanisms=["adl"], **kw)
    assert set(mc) == {"adl"} and mc["adl"].mechanism == "pnl_haircut_queue"
    with pytest.raises(ValueError, match="chunk_paths"):
        simulate(chunk_paths=0, **kw)
    with pytest.raises(ValueError, match="unit"):
        simulate(unit=0, **kw)
    with pytest.raises(ValueError, match="mechanisms"):
        monte_carlo(mechanisms="clawback", **kw)


@pytest.mark.parametrize("mechanism", EXTRA_MECHANISMS)
@pytest.mark.parametrize("seed", [0, 5])
def test_extra_registry_rules_identical(mechanism, seed):
    kw = dict(n_traders=60, n_steps=120, n_paths=4, seed=seed, mechanism=mechanism, **HOT)
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert_conserves(b)
    assert b.socialized_minor.sum() > 0 and b.mechanism == mechanism


# ----------------------------------------------------------------------------------------------------------------
# Contract-space ADL (venue_adl): positions shrink, nothing over-closed or flipped, both engines alike


def S_module():
    return sys.modules["socialized_loss.simulate"]  # (the package's attribute `simulate` is the function)


@pytest.fixture
def watch_positions(monkeypatch):
    """Wrap the simulator's socialization: every call's closes are checked (never beyond a holding, never a flip,
    only what the rule closed) and collected."""
    S = S_module()
    real = S._socialize_path
    seen = []

    def checked(pr, residual_m, coll_m, size, entry, mark, bankrupt):
        ch, dc, new_size, closed, gone = real(pr, residual_m, coll_m, size, entry, mark, bankrupt)
        assert np.all(ch >= 0) and ch.sum() <= residual_m  # the charges cover at most the residual
        assert np.all(np.sign(new_size) == np.sign(size))  # no flip (a gone account keeps its last size)
        assert np.all(np.abs(new_size) <= np.abs(size))  # never grows
        assert np.array_equal(new_size != size, closed & ~gone)  # only what the rule closed shrinks
        assert not np.any(gone & ~closed)
        assert np.array_equal(dc == -ch, ~closed | (dc == -ch))  # untouched accounts just pay their charge
        seen.append((closed.sum(), (closed & ~gone).sum(), gone.sum(), int(ch.sum()), residual_m))
        return ch, dc, new_size, closed, gone

    monkeypatch.setattr(S, "_socialize_path", checked)
    return seen


@pytest.mark.parametrize("mechanism", ALL)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_every_mechanism_reference_equals_engine(mechanism, seed):
    kw = dict(n_traders=60, n_steps=120, n_paths=4, seed=seed, mechanism=mechanism, **HOT)
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert np.array_equal(a.mark, b.mark)  # to the bit
    assert_conserves(b)
    assert b.mechanism == mechanism
    if mechanism != "none":
        assert b.socialized_minor.sum() > 0


@pytest.mark.parametrize("seed", [0, 3, 9])
def test_venue_adl_closes_part_of_positions_never_more(watch_positions, seed):
    pop = make_population(200, seed=seed, max_leverage=60)
    prices = gbm_jump_paths(4, 200, seed=seed, sigma=1.5, jump_rate=400)
    kw = dict(population=pop, prices=prices, mechanism="venue_adl", fund0=200.0, depth=2e5)
    a = simulate_reference(**kw)
    n_ref = len(watch_positions)
    b = simulate(**kw)
    assert_same(a, b)
    assert np.array_equal(a.mark, b.mark)
    assert_conserves(b, 200.0)
    assert len(watch_positions) == 2 * n_ref > 0  # both engines asked the rule the same number of times
    closed, partly, whole, charged, residual = np.array(watch_positions).sum(axis=0)
    assert partly > 0 and charged > 0  # positions were partly closed, and paid
    assert whole >= 0 and charged <= residual
    # the per-step ledgers: every step balances, the deleveraged count is the accounts the rule closed
    assert np.array_equal(b.bad_debt_minor, b.fund_paid_minor + b.socialized_minor + b.uncovered_minor)
    assert b.n_deleveraged.sum() == closed // 2 and np.all(b.uncovered_minor >= 0)


def test_venue_adl_reach_is_the_whole_book_result(monkeypatch):
    # the rule runs on the accounts the venue's ranking reaches: the same closes and charges as on the whole book
    kw = dict(n_traders=120, n_steps=150, n_paths=3, seed=2, mechanism="venue_adl", **HOT)
    fast = simulate(**kw)
    monkeypatch.setattr(S_module(), "_adl_reach", lambda book, s, want, pr: None)
    whole = simulate(**kw)
    assert_same(fast, whole)
    assert fast.n_deleveraged.sum() > 0


@pytest.mark.parametrize("venue", ["bitmex", "binance", "bybit", "dydx_v4"])
def test_venue_adl_venues_identical(venue):
    kw = dict(n_traders=80, n_steps=120, n_paths=3, seed=4, mechanism="venue_adl", venue=venue, **HOT)
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert_conserves(b)
    assert b.n_deleveraged.sum() > 0 and b.socialized_minor.sum() > 0
    assert monte_carlo(mechanisms=["venue_adl"], **{k: x for k, x in kw.items() if k != "mechanism"})[
        "venue_adl"].socialized.sum() == pytest.approx(b.socialized.sum())


def test_venue_adl_default_venue_and_bad_venue():
    kw = dict(n_traders=40, n_steps=60, n_paths=2, seed=1, mechanism="venue_adl", **HOT)
    assert DEFAULT_VENUE == "bitmex"
    assert_same(simulate(**kw), simulate(venue="BitMEX", **kw))
    for bad in ("hyperliquid", "okx", "drift_v2"):  # they close at another price, or run another rule
        with pytest.raises(ValueError, match="venue"):
            simulate(venue=bad, **kw)
    with pytest.raises(ValueError, match="name"):
        simulate_reference(venue="nowhere", **kw)
    simulate(mechanism="clawback", venue="okx", **{k: x for k, x in kw.items() if k != "mechanism"})  # unused


def test_queue_rules_close_nothing(watch_positions):
    kw = dict(n_traders=60, n_steps=120, n_paths=3, seed=0, **HOT)
    for mechanism in ("clawback", "contracts_pro_rata", "pnl_haircut_queue", "deposit_index_haircut"):
        b = simulate(mechanism=mechanism, **kw)
        assert b.n_deleveraged.sum() == 0
    assert watch_positions and all(c == 0 for c, *_ in watch_positions)


def test_venue_adl_shrunk_positions_run_on_identically():
    # a crash and a full recovery: ADL closes (part of) the winning shorts in the crash, turning the closed part's
    # profit into cash; the shorts left run on with their shrunk sizes and fewer are liquidated on the way back up
    # than with nothing socialized; the engines agree throughout
    pop = make_population(300, seed=1, max_leverage=100, long_share=0.7)
    prices = noisy_crash(120, crash=0.5, crash_steps=20, recovery=1.0, recovery_steps=10, n_paths=2, sd=0.01, seed=1)
    kw = dict(population=pop, prices=prices, fund0=50.0, depth=1e5)
    a, b = simulate_reference(mechanism="venue_adl", **kw), simulate(mechanism="venue_adl", **kw)
    assert_same(a, b)
    assert_conserves(b, 50.0)
    none = simulate(mechanism="none", **kw)
    shorts = pop.side < 0
    late = lambda r: int((r.liquidated_step[:, shorts] > 20).sum())  # shorts liquidated in the recovery
    assert b.n_deleveraged.sum() > 0 and late(none) > 0
    assert late(b) < late(none)


def test_venue_adl_both_sides_bankrupt_in_one_step(watch_positions):
    # traders under water at the start on both sides (entries spread, flat price, no fund): one step has bankrupt
    # longs and shorts; the residual is split between the sides by their bad debt and each side's quantity is
    # closed against the other side; the engines agree and the ledgers balance
    pop = make_population(200, seed=3, max_leverage=50, entry_sd=0.03)
    kw = dict(population=pop, prices=np.full(31, 100.0), n_paths=2, mechanism="venue_adl", fund0=0.0)
    a, b = simulate_reference(**kw), simulate(**kw)
    assert_same(a, b)
    assert_conserves(b, 0.0)
    assert b.socialized_minor[:, 0].min() > 0 and b.n_deleveraged[:, 0].min() > 0
    longs_charged = (b.charged_minor[:, pop.side > 0] > 0).any()
    shorts_charged = (b.charged_minor[:, pop.side < 0] > 0).any()
    assert longs_charged and shorts_charged  # both sides were deleveraged

"""Property tests of every rule in the registry on random books (hypothesis).

Properties: money is conserved exactly in minor units (Σ charges + Σ external + uncovered = shortfall), charges are
exact multiples of the unit, no charge is below zero or above the cap the rule itself states *and* the cap read off
the book independently, no position is closed beyond what it holds, the uncovered rest is reported (≥ 0).

Two tiers: a few examples per rule by default, drawn field by field (good shrinking); ≥ 10⁴ examples per rule in
the ``slow`` tier (``pytest -m slow tests/test_rules_properties.py``), where hypothesis draws one seed per example and
numpy builds the same kind of book and parameters from it (ten times cheaper to generate on a small machine).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialized_loss.allocation import _scale
from socialized_loss.rules import RULES, Book, apply_rule
from socialized_loss.venues import VENUES

ADL_VENUES = [r.key for r in VENUES if r.ranking in ("pnl_x_leverage", "leverage_pnl", "mark_entry_x_leverage",
                                                     "random_start")]
UNITS = [0.01, 1.0, 1e-8]


def money(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 2))


@st.composite
def books(draw, n_min=1):
    n = draw(st.integers(n_min, 9))
    sizes = draw(st.lists(st.one_of(st.just(0.0), st.floats(-50, 50).map(lambda x: round(x, 4))),
                          min_size=n, max_size=n))
    entries = draw(st.lists(money(1, 1000).filter(lambda x: x > 0), min_size=n, max_size=n))
    coll = draw(st.lists(money(-200, 5000), min_size=n, max_size=n))
    mark = draw(money(1, 1000).filter(lambda x: x > 0))
    return Book(sizes, entries, coll, mark)


@st.composite
def cases(draw, name):
    """(book, shortfall, unit, params) for rule ``name``."""
    unit = draw(st.sampled_from(UNITS))
    book = draw(books(n_min=2 if name == "venue_adl" else 1))
    shortfall = draw(money(0, 50_000))
    n = book.n
    fracs = st.lists(st.floats(0, 1), min_size=n, max_size=n)
    p: dict = {}
    if name == "withdrawal_factor" and draw(st.booleans()):
        p["withdrawals"] = [f * max(e, 0.0) for f, e in zip(draw(fracs), book.equity)]
    if name == "withdrawal_factor" and draw(st.booleans()):  # the published factor itself
        p["factor"] = draw(st.one_of(st.floats(0, 1), fracs))
    if name == "capped_pro_rata":
        p["beta"] = draw(st.one_of(st.floats(0, 1), fracs))
        p["severity"] = draw(st.floats(0, 1))
    elif name == "pnl_haircut_queue":
        p["severity"] = draw(st.floats(0, 1))
        if draw(st.booleans()):
            p["order"] = draw(st.permutations(list(range(n))))
    elif name in ("vault_backstop", "staker_backstop"):
        p["stakes"] = draw(st.lists(money(0, 20_000), min_size=n, max_size=n))
        if name == "staker_backstop":
            p["offset"] = draw(money(0, 5_000))
            p["max_slash"] = draw(st.floats(0, 1))
    elif name == "ccp_waterfall":
        p["default_fund"] = draw(st.lists(money(0, 10_000), min_size=n, max_size=n))
        p["defaulter"] = draw(st.one_of(st.none(), st.integers(0, n - 1)))
        p["skin_in_the_game"] = draw(money(0, 5_000))
        p["assessment_multiple"] = draw(st.floats(0, 3))
        p["vm_gains_haircut"] = draw(st.booleans())
        if draw(st.booleans()):
            p["defaulter_margin"] = draw(money(0, 5_000))
        if draw(st.booleans()):
            p["assessments"] = draw(st.lists(money(0, 10_000), min_size=n, max_size=n))
    elif name == "venue_adl":
        open_ = np.flatnonzero(book.sizes != 0)
        if len(open_) == 0:  # make one position to deleverage
            book = Book(np.r_[-1.0, book.sizes[1:]], book.entry_prices, book.collateral, book.mark_price)
            open_ = np.array([0])
        p["venue"] = draw(st.sampled_from(ADL_VENUES))
        p["bankrupt"] = int(draw(st.sampled_from(list(open_))))
        p["bankruptcy_price"] = draw(money(1, 1000).filter(lambda x: x > 0))
        p["previous_price"] = draw(money(1, 1000).filter(lambda x: x > 0))
        p["insurance_fund"] = draw(money(0, 50_000))
        p["force"] = draw(st.booleans())
        p["seed"] = draw(st.integers(0, 2**16))
        p["lot"] = draw(st.sampled_from([1.0, 0.01, 0.001, 1e-4]))
        if draw(st.booleans()):
            p["scores"] = draw(st.lists(st.floats(-5, 5), min_size=book.n, max_size=book.n))
    return book, shortfall, unit, p


def book_caps(name, book, p):
    """The most the rule may charge each account, read off the book (money; inf = no cap)."""
    payer = book.equity >= 0
    profit = np.where(payer, np.maximum(book.pnl, 0.0), 0.0)
    if name in ("clawback", "pnl_haircut_queue"):
        return profit
    if name == "capped_pro_rata":
        return np.broadcast_to(p["beta"], (book.n,)) * profit
    if name == "deposit_index_haircut":
        return np.where(payer, np.maximum(book.collateral, 0.0), 0.0)
    if name == "withdrawal_factor":
        return np.asarray(p.get("withdrawals", np.where(payer, np.maximum(book.equity, 0.0), 0.0)))
    if name == "vault_backstop":
        return np.asarray(p["stakes"])
    if name == "staker_backstop":
        return np.asarray(p["stakes"]) * p["max_slash"]
    if name == "ccp_waterfall":
        df = np.asarray(p["default_fund"])
        other = np.ones(book.n, dtype=bool)
        if p["defaulter"] is not None:
            other[p["defaulter"]] = False
        gains = profit * other if p["vm_gains_haircut"] else 0.0
        assess = np.asarray(p["assessments"]) if "assessments" in p else df * p["assessment_multiple"]
        return df + assess * other + gains
    if name in ("clawback_uncapped", "contracts_pro_rata"):
        return np.where(payer & ((profit > 0) if name == "clawback_uncapped" else (book.sizes != 0)), np.inf, 0.0)
    raise AssertionError(name)


def check(name, book, shortfall, unit, p):
    a = apply_rule(name, book, shortfall, unit=unit, **p)
    s = _scale(unit)
    ints = lambda x: np.rint(np.asarray(x, dtype=float) * s).astype(np.int64)
    # exact multiples of the unit
    assert np.array_equal(ints(a.charges) / s, a.charges)
    # money conserved exactly in minor units
    total = int(ints(a.charges).sum()) + sum(int(ints(x)) for x in a.external.values()) + int(ints(a.uncovered))
    assert total == int(ints(shortfall)) == int(ints(a.shortfall))
    assert a.uncovered >= 0
    # no position over-closed; closed quantities are ≥ 0
    assert np.all(a.closed >= 0) and np.all(a.closed <= np.abs(book.sizes) * (1 + 1e-12) + 1e-12)
    tol = unit * (1 + 1e-9) + 1e-9 * np.abs(a.charges)
    if name == "venue_adl":
        b = p["bankrupt"]
        cp = np.arange(book.n) != b
        assert a.closed[b] == pytest.approx(a.closed[cp].sum(), abs=1e-9)
        assert np.all(a.closed[cp][np.sign(book.sizes[cp]) == np.sign(book.sizes[b])] == 0)  # same side untouched
        gap = np.abs(book.mark_price - np.nan_to_num(a.close_prices))
        assert np.all(np.abs(a.charges) <= gap * a.closed + tol)  # within one unit of (mark − close) × qty
        assert np.all(a.charges[~cp] == 0) and np.all(a.fees >= 0)
        assert np.all(np.abs(a.charges) <= a.caps + 1e-9)
        return a
    # never below zero, never above the rule's stated cap nor the cap read off the book
    assert np.all(a.charges >= 0)
    assert np.all(a.charges <= a.caps + 1e-9 * np.abs(a.caps))
    assert np.all(a.charges <= book_caps(name, book, p) + 1e-9 * np.abs(a.charges))
    assert not a.closed.any()
    return a


def case_from_seed(name, seed):
    """(book, shortfall, unit, params) for rule ``name``, built by numpy from ``seed`` (same ranges as ``cases``)."""
    g = np.random.default_rng(seed)
    unit = UNITS[g.integers(len(UNITS))]
    n = int(g.integers(2 if name == "venue_adl" else 1, 10))
    sizes = np.where(g.random(n) < 0.2, 0.0, np.round(g.uniform(-50, 50, n), 4))
    book = Book(sizes, np.round(g.uniform(1, 1000, n), 2), np.round(g.uniform(-200, 5000, n), 2),
                round(float(g.uniform(1, 1000)), 2))
    shortfall = round(float(g.uniform(0, 50_000)) * float(g.random() < 0.9), 2)
    p: dict = {}
    if name == "withdrawal_factor" and g.random() < 0.5:
        p["withdrawals"] = list(g.random(n) * np.maximum(book.equity, 0.0))
    if name == "withdrawal_factor" and g.random() < 0.5:  # the published factor itself
        p["factor"] = float(g.random()) if g.random() < 0.5 else list(g.random(n))
    if name == "capped_pro_rata":
        p["beta"] = float(g.random()) if g.random() < 0.5 else list(g.random(n))
        p["severity"] = float(g.random())
    elif name == "pnl_haircut_queue":
        p["severity"] = float(g.random())
        if g.random() < 0.5:
            p["order"] = list(g.permutation(n))
    elif name in ("vault_backstop", "staker_backstop"):
        p["stakes"] = list(np.round(g.uniform(0, 20_000, n), 2))
        if name == "staker_backstop":
            p["offset"] = round(float(g.uniform(0, 5_000)), 2)
            p["max_slash"] = float(g.random())
    elif name == "ccp_waterfall":
        p["default_fund"] = list(np.round(g.uniform(0, 10_000, n), 2))
        p["defaulter"] = None if g.random() < 0.3 else int(g.integers(n))
        p["skin_in_the_game"] = round(float(g.uniform(0, 5_000)), 2)
        p["assessment_multiple"] = float(g.uniform(0, 3))
        p["vm_gains_haircut"] = bool(g.random() < 0.5)
        if g.random() < 0.5:
            p["defaulter_margin"] = round(float(g.uniform(0, 5_000)), 2)
        if g.random() < 0.5:
            p["assessments"] = list(np.round(g.uniform(0, 10_000, n), 2))
    elif name == "venue_adl":
        open_ = np.flatnonzero(book.sizes != 0)
        if len(open_) == 0:
            book = Book(np.r_[-1.0, book.sizes[1:]], book.entry_prices, book.collateral, book.mark_price)
            open_ = np.array([0])
        p["venue"] = ADL_VENUES[g.integers(len(ADL_VENUES))]
        p["bankrupt"] = int(g.choice(open_))
        p["bankruptcy_price"] = round(float(g.uniform(1, 1000)), 2)
        p["previous_price"] = round(float(g.uniform(1, 1000)), 2)
        p["insurance_fund"] = round(float(g.uniform(0, 50_000)), 2)
        p["force"] = bool(g.random() < 0.5)
        p["seed"] = int(g.integers(2**16))
        p["lot"] = [1.0, 0.01, 0.001, 1e-4][g.integers(4)]
        if g.random() < 0.5:
            p["scores"] = list(g.uniform(-5, 5, book.n))
    return book, shortfall, unit, p


NAMES = sorted(RULES)


def run(name, examples):
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(cases(name))
    def prop(case):
        check(name, *case)

    prop()


@pytest.mark.parametrize("name", NAMES)
def test_rule_properties_quick(name):
    run(name, 25)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_rule_properties_10k(name):
    @settings(max_examples=10_000, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(0, 2**63 - 1))
    def prop(seed):
        check(name, *case_from_seed(name, seed))

    prop()


def test_seeded_cases_run():
    # the slow tier's generator, a few seeds per rule in the default tier
    for name in NAMES:
        for seed in range(5):
            check(name, *case_from_seed(name, seed))


def test_venue_adl_closes_everything_the_opposite_side_can_take():
    # deterministic companion: with capacity on the other side, the whole bankrupt position is closed
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(2, 8))
        sizes = np.round(rng.uniform(0.001, 3, n), 3)
        sizes[0] = -np.round(sizes[1:].sum() * rng.uniform(0.1, 1.0), 3) or -0.001
        b = Book(sizes, 100.0, np.r_[0.0, np.full(n - 1, 1e4)], 101.0)
        a = apply_rule("venue_adl", b, 0.0, venue="bitmex", bankrupt=0, bankruptcy_price=100.5, lot=0.001,
                       force=True)
        assert a.closed[0] == pytest.approx(-sizes[0], abs=1e-12)

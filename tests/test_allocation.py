"""Tests for the exact primitives ``sequential`` and ``pro_rata`` (socialized_loss.allocation)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_tiers import tiered

import socialized_loss as sl
from socialized_loss.allocation import (
    MAX_EXACT_MINOR,
    Shared,
    from_minor,
    pro_rata,
    pro_rata_minor,
    sequential,
    sequential_minor,
    to_minor,
)

# ----------------------------------------------------------------------------------------------------------------
# independent reference (exact rational arithmetic, plain Python loops) for integer weights


def ref_water_fill(T: int, w: list, caps: list[int] | None) -> list[Fraction]:
    """Exact shares min(cap_i, λ w_i) with Σ = T, by repeatedly fixing accounts whose share exceeds their cap."""
    n = len(w)
    share = [Fraction(0)] * n
    free = [i for i in range(n) if w[i] > 0 and (caps is None or caps[i] > 0)]
    if not free:
        return share
    R = Fraction(T)
    while True:
        W = sum(w[i] for i in free)
        over = [i for i in free if caps is not None and R * w[i] / W > caps[i]]
        if not over:
            for i in free:
                share[i] = R * w[i] / W
            return share
        for i in over:
            share[i] = Fraction(caps[i])
            R -= caps[i]
            free.remove(i)


def ref_largest_remainder(T: int, w: list, caps: list[int] | None) -> list[int]:
    q = ref_water_fill(T, w, caps)
    f = [int(x) for x in q]  # floor, q ≥ 0
    left = T - sum(f)
    keys = sorted(range(len(w)), key=lambda i: (-(q[i] - f[i]), -w[i], i))
    for i in keys[:left]:
        f[i] += 1
    return f


# ----------------------------------------------------------------------------------------------------------------
# unit examples


def test_to_minor_round_half_to_even_and_back():
    assert list(to_minor([0.125, 0.135, 0.005, 0.015, -0.125])) == [12, 14, 0, 2, -12]
    assert to_minor(1.5, unit=1) == 2 and to_minor(2.5, unit=1) == 2
    assert to_minor(0.123456785, unit=1e-8) == 12345678  # tie → even
    n = np.array([-7, 0, 1, 12345, 10**12])
    assert np.array_equal(to_minor(from_minor(n)), n)
    assert np.array_equal(to_minor(from_minor(n, 1e-8), 1e-8), n)
    assert to_minor(from_minor(123456789, 1e-8), 1e-8) == 123456789


def test_drift_example_reproduces_63_64_and_36_36():
    x = pro_rata(100, [7, 4])
    assert list(to_minor(x)) == [6364, 3636]
    assert to_minor(x).sum() == 10000


def test_pro_rata_tie_rule_remainder_then_weight_then_index():
    # equal remainders and weights: lower index first
    assert list(to_minor(pro_rata(0.10, [1, 1, 1]))) == [4, 3, 3]
    # 0.05 over (2, 1, 1, 1)×… : quotas 2, 1, 1, 1 → exact; 0.06 → 2.4, 1.2, 1.2, 1.2: largest remainder wins
    assert list(to_minor(pro_rata(0.06, [2, 1, 1, 1]))) == [3, 1, 1, 1]
    # equal remainders, larger weight first: weights (1, 3), amount 0.02 → quotas 0.5, 1.5 → remainders tie
    assert list(to_minor(pro_rata(0.02, [1, 3]))) == [0, 2]
    assert list(to_minor(pro_rata(0.02, [3, 1]))) == [2, 0]


def test_alabama_paradox_is_real_and_documented():
    # largest remainder is not house-monotone: the third account pays less when the amount grows by one cent
    assert list(to_minor(pro_rata(0.10, [6, 6, 2]))) == [4, 4, 2]
    assert list(to_minor(pro_rata(0.11, [6, 6, 2]))) == [5, 5, 1]
    assert "Alabama" in sl.allocation.__doc__


def test_pro_rata_caps_water_fill():
    x = pro_rata(10, [1, 2, 3], caps=[1, 100, 2])
    assert list(x) == [1.0, 7.0, 2.0]
    # amount beyond total caps: everyone at cap
    assert list(pro_rata(50, [1, 1], caps=[3, 4])) == [3.0, 4.0]


def test_pro_rata_zero_amount_and_zero_weight():
    assert list(pro_rata(0, [0, 0])) == [0.0, 0.0]
    assert list(pro_rata(0, [])) == []
    x = pro_rata(9, [0, 1, 2])
    assert x[0] == 0 and list(x) == [0.0, 3.0, 6.0]


def test_pro_rata_short_capacity_shares_what_fits_and_reports_the_rest():
    # one behaviour whether the weighted accounts' caps or all caps are short (issue 10: it used to raise in one
    # case and silently cap in the other): everyone who can pay pays its cap, the rest is reported
    r = pro_rata(5, [1, 0], caps=[2, 10], with_rest=True)
    assert isinstance(r, Shared) and list(r.charges) == [2.0, 0.0] and r.rest == 3.0
    r = pro_rata(50, [1, 1], caps=[3, 4], with_rest=True)
    assert list(r.charges) == [3.0, 4.0] and r.rest == 43.0
    r = pro_rata(1, [0, 0], with_rest=True)
    assert list(r.charges) == [0.0, 0.0] and r.rest == 1.0
    assert list(pro_rata(5, [1, 0], caps=[2, 10])) == [2.0, 0.0]  # without with_rest: the charges alone
    assert pro_rata(0.03, [1, 1], with_rest=True).rest == 0.0
    x = pro_rata_minor(5, [1, 0], caps=np.array([2, 10]))
    assert x.tolist() == [2, 0] and x.dtype == np.int64
    assert pro_rata_minor(7, [0.0, 0.0]).tolist() == [0, 0]


def test_public_integer_primitives():
    assert sequential_minor(250, np.array([100, 100, 100])).tolist() == [100, 100, 50]
    assert sequential_minor(250, np.array([100, 100, 100]), order=[2, 0, 1]).tolist() == [100, 50, 100]
    assert pro_rata_minor(10000, [7, 4]).tolist() == [6364, 3636]
    assert pro_rata_minor(10000, np.array([7, 4])).tolist() == [6364, 3636]
    assert {"sequential_minor", "pro_rata_minor"} <= set(sl.allocation.__all__)
    from socialized_loss.allocation import (  # the old names stay as aliases
        _pro_rata_int,
        _sequential_int,
    )

    assert _sequential_int(5, np.array([3, 3]), np.arange(2)).tolist() == [3, 2]
    assert _pro_rata_int(5, np.array([1.0, 1.0]), None).tolist() == [3, 2]


def test_inputs_are_not_modified_or_frozen():
    w = np.array([1.0, 2.0, 3.0])
    caps = np.array([100, 100, 100])
    order = np.array([2, 1, 0])
    pro_rata_minor(50, w, caps=caps)
    sequential_minor(50, caps, order=order)
    pro_rata(0.5, w, caps=caps.astype(float))
    assert w.flags.writeable and caps.flags.writeable and order.flags.writeable
    assert w.tolist() == [1.0, 2.0, 3.0] and caps.tolist() == [100] * 3 and order.tolist() == [2, 1, 0]


def test_sequential_examples():
    d = sequential(10, [3, 4, 5])
    assert list(d.draws) == [3, 4, 3] and d.rest == 0
    d = sequential(10, [3, 4, 5], order=[2, 0, 1])
    assert list(d.draws) == [3, 2, 5] and d.rest == 0
    d = sequential(20, [3, 4, 5])
    assert list(d.draws) == [3, 4, 5] and d.rest == 8
    assert isinstance(d, sl.Drawn)


def test_unit_btc_satoshis():
    x = pro_rata(1.0, [1, 1, 1], unit=1e-8)
    assert list(to_minor(x, 1e-8)) == [33333334, 33333333, 33333333]


def test_large_vectorised_fast():
    rng = np.random.default_rng(1)
    n = 100_000
    w = rng.exponential(size=n)
    caps = np.round(rng.exponential(size=n) * 10, 2)
    amount = round(float(caps.sum()) * 0.6, 2)
    x = pro_rata(amount, w, caps=caps)
    assert to_minor(x).sum() == to_minor(amount)
    assert np.all(to_minor(x) <= to_minor(caps))
    d = sequential(amount, caps)
    assert to_minor(d.draws).sum() == to_minor(amount)


# ----------------------------------------------------------------------------------------------------------------
# issue 10 regressions: exact and honest at every size


def test_clawback_of_huge_satoshi_book_answers_quickly_and_exactly():
    # Σ caps = 10**19 satoshis overflows int64; it used to wrap and spin for minutes
    r = sl.clawback(1000.0, [1e6] * 100_000, unit=1e-8)
    assert r.uncovered == 0.0
    assert to_minor(r.charges, 1e-8).sum() == to_minor(1000.0, 1e-8)
    assert np.all(r.charges == 0.01)


def test_weights_whose_float_sum_overflows():
    assert pro_rata(1, [1e308, 1e308, 5e307]).tolist() == [0.4, 0.4, 0.2]  # not equal thirds
    assert pro_rata(0.1, [1e-300, 1e300, 1e-300]).tolist() == [0.0, 0.1, 0.0]
    assert pro_rata(100, [1e308, 1e308], caps=[30, 100]).tolist() == [30.0, 70.0]


def test_pro_rata_exact_where_float_shares_break_the_quota():
    # 2**53 + 1 is not a float; shares of a huge amount in float would drift by more than a unit
    A = 2**62
    x = pro_rata_minor(A, [3.0, 1.0, 1.0])
    exact = [Fraction(A * 3, 5), Fraction(A, 5), Fraction(A, 5)]
    assert sum(x.tolist()) == A
    assert all(abs(xi - q) < 1 for xi, q in zip(x.tolist(), exact))
    x = pro_rata_minor(A, [1.0, 1.0 + 2**-52])  # remainders equal in float, not in exact arithmetic
    assert x.tolist() == ref_largest_remainder(A, [Fraction(1), Fraction(1) + Fraction(1, 2**52)], None)


def test_sequential_with_totals_beyond_int64():
    caps = np.array([2**62, 2**62, 2**62], dtype=np.int64)
    assert sequential_minor(2**62, caps).tolist() == [2**62, 0, 0]
    assert sequential_minor(2**62, caps, order=[1, 2, 0]).tolist() == [0, 2**62, 0]
    d = sequential(1000.0, [1e6] * 100_000, unit=1e-8)
    assert d.rest == 0.0 and d.draws[0] == 1000.0 and d.draws[1] == 0.0


def test_round_trip_is_exact_over_the_documented_range():
    n = np.array([MAX_EXACT_MINOR, -MAX_EXACT_MINOR, 2**51 - 3, 2**50 + 1, 123456789012345, 1, 0])
    for unit in (0.01, 1e-8, 0.125, 0.05, 0.3, 7e-9, 1e-6):
        assert np.array_equal(to_minor(from_minor(n, unit), unit), n), unit
    with pytest.raises(ValueError, match="n"):
        from_minor(2**51)
    with pytest.raises(ValueError, match="x"):
        to_minor(2.0**51 * 0.01)


# ----------------------------------------------------------------------------------------------------------------
# errors


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: pro_rata(float("nan"), [1]), "amount"),
        (lambda: pro_rata(-1, [1]), "amount"),
        (lambda: pro_rata([1, 2], [1]), "amount"),
        (lambda: pro_rata("5", [1]), "amount"),
        (lambda: pro_rata(True, [1]), "amount"),
        (lambda: pro_rata(1 + 0j, [1]), "amount"),
        (lambda: pro_rata(1, [1, -1]), "weights"),
        (lambda: pro_rata(1, [1, float("inf")]), "weights"),
        (lambda: pro_rata(1, ["1", 2]), "weights"),
        (lambda: pro_rata(1, [True, 2]), "weights"),
        (lambda: pro_rata(1, [[1, 2], [3]]), "weights"),
        (lambda: pro_rata(1, 3.0), "weights"),
        (lambda: pro_rata(1, [1, 2], caps=[1]), "caps"),
        (lambda: pro_rata(1, [1, 2], caps=[1, -2]), "caps"),
        (lambda: pro_rata(1, [1], unit=0), "unit"),
        (lambda: pro_rata(1, [1], unit=[0.01]), "unit"),
        (lambda: pro_rata(1, [1], unit="0.01"), "unit"),
        (lambda: pro_rata(1, [1], with_rest="yes"), "with_rest"),
        (lambda: sequential(-1, [1]), "amount"),
        (lambda: sequential([1], [1]), "amount"),
        (lambda: sequential(1, [1, float("nan")]), "capacities"),
        (lambda: sequential(1, [1, -1]), "capacities"),
        (lambda: sequential(1, [1, 2], order=[0, 0]), "order"),
        (lambda: sequential(1, [1, 2], order=[0]), "order"),
        (lambda: sequential(1, [1], unit=-1), "unit"),
        (lambda: to_minor(float("inf")), "x"),
        (lambda: to_minor(1e30), "x"),
        (lambda: to_minor("12.5"), "x"),
        (lambda: from_minor(1.5), "n"),
        (lambda: sequential_minor(1.0, np.array([1])), "amount"),
        (lambda: sequential_minor(-1, np.array([1])), "amount"),
        (lambda: sequential_minor(2**63, np.array([1])), "amount"),
        (lambda: sequential_minor(1, np.array([1.0])), "capacities"),
        (lambda: sequential_minor(1, np.array([-1])), "capacities"),
        (lambda: sequential_minor(1, np.array([[1]])), "capacities"),
        (lambda: sequential_minor(1, np.array([1, 2]), order=[1, 1]), "order"),
        (lambda: pro_rata_minor(True, [1]), "amount"),
        (lambda: pro_rata_minor(1, [-1]), "weights"),
        (lambda: pro_rata_minor(1, np.array([-1])), "weights"),
        (lambda: pro_rata_minor(1, [1], caps=np.array([0.5])), "caps"),
        (lambda: pro_rata_minor(1, [1, 1], caps=np.array([1])), "caps"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ----------------------------------------------------------------------------------------------------------------
# properties (quick by default; ``-m slow`` runs 10⁴ examples of each)

cents = st.integers(min_value=0, max_value=10**7)
int_weights = st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6)


@st.composite
def weights_caps(draw, with_caps=True):
    w = draw(int_weights)
    caps = None
    if with_caps and draw(st.booleans()):
        caps = [draw(st.integers(min_value=0, max_value=10**5)) for _ in w]
    return w, caps


def _placeable(A: int, w, caps) -> int:
    """What the rule can place: min(amount, Σ caps of weighted accounts); 0 without any weight."""
    if caps is None:
        return A if any(wi > 0 for wi in w) else 0
    return min(A, sum(c for c, wi in zip(caps, w) if wi > 0))


def check_pro_rata_matches_exact_reference(A, wc):
    w, caps = wc
    C = None if caps is None else np.array(caps, dtype=np.int64)
    T = _placeable(A, w, caps)
    x = pro_rata_minor(A, w, caps=C)
    assert x.dtype == np.int64
    assert x.sum() == T  # conservation, exact; the caller's rest A − T is what no account could take
    assert np.all(x >= 0)
    if caps is not None:
        assert np.all(x <= C)
    assert all(xi == 0 for xi, wi in zip(x, w) if wi == 0)
    assert list(x) == ref_largest_remainder(T, w, caps)
    # the money wrapper agrees and reports the rest
    r = pro_rata(from_minor(A), w, caps=None if C is None else from_minor(C), with_rest=True)
    assert to_minor(r.charges).tolist() == x.tolist() and to_minor(r.rest) == A - T


test_pro_rata_matches_exact_reference, test_pro_rata_matches_exact_reference_slow = tiered(
    A=cents, wc=weights_caps())(check_pro_rata_matches_exact_reference)


def check_pro_rata_float_weights_exact_quota(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    w = rng.exponential(size=n) * 10.0 ** rng.integers(-300, 300, size=n) if rng.random() < 0.2 else \
        rng.exponential(size=n) * 10.0 ** int(rng.integers(-6, 7))
    w[rng.random(n) < 0.25] = 0.0
    C = rng.integers(0, 10 ** int(rng.integers(1, 16)), size=n) if rng.random() < 0.7 else None
    A = int(rng.integers(0, 2**62)) if rng.random() < 0.2 else int(rng.integers(0, 10**9))
    wq = [Fraction(float(x)) for x in w]  # exact values of the float weights
    caps = None if C is None else C.tolist()
    T = _placeable(A, wq, caps)
    x = pro_rata_minor(A, w, caps=C)
    assert int(sum(x.tolist())) == T and np.all(x >= 0)
    if C is not None:
        assert np.all(x <= C)
    assert np.all(x[w == 0] == 0)
    exact = ref_water_fill(T, wq, caps)
    assert all(abs(xi - q) < 1 for xi, q in zip(x.tolist(), exact))  # quota: within one unit, exactly
    assert x.tolist() == ref_largest_remainder(T, wq, caps)


test_pro_rata_float_weights_exact_quota, test_pro_rata_float_weights_exact_quota_slow = tiered(
    seed=st.integers(0, 2**63 - 1))(check_pro_rata_float_weights_exact_quota)


def check_pro_rata_monotone_in_amount(A, dA, wc):
    w, caps = wc
    C = None if caps is None else np.array(caps, dtype=np.int64)
    x1 = pro_rata_minor(A, w, caps=C)
    x2 = pro_rata_minor(A + dA, w, caps=C)
    # exact shares are monotone; rounded ones within one unit of them (Alabama paradox), totals monotone
    assert x2.sum() >= x1.sum()
    assert np.all(x2 >= x1 - 1)


test_pro_rata_monotone_in_amount, test_pro_rata_monotone_in_amount_slow = tiered(
    A=cents, dA=st.integers(0, 10**5), wc=weights_caps())(check_pro_rata_monotone_in_amount)


def _random_layers(seed: int):
    """A random case drawn from a seed (cheap for hypothesis: one integer per example)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 12))
    scale = 10 ** int(rng.integers(0, 19))
    caps = rng.integers(0, scale, size=n, dtype=np.int64, endpoint=True) if scale < 2**63 else \
        rng.integers(0, 2**62, size=n, dtype=np.int64)
    caps[rng.random(n) < 0.2] = 0
    total = int(sum(caps.tolist()))
    A = int(rng.integers(0, min(2**62, 2 * total + 2)))
    return rng, caps, A


def check_sequential_conservation_and_order(seed):
    rng, caps, A = _random_layers(seed)
    perm = rng.permutation(len(caps))
    x = sequential_minor(A, caps, order=perm)
    assert int(sum(x.tolist())) == min(A, int(sum(caps.tolist())))  # exact, even beyond int64
    assert np.all(x >= 0) and np.all(x <= caps)
    # layers are used strictly in order: a layer is touched only if all earlier ones are full
    full = True
    for i in perm:
        if not full:
            assert x[i] == 0
        full = full and x[i] == caps[i]
    if A < MAX_EXACT_MINOR and np.all(caps < MAX_EXACT_MINOR):
        d = sequential(from_minor(A), from_minor(caps), order=perm)
        assert to_minor(d.draws).tolist() == x.tolist() and to_minor(d.rest) == A - int(sum(x.tolist()))


test_sequential_conservation_and_order, test_sequential_conservation_and_order_slow = tiered(
    seed=st.integers(0, 2**63 - 1))(check_sequential_conservation_and_order)


def check_sequential_monotone(seed, dA):
    rng, caps, A = _random_layers(seed)
    perm = rng.permutation(len(caps))
    x1 = sequential_minor(A, caps, order=perm)
    x2 = sequential_minor(min(A + dA, 2**62), caps, order=perm)
    assert np.all(x2 >= x1)


test_sequential_monotone, test_sequential_monotone_slow = tiered(
    seed=st.integers(0, 2**63 - 1), dA=st.integers(0, 10**6))(check_sequential_monotone)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), max_size=20))
def test_round_trip_minor_units(xs):
    n = to_minor(xs)
    assert np.array_equal(to_minor(from_minor(n)), n)
    assert np.all(np.abs(from_minor(n) - np.array(xs, dtype=float)) <= 0.005 + 1e-6)


def check_round_trip_exact_range(n, unit):
    assert to_minor(from_minor(n, unit), unit) == n


test_round_trip_exact_range, test_round_trip_exact_range_slow = tiered(
    n=st.integers(-MAX_EXACT_MINOR, MAX_EXACT_MINOR),
    unit=st.sampled_from([0.01, 1e-8, 1e-6, 0.05, 0.125, 0.3, 7e-9, 1.0]))(check_round_trip_exact_range)

"""Tests for the exact primitives ``sequential`` and ``pro_rata`` (socialized_loss.allocation)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import socialized_loss as sl
from socialized_loss.allocation import from_minor, pro_rata, sequential, to_minor


# ----------------------------------------------------------------------------------------------------------------
# independent reference (exact rational arithmetic, plain Python loops) for integer weights


def ref_water_fill(T: int, w: list[int], caps: list[int] | None) -> list[Fraction]:
    """Exact shares min(cap_i, λ w_i) with Σ = T, by repeatedly fixing accounts whose share exceeds their cap."""
    n = len(w)
    share = [Fraction(0)] * n
    free = [i for i in range(n) if w[i] > 0 and (caps is None or caps[i] > 0)]
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


def ref_largest_remainder(T: int, w: list[int], caps: list[int] | None) -> list[int]:
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
# errors


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: pro_rata(float("nan"), [1]), "amount"),
        (lambda: pro_rata(-1, [1]), "amount"),
        (lambda: pro_rata(1, [1, -1]), "weights"),
        (lambda: pro_rata(1, [1, float("inf")]), "weights"),
        (lambda: pro_rata(1, [1, 2], caps=[1]), "caps"),
        (lambda: pro_rata(1, [1, 2], caps=[1, -2]), "caps"),
        (lambda: pro_rata(1, [0, 0]), "weights"),
        (lambda: pro_rata(5, [1, 0], caps=[2, 10]), "weights"),
        (lambda: pro_rata(1, [1], unit=0), "unit"),
        (lambda: sequential(-1, [1]), "amount"),
        (lambda: sequential(1, [1, float("nan")]), "capacities"),
        (lambda: sequential(1, [1, -1]), "capacities"),
        (lambda: sequential(1, [1, 2], order=[0, 0]), "order"),
        (lambda: sequential(1, [1, 2], order=[0]), "order"),
        (lambda: to_minor(float("inf")), "x"),
        (lambda: to_minor(1e30), "x"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# ----------------------------------------------------------------------------------------------------------------
# properties

cents = st.integers(min_value=0, max_value=10**7)
int_weights = st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6)


@st.composite
def weights_caps(draw, with_caps=True):
    w = draw(int_weights)
    if sum(w) == 0:
        w[draw(st.integers(0, len(w) - 1))] = draw(st.integers(1, 50))
    caps = None
    if with_caps and draw(st.booleans()):
        caps = [draw(st.integers(min_value=0, max_value=10**5)) for _ in w]
        # the rule: at least one positive-weight account must have capacity
        j = int(np.argmax(w))
        caps[j] = max(caps[j], 1)
    return w, caps


@settings(max_examples=3000, deadline=None, database=None)
@given(A=cents, wc=weights_caps())
def test_pro_rata_matches_exact_reference(A, wc):
    w, caps = wc
    C = None if caps is None else np.array(caps)
    T = A if caps is None else min(A, sum(caps))
    capable = sum(c for c, wi in zip(caps, w) if wi > 0) if caps is not None else None
    if caps is not None and capable < T:
        with pytest.raises(ValueError, match="weights"):
            pro_rata(from_minor(A), w, caps=from_minor(C))
        return
    x = to_minor(pro_rata(from_minor(A), w, caps=None if caps is None else from_minor(C)))
    assert x.dtype == np.int64
    assert x.sum() == T  # conservation, exact
    assert np.all(x >= 0)
    if caps is not None:
        assert np.all(x <= C)
    assert all(xi == 0 for xi, wi in zip(x, w) if wi == 0)
    assert list(x) == ref_largest_remainder(T, w, caps)


@settings(max_examples=4000, deadline=None, database=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_pro_rata_float_weights_conservation_caps_quota(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    w = rng.exponential(size=n) * 10.0 ** rng.integers(-6, 7)
    w[rng.random(n) < 0.25] = 0.0
    if w.sum() == 0:
        w[0] = 1.0
    C = rng.integers(0, 10 ** int(rng.integers(1, 8)), size=n)
    C[np.argmax(w)] += 1
    A = int(rng.integers(0, 2 * int(C.sum()) + 2))
    T = min(A, int(C.sum()))
    if int(C[w > 0].sum()) < T:
        with pytest.raises(ValueError, match="weights"):
            pro_rata(from_minor(A), w, caps=from_minor(C))
        return
    x = to_minor(pro_rata(from_minor(A), w, caps=from_minor(C)))
    assert x.sum() == T and np.all(x >= 0) and np.all(x <= C)
    assert np.all(x[w == 0] == 0)
    # without caps: each within one unit of its exact share (quota property)
    y = to_minor(pro_rata(from_minor(A), w))
    assert y.sum() == A and np.all(y >= 0)
    assert np.all(np.abs(y - A * (w / w.sum())) < 1 + 1e-6)


@settings(max_examples=3000, deadline=None, database=None)
@given(A=cents, dA=st.integers(0, 10**5), wc=weights_caps())
def test_pro_rata_monotone_in_amount(A, dA, wc):
    w, caps = wc
    C = None if caps is None else from_minor(np.array(caps))
    try:
        x1 = to_minor(pro_rata(from_minor(A), w, caps=C))
        x2 = to_minor(pro_rata(from_minor(A + dA), w, caps=C))
    except ValueError:
        return
    # exact shares are monotone; rounded ones within one unit of them (Alabama paradox), totals monotone
    assert x2.sum() >= x1.sum()
    assert np.all(x2 >= x1 - 1)


def _random_layers(seed: int):
    """A random case drawn from a seed (cheap for hypothesis: one integer per example)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 12))
    scale = 10 ** int(rng.integers(0, 9))
    caps = rng.integers(0, scale + 1, size=n)
    caps[rng.random(n) < 0.2] = 0
    A = int(rng.integers(0, max(1, 2 * int(caps.sum())) + 2))
    return rng, caps.astype(np.int64), A


@settings(max_examples=5000, deadline=None, database=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_sequential_conservation_and_order(seed):
    rng, caps, A = _random_layers(seed)
    perm = rng.permutation(len(caps))
    d = sequential(from_minor(A), from_minor(caps), order=perm)
    x = to_minor(d.draws)
    assert x.sum() == min(A, int(caps.sum()))
    assert to_minor(d.rest) == A - x.sum()
    assert np.all(x >= 0) and np.all(x <= caps)
    # layers are used strictly in order: a layer is touched only if all earlier ones are full
    full = True
    for i in perm:
        if not full:
            assert x[i] == 0
        full = full and x[i] == caps[i]


@settings(max_examples=5000, deadline=None, database=None)
@given(seed=st.integers(0, 2**63 - 1), dA=st.integers(0, 10**6))
def test_sequential_monotone(seed, dA):
    rng, caps, A = _random_layers(seed)
    perm = rng.permutation(len(caps))
    x1 = to_minor(sequential(from_minor(A), from_minor(caps), order=perm).draws)
    x2 = to_minor(sequential(from_minor(A + dA), from_minor(caps), order=perm).draws)
    assert np.all(x2 >= x1)


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), max_size=20))
def test_round_trip_minor_units(xs):
    n = to_minor(xs)
    assert np.array_equal(to_minor(from_minor(n)), n)
    assert np.all(np.abs(from_minor(n) - np.array(xs, dtype=float)) <= 0.005 + 1e-6)

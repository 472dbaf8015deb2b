"""Tests for socialized_loss.haircuts: Chitra's queue, pro-rata and capped pro-rata policies."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialized_loss.allocation import from_minor, to_minor
from socialized_loss.haircuts import (
    capacity,
    capped_pro_rata_haircut,
    pro_rata_haircut,
    queue_haircut,
    shortfall,
    top_winner_gap,
)

E = np.array([10, 5, 1, -3, -12])
C = np.array([2, 1, 0.5, 0, 0])
PNL = E - C


def test_paper_example_totals():
    assert shortfall(E) == 15
    assert capacity(PNL) == 12.5
    assert list(np.maximum(PNL, 0)) == [8, 4, 0.5, 0, 0]


def test_paper_example_queue():
    B = 0.5 * shortfall(E)
    r = queue_haircut(PNL, B, order=[1, 0, 2, 3, 4])  # the paper's (2, 1, 3, …), 0-based
    assert list(r.x) == [3.5, 4, 0, 0, 0]
    assert list(r.h) == [0.4375, 1, 0, 0, 0]
    assert list(E - r.x)[:3] == [6.5, 1, 1]


def test_paper_example_pro_rata():
    B = 0.5 * shortfall(E)
    r = pro_rata_haircut(PNL, B)
    assert list(r.x) == [4.8, 2.4, 0.3, 0, 0]
    assert list(r.h[:3]) == pytest.approx([0.6, 0.6, 0.6])
    assert list(E - r.x)[:3] == pytest.approx([5.2, 2.6, 0.7])


def test_top_winner_gap():
    w = [8, 4, 0.5]
    H = 7.5
    assert top_winner_gap(w, H) == pytest.approx(2.7)
    assert top_winner_gap(w, H) == pytest.approx(H * (1 - max(w) / sum(w)))


def test_capped_pro_rata_water_fills():
    r = capped_pro_rata_haircut([8, 4, 0.5], 6.0, [0.25, 1, 1])
    # β₁ w₁ = 2 binds; the other 4.0 is shared by 4 and 0.5 at η = 4/4.5
    assert r.x[0] == 2.0 and r.h[0] == 0.25
    assert to_minor(r.x).sum() == 600
    assert r.h[1] == pytest.approx(4 / 4.5, abs=0.01) and r.h[2] == pytest.approx(4 / 4.5, abs=0.02)
    # with caps of 1 it is plain pro-rata
    assert np.array_equal(capped_pro_rata_haircut([8, 4, 0.5], 7.5, [1, 1, 1]).x, pro_rata_haircut([8, 4, 0.5], 7.5).x)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: queue_haircut([8, 4], 13), "budget"),
        (lambda: pro_rata_haircut([8, 4], 13), "budget"),
        (lambda: capped_pro_rata_haircut([8, 4], 7, [0.5, 0.5]), "budget"),
        (lambda: capped_pro_rata_haircut([8, 4], 1, [0.5, 1.5]), "caps"),
        (lambda: capped_pro_rata_haircut([8, 4], 1, [0.5]), "lengths"),
        (lambda: queue_haircut([8, 4], 1, order=[1, 1]), "order"),
        (lambda: pro_rata_haircut([8, float("nan")], 1), "pnl_or_w"),
        (lambda: shortfall([1, float("inf")]), "equities"),
        (lambda: pro_rata_haircut([8, 4], -1), "budget"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@settings(max_examples=400, deadline=None, database=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_policies_meet_budget_exactly(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    pnl = from_minor(rng.integers(-10**5, 10**5, size=n))
    W = to_minor(np.maximum(pnl, 0))
    B = int(rng.integers(0, W.sum() + 1))
    beta = rng.random(n)
    for r in (queue_haircut(pnl, from_minor(B), order=rng.permutation(n)), pro_rata_haircut(pnl, from_minor(B))):
        x = to_minor(r.x)
        assert x.sum() == B
        assert np.all(x >= 0) and np.all(x <= W)
        assert np.all((r.h >= 0) & (r.h <= 1))
        assert np.all(x[W == 0] == 0)
    Bc = int(rng.integers(0, np.floor(W * beta).sum() + 1))
    r = capped_pro_rata_haircut(pnl, from_minor(Bc), beta)
    assert to_minor(r.x).sum() == Bc
    assert np.all(r.h <= beta + 1e-12)

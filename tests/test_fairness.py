"""Tests for socialized_loss.fairness: Gini, HHI, headline metrics and the Sybil split."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialized_loss.fairness import fairness_metrics, gini, hhi, sybil_split
from socialized_loss.haircuts import (
    capped_pro_rata_haircut,
    pro_rata_haircut,
    queue_haircut,
)


def gini_pairs(x):
    x = list(map(float, x))
    n, s = len(x), sum(x)
    return 0.0 if s == 0 else sum(abs(a - b) for a, b in itertools.product(x, x)) / (2 * n * s)


def test_gini_and_hhi_known_values():
    assert gini([1, 1, 1, 1]) == 0.0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)  # (n − 1)/n
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0
    assert hhi([1, 1, 1, 1]) == pytest.approx(0.25)
    assert hhi([0, 5]) == 1.0
    assert hhi([1, 1, 2]) == pytest.approx(0.25 + 0.0625 * 2)


def test_fairness_metrics_paper_example():
    m = fairness_metrics([4.8, 2.4, 0.3, 0, 0], [8, 4, 0.5, 0, 0])
    assert m.total == pytest.approx(7.5)
    assert m.accounts_hit == 3
    assert m.largest_haircut == pytest.approx(0.6)
    assert m.top_winner_loss == 4.8 and m.top_winner_haircut == pytest.approx(0.6)
    q = fairness_metrics([3.5, 4, 0], [8, 4, 0.5])
    assert q.largest_haircut == 1.0 and q.top_winner_loss == 3.5
    assert np.isnan(fairness_metrics([1, 2]).largest_haircut)


def test_sybil_queue_pieces_move_down_and_pay_less():
    w = [8, 4, 0.5]
    r = sybil_split(lambda x: queue_haircut(x, 7.5), 0, 4, w)
    assert r.unsplit == 7.5  # the whole account is first in line and pays the budget
    assert r.split_total == pytest.approx(3.5)  # pieces of 2 fall behind the 4
    assert r.advantage == pytest.approx(4.0)


def test_sybil_capped_pro_rata_unchanged():
    w = [8, 4, 0.5]
    r = sybil_split(lambda x: capped_pro_rata_haircut(x, 7.5, np.full(len(x), 0.7)), 0, 4, w)
    assert r.split_total == pytest.approx(r.unsplit) and r.unsplit == pytest.approx(4.8)
    r = sybil_split(lambda x: pro_rata_haircut(x, 7.5), 1, 3, w)
    assert abs(r.advantage) <= 0.01 + 1e-9  # at most one cent of rounding


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: gini([1, -1]), "x"),
        (lambda: hhi([float("nan")]), "x"),
        (lambda: fairness_metrics([1, 2], [1]), "lengths"),
        (lambda: fairness_metrics([-1, 2]), "charges"),
        (lambda: sybil_split(lambda x: x, 5, 2, [1, 2]), "account"),
        (lambda: sybil_split(lambda x: x, 0, 0, [1, 2]), "k"),
        (lambda: sybil_split("queue", 0, 2, [1, 2]), "rule"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=12), st.integers(0, 2**32))
def test_metrics_properties(x, seed):
    assert gini(x) == pytest.approx(gini_pairs(x), abs=1e-12)
    assert 0 <= gini(x) <= 1
    n = len(x)
    if sum(x):
        assert 1 / n - 1e-12 <= hhi(x) <= 1 + 1e-12
    rng = np.random.default_rng(seed)
    w = rng.integers(0, 2000, size=n) + np.array(x)
    m = fairness_metrics(x, w)
    assert m.accounts_hit == sum(1 for a in x if a > 0)
    assert m.total == pytest.approx(sum(x))
    # capped pro-rata is Sybil-proof for every split (up to a cent of rounding per piece)
    if w.sum() > 0:
        B = float(rng.integers(0, int(w.sum() * 0.5) + 1))
        k = int(rng.integers(2, 5))
        i = int(rng.integers(0, n))
        r = sybil_split(lambda a: capped_pro_rata_haircut(a, B, np.full(len(a), 0.5), unit=1), i, k, w)
        assert abs(r.advantage) <= k + 1

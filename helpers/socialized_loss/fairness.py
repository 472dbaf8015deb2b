"""Fairness metrics for any allocation of a loss, and the Sybil (account-splitting) test.

- ``gini``: Gini coefficient of the charges (0 = everyone pays the same, → 1 = one account pays everything).
- ``hhi``: Herfindahl–Hirschman index of charge shares, Σ s_i² (1/n when equal, 1 when one account pays all).
- ``fairness_metrics``: the headline numbers a lesson compares across mechanisms.
- ``sybil_split``: split one account into k equal pieces and re-run a rule. Chitra (arXiv:2512.01112 v3,
  https://arxiv.org/abs/2512.01112v3) shows the queue is not Sybil-resistant (the pieces move down the queue and
  pay less) while capped pro-rata is (the pieces pay what the whole did).

Money in, money out (whatever currency the charges are in); fractions are dimensionless.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import validate as v

__all__ = ["FairnessMetrics", "SybilResult", "fairness_metrics", "gini", "hhi", "sybil_split"]


def gini(x) -> float:
    """Gini coefficient (0..1) of non-negative amounts: Σ_i Σ_j |x_i − x_j| ÷ (2 n Σ x). 0 when all are zero."""
    a = np.sort(v.vector("x", v.nonnegative("x", x)))
    n = len(a)
    total = a.sum()
    if n == 0 or total == 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * a) / (n * total))


def hhi(x) -> float:
    """Herfindahl–Hirschman index (1/n..1) of the shares x_i ÷ Σ x of non-negative amounts; 0 when all are zero."""
    a = v.vector("x", v.nonnegative("x", x))
    total = a.sum()
    if total == 0:
        return 0.0
    s = a / total
    return float(np.sum(s * s))


@dataclass(frozen=True)
class FairnessMetrics:
    """``total`` charged (money), ``accounts_hit`` (count with a charge > 0), ``largest_haircut`` (max charge ÷
    wealth, a fraction; nan without wealth), ``gini`` and ``hhi`` of the charges, ``top_winner_loss`` (the charge of
    the wealthiest account, money; nan without wealth) and ``top_winner_haircut`` (that charge ÷ its wealth)."""

    total: float
    accounts_hit: int
    largest_haircut: float
    gini: float
    hhi: float
    top_winner_loss: float
    top_winner_haircut: float


def fairness_metrics(charges, wealth=None) -> FairnessMetrics:
    """Headline fairness numbers of ``charges`` (money ≥ 0 per account) against optional ``wealth`` (money ≥ 0:
    PnL, equity or whatever the charge is a haircut of). Accounts with zero wealth count as a 0 % haircut unless
    they were charged (then inf). The top winner is the largest wealth, ties by lower index."""
    c = v.vector("charges", v.nonnegative("charges", charges))
    largest = top_loss = top_cut = float("nan")
    if wealth is not None:
        w = v.vector("wealth", v.nonnegative("wealth", wealth))
        v.same_length(charges=c, wealth=w)
        with np.errstate(divide="ignore", invalid="ignore"):
            cut = np.where(w > 0, c / np.where(w > 0, w, 1.0), np.where(c > 0, np.inf, 0.0))
        if len(c):
            largest = float(cut.max())
            top = int(np.lexsort((np.arange(len(w)), -w))[0])
            top_loss, top_cut = float(c[top]), float(cut[top])
    return FairnessMetrics(math.fsum(c.tolist()), int(np.count_nonzero(c > 0)), largest, gini(c), hhi(c), top_loss, top_cut)


@dataclass(frozen=True, eq=False)
class SybilResult:
    """Result of ``sybil_split``: the ``unsplit`` account's charge, the ``pieces``' charges and their ``split_total``
    (money), ``advantage`` = unsplit − split_total (> 0: splitting pays off), and the full ``charges_before`` /
    ``charges_after`` vectors (the pieces are appended at the end, the original slot pays 0)."""

    unsplit: float
    split_total: float
    pieces: np.ndarray
    advantage: float
    charges_before: np.ndarray
    charges_after: np.ndarray


def _charges_of(result) -> np.ndarray:
    for attr in ("charges", "x", "draws"):
        if hasattr(result, attr):
            return np.asarray(getattr(result, attr), dtype=float)
    return np.asarray(result, dtype=float)


def sybil_split(rule: Callable, account: int, k: int, *per_account, **kwargs) -> SybilResult:
    """Split ``account`` into ``k`` equal pieces and re-run ``rule``.

    ``rule(*per_account, **kwargs)`` returns charges (an array, or a result with ``charges``, ``x`` or ``draws``).
    Every array in ``per_account`` (weights, PnL, caps in money …) is split: the account's entry becomes 0 and k
    entries of value ÷ k are appended. Fraction-valued per-account inputs (such as capped pro-rata's β) should be
    passed through a ``functools.partial`` or a lambda instead. A queue ``order`` is not split; use a rule that
    orders by size (e.g. ``queue_haircut`` with its default order) so the pieces find their own place.
    """
    if not callable(rule):
        raise ValueError(f"rule must be callable, got {rule!r}")
    if not per_account:
        raise ValueError("per_account must hold at least one per-account array (the weights)")
    arrays = [v.vector(f"per_account[{j}]", a) for j, a in enumerate(per_account)]
    v.same_length(**{f"per_account[{j}]": a for j, a in enumerate(arrays)})
    n = len(arrays[0])
    i = v.integer("account", account, 0, n - 1)
    k = v.integer("k", k, 1)
    before = _charges_of(rule(*arrays, **kwargs))
    split = [np.concatenate([np.where(np.arange(n) == i, 0.0, a), np.full(k, a[i] / k)]) for a in arrays]
    after = _charges_of(rule(*split, **kwargs))
    pieces = after[n:]
    unsplit = float(before[i])
    total = math.fsum(pieces.tolist())
    return SybilResult(unsplit, total, pieces, unsplit - total, before, after)

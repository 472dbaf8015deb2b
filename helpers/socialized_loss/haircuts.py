"""Haircut policies over PnL (Chitra, "Autodeleveraging: Impossibilities and Optimization", arXiv:2512.01112 v3).

Model (https://arxiv.org/abs/2512.01112v3; details from the author's corrected LaTeX ``paper/main_corrected.tex`` in
github.com/pluriholonomic/autodeleveraging-analysis): equity e_i = c_i + PNL_i, only positive PnL is haircuttable,
w_i = (PNL_i)+. Shortfall D = Σ(−e_i)+, capacity U = Σ w_i. A policy with severity θ ∈ [0, 1] raises the budget
B = θ·D (feasible only if B ≤ U) by haircut fractions h_i ∈ [0, 1] with amounts x_i = h_i·w_i, Σ x_i = B.

- Queue (Binance, Hyperliquid style): seize whole endowments in queue order, the last partly.
- Pro-rata (wealth): h_i = B/U for everyone.
- Capped pro-rata: water-filling h_i = min(η, β_i) with per-account caps β_i ∈ [0, 1]; the paper shows it is the
  unique Sybil-resistant, scale-invariant, monotone policy.

Paper's worked example: w = (8, 4, 0.5), D = 15, θ = ½, queue order (2, 1, 3) → x = (3.5, 4, 0), h = (0.4375, 1, 0);
pro-rata → h = 0.6, x = (4.8, 2.4, 0.3). Top-winner gap υ^PR − υ^Queue = H(1 − w₍₁₎/U) when H ≤ w₍₁₎.

Amounts are money exact in minor units (``unit=0.01``, see ``allocation``); ``order`` is 0-based like the rest of
the package (the paper's 1-based (2, 1, 3) is ``[1, 0, 2]``). The policies keep the paper's plain signatures (w and a
budget) and call the rule registry for the arithmetic: the queue is ``rules.pnl_haircut_queue``, (capped) pro rata
is ``rules.capped_pro_rata``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import rules
from . import validate as v
from ._plain import minor, profit_book
from .allocation import _check_order, _exact_sum, _to_minor, from_minor

__all__ = [
    "Haircut",
    "capacity",
    "capped_pro_rata_haircut",
    "pro_rata_haircut",
    "queue_haircut",
    "shortfall",
    "top_winner_gap",
]


class Haircut(NamedTuple):
    """Result of a haircut policy: fractions ``h`` (0..1, 0 where w = 0) and amounts ``x`` = h × w (money)."""

    h: np.ndarray
    x: np.ndarray


def shortfall(equities, unit: float = 0.01) -> float:
    """D = Σ(−e_i)+ (money): the total negative equity of the losers, each rounded to ``unit``, summed exactly.

    >>> shortfall([10.0, -3.5, -0.25])
    3.75
    """
    e = v.vector("equities", equities)
    return float(from_minor(_exact_sum(_to_minor("equities", np.maximum(-e, 0.0), unit)), unit))


def capacity(pnl, unit: float = 0.01) -> float:
    """U = Σ(PNL_i)+ (money): the total positive PnL that can be haircut, each rounded to ``unit``, summed exactly.

    >>> capacity([8.0, 4.0, -2.0, 0.5])
    12.5
    """
    p = v.vector("pnl", pnl)
    return float(from_minor(_exact_sum(_to_minor("pnl", np.maximum(p, 0.0), unit)), unit))


def _setup(pnl_or_w, budget, unit):
    w = np.maximum(v.vector("pnl_or_w", pnl_or_w), 0.0)
    b = v.money("budget", budget)
    W = _to_minor("pnl_or_w", w, unit)
    B = int(_to_minor("budget", b, unit))
    return w, W, B


def _result(x_minor, W, unit) -> Haircut:
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(W > 0, x_minor / np.where(W > 0, W, 1), 0.0)
    return Haircut(h, np.asarray(from_minor(x_minor, unit), dtype=float))


def queue_haircut(pnl_or_w, budget, order=None, unit: float = 0.01) -> Haircut:
    """Queue policy: take whole positive PnL in ``order`` (0-based permutation) until ``budget`` (money ≥ 0) is met.

    ``pnl_or_w``: PnL per account (negative parts ignored) or endowments w. Default order: largest w first (ties by
    lower index). budget > U = Σ w is a ValueError (infeasible).

    >>> queue_haircut([8.0, 4.0, 0.5], 10.0).x.tolist()
    [8.0, 2.0, 0.0]
    """
    w, W, B = _setup(pnl_or_w, budget, unit)
    # default: largest endowment first, ranked on the unrounded w (ties by lower index)
    idx = np.lexsort((np.arange(len(w)), -w)) if order is None else _check_order(order, len(w))
    a = rules.pnl_haircut_queue(profit_book(from_minor(W, unit)), float(from_minor(B, unit)), order=idx, unit=unit)
    if a.uncovered > 0:
        raise ValueError(f"budget must be ≤ capacity U = Σ(PNL)+ = {_exact_sum(W) * float(unit):.10g} (infeasible), "
                         f"got {v.short(budget)}")
    return _result(minor(a.charges, unit), W, unit)


def pro_rata_haircut(w, budget, unit: float = 0.01) -> Haircut:
    """Wealth pro-rata: h_i = budget ÷ U for every winner (largest-remainder rounding in minor units).

    ``w``: PnL or endowments (negative parts ignored); budget > U is a ValueError.

    >>> pro_rata_haircut([8.0, 4.0, 0.5], 7.5).x.tolist()
    [4.8, 2.4, 0.3]
    """
    _, W, B = _setup(w, budget, unit)
    a = rules.capped_pro_rata(profit_book(from_minor(W, unit)), float(from_minor(B, unit)), beta=1.0, unit=unit)
    if a.uncovered > 0:
        raise ValueError(f"budget must be ≤ capacity U = Σ(PNL)+ = {_exact_sum(W) * float(unit):.10g} (infeasible), "
                         f"got {v.short(budget)}")
    return _result(minor(a.charges, unit), W, unit)


def capped_pro_rata_haircut(w, budget, caps, unit: float = 0.01) -> Haircut:
    """Capped pro-rata (water-filling): h_i = min(η, β_i) with η set so Σ h_i w_i = budget.

    ``caps`` β_i ∈ [0, 1] are maximum haircut fractions; budget > Σ β_i w_i is a ValueError.

    >>> capped_pro_rata_haircut([8.0, 4.0, 0.5], 8.0, [0.5, 1.0, 1.0]).x.tolist()  # the first is capped at 50 %
    [4.0, 3.56, 0.44]
    """
    w_, W, B = _setup(w, budget, unit)
    beta = v.vector("caps", v.unit_interval("caps", caps))
    v.same_length(w=w_, caps=beta)
    a = rules.capped_pro_rata(profit_book(from_minor(W, unit)), float(from_minor(B, unit)), beta=beta, unit=unit)
    if a.uncovered > 0:
        total = _exact_sum(minor(a.caps, unit))
        raise ValueError(f"budget must be ≤ Σ caps × w = {total * float(unit):.10g} (infeasible), got "
                         f"{v.short(budget)}")
    return _result(minor(a.charges, unit), W, unit)


def top_winner_gap(w, budget, unit: float = 0.01) -> float:
    """υ^PR − υ^Queue (money): how much more the top winner keeps under pro-rata than under a queue that seizes the
    largest winner first. Equals H(1 − w₍₁₎/U) when H ≤ w₍₁₎ (Chitra, Prop. "Queue is worst for the top winner");
    w = (8, 4, 0.5), H = 7.5 → 7.5 × 0.36 = 2.7.

    >>> top_winner_gap([8.0, 4.0, 0.5], 7.5)
    2.7
    """
    w_ = np.maximum(v.vector("w", w), 0.0)
    if len(w_) == 0:
        raise ValueError("w must contain at least one account")
    top = int(np.lexsort((np.arange(len(w_)), -w_))[0])
    q = queue_haircut(w_, budget, unit=unit)
    p = pro_rata_haircut(w_, budget, unit=unit)
    gap = int(_to_minor("x", q.x[top], unit)) - int(_to_minor("x", p.x[top], unit))
    return float(from_minor(gap, unit))

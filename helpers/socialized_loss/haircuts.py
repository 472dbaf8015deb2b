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
the package (the paper's 1-based (2, 1, 3) is ``[1, 0, 2]``).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import validate as v
from .allocation import _check_order, _pro_rata_int, _sequential_int, _to_minor, from_minor

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


def shortfall(equities) -> float:
    """D = Σ(−e_i)+ (money): the total negative equity of the losers."""
    e = v.vector("equities", equities)
    return float(np.maximum(-e, 0.0).sum())


def capacity(pnl) -> float:
    """U = Σ(PNL_i)+ (money): the total positive PnL that can be haircut."""
    p = v.vector("pnl", pnl)
    return float(np.maximum(p, 0.0).sum())


def _setup(pnl_or_w, budget, unit):
    w = np.maximum(v.vector("pnl_or_w", pnl_or_w), 0.0)
    b = v.nonnegative("budget", budget)
    if b.ndim != 0:
        raise ValueError(f"budget must be a single number ≥ 0, got {budget!r}")
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
    """
    w, W, B = _setup(pnl_or_w, budget, unit)
    if order is None:
        idx = np.lexsort((np.arange(len(w)), -w))
    else:
        idx = _check_order(order, len(w))
    if B > int(W.sum()):
        raise ValueError(f"budget must be ≤ capacity U = Σ(PNL)+ = {float(from_minor(int(W.sum()), unit))} "
                         f"(infeasible), got {budget!r}")
    return _result(_sequential_int(B, W, idx), W, unit)


def pro_rata_haircut(w, budget, unit: float = 0.01) -> Haircut:
    """Wealth pro-rata: h_i = budget ÷ U for every winner (largest-remainder rounding in minor units).

    ``w``: PnL or endowments (negative parts ignored); budget > U is a ValueError.
    """
    _, W, B = _setup(w, budget, unit)
    if B > int(W.sum()):
        raise ValueError(f"budget must be ≤ capacity U = Σ(PNL)+ = {float(from_minor(int(W.sum()), unit))} "
                         f"(infeasible), got {budget!r}")
    x = _pro_rata_int(B, W.astype(float), W) if B else np.zeros(len(W), dtype=np.int64)
    return _result(x, W, unit)


def capped_pro_rata_haircut(w, budget, caps, unit: float = 0.01) -> Haircut:
    """Capped pro-rata (water-filling): h_i = min(η, β_i) with η set so Σ h_i w_i = budget.

    ``caps`` β_i ∈ [0, 1] are maximum haircut fractions; budget > Σ β_i w_i is a ValueError.
    """
    w_, W, B = _setup(w, budget, unit)
    beta = v.vector("caps", v.unit_interval("caps", caps))
    v.same_length(w=w_, caps=beta)
    Cmax = np.floor(W * beta + 1e-9).astype(np.int64)  # a cap in minor units, never above β_i × w_i
    if B > int(Cmax.sum()):
        raise ValueError(f"budget must be ≤ Σ caps × w = {float(from_minor(int(Cmax.sum()), unit))} (infeasible), "
                         f"got {budget!r}")
    x = _pro_rata_int(B, W.astype(float), Cmax) if B else np.zeros(len(W), dtype=np.int64)
    return _result(x, W, unit)


def top_winner_gap(w, budget, unit: float = 0.01) -> float:
    """υ^PR − υ^Queue (money): how much more the top winner keeps under pro-rata than under a queue that seizes the
    largest winner first. Equals H(1 − w₍₁₎/U) when H ≤ w₍₁₎ (Chitra, Prop. "Queue is worst for the top winner");
    w = (8, 4, 0.5), H = 7.5 → 7.5 × 0.36 = 2.7."""
    w_ = np.maximum(v.vector("w", w), 0.0)
    if len(w_) == 0:
        raise ValueError("w must contain at least one account")
    top = int(np.lexsort((np.arange(len(w_)), -w_))[0])
    q = queue_haircut(w_, budget, unit=unit)
    p = pro_rata_haircut(w_, budget, unit=unit)
    gap = int(_to_minor("x", q.x[top], unit)) - int(_to_minor("x", p.x[top], unit))
    return float(from_minor(gap, unit))

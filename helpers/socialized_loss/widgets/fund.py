"""Lesson 03's explorer: a year of insurance-fund balances (a few paths and a fan) and the chance it runs out.

The maths is :func:`socialized_loss.insurance.fund_monte_carlo`, read through its fan-chart form
:func:`~socialized_loss.insurance.fund_fan` (a TEACHING model: daily fee inflow, Poisson crashes
with Pareto-sized bad debt, the law of motion IF(t+1) = IF(t) + inflows − min(IF(t), bad debt) of Chitra,
arXiv:2512.01112 v3). This module only runs it and draws it.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import insurance as ins
from .. import validate as v
from ..plots import COLORS
from ._base import (
    Explorer,
    assemble,
    legend_above,
    new_figure,
    nice_ceil,
    slider,
    table_html,
)

__all__ = ["fund_explorer", "fund_state"]

LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)  # fan-chart quantiles


def fund_state(
    initial: float = 5_000_000.0,
    fee_share_pct: float = 10.0,
    crash_rate: float = 2.0,
    *,
    n_paths: int = 1_000,
    seed: int = 0,
    n_show: int = 3,
    daily_fees: float = 100_000.0,
    crash_loss: float = 1_000_000.0,
    tail_index: float = 1.5,
) -> dict[str, Any]:
    """A simulated year of an insurance fund, for the explorer.

    ``initial``: the fund on day 0 (USD ≥ 0); ``fee_share_pct``: share of the venue's trading fees paid into the
    fund (% in [0, 100]); ``crash_rate``: crashes per year (≥ 0). ``daily_fees`` (USD of trading fees per day),
    ``crash_loss`` (smallest crash's bad debt, USD) and ``tail_index`` (Pareto, > 1) set the market; see
    :func:`socialized_loss.insurance.fund_monte_carlo`. Same seed → same numbers.

    Returns ``days`` (0…365), ``paths`` (the first ``n_show`` balances, USD), the fan ``quantiles`` (levels ×
    days, USD), ``exhaustion_probability`` (share of paths with uncovered bad debt) and its standard error, the
    day each shown path first ran out (NaN if never), and yearly expectations (USD): ``expected_inflow`` and
    ``expected_bad_debt`` (rate × Pareto mean).
    """
    f0 = float(v.nonnegative("initial", initial))
    share = float(v.as_array("fee_share_pct", fee_share_pct))
    if not 0 <= share <= 100:
        raise ValueError(f"fee_share_pct must be in [0, 100] (%), got {fee_share_pct!r}")
    rate = float(v.nonnegative("crash_rate", crash_rate))
    n_show = v.integer("n_show", n_show, 0, 20)
    # the engine memoises the year's draws (they depend on neither the fund nor the fee share) and returns only
    # what the fan chart shows: a drag reruns the law of motion and nothing else
    fan = ins.fund_fan(f0, share / 100.0, rate, n_paths=n_paths, seed=seed, n_show=min(n_show, n_paths),
                       daily_fees=daily_fees, crash_loss=crash_loss, tail_index=tail_index, quantile_levels=LEVELS)
    n_days = fan.quantiles.shape[1] - 1
    p = fan.exhaustion_probability
    n = fan.n_paths
    alpha = float(tail_index)
    return {
        "initial": f0,
        "fee_share_pct": share,
        "crash_rate": rate,
        "days": np.arange(n_days + 1),
        "paths": fan.shown,
        "first_exhausted_day": fan.first_exhausted_day,
        "quantile_levels": np.asarray(LEVELS),
        "quantiles": fan.quantiles,
        "median_end": float(fan.quantiles[LEVELS.index(0.5), -1]),
        "exhaustion_probability": p,
        "standard_error": float(np.sqrt(p * (1 - p) / n)),
        "n_paths": n,
        "expected_inflow": share / 100.0 * daily_fees * n_days,
        "expected_bad_debt": rate * crash_loss * alpha / (alpha - 1.0) * n_days / 365.0,
    }


def _readout(st: dict[str, Any]) -> str:
    p, se = st["exhaustion_probability"], st["standard_error"]
    colour = "#D55E00" if p > 0.05 else "#009E73"
    rows = [
        ("Exhaustion probability (1 year)",
         f"<span style='color:{colour}'>{100 * p:.1f} %</span> ± {100 * se:.1f} % ({st['n_paths']:,} paths)"),
        ("Median fund after a year", f"{st['median_end'] / 1e6:,.2f} M USD"),
        ("Expected fee inflow per year", f"{st['expected_inflow'] / 1e6:,.2f} M USD"),
        ("Expected bad debt per year", f"{st['expected_bad_debt'] / 1e6:,.2f} M USD"),
    ]
    return table_html(rows)


def _band(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.column_stack([np.concatenate([x, x[::-1]]), np.concatenate([lo, hi[::-1]])])


def fund_explorer(n_paths: int = 1_000, seed: int = 0) -> Explorer:
    """Sliders for the initial fund (million USD), the fee share (%) and the crash frequency (per year)."""
    controls = {
        "initial": slider("Initial fund", 5.0, 0.0, 40.0, 0.25, "million USD", ".2f"),
        "fee_share_pct": slider("Fee share to the fund", 10.0, 0.0, 50.0, 1.0, "% of fees", ".0f"),
        "crash_rate": slider("Crash frequency", 2.0, 0.0, 12.0, 0.5, "per year", ".1f"),
    }
    fig, ax = new_figure(figsize=(7.8, 4.3))
    days = np.arange(366.0)
    zeros = np.zeros_like(days)
    outer = ax.fill(*_band(days, zeros, zeros).T, color=COLORS[5], alpha=0.25, linewidth=0, label="5–95 % of paths")[0]
    inner = ax.fill(*_band(days, zeros, zeros).T, color=COLORS[5], alpha=0.5, linewidth=0, label="25–75 % of paths")[0]
    (median,) = ax.plot(days, zeros, color=COLORS[0], linestyle="-", marker="", label="Median")
    shown = [
        ax.plot(days, zeros, color=c, linewidth=1.2, linestyle=ls, marker="", label=f"Path {i + 1}")[0]
        for i, (c, ls) in enumerate(zip((COLORS[1], COLORS[2], COLORS[3]), ("--", "-.", ":")))
    ]
    (outs,) = ax.plot([], [], linestyle="none", marker="X", markersize=10, color="black", label="Fund ran out")
    ax.set_xlabel("Day of the year")
    ax.set_ylabel("Insurance fund (million USD)")
    ax.set_xlim(0, 365)
    ax.set_title(f"A year of the insurance fund: fan of {n_paths:,} simulated paths")
    legend_above(ax, ncols=4)

    def update(values: dict[str, Any]):
        st = fund_state(values["initial"] * 1e6, values["fee_share_pct"], values["crash_rate"],
                        n_paths=n_paths, seed=seed)
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        q = st["quantiles"] / 1e6
        x = st["days"].astype(float)
        outer.set_xy(_band(x, q[0], q[4]))
        inner.set_xy(_band(x, q[1], q[3]))
        median.set_data(x, q[2])
        xs, ys = [], []
        for line, path, day in zip(shown, st["paths"], st["first_exhausted_day"]):
            line.set_data(x, path / 1e6)
            if np.isfinite(day):
                xs.append(day)
                ys.append(path[int(day)] / 1e6)
        outs.set_data(xs, ys)
        top = max(float(q[4].max()), float(st["paths"].max()) / 1e6 if st["paths"].size else 0.0, 0.5)
        ax.set_ylim(0, nice_ceil(1.05 * top))  # steps 1-2-5 (million USD): steady while a slider moves

    return assemble(controls, fig, update, draw, title="Will the insurance fund last the year?")

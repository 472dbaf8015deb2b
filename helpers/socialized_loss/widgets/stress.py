"""Lesson 10's stress lab: many simulated crashes through one venue's rules, and who ends up paying.

Everything here is a thin layer over the engine (:mod:`socialized_loss.simulate`): the explorer runs the vectorised
:func:`~socialized_loss.simulate.simulate` on a small market (300 traders × 250 hourly steps × 40 paths, about a tenth
of a second) for the mechanism and stress the learner picks, and summarises the result: how much of the loss goes
beyond the insurance fund on each path, how much is socialized or left uncovered, and which traders pay it.

The market is a TEACHING model (see the engine's docstring): hourly steps, 80 % annual volatility plus Merton jumps,
isolated-margin traders with log-uniform leverage, square-root price impact, dYdX v4's liquidation-fee rule, the
insurance fund's law of motion from Chitra (arXiv:2512.01112 v3), and the mechanisms as documented by OKEx
(clawback), Drift v2 (contracts-pro-rata) and BitMEX (ADL queue). The population and the price paths are memoised
(pure caches keyed on their arguments); the simulation itself runs on every change.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.ticker import FuncFormatter

from .. import validate as v
from ..plots import COLORS
from ..simulate import (
    MECHANISMS,
    MonteCarloSummary,
    SimResult,
    TraderPopulation,
    gbm_jump_paths,
    make_population,
    simulate,
)
from ._base import (
    CONTROL_WIDTH,
    DESCRIPTION_WIDTH,
    Explorer,
    assemble,
    new_figure,
    nice_ceil,
    slider,
    table_html,
)

__all__ = ["stress_explorer", "stress_state"]

# Also public, for lesson 10 (reached as ``sl.widgets.stress.<name>``, not re-exported to keep ``sl.widgets`` tidy):
# ``lab``, ``StressLab``, ``groups``, ``group_shares``, ``open_profits``, ``table``, ``comparison_figure``,
# ``LEVERAGE_MIXES``, ``MECHANISM_NAMES``.

#: Leverage mixes offered by the explorer: label → maximum leverage (×); leverage is log-uniform on [1, max].
LEVERAGE_MIXES = {
    "cautious (1–5×)": 5.0,
    "moderate (1–20×)": 20.0,
    "aggressive (1–50×)": 50.0,
    "reckless (1–100×)": 100.0,
}

#: The engine's mechanisms with the names the lessons use.
MECHANISM_NAMES = {
    "none": "none (left uncovered)",
    "clawback": "clawback (pro rata to profit)",
    "contracts_pro_rata": "contracts-pro-rata",
    "adl": "ADL queue",
}

HOURS_PER_YEAR = 8760.0
GROUP_EDGE = 10.0  # ×: "low" leverage below, "high" at or above


def _thousands() -> FuncFormatter:
    """Tick labels in thousands (a fresh formatter per axis: matplotlib binds formatters to one axis)."""
    return FuncFormatter(lambda x, _pos: f"{x / 1000:,.0f}")


GROUP_LABELS = ("longs under 10×", "longs 10× and up", "shorts under 10×", "shorts 10× and up")


# ----------------------------------------------------------------------------------------------------------------
# The lab's market (lesson 10's main Monte Carlo)


@dataclass(frozen=True)
class StressLab:
    """The lesson's simulated market: a ``population`` of traders, ``prices`` (paths × (steps + 1), USD per base
    unit, hourly steps), the initial insurance ``fund0`` (USD) and a one-line ``description``."""

    population: TraderPopulation
    prices: np.ndarray
    fund0: float
    description: str

    def __repr__(self) -> str:
        return f"StressLab({self.description})"


def lab(
    n_traders: int = 500,
    n_paths: int = 200,
    n_steps: int = 300,
    seed: int = 3,
    *,
    max_leverage: float = 50.0,
    jumps_per_path: float = 3.0,
    jump_mean: float = -0.06,
    jump_sd: float = 0.04,
    sigma: float = 0.8,
    fund0: float = 20_000.0,
) -> StressLab:
    """Lesson 10's market, built with two engine calls and fixed seeds (same arguments → same numbers).

    ``sl.make_population(n_traders, seed=seed, max_leverage=max_leverage)`` (leverage log-uniform on [1, max] ×,
    median notional 10,000 USD) and ``sl.gbm_jump_paths(n_paths, n_steps, seed=seed + 100, sigma=sigma,
    jump_rate=..., jump_mean=jump_mean, jump_sd=jump_sd)`` with hourly steps; ``jumps_per_path`` is the expected
    number of jumps over the whole path (the jump rate per year is jumps_per_path × 8,760 ÷ n_steps); ``jump_mean``
    and ``jump_sd`` are the mean and sd of a jump's log-return (−0.06 ≈ a 6 % drop). ``fund0``: the insurance fund at
    the start (USD).
    """
    n_steps = v.integer("n_steps", n_steps, 1)
    seed = v.integer("seed", seed, 0)
    jp = float(v.nonnegative("jumps_per_path", jumps_per_path))
    f0 = float(v.nonnegative("fund0", fund0))
    pop = make_population(n_traders, seed=seed, max_leverage=max_leverage)
    prices = gbm_jump_paths(
        n_paths, n_steps, seed=seed + 100, sigma=sigma, jump_rate=jp * HOURS_PER_YEAR / n_steps,
        jump_mean=jump_mean, jump_sd=jump_sd,
    )
    desc = (
        f"{len(pop)} traders (leverage 1–{max_leverage:g}×), {prices.shape[0]} paths × {n_steps} hourly steps, "
        f"{jp:g} jumps per path of mean {jump_mean:+.0%} (sd {jump_sd:.0%}), fund {f0:,.0f} USD"
    )
    return StressLab(population=pop, prices=prices, fund0=f0, description=desc)


# ----------------------------------------------------------------------------------------------------------------
# Who pays


def groups(population: TraderPopulation, edge: float = GROUP_EDGE) -> tuple[tuple[str, ...], np.ndarray]:
    """Four groups of traders by side and leverage at entry (below / at or above ``edge`` ×): returns the labels and
    a boolean array (4 × traders). Every trader is in exactly one group."""
    if not isinstance(population, TraderPopulation):
        raise ValueError(f"population must be a TraderPopulation, got {type(population).__name__}")
    e = float(v.positive("edge", edge))
    long_ = population.side > 0
    high = population.leverage >= e
    masks = np.array([long_ & ~high, long_ & high, ~long_ & ~high, ~long_ & high])
    labels = (f"longs under {e:g}×", f"longs {e:g}× and up", f"shorts under {e:g}×", f"shorts {e:g}× and up")
    return labels, masks


def group_shares(summary: MonteCarloSummary) -> tuple[tuple[str, ...], np.ndarray]:
    """Collapse a :class:`~socialized_loss.simulate.MonteCarloSummary`'s side × leverage groups into the four groups
    of :func:`groups` (leverage below / at or above 10×): returns the labels and each group's share of all
    socialized losses (sums to 1, or all zeros when nothing was socialized)."""
    shares = np.zeros(4)
    for label, s in zip(summary.group_labels, summary.share_by_group):
        side, rng = label.split(" ", 1)
        low_edge = float(rng.split("–")[0])
        k = (0 if side == "long" else 2) + (1 if low_edge >= GROUP_EDGE else 0)
        shares[k] += s
    return GROUP_LABELS, shares


def open_profits(population: TraderPopulation, result: SimResult, path: int, step: int = -1) -> np.ndarray:
    """Unrealised profit (USD, whole cents) at the mark after ``step`` on ``path`` of every trader still open then,
    and 0 for losing or closed traders: the base a clawback shares a loss over (the engine's own rule).

    ``step`` counts like the engine's columns: 1…T, or −1 for the last step. Profit is size × (mark − entry) rounded
    to the cent; a trader counts as open if it was not liquidated (or closed by ADL) at or before ``step``.
    """
    if not isinstance(result, SimResult):
        raise ValueError(f"result must be a SimResult from sl.simulate, got {type(result).__name__}")
    P, T = result.bad_debt_cents.shape
    path = v.integer("path", path, 0, P - 1)
    step = v.integer("step", step, -1, T)
    if step == -1:
        step = T
    if step == 0:
        raise ValueError("step must be in 1…T (or −1 for the last step); step 0 is the start, before any trading")
    mark = float(result.mark[path, step])
    ls = result.liquidated_step[path]
    open_ = (ls == -1) | (ls > step)
    pnl_c = np.rint(population.size * (mark - population.entry) * 100.0)
    return np.where(open_ & (pnl_c > 0), pnl_c, 0.0) / 100.0


def _beyond(s: MonteCarloSummary) -> np.ndarray:
    """Per path: bad debt the fund could not pay (USD) = socialized + left uncovered."""
    return s.socialized + s.uncovered


def table(mc: dict) -> str:
    """A plain-text table comparing the mechanisms of a :func:`~socialized_loss.simulate.monte_carlo` result: share
    of paths past the fund, mean socialized and uncovered loss per path, the 99th-percentile path, and the shares
    paid by longs and by traders at 10× or more."""
    head = (f"{'rule':<20}{'paths past':>11}{'socialized':>12}{'uncovered':>11}{'99 % path':>11}"
            f"{'paid by':>9}{'paid by':>9}")
    head2 = f"{'':<20}{'the fund':>11}{'mean USD':>12}{'mean USD':>11}{'USD':>11}{'longs':>9}{'≥ 10×':>9}"
    lines = [head, head2, "-" * len(head)]
    for key, s in mc.items():
        labels, shares = group_shares(s)
        paid = s.socialized.sum() > 0
        longs = f"{shares[0] + shares[1]:>9.0%}" if paid else f"{'—':>9}"
        high = f"{shares[1] + shares[3]:>9.0%}" if paid else f"{'—':>9}"
        lines.append(
            f"{MECHANISM_NAMES.get(key, key).split(' (')[0]:<20}{np.mean(_beyond(s) > 0):>11.1%}"
            f"{s.socialized.mean():>12,.0f}{s.uncovered.mean():>11,.0f}{np.quantile(_beyond(s), 0.99):>11,.0f}"
            f"{longs}{high}"
        )
    return "\n".join(lines)


def comparison_figure(mc: dict, figsize=(10.0, 4.2)):
    """Lesson 10's main picture from a :func:`~socialized_loss.simulate.monte_carlo` result: (left) for each
    mechanism, the share of paths whose bad debt beyond the fund exceeds a level; (right) who pays the socialized
    part, four trader groups stacked per mechanism. Returns the pyplot Figure (call ``plt.show()``)."""
    import matplotlib.pyplot as plt

    fig, (ax_l, ax_r) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [1.1, 1.0]})
    p_max = 0.0
    for k, (key, s) in enumerate(mc.items()):
        loss = np.sort(_beyond(s))
        n = loss.size
        xs = np.concatenate(([0.0], loss))
        ys = np.concatenate(([1.0], (n - np.arange(1, n + 1)) / n))
        ax_l.step(xs, ys, where="post", color=COLORS[k], linestyle=["-", "--", "-.", ":"][k % 4],
                  marker="", linewidth=2.4 - 0.3 * k, label=MECHANISM_NAMES.get(key, key))
        p_max = max(p_max, float(np.mean(loss > 0)))
    ax_l.set_ylim(0, min(1.0, max(0.1, 1.3 * p_max)))
    ax_l.set_xlim(left=0)
    ax_l.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{100 * y:.0f}"))
    ax_l.xaxis.set_major_formatter(_thousands())
    ax_l.set_xlabel("Bad debt beyond the fund on a path (thousand USD)")
    ax_l.set_ylabel("Share of paths with more (%)")
    ax_l.set_title("How far past the fund? (same for every rule)")
    ax_l.legend(fontsize=9, loc="upper right")

    keys = [k for k in mc if mc[k].socialized.sum() > 0]
    y = np.arange(len(keys))[::-1]
    left = np.zeros(len(keys))
    colours = [COLORS[1], COLORS[4], COLORS[0], COLORS[2]]
    hatches = ["", "//", "", "//"]
    for g in range(4):
        w = np.array([100.0 * group_shares(mc[k])[1][g] for k in keys])
        ax_r.barh(y, w, left=left, color=colours[g], hatch=hatches[g], edgecolor="black", linewidth=0.6,
                  label=GROUP_LABELS[g])
        for yi, wi, li in zip(y, w, left):
            if wi >= 8:
                ax_r.text(li + wi / 2, yi, f"{wi:.0f}", ha="center", va="center", fontsize=9,
                          bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 1})
        left = left + w
    ax_r.set_yticks(y, [MECHANISM_NAMES[k].split(" (")[0] for k in keys])
    ax_r.set_xlim(0, 100)
    ax_r.set_xlabel("Share of socialized losses (%)")
    ax_r.set_title("Who pays?")
    ax_r.set_ylabel("Trader group")
    ax_r.grid(axis="y", visible=False)
    ax_r.legend(fontsize=9, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    return fig


# ----------------------------------------------------------------------------------------------------------------
# The explorer


def stress_state(
    mechanism: str = "clawback",
    jump_size: float = 6.0,
    jumps_per_path: float = 3.0,
    fund: float = 20_000.0,
    leverage_mix: str = "aggressive (1–50×)",
    *,
    n_traders: int = 300,
    n_steps: int = 250,
    n_paths: int = 40,
    seed: int = 0,
) -> dict[str, Any]:
    """Run the engine's vectorised simulation once and summarise who pays.

    ``mechanism``: one of the engine's ``MECHANISMS``; ``jump_size``: the average price jump, % of price in [0, 50]
    (a drop); ``jumps_per_path``: expected number of jumps over the path, in [0, 50]; ``fund``: the insurance fund at
    the start (USD ≥ 0); ``leverage_mix``: a key of ``LEVERAGE_MIXES``. The population (seed ``seed``) and the
    Brownian part of the prices (seed ``seed`` + 1) are fixed, so moving one control changes only what it controls.

    Returns per path (USD): ``beyond_fund`` (bad debt the fund could not pay), ``socialized``, ``uncovered``,
    ``bad_debt``; ``p_beyond_fund`` (share of paths with any), ``quantiles`` of ``beyond_fund`` at 50/90/100 %,
    ``group_labels`` and ``group_paid`` / ``group_share`` (USD and share of all socialized losses, four groups),
    ``top_decile_share`` (share paid by the 10 % largest positions by notional), ``largest_hit`` (USD: the most one
    trader paid on one path) with ``largest_hit_pct`` (% of that trader's collateral), ``median_hit_count`` (traders
    charged on a path that socialized anything, median) and the engine's ``result``.
    """
    v.choice("mechanism", mechanism, MECHANISMS)
    v.choice("leverage_mix", leverage_mix, tuple(LEVERAGE_MIXES))
    js = float(v.as_array("jump_size", jump_size))
    if not 0 <= js <= 50:
        raise ValueError(f"jump_size must be in [0, 50] (% of price), got {jump_size!r}")
    jp = float(v.as_array("jumps_per_path", jumps_per_path))
    if not 0 <= jp <= 50:
        raise ValueError(f"jumps_per_path must be in [0, 50], got {jumps_per_path!r}")
    f0 = float(v.nonnegative("fund", fund))
    n_steps = v.integer("n_steps", n_steps, 1)
    seed = v.integer("seed", seed, 0)
    pop = _population(n_traders, seed, LEVERAGE_MIXES[leverage_mix])
    prices = _prices(n_paths, n_steps, seed + 1, jp * HOURS_PER_YEAR / n_steps, float(np.log1p(-js / 100.0)))
    r = simulate(population=pop, prices=prices, mechanism=mechanism, fund0=f0)
    socialized = r.socialized_cents.sum(axis=1) / 100.0
    uncovered = r.uncovered_cents.sum(axis=1) / 100.0
    beyond = socialized + uncovered
    labels, masks = groups(pop)
    group_paid = (r.charged_cents @ masks.T.astype(np.int64)).sum(axis=0) / 100.0
    total = float(r.charged_cents.sum()) / 100.0
    share = group_paid / total if total > 0 else np.zeros(4)
    notional = np.abs(pop.size * pop.entry)
    top = notional >= np.quantile(notional, 0.9)
    top_share = float(r.charged_cents[:, top].sum()) / 100.0 / total if total > 0 else 0.0
    if total > 0:
        p_i, i = np.unravel_index(np.argmax(r.charged_cents), r.charged_cents.shape)
        largest = float(r.charged_cents[p_i, i]) / 100.0
        largest_pct = 100.0 * largest / float(pop.collateral[i]) if pop.collateral[i] > 0 else float("inf")
        hit_paths = r.charged_cents.sum(axis=1) > 0
        median_count = float(np.median((r.charged_cents[hit_paths] > 0).sum(axis=1)))
    else:
        largest, largest_pct, median_count = 0.0, 0.0, 0.0
    return {
        "mechanism": mechanism,
        "jump_size": js,
        "jumps_per_path": jp,
        "fund": f0,
        "leverage_mix": leverage_mix,
        "n_traders": len(pop),
        "n_paths": int(prices.shape[0]),
        "n_steps": n_steps,
        "bad_debt": r.bad_debt,
        "beyond_fund": beyond,
        "socialized": socialized,
        "uncovered": uncovered,
        "p_beyond_fund": float(np.mean(beyond > 0)),
        "quantile_levels": np.array([0.5, 0.9, 1.0]),
        "quantiles": np.quantile(beyond, [0.5, 0.9, 1.0]),
        "group_labels": labels,
        "group_paid": group_paid,
        "group_share": share,
        "top_decile_share": top_share,
        "largest_hit": largest,
        "largest_hit_pct": largest_pct,
        "median_hit_count": median_count,
        "n_liquidated_mean": float(r.n_liquidated.sum(axis=1).mean()),
        "result": r,
    }


@lru_cache(maxsize=8)
def _population(n_traders: int, seed: int, max_leverage: float) -> TraderPopulation:
    """The engine's seeded population, memoised (a pure cache: same arguments, same traders)."""
    return make_population(n_traders, seed=seed, max_leverage=max_leverage)


@lru_cache(maxsize=16)
def _prices(n_paths: int, n_steps: int, seed: int, jump_rate: float, jump_mean: float) -> np.ndarray:
    """The engine's seeded price paths, memoised and read-only (a pure cache)."""
    prices = gbm_jump_paths(n_paths, n_steps, seed=seed, jump_rate=jump_rate, jump_mean=jump_mean, jump_sd=0.04)
    prices.setflags(write=False)
    return prices


def _readout(st: dict[str, Any]) -> str:
    usd = lambda x: f"{x:,.0f} USD"
    q50, q90, q100 = st["quantiles"]
    rows = [
        ("Paths with bad debt beyond the fund", f"{100 * st['p_beyond_fund']:.0f} % of {st['n_paths']}"),
        ("Beyond the fund: median / 90 % / worst path", f"{q50:,.0f} / {q90:,.0f} / {q100:,.0f} USD"),
        ("Socialized (mean per path)", usd(st["socialized"].mean())),
    ]
    unc = st["uncovered"].mean()
    colour = "#D55E00" if unc > 0 else "#009E73"
    rows.append(("Left uncovered (mean per path)", f"<span style='color:{colour}'>{usd(unc)}</span>"))
    if st["mechanism"] == "none":
        rows.append(("Who pays", "nobody: the venue owes it (insolvent)"))
    else:
        rows += [
            ("Largest single hit", f"{usd(st['largest_hit'])} ({st['largest_hit_pct']:.0f} % of that trader's collateral)"),
            ("Traders charged (median, paths hit)", f"{st['median_hit_count']:.0f} of {st['n_traders']}"),
            ("Paid by the 10 % largest positions", f"{100 * st['top_decile_share']:.0f} %"),
        ]
    rows.append(("Liquidations per path (mean)", f"{st['n_liquidated_mean']:.0f}"))
    return table_html(rows)


def stress_explorer(seed: int = 0) -> Explorer:
    """Mechanism, average jump, jumps per path, insurance fund and leverage mix → the distribution over paths of the
    loss beyond the fund, and who pays it (four trader groups)."""
    controls = {
        "mechanism": W.Dropdown(
            options=[(label, key) for key, label in MECHANISM_NAMES.items()], value="clawback",
            description="Mechanism", style={"description_width": DESCRIPTION_WIDTH}, layout=W.Layout(width=CONTROL_WIDTH),
        ),
        "jump_size": slider("Average jump (a drop)", 6.0, 0.0, 15.0, 0.5, "% of price", ".1f"),
        "jumps_per_path": slider("Jumps per path", 3.0, 0.0, 10.0, 0.5, "expected count", ".1f"),
        "fund": slider("Insurance fund at start", 20_000.0, 0.0, 100_000.0, 2_500.0, "USD", ",.0f"),
        "leverage_mix": W.Dropdown(
            options=list(LEVERAGE_MIXES), value="aggressive (1–50×)", description="Leverage mix (log-uniform)",
            style={"description_width": DESCRIPTION_WIDTH}, layout=W.Layout(width=CONTROL_WIDTH),
        ),
    }
    fig, (ax_l, ax_r) = new_figure(1, 2, figsize=(8.4, 3.6), gridspec_kw={"width_ratios": [1.25, 1.0]})
    (curve,) = ax_l.step([0, 1], [1, 0], where="post", color=COLORS[0], linestyle="-", marker="")
    ax_l.set_xlabel("Bad debt beyond the fund on a path (thousand USD)")
    ax_l.set_ylabel("Share of paths with more (%)")
    ax_l.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{100 * y:.0f}"))
    ax_l.set_title("How far past the fund?")
    ax_l.xaxis.set_major_formatter(_thousands())
    ypos = np.arange(4)[::-1]
    bars = ax_r.barh(ypos, np.zeros(4), color=[COLORS[1], COLORS[4], COLORS[0], COLORS[2]],
                     hatch=None, edgecolor="black", linewidth=0.6)
    for b, h in zip(bars, ["", "//", "", "//"]):
        b.set_hatch(h)
    ax_r.set_yticks(ypos, GROUP_LABELS)
    ax_r.set_xlim(0, 100)
    ax_r.set_xlabel("Share of socialized losses (%)")
    ax_r.set_title("Who pays?")
    ax_r.set_ylabel("Trader group")
    ax_r.grid(axis="y", visible=False)
    labels_txt = [ax_r.text(0, y, "", va="center", ha="left", fontsize=10) for y in ypos]
    note = ax_r.text(50, 1.5, "", ha="center", va="center", fontsize=10, wrap=True)

    def update(values: dict[str, Any]):
        st = stress_state(
            mechanism=values["mechanism"], jump_size=values["jump_size"], jumps_per_path=values["jumps_per_path"],
            fund=values["fund"], leverage_mix=values["leverage_mix"], seed=seed,
        )
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        loss = np.sort(st["beyond_fund"])  # ascending
        n = loss.size
        top = nice_ceil(float(loss[-1]) * 1.05, floor=1_000.0)  # steps 1-2-5: steady while a slider moves
        # share of paths with MORE than x: 1 below the smallest loss, dropping by 1/n at each path's loss
        xs = np.concatenate(([0.0], loss, [top]))
        ys = np.concatenate(([1.0], (n - np.arange(1, n + 1)) / n, [0.0]))
        curve.set_data(xs, ys)
        ax_l.set_xlim(0, top)
        ax_l.set_ylim(0, min(1.0, nice_ceil(1.1 * st["p_beyond_fund"], floor=0.1)))  # zoom on the tail
        shares = 100.0 * st["group_share"]
        for b, s, t, yv in zip(bars, shares, labels_txt, ypos):
            b.set_width(s)
            t.set_position((s + 1.5 if s < 80 else s - 1.5, yv))
            t.set_ha("left" if s < 80 else "right")
            t.set_text(f"{s:.0f} %" if st["group_paid"].sum() > 0 else "")
        if st["mechanism"] == "none":
            note.set_text("Nothing is socialized:\nthe venue is left owing\n"
                          f"{st['uncovered'].mean():,.0f} USD per path on average")
        elif st["socialized"].sum() == 0:
            note.set_text("No loss went past the fund\non these paths")
        else:
            note.set_text("")

    return assemble(controls, fig, update, draw, title="Stress lab: many crashes through one rule")

"""Lesson 10's stress lab: many simulated crashes through one venue's rules, and who ends up paying.

A thin layer over the simulator (:mod:`socialized_loss.simulate`): :func:`lab` builds the lesson's market with fixed
seeds; :func:`open_profits` gives the base a clawback shares a loss over on one path; :func:`groups` and
:func:`group_shares` split traders by side and leverage; :func:`table` compares the mechanisms of a Monte Carlo run;
:func:`stress_state` runs the vectorised simulation once on a small market (300 traders × 250 hourly steps × 40
paths) for the mechanism and stress a learner picks and summarises who pays (the stress explorer draws it).

The market is a TEACHING model (see :mod:`socialized_loss.simulate`): hourly steps, 80 % annual volatility plus
Merton jumps, isolated-margin traders with log-uniform leverage, square-root price impact, dYdX v4's liquidation-fee
rule, the insurance fund's law of motion from Chitra (arXiv:2512.01112 v3), and the mechanisms as documented by OKEx
(clawback), Drift v2 (contracts-pro-rata) and the ADL paper's PnL-haircut queue (an abstraction of a venue's
ADL queue). :func:`stress_state` memoises its population and price paths (pure caches keyed on their arguments);
the simulation itself runs on every call.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from . import rules
from . import validate as v
from .simulate import MECHANISMS, MonteCarloSummary, SimResult, TraderPopulation, gbm_jump_paths, make_population
from .simulate import simulate as _simulate

__all__ = [
    "GROUP_EDGE",
    "GROUP_LABELS",
    "HOURS_PER_YEAR",
    "LEVERAGE_MIXES",
    "MECHANISM_NAMES",
    "StressLab",
    "beyond_fund",
    "group_shares",
    "groups",
    "lab",
    "open_profits",
    "stress_state",
    "table",
]

#: Leverage mixes offered by the explorer: label → maximum leverage (×); leverage is log-uniform on [1, max].
LEVERAGE_MIXES = {
    "cautious (1–5×)": 5.0,
    "moderate (1–20×)": 20.0,
    "aggressive (1–50×)": 50.0,
    "reckless (1–100×)": 100.0,
}

#: The simulator's mechanisms (rule names) with the labels the lessons show.
MECHANISM_NAMES = {
    "none": "none (left uncovered)",
    "clawback": "clawback (pro rata to profit)",
    "contracts_pro_rata": "contracts-pro-rata",
    "pnl_haircut_queue": "PnL-haircut queue (the ADL paper's abstraction)",
}

HOURS_PER_YEAR = 8760.0
GROUP_EDGE = 10.0  # ×: "low" leverage below, "high" at or above


#: The four trader groups of :func:`group_shares` (side × leverage below / at or above 10×).
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

    >>> lab(n_traders=20, n_paths=3, n_steps=10).prices.shape
    (3, 11)


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
    a boolean array (4 × traders). Every trader is in exactly one group.

    >>> labels, masks = groups(make_population(50, seed=1))
    >>> labels[0], masks.shape, bool((masks.sum(axis=0) == 1).all())
    ('longs under 10×', (4, 50), True)
    """
    if not isinstance(population, TraderPopulation):
        raise TypeError(f"population must be a TraderPopulation, got {type(population).__name__}")
    e = float(v.positive("edge", edge))
    long_ = population.side > 0
    high = population.leverage >= e
    masks = np.array([long_ & ~high, long_ & high, ~long_ & ~high, ~long_ & high])
    labels = (f"longs under {e:g}×", f"longs {e:g}× and up", f"shorts under {e:g}×", f"shorts {e:g}× and up")
    return labels, masks


def group_shares(summary: MonteCarloSummary) -> tuple[tuple[str, ...], np.ndarray]:
    """Collapse a :class:`~socialized_loss.simulate.MonteCarloSummary`'s side × leverage groups into the four groups
    of :func:`groups` (leverage below / at or above 10×): returns the labels and each group's share of all
    socialized losses (sums to 1, or all zeros when nothing was socialized).

    >>> pop, prices = make_population(60, seed=2), gbm_jump_paths(8, 40, seed=3, jump_rate=500.0, jump_mean=-0.1)
    >>> from socialized_loss.simulate import monte_carlo
    >>> mc = monte_carlo(population=pop, prices=prices, mechanisms=["clawback"], fund0=0.0)
    >>> labels, shares = group_shares(mc["clawback"])
    >>> len(labels), bool(np.isclose(shares.sum(), 1.0) or shares.sum() == 0)
    (4, True)
    """
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
    down to the cent (the registry's clawback base, :func:`socialized_loss.rules.clawback`); a trader counts as open if it was not liquidated (or closed by ADL) at or before ``step``.

    >>> pop = make_population(20, seed=4)
    >>> r = _simulate(population=pop, prices=gbm_jump_paths(2, 10, seed=5), mechanism="none")
    >>> p = open_profits(pop, r, path=0)
    >>> p.shape, bool((p >= 0).all())
    ((20,), True)
    """
    if not isinstance(result, SimResult):
        raise TypeError(f"result must be a SimResult from sl.simulate.simulate, got {type(result).__name__}")
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
    # the registry's clawback base (profits rounded down to the cent), so the engine's clawback shares over exactly these
    book = rules.Book(np.where(open_, population.size, 0.0), population.entry, population.collateral, mark)
    return np.array(rules.clawback(book, 0.0).caps)


def beyond_fund(s: MonteCarloSummary) -> np.ndarray:
    """Per path: bad debt the fund could not pay (USD) = socialized + left uncovered (see :func:`table`)."""
    return s.socialized + s.uncovered


def table(mc: dict) -> str:
    """A plain-text table comparing the mechanisms of a :func:`~socialized_loss.simulate.monte_carlo` result: share
    of paths past the fund, mean socialized and uncovered loss per path, the 99th-percentile path, and the shares
    paid by longs and by traders at 10× or more (a row per mechanism).

    >>> pop, prices = make_population(60, seed=2), gbm_jump_paths(8, 40, seed=3, jump_rate=500.0, jump_mean=-0.1)
    >>> from socialized_loss.simulate import monte_carlo
    >>> mc = monte_carlo(population=pop, prices=prices, mechanisms=["none", "clawback"], fund0=0.0)
    >>> [line.split()[0] for line in table(mc).splitlines()[3:]]
    ['none', 'clawback']
    >>> bool((beyond_fund(mc["none"]) >= 0).all())
    True
    """
    head = (f"{'rule':<20}{'paths past':>11}{'socialized':>12}{'uncovered':>11}{'99 % path':>11}"
            f"{'paid by':>9}{'paid by':>9}")
    head2 = f"{'':<20}{'the fund':>11}{'mean USD':>12}{'mean USD':>11}{'USD':>11}{'longs':>9}{'≥ 10×':>9}"
    lines = [head, head2, "-" * len(head)]
    for key, s in mc.items():
        _, shares = group_shares(s)
        paid = s.socialized.sum() > 0
        longs = f"{shares[0] + shares[1]:>9.0%}" if paid else f"{'—':>9}"
        high = f"{shares[1] + shares[3]:>9.0%}" if paid else f"{'—':>9}"
        lines.append(
            f"{MECHANISM_NAMES.get(key, key).split(' (')[0]:<20}{np.mean(beyond_fund(s) > 0):>11.1%}"
            f"{s.socialized.mean():>12,.0f}{s.uncovered.mean():>11,.0f}{np.quantile(beyond_fund(s), 0.99):>11,.0f}"
            f"{longs}{high}"
        )
    return "\n".join(lines)


@lru_cache(maxsize=8)
def _population(n_traders: int, seed: int, max_leverage: float) -> TraderPopulation:
    """The engine's seeded population, memoised (a pure cache: same arguments, same traders)."""
    return make_population(n_traders, seed=seed, max_leverage=max_leverage)


@lru_cache(maxsize=32)
def _run(n_traders: int, seed: int, max_leverage: float, n_paths: int, n_steps: int, jump_rate: float,
         jump_mean: float, mechanism: str, fund0: float) -> SimResult:
    """One simulation of the memoised population and prices, memoised with read-only arrays (a pure cache: same
    arguments, same result; a slider dragged back over values it has shown re-uses them)."""
    r = _simulate(population=_population(n_traders, seed, max_leverage),
                  prices=_prices(n_paths, n_steps, seed + 1, jump_rate, jump_mean), mechanism=mechanism, fund0=fund0)
    for x in vars(r).values():
        if isinstance(x, np.ndarray):
            x.setflags(write=False)
    return r


@lru_cache(maxsize=32)
def _prices(n_paths: int, n_steps: int, seed: int, jump_rate: float, jump_mean: float) -> np.ndarray:
    """The engine's seeded price paths, memoised and read-only (a pure cache)."""
    prices = gbm_jump_paths(n_paths, n_steps, seed=seed, jump_rate=jump_rate, jump_mean=jump_mean, jump_sd=0.04)
    prices.setflags(write=False)
    return prices


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

    >>> st = stress_state("clawback", n_traders=50, n_steps=40, n_paths=4)
    >>> st["group_share"].shape, st["n_paths"]
    ((4,), 4)
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
    n_paths = v.integer("n_paths", n_paths, 1)
    n_traders = v.integer("n_traders", n_traders, 1)
    seed = v.integer("seed", seed, 0)
    pop = _population(n_traders, seed, LEVERAGE_MIXES[leverage_mix])
    prices = _prices(n_paths, n_steps, seed + 1, jp * HOURS_PER_YEAR / n_steps, float(np.log1p(-js / 100.0)))
    r = _run(n_traders, seed, LEVERAGE_MIXES[leverage_mix], n_paths, n_steps, jp * HOURS_PER_YEAR / n_steps,
             float(np.log1p(-js / 100.0)), mechanism, f0)
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

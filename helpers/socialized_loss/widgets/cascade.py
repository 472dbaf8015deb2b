"""Lesson 02's explorer: a crash hits a book of leveraged traders; liquidations move the price into the next ones.

The maths is :func:`socialized_loss.liquidation.cascade` (a TEACHING model: square-root price impact on a book with a
given 1 % depth; see that module's docstring). This module only picks a book, runs the cascade and draws it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import liquidation as liq
from .. import validate as v
from ..plots import COLORS
from ._base import (
    CONTROL_WIDTH,
    DESCRIPTION_WIDTH,
    Explorer,
    assemble,
    legend_above,
    new_figure,
    nice_ceil,
    slider,
    table_html,
)

__all__ = ["LEVERAGE_MIXES", "cascade_explorer", "cascade_state"]

#: Leverage mixes offered by the explorer: {name: {leverage (×): weight}} (passed to ``make_book``).
LEVERAGE_MIXES: dict[str, dict[float, float]] = {
    "cautious (2–5×)": {2.0: 1.0, 3.0: 1.0, 5.0: 1.0},
    "mixed (2–50×)": {2.0: 1.0, 5.0: 1.0, 10.0: 1.0, 20.0: 1.0, 50.0: 1.0},
    "aggressive (10–100×)": {10.0: 1.0, 20.0: 1.0, 50.0: 1.0, 100.0: 1.0},
}

MAX_ROUNDS = 20  # rounds drawn (and simulated) by the explorer


@lru_cache(maxsize=16)
def _book(mix: str, n_traders: int, seed: int) -> liq.Book:
    return liq.make_book(n_traders, LEVERAGE_MIXES[mix], seed=seed)


def cascade_state(
    crash_pct: float = 3.0,
    leverage_mix: str = "mixed (2–50×)",
    depth: float = 1_000_000.0,
    *,
    fund_balance: float = 50_000.0,
    mmr: float = 0.01,
    n_traders: int = 200,
    seed: int = 1,
    max_rounds: int = MAX_ROUNDS,
) -> dict[str, Any]:
    """One liquidation cascade on a seeded book of ``n_traders`` isolated positions, all entered at 100 USD per token.

    ``crash_pct``: the outside price shock, % in [0, 95]; ``leverage_mix``: a key of :data:`LEVERAGE_MIXES`;
    ``depth``: the book's 1 % depth (USD > 0, the forced notional that moves the price 1 %); ``fund_balance``: the
    insurance fund before the crash (USD ≥ 0); ``mmr``: maintenance-margin rate in (0, 1).

    Returns the price path (USD per token: before, after the crash, after each liquidation round), liquidations per
    round, and the money (USD, to the cent): ``bad_debt`` (losses beyond collateral), ``fees`` (liquidation fees to
    the fund), ``fund_draw`` (bad debt the fund paid), ``uncovered`` (bad debt left for ADL or socialization).
    """
    crash = float(v.as_array("crash_pct", crash_pct))
    if not 0 <= crash <= 95:
        raise ValueError(f"crash_pct must be in [0, 95] (%), got {crash_pct!r}")
    v.choice("leverage_mix", leverage_mix, tuple(LEVERAGE_MIXES))
    depth = float(v.positive("depth", depth))
    fund0 = float(v.nonnegative("fund_balance", fund_balance))
    n_traders = v.integer("n_traders", n_traders, 1, 100_000)
    seed = v.integer("seed", seed, 0)
    book = _book(leverage_mix, n_traders, seed)
    res = liq.cascade(book, crash / 100.0, depth, mmr, fund_balance=fund0, max_rounds=max_rounds)
    rounds = res.round_liquidated
    n_rounds = len(res.prices) - 2
    per_round = np.bincount(rounds[rounds >= 0], minlength=n_rounds)[:n_rounds] if n_rounds else np.zeros(0, int)
    cents = lambda a: float(np.rint(np.asarray(a) * 100).sum() / 100)
    p0, p_crash, p_end = float(res.prices[0]), float(res.prices[1]), float(res.prices[-1])
    return {
        "crash_pct": crash,
        "leverage_mix": leverage_mix,
        "depth": depth,
        "n_traders": n_traders,
        "prices": res.prices,
        "price_after_crash": p_crash,
        "final_price": p_end,
        "total_drop_pct": 100.0 * (p0 - p_end) / p0,
        "cascade_drop_pct": 100.0 * (p_crash - p_end) / p0,
        "liquidations_per_round": per_round,
        "n_rounds": n_rounds,
        "n_liquidated": res.n_liquidated,
        "hit_round_limit": n_rounds >= max_rounds,
        "bad_debt": res.total_bad_debt,
        "fees": cents(res.fee),
        "fund_draw": cents(res.fund_paid),
        "uncovered": res.total_uncovered,
        "fund_before": fund0,
        "fund_after": res.fund_balance,
    }


def _readout(st: dict[str, Any]) -> str:
    unc = st["uncovered"]
    colour = "#D55E00" if unc > 0 else "#009E73"
    rows = [
        ("Traders liquidated", f"{st['n_liquidated']} of {st['n_traders']} in {st['n_rounds']} round(s)"
         + (" (limit reached)" if st["hit_round_limit"] else "")),
        ("Price: crash → end", f"{st['price_after_crash']:,.2f} → {st['final_price']:,.2f} USD"),
        ("Extra fall from the cascade", f"{st['cascade_drop_pct']:.2f} % of the start price"),
        ("Bad debt (beyond collateral)", f"{st['bad_debt']:,.2f} USD"),
        ("Fees into the fund", f"{st['fees']:,.2f} USD"),
        ("Fund draw (bad debt paid)", f"{st['fund_draw']:,.2f} USD"),
        ("Insurance fund: before → after", f"{st['fund_before']:,.2f} → {st['fund_after']:,.2f} USD"),
        ("Left uncovered (→ ADL or socialization)", f"<span style='color:{colour}'>{unc:,.2f} USD</span>"),
    ]
    return table_html(rows)


def cascade_explorer(fund_balance: float = 50_000.0, mmr: float = 0.01) -> Explorer:
    """Sliders for the crash size (%), the leverage mix and the book's 1 % depth (USD) over a 200-trader book."""
    controls = {
        "crash_pct": slider("Crash size", 3.0, 0.0, 40.0, 0.5, "%", ".1f"),
        "leverage_mix": W.Dropdown(
            options=list(LEVERAGE_MIXES), value="mixed (2–50×)", description="Leverage mix",
            style={"description_width": DESCRIPTION_WIDTH}, layout=W.Layout(width=CONTROL_WIDTH),
        ),
        "depth": W.FloatLogSlider(
            value=1_000_000.0, base=10, min=5, max=7.5, step=0.05, description="Book 1 % depth (USD)",
            readout_format=",.0f", style={"description_width": DESCRIPTION_WIDTH}, layout=W.Layout(width=CONTROL_WIDTH),
        ),
    }
    fig, (ax_p, ax_n) = new_figure(1, 2, figsize=(8.4, 3.8))
    steps = np.arange(MAX_ROUNDS + 2)
    (price_line,) = ax_p.plot([0, 1], [100, 100], color=COLORS[0], marker="o", label="Price")
    crash_line = ax_p.axhline(100, color=COLORS[1], linestyle="--", linewidth=1.2, label="After the crash alone")
    ax_p.set_xlabel("Step (0 start, 1 crash, then rounds)")
    ax_p.set_ylabel("Price (USD per token)")
    ax_p.set_title("Price path")
    legend_above(ax_p, ncols=2)
    ax_n.set_title(ax_n.get_title(), pad=6 + 9 * 1.5)  # level with the price panel's title, above its legend
    bars = ax_n.bar(steps[1:MAX_ROUNDS + 1], np.zeros(MAX_ROUNDS), color=COLORS[4], edgecolor="black", linewidth=0.5)
    ax_n.set_xlabel("Liquidation round")
    ax_n.set_ylabel("Traders liquidated")
    ax_n.set_title("Liquidations per round")
    for axis in (ax_p.xaxis, ax_n.xaxis, ax_n.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))

    def update(values: dict[str, Any]):
        st = cascade_state(values["crash_pct"], values["leverage_mix"], values["depth"],
                           fund_balance=fund_balance, mmr=mmr)
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        prices = st["prices"]
        price_line.set_data(np.arange(prices.size), prices)
        crash_line.set_ydata([st["price_after_crash"]] * 2)
        # limits in steps (rounds: 5, 10, 20; price: whole 25 USD below the low), so a drag keeps the background
        last = 5 if prices.size <= 7 else (10 if prices.size <= 12 else MAX_ROUNDS + 1)
        ax_p.set_xlim(-0.3, last + 0.3)
        lo = float(prices.min())
        ax_p.set_ylim(25.0 * np.floor((lo - 1.0) / 25.0), 102.0)
        counts = np.zeros(MAX_ROUNDS)
        k = min(MAX_ROUNDS, st["liquidations_per_round"].size)
        counts[:k] = st["liquidations_per_round"][:k]
        for b, h in zip(bars, counts):
            b.set_height(h)
        ax_n.set_xlim(0.4, (5 if k <= 5 else 10 if k <= 10 else MAX_ROUNDS) + 0.6)
        ax_n.set_ylim(0, nice_ceil(1.1 * counts.max(), floor=5.0))

    return assemble(controls, fig, update, draw, title="A crash, a book of leveraged traders, a cascade")

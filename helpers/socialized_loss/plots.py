"""The course plot style: colour-blind-safe, told apart by line style and marker too, readable in dark themes.

``use_style()`` is called on import of the package's plotting helpers and by every figure helper; it only touches
matplotlib's rcParams (no seaborn style names, which were renamed upstream and broke other courses).
The palette is Okabe & Ito's colour-blind-safe set (https://jfly.uni-koeln.de/color/).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from cycler import cycler

from . import margin as _margin

__all__ = [
    "COLORS",
    "LINESTYLES",
    "MARKERS",
    "account_waterfall",
    "funding_and_tiers",
    "money_axis",
    "money_ticks",
    "new_figure",
    "payers_chart",
    "use_style",
    "winners_by_base",
]

#: Okabe–Ito colours, in the order the cycle uses them.
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
LINESTYLES = ["-", "--", "-.", ":", "-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

STYLE = {
    "axes.prop_cycle": cycler(color=COLORS) + cycler(linestyle=LINESTYLES) + cycler(marker=MARKERS),
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.bbox": "tight",
    "figure.figsize": (7.5, 4.2),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.framealpha": 0.9,
    "axes.grid": True,
    "axes.axisbelow": True,  # grid and ticks under the data (and, in explorers, in the reusable background)
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "lines.markersize": 5,
    "text.color": "black",
    "axes.labelcolor": "black",
    "xtick.color": "black",
    "ytick.color": "black",
}


def use_style() -> None:
    """Apply the course style to matplotlib (idempotent)."""
    mpl.rcParams.update(STYLE)


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """``plt.subplots`` with the course style applied; returns ``(fig, ax)``."""
    import matplotlib.pyplot as plt

    use_style()
    return plt.subplots(nrows, ncols, **kwargs)


def money_ticks(scale: float = 1.0):
    """A tick formatter for money: value ÷ ``scale`` (1000 for "thousand USD") with thousands separators and as many
    decimals as the spacing of the ticks needs, so two ticks never read the same (ticks 0.25 apart read 0.25, 0.50,
    …; 200 apart in thousands read 0.2, 0.4, …). One per axis: matplotlib binds a formatter to one axis.

    >>> f = money_ticks(1000.0)
    >>> f.format_ticks([0.0, 200.0, 400.0]), money_ticks().format_ticks([0.0, 50_000.0, 100_000.0])
    (['0.0', '0.2', '0.4'], ['0', '50,000', '100,000'])
    """
    from matplotlib.ticker import Formatter

    class MoneyTicks(Formatter):
        decimals = 0

        def set_locs(self, locs) -> None:  # the axis passes every tick before it asks for their labels
            super().set_locs(locs)
            ticks = np.sort(np.asarray(locs, dtype=float)) / scale
            step = float(np.min(np.diff(ticks))) if ticks.size > 1 else 1.0
            self.decimals = min(6, max(0, -int(np.floor(np.log10(step) + 1e-9)))) if step > 0 else 0

        def __call__(self, x, pos=None) -> str:
            return f"{x / scale:,.{self.decimals}f}"

    return MoneyTicks()


def money_axis(ax, axis: str = "y", unit: str = "USD") -> None:
    """Format an axis with thousands separators (:func:`money_ticks`); label units are the caller's job (they must
    be there)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(money_ticks())


def _bar_labels(ax, bars, values, fmt="{:,.0f}") -> None:
    """Write each bar's value just outside its end (above a positive bar, below a negative one)."""
    for bar, v in zip(bars, values):
        y = bar.get_y() + bar.get_height()  # the bar's far end (its height is negative for a negative bar)
        ax.annotate(fmt.format(v), (bar.get_x() + bar.get_width() / 2, y), xytext=(0, 3 if v >= 0 else -3),
                    textcoords="offset points", ha="center", va="bottom" if v >= 0 else "top", fontsize=10)


def account_waterfall(balance: float, sizes, entries, prices, names: Sequence[str]):
    """Lesson 01: a cross-margined account's total net collateral built up step by step: the ``balance`` (USD), then
    each position's unrealised PnL (USD), ending at the account's net collateral; below zero the whole account is
    bankrupt and that much is bad debt. ``sizes`` in coins (+ long / − short), ``entries`` and ``prices`` in USD per
    coin, ``names`` one per position. Returns the figure.

    >>> fig = account_waterfall(8_000, [1.0, -10.0], [60_000, 3_000], [57_000, 3_600], ["BTC long", "ETH short"])
    >>> [round(b.get_height()) for b in fig.axes[0].patches]
    [8000, -3000, -6000, -1000]
    """
    import matplotlib.pyplot as plt

    use_style()
    pnl = np.asarray(_margin.equity(0.0, np.asarray(sizes, float), np.asarray(entries, float),
                                    np.asarray(prices, float)), dtype=float)
    steps = [float(balance), *pnl.tolist()]
    starts = np.concatenate([[0.0], np.cumsum(steps)[:-1]])
    total = float(np.sum(steps))
    labels = ["balance", *[f"{n}\nPnL" for n in names], "net collateral\n(the account)"]
    heights = [*steps, total]
    bottoms = [*starts.tolist(), 0.0]
    colors = [COLORS[0], *[COLORS[2] if v >= 0 else COLORS[4] for v in pnl], COLORS[2] if total >= 0 else COLORS[1]]
    hatches = ["", *["" if v >= 0 else ".." for v in pnl], "" if total >= 0 else "//"]
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    bars = ax.bar(labels, heights, bottom=bottoms, color=colors, hatch=hatches, width=0.6)
    for k, (bar, v) in enumerate(zip(bars, heights)):
        end = bar.get_y() + bar.get_height()
        ax.annotate(f"{v:+,.0f}" if 0 < k <= pnl.size else f"{v:,.0f}", (bar.get_x() + bar.get_width() / 2, end),
                    xytext=(0, 3 if v >= 0 else -3), textcoords="offset points", ha="center",
                    va="bottom" if v >= 0 else "top", fontsize=10)
        if k < len(bars) - 1:  # a thin connector to the next step
            ax.plot([bar.get_x() + bar.get_width(), bar.get_x() + 1], [end, end], color="grey", linewidth=0.8,
                    linestyle=":", marker="")
    ax.axhline(0, color="grey", linewidth=0.8)
    lo, hi = min(min(bottoms), total, 0.0), max(np.cumsum(steps).max(), 0.0)
    ax.set_ylim(lo - 0.2 * (hi - lo), hi + 0.15 * (hi - lo))
    ax.set_ylabel("USD")
    money_axis(ax)
    state = f"{-total:,.0f} USD of bad debt" if total < 0 else "solvent"
    ax.set_title(f"One balance for every position: {state}", fontsize=12)
    return fig


def funding_and_tiers(collateral: float, size: float, entry: float, mmr: float, rate_per_hour: float,
                      tiers, *, days: int = 7, max_notional: float = 4_000_000.0):
    """Lesson 01, two panels. Left: a long's liquidation price (USD per coin) hour by hour while it pays funding
    ``rate_per_hour`` × size × ``entry`` (the price held still at entry) out of its ``collateral`` (USD), against
    the same position without funding. Right: tiered maintenance margin (USD) against notional up to
    ``max_notional`` (USD), against the lowest tier's flat rate; ``tiers`` as in
    :func:`socialized_loss.margin.tiered_maintenance_margin`. Returns the figure.

    >>> fig = funding_and_tiers(6_000, 1.0, 60_000, 0.005, 0.0001, [(0, 0.005), (1_000_000, 0.01)])
    >>> len(fig.axes)
    2
    """
    import matplotlib.pyplot as plt

    use_style()
    hours = np.arange(days * 24 + 1)
    paid = abs(size) * entry * rate_per_hour * hours
    liq = np.asarray(_margin.liquidation_price(collateral - paid, size, entry, mmr), dtype=float)
    liq0 = float(_margin.liquidation_price(collateral, size, entry, mmr))
    notional = np.linspace(0.0, max_notional, 401)
    tiered = np.array([float(_margin.tiered_maintenance_margin(x, tiers)) for x in notional])
    flat = notional * float(tiers[0][1])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4.2))
    a1.plot(hours / 24, liq, color=COLORS[1], linestyle="-", marker="", label="paying funding")
    a1.axhline(liq0, color=COLORS[0], linestyle="--", label="no funding")
    a1.set_xlabel("Days held, price unchanged")
    a1.set_ylabel("Liquidation price (USD per BTC)")
    a1.set_title(f"Funding at {rate_per_hour:.2%} an hour")
    money_axis(a1)
    a1.legend(loc="upper left", fontsize=10)
    a2.plot(notional / 1e6, tiered / 1e3, color=COLORS[2], linestyle="-", marker="", label="tiered")
    a2.plot(notional / 1e6, flat / 1e3, color=COLORS[3], linestyle=":", marker="",
            label=f"flat {tiers[0][1]:.1%}")
    for lo, _rate in list(tiers)[1:]:
        a2.axvline(lo / 1e6, color="grey", linestyle="-.", linewidth=1)
    a2.set_xlabel("Notional (million USD)")
    a2.set_ylabel("Maintenance margin (thousand USD)")
    a2.set_title("Tiered maintenance margin")
    a2.legend(loc="upper left", fontsize=10)
    return fig


def winners_by_base(names: Sequence[str], day_pnl, week_pnl):
    """Lesson 04: each account's PnL (USD) for the day and for the week, side by side; an account is a winner
    under a base when its bar is above zero. Returns the figure.

    >>> fig = winners_by_base(["A", "B"], [5.0, -1.0], [-2.0, 3.0])
    >>> len(fig.axes[0].patches)
    4
    """
    import matplotlib.pyplot as plt

    use_style()
    day, week = np.asarray(day_pnl, dtype=float), np.asarray(week_pnl, dtype=float)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    b1 = ax.bar(x - 0.2, day, width=0.4, color=COLORS[0], label="the day (Deribit's base)")
    b2 = ax.bar(x + 0.2, week, width=0.4, color=COLORS[4], hatch="..", label="the week (OKEx's base)")
    _bar_labels(ax, b1, day)
    _bar_labels(ax, b2, week)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(x, list(names))
    lo, hi = min(day.min(), week.min(), 0), max(day.max(), week.max(), 0)
    ax.set_ylim(lo - 0.15 * (hi - lo), hi + 0.3 * (hi - lo))
    ax.set_ylabel("Profit and loss (USD)")
    money_axis(ax)
    ax.set_title("Who counts as a winner depends on the period")
    ax.legend(loc="upper right", fontsize=10)
    return fig


def payers_chart(cases: Mapping[str, Mapping[str, float]], *, unit: str = "million"):
    """Lesson 07: one horizontal stacked bar per case (``{case label: {who paid: amount}}``, amounts in ``unit`` of
    the currency each label names), coloured by who bore it; each segment carries its amount. Returns the figure.

    >>> fig = payers_chart({"a (USD)": {"venue": 2.0}, "b (EUR)": {"members": 1.0, "venue": 1.0}})
    >>> len(fig.axes[0].patches)
    3
    """
    import matplotlib.pyplot as plt

    use_style()
    payers = list(dict.fromkeys(p for parts in cases.values() for p in parts))
    colour = {p: COLORS[i % len(COLORS)] for i, p in enumerate(payers)}
    hatch = {p: ["", "//", "..", "xx", "\\\\", "++"][i % 6] for i, p in enumerate(payers)}
    labels = list(cases)
    fig, ax = plt.subplots(figsize=(8.5, 0.9 * len(labels) + 2.6))
    top = max(sum(parts.values()) for parts in cases.values())
    seen: set[str] = set()
    for row, label in enumerate(labels):
        left = 0.0
        for payer, amount in cases[label].items():
            bar = ax.barh(row, amount, left=left, color=colour[payer], hatch=hatch[payer], edgecolor="white",
                          height=0.6, label=None if payer in seen else payer)
            seen.add(payer)
            text = f"{amount:,.0f}" if amount >= 1 else f"{amount:,.2f}"
            if amount >= 0.08 * top:  # inside the segment
                ax.text(left + amount / 2, row, text, ha="center", va="center", fontsize=10, color="white",
                        fontweight="bold", bbox={"facecolor": "black", "alpha": 0.35, "pad": 1, "linewidth": 0})
            else:  # too narrow: above it
                ax.text(left + amount / 2, row - 0.33, text, ha="center", va="bottom", fontsize=10)
            left += amount
            del bar
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.85)  # first case on top, room above it for a narrow segment's label
    ax.set_xlim(0, top * 1.12)
    ax.set_xlabel(f"Amount ({unit}s, in the currency each row names)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.35, -0.14), ncol=2, fontsize=10, title="Who bore it",
              title_fontsize=10)
    return fig

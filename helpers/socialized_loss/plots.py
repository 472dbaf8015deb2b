"""The course plot style: colour-blind-safe, told apart by line style and marker too, readable in dark themes.

``use_style()`` is called on import of the package's plotting helpers and by every figure helper; it only touches
matplotlib's rcParams (no seaborn style names, which were renamed upstream and broke other courses).
The palette is Okabe & Ito's colour-blind-safe set (https://jfly.uni-koeln.de/color/).
"""
from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

__all__ = ["COLORS", "LINESTYLES", "MARKERS", "money_axis", "new_figure", "use_style"]

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


def money_axis(ax, axis: str = "y", unit: str = "USD") -> None:
    """Format an axis with thousands separators; label units are the caller's job (they must be there)."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda x, _pos: f"{x:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)

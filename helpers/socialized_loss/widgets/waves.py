"""Lesson 09's explorer: step through the 16 ADL waves of Hyperliquid, 10 October 2025.

For the chosen wave it shows what was needed, what production ADL took and what each counterfactual policy would
have taken (or the largest single haircut, as a share of that account's equity), and the running totals up to
that wave. Data: the authors' per-wave file (``socialized_loss.casestudy``; Chitra, Xu, Thogiti & Trujillo,
arXiv:2512.01112 v3, MIT-licensed data).
"""
from __future__ import annotations

import math
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from .. import casestudy as cs
from .. import validate as v
from ..plots import COLORS
from ._base import (
    CONTROL_WIDTH,
    DESCRIPTION_WIDTH,
    Explorer,
    assemble,
    legend_above,
    new_figure,
    table_html,
)

__all__ = ["waves_explorer", "waves_state"]

#: Short labels for the bars, production first, then the policies in :data:`casestudy.POLICIES` order.
SHORT = {
    "prod": "production ADL",
    "pr": "wealth pro-rata",
    "pnl_pr": "PnL pro-rata",
    "eq_pr": "equity pro-rata",
    "vector": "mirror descent",
    "contract_pr": "contracts pro-rata",
    "fixed_point_ilp_integer": "min-max integer",
}
MEASURES = ("USD taken", "largest haircut (% of equity)")

_WAVES: cs.Waves | None = None


def _waves() -> cs.Waves:
    global _WAVES
    if _WAVES is None:  # read the small CSVs once per kernel
        _WAVES = cs.load_waves()
    return _WAVES


def waves_state(step: int = 1, measure: str = "USD taken") -> dict[str, Any]:
    """Everything the explorer shows for the ``step``-th wave in time order (1–16; the data label waves 1–28).

    ``measure`` is ``"USD taken"`` (each policy's take, USD) or ``"largest haircut (% of equity)"`` (the largest
    single account's haircut as a % of its equity, per policy). Returns the wave's label and UTC start time, its
    needed, taken and overshoot (USD), ``values`` (policy key → number in the chosen measure, production first),
    and the running totals through this wave: ``cum_needed``, ``cum_taken``, ``cum_overshoot`` (USD) and
    ``share_of_total`` (running overshoot ÷ the whole event's overshoot).
    """
    w = _waves()
    step = v.integer("step", step, 1, len(w))
    v.choice("measure", measure, MEASURES)
    i = step - 1
    taken = {"prod": float(w.taken[i]), **{p: float(w.budgets[p][i]) for p in cs.POLICIES}}
    pct = {p: 100.0 * float(w.max_pct[p][i]) for p in SHORT}
    cum_needed = math.fsum(w.needed[: i + 1].tolist())
    cum_taken = math.fsum(w.taken[: i + 1].tolist())
    total = math.fsum(w.overshoot.tolist())
    return {
        "step": step,
        "wave": int(w.wave[i]),
        "start_utc": w.t_start[i][11:23],
        "start_s": float(w.start_s[i]),
        "measure": measure,
        "needed": float(w.needed[i]),
        "taken": float(w.taken[i]),
        "overshoot": float(w.overshoot[i]),
        "taken_by": taken,
        "max_pct": pct,
        "values": taken if measure == MEASURES[0] else pct,
        "cum_needed": cum_needed,
        "cum_taken": cum_taken,
        "cum_overshoot": cum_taken - cum_needed,
        "share_of_total": (cum_taken - cum_needed) / total,
    }


_FLOOR = 1e-4  # million USD: where the log-scale bars start (100 USD)


def _usd_short(x: float) -> str:
    """USD with k/M: ``2.27 M``, ``38.5 k``, ``80``."""
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f} M"
    if abs(x) >= 1e3:
        return f"{x / 1e3:,.1f} k"
    return f"{x:,.0f}"


def _log_tick(x: float, _pos=None) -> str:
    """A log-axis tick (million USD) as 100, 1k, …, 1M, 100M."""
    usd = x * 1e6
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if usd >= div:
            return f"{usd / div:g}{suffix}"
    return f"{usd:g}"


def _usd(x: float) -> str:
    return f"{x:,.0f} USD"


def _readout(st: dict[str, Any]) -> str:
    over = st["overshoot"]
    word = "more" if over >= 0 else "less"
    colour = "#D55E00" if over > 0 else "#009E73"
    best = min((k for k in SHORT if k != "prod"), key=lambda k: st["max_pct"][k])
    rows = [
        ("Wave (label in the data)", f"{st['wave']} — starts {st['start_utc']} UTC"),
        ("Needed (bankruptcy gap)", _usd(st["needed"])),
        ("Taken by production ADL", _usd(st["taken"])),
        ("Production took", f"<span style='color:{colour}'>{_usd(abs(over))} {word}</span>"),
        ("Largest haircut: production", f"{st['max_pct']['prod']:.1f} % of equity"),
        ("Largest haircut: best policy", f"{st['max_pct'][best]:.2f} % ({SHORT[best]})"),
        ("Running Σ needed / Σ taken", f"{st['cum_needed'] / 1e6:,.2f} / {st['cum_taken'] / 1e6:,.2f} M USD"),
        ("Running overshoot",
         f"{st['cum_overshoot'] / 1e6:,.2f} M USD ({100 * st['share_of_total']:.0f} % of the total)"),
    ]
    return table_html(rows)


def waves_explorer() -> Explorer:
    """A wave slider and a measure toggle; left: running totals; right: the chosen wave, policy by policy."""
    w = _waves()
    n = len(w)
    controls = {
        "step": W.IntSlider(
            value=1,
            min=1,
            max=n,
            step=1,
            description="Step through the waves (1–16)",
            continuous_update=True,
            style={"description_width": DESCRIPTION_WIDTH},
            layout=W.Layout(width=CONTROL_WIDTH),
        ),
        "measure": W.ToggleButtons(options=list(MEASURES), value=MEASURES[0], description="Show",
                                   style={"button_width": "215px"}),
    }
    fig, (ax_run, ax_bar) = new_figure(1, 2, figsize=(8.4, 4.2), gridspec_kw={"width_ratios": [1, 1.25]})
    steps = np.arange(1, n + 1)
    cum_needed = np.cumsum(w.needed) / 1e6
    cum_taken = np.cumsum(w.taken) / 1e6
    ax_run.plot(steps, cum_needed, color="0.75", linestyle="--", marker="", linewidth=1.2)
    ax_run.plot(steps, cum_taken, color="0.75", linestyle="-", marker="", linewidth=1.2)
    (run_needed,) = ax_run.plot([], [], color=COLORS[0], linestyle="--", marker="s", label="Σ needed")
    (run_taken,) = ax_run.plot([], [], color=COLORS[1], linestyle="-", marker="o", label="Σ taken by production")
    now = ax_run.axvline(1, color="black", linewidth=0.8, linestyle=":")
    ax_run.set_xlim(0.5, n + 0.5)
    ax_run.set_ylim(0, cum_taken[-1] * 1.08)
    ax_run.set_xticks(steps, [str(x) for x in w.wave], fontsize=9, rotation=90)
    ax_run.set_xlabel("Wave (label in the data), in time order")
    ax_run.set_ylabel("Running total (million USD)")
    ax_run.set_title("Running totals", fontsize=12)
    legend_above(ax_run, ncols=2)

    keys = list(SHORT)
    ypos = np.arange(len(keys))[::-1]
    colours = [COLORS[1]] + [COLORS[5]] * (len(keys) - 1)
    bars = ax_bar.barh(ypos, np.zeros(len(keys)), color=colours, height=0.65)
    ax_bar.set_yticks(ypos, [SHORT[k] for k in keys])
    need_line = ax_bar.axvline(1, color=COLORS[0], linestyle="--", linewidth=1.6, label="needed in this wave")
    ax_bar.grid(axis="y", visible=False)
    ax_bar.set_ylabel("Rule")
    ax_bar.set_title("The chosen wave, rule by rule", fontsize=12)
    legend_above(ax_bar, ncols=1)
    labels = [ax_bar.text(0, y, "", va="center", ha="left", fontsize=9) for y in ypos]

    def update(values: dict[str, Any]):
        st = waves_state(values["step"], values["measure"])
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        k = st["step"]
        run_needed.set_data(steps[:k], cum_needed[:k])
        run_taken.set_data(steps[:k], cum_taken[:k])
        now.set_xdata([k, k])
        vals = [st["values"][key] for key in keys]
        usd = st["measure"] == MEASURES[0]
        # fixed axes per measure (waves differ 10,000-fold in size, so USD is on a log scale): steady background
        if usd and ax_bar.get_xscale() != "log":
            ax_bar.set_xscale("log")
            ax_bar.set_xlim(_FLOOR, 300.0)
            ax_bar.xaxis.set_major_formatter(FuncFormatter(_log_tick))
            ax_bar.xaxis.set_minor_formatter(NullFormatter())
            ax_bar.set_xlabel("Taken in this wave (USD, log scale)")
        elif not usd and ax_bar.get_xscale() != "linear":
            ax_bar.set_xscale("linear")
            ax_bar.set_xlim(0, 135.0)
            ax_bar.set_xlabel("Largest single haircut (% of equity)")
        for bar, val, lab in zip(bars, vals, labels):
            if usd:
                bar.set_x(_FLOOR)
                bar.set_width(max(val / 1e6 - _FLOOR, 0.0))
                anchor = max(val, st["needed"]) / 1e6  # keep the number clear of the "needed" line
                lab.set_x(max(anchor, _FLOOR) * 1.25)
                lab.set_text(_usd_short(val))
            else:
                bar.set_x(0.0)
                bar.set_width(val)
                lab.set_x(val + 1.5)
                lab.set_text(f"{val:.1f} %")
        need_line.set_xdata([st["needed"] / 1e6] * 2)
        need_line.set_visible(usd)
        ax_bar.get_legend().set_visible(usd)

    return assemble(controls, fig, update, draw, title="Hyperliquid, 10 Oct 2025: the ADL waves")

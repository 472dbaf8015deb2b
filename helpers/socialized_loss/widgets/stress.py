"""Lesson 10's stress lab explorer and its comparison figure: many simulated crashes through one venue's rules,
and who ends up paying.

The market, the trader groups and every number come from :mod:`socialized_loss.stress` (``lab``,
``stress_state``, ``group_shares``, ``beyond_fund``); this module only draws.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.ticker import FuncFormatter

from ..plots import COLORS, money_ticks
from ..stress import GROUP_LABELS, LEVERAGE_MIXES, MECHANISM_NAMES, group_shares, stress_state
from ..stress import beyond_fund as _beyond
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

__all__ = ["stress_explorer"]


def _thousands():
    """Tick labels in thousand USD (a fresh formatter per axis)."""
    return money_ticks(1000.0)


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
    fig, (ax_l, ax_r) = new_figure(1, 2, figsize=(8.4, 3.2), gridspec_kw={"width_ratios": [1.25, 1.0]})
    (curve,) = ax_l.step([0, 1], [1, 0], where="post", color=COLORS[0], linestyle="-", marker="")
    ax_l.set_xlabel("Bad debt past the fund, per path (thousand USD)", fontsize=11)
    ax_l.set_ylabel("Share of paths with more (%)")
    ax_l.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: f"{round(100 * y, 6):g}"))
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

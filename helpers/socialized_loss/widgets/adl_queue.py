"""Lesson 05's explorer: the auto-deleveraging queue. Scores, the five lights, and who is closed as the bankrupt
position grows, under four ranking rules (BitMEX, Binance, Hyperliquid-style, dYdX v4's random start).

The book is :func:`socialized_loss.books.adl_book`; every number comes from
:func:`socialized_loss.deleveraging.adl_queue_state`; this module only draws.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np

from ..books import adl_book
from ..deleveraging import RANKING_LABELS as RULE_LABELS
from ..deleveraging import RANKINGS as RULES
from ..deleveraging import adl_queue_state
from ..plots import COLORS
from ._base import (
    CONTROL_WIDTH,
    DESCRIPTION_WIDTH,
    Explorer,
    assemble,
    in_background,
    legend_above,
    new_figure,
    slider,
    table_html,
)

__all__ = ["adl_queue_explorer"]

BOOK = adl_book().as_dict()  # the engine's book, for the axes


def _lights_text(light: int) -> str:
    return "●" * light + "○" * (5 - light) if light > 0 else "no queue"


def _score_text(score: float) -> str:
    if np.isnan(score):
        return "—"
    return f"{score:,.0f}" if abs(score) >= 100 else f"{score:.4f}"


def _readout(st: dict[str, Any]) -> str:
    rule = st["rule"]
    head = table_html(
        [
            ("Bankrupt short", f"{st['quantity']:,.0f} contracts at {st['bankruptcy_price']:,.0f} USD"),
            ("Its deficit at the mark", f"{st['deficit']:,.2f} USD"),
            ("Profit the closed longs give up", f"{st['forgone'].sum():,.2f} USD"),
            ("Not offset", f"{st['rest']:,.0f} contracts" if st["rest"] > 0 else "nothing"),
        ]
    )
    score_head = "score" if rule != "hyperliquid" else "score (USD×)"
    rows = "".join(
        "<tr>"
        f"<td>{n}</td>"
        f"<td style='text-align:right'>{_score_text(sc)}</td>"
        f"<td style='text-align:center'>{_lights_text(int(li))}</td>"
        f"<td style='text-align:right'>{int(qu)}{' skipped' if sk else ''}</td>"
        f"<td style='text-align:right'>{cl:,.0f}</td>"
        f"<td style='text-align:right'>{fg:,.0f}</td>"
        "</tr>"
        for n, sc, li, qu, sk, cl, fg in zip(
            st["names"], st["scores"], st["lights"], st["queue"], st["skipped"], st["closed"], st["forgone"]
        )
    )
    table = (
        "<table class='sl-readout' style='margin-top:4px;border-spacing:8px 0'>"
        f"<tr><th>account</th><th>{score_head}</th><th>lights</th><th>{'visited' if rule == 'dydx_v4' else 'queue'}</th>"
        "<th>closed</th><th>given up (USD)</th></tr>"
        f"{rows}</table>"
    )
    return head + table


def adl_queue_explorer() -> Explorer:
    """Bankrupt size (contracts), ranking rule and dYdX seed over lesson 05's six longs."""
    total = float(BOOK["sizes"].sum())
    controls = {
        "quantity": slider("Bankrupt short size", 20.0, 0.0, total, 1.0, "contracts", ".0f"),
        "rule": W.Dropdown(
            options=[(RULE_LABELS[r], r) for r in RULES], value="bitmex", description="Ranking rule",
            style={"description_width": DESCRIPTION_WIDTH}, layout=W.Layout(width=CONTROL_WIDTH),
        ),
        "seed": W.IntSlider(
            value=0, min=0, max=9, step=1, description="dYdX random seed",
            style={"description_width": DESCRIPTION_WIDTH}, layout=W.Layout(width=CONTROL_WIDTH),
        ),
    }
    names = BOOK["names"]
    n = len(names)
    x = np.arange(n)
    fig, (ax, ax2) = new_figure(1, 2, figsize=(8.4, 3.9), width_ratios=[1.0, 1.0])
    zeros = np.zeros(n)
    kept = ax.bar(x, zeros, width=0.6, color=COLORS[0], label="kept open")
    shut = ax.bar(x, zeros, width=0.6, color=COLORS[1], hatch="//", edgecolor="black", linewidth=0.5,
                  label="closed by ADL at the bankruptcy price")
    tags = [ax.text(i, 0.0, "", ha="center", va="bottom", fontsize=9) for i in x]
    ax.set_xticks(x, [nm.replace("acct ", "") for nm in names])
    ax.set_ylabel("Long position (contracts)")
    ax.set_xlabel("Account (#k = place in the queue)")
    ax.set_ylim(0, 1.3 * float(BOOK["sizes"].max()))
    title = ax.set_title(" ", fontsize=10)
    legend_above(ax, ncols=1)

    lines = []
    for i in x:
        (ln,) = ax2.plot([0, total], [0, 0], label=names[i], markevery=0.12)
        lines.append(ln)
    in_background(*lines)  # the curves change with the rule and the seed, not with the size being dragged
    now = ax2.axvline(0, color="black", linewidth=1.0, linestyle=":")
    ax2.set_xlim(0, total)
    ax2.set_ylim(0, 1.08 * float(BOOK["sizes"].max()))
    ax2.set_xlabel("Size of the bankrupt short (contracts)")
    ax2.set_ylabel("Closed (contracts)")
    ax2.set_title("Who is closed as the short grows", fontsize=10)
    legend_above(ax2, ncols=3)

    def update(values: dict[str, Any]):
        st = adl_queue_state(quantity=values["quantity"], rule=values["rule"], seed=values["seed"])
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        for i in range(n):
            kept[i].set_height(st["remaining"][i])
            shut[i].set_y(st["remaining"][i])
            shut[i].set_height(st["closed"][i])
            light = int(st["lights"][i])
            tag = f"#{st['queue'][i]}" + (f"\n{_lights_text(light)}" if light else "")
            tags[i].set_text(tag)
            tags[i].set_position((i, st["sizes"][i] + 0.5))
            lines[i].set_data(st["curve_q"], st["curve_closed"][i])
        now.set_xdata([st["quantity"]] * 2)
        if st["rule"] == "dydx_v4":
            title.set_text(f"dYdX v4: random start (seed {st['seed']}), no ranking")
        else:
            title.set_text(f"{RULE_LABELS[st['rule']]}: highest score first (● = lights)")

    return assemble(controls, fig, update, draw)

"""Lesson 04's explorer: one book of traders, one uncovered loss, three bases for sharing it.

The bases (rule names) are ``"clawback"`` (profits), ``"contracts_pro_rata"`` and ``"deposit_index_haircut"``;
every number comes from :func:`socialized_loss.comparison.socialization_state` on the book
:func:`socialized_loss.books.socialization_book`; this module only draws.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np

from ..books import socialization_book
from ..comparison import BASES, socialization_state
from ..plots import COLORS, money_axis
from ._base import Explorer, assemble, new_figure, nice_ceil, slider, table_html

__all__ = ["socialization_explorer"]

BASE_LABELS = {
    "clawback": "profits (clawback)",
    "contracts_pro_rata": "contracts (contracts-pro-rata)",
    "deposit_index_haircut": "deposits (deposit-index haircut)",
}
_BUTTONS = {"clawback": "profits (clawback)", "contracts_pro_rata": "contracts (pro rata)",
            "deposit_index_haircut": "deposits (haircut)"}
_HATCH = {"clawback": "", "contracts_pro_rata": "//", "deposit_index_haircut": ".."}
_COLOR = {"clawback": COLORS[0], "contracts_pro_rata": COLORS[1], "deposit_index_haircut": COLORS[2]}

BOOK = socialization_book().as_dict()  # the engine's book, for the axes


def _rate_text(st: dict[str, Any]) -> str:
    if st["base"] == "clawback":
        return f"{st['rate']:.2%} of each winner's profit (Σ profits {st['total_weight']:,.0f} USD)"
    if st["base"] == "contracts_pro_rata":
        return f"{st['rate']:,.2f} USD per BTC of open position (Σ |size| {st['total_weight']:,.1f} BTC)"
    return f"{st['rate']:.2%} of every deposit: index 1.0000 → {st['index']:.4f}"


def _readout(st: dict[str, Any]) -> str:
    c = st["charges"]
    top = int(np.argmax(c))
    rows = [
        ("Base", BASE_LABELS[st["base"]]),
        ("Uncovered loss", f"{st['loss']:,.2f} USD"),
        ("Rate", _rate_text(st)),
        ("Accounts paying", f"{st['payers']} of {len(c)}"),
        ("Largest charge", f"{st['names'][top]}: {c[top]:,.2f} USD" if c[top] > 0 else "none"),
        ("Collected", f"{c.sum():,.2f} USD"),
        ("Left uncovered (venue's problem)", f"{st['uncovered']:,.2f} USD"),
    ]
    return table_html(rows)


def socialization_explorer() -> Explorer:
    """A loss slider (USD) and a base selector over lesson 04's book: one bar per trader, its charge in USD."""
    max_loss = 15_000.0
    controls = {
        "loss": slider("Uncovered loss", 1_500.0, 0.0, max_loss, 100.0, "USD", ",.0f"),
        "base": W.ToggleButtons(
            options=[(_BUTTONS[b], b) for b in BASES],
            tooltips=[BASE_LABELS[b] for b in BASES],
            value="clawback",
            description="Base",
            style={"button_width": "180px"},
        ),
    }
    names = BOOK["names"]
    x = np.arange(len(names))
    fig, ax = new_figure(figsize=(7.5, 4.0))
    bars = ax.bar(x, np.zeros(len(x)), width=0.6, color=_COLOR["clawback"], edgecolor="black", linewidth=0.6)
    labels = [ax.text(i, 0.0, "", ha="center", va="bottom", fontsize=10) for i in x]
    ax.set_xticks(x, [f"{n}\n{r}" for n, r in zip(names, BOOK["short_roles"])])
    ax.set_ylabel("Charge (USD)")
    ax.set_xlabel("Account")
    money_axis(ax, "y")
    title = ax.set_title("")
    note = ax.text(0.99, 0.97, "", transform=ax.transAxes, ha="right", va="top", fontsize=10, color=COLORS[1])

    def update(values: dict[str, Any]):
        st = socialization_state(loss=values["loss"], base=values["base"])
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        c = st["charges"]
        b = st["base"]
        for bar, lab, h in zip(bars, labels, c):
            bar.set_height(h)
            bar.set_facecolor(_COLOR[b])
            bar.set_hatch(_HATCH[b])
            lab.set_position((bar.get_x() + bar.get_width() / 2, h))
            lab.set_text(f"{h:,.0f}" if h > 0 else "0")
        top = max(float(np.max(np.concatenate(list(st["charges_by_base"].values())))), 1.0)
        ax.set_ylim(0, nice_ceil(1.18 * top))  # one scale for all three bases at this loss: switching compares them
        title.set_text(f"The loss shared by {BASE_LABELS[b]}")
        note.set_text(
            f"rate capped at 100 %: {st['uncovered']:,.0f} USD left uncovered" if st["uncovered"] > 0 else ""
        )

    return assemble(controls, fig, update, draw)

"""Lesson 08's explorer: one book of traders through every loss-sharing mechanism, measured for fairness.

Pick a book and a mechanism; see who pays, the fairness metrics and what happens when one account splits itself into
several (a Sybil split). The books are :func:`socialized_loss.books.mechanism_books`; the mechanisms and every number
shown come from :mod:`socialized_loss.comparison` (:func:`~socialized_loss.comparison.mechanisms_state`); this
module only draws.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np

from ..books import mechanism_books
from ..comparison import MECHANISM_LABELS, MECHANISMS, mechanisms_state
from ..plots import COLORS, money_axis
from ._base import (
    CONTROL_WIDTH,
    DESCRIPTION_WIDTH,
    Explorer,
    assemble,
    legend_above,
    new_figure,
    nice_ceil,
    table_html,
)

__all__ = ["mechanisms_explorer"]

_BOOKS = mechanism_books()  # the engine's books, for the dropdowns
_BOOK_LABELS = {"lesson": "lesson (Chitra's example)", "whale": "a calm whale, a leveraged crowd",
                "big loss": "lesson, loss > all profits"}


# ----------------------------------------------------------------------------------------------------------------
# the explorer


def _readout(st: dict[str, Any]) -> str:
    pct = st["largest_haircut"]
    adv = st["sybil_advantage"]
    if st["pieces"] == 1:
        syb = "no split (set pieces > 1)"
    elif abs(adv) <= 0.05:  # a few cents of rounding when the pieces' amounts are not whole cents
        syb = "no effect: the pieces pay what the whole did"
    else:
        word = "saves" if adv > 0 else "costs"
        colour = "#D55E00" if adv > 0 else "#009E73"
        syb = f"<span style='color:{colour}'>{word} {st['split']} {abs(adv):,.2f} USD</span>"
    rows = [
        ("Shortfall D / fund pays", f"{st['shortfall']:,.2f} / {st['fund_paid']:,.2f} USD"),
        ("Left for the mechanism (B)", f"{st['budget']:,.2f} USD"),
        ("Charged to traders", f"{st['charged']:,.2f} USD"),
        ("Venue's own capital", f"{st['venue_paid']:,.2f} USD"),
        ("Uncovered (venue insolvent)", f"{st['uncovered']:,.2f} USD"),
        ("Accounts charged", f"{st['accounts_hit']} of {len(st['names'])}"),
        ("Largest charge ÷ equity", "—" if not np.isfinite(pct) else f"{100 * pct:.1f} %"),
        ("Gini / HHI of charges", f"{st['gini']:.2f} / {st['hhi']:.2f}"),
        (f"Top winner ({st['top_winner']}) pays", f"{st['top_winner_charge']:,.2f} USD"),
        (f"Splitting {st['split']} into {st['pieces']}", syb),
    ]
    return table_html(rows)


def mechanisms_explorer(book: str = "lesson") -> Explorer:
    """Dropdowns for the book, the mechanism and the account that splits; sliders for the pieces and the cap."""
    b0 = _BOOKS[book]
    style, layout = {"description_width": DESCRIPTION_WIDTH}, {"width": CONTROL_WIDTH}
    controls = {
        "book": W.Dropdown(options=[(_BOOK_LABELS[key], key) for key in _BOOKS], value=book, description="Book",
                           style=style, layout=W.Layout(**layout)),
        "mechanism": W.Dropdown(options=[(MECHANISM_LABELS[m], m) for m in MECHANISMS], value="pnl_haircut_queue",
                                description="Mechanism",
                                style=style, layout=W.Layout(**layout)),
        "split": W.Dropdown(options=list(b0.names), value=b0.names[1], description="Account that splits",
                            style=style, layout=W.Layout(**layout)),
        "pieces": W.IntSlider(value=1, min=1, max=10, step=1, description="Split into (accounts)",
                              style=style, layout=W.Layout(**layout)),
        "calm_cap": W.FloatSlider(value=50.0, min=45.0, max=100.0, step=5.0, readout_format=".0f",
                                  description="Calm cap, capped pro-rata (%)",
                                  description_allow_html=False, style=style, layout=W.Layout(**layout)),
    }
    n_max = max(len(bk.names) for bk in _BOOKS.values())
    fig, ax = new_figure(figsize=(8.2, 4.2))
    x = np.arange(n_max + 2)
    before = ax.bar(x - 0.2, np.zeros(len(x)), width=0.4, color=COLORS[0], label="charged")
    after = ax.bar(x + 0.2, np.zeros(len(x)), width=0.4, color=COLORS[1], hatch="//",
                   label="after the split (pieces added up)")
    ax.set_ylabel("Paid (USD)")
    ax.set_xlabel("Account")
    money_axis(ax, "y")
    title = ax.set_title(" ", fontsize=12)
    split_note = ax.text(0.01, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize=10, color=COLORS[1])
    legend_above(ax, ncols=2, fontsize=10)

    def _sync_split(change):  # a new book brings new names: offer them (the dropdown moves to the first one)
        controls["split"].options = list(_BOOKS[change["new"]].names)

    controls["book"].observe(_sync_split, names="value")

    def update(values: dict[str, Any]):
        split = values["split"] if values["split"] in _BOOKS[values["book"]].names else _BOOKS[values["book"]].names[1]
        st = mechanisms_state(values["book"], values["mechanism"], split, values["pieces"], values["calm_cap"] / 100)
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        k = len(st["names"])
        labels = [*st["names"], "venue", "uncovered"]
        vals = np.r_[st["charges"], st["venue_paid"], st["uncovered"]]
        vals_after = np.r_[st["charges_after"], st["venue_paid"], st["uncovered"]]
        for j in range(len(x)):
            show = j < k + 2
            h0 = vals[j] if show else 0.0
            h1 = vals_after[j] if show and st["pieces"] > 1 else 0.0
            before[j].set_height(h0)
            after[j].set_height(h1)
            before[j].set_visible(show)
            after[j].set_visible(show and st["pieces"] > 1)
            base = COLORS[0] if j < k else ("0.55" if j == k else "0.15")  # traders, venue, uncovered
            before[j].set_color(base)
            after[j].set_facecolor(COLORS[1] if j < k else base)
        ax.set_xticks(x[: k + 2], labels, fontsize=10)
        ax.set_xlim(-0.6, k + 1.6)
        top = max(vals.max(), vals_after.max(), 1.0)
        ax.set_ylim(0, nice_ceil(top * 1.1))
        title.set_text(f"{st['label']}: B = {st['budget']:,.0f} USD to cover")
        split_note.set_text(f"hatched: after {st['split']} splits into {st['pieces']}" if st["pieces"] > 1 else "")

    return assemble(controls, fig, update, draw, title="One book, every mechanism")

"""Lesson 04's explorer: one book of traders, one uncovered loss, three bases for sharing it.

The bases are the venues' own (see ``socialized_loss.socialize`` for the sources):

- ``"profits"``: a **clawback** (OKEx 2018, Huobi BitVC 2014): the week's net winners pay the same percentage of
  their profit, at most all of it; what the profits cannot cover stays uncovered.
- ``"contracts"``: **contracts-pro-rata** (Drift v2): every open position, long and short, pays per unit of size.
- ``"deposits"``: a **deposit-index haircut** (Mango): every depositor, trading or not, loses the same fraction.

All the money maths is ``socialize.clawback``, ``socialize.contracts_pro_rata`` and
``socialize.deposit_haircut_charges`` (exact to the cent); this module only arranges and draws it.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np

from .. import socialize as so
from .. import validate as v
from ..plots import COLORS, money_axis
from ._base import Explorer, assemble, new_figure, nice_ceil, slider, table_html

__all__ = ["socialization_explorer", "socialization_state"]

#: The three bases, in the order the explorer and the lesson show them.
BASES = ("profits", "contracts", "deposits")
BASE_LABELS = {
    "profits": "profits (clawback)",
    "contracts": "contracts (contracts-pro-rata)",
    "deposits": "deposits (deposit-index haircut)",
}
_BUTTONS = {"profits": "profits (clawback)", "contracts": "contracts (pro rata)", "deposits": "deposits (haircut)"}
_HATCH = {"profits": "", "contracts": "//", "deposits": ".."}
_COLOR = {"profits": COLORS[0], "contracts": COLORS[1], "deposits": COLORS[2]}

#: Lesson 04's book after a crash left a long bankrupt: open size (BTC, + long), the week's net PnL (USD, realised +
#: unrealised) and deposits at the venue (USD). Finn only lends to the margin pool (no position).
BOOK: dict[str, Any] = {
    "names": ("Ana", "Ben", "Cleo", "Dev", "Eve", "Finn"),
    "roles": (
        "leveraged directional short",
        "market maker (high volume)",
        "hedger (short perp, long spot elsewhere)",
        "long, losing this week",
        "long, losing this week",
        "lender, no position",
    ),
    "short_roles": ("lev. short", "mkt maker", "hedger", "losing long", "losing long", "lender"),
    "sizes": np.array([-1.0, -4.0, -4.0, 2.0, 1.0, 0.0]),
    "profits": np.array([4_000.0, 1_000.0, 7_000.0, -3_000.0, -1_500.0, 0.0]),
    "deposits": np.array([2_000.0, 25_000.0, 12_000.0, 8_000.0, 3_000.0, 10_000.0]),
}


def _all_charges(loss: float, sizes: np.ndarray, profits: np.ndarray, deposits: np.ndarray) -> dict[str, Any]:
    cb = so.clawback(loss, profits)
    cp = so.contracts_pro_rata(loss, sizes)
    dh = so.deposit_haircut_charges(loss, deposits)
    return {"profits": cb, "contracts": cp, "deposits": dh}


def socialization_state(
    loss: float = 1_500.0,
    base: str = "profits",
    sizes=None,
    profits=None,
    deposits=None,
    names=None,
) -> dict[str, Any]:
    """Who pays how much of an uncovered ``loss`` (USD ≥ 0) under ``base`` ("profits", "contracts", "deposits").

    ``sizes`` (base units, + long / − short), ``profits`` (the period's net PnL, USD, any sign) and ``deposits``
    (USD ≥ 0) describe the book, one entry per account; each defaults to lesson 04's six-account ``BOOK``. The loss
    must not exceed total deposits (depositors cannot lose more than they hold), and there must be some open
    position (Drift refuses to socialize over zero open interest).

    Returns ``charges`` (USD per account, under ``base``), ``charges_by_base`` (all three, for comparison),
    ``rate`` (clawback: fraction of profit; contracts: USD per base unit; deposits: fraction of deposits),
    ``total_weight`` (Σ positive profits, USD / Σ|size|, base units / Σ deposits, USD), ``index`` (the deposit index
    after the haircut, from 1.0), ``uncovered`` (USD no one pays under ``base``), ``payers`` (how many accounts pay)
    and the book itself.
    """
    v.choice("base", base, BASES)
    n_default = len(BOOK["names"])
    s = v.vector("sizes", BOOK["sizes"] if sizes is None else sizes)
    p = v.vector("profits", BOOK["profits"] if profits is None else profits)
    d = v.vector("deposits", v.nonnegative("deposits", BOOK["deposits"] if deposits is None else deposits))
    v.same_length(sizes=s, profits=p, deposits=d)
    if names is None:
        names = BOOK["names"] if len(s) == n_default else tuple(f"#{i}" for i in range(len(s)))
    names = tuple(str(x) for x in names)
    if len(names) != len(s):
        raise ValueError(f"names must have one entry per account ({len(s)}), got {len(names)}")
    L = float(v.nonnegative("loss", loss))
    if L > float(d.sum()):
        raise ValueError(f"loss must be ≤ total deposits ({d.sum():,.2f} USD) so that every base can carry it, got {L!r}")
    results = _all_charges(L, s, p, d)
    by_base = {b: np.asarray(r.charges, dtype=float) for b, r in results.items()}
    cb, cp, dh = results["profits"], results["contracts"], results["deposits"]
    rate = {"profits": cb.rate, "contracts": cp.per_contract, "deposits": 1.0 - dh.factor}[base]
    weight = {
        "profits": float(np.maximum(p, 0.0).sum()),
        "contracts": float(np.abs(s).sum()),
        "deposits": float(d.sum()),
    }[base]
    uncovered = cb.uncovered if base == "profits" else 0.0
    charges = by_base[base]
    return {
        "loss": L,
        "base": base,
        "names": names,
        "sizes": s,
        "profits": p,
        "deposits": d,
        "charges": charges,
        "charges_by_base": by_base,
        "rate": float(rate),
        "total_weight": weight,
        "index": float(so.deposit_index_haircut(L, float(d.sum()))),
        "uncovered": float(uncovered),
        "payers": int(np.count_nonzero(charges > 0)),
    }


def _rate_text(st: dict[str, Any]) -> str:
    if st["base"] == "profits":
        return f"{st['rate']:.2%} of each winner's profit (Σ profits {st['total_weight']:,.0f} USD)"
    if st["base"] == "contracts":
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
            value="profits",
            description="Base",
            style={"button_width": "180px"},
        ),
    }
    names = BOOK["names"]
    x = np.arange(len(names))
    fig, ax = new_figure(figsize=(7.5, 4.0))
    bars = ax.bar(x, np.zeros(len(x)), width=0.6, color=_COLOR["profits"], edgecolor="black", linewidth=0.6)
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

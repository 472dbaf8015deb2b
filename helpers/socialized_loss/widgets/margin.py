"""Lesson 01's explorer: drag the mark price and watch equity, maintenance margin, liquidation and bankruptcy."""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np

from .. import margin as m
from ..plots import money_axis
from ._base import (
    Explorer,
    assemble,
    legend_above,
    new_figure,
    nice_ceil,
    slider,
    table_html,
)

__all__ = ["margin_explorer", "margin_state"]


def margin_state(
    side: str = "long",
    leverage: float = 10.0,
    mmr: float = 0.005,
    entry_price: float = 60_000.0,
    mark_price: float = 60_000.0,
    size: float = 1.0,
) -> dict[str, Any]:
    """Everything the explorer shows, for one isolated linear position opened at ``leverage`` (×).

    ``size`` is the absolute position in base units (BTC); ``side`` gives its sign. Collateral (USD) is the initial
    margin, entry × size ÷ leverage. Returns equity, maintenance margin, liquidation and bankruptcy prices (USD per
    BTC), effective leverage and a status: "safe", "liquidatable" or "bankrupt".
    """
    if side not in ("long", "short"):
        raise ValueError(f"side must be 'long' or 'short', got {side!r}")
    if not (np.isfinite(leverage) and leverage >= 1):
        raise ValueError(f"leverage must be ≥ 1, got {leverage!r}")
    s = abs(size) if side == "long" else -abs(size)
    collateral = abs(s) * entry_price / leverage
    eq = m.equity(collateral, s, entry_price, mark_price)
    mm = m.maintenance_margin(s, mark_price, mmr)
    liq = m.liquidation_price(collateral, s, entry_price, mmr)
    bk = m.bankruptcy_price(collateral, s, entry_price)
    status = "bankrupt" if eq <= 0 else ("liquidatable" if eq < mm else "safe")
    return {
        "side": side,
        "size": s,
        "collateral": collateral,
        "entry_price": entry_price,
        "mark_price": mark_price,
        "equity": eq,
        "maintenance_margin": mm,
        "liquidation_price": liq,
        "bankruptcy_price": bk,
        "effective_leverage": m.effective_leverage(collateral, s, entry_price, mark_price),
        "mmr": mmr,
        "status": status,
    }


def _readout(st: dict[str, Any]) -> str:
    colour = {"safe": "#009E73", "liquidatable": "#E69F00", "bankrupt": "#D55E00"}[st["status"]]
    lev = st["effective_leverage"]
    rows = [
        ("Collateral", f"{st['collateral']:,.2f} USD"),
        ("Equity", f"{st['equity']:,.2f} USD"),
        ("Maintenance margin", f"{st['maintenance_margin']:,.2f} USD"),
        ("Liquidation price", f"{st['liquidation_price']:,.2f} USD/BTC"),
        ("Bankruptcy price", f"{st['bankruptcy_price']:,.2f} USD/BTC"),
        ("Effective leverage", "∞ (no equity left)" if not np.isfinite(lev) else f"{lev:,.1f}×"),
        ("Status", f"<span style='color:{colour}'>{st['status']}</span>"),
    ]
    return table_html(rows)


def margin_explorer(entry_price: float = 60_000.0, size: float = 1.0) -> Explorer:
    """Sliders for side, leverage, maintenance-margin rate and mark price over a 1-BTC position."""
    controls = {
        "side": W.ToggleButtons(options=["long", "short"], value="long", description="Side"),
        "leverage": slider("Leverage", 10.0, 1.0, 100.0, 1.0, "×", ".0f"),
        "mmr": slider("Maintenance rate", 0.5, 0.1, 10.0, 0.1, "% of notional", ".1f"),
        "mark_price": slider("Mark price", entry_price, 0.5 * entry_price, 1.5 * entry_price, 50.0, "USD/BTC", ",.0f"),
    }
    fig, ax = new_figure(figsize=(7.5, 4.1))
    prices = np.linspace(0.5 * entry_price, 1.5 * entry_price, 201)
    (eq_line,) = ax.plot(prices, prices * 0, label="Equity", markevery=25)
    (mm_line,) = ax.plot(prices, prices * 0, label="Maintenance margin", markevery=25)
    liq_line = ax.axvline(entry_price, color="#E69F00", linestyle="-.", label="Liquidation price")
    bk_line = ax.axvline(entry_price, color="#D55E00", linestyle=":", label="Bankruptcy price")
    (mark_pt,) = ax.plot([entry_price], [0], linestyle="none", marker="o", markersize=9, color="black", label="Mark")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("Mark price (USD per BTC)")
    ax.set_ylabel("Equity and margin (USD)")
    money_axis(ax, "y")
    money_axis(ax, "x")
    ax.set_title("One isolated 1-BTC position")
    legend_above(ax, ncols=3)

    def update(values: dict[str, Any]):
        st = margin_state(
            side=values["side"],
            leverage=values["leverage"],
            mmr=values["mmr"] / 100.0,
            entry_price=entry_price,
            mark_price=values["mark_price"],
            size=size,
        )
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        eqs = st["collateral"] + st["size"] * (prices - entry_price)
        mms = st["mmr"] * abs(st["size"]) * prices
        eq_line.set_ydata(eqs)
        mm_line.set_ydata(mms)
        liq_line.set_xdata([st["liquidation_price"]] * 2)
        bk_line.set_xdata([st["bankruptcy_price"]] * 2)
        mark_pt.set_data([st["mark_price"]], [st["equity"]])
        c = st["collateral"]
        top = nice_ceil(3.0 * c)  # steps 1-2-5: zoomed on where margin and equity cross, steady while dragging
        ax.set_ylim(-0.5 * top, top)
        ax.set_xlim(prices[0], prices[-1])

    return assemble(controls, fig, update, draw)

"""Lesson 06's explorer: a backstop vault's share price through a shock, who runs, and what a cooldown changes.

The model and every number come from :func:`socialized_loss.cooldown.vault_state` (the run-and-cooldown teaching
model over the engine's share-accounted vault); this module only draws.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..cooldown import COOLDOWN_GRID as _COOLDOWN_GRID
from ..cooldown import vault_state
from ._base import (
    Explorer,
    assemble,
    legend_above,
    new_figure,
    nice_ceil,
    slider,
    table_html,
)

__all__ = ["vault_explorer"]


def _readout(st: dict[str, Any]) -> str:
    colour = "#009E73" if st["run_stopped"] else "#D55E00"
    rows = [
        ("Escaped before the loss", f"<span style='color:{colour}'>{st['escaped_share']:.1%} of the vault</span>"),
        ("Share price after", f"{st['share_price_after']:.4f} USD/share"),
        ("Stayers lose", f"{st['stayer_loss_per_1000']:,.2f} USD per 1,000"),
        ("Attentive group loses (avg)", f"{st['attentive_loss_per_1000']:,.2f} USD per 1,000"),
        ("With no run", f"{st['no_run_loss_per_1000']:,.2f} USD per 1,000"),
        ("Paid by passive depositors", f"{st['charge_passive']:,.2f} USD"),
        ("Not covered by the vault", f"{st['uncovered']:,.2f} USD"),
    ]
    return table_html(rows)


def vault_explorer(tvl: float = 10_000_000.0) -> Explorer:
    """Sliders for the loss, the warning window, the cooldown and the attentive share of a ``tvl``-USD vault."""
    controls = {
        "loss_pct": slider("Loss", 10.0, 0.0, 100.0, 0.5, "% of the vault", ".1f"),
        "warning_days": slider("Warning before it lands", 10.0, 0.0, 30.0, 0.5, "days", ".1f"),
        "cooldown_days": slider("Cooldown", 0.0, 0.0, 30.0, 0.5, "days", ".1f"),
        "attentive_pct": slider("Attentive share", 40.0, 0.0, 100.0, 1.0, "% of the vault", ".0f"),
    }
    fig, (ax1, ax2) = new_figure(1, 2, figsize=(8.4, 4.3), width_ratios=[1.1, 1.0])
    # left: share price through the shock
    (price_line,) = ax1.plot([], [], drawstyle="steps-post", marker="", color="#0072B2", label="Stayers' share price")
    (exit_pt,) = ax1.plot([], [], linestyle="none", marker="o", markersize=8, color="#009E73",
                          label="A day-0 request completes")
    visible = ax1.axvline(0.0, color="#E69F00", linestyle="-.", marker="", label="Loss visible")
    lands = ax1.axvline(0.0, color="#D55E00", linestyle=":", marker="", label="Loss lands")
    ax1.set_xlabel("Day")
    ax1.set_ylabel("Share price (USD per share)")
    ax1.set_title("Share price through the shock")
    legend_above(ax1, ncols=2)
    ax1.set_xlim(-3.0, 35.0)  # fixed: warning and cooldown are at most 30 days
    # right: loss per 1,000 USD against the cooldown
    grid = _COOLDOWN_GRID
    (stay_curve,) = ax2.plot(grid, grid * 0, marker="", color="#D55E00", label="Stayers")
    (att_curve,) = ax2.plot(grid, grid * 0, marker="", linestyle="--", color="#0072B2", label="Attentive (average)")
    no_run = ax2.axhline(0.0, color="grey", linestyle=":", marker="", label="No run at all")
    (stay_pt,) = ax2.plot([], [], linestyle="none", marker="o", markersize=8, color="#D55E00")
    (att_pt,) = ax2.plot([], [], linestyle="none", marker="s", markersize=7, color="#0072B2")
    ax2.set_xlabel("Cooldown (days)")
    ax2.set_ylabel("Loss (USD per 1,000 deposited)")
    ax2.set_title("What the cooldown changes")
    ax2.set_xlim(-0.6, 30)
    legend_above(ax2, ncols=2)

    def update(values: dict[str, Any]):
        st = vault_state(
            tvl=tvl,
            loss=tvl * values["loss_pct"] / 100.0,
            warning_days=values["warning_days"],
            cooldown_days=values["cooldown_days"],
            attentive_share=values["attentive_pct"] / 100.0,
        )
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        w, c = st["warning_days"], st["cooldown_days"]
        end = 35.0  # the right edge of the (fixed) day axis
        price_line.set_data([-3.0, w, end], [1.0, st["share_price_after"], st["share_price_after"]])
        exit_price = 1.0 if c < w or st["attentive_share"] == 0 else st["share_price_after"]
        exit_pt.set_data([c], [exit_price])
        visible.set_xdata([0.0, 0.0])
        lands.set_xdata([w, w])
        ax1.set_ylim(-0.02 if st["share_price_after"] < 0.5 else 0.48, 1.04)
        stay_curve.set_ydata(st["stayer_curve"])
        att_curve.set_ydata(st["attentive_curve"])
        no_run.set_ydata([st["no_run_loss_per_1000"]] * 2)
        stay_pt.set_data([c], [st["stayer_loss_per_1000"]])
        att_pt.set_data([c], [st["attentive_loss_per_1000"]])
        top = max(float(np.max(st["stayer_curve"])), st["no_run_loss_per_1000"], 1.0)
        ax2.set_ylim(0, nice_ceil(1.1 * top, floor=10.0))  # steps 1-2-5: steady while a slider moves

    explorer = assemble(controls, fig, update, draw)
    return explorer

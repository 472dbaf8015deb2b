"""Lesson 07's explorer: a clearing-house default waterfall as a staircase of layers, and how far a loss reaches.

The layers, in order (Bank of England FS Paper 20, ISDA 2013, the Nasdaq 2018 sequence; see lesson 07): the
defaulter's initial margin → its default-fund contribution → the CCP's skin in the game → the other members' default
fund → assessments (cash calls, a multiple of the default fund) → variation-margin gains haircutting (VMGH) → and, if
anything is left, a tear-up. The draws come from ``sl.default_waterfall`` (exact in cents).
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.transforms import offset_copy

from .. import validate as v
from .. import waterfall as wf
from ..plots import COLORS
from ._base import Explorer, assemble, new_figure, nice_ceil, slider, table_html

__all__ = ["draw_waterfall", "waterfall_explorer", "waterfall_state"]

CURRENCIES = ("EUR", "USD")
LABELS = {
    "defaulter_initial_margin": "Defaulter's initial margin",
    "defaulter_default_fund": "Defaulter's default-fund share",
    "skin_in_the_game": "CCP skin in the game",
    "member_default_fund": "Members' default fund",
    "assessments": "Assessments (cash calls)",
    "vm_gains_haircut": "VM gains haircutting",
}
TEAR_UP = "Tear-up (not covered)"
_COLOURS = [COLORS[i] for i in range(6)]  # one colour per layer, the same in every figure
_M = 1_000_000.0


def _labels() -> list[str]:
    return [LABELS[k] for k in wf.LAYER_NAMES]


def _run(loss: float, layers) -> tuple[np.ndarray, np.ndarray, float]:
    """Capacities and draws per layer (money, waterfall order) and the uncovered rest, from the engine."""
    res = wf.default_waterfall(loss, layers)
    caps = np.array(
        [
            layers.defaulter_initial_margin,
            layers.defaulter_default_fund,
            layers.skin_in_the_game,
            float(np.sum(layers.member_default_fund)),
            float(np.sum(layers.assessment_caps)),
            float(np.sum(layers.vm_gains)),
        ]
    )
    draws = np.array([res.draws[k] for k in wf.LAYER_NAMES], dtype=float)
    return caps, draws, float(res.uncovered)


def waterfall_state(
    loss: float = 60_000_000.0,
    initial_margin: float = 25_000_000.0,
    defaulter_fund: float = 5_000_000.0,
    skin_in_the_game: float = 4_000_000.0,
    members_fund: float = 30_000_000.0,
    assessment_multiple: float = 1.0,
    vm_gains: float = 40_000_000.0,
    currency: str = "EUR",
) -> dict[str, Any]:
    """Run a default loss down a clearing house's waterfall.

    Money is in ``currency`` (EUR or USD; a label only). ``loss`` is the cost of closing out the defaulter's portfolio;
    the assessment cap is ``assessment_multiple`` (×) times the members' default fund; ``vm_gains`` is the total
    variation-margin gain the CCP could withhold from winners. Returns the layer names, capacities and draws (money),
    the index and name of the last layer reached, the amount left for a tear-up, and who paid: the defaulter, the CCP,
    and the non-defaulting members (and their clients).
    """
    v.choice("currency", currency, CURRENCIES)
    for name, val in (
        ("loss", loss),
        ("initial_margin", initial_margin),
        ("defaulter_fund", defaulter_fund),
        ("skin_in_the_game", skin_in_the_game),
        ("members_fund", members_fund),
        ("assessment_multiple", assessment_multiple),
        ("vm_gains", vm_gains),
    ):
        if np.ndim(val) != 0:
            raise ValueError(f"{name} must be a single number ≥ 0, got {val!r}")
        v.nonnegative(name, val)
    layers = wf.WaterfallLayers(
        defaulter_initial_margin=initial_margin,
        defaulter_default_fund=defaulter_fund,
        skin_in_the_game=skin_in_the_game,
        member_default_fund=[members_fund],  # the members' fund as one aggregate; lesson 07 splits it per member
        assessment_caps=[assessment_multiple * members_fund],
        vm_gains=[vm_gains],
    )
    caps, draws, rest = _run(loss, layers)
    names = _labels()
    used = np.flatnonzero(draws > 0)
    if rest > 0:
        reached, reached_name = len(names), TEAR_UP
    elif len(used):
        reached, reached_name = int(used[-1]), names[int(used[-1])]
    else:
        reached, reached_name = -1, "none (no loss)"
    return {
        "currency": currency,
        "loss": float(loss),
        "layers": layers,
        "names": names,
        "capacities": caps,
        "draws": draws,
        "rest": rest,
        "reached": reached,
        "reached_name": reached_name,
        "defaulter_pays": float(draws[0] + draws[1]),
        "ccp_pays": float(draws[2]),
        "members_pay": float(draws[3] + draws[4] + draws[5]),
        "prefunded_left": float(caps[3] - draws[3]),
        "tear_up": rest > 0,
    }


# --------------------------------------------------------------------------------------------------------------
# drawing: one row per layer, a light bar for its capacity and a dark bar for what the loss used


class _Staircase:
    """The artists of a waterfall staircase on one axes, updated in place."""

    def __init__(self, ax, names: list[str], currency: str, colours: list[str] | None = None) -> None:
        self.ax = ax
        self.names = list(names)
        n = len(self.names)
        y = np.arange(n + 1)
        colours = colours or [COLORS[i % (len(COLORS) - 1)] for i in range(n)]
        self.cap_bars = ax.barh(y[:n], np.zeros(n), left=np.zeros(n), height=0.62, color=colours, alpha=0.22,
                                edgecolor=colours, linewidth=1.0)
        self.used_bars = ax.barh(y[:n], np.zeros(n), left=np.zeros(n), height=0.62, color=colours, alpha=0.95)
        (self.rest_bar,) = ax.barh([n], [0.0], left=[0.0], height=0.62, color="white", edgecolor="#D55E00",
                                   hatch="///", linewidth=1.2)
        box = {"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.0}
        nudge = offset_copy(ax.transData, fig=ax.figure, x=5, y=0, units="points")  # just right of a bar's end
        self.labels = [
            ax.text(0, yi, "", va="center", ha="left", fontsize=10, bbox=box, zorder=4, transform=nudge) for yi in y
        ]
        self.loss_line = ax.axvline(0, color="black", linestyle="--", linewidth=1.4, marker="", zorder=3)
        self.loss_text = ax.text(0, -0.72, "", ha="left", va="center", fontsize=10, transform=nudge)
        ax.set_yticks(y)
        ax.set_yticklabels([*self.names, TEAR_UP])
        ax.set_ylim(n + 0.6, -1.0)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"Cumulative resources (million {currency})")
        self.currency = currency

    def update(self, caps: np.ndarray, draws: np.ndarray, loss: float, rest: float) -> None:
        caps_m, draws_m = np.asarray(caps) / _M, np.asarray(draws) / _M
        starts = np.concatenate(([0.0], np.cumsum(caps_m)[:-1]))
        total = float(caps_m.sum())
        for i, (cb, ub) in enumerate(zip(self.cap_bars, self.used_bars)):
            cb.set_x(starts[i])
            cb.set_width(caps_m[i])
            cb.set_visible(caps_m[i] > 0)
            ub.set_x(starts[i])
            ub.set_width(draws_m[i])
            ub.set_visible(draws_m[i] > 0)
            if caps_m[i] == 0:
                txt = "none"
            else:
                txt = f"{draws_m[i]:,.1f} of {caps_m[i]:,.1f}"
            self.labels[i].set_position((starts[i] + caps_m[i], i))
            self.labels[i].set_text(txt)
        self.rest_bar.set_x(total)
        self.rest_bar.set_width(rest / _M)
        self.rest_bar.set_visible(rest > 0)
        n = len(self.names)
        self.labels[n].set_position((total + rest / _M, n))
        self.labels[n].set_text(f"{rest / _M:,.1f} left" if rest > 0 else "not needed")
        loss_m = loss / _M
        self.loss_line.set_xdata([loss_m, loss_m])
        self.loss_text.set_position((loss_m, -0.72))
        self.loss_text.set_text(f"loss: {loss_m:,.1f} M {self.currency}")
        right = max(total, loss_m, 1.0)  # at least 1 million on the axis, even with no resources at all
        self.ax.set_xlim(0, nice_ceil(right * 1.3))  # steps 1-2-5: steady while a slider moves


def draw_waterfall(ax, loss: float, layers, currency: str = "EUR", hide_empty: bool = False) -> dict[str, Any]:
    """Draw the staircase of ``layers`` (an ``sl.WaterfallLayers``, money in ``currency``) for ``loss`` on ``ax``.

    For lesson figures. ``hide_empty`` leaves out layers of capacity 0. Returns the capacities and draws per layer
    (money, waterfall order) and the uncovered rest.
    """
    v.choice("currency", currency, CURRENCIES)
    caps, draws, rest = _run(loss, layers)
    keep = np.flatnonzero(caps > 0) if hide_empty else np.arange(len(caps))
    names = [_labels()[i] for i in keep]
    st = _Staircase(ax, names, currency, colours=[_COLOURS[i] for i in keep])
    st.update(caps[keep], draws[keep], loss, rest)
    return {"capacities": caps, "draws": draws, "uncovered": rest}


def _readout(st: dict[str, Any]) -> str:
    cur = st["currency"]
    colour = "#D55E00" if st["tear_up"] else "#009E73"
    rows = [
        ("Loss", f"{st['loss'] / _M:,.2f} M {cur}"),
        ("Paid by the defaulter", f"{st['defaulter_pays'] / _M:,.2f} M {cur}"),
        ("Paid by the CCP (SITG)", f"{st['ccp_pays'] / _M:,.2f} M {cur}"),
        ("Paid by other members", f"{st['members_pay'] / _M:,.2f} M {cur}"),
        ("Members' fund left", f"{st['prefunded_left'] / _M:,.2f} M {cur}"),
        ("Last layer reached", f"<span style='color:{colour}'>{st['reached_name']}</span>"),
        ("Left for a tear-up", f"{st['rest'] / _M:,.2f} M {cur}"),
    ]
    return table_html(rows)


def waterfall_explorer() -> Explorer:
    """Sliders for the loss and each layer (million EUR or USD) over a staircase of the waterfall."""
    controls = {
        "currency": W.ToggleButtons(options=list(CURRENCIES), value="EUR", description="Currency"),
        "loss": slider("Default loss", 60.0, 0.0, 400.0, 1.0, "million", ",.0f"),
        "initial_margin": slider("Defaulter's margin", 25.0, 0.0, 200.0, 1.0, "million", ",.0f"),
        "defaulter_fund": slider("Defaulter's fund share", 5.0, 0.0, 50.0, 0.5, "million", ",.1f"),
        "skin_in_the_game": slider("CCP skin in the game", 4.0, 0.0, 50.0, 0.5, "million", ",.1f"),
        "members_fund": slider("Members' default fund", 30.0, 0.0, 200.0, 1.0, "million", ",.0f"),
        "assessment_multiple": slider("Assessment cap", 1.0, 0.0, 3.0, 0.25, "× fund", ".2f"),
        "vm_gains": slider("VM gains to haircut", 40.0, 0.0, 200.0, 1.0, "million", ",.0f"),
    }
    fig, ax = new_figure(figsize=(8.2, 4.2))
    stairs = _Staircase(ax, _labels(), "EUR")
    ax.set_title("How far down the waterfall does the loss reach?")
    ax.set_ylabel("Layer, in the order it is used")

    def update(values: dict[str, Any]):
        st = waterfall_state(
            loss=values["loss"] * _M,
            initial_margin=values["initial_margin"] * _M,
            defaulter_fund=values["defaulter_fund"] * _M,
            skin_in_the_game=values["skin_in_the_game"] * _M,
            members_fund=values["members_fund"] * _M,
            assessment_multiple=values["assessment_multiple"],
            vm_gains=values["vm_gains"] * _M,
            currency=values["currency"],
        )
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        stairs.currency = st["currency"]
        ax.set_xlabel(f"Cumulative resources (million {st['currency']})")
        stairs.update(st["capacities"], st["draws"], st["loss"], st["rest"])

    explorer = assemble(controls, fig, update, draw)
    return explorer

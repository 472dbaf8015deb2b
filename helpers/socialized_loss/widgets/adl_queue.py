"""Lesson 05's explorer: the auto-deleveraging queue. Scores, the five lights, and who is closed as the bankrupt
position grows, under four ranking rules.

A short has gone bankrupt (its bankruptcy price is below the mark: the price rose through it) and the insurance fund
is empty, so the venue closes it against the longs, all at the short's bankruptcy price. The rules (sources in
``socialized_loss.adl``):

- ``"bitmex"``: PNL% × effective leverage (PNL% ÷ leverage for a loser), highest first.
- ``"binance"``: LeveragePnL = max(0, uPnL)/max(1, wallet) × maintenance margin/(wallet + uPnL), as quoted on
  Binance's developer forum.
- ``"hyperliquid"``: a Hyperliquid-*style* score, unrealised PnL (USD) × effective leverage. Hyperliquid's docs only
  say "ranked by unrealized pnl and leverage used"; the production formula is unverified.
- ``"dydx"``: dYdX v4, no ranking: a random starting account, then round the book, skipping an account the fill
  would leave with negative equity.

The maths is ``adl.bitmex_adl_score``, ``adl.binance_leverage_pnl``, ``adl.hyperliquid_adl_score``, ``adl.adl_lights``,
``adl.adl_fills`` and ``adl.dydx_deleverage``; this module arranges and draws it.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np

from .. import adl
from .. import margin as m
from .. import validate as v
from ..plots import COLORS
from ._base import (
    CONTROL_WIDTH,
    DESCRIPTION_WIDTH,
    Explorer,
    assemble,
    legend_above,
    new_figure,
    slider,
    table_html,
)

__all__ = ["adl_queue_explorer", "adl_queue_state"]

RULES = ("bitmex", "binance", "hyperliquid", "dydx")
RULE_LABELS = {
    "bitmex": "BitMEX",
    "binance": "Binance",
    "hyperliquid": "Hyperliquid-style",
    "dydx": "dYdX v4 (random)",
}

#: Lesson 05's book: six longs on a linear contract (sizes in contracts of 1 coin, prices in USD per coin, collateral
#: in USD, isolated margin). Sizes are BitMEX's worked example; entries and collateral were chosen so that BitMEX's
#: formula ranks them in the example's order (2, 5, 4, 1, 6, 3). Account 3 is a 1× long slightly under water.
BOOK: dict[str, Any] = {
    "names": ("acct 1", "acct 2", "acct 3", "acct 4", "acct 5", "acct 6"),
    "sizes": np.array([10.0, 10.0, 20.0, 30.0, 20.0, 10.0]),
    "entry_prices": np.array([600.0, 520.0, 710.0, 600.0, 560.0, 640.0]),
    "collateral": np.array([1_500.0, 1_000.0, 14_200.0, 2_500.0, 2_000.0, 2_560.0]),
}
MARK_PRICE = 700.0  # USD per coin, after the price rose through the short's bankruptcy price
BANKRUPTCY_PRICE = 650.0  # USD per coin: the bankrupt short's, as in BitMEX's example
MMR = 0.005  # maintenance-margin rate for Binance's score (0.5 % of notional)


def _lights_text(light: int) -> str:
    return "●" * light + "○" * (5 - light) if light > 0 else "no queue"


def adl_scores(rule: str, sizes, entry_prices, collateral, mark_price: float = MARK_PRICE, mmr: float = MMR):
    """Ranking scores (dimensionless; USD × for "hyperliquid") of positions under ``rule``; NaN for "dydx" (no ranking)."""
    v.choice("rule", rule, RULES)
    s = v.vector("sizes", v.nonzero("sizes", sizes))
    e = v.vector("entry_prices", v.positive("entry_prices", entry_prices))
    c = v.vector("collateral", v.nonnegative("collateral", collateral))
    v.same_length(sizes=s, entry_prices=e, collateral=c)
    upnl = s * (mark_price - e)
    if rule == "bitmex":
        return np.asarray(adl.bitmex_adl_score(s, e, mark_price, m.bankruptcy_price(c, s, e)), dtype=float)
    if rule == "binance":
        mm = np.asarray(m.maintenance_margin(s, mark_price, mmr), dtype=float)
        return np.asarray(adl.binance_leverage_pnl(upnl, c, mm), dtype=float)
    if rule == "hyperliquid":
        lev = np.asarray(m.effective_leverage(c, s, e, mark_price), dtype=float)
        return np.asarray(adl.hyperliquid_adl_score(upnl, lev), dtype=float)
    return np.full(len(s), np.nan)


def _closed(rule: str, quantity: float, sizes, scores, equities, entry_prices, mark_price, bankruptcy_price, seed):
    """One ADL event: (closed, visiting order, skipped flags, contracts not offset, realized PnL, profit given up)."""
    if rule == "dydx":
        d = adl.dydx_deleverage(sizes, quantity, equities, bankruptcy_price, mark_price, entry_prices, seed=seed)
        forgone = d.quantity * (mark_price - bankruptcy_price)  # a long closed below the mark gives up the gap
        return d.quantity, d.visited, d.skipped, d.rest, d.realized_pnl, forgone
    f = adl.adl_fills(sizes, scores, quantity, bankruptcy_price, entry_prices, mark_price)
    return f.quantity, adl.adl_queue(scores), np.zeros(len(f.quantity), dtype=bool), 0.0, f.realized_pnl, f.forgone_vs_mark


def adl_queue_state(
    quantity: float = 20.0,
    rule: str = "bitmex",
    seed: int = 0,
    sizes=None,
    entry_prices=None,
    collateral=None,
    mark_price: float = MARK_PRICE,
    bankruptcy_price: float = BANKRUPTCY_PRICE,
    mmr: float = MMR,
    names=None,
    curve_points: int = 26,
) -> dict[str, Any]:
    """Who is auto-deleveraged when a short of ``quantity`` (contracts ≥ 0) goes bankrupt at ``bankruptcy_price``.

    The longs (``sizes`` in contracts > 0, ``entry_prices`` in USD per contract unit, ``collateral`` in USD; default:
    lesson 05's ``BOOK``) are marked at ``mark_price`` (USD) and ranked by ``rule`` (one of ``RULES``); ``seed``
    (int ≥ 0) drives dYdX's random start. ``quantity`` may not exceed the longs' total size.

    Returns per account: ``scores`` (NaN for dYdX), ``lights`` (1..5, 5 = first in line; 0 for dYdX), ``queue``
    (1-based place in the order visited), ``closed`` (contracts), ``remaining``, ``realized_pnl`` (USD vs entry, on the
    closed part, at the fill price), ``forgone`` (USD: profit given up by closing at the bankruptcy price instead of
    the mark), ``equity``, ``leverage``, ``upnl`` (USD) and ``skipped`` (dYdX: the fill would have made it
    insolvent); and ``order`` (indices in the order visited), ``rest`` (contracts not offset), ``deficit`` (the
    bankrupt short's loss beyond its collateral at the mark, USD) and ``curve_q``/``curve_closed`` (closed per
    account as the bankrupt size grows from 0 to the total: ``curve_points`` evenly spaced sizes, ``quantity``
    itself and every size at which an account is used up, for the picture).
    """
    v.choice("rule", rule, RULES)
    seed = v.integer("seed", seed, low=0)
    s = v.vector("sizes", BOOK["sizes"] if sizes is None else sizes)
    if np.any(s <= 0):
        raise ValueError(f"sizes must be > 0 (the longs facing a bankrupt short), got {s!r}")
    e = v.vector("entry_prices", BOOK["entry_prices"] if entry_prices is None else entry_prices)
    c = v.vector("collateral", BOOK["collateral"] if collateral is None else collateral)
    v.same_length(sizes=s, entry_prices=e, collateral=c)
    mark = float(v.positive("mark_price", mark_price))
    bk = float(v.positive("bankruptcy_price", bankruptcy_price))
    if bk >= mark:
        raise ValueError(f"bankruptcy_price must be below mark_price (a short is bankrupt only once the price has risen"
                         f" through it), got {bk} vs {mark}")
    if names is None:
        names = BOOK["names"] if len(s) == len(BOOK["names"]) else tuple(f"acct {i + 1}" for i in range(len(s)))
    names = tuple(str(x) for x in names)
    q = float(v.nonnegative("quantity", quantity))
    total = float(s.sum())
    if q > total + 1e-9:
        raise ValueError(f"quantity must be ≤ the longs' total size {total:g} contracts, got {quantity!r}")
    curve_points = v.integer("curve_points", curve_points, low=2, high=1001)

    scores = adl_scores(rule, s, e, c, mark, mmr)
    equity = np.asarray(m.equity(c, s, e, mark), dtype=float)
    lev = np.asarray(m.effective_leverage(c, s, e, mark), dtype=float)
    upnl = s * (mark - e)
    closed, order, skipped, rest, realized, forgone = _closed(rule, q, s, scores, equity, e, mark, bk, seed)
    lights = np.zeros(len(s), dtype=np.int64) if rule == "dydx" else adl.adl_lights(scores, s)
    queue = np.empty(len(s), dtype=np.int64)
    queue[np.asarray(order, dtype=np.int64)] = np.arange(1, len(s) + 1)

    # the curve is piecewise linear with kinks where one account is used up: a coarse grid plus those kinks
    kinks = np.cumsum(s[np.asarray(order, dtype=np.int64)])
    grid = np.unique(np.round(np.concatenate([np.linspace(0.0, total, curve_points), [0.0, q], kinks]), 9))
    grid = grid[grid <= total]
    curve = np.empty((len(s), len(grid)))
    for k, qk in enumerate(grid):
        if rule == "dydx":
            curve[:, k] = _closed(rule, float(qk), s, scores, equity, e, mark, bk, seed)[0]
        else:
            curve[:, k] = adl.auto_deleverage(s, scores, float(qk))

    return {
        "rule": rule,
        "seed": seed,
        "quantity": q,
        "names": names,
        "sizes": s,
        "entry_prices": e,
        "collateral": c,
        "mark_price": mark,
        "bankruptcy_price": bk,
        "scores": scores,
        "lights": lights,
        "queue": queue,
        "order": np.asarray(order, dtype=np.int64),
        "closed": closed,
        "remaining": s - closed,
        "realized_pnl": realized,
        "forgone": forgone,
        "equity": equity,
        "leverage": lev,
        "upnl": upnl,
        "skipped": skipped,
        "rest": float(rest),
        "deficit": q * (mark - bk),
        "curve_q": grid,
        "curve_closed": curve,
    }


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
        f"<tr><th>account</th><th>{score_head}</th><th>lights</th><th>{'visited' if rule == 'dydx' else 'queue'}</th>"
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
        if st["rule"] == "dydx":
            title.set_text(f"dYdX v4: random start (seed {st['seed']}), no ranking")
        else:
            title.set_text(f"{RULE_LABELS[st['rule']]}: highest score first (● = lights)")

    return assemble(controls, fig, update, draw)

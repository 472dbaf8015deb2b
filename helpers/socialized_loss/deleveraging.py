"""Lesson 05's auto-deleveraging queue: ranking scores, the five lights, and who is closed as a bankrupt short grows.

A short has gone bankrupt (its bankruptcy price is below the mark: the price rose through it) and the insurance fund
is empty, so the venue closes it against the longs, all at the short's bankruptcy price. The ranking rules (sources
in :mod:`socialized_loss.adl`):

- ``"bitmex"``: PNL% × effective leverage (PNL% ÷ leverage for a loser), highest first.
- ``"binance"``: LeveragePnL = max(0, uPnL)/max(1, wallet) × maintenance margin/(wallet + uPnL), as quoted on
  Binance's developer forum.
- ``"hyperliquid"``: a Hyperliquid-*style* score, unrealised PnL (USD) × effective leverage. Hyperliquid's docs only
  say "ranked by unrealized pnl and leverage used"; the production formula is unverified.
- ``"dydx"``: dYdX v4, no ranking: a random starting account, then round the book, skipping an account the fill
  would leave with negative equity.

The maths is ``adl.bitmex_adl_score``, ``adl.binance_leverage_pnl``, ``adl.hyperliquid_adl_score``, ``adl.adl_lights``,
``adl.adl_fills`` and ``adl.dydx_deleverage``; this module arranges it for the lesson, its checks and its widget.

>>> st = adl_queue_state(quantity=35.0, rule="bitmex")
>>> st["closed"].tolist(), float(st["forgone"].sum())
([0.0, 10.0, 0.0, 5.0, 20.0, 0.0], 1750.0)
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import adl
from . import margin as m
from . import validate as v
from .books import adl_book

__all__ = ["RANKINGS", "RANKING_LABELS", "adl_queue_state", "adl_scores"]

#: The ranking rules of lesson 05 (venue names).
RANKINGS = ("bitmex", "binance", "hyperliquid", "dydx")
#: A short label per ranking rule, for tables and widgets.
RANKING_LABELS = {
    "bitmex": "BitMEX",
    "binance": "Binance",
    "hyperliquid": "Hyperliquid-style",
    "dydx": "dYdX v4 (random)",
}


def adl_scores(rule: str, sizes, entry_prices, collateral, mark_price: float | None = None,
               mmr: float | None = None) -> np.ndarray:
    """Ranking scores (dimensionless; USD × for "hyperliquid") of positions under ``rule`` (one of
    :data:`RANKINGS`); NaN for "dydx" (no ranking). ``mark_price`` (USD) and ``mmr`` default to lesson 05's book.

    >>> b = adl_book()
    >>> adl.adl_queue(adl_scores("bitmex", b.sizes, b.entry_prices, b.collateral)).tolist()  # BitMEX's order 2, 5, 4, ...
    [1, 4, 3, 0, 5, 2]
    """
    book = adl_book()
    mark_price = book.mark_price if mark_price is None else float(v.positive("mark_price", mark_price))
    mmr = book.mmr if mmr is None else float(v.nonnegative("mmr", mmr))
    v.choice("rule", rule, RANKINGS)
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
    mark_price: float | None = None,
    bankruptcy_price: float | None = None,
    mmr: float | None = None,
    names=None,
    curve_points: int = 26,
) -> dict[str, Any]:
    """Who is auto-deleveraged when a short of ``quantity`` (contracts ≥ 0) goes bankrupt at ``bankruptcy_price``.

    The longs (``sizes`` in contracts > 0, ``entry_prices`` in USD per contract unit, ``collateral`` in USD; default:
    lesson 05's book, :func:`socialized_loss.books.adl_book`) are marked at ``mark_price`` (USD) and ranked by
    ``rule`` (one of :data:`RANKINGS`); ``seed``
    (int ≥ 0) drives dYdX's random start. ``quantity`` may not exceed the longs' total size.

    Returns per account: ``scores`` (NaN for dYdX), ``lights`` (1..5, 5 = first in line; 0 for dYdX), ``queue``
    (1-based place in the order visited), ``closed`` (contracts), ``remaining``, ``realized_pnl`` (USD vs entry, on the
    closed part, at the fill price), ``forgone`` (USD: profit given up by closing at the bankruptcy price instead of
    the mark), ``equity``, ``leverage``, ``upnl`` (USD) and ``skipped`` (dYdX: the fill would have made it
    insolvent); and ``order`` (indices in the order visited), ``rest`` (contracts not offset), ``deficit`` (the
    bankrupt short's loss beyond its collateral at the mark, USD) and ``curve_q``/``curve_closed`` (closed per
    account as the bankrupt size grows from 0 to the total: ``curve_points`` evenly spaced sizes, ``quantity``
    itself and every size at which an account is used up, for the picture).

    >>> st = adl_queue_state(quantity=35.0, rule="dydx", seed=0)
    >>> float(st["closed"].sum()), st["rest"]
    (35.0, 0.0)
    """
    v.choice("rule", rule, RANKINGS)
    seed = v.integer("seed", seed, low=0)
    book = adl_book()
    mark_price = book.mark_price if mark_price is None else mark_price
    bankruptcy_price = book.bankruptcy_price if bankruptcy_price is None else bankruptcy_price
    mmr = book.mmr if mmr is None else mmr
    s = v.vector("sizes", book.sizes if sizes is None else sizes)
    if np.any(s <= 0):
        raise ValueError(f"sizes must be > 0 (the longs facing a bankrupt short), got {s!r}")
    e = v.vector("entry_prices", book.entry_prices if entry_prices is None else entry_prices)
    c = v.vector("collateral", book.collateral if collateral is None else collateral)
    v.same_length(sizes=s, entry_prices=e, collateral=c)
    mark = float(v.positive("mark_price", mark_price))
    bk = float(v.positive("bankruptcy_price", bankruptcy_price))
    if bk >= mark:
        raise ValueError(f"bankruptcy_price must be below mark_price (a short is bankrupt only once the price has risen"
                         f" through it), got {bk} vs {mark}")
    if names is None:
        names = book.names if len(s) == len(book.names) else tuple(f"acct {i + 1}" for i in range(len(s)))
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

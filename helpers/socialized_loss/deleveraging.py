"""Lesson 05's auto-deleveraging queue: ranking scores, the five lights, and who is closed as a bankrupt short grows.

A short has gone bankrupt (its bankruptcy price is below the mark: the price rose through it) and the insurance fund
is empty, so the venue closes it against the longs, all at the short's bankruptcy price. The ranking rules (sources
in :mod:`socialized_loss.adl`):

- ``"bitmex"``: PNL% × effective leverage (PNL% ÷ leverage for a loser), highest first.
- ``"binance"``: LeveragePnL = max(0, uPnL)/max(1, wallet) × maintenance margin/(wallet + uPnL), as quoted on
  Binance's developer forum.
- ``"hyperliquid"``: a Hyperliquid-*style* score, unrealised PnL (USD) × effective leverage. Hyperliquid's docs only
  say "ranked by unrealized pnl and leverage used"; the production formula is unverified.
- ``"dydx_v4"``: dYdX v4, no ranking: a random starting account, then round the book, skipping an account the fill
  would leave with negative equity.

The keys are the rulebook's venue keys (``venues``). The maths is the engine's: the scores are
``adl.bitmex_adl_score`` (BitMEX's values), ``venue_adl.adl_scores`` with ``leverage_pnl`` (Binance) and
``adl.hyperliquid_adl_score``, the fill is ``venue_adl.deleverage`` (closed quantities and what each long gives up,
exact in cents) and the curve is its queue, ``venue_adl.close_queue`` / ``venue_adl.close_random_start``; the lights
are ``adl.adl_lights``. This module arranges it for the lesson, its checks and its widget.

>>> st = adl_queue_state(quantity=35.0, rule="bitmex")
>>> st["closed"].tolist(), float(st["forgone"].sum())
([0.0, 10.0, 0.0, 5.0, 20.0, 0.0], 1750.0)
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np

from . import adl, venue_adl
from . import margin as m
from . import validate as v
from .books import adl_book
from .ledger import Book

__all__ = ["RANKINGS", "RANKING_LABELS", "adl_queue_state", "adl_scores"]

#: The ranking rules of lesson 05 (venue names).
RANKINGS = ("bitmex", "binance", "hyperliquid", "dydx_v4")
#: A short label per ranking rule, for tables and widgets.
RANKING_LABELS = {
    "bitmex": "BitMEX",
    "binance": "Binance",
    "hyperliquid": "Hyperliquid-style",
    "dydx_v4": "dYdX v4 (random)",
}


def adl_scores(rule: str, sizes, entry_prices, collateral, mark_price: float | None = None,
               mmr: float | None = None) -> np.ndarray:
    """Ranking scores (dimensionless; USD × for "hyperliquid") of positions under ``rule`` (one of
    :data:`RANKINGS`); NaN for "dydx_v4" (no ranking). ``mark_price`` (USD) and ``mmr`` default to lesson 05's book.

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
    book = Book(sizes=s, entry_prices=e, collateral=c, mark_price=mark_price)
    if rule == "bitmex":  # BitMEX's own values: bankruptcy price floored at 0, so effective leverage ≥ 1
        return np.asarray(adl.bitmex_adl_score(s, e, mark_price, m.bankruptcy_price(c, s, e)), dtype=float)
    if rule == "binance":
        return venue_adl.adl_scores(book, "leverage_pnl", mmr=mmr)
    if rule == "hyperliquid":
        lev = np.asarray(m.effective_leverage(c, s, e, mark_price), dtype=float)
        return np.asarray(adl.hyperliquid_adl_score(book.pnl, lev), dtype=float)
    return np.full(len(s), np.nan)


def _fill(rule: str, quantity: float, book: Book, scores, bankruptcy_price: float, seed: int):
    """One ADL event through ``venue_adl.deleverage``: (closed, visiting order, skipped flags, contracts not offset,
    what each long gives up, USD). Every ranked rule closes at the bankrupt short's price (BitMEX's row of the
    rulebook with the rule's scores; Hyperliquid itself closes at the previous mark, which lesson 05 leaves aside)."""
    n = book.n
    if rule == "dydx_v4":
        order = venue_adl.adl_order(book, np.arange(n), "random_start", seed=seed)
    else:
        order = venue_adl.adl_order(book, np.arange(n), "pnl_x_leverage", scores=scores)
    if quantity == 0:
        return np.zeros(n), order, np.zeros(n, dtype=bool), 0.0, np.zeros(n)
    deficit = quantity * (book.mark_price - bankruptcy_price)
    a = venue_adl.deleverage(book, deficit, venue="dydx_v4" if rule == "dydx_v4" else "bitmex", quantity=-quantity,
                             bankruptcy_price=bankruptcy_price, scores=None if rule == "dydx_v4" else scores,
                             force=True, seed=seed)
    closed = np.array(a.closed)
    rest = float(np.round(max(quantity - float(closed.sum()), 0.0), 9))  # contracts not offset
    skipped = np.zeros(n, dtype=bool)
    if rule == "dydx_v4":  # visited while contracts were left, held some, yet not closed: the fill would sink it
        left = quantity - np.concatenate(([0.0], np.cumsum(closed[order])[:-1]))
        skipped[order] = (left > 1e-12) & (book.sizes[order] > 0) & (closed[order] == 0)
    return closed, order, skipped, rest, np.array(a.charges)


def _curve_point(rule: str, quantity: float, sizes: np.ndarray, equity: np.ndarray, mark: float, order,
                 bankruptcy_price: float) -> np.ndarray:
    """Closed per account for a bankrupt short of ``quantity``: the queue ``deleverage`` runs, without the money."""
    if rule == "dydx_v4":
        gain = Fraction(bankruptcy_price) - Fraction(mark)  # a long closed below the mark loses this
        return venue_adl.close_random_start(sizes, quantity, order, equity, gain)[0]
    return venue_adl.close_queue(sizes, quantity, order)


@lru_cache(maxsize=64)
def _curve(rule: str, order: tuple, sizes: tuple, equity: tuple, mark: float, bk: float, points: int):
    """Closed per account as the bankrupt size grows from 0 to the total (read-only arrays, memoised: the curve does
    not depend on the size being shown). It is piecewise linear with kinks where one account is used up, so a coarse
    grid plus those kinks draws it exactly."""
    s, eq = np.asarray(sizes, dtype=float), np.asarray(equity, dtype=float)
    kinks = np.cumsum(s[np.asarray(order, dtype=np.int64)])
    total = float(s.sum())
    grid = np.unique(np.round(np.concatenate([np.linspace(0.0, total, points), [0.0], kinks]), 9))
    grid = grid[grid <= total]
    curve = np.empty((len(s), len(grid)))
    for k, qk in enumerate(grid):
        curve[:, k] = _curve_point(rule, float(qk), s, eq, mark, order, bk)
    grid.setflags(write=False)
    curve.setflags(write=False)
    return grid, curve


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
    account as the bankrupt size grows from 0 to the total: ``curve_points`` evenly spaced sizes and every size at
    which an account is used up; the curve is linear in between, so it passes through ``closed`` at ``quantity``).

    >>> st = adl_queue_state(quantity=35.0, rule="dydx_v4", seed=0)
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
    book = Book(sizes=s, entry_prices=e, collateral=c, mark_price=mark)
    equity = book.equity
    lev = np.asarray(m.effective_leverage(c, s, e, mark), dtype=float)
    upnl = book.pnl
    closed, order, skipped, rest, forgone = _fill(rule, q, book, scores, bk, seed)
    realized = closed * (bk - e)
    lights = np.zeros(len(s), dtype=np.int64) if rule == "dydx_v4" else adl.adl_lights(scores, s)
    queue = np.empty(len(s), dtype=np.int64)
    queue[np.asarray(order, dtype=np.int64)] = np.arange(1, len(s) + 1)

    grid, curve = _curve(rule, tuple(int(i) for i in order), tuple(s.tolist()), tuple(equity.tolist()), mark, bk,
                         curve_points)

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

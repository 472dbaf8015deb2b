"""Auto-deleveraging (ADL): ranking scores, the queue, the five "lights", fills at the bankruptcy price, and dYdX v4's
random (unranked) deleveraging.

When a bankrupt position cannot be closed in the market and the insurance fund is empty, the venue closes it against
profitable positions on the other side, at the bankrupt account's bankruptcy price. Venue rules (as documented at time
of capture; each venue's source URL is in its row of ``data/venues.toml`` and in lesson 05's references):

- BitMEX: Ranking = PNL% × EffectiveLeverage if PNL% > 0, PNL% ÷ EffectiveLeverage if PNL% < 0, with EffectiveLeverage
  = |MarkValue| ÷ (MarkValue − BankruptValue) and PNL% = (MarkValue − AvgEntryValue) ÷ |AvgEntryValue|; longs and
  shorts ranked separately, highest first; the UI shows the queue position in 20 % increments; positions are closed at
  "the bankruptcy price of the initial liquidated order" (https://www.bitmex.com/app/autoDeleveraging; worked example
  https://www.bitmex.com/app/autoDeleveragingExamples).
- Binance Futures: LeveragePnl = PnlPercent × MarginRatio with PnlPercent = max(0, UnrealizedProfit) ÷
  max(1, WalletBalance) and MarginRatio = MaintMargin ÷ (WalletBalance + UnrealizedProfit) (0 if that is ≤ 0), as
  quoted on Binance's developer forum (https://dev.binance.vision/t/how-to-caculating-leverage-pnl-quantile/17801);
  the FAQ itself (https://www.binance.com/zh-CN/support/announcement/360033525471) says "unrealized PnL/collateral
  multiplied by the margin ratio".
- Hyperliquid: the opposite side is "ranked by unrealized pnl and leverage used"
  (https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging). Chitra (arXiv:2512.01112) reads the
  score as current PnL × leverage; the exact production formula is unverified.
- dYdX v4: counterparties are "randomly selected" (https://help.dydx.trade/en/articles/166973-contract-loss-mechanisms-on-dydx-chain);
  the code starts at ``pseudoRand.Intn(numSubaccounts)`` and iterates cyclically with no ranking, skipping a
  counterparty the fill would leave under-collateralized (``protocol/x/clob/keeper/deleveraging.go`` in
  github.com/dydxprotocol/v4-chain); its tests (``deleveraging_test.go``) hold the worked examples.

Quantities are base units (contracts or coins) rounded to ``lot`` (default 1e-8); prices are quote per base unit.
The closing itself is ``venue_adl``'s (``close_queue`` for a ranked queue, ``close_random_start`` for dYdX v4's loop,
both with ``exact=True``: nearest lots, a position used up closed exactly); the functions here keep lesson 05's plain
signatures (arrays of sizes and scores) and add the fill price and the PnL effect.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validate as v
from .allocation import from_minor
from .venue_adl import _score_leverage_pnl, _score_pnl_x_leverage, close_queue, close_random_start

__all__ = [
    "ADLFills",
    "DydxDeleverage",
    "adl_fills",
    "adl_lights",
    "adl_queue",
    "auto_deleverage",
    "binance_leverage_pnl",
    "bitmex_adl_score",
    "dydx_deleverage",
    "hyperliquid_adl_score",
]


def bitmex_adl_score(size, entry_price, mark_price, bankruptcy_price):
    """BitMEX ranking from a linear position: values are size × price at mark, bankruptcy and average entry.

    EffectiveLeverage = |MV| ÷ (MV − BV) and PNL% = (MV − AEV) ÷ |AEV|; score = PNL% × leverage in profit, PNL% ÷
    leverage at a loss, 0 at 0. A long of 1 at entry 100, mark 110, bankruptcy 90 → leverage 5.5, PNL 0.10, score
    0.55. The position must not be bankrupt at mark.
    """
    s = v.nonzero("size", size)
    e = v.positive("entry_price", entry_price)
    m = v.positive("mark_price", mark_price)
    b = v.nonnegative("bankruptcy_price", bankruptcy_price)
    s, e, m, b = v.broadcast(size=s, entry_price=e, mark_price=m, bankruptcy_price=b)
    mv, bv, aev = s * m, s * b, s * e
    gap = mv - bv
    if np.any(gap <= 0):
        raise ValueError("bankruptcy_price must be on the losing side of mark_price (below it for a long, above it for"
                         f" a short): the position is bankrupt at mark; got {bankruptcy_price!r} vs {mark_price!r}")
    return v.scalar_or_array(_score_pnl_x_leverage((mv - aev) / np.abs(aev), np.abs(mv) / gap))


def binance_leverage_pnl(unrealized_profit, wallet_balance, maint_margin):
    """Binance LeveragePnl (dimensionless), as quoted on Binance's developer forum (reported, not on the FAQ page):

    PnlPercent = max(0, unrealized_profit) ÷ max(1, wallet_balance); MarginRatio = maint_margin ÷ (wallet_balance +
    unrealized_profit), or 0 if that is ≤ 0; LeveragePnl = PnlPercent × MarginRatio. Money in USDT.
    """
    u = v.finite("unrealized_profit", unrealized_profit)
    wb = v.finite("wallet_balance", wallet_balance)
    mm = v.nonnegative("maint_margin", maint_margin)
    u, wb, mm = v.broadcast(unrealized_profit=u, wallet_balance=wb, maint_margin=mm)
    return v.scalar_or_array(_score_leverage_pnl(u, wb, mm))


def hyperliquid_adl_score(unrealized_pnl, leverage):
    """Hyperliquid-style score: unrealized PnL × leverage (the reading in Chitra, arXiv:2512.01112).

    Hyperliquid's docs only say "ranked by unrealized pnl and leverage used"; the exact production formula is
    unverified. ``unrealized_pnl`` any sign (money or fraction, as you rank), ``leverage`` ≥ 0 (×).
    """
    u = v.finite("unrealized_pnl", unrealized_pnl)
    lev = v.nonnegative("leverage", leverage)
    u, lev = v.broadcast(unrealized_pnl=u, leverage=lev)
    return v.scalar_or_array(u * lev)


def adl_queue(scores) -> np.ndarray:
    """Queue order (indices, first deleveraged first): highest score first, ties by lower index."""
    s = v.vector("scores", scores)
    return np.lexsort((np.arange(len(s)), -s))


def adl_lights(scores, sizes=None) -> np.ndarray:
    """Five "lights" (1..5, in input order) of each position's place in the ADL queue; 5 = first in line.

    BitMEX shows the queue position in 20 % increments. Its worked example is reproduced by the share of the queue's
    total |size| (contracts) up to and including the account, rounded **up** to the next 20 %: shown % =
    20 × ⌈5 × cumulative share⌉, light = 6 − shown % ÷ 20. Accounts whose cumulative share falls in the same 20 %
    band share a light. Without ``sizes`` each account counts as one. With scores (3, 6, 1, 4, 5, 2) and sizes (10,
    10, 20, 30, 20, 10) the sorted order (2, 5, 4, 1, 6, 3) shows 20, 40, 60, 80, 80, 100 %: cumulative 10, 30, 60,
    70, 80, 100 of 100 contracts.
    """
    s = v.vector("scores", scores)
    q = np.ones(len(s)) if sizes is None else np.abs(v.vector("sizes", sizes))
    v.same_length(scores=s, sizes=q)
    if len(s) == 0:
        return np.zeros(0, dtype=np.int64)
    total = q.sum()
    if total <= 0:
        raise ValueError(f"sizes must not all be zero, got {sizes!r}")
    order = adl_queue(s)
    cum = np.cumsum(q[order]) / total
    band = np.clip(np.ceil(np.round(cum * 5, 9)), 1, 5).astype(np.int64)  # 1 = first 20 %, 5 = last
    out = np.empty(len(s), dtype=np.int64)
    out[order] = 6 - band
    return out


def auto_deleverage(sizes, scores, quantity, lot: float = 1e-8) -> np.ndarray:
    """Quantity closed per account (base units ≥ 0, input order): highest score first, the last partly; ties by
    lower index.

    ``sizes``: the counterparties' positions (any sign; |size| is what can be closed); ``quantity`` ≥ 0: the
    bankrupt position to offset, rounded to whole ``lot`` s (base units, default 1e-8). An account is either closed
    whole (exactly its |size|) or by a whole number of lots below it: no account is ever closed beyond what it
    holds. A quantity that rounds to Σ|sizes| in lots closes the whole side exactly; more than that is a
    ValueError (the opposite side cannot absorb it). With sizes on the lot grid the result sums to ``quantity``
    exactly in lots.

    >>> auto_deleverage([10, 10, 20, 30, 20, 10], [3, 6, 1, 4, 5, 2], 35).tolist()
    [0.0, 10.0, 0.0, 5.0, 20.0, 0.0]
    >>> auto_deleverage([0.0099], [1.0], 0.0099, lot=0.01).tolist()  # the whole position, not a rounded-up lot
    [0.0099]
    """
    q = np.abs(v.vector("sizes", sizes))
    s = v.vector("scores", scores)
    v.same_length(sizes=q, scores=s)
    Q = v.scalar("quantity", v.nonnegative("quantity", quantity), "a single number ≥ 0 (base units)")
    return close_queue(q, float(Q), adl_queue(s), lot=lot, exact=True)


@dataclass(frozen=True, eq=False)
class ADLFills:
    """Result of ``adl_fills``/per account: ``quantity`` closed (base ≥ 0), fill ``price`` (nan where nothing
    closed), ``remaining`` signed size, ``realized_pnl`` vs entry (None without entry prices) and ``forgone_vs_mark``:
    what closing at the bankruptcy price instead of mark costs each account (None without a mark price)."""

    quantity: np.ndarray
    price: np.ndarray
    remaining: np.ndarray
    realized_pnl: np.ndarray | None
    forgone_vs_mark: np.ndarray | None


def adl_fills(sizes, scores, quantity, bankruptcy_price, entry_prices=None, mark_price=None,
              lot: float = 1e-8) -> ADLFills:
    """ADL fills: ``auto_deleverage`` quantities, all at the bankrupt account's ``bankruptcy_price`` (BitMEX, Binance,
    Bybit). PnL effect per account: realized = qty × (price − entry) × sign(size); forgone = qty × (mark − price) ×
    sign(size). BitMEX example: longs (10, 10, 20, 30, 20, 10) with scores (3, 6, 1, 4, 5, 2), a short of 20 at 650 →
    accounts 2 and 5 (1-based) closed 10 each at 650, account 5 keeps 10.
    """
    x = auto_deleverage(sizes, scores, quantity, lot)
    s = v.vector("sizes", sizes)
    bp = v.positive("bankruptcy_price", bankruptcy_price)
    if bp.ndim != 0:
        raise ValueError(f"bankruptcy_price must be a single number > 0, got {bankruptcy_price!r}")
    sign = np.sign(s)
    price = np.where(x > 0, float(bp), np.nan)
    remaining = s - sign * x
    realized = forgone = None
    if entry_prices is not None:
        e = v.vector("entry_prices", v.positive("entry_prices", entry_prices))
        v.same_length(sizes=s, entry_prices=e)
        realized = x * (float(bp) - e) * sign
    if mark_price is not None:
        m = v.positive("mark_price", mark_price)
        if m.ndim != 0:
            raise ValueError(f"mark_price must be a single number > 0, got {mark_price!r}")
        forgone = x * (float(m) - float(bp)) * sign
    return ADLFills(x, price, remaining, realized, forgone)


@dataclass(frozen=True, eq=False)
class DydxDeleverage:
    """Result of ``dydx_deleverage``: ``quantity`` closed per counterparty (base ≥ 0, input order), the ``start``
    index drawn, the ``visited`` order, ``skipped`` (bool: the fill would have made it insolvent), ``equity_after``
    (money, at the oracle price), ``realized_pnl`` (vs entry, None without entries) and the ``rest`` not offset."""

    quantity: np.ndarray
    start: int
    visited: np.ndarray
    skipped: np.ndarray
    equity_after: np.ndarray
    realized_pnl: np.ndarray | None
    rest: float


def dydx_deleverage(sizes, quantity, equities, fill_price, oracle_price, entry_prices=None, seed=0,
                    max_iterate: int | None = None, lot: float = 1e-8) -> DydxDeleverage:
    """dYdX v4 deleveraging: random start index, then cyclically through the counterparties with no ranking.

    ``sizes``: counterparties' positions (signed, base units, opposite side to the bankrupt one); ``quantity`` ≥ 0 to
    offset; ``equities``: each counterparty's equity at ``oracle_price`` (money); fills at ``fill_price`` (the bankrupt
    position's bankruptcy price). Closing qty of a position of sign σ changes its equity by qty × (fill − oracle) × σ;
    a counterparty whose equity would fall below 0 is skipped. ``seed``: int or numpy Generator (dYdX uses a
    block-seeded ``pseudoRand.Intn``). ``max_iterate`` caps how many counterparties are visited (dYdX's
    MaxDeleveragingSubaccountsToIterate; default all). What cannot be offset is reported as ``rest``.
    Docs example: A long 500 (entry $1, $100), B short 500 with $100, price $2 → B's bankruptcy price 1.20; A is
    closed at 1.20 and gains +$100 instead of +$500.
    """
    s = v.vector("sizes", sizes)
    eq = v.vector("equities", equities)
    v.same_length(sizes=s, equities=eq)
    Q = v.nonnegative("quantity", quantity)
    if Q.ndim != 0:
        raise ValueError(f"quantity must be a single number ≥ 0, got {quantity!r}")
    fp = v.one("fill_price", v.positive("fill_price", fill_price))
    op = v.one("oracle_price", v.positive("oracle_price", oracle_price))
    gen = v.rng(seed)
    n = len(s)
    if max_iterate is None:
        max_iterate = n
    max_iterate = v.integer("max_iterate", max_iterate, low=0)
    step = float(v.scalar("lot", v.positive("lot", lot), "a single number > 0 (base units)"))
    start = int(gen.integers(n)) if n else 0
    visited = (start + np.arange(min(max_iterate, n))) % n if n else np.zeros(0, dtype=np.int64)
    sign = np.sign(s)
    gain = (fp - op) * sign  # money per base unit each counterparty makes by the fill, vs the oracle price
    x, skipped, remaining = close_random_start(s, float(Q), visited, eq, gain, lot=step, exact=True)
    eq_after = np.where(x > 0, eq + x * gain, eq)
    realized = None
    if entry_prices is not None:
        e = v.vector("entry_prices", v.positive("entry_prices", entry_prices))
        v.same_length(sizes=s, entry_prices=e)
        realized = x * (fp - e) * sign
    return DydxDeleverage(x, start, np.asarray(visited, dtype=np.int64), skipped, eq_after, realized,
                          float(from_minor(remaining, lot)))

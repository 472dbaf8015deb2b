"""Auto-deleveraging in contract space, venue by venue: close the bankrupt quantity against ranked opposite positions.

When a bankrupt position cannot be closed in the market and the backstop will not take it, a venue closes it
against traders on the other side. What differs from venue to venue is read from the venue's row of the rulebook
(``venues``, ``data/venues.toml``):

- the **trigger**: when ADL runs instead of the fund paying. ``insurance_fund_depleted`` (BitMEX, Binance): the
  fund cannot cover the loss. ``negative_equity`` (Hyperliquid, dYdX v4): an account is under water and the
  backstop (liquidator vault, insurance fund) does not take it. ``insurance_fund_drawdown`` (Bybit from December
  2025, OKX): also when paying would draw the fund down more than a threshold (30 %) below its recent peak; Bybit's
  pool then pays up to the threshold and ADL the rest, at a bankruptcy price moved accordingly.
- the **ranking**: ``pnl_x_leverage`` (BitMEX: PNL% × effective leverage, PNL% ÷ leverage at a loss; OKX's
  "leverage PnL%"), ``leverage_pnl`` (Binance's LeveragePnl), ``mark_entry_x_leverage`` (Hyperliquid:
  mark ÷ entry × notional ÷ account value) or ``random_start`` (dYdX v4's code: a random first counterparty, then in
  turn, skipping one the fill would leave under water).
- the **close price**: ``bankruptcy`` (the bankrupt position's bankruptcy price), ``previous_mark`` /
  ``previous_oracle`` (Hyperliquid: a price of the previous tick, passed as ``previous_price``) or ``mark``.
- the **fee** the deleveraged trader pays on the closed notional (Bybit: the maker fee; BitMEX, Binance: none).

Each counterparty closed gives up (mark − close price) × quantity, sign-aware (a long closed below the mark loses
the difference; closed above it, it gains), plus the fee. At the bankruptcy price these gaps add up to the bankrupt
account's deficit at the mark, so nothing is left uncovered. Quantities are exact in integer ``lot``\\ s and no
position is closed beyond what it holds (holdings are rounded *down* to the lot); money is exact in integer
``unit``\\ s, the total gap is split over the closed lots with ``allocation.pro_rata_minor``.

Ledger (``Allocation``): Σ charges + Σ external + uncovered = shortfall in minor units, where ``external`` may hold
``insurance_fund`` (what the fund paid) and ``bankrupt_account`` (what the bankrupt account itself pays the
counterparties out of positive equity, or, negative, a surplus handed back to it).
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from . import validate as v
from .allocation import _scale, pro_rata_minor, sequential_minor
from .ledger import Allocation, Book
from .venues import Venue
from .venues import venue as _venue

__all__ = [
    "RANKINGS",
    "adl_order",
    "adl_scores",
    "close_price",
    "close_queue",
    "close_random_start",
    "deleverage",
    "fund_share",
]

#: Rankings ``adl_scores`` can compute (``keeper_selected`` and ``none`` cannot be run).
RANKINGS = ("pnl_x_leverage", "leverage_pnl", "mark_entry_x_leverage", "random_start")

_MAX_LOTS = 2**53


def _check_book(book) -> Book:
    return v.instance("book", book, Book)


def _lots(name: str, q, lot: float, *, down: bool) -> np.ndarray:
    """Quantities ≥ 0 → integer lots: the nearest lot when within float noise of it, else floor (``down``: a holding
    is never rounded up, so nothing is closed beyond what it holds) or nearest."""
    x = np.asarray(q, dtype=float) * _scale(lot)
    if np.any(x > _MAX_LOTS):
        raise ValueError(f"{name} is too large for exact lots ({name} / lot must be ≤ 2**53)")
    r = np.rint(x)
    near = np.abs(x - r) <= 1e-9 * np.maximum(1.0, np.abs(x))
    out = np.where(near, r, np.floor(x) if down else r)
    return np.maximum(out, 0).astype(np.int64)


def _nearest_lots(name: str, value, step: float) -> np.ndarray:
    """``value`` (base units ≥ 0) in whole lots of ``step``, rounded to nearest (ties to even)."""
    arr = np.asarray(value, dtype=float) / step
    if np.any(arr > _MAX_LOTS):
        raise ValueError(f"{name} is too large for exact whole lots ({name} / lot must be ≤ 2**53), got {value!r}")
    return np.rint(arr).astype(np.int64)


def _lot_step(lot) -> float:
    return float(v.scalar("lot", v.positive("lot", lot), "a single number > 0 (base units)"))


def _quantity_lots(sizes, quantity, lot, exact: bool):
    """(|sizes|, quantity in lots, holdings in lots, step) for the two lot regimes of ``close_queue``."""
    q = np.abs(np.asarray(sizes, dtype=float))
    step = _lot_step(lot)
    if exact:
        return q, int(_nearest_lots("quantity", quantity, step)), _nearest_lots("sizes", q, step), step
    return q, int(_lots("quantity", quantity, step, down=True)), _lots("sizes", q, step, down=True), step


def _closed_from_lots(x: np.ndarray, C: np.ndarray, q: np.ndarray, step: float, exact: bool) -> np.ndarray:
    """Quantities from lots drawn: whole lots, at most |size|; with ``exact`` a position drawn to its capacity is
    closed exactly (its whole |size|, never a rounded-up lot more)."""
    out = x / _scale(step) if not exact else np.minimum(x / _scale(step), q)
    if exact:
        full = (x == C) & (C > 0)
        out[full] = q[full]
    return out


def close_queue(sizes, quantity, order, *, lot: float = 1e-8, exact: bool = False) -> np.ndarray:
    """Quantity closed per account (base units ≥ 0, book order) when ``quantity`` (base units ≥ 0) is closed against
    the positions ``sizes`` (|size| is what each holds) taken in ``order`` (account indices; others are not closed):
    each fully, the last partly. This is the queue of every ranked venue's ADL (``deleverage``).

    Two lot regimes. ``exact=False`` (``deleverage``'s ledger): holdings and the quantity are rounded *down* to whole
    ``lot`` s, so nothing is closed beyond what a position holds and what cannot be closed stays open.
    ``exact=True`` (the lesson functions of ``adl``): both are rounded to the nearest lot, a position used up is
    closed exactly (its |size|, even off the lot grid), and a quantity that rounds to the whole side closes every
    position exactly; more than the side is a ValueError.

    >>> close_queue([10, 10, 20, 30, 20, 10], 35, [1, 4, 3, 0, 5, 2]).tolist()
    [0.0, 10.0, 0.0, 5.0, 20.0, 0.0]
    >>> close_queue([0.0099], 0.0099, [0], lot=0.01, exact=True).tolist()
    [0.0099]
    """
    q, A, C, step = _quantity_lots(sizes, quantity, lot, exact)
    idx = np.asarray(order, dtype=np.int64).reshape(-1)
    x = np.zeros(len(q), dtype=np.int64)
    if exact:
        side_q = q[idx]
        in_lots = int(C[idx].sum(dtype=np.int64)) if len(idx) else 0
        side = int(_nearest_lots("sizes", math.fsum(side_q.tolist()), step)) if len(idx) else 0
        if A > max(in_lots, side):
            raise ValueError(f"quantity must be ≤ Σ|sizes| = {math.fsum(side_q.tolist())!r} (the opposite side "
                             f"cannot absorb more), got {quantity!r}")
        if A >= min(in_lots, side):  # the whole side: every position closed exactly
            out = np.zeros(len(q))
            out[idx] = q[idx]
            return out
    if len(idx):
        x[idx] = sequential_minor(A, C[idx])
    return _closed_from_lots(x, C, q, step, exact)


def close_random_start(sizes, quantity, order, equity, gain, *, lot: float = 1e-8, exact: bool = False):
    """dYdX v4's deleveraging loop: visit the counterparties in ``order`` (a random start, then in turn), closing
    each as far as the rest of ``quantity`` (base units ≥ 0) allows, but skipping one whose ``equity`` (money) plus
    ``gain`` × closed quantity would fall below 0 (``gain``: money per base unit the close makes for that account,
    (close price − mark) × side). Lots as in ``close_queue``. Returns (closed per account in base units, skipped
    flags, the number of whole lots not closed).

    >>> closed, skipped, rest = close_random_start([10, 10], 15, [1, 0], [100.0, 0.0], [-1.0, -1.0], lot=1.0)
    >>> closed.tolist(), skipped.tolist(), rest  # account 1 would go under water; account 0 takes 10, 5 are left
    ([10.0, 0.0], [False, True], 5)
    """
    q, remaining, C, step = _quantity_lots(sizes, quantity, lot, exact)
    eq = np.asarray(equity, dtype=float)
    g = np.broadcast_to(np.asarray(gain, dtype=object if isinstance(gain, Fraction) else float), (len(q),))
    x = np.zeros(len(q), dtype=np.int64)
    skipped = np.zeros(len(q), dtype=bool)
    for i in np.asarray(order, dtype=np.int64).reshape(-1):  # dYdX itself loops, one counterparty at a time
        if remaining == 0:
            break
        take = min(remaining, int(C[i]))
        if take == 0:
            continue
        dq = (Fraction(float(_closed_from_lots(np.array([take]), C[i:i + 1], q[i:i + 1], step, True)[0]))
              if exact else take * Fraction(step))
        if Fraction(float(eq[i])) + Fraction(g[i]) * dq < 0:  # exact: the fill would sink it
            skipped[i] = True
            continue
        x[i] = take
        remaining -= take
    return _closed_from_lots(x, C, q, step, exact), skipped, remaining


def _row(venue) -> Venue:
    return venue if isinstance(venue, Venue) else _venue(venue)


def _score_pnl_x_leverage(pnl_fraction, leverage) -> np.ndarray:
    """BitMEX's ranking formula, the one place the course writes it: PNL% × effective leverage in profit, PNL% ÷
    leverage at a loss, 0 at 0 (dimensionless arrays of one length; leverage > 0 where PNL% < 0).

    >>> _score_pnl_x_leverage(np.array([0.10, -0.05, 0.0]), np.array([5.5, 2.0, 3.0])).round(3).tolist()
    [0.55, -0.025, 0.0]
    """
    p = np.asarray(pnl_fraction, dtype=float)
    lev = np.asarray(leverage, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p > 0, p * lev, np.where(p < 0, p / lev, 0.0))


def _score_leverage_pnl(unrealized_profit, wallet_balance, maint_margin) -> np.ndarray:
    """Binance's LeveragePnl, the one place the course writes it: max(0, PnL) ÷ max(1, wallet) × maintenance margin
    ÷ (wallet + PnL), the last factor 0 where wallet + PnL ≤ 0 (money in USDT; arrays of one length).

    >>> _score_leverage_pnl(np.array([10.0]), np.array([100.0]), np.array([5.5])).round(4).tolist()
    [0.005]
    """
    u = np.asarray(unrealized_profit, dtype=float)
    wb = np.asarray(wallet_balance, dtype=float)
    eq = wb + u
    mr = np.where(eq > 0, np.asarray(maint_margin, dtype=float) / np.where(eq > 0, eq, 1.0), 0.0)
    return np.maximum(0.0, u) / np.maximum(1.0, wb) * mr


def adl_scores(book: Book, ranking: str, *, mmr: float = 0.005) -> np.ndarray:
    """Ranking score of every account (dimensionless; the highest is closed first).

    - ``pnl_x_leverage`` (BitMEX, https://www.bitmex.com/app/autoDeleveraging): PNL% × effective leverage in profit,
      PNL% ÷ effective leverage at a loss; PNL% = (mark − entry) ÷ entry × side, leverage = notional ÷ equity.
    - ``leverage_pnl`` (Binance, as quoted on its developer forum): max(0, PnL) ÷ max(1, wallet) × maintenance margin
      ÷ (wallet + PnL), wallet = collateral, maintenance margin = ``mmr`` × notional (0 where equity ≤ 0). With one
      ``mmr`` for all it orders like PnL ÷ wallet × leverage.
    - ``mark_entry_x_leverage`` (Hyperliquid's sorting index): (mark ÷ entry) × (notional ÷ account value) for a
      long, (entry ÷ mark) × (notional ÷ account value) for a short (our reading of the index for shorts).
    - ``random_start``: no score, all zeros (``adl_order`` draws the start).

    >>> b = Book([1.0, -1.0], 100.0, [20.0, 50.0], 110.0)
    >>> adl_scores(b, "pnl_x_leverage").round(4).tolist()
    [0.3667, -0.0364]
    """
    book = _check_book(book)
    v.choice("ranking", ranking, RANKINGS)
    if ranking == "random_start":
        return np.zeros(book.n)
    lev = book.leverage
    open_ = book.sizes != 0
    if ranking == "pnl_x_leverage":
        return np.where(open_, _score_pnl_x_leverage(book.pnl_fraction, lev), 0.0)
    if ranking == "mark_entry_x_leverage":
        ratio = np.where(book.sizes >= 0, book.mark_price / book.entry_prices, book.entry_prices / book.mark_price)
        return np.where(open_, ratio * lev, 0.0)
    m = float(v.open_unit("mmr", mmr))
    return _score_leverage_pnl(book.pnl, book.collateral, m * book.notional)


def adl_order(book: Book, candidates, ranking: str, *, scores=None, seed=0) -> np.ndarray:
    """The order in which ``candidates`` (account indices) are closed.

    Highest score first, ties by lower index; ``scores`` (one per account) replaces the venue's formula. For
    ``random_start`` (dYdX v4) a start is drawn with ``seed`` (int or numpy Generator) among the candidates in book
    order, and the rest follow cyclically.

    >>> b = Book([-3.0, 1.0, 1.0, 1.0], 100.0, 100.0, 100.0)
    >>> adl_order(b, [1, 2, 3], "pnl_x_leverage", scores=[0, 1, 3, 2]).tolist()
    [2, 3, 1]
    """
    book = _check_book(book)
    cand = np.asarray(candidates, dtype=np.int64).reshape(-1)
    if np.any((cand < 0) | (cand >= book.n)):
        raise ValueError(f"candidates must be account indices 0..{book.n - 1}, got {candidates!r}")
    if scores is None and ranking == "random_start":
        if len(cand) == 0:
            return cand
        return np.roll(cand, -int(v.rng(seed).integers(len(cand))))
    if scores is None:
        s = adl_scores(book, ranking)
    else:
        s = v.vector("scores", scores)
        if len(s) != book.n:
            raise ValueError(f"scores must have one value per account ({book.n}), got {len(s)}")
    return cand[np.lexsort((cand, -s[cand]))]


def fund_share(venue, shortfall, insurance_fund=0.0, fund_peak=None) -> tuple[bool, float]:
    """(ADL runs?, what the fund pays) for a ``shortfall`` (money ≥ 0) under ``venue``'s trigger.

    ``insurance_fund_depleted`` / ``negative_equity``: the fund (or liquidator vault) pays the whole shortfall if it
    can, and otherwise ADL covers all of it (the fund pays nothing). ``insurance_fund_drawdown``: the fund pays as
    long as its balance stays above (1 − threshold) × ``fund_peak`` (its peak over the window; default the current
    balance); beyond that it pays up to the threshold and ADL covers the rest (Bybit's example: pool 1M, loss
    350K, threshold 30 % → the pool pays 300K, ADL 50K).

    >>> fund_share("bybit", 350_000.0, insurance_fund=1_000_000.0)
    (True, 300000.0)
    >>> fund_share("binance", 100.0, insurance_fund=1000.0)
    (False, 100.0)
    """
    row = _row(venue)
    s = v.nonnegative("shortfall", shortfall)
    f = v.nonnegative("insurance_fund", insurance_fund)
    if s.ndim or f.ndim:
        raise ValueError(f"shortfall and insurance_fund must be single numbers ≥ 0, got {shortfall!r}, "
                         f"{insurance_fund!r}")
    s, f = float(s), float(f)
    if row.adl_trigger == "none" or s == 0:
        return False, min(s, f)
    if row.adl_trigger == "insurance_fund_drawdown":
        peak = f if fund_peak is None else float(v.nonnegative("fund_peak", fund_peak))
        if peak < f:
            raise ValueError(f"fund_peak must be ≥ insurance_fund (a peak over the window), got {fund_peak!r}")
        room = max(0.0, min(f, f - (1.0 - float(row.trigger_threshold)) * peak))
        return (s > room), min(s, room)
    return (s > f), (0.0 if s > f else s)


def close_price(venue, book: Book, bankruptcy_price=None, previous_price=None) -> float:
    """The price (quote per base unit) at which ``venue`` closes ADL'd positions: the bankrupt position's
    ``bankruptcy_price``, the ``previous_price`` (Hyperliquid's previous mark or oracle price) or the book's mark.

    >>> close_price("hyperliquid", Book([1.0], 100.0, 10.0, 90.0), previous_price=92.0)
    92.0
    """
    row = _row(venue)
    book = _check_book(book)
    kind = row.close_price
    if kind == "bankruptcy":
        if bankruptcy_price is None:
            raise ValueError(f"bankruptcy_price is required: {row.name} closes at the bankruptcy price")
        return float(v.positive("bankruptcy_price", bankruptcy_price))
    if kind in ("previous_mark", "previous_oracle"):
        if previous_price is None:
            raise ValueError(f"previous_price is required: {row.name} closes at the {kind.replace('_', ' ')} price")
        return float(v.positive("previous_price", previous_price))
    if kind == "mark":
        return book.mark_price
    raise ValueError(f"venue must run contract-space ADL; {row.name} does not (it socializes over "
                     f"{row.socialization_base}; use rule {row.rule!r})")


def deleverage(book: Book, shortfall, *, venue="bitmex", bankrupt=None, quantity=None, bankruptcy_price=None,
               previous_price=None, scores=None, insurance_fund=0.0, fund_peak=None, force=False, seed=0,
               fee_rate=None, max_iterate=None, lot: float = 1e-8, unit: float = 0.01) -> Allocation:
    """Run ``venue``'s contract-space ADL on ``book`` for a ``shortfall`` (money ≥ 0).

    Parameters
    ----------
    book : Book
    shortfall : float
        Money left to cover (≥ 0), normally the bankrupt account's negative equity at the mark.
    venue : str or Venue
        A row of ``venues`` (key or name, e.g. ``"bitmex"``, ``"dYdX v4"``).
    bankrupt : int or str, optional
        The bankrupt account in ``book`` (index or name): its position is closed, at its bankruptcy price
        (entry − collateral ÷ size) unless ``bankruptcy_price`` is given.
    quantity : float, optional
        Signed bankrupt position to close (base units; −20 = a short of 20): required without ``bankrupt``, or
        part of the bankrupt account's position.
    bankruptcy_price, previous_price : float, optional
        The bankruptcy price; the previous mark/oracle price (venues closing at it).
    scores : array, optional
        A ranking score per account (highest first) replacing the venue's formula.
    insurance_fund, fund_peak : float
        The fund's balance and its recent peak (money ≥ 0), for the trigger (see ``fund_share``).
    force : bool
        Skip the trigger: the venue has already decided to deleverage (dYdX's tests deleverage accounts whose
        equity is still positive).
    seed : int or numpy Generator
        Draws dYdX v4's random start.
    fee_rate : float, optional
        Fee on each deleveraged trader's closed notional (fraction in [0, 1]); default the venue's ``adl_fee_rate``.
    max_iterate : int, optional
        dYdX v4 (``random_start``): visit at most this many counterparties (its
        ``MaxDeleveragingSubaccountsToIterate``); default all.
    lot, unit : float
        The quantity step (base units) and the money unit.

    Returns
    -------
    Allocation
        ``closed`` per account (the bankrupt account's closed quantity included), ``close_prices``, ``charges`` =
        (mark − close) × quantity per counterparty, ``fees``, ``external`` (``insurance_fund``,
        ``bankrupt_account``) and ``uncovered``. ``caps`` is what closing each whole position could cost it.

    BitMEX's example (https://www.bitmex.com/app/autoDeleveragingExamples): six longs of 10, 10, 20, 30, 20, 10
    ranked 3, 6, 1, 4, 5, 2; a short of 20 is liquidated at 650, so the second and fifth longs are closed 10 each.

    >>> b = Book([10.0, 10.0, 20.0, 30.0, 20.0, 10.0], 600.0, 10_000.0, 660.0)
    >>> a = deleverage(b, 200.0, venue="bitmex", quantity=-20.0, bankruptcy_price=650.0, scores=[3, 6, 1, 4, 5, 2])
    >>> a.closed.tolist(), a.charges.tolist(), a.uncovered
    ([0.0, 10.0, 0.0, 0.0, 10.0, 0.0], [0.0, 100.0, 0.0, 0.0, 100.0, 0.0], 0.0)
    """
    book = _check_book(book)
    row = _row(venue)
    if row.ranking not in RANKINGS:
        raise ValueError(f"venue must rank counterparties by a published rule; {row.name}'s ranking is "
                         f"{row.ranking!r} (socialized over {row.socialization_base}; use rule {row.rule!r})")
    su = _scale(unit)
    S_arr = v.nonnegative("shortfall", shortfall)
    if S_arr.ndim != 0:
        raise ValueError(f"shortfall must be a single number ≥ 0, got {shortfall!r}")
    if float(S_arr) * su > 2**53:
        raise ValueError(f"shortfall is too large for exact minor units (shortfall / unit ≤ 2**53), got "
                         f"{shortfall!r}")
    S = int(np.rint(float(S_arr) * su))
    lot_arr = v.positive("lot", lot)
    if lot_arr.ndim != 0:
        raise ValueError(f"lot must be a single number > 0 (base units), got {lot!r}")
    v.instance("force", force, (bool, np.bool_))
    n = book.n

    # the bankrupt position: side and quantity to close
    b_idx = None
    if bankrupt is not None:
        b_idx = book.index(bankrupt)
        side = float(np.sign(book.sizes[b_idx]))
        if side == 0:
            raise ValueError(f"bankrupt must hold an open position; account {bankrupt!r} is flat")
        Q = abs(float(book.sizes[b_idx]))
        if quantity is not None:
            q = v.nonzero("quantity", quantity)
            if q.ndim or np.sign(q) != side or abs(float(q)) > Q:
                raise ValueError(f"quantity must be a single number with the bankrupt position's sign and at most its "
                                 f"size {book.sizes[b_idx]}, got {quantity!r}")
            Q = abs(float(q))
        if bankruptcy_price is None and row.close_price == "bankruptcy":
            bankruptcy_price = float(book.bankruptcy_prices[b_idx])
            if not bankruptcy_price > 0:
                raise ValueError(f"bankruptcy_price is needed: account {bankrupt!r}'s own is {bankruptcy_price} ≤ 0")
    else:
        if quantity is None:
            raise ValueError("quantity (the signed bankrupt position, e.g. -20 for a short of 20) is required "
                             "when bankrupt is not given")
        q = v.nonzero("quantity", quantity)
        if q.ndim != 0:
            raise ValueError(f"quantity must be a single number, got {quantity!r}")
        side, Q = float(np.sign(q)), abs(float(q))
    P = Fraction(close_price(row, book, bankruptcy_price, previous_price))
    fr = row.adl_fee_rate if fee_rate is None else float(v.unit_interval("fee_rate", fee_rate))
    zeros = np.zeros(n, dtype=np.int64)

    # the trigger: does the fund pay, or ADL?
    runs, fund = fund_share(row, float(S_arr), insurance_fund, fund_peak)
    F = int(np.rint(fund * su))
    if not (runs or force):
        return _alloc(book, S, zeros, unit, external={"insurance_fund": F} if F else {})
    F = F if runs else 0

    # who is closed, how much (in lots, never beyond a holding)
    sigma = -side  # the counterparties' side
    cand = np.flatnonzero((np.sign(book.sizes) == sigma) & (np.arange(n) != (-1 if b_idx is None else b_idx)))
    order = adl_order(book, cand, row.ranking, scores=scores, seed=seed)
    held = _lots("sizes", np.abs(book.sizes), lot, down=True)
    Lf = Fraction(lot)
    if row.ranking == "random_start" and scores is None:
        # dYdX: skip a counterparty the fill would leave with negative equity
        order = order if max_iterate is None else order[:v.integer("max_iterate", max_iterate, low=0)]
        q, _, _ = close_random_start(book.sizes, Q, order, book.equity, (P - Fraction(book.mark_price)) * int(sigma),
                                     lot=lot)
    else:
        q = close_queue(book.sizes, Q, order, lot=lot)
    closed = np.rint(q * _scale(lot)).astype(np.int64)
    total = int(closed.sum())

    # the gap the counterparties give up at the venue's price, exact in minor units; a fund share (Bybit's pool
    # paying up to its threshold) lowers it, moving the close price toward the mark but never past it
    G = round((Fraction(book.mark_price) - P) * int(sigma) * total * Lf * Fraction(su))
    if total:
        F = min(F, max(G, 0))
    if F and total:
        G -= F
        P = P + int(sigma) * (Fraction(F) / Fraction(su)) / (total * Lf)
    x = (pro_rata_minor(abs(G), closed.astype(float)) * (1 if G >= 0 else -1)) if total else zeros
    fees = (np.zeros(len(closed), dtype=np.int64) if fr == 0 else
            np.array([round(Fraction(int(c)) * Lf * P * Fraction(fr) * Fraction(su)) for c in closed], dtype=np.int64))
    if b_idx is not None:
        closed[b_idx] = total
    prices = np.where(closed > 0, float(P), np.nan)
    cover = min(max(G, 0), S - F)
    ext = {"insurance_fund": F} if F else {}
    if G != cover:
        ext["bankrupt_account"] = cover - G  # > 0: it pays the counterparties' gain; < 0: a surplus back to it
    caps = np.ceil(np.abs(float(Fraction(book.mark_price) - P)) * held * float(lot) * su - 1e-9)
    return _alloc(book, S, x, unit, external=ext, closed=closed / _scale(lot), fees=fees, close_prices=prices,
                  caps=np.where(np.sign(book.sizes) == sigma, caps, 0.0))


def _alloc(book, S, x, unit, *, external=None, closed=None, fees=None, close_prices=None, caps=None) -> Allocation:
    su = _scale(unit)
    ext = dict(external or {})
    rest = S - int(np.sum(x, dtype=np.int64)) - sum(ext.values())
    if rest < 0:
        raise RuntimeError(f"internal: venue_adl placed more than the shortfall ({-rest} minor units)")
    return Allocation(
        rule="venue_adl",
        charges=np.asarray(x, dtype=float) / su,
        closed=np.zeros(book.n) if closed is None else closed,
        uncovered=rest / su,
        unit=unit,
        shortfall=S / su,
        caps=np.zeros(book.n) if caps is None else np.asarray(caps, dtype=float) / su,
        fees=None if fees is None else np.asarray(fees, dtype=float) / su,
        close_prices=close_prices,
        external={k: val / su for k, val in ext.items()},
    )

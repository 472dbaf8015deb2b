"""Closing a position: the insurance fund's delta, bad debt, price impact and liquidation cascades.

Conventions as in :mod:`socialized_loss.margin`: ``size`` in base units (+ long, − short), prices in USD per base
unit, money in USD. Every function that takes or returns money takes ``unit`` (the minor unit, default 0.01 =
cents); ledger amounts are rounded to whole minor units (banker's rounding, as in :mod:`socialized_loss.allocation`)
so that every ledger balances exactly: for each closed position

    equity at the fill = trader's payout + fund delta − uncovered          (exactly, in minor units)

where *uncovered* is the part of the bad debt (the loss beyond collateral, ``bad_debt``) that the fund did not pay.

Sources:

- dYdX v4 (dYdX Chain) liquidations: the insurance fund takes the liquidation penalty (at most 1.5 % of the closed
  notional) out of what is left above the bankruptcy price and pays the shortfall below it; a liquidation that would
  leave the fund negative is not processed and the position goes to deleveraging.
  https://help.dydx.exchange/en/articles/8580691-liquidations-on-dydx-chain ;
  https://help.dydx.trade/en/articles/166973-contract-loss-mechanisms-on-dydx-chain
- BitMEX, Bybit and OKX document the same direction of flows: fills better than the bankruptcy price feed the fund,
  fills worse are absorbed by it (https://www.bitmex.com/app/autoDeleveraging ;
  https://www.okx.com/help/iv-introduction-to-auto-deleveraging-adl).
- Price impact and cascades are a TEACHING model: no paper on perpetual-futures liquidation cascades was found (see the
  course's research notes, section c.4). The square-root impact law is the empirical regularity reported for
  meta-orders in equity and futures markets (Tóth et al., "Anomalous price impact and the critical nature of
  liquidity in financial markets", https://arxiv.org/abs/1105.1694); here it is applied to liquidation flow.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import validate as v
from .allocation import _exact_sum, _to_minor, from_minor, sequential_minor

__all__ = [
    "Book",
    "CascadeResult",
    "LiquidationResult",
    "cascade",
    "insurance_fund_delta",
    "liquidate",
    "make_book",
    "price_impact",
]

IMPACT_MODELS = ("sqrt", "linear")


def _m(name: str, x, unit) -> np.ndarray:
    """Money → whole minor units of ``unit`` (int64), banker's rounding."""
    return _to_minor(name, np.asarray(x, dtype=float), unit)


def insurance_fund_delta(size, fill_price, bankruptcy_price, max_fee_rate=0.015, unit: float = 0.01):
    """Money the insurance fund gains (+) or pays (−) when a position of ``size`` is closed at ``fill_price``.

    dYdX v4's rule: surplus = size × (fill − bankruptcy). A surplus ≥ 0 goes to the fund up to the liquidation fee
    cap ``max_fee_rate × |size × fill|`` (the trader keeps the rest); a shortfall (< 0) is paid by the fund in full.
    ``size`` any sign (base units), ``fill_price`` > 0, ``bankruptcy_price`` ≥ 0 (USD per base unit),
    ``max_fee_rate`` in [0, 1] (dYdX's maximum liquidation penalty is 1.5 %). Surplus and cap are rounded to
    ``unit`` (default 0.01) before they are compared, so the result is a multiple of the unit. Broadcasts.
    Source: https://help.dydx.exchange/en/articles/8580691-liquidations-on-dydx-chain

    >>> insurance_fund_delta(1.0, 95.0, 90.0), insurance_fund_delta(1.0, 95.0, 94.0), insurance_fund_delta(1.0, 85.0, 90.0)
    (1.42, 1.0, -5.0)
    """
    s = v.finite("size", size)
    f = v.positive("fill_price", fill_price)
    b = v.nonnegative("bankruptcy_price", bankruptcy_price)
    r = v.unit_interval("max_fee_rate", max_fee_rate)
    s, f, b, r = v.broadcast(size=s, fill_price=f, bankruptcy_price=b, max_fee_rate=r)
    surplus = _m("size × (fill_price − bankruptcy_price)", s * (f - b), unit)
    cap = _m("max_fee_rate × notional", r * np.abs(s * f), unit)
    out = np.where(surplus >= 0, np.minimum(surplus, cap), surplus)
    return v.scalar_or_array(np.asarray(from_minor(out, unit), dtype=float))


@dataclass(frozen=True)
class LiquidationResult:
    """Outcome of closing (part of) one isolated position. Money in USD (whole cents), sizes in base units.

    ``closed``: size closed (same sign as the position); ``remaining_size`` / ``remaining_collateral``: what is left
    open (collateral includes the closed part's leftover, so it is the trader's whole remaining money when the
    position is fully closed); ``fund_delta``: + the fund gains, − it pays; ``bad_debt``: the closed part's loss
    beyond collateral (money ≥ 0); ``uncovered``: the part of it the fund did not pay (money ≥ 0; goes on down the
    line: ADL, socialization), so bad_debt = fund payment + uncovered; ``refused``: the fund refused to take the
    fill.
    """

    closed: float
    remaining_size: float
    remaining_collateral: float
    fund_delta: float
    uncovered: float
    refused: bool
    fill_price: float
    bad_debt: float


def liquidate(
    collateral: float,
    size: float,
    entry_price: float,
    fill_price: float,
    *,
    mmr: float | None = None,
    target_margin_ratio: float | None = None,
    max_fee_rate: float = 0.015,
    fund_balance: float | None = None,
    partial_cover: bool = False,
    unit: float = 0.01,
) -> LiquidationResult:
    """Close one isolated position at ``fill_price`` (USD per base unit); fully, or partly down to a target.

    Full close (default): the fund receives min(equity, ``max_fee_rate`` × |size × fill|) when equity at the fill
    ≥ 0 (the trader keeps the rest), or pays the whole shortfall −equity when < 0 (dYdX v4; see
    :func:`insurance_fund_delta`). Partial close: with ``mmr`` and ``target_margin_ratio`` in (0, 1), closes the
    smallest fraction f of the position (with its share f of the collateral) after which maintenance margin ÷ equity
    ≤ target (margin ratio as in :func:`socialized_loss.margin.margin_ratio`); nothing is closed if already there,
    everything if equity ≤ 0.

    ``fund_balance`` (USD ≥ 0, optional): a shortfall larger than the fund is refused (dYdX: the fill would leave
    the fund negative) and the whole shortfall is ``uncovered``; with ``partial_cover=True`` the fund instead
    pays what it has and the rest is uncovered (the generic "fund first, then socialize" waterfall). ``bad_debt`` is
    the loss beyond collateral itself, whoever pays it. Money amounts of
    the result are multiples of ``unit`` (default 0.01 = cents), except ``remaining_collateral`` of a partly closed
    position, which is whatever gives the remaining equity at the fill price.
    Source: https://help.dydx.trade/en/articles/166973-contract-loss-mechanisms-on-dydx-chain

    >>> r = liquidate(10.0, 1.0, 100.0, 85.0, fund_balance=3.0, partial_cover=True)
    >>> r.bad_debt, r.fund_delta, r.uncovered, r.remaining_collateral
    (5.0, -3.0, 2.0, 0.0)
    """
    c = v.number("collateral", collateral, "a single number ≥ 0 (money)")
    if c < 0:
        raise ValueError(f"collateral must be ≥ 0 (an isolated position's margin), got {v.short(collateral)}")
    s = v.number("size", size, "a single number (base units, + long, − short)")
    e = float(v.scalar("entry_price", v.positive("entry_price", entry_price), "a single number > 0"))
    p = float(v.scalar("fill_price", v.positive("fill_price", fill_price), "a single number > 0"))
    rate = float(v.scalar("max_fee_rate", v.unit_interval("max_fee_rate", max_fee_rate), "a single number in [0, 1]"))
    partial_cover = v.flag("partial_cover", partial_cover)
    if fund_balance is not None:
        fund_balance = v.money("fund_balance", fund_balance)
    if (mmr is None) != (target_margin_ratio is None):
        raise ValueError("mmr and target_margin_ratio must be given together (both in (0, 1)) or not at all")

    eq = c + s * (p - e)  # equity at the fill
    frac = 1.0
    if mmr is not None:
        r = float(v.scalar("mmr", v.open_unit("mmr", mmr), "a single number in (0, 1)"))
        t = float(v.scalar("target_margin_ratio", v.open_unit("target_margin_ratio", target_margin_ratio),
                           "a single number in (0, 1)"))
        notional = abs(s) * p
        if s == 0:
            frac = 0.0
        elif eq > 0:
            fee_full = min(eq, rate * notional)
            # remaining equity eq − f·fee_full must cover (1 − f)·mmr·notional / target
            need = r * notional - t * eq
            denom = r * notional - t * fee_full
            frac = 0.0 if need <= 0 else (1.0 if denom <= 0 else min(1.0, need / denom))
    closed = s * frac
    eq_c = int(_m("equity at the fill", eq, unit))
    part_eq_c = int(_m("equity at the fill", eq * frac, unit)) if frac < 1.0 else eq_c  # equity of the closed slice
    fee_cap_c = int(_m("fee cap", rate * abs(closed) * p, unit))

    refused = False
    bad_c = 0  # the uncovered part of the shortfall, minor units
    short_c = 0
    if part_eq_c >= 0:
        fund_c = min(part_eq_c, fee_cap_c)
    else:
        short_c = -part_eq_c
        fund_c = -short_c
        if fund_balance is not None:
            bal_c = int(_m("fund_balance", fund_balance, unit))
            if short_c > bal_c:
                if partial_cover:  # the fund pays what it has (a one-layer sequential draw), the rest is uncovered
                    drawn = int(sequential_minor(short_c, np.array([bal_c], dtype=np.int64))[0])
                    fund_c, bad_c = -drawn, short_c - drawn
                else:
                    refused, fund_c, bad_c = True, 0, short_c
    # what is left for the trader: the whole equity minus what went to (+) or came from (−) the fund, plus the uncovered part
    left_c = eq_c - fund_c + bad_c
    rem_size = s - closed
    left = float(from_minor(left_c, unit))
    rem_coll = left - rem_size * (p - e)  # collateral that gives the remaining equity at this price
    return LiquidationResult(
        closed=closed,
        remaining_size=rem_size,
        remaining_collateral=rem_coll if rem_size != 0 else left,
        fund_delta=float(from_minor(fund_c, unit)),
        uncovered=float(from_minor(bad_c, unit)),
        refused=refused,
        fill_price=p,
        bad_debt=float(from_minor(short_c, unit)),
    )


def price_impact(volume, depth, model: str = "sqrt", coef: float = 0.01, max_impact: float = 0.5):
    """Fractional price move (dimensionless, in [0, ``max_impact``]) caused by ``volume`` USD of forced orders.

    TEACHING model. ``depth`` (USD > 0) is the book's "1 % depth": the notional that moves the price by ``coef``
    (default 1 %). ``"linear"``: coef × volume/depth; ``"sqrt"``: coef × √(volume/depth) (the square-root law,
    https://arxiv.org/abs/1105.1694). Capped at ``max_impact`` in (0, 1) so prices stay positive. Broadcasts.
    """
    vol = v.nonnegative("volume", volume)
    d = v.positive("depth", depth)
    v.choice("model", model, IMPACT_MODELS)
    k = v.one("coef", v.nonnegative("coef", coef))
    cap = v.one("max_impact", v.open_unit("max_impact", max_impact))
    return v.scalar_or_array(_impact(vol, d, model, k, cap))


def _impact(vol, depth, model: str, coef: float, cap: float):
    """Unchecked core of :func:`price_impact` (the simulators call it in their inner loops)."""
    x = vol / depth
    return np.minimum(coef * (np.sqrt(x) if model == "sqrt" else x), cap)


@dataclass(frozen=True)
class Book:
    """A small book of isolated positions: ``size`` (base units, ±), ``entry`` (USD/unit), ``collateral`` (USD),
    ``leverage`` (× at entry) and the current ``price`` (USD/unit)."""

    size: np.ndarray
    entry: np.ndarray
    collateral: np.ndarray
    leverage: np.ndarray
    price: float

    def __post_init__(self):
        s = v.vector("size", self.size)
        e = v.vector("entry", self.entry)
        c = v.vector("collateral", self.collateral)
        lev = v.vector("leverage", self.leverage)
        v.same_length(size=s, entry=e, collateral=c, leverage=lev)
        v.positive("entry", e)
        v.nonnegative("collateral", c)
        price = float(v.scalar("price", v.positive("price", self.price), "a single number > 0 (USD per base unit)"))
        for name, arr in (("size", s), ("entry", e), ("collateral", c), ("leverage", lev)):
            object.__setattr__(self, name, v.frozen(arr))  # read-only copies: the caller's arrays stay theirs
        object.__setattr__(self, "price", price)


def make_book(
    n: int = 200,
    leverage_mix: Mapping[float, float] | Sequence[float] = (2, 5, 10, 20, 50),
    seed=0,
    *,
    price: float = 100.0,
    long_share: float = 0.7,
    notional_median: float = 10_000.0,
    notional_sigma: float = 1.0,
    leverage_jitter: float = 0.2,
    unit: float = 0.01,
) -> Book:
    """A deterministic book of ``n`` traders, all entered at ``price`` (USD per base unit).

    Distributions: leverage = a draw from ``leverage_mix`` ({leverage: weight} or equally weighted leverages) times
    exp(N(0, ``leverage_jitter``)), floored at 1×; side long with probability ``long_share``; notional (USD)
    lognormal with median ``notional_median`` and log-sd ``notional_sigma``; collateral = notional ÷ leverage, in
    whole minor units of ``unit`` (default 0.01 = cents). ``seed``: int or numpy Generator.
    """
    n = v.integer("n", n, 1)
    g = v.rng(seed)
    if isinstance(leverage_mix, Mapping):
        levs = v.vector("leverage_mix", list(leverage_mix.keys()))
        w = v.nonnegative("leverage_mix weights", list(leverage_mix.values()))
    else:
        levs = v.vector("leverage_mix", leverage_mix)
        w = np.ones_like(levs)
    if levs.size == 0 or np.any(levs < 1) or w.sum() <= 0:
        raise ValueError(f"leverage_mix must hold leverages ≥ 1 with positive total weight, got {leverage_mix!r}")
    p = v.one("price", v.positive("price", price))
    ls = v.one("long_share", v.unit_interval("long_share", long_share))
    med = v.one("notional_median", v.positive("notional_median", notional_median))
    sig = v.one("notional_sigma", v.nonnegative("notional_sigma", notional_sigma))
    jit = v.one("leverage_jitter", v.nonnegative("leverage_jitter", leverage_jitter))
    lev = levs[g.choice(levs.size, size=n, p=w / w.sum())] * np.exp(jit * g.standard_normal(n))
    lev = np.maximum(lev, 1.0)
    side = np.where(g.random(n) < ls, 1.0, -1.0)
    notional = med * np.exp(sig * g.standard_normal(n))
    size = side * notional / p
    coll = np.asarray(from_minor(_m("collateral", notional / lev, unit), unit), dtype=float)
    return Book(size=size, entry=np.full(n, p), collateral=coll, leverage=lev, price=p)


@dataclass(frozen=True)
class CascadeResult:
    """Outcome of :func:`cascade`. Money in USD (whole cents), prices in USD per base unit.

    ``prices``: price before the shock, after it, then after each liquidation round; ``round_liquidated``: per
    trader, the round (0, 1, …) in which it was liquidated, −1 if never; ``fill_price``: per trader (NaN if not
    liquidated); ``volume``: liquidated notional per round (USD, signed: + sold); ``fee``: per trader, the fund's
    liquidation fee; ``bad_debt``: per trader, the loss beyond collateral; ``fund_paid`` /
    ``uncovered``: per trader, the part of the bad debt the fund paid / did not pay (bad_debt = fund_paid +
    uncovered, to the minor unit); ``payout``: per trader, money left after closing; ``fund_balance``: the fund
    after the cascade (None if no fund was given); totals as properties. ``bad_debt`` here means what it means
    everywhere in the course (the loss beyond collateral); what is left for socialization is ``uncovered``.
    """

    prices: np.ndarray
    round_liquidated: np.ndarray
    fill_price: np.ndarray
    volume: np.ndarray
    fee: np.ndarray
    bad_debt: np.ndarray
    fund_paid: np.ndarray
    uncovered: np.ndarray
    payout: np.ndarray
    fund_balance: float | None
    unit: float = 0.01

    @property
    def n_liquidated(self) -> int:
        return int(np.count_nonzero(self.round_liquidated >= 0))

    @property
    def total_uncovered(self) -> float:
        """Σ uncovered (USD): the cascade's bad debt the fund did not pay."""
        return float(from_minor(_exact_sum(_m("uncovered", self.uncovered, self.unit)), self.unit))

    @property
    def total_bad_debt(self) -> float:
        """Σ bad_debt (USD): the cascade's losses beyond collateral, whoever pays them."""
        return float(from_minor(_exact_sum(_m("bad_debt", self.bad_debt, self.unit)), self.unit))


def cascade(
    book: Book,
    shock: float,
    depth: float,
    mmr: float = 0.01,
    *,
    impact: str = "sqrt",
    coef: float = 0.01,
    max_impact: float = 0.5,
    max_fee_rate: float = 0.015,
    fund_balance: float | None = None,
    max_rounds: int = 100,
    unit: float = 0.01,
) -> CascadeResult:
    """A liquidation cascade after an exogenous price ``shock`` (fraction in [0, 1): price × (1 − shock)).

    Rounds: every open position with equity < maintenance margin (``mmr`` × notional) at the current price is
    closed; their net forced flow (longs sell, shorts buy; USD at the current price) moves the price by
    :func:`price_impact` (``impact``, ``coef``, ``depth``: the book's 1 % depth in USD); all of the round's positions
    fill at that new price, which can liquidate the next ones. Stops when a round liquidates nobody or after
    ``max_rounds``. Each fill follows :func:`liquidate` (fee to the fund, shortfall from the fund); with
    ``fund_balance`` (USD) the fund first books the round's fees, then pays shortfalls in trader order while it
    lasts (a sequential draw); the rest is ``uncovered``. Without a fund, every shortfall is uncovered. Money in whole
    minor units of ``unit`` (default 0.01 = cents). TEACHING model (see module docstring).
    """
    if not isinstance(book, Book):
        raise v.WrongTypeError(f"book must be a socialized_loss.liquidation.Book (see make_book), got "
                               f"{type(book).__name__}")
    shock = v.number("shock", shock, "a single number in [0, 1)")
    if not 0 <= shock < 1:
        raise ValueError(f"shock must be in [0, 1), got {shock!r}")
    depth = v.one("depth", v.positive("depth", depth))
    mmr = v.one("mmr", v.open_unit("mmr", mmr))
    v.choice("impact", impact, IMPACT_MODELS)
    rate = v.one("max_fee_rate", v.unit_interval("max_fee_rate", max_fee_rate))
    max_rounds = v.integer("max_rounds", max_rounds, 1)
    fund_c = None if fund_balance is None else int(_m("fund_balance", v.money("fund_balance", fund_balance), unit))

    size = np.asarray(book.size, dtype=float)
    entry = np.asarray(book.entry, dtype=float)
    coll = np.asarray(book.collateral, dtype=float)
    n = size.size
    # liquidation price per trader (equity < maintenance margin ⇔ price beyond it); 0-size positions never
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.where(size != 0, (entry - coll / np.where(size != 0, size, 1.0)) / (1.0 - mmr * np.sign(size)), np.nan)
    is_long = size > 0
    open_ = size != 0
    rnd = np.full(n, -1, dtype=np.int64)
    fill = np.full(n, np.nan)
    fee_c = np.zeros(n, np.int64)
    short_c = np.zeros(n, np.int64)
    paid_c = np.zeros(n, np.int64)
    pay_c = np.zeros(n, np.int64)
    price = float(book.price) * (1.0 - shock)
    prices = [float(book.price), price]
    volumes = []
    for r in range(max_rounds):
        liq = open_ & np.where(is_long, price < lp, price > lp)
        idx = np.flatnonzero(liq)
        if idx.size == 0:
            break
        net = float(np.sum(size[idx]) * price)  # + means net selling
        vol = abs(net)
        move = float(price_impact(vol, depth, impact, coef, max_impact))
        price = price * (1.0 - move) if net > 0 else price * (1.0 + move)
        prices.append(price)
        volumes.append(net)
        eq = _m("equity", coll[idx] + size[idx] * (price - entry[idx]), unit)
        cap = _m("fee cap", rate * np.abs(size[idx]) * price, unit)
        f = np.where(eq >= 0, np.minimum(eq, cap), 0)
        sh = np.where(eq < 0, -eq, 0)
        fee_c[idx] = f
        short_c[idx] = sh
        pay_c[idx] = np.where(eq >= 0, eq - f, 0)
        if fund_c is not None:
            fund_c += _exact_sum(f)
            pay = sequential_minor(min(fund_c, 2**62), sh)  # shortfalls paid in trader order while the fund lasts
            paid_c[idx] = pay
            fund_c -= _exact_sum(pay)
        rnd[idx] = r
        fill[idx] = price
        open_[idx] = False
    return CascadeResult(
        prices=np.asarray(prices),
        round_liquidated=rnd,
        fill_price=fill,
        volume=np.asarray(volumes, dtype=float),
        fee=np.asarray(from_minor(fee_c, unit), dtype=float),
        bad_debt=np.asarray(from_minor(short_c, unit), dtype=float),
        fund_paid=np.asarray(from_minor(paid_c, unit), dtype=float),
        uncovered=np.asarray(from_minor(short_c - paid_c, unit), dtype=float),
        payout=np.asarray(from_minor(pay_c, unit), dtype=float),
        fund_balance=None if fund_c is None else float(from_minor(fund_c, unit)),
        unit=float(unit),
    )

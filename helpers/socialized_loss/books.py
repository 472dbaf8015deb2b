"""The lessons' example books, loaded from the package data file ``data/books.toml``.

Each book is a small, made-up teaching book (not venue data), returned as a frozen dataclass whose arrays are
read-only, so a lesson cell cannot change the book another cell (or a check) relies on:

- :func:`socialization_book` — lesson 04: six accounts after a crash; sizes (BTC), the week's profits and deposits
  (USD), shared three ways (clawback, contracts-pro-rata, deposit-index haircut).
- :func:`adl_book` — lesson 05: six longs facing a bankrupt short (BitMEX's worked example sizes), with the mark and
  bankruptcy prices (USD per coin) and Binance's maintenance-margin rate.
- :func:`mechanism_books` — lesson 08: three books run through every mechanism (``"lesson"``, ``"whale"``,
  ``"big loss"``), each a :class:`MechanismBook`.
- :func:`cross_account`, :func:`margin_tiers`, :func:`price_candidates` — lesson 01: a cross-margined account,
  maintenance-margin tiers and three candidate prices for the mark.
- :func:`options_day` — lesson 04: four accounts' day and week PnL on an options venue, and the uncovered loss.
- :func:`compensation_case` — lesson 07: a liquidated long and the venue's after-the-fact reference price.

>>> book = socialization_book()
>>> book.names[2], float(book.profits[2])
('Cleo', 7000.0)
>>> float(adl_book().sizes.sum())
100.0
>>> mechanism_books()["lesson"].shortfall
15000.0
>>> cross_account().balance, margin_tiers()[1], price_candidates()["last"]
(8000.0, (1000000.0, 0.01), 70000.0)
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np

from . import haircuts, insurance

__all__ = [
    "PRICE",
    "AdlBook",
    "CompensationCase",
    "CrossAccount",
    "MechanismBook",
    "OptionsDay",
    "SocializationBook",
    "adl_book",
    "compensation_case",
    "cross_account",
    "leverage",
    "margin_tiers",
    "mechanism_books",
    "options_day",
    "price_candidates",
    "socialization_book",
]


@cache
def _data() -> dict[str, Any]:
    with resources.files(__package__).joinpath("data", "books.toml").open("rb") as f:
        return tomllib.load(f)


def _frozen(values, dtype=float) -> np.ndarray:
    arr = np.array(values, dtype=dtype)
    arr.setflags(write=False)
    return arr


def _as_dict(book) -> dict[str, Any]:
    """The book's fields as a plain dict (arrays copied, writable)."""
    return {f.name: (getattr(book, f.name).copy() if isinstance(getattr(book, f.name), np.ndarray)
                     else getattr(book, f.name)) for f in fields(book)}


#: USD per BTC in every lesson-08 book.
PRICE: float = float(_data()["mechanisms"]["price"])


@dataclass(frozen=True, eq=False)
class SocializationBook:
    """Lesson 04's book: per account ``names``, ``roles`` (and ``short_roles`` for axis labels), open ``sizes`` (BTC,
    + long / − short), the week's net ``profits`` (USD, any sign) and ``deposits`` at the venue (USD ≥ 0)."""

    title: str
    names: tuple[str, ...]
    roles: tuple[str, ...]
    short_roles: tuple[str, ...]
    sizes: np.ndarray
    profits: np.ndarray
    deposits: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (arrays copied).

        >>> socialization_book().as_dict()["names"][0]
        'Ana'
        """
        return _as_dict(self)


@dataclass(frozen=True, eq=False)
class AdlBook:
    """Lesson 05's book: six longs on a linear contract (``sizes`` in contracts of one coin > 0, ``entry_prices`` in
    USD per coin, ``collateral`` in USD, isolated margin), marked at ``mark_price`` (USD) after the price rose through
    the bankrupt short's ``bankruptcy_price`` (USD); ``mmr`` is the maintenance-margin rate for Binance's score."""

    title: str
    names: tuple[str, ...]
    sizes: np.ndarray
    entry_prices: np.ndarray
    collateral: np.ndarray
    mark_price: float
    bankruptcy_price: float
    mmr: float

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (arrays copied).

        >>> adl_book().as_dict()["mark_price"]
        700.0
        """
        return _as_dict(self)


@dataclass(frozen=True, eq=False)
class MechanismBook:
    """A lesson-08 book. Per live account: ``names``, ``roles``, ``size`` (BTC, + long / − short, 0 = no position),
    ``pnl`` (USD, unrealised), ``collateral`` (USD; a depositor's deposit). ``defaulters`` are the bankrupt
    accounts' equities (USD < 0); their sum is the shortfall D. ``fund`` (USD) is the insurance fund and
    ``skin_in_the_game`` (USD) the venue's own capital used by the waterfall; ``df_rate`` is the share of collateral
    each member pays into the waterfall's default fund."""

    title: str
    names: tuple[str, ...]
    roles: tuple[str, ...]
    size: np.ndarray
    pnl: np.ndarray
    collateral: np.ndarray
    defaulters: np.ndarray
    fund: float
    skin_in_the_game: float
    df_rate: float = 0.05

    @property
    def equity(self) -> np.ndarray:
        """Collateral + PnL per live account (USD)."""
        return self.collateral + self.pnl

    @property
    def notional(self) -> np.ndarray:
        """|size| × price (USD)."""
        return np.abs(self.size) * PRICE

    @property
    def leverage(self) -> np.ndarray:
        """Notional ÷ equity (×); 0 without a position or without positive equity.

        >>> [round(float(x), 1) for x in mechanism_books()["lesson"].leverage]
        [2.0, 6.0, 2.0, 3.8, 1.9, 0.0]
        """
        return leverage(self.notional, self.equity)

    @property
    def shortfall(self) -> float:
        """D = Σ(−equity)+ of the bankrupt accounts (USD)."""
        return haircuts.shortfall(self.defaulters)

    @property
    def budget(self) -> float:
        """B: what is left for the mechanism once the insurance fund has paid (USD).

        >>> mechanism_books()["lesson"].budget
        7500.0
        """
        return insurance.cover(insurance.InsuranceFund(self.fund), self.shortfall)[2]


def leverage(notional, equity) -> np.ndarray:
    """Notional ÷ equity (×) where equity > 0, else 0 (arrays in USD).

    >>> leverage(np.array([100.0, 50.0]), np.array([25.0, -1.0])).tolist()
    [4.0, 0.0]
    """
    notional = np.asarray(notional, dtype=float)
    equity = np.asarray(equity, dtype=float)
    safe = np.where(equity > 0, equity, 1.0)
    return np.where(equity > 0, notional / safe, 0.0)


@cache
def socialization_book() -> SocializationBook:
    """Lesson 04's six accounts (see :class:`SocializationBook`).

    >>> float(socialization_book().deposits.sum())
    60000.0
    """
    d = _data()["socialization"]
    return SocializationBook(
        title=d["title"],
        names=tuple(d["names"]),
        roles=tuple(d["roles"]),
        short_roles=tuple(d["short_roles"]),
        sizes=_frozen(d["sizes"]),
        profits=_frozen(d["profits"]),
        deposits=_frozen(d["deposits"]),
    )


@cache
def adl_book() -> AdlBook:
    """Lesson 05's six longs (see :class:`AdlBook`).

    >>> adl_book().bankruptcy_price
    650.0
    """
    d = _data()["adl"]
    return AdlBook(
        title=d["title"],
        names=tuple(d["names"]),
        sizes=_frozen(d["sizes"]),
        entry_prices=_frozen(d["entry_prices"]),
        collateral=_frozen(d["collateral"]),
        mark_price=float(d["mark_price"]),
        bankruptcy_price=float(d["bankruptcy_price"]),
        mmr=float(d["mmr"]),
    )


@cache
def _mechanism_books() -> dict[str, MechanismBook]:
    d = _data()["mechanisms"]
    out = {}
    for key, spec in d["books"].items():
        names, roles, size, pnl, coll = zip(*d["accounts"][spec["accounts"]], strict=True)
        out[key] = MechanismBook(
            title=spec["title"],
            names=tuple(names),
            roles=tuple(roles),
            size=_frozen(size),
            pnl=_frozen(pnl),
            collateral=_frozen(coll),
            defaulters=_frozen(spec["defaulters"]),
            fund=float(spec["fund"]),
            skin_in_the_game=float(spec["skin_in_the_game"]),
        )
    return out


def mechanism_books() -> dict[str, MechanismBook]:
    """Lesson 08's books by key: ``"lesson"`` (the lesson's book), ``"whale"``, ``"big loss"`` (a new dict each call;
    the books themselves are immutable).

    >>> list(mechanism_books())
    ['lesson', 'whale', 'big loss']
    """
    return dict(_mechanism_books())


@dataclass(frozen=True, eq=False)
class CrossAccount:
    """Lesson 01's cross-margined account: one ``balance`` (USD) backing every position; per position ``names``,
    ``sizes`` (coins, + long / − short), ``entries`` and current ``prices`` (USD per coin)."""

    title: str
    balance: float
    names: tuple[str, ...]
    sizes: np.ndarray
    entries: np.ndarray
    prices: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (arrays copied).

        >>> cross_account().as_dict()["names"]
        ('BTC long', 'ETH short')
        """
        return _as_dict(self)


@dataclass(frozen=True, eq=False)
class OptionsDay:
    """Lesson 04's options venue: per account ``names``, ``day_pnl`` and ``week_pnl`` (USD, any sign), and the
    ``loss`` (USD ≥ 0) left uncovered after the insurance fund."""

    title: str
    names: tuple[str, ...]
    day_pnl: np.ndarray
    week_pnl: np.ndarray
    loss: float

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (arrays copied).

        >>> options_day().as_dict()["loss"]
        2400.0
        """
        return _as_dict(self)


@dataclass(frozen=True, eq=False)
class CompensationCase:
    """Lesson 07's compensated long: ``size`` (BTC > 0) liquidated at ``liquidation_price`` in an incident window,
    and the ``reference_price`` (USD per BTC) the venue picked afterwards."""

    title: str
    size: float
    liquidation_price: float
    reference_price: float

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict.

        >>> compensation_case().as_dict()["reference_price"]
        112000.0
        """
        return _as_dict(self)


@cache
def cross_account() -> CrossAccount:
    """Lesson 01's cross-margined account (see :class:`CrossAccount`).

    >>> a = cross_account()
    >>> float(a.balance + (a.sizes * (a.prices - a.entries)).sum())  # total net collateral, USD
    -1000.0
    """
    d = _data()["cross_account"]
    return CrossAccount(
        title=d["title"],
        balance=float(d["balance"]),
        names=tuple(d["names"]),
        sizes=_frozen(d["sizes"]),
        entries=_frozen(d["entries"]),
        prices=_frozen(d["prices"]),
    )


@cache
def margin_tiers() -> tuple[tuple[float, float], ...]:
    """Lesson 01's maintenance-margin tiers: (lower bound of the notional slice in USD, maintenance rate) per tier,
    the form :func:`socialized_loss.margin.tiered_maintenance_margin` takes.

    >>> margin_tiers()
    ((0.0, 0.005), (1000000.0, 0.01), (2500000.0, 0.02))
    """
    d = _data()["margin_tiers"]
    return tuple((float(lo), float(r)) for lo, r in zip(d["lower_bounds"], d["rates"], strict=True))


@cache
def price_candidates() -> MappingProxyType:
    """Lesson 01's three candidate prices for the mark (USD per BTC), by name: ``index``, ``book_mid``, ``last``
    (a read-only mapping, in that order).

    >>> dict(price_candidates())
    {'index': 60100.0, 'book_mid': 60150.0, 'last': 70000.0}
    """
    d = _data()["price_candidates"]
    return MappingProxyType({k: float(p) for k, p in zip(d["names"], d["prices"], strict=True)})


@cache
def options_day() -> OptionsDay:
    """Lesson 04's options day (see :class:`OptionsDay`).

    >>> float(options_day().day_pnl.clip(min=0).sum())
    12000.0
    """
    d = _data()["options_day"]
    return OptionsDay(
        title=d["title"],
        names=tuple(d["names"]),
        day_pnl=_frozen(d["day_pnl"]),
        week_pnl=_frozen(d["week_pnl"]),
        loss=float(d["loss"]),
    )


@cache
def compensation_case() -> CompensationCase:
    """Lesson 07's compensated long (see :class:`CompensationCase`).

    >>> compensation_case().size
    0.5
    """
    d = _data()["compensation_case"]
    return CompensationCase(
        title=d["title"],
        size=float(d["size"]),
        liquidation_price=float(d["liquidation_price"]),
        reference_price=float(d["reference_price"]),
    )

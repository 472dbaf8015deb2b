"""The two objects every loss rule works with: a ``Book`` of accounts and the ``Allocation`` a rule returns.

A ``Book`` is a snapshot of a market at one mark price: each account's signed position (base units, + long,
− short), its entry price and its collateral (money backing the account: cash, deposit or margin). From it follow
each account's unrealized PnL, equity, leverage and bankruptcy price. A rule (see ``rules``) takes a book and a
``shortfall`` (money the venue still has to find after the defaulter's collateral and the insurance fund) and says
who pays what:

- ``charges``: money taken from each account of the book, exact multiples of ``unit``;
- ``closed``: quantity (base units ≥ 0) of each account's position closed by the rule (zeros where nothing closes);
- ``external``: money drawn from resources outside the book's accounts (an insurance fund, a clearing house's own
  capital, a first-loss offset);
- ``uncovered``: the rest nobody paid (money ≥ 0).

The ledger balances exactly in integer minor units: Σ charges + Σ external + uncovered = shortfall.

Units: prices in quote currency per base unit, money in quote currency (USD), ``unit`` the minor unit (0.01 = cents).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from . import validate as v
from .allocation import _scale

__all__ = ["Allocation", "Book"]


def _frozen(arr: np.ndarray) -> np.ndarray:
    out = np.array(arr, dtype=float, copy=True)
    out.setflags(write=False)
    return out


_NAMES: tuple[str, ...] = ()  # "0", "1", …: the default names, grown on demand and sliced (cheap for any n)


def _default_names(n: int) -> tuple[str, ...]:
    global _NAMES
    if len(_NAMES) < n:
        _NAMES = tuple(map(str, range(max(n, 2 * len(_NAMES)))))
    return _NAMES[:n]


def _real(name: str, value) -> np.ndarray:
    """Finite real numbers; ``validate.as_array`` refuses bools, text and complex numbers, naming ``name``."""
    return v.as_array(name, value)


@dataclass(frozen=True, eq=False)
class Book:
    """A market snapshot: n accounts with one position each in one contract, at one ``mark_price``.

    Parameters
    ----------
    sizes : array of float
        Signed position per account, base units (+ long, − short, 0 flat).
    entry_prices : float or array of float
        Average entry price per account (quote per base unit, > 0); a single number applies to all.
    collateral : float or array of float
        Money backing each account (quote currency, any sign: an account that already owes is negative);
        a single number applies to all.
    mark_price : float
        Current mark price (quote per base unit, > 0).
    names : sequence of str, optional
        A label per account (for tables); default "0", "1", ….

    The arrays are copied and frozen: the caller's arrays are never changed. Derived quantities (``pnl``,
    ``equity``, ``leverage``, ``bankruptcy_prices``) are properties.

    Example
    -------
    >>> b = Book(sizes=[2.0, -1.0, -1.0], entry_prices=100.0, collateral=[50.0, 30.0, 15.0], mark_price=110.0)
    >>> b.pnl.tolist(), b.equity.tolist()
    ([20.0, -10.0, -10.0], [70.0, 20.0, 5.0])
    """

    sizes: np.ndarray
    entry_prices: np.ndarray
    collateral: np.ndarray
    mark_price: float
    names: tuple[str, ...] | None = None

    def __post_init__(self):
        s = _real("sizes", self.sizes)
        if s.ndim != 1:
            raise ValueError(f"sizes must be one-dimensional (one signed position per account), got shape {s.shape}")
        n = len(s)
        e = _real("entry_prices", self.entry_prices)
        if np.any(e <= 0):
            raise ValueError(f"entry_prices must be > 0 (quote per base unit), got {self.entry_prices!r}")
        c = _real("collateral", self.collateral)
        for name, arr, raw in (("entry_prices", e, self.entry_prices), ("collateral", c, self.collateral)):
            if arr.ndim > 1 or (arr.ndim == 1 and len(arr) != n):
                raise ValueError(f"{name} must be a single number or one value per account ({n}), got "
                                 f"shape {arr.shape}: {raw!r}")
        m = _real("mark_price", self.mark_price)
        if m.ndim != 0:
            raise ValueError(f"mark_price must be a single number > 0, got {self.mark_price!r}")
        if m <= 0:
            raise ValueError(f"mark_price must be > 0 (quote per base unit), got {self.mark_price!r}")
        names = self.names
        if names is None:
            names = _default_names(n)
        else:
            if isinstance(names, str) or not all(isinstance(x, str) for x in names):
                raise ValueError(f"names must be a sequence of strings, one per account, got {self.names!r}")
            names = tuple(names)
            if len(names) != n:
                raise ValueError(f"names must have one entry per account ({n}), got {len(names)}")
            if len(set(names)) != n:
                raise ValueError(f"names must be unique, got {self.names!r}")
        object.__setattr__(self, "sizes", _frozen(s))
        object.__setattr__(self, "entry_prices", _frozen(np.broadcast_to(e, (n,))))
        object.__setattr__(self, "collateral", _frozen(np.broadcast_to(c, (n,))))
        object.__setattr__(self, "mark_price", float(m))
        object.__setattr__(self, "names", names)

    @classmethod
    def _trusted(cls, sizes: np.ndarray, entry_prices: np.ndarray, collateral: np.ndarray, mark_price: float) -> Book:
        """A Book from arrays the engine built itself, without the checks of ``Book(...)`` (which user input always
        goes through): ``sizes``, ``entry_prices``, ``collateral`` 1-D float64 arrays of one length, finite, entry
        prices > 0; ``mark_price`` a finite float > 0. The arrays are still copied and frozen. The simulator
        builds one per socialization, where the checks cost more than the rule."""
        book = object.__new__(cls)
        for name, arr in (("sizes", sizes), ("entry_prices", entry_prices), ("collateral", collateral)):
            out = np.array(arr, dtype=float, copy=True)
            out.setflags(write=False)
            object.__setattr__(book, name, out)
        object.__setattr__(book, "mark_price", float(mark_price))
        object.__setattr__(book, "names", _default_names(len(sizes)))
        return book

    @property
    def n(self) -> int:
        """Number of accounts."""
        return len(self.sizes)

    @property
    def pnl(self) -> np.ndarray:
        """Unrealized PnL per account at the mark (money): size × (mark − entry)."""
        return self.sizes * (self.mark_price - self.entry_prices)

    @property
    def equity(self) -> np.ndarray:
        """Equity per account at the mark (money, any sign): collateral + PnL."""
        return self.collateral + self.pnl

    @property
    def notional(self) -> np.ndarray:
        """Position value at the mark (money ≥ 0): |size| × mark."""
        return np.abs(self.sizes) * self.mark_price

    @property
    def leverage(self) -> np.ndarray:
        """Effective leverage (×): notional ÷ equity; inf where equity ≤ 0 with an open position, 0 when flat.
        This is BitMEX's |MarkValue| ÷ (MarkValue − BankruptValue) for a linear contract."""
        eq = self.equity
        with np.errstate(divide="ignore", invalid="ignore"):
            lev = np.where(eq > 0, self.notional / np.where(eq > 0, eq, 1.0), np.inf)
        return np.where(self.sizes == 0, 0.0, lev)

    @property
    def pnl_fraction(self) -> np.ndarray:
        """PnL as a fraction of entry value (dimensionless): (mark − entry) ÷ entry × sign(size); 0 when flat."""
        return np.sign(self.sizes) * (self.mark_price - self.entry_prices) / self.entry_prices

    @property
    def bankruptcy_prices(self) -> np.ndarray:
        """Price at which each account's equity is zero (quote per base unit): entry − collateral ÷ size.
        nan for a flat account. Negative collateral (an account already under water) puts it beyond the entry on
        the winning side; for a bankrupt account it lies beyond the mark."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.sizes != 0, self.entry_prices - self.collateral / np.where(
                self.sizes != 0, self.sizes, 1.0), np.nan)

    def index(self, account) -> int:
        """The index of ``account`` (an int index or one of ``names``); ValueError naming it otherwise."""
        if isinstance(account, str):
            if account not in self.names:
                raise ValueError(f"account must be an index 0..{self.n - 1} or one of names {self.names}, "
                                 f"got {account!r}")
            return self.names.index(account)
        return v.integer("account", account, 0, self.n - 1)


@dataclass(frozen=True, eq=False)
class Allocation:
    """What a rule decided. Every array has one entry per account of the book, in book order.

    Attributes
    ----------
    rule : str
        The registry name of the rule (see ``rules.RULES``).
    charges : ndarray of float
        Money taken from each account to cover the shortfall; exact multiples of ``unit``. ≥ 0 for every rule
        except ``venue_adl`` at a close price on the counterparty's favourable side of the mark.
    closed : ndarray of float
        Quantity closed per account (base units ≥ 0); zeros for rules that close nothing.
    uncovered : float
        The rest of the shortfall nobody paid (money ≥ 0).
    unit : float
        The minor unit the money is exact in (0.01 = cents).
    shortfall : float
        The shortfall the rule was asked to cover (money ≥ 0, rounded to ``unit``).
    caps : ndarray of float
        Most each account could have been charged under the rule (money; inf where the rule has no cap).
    fees : ndarray of float
        Fees charged to each account on top (money ≥ 0; Bybit's maker fee on ADL); they go to the venue and do not
        cover the shortfall. Zeros otherwise.
    close_prices : ndarray of float
        Price each closed quantity was closed at (quote per base unit); nan where nothing closed.
    external : Mapping[str, float]
        Money drawn from resources outside the accounts (e.g. ``insurance_fund``, ``skin_in_the_game``,
        ``offset``); a negative entry is money handed back (``to_bankrupt`` when closing paid the bankrupt
        account more than its deficit).

    Σ charges + Σ external + uncovered = shortfall exactly in minor units (``balance_minor()`` returns the three).
    """

    rule: str
    charges: np.ndarray
    closed: np.ndarray
    uncovered: float
    unit: float
    shortfall: float = 0.0
    caps: np.ndarray | None = None
    fees: np.ndarray | None = None
    close_prices: np.ndarray | None = None
    external: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self):
        n = len(self.charges)
        object.__setattr__(self, "charges", _frozen(self.charges))
        object.__setattr__(self, "closed", _frozen(self.closed))
        for name, default in (("caps", np.inf), ("fees", 0.0), ("close_prices", np.nan)):
            val = getattr(self, name)
            object.__setattr__(self, name, _frozen(np.full(n, default) if val is None else val))
        object.__setattr__(self, "external", MappingProxyType(dict(self.external)))
        object.__setattr__(self, "uncovered", float(self.uncovered))
        object.__setattr__(self, "unit", float(self.unit))
        object.__setattr__(self, "shortfall", float(self.shortfall))

    @classmethod
    def _trusted(cls, rule: str, charges: np.ndarray, closed: np.ndarray | None, uncovered: float, unit: float,
                 shortfall: float, caps: np.ndarray | None = None, external: Mapping[str, float] | None = None
                 ) -> Allocation:
        """An Allocation from float64 1-D arrays a rule has just made (``rules._result``): they are frozen where
        they are, not copied again (the caller must not keep them); no fees or close prices. ``Allocation(...)``
        copies and converts whatever it is given."""
        out = object.__new__(cls)
        n = len(charges)
        closed = np.zeros(n) if closed is None else closed
        caps = np.full(n, np.inf) if caps is None else caps
        for name, arr in (("charges", charges), ("closed", closed), ("caps", caps), ("fees", np.zeros(n)),
                          ("close_prices", np.full(n, np.nan))):
            arr.setflags(write=False)
            object.__setattr__(out, name, arr)
        for name, val in (("rule", rule), ("uncovered", float(uncovered)), ("unit", float(unit)),
                          ("shortfall", float(shortfall)), ("external", MappingProxyType(dict(external or {})))):
            object.__setattr__(out, name, val)
        return out

    @property
    def covered(self) -> float:
        """Money covered by the accounts and external resources (shortfall − uncovered)."""
        return self.shortfall - self.uncovered

    @property
    def given_up(self) -> np.ndarray:
        """Cash each account gives up in total (money): charge + fee."""
        return self.charges + self.fees

    def balance_minor(self) -> tuple[int, int, int]:
        """(Σ charges + Σ external + uncovered, shortfall, Σ fees) in integer minor units; the first two are equal.

        >>> from socialized_loss.rules import apply_rule, Book
        >>> b = Book([2.0, -1.0], 100.0, [50.0, 100.0], 110.0)
        >>> a = apply_rule("clawback", b, 5.0)
        >>> a.balance_minor()[0] == a.balance_minor()[1]
        True
        """
        s = _scale(self.unit)
        to = lambda x: int(np.rint(np.asarray(x, dtype=float) * s).sum(dtype=np.int64))
        total = to(self.charges) + sum(to(x) for x in self.external.values()) + to(self.uncovered)
        return total, to(self.shortfall), to(self.fees)

"""Private: ``rules.Book`` s built from the plain per-account arrays the older lesson functions take.

The functions of ``socialize``, ``haircuts``, ``backstop`` and ``waterfall`` keep their lesson-facing signatures
(a loss and a list of profits, sizes, deposits or stakes) and call the rule registry (``rules``) for the arithmetic.
These helpers turn their arrays into a ``Book`` whose derived quantities are exactly those arrays: money is first
rounded to the unit (to nearest, ties to even, as ``allocation.to_minor``), so the rules' caps, which round down,
see exact multiples of the unit.
"""
from __future__ import annotations

import numpy as np

from .allocation import _to_minor, from_minor
from .ledger import Book


def on_grid(name: str, x, unit) -> np.ndarray:
    """Money → the nearest multiples of ``unit`` (floats; a ValueError naming ``name`` if too large)."""
    return np.asarray(from_minor(np.atleast_1d(_to_minor(name, x, unit)), unit), dtype=float)


def profit_book(profits) -> Book:
    """A book whose unrealized PnL is ``profits`` exactly: size = profit, entry 1, mark 2, no collateral.

    Accounts with a negative profit have negative equity (not charged by any rule); the others' equity is their
    profit."""
    p = np.asarray(profits, dtype=float)
    return Book(sizes=p, entry_prices=1.0, collateral=0.0, mark_price=2.0)


def cash_book(collateral) -> Book:
    """A book of flat accounts holding ``collateral`` (money per account): equity = collateral, no PnL."""
    c = np.asarray(collateral, dtype=float)
    return Book(sizes=np.zeros(len(c)), entry_prices=1.0, collateral=c, mark_price=1.0)


def position_book(sizes) -> Book:
    """A book of positions ``sizes`` (base units) at their entry price 1, no collateral: equity 0, no PnL."""
    s = np.asarray(sizes, dtype=float)
    return Book(sizes=s, entry_prices=1.0, collateral=0.0, mark_price=1.0)


def minor(x, unit) -> np.ndarray:
    """Money that is already on the unit's grid → int64 minor units."""
    return np.atleast_1d(_to_minor("x", np.asarray(x, dtype=float), unit))

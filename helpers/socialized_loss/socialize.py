"""Pro-rata bases for socializing a loss: clawbacks, contracts-pro-rata, deposit-index and withdrawal haircuts.

The functions here keep lesson 04's plain signatures (a loss and a list of profits, sizes or deposits) and call the
rule registry for the arithmetic (``rules.clawback``, ``rules.contracts_pro_rata``, ``rules.deposit_index_haircut``,
``rules.withdrawal_factor``): each rule is defined once, there. Money is exact in integer minor units (``unit=0.01`` =
USD cents, ``1e-8`` for BTC) with largest-remainder rounding, see ``allocation``.

Venue rules (as documented at time of capture; sources in ``data/venues.toml`` and lesson 04's references):

- Clawback, OKEx futures 2018: only accounts with a net profit for the week pay, "a portion of the profit in equal
  percentage from all profited traders" (https://support.okexcn.com/hc/en-us/articles/115001762991-Terms-of-Contract-Billing-).
  Huobi BitVC 2014 clawed back 46.1 % of weekly profits (https://www.coindesk.com/huobis-bitvc-takes-trader-profit-cover-1-million-loss);
  OKEx's 2018 rate of about 18 % is reported (press, not an OKEx announcement). Rate = uncovered loss ÷ Σ net profit
  of profitable accounts, capped at 100 % (the cap is our reading: nobody can lose more than its profit).
- Contracts-pro-rata, Drift v2: the loss is added to the cumulative funding of longs and taken from shorts, so every
  open position pays Δ = loss ÷ (|long base| + |short base|) per unit of base
  (``calculate_funding_rate_deltas_to_resolve_bankruptcy`` in github.com/drift-labs/protocol-v2; its test: loss 100,
  long 7, short −4 → Δ = 9.0909…). Drift refuses to socialize over zero open interest.
- Deposit-index haircut, Mango v3/v4: the bankrupt borrow "is subtracted proportionally from all depositors of that
  token" (github.com/blockworks-foundation/mango-docs ``mango/socialized-losses.md``); Drift spot does the same by
  lowering the cumulative deposit interest.
- Withdrawal haircut, Paradex: while the insurance fund is short, a Socialized Loss Factor is charged on every
  withdrawal; users who do not withdraw are not affected (https://docs.paradex.trade/risk/socialized-losses.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import rules
from . import validate as v
from ._plain import cash_book, minor, on_grid, position_book, profit_book
from .allocation import _exact_sum, _to_minor, from_minor

__all__ = [
    "Clawback",
    "ContractsProRata",
    "DepositHaircut",
    "WithdrawalHaircut",
    "clawback",
    "contracts_pro_rata",
    "deposit_haircut_charges",
    "deposit_index_haircut",
    "withdrawal_haircut",
]


def _scalar_nonneg(name, value) -> float:
    return v.money(name, value)


@dataclass(frozen=True, eq=False)
class Clawback:
    """Result of ``clawback``: per-account ``charges`` (money), the ``rate`` (fraction of profit, 0..1) and the
    ``uncovered`` rest of the loss (money) when the profits do not cover it."""

    charges: np.ndarray
    rate: float
    uncovered: float


def clawback(loss, profits, unit: float = 0.01) -> Clawback:
    """Claw ``loss`` (money ≥ 0) back from net-profitable accounts in equal percentage of their profit.

    ``profits`` are net PnL per account (money, any sign); only positive ones pay, each at most its profit.
    rate = min(loss ÷ Σ positive profits, 1); uncovered = loss − Σ charges. No profitable account: rate 0 and the
    whole loss is uncovered. Σ charges + uncovered = loss exactly in minor units, at any size.

    >>> r = clawback(30.0, [100.0, 50.0, -20.0])
    >>> r.charges.tolist(), r.rate, r.uncovered
    ([20.0, 10.0, 0.0], 0.2, 0.0)
    """
    L = _scalar_nonneg("loss", loss)
    p = v.vector("profits", profits)
    A = int(_to_minor("loss", L, unit))
    w = on_grid("profits", np.maximum(p, 0.0), unit)
    a = rules.clawback(profit_book(w), L, unit=unit)
    P = _exact_sum(minor(a.caps, unit))
    rate = 0.0 if P == 0 else min(A / P, 1.0)
    return Clawback(np.array(a.charges), float(rate), a.uncovered)


@dataclass(frozen=True, eq=False)
class ContractsProRata:
    """Result of ``contracts_pro_rata``: per-account ``charges`` (money) and ``per_contract`` (money per unit of base)."""

    charges: np.ndarray
    per_contract: float


def contracts_pro_rata(loss, sizes, unit: float = 0.01) -> ContractsProRata:
    """Drift v2: every open position, long and short, pays in proportion to |size| (base units).

    per_contract = loss ÷ Σ|size| (money per base unit, unrounded); charges sum to the loss exactly. A positive loss
    over zero open interest is a ValueError (Drift refuses it).

    >>> contracts_pro_rata(100.0, [7.0, -4.0]).charges.tolist()
    [63.64, 36.36]
    """
    L = _scalar_nonneg("loss", loss)
    s = v.vector("sizes", sizes)
    A = int(_to_minor("loss", L, unit))
    oi = math.fsum(np.abs(s).tolist())
    if A > 0 and oi == 0:
        raise ValueError("sizes must include a non-zero open position: a loss cannot be socialized over zero open "
                         "interest (Drift refuses it too)")
    a = rules.contracts_pro_rata(position_book(s), L, unit=unit)
    if a.uncovered != 0:
        raise RuntimeError("internal: contracts_pro_rata did not place the whole loss")
    per = 0.0 if oi == 0 else float(from_minor(A, unit)) / oi
    return ContractsProRata(np.array(a.charges), per)


def deposit_index_haircut(loss, total_deposits, index=1.0, unit: float = 0.01):
    """New deposit index (dimensionless) after a ``loss`` (money ≥ 0) on ``total_deposits`` (money ≥ 0):
    index × (1 − loss ÷ total_deposits). $100 on $1,000 at index 1.0 → 0.9.

    A loss larger than the deposits is a ValueError (depositors cannot lose more than they deposited; the rest must
    be covered elsewhere), so the index never goes below 0. ``loss`` and ``total_deposits`` are first rounded to
    ``unit`` (default 0.01), as every money amount. Broadcasts over arrays.

    >>> deposit_index_haircut(100.0, 1000.0)
    0.9
    """
    L = v.nonnegative("loss", loss)
    D = v.nonnegative("total_deposits", total_deposits)
    I = v.nonnegative("index", index)
    L, D, I = v.broadcast(loss=L, total_deposits=D, index=I)
    L = _to_minor("loss", L, unit).astype(float)  # whole minor units: the ratio of two exact amounts
    D = _to_minor("total_deposits", D, unit).astype(float)
    if np.any(L > D):
        raise ValueError(f"loss must be ≤ total_deposits (depositors cannot lose more than they hold), got loss "
                         f"{loss!r} over total_deposits {total_deposits!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(D > 0, L / np.where(D > 0, D, 1.0), 0.0)
    return v.scalar_or_array(I * (1.0 - frac))


@dataclass(frozen=True, eq=False)
class DepositHaircut:
    """Result of ``deposit_haircut_charges``: per-depositor ``charges`` and ``balances`` after (money), and the
    index ``factor`` = 1 − loss ÷ Σ deposits."""

    charges: np.ndarray
    balances: np.ndarray
    factor: float


def deposit_haircut_charges(loss, deposits, unit: float = 0.01) -> DepositHaircut:
    """Per-depositor charges of a deposit-index haircut (Mango): pro rata to deposits (money ≥ 0), each at most its
    deposit. loss > Σ deposits is a ValueError, as in ``deposit_index_haircut``. Σ charges = loss exactly.

    >>> r = deposit_haircut_charges(100.0, [600.0, 400.0])
    >>> r.charges.tolist(), r.balances.tolist(), r.factor
    ([60.0, 40.0], [540.0, 360.0], 0.9)
    """
    L = _scalar_nonneg("loss", loss)
    d = v.vector("deposits", v.nonnegative("deposits", deposits))
    A = int(_to_minor("loss", L, unit))
    C = _to_minor("deposits", d, unit)
    total = _exact_sum(C)
    if A > total:
        raise ValueError(f"loss must be ≤ Σ deposits (depositors cannot lose more than they hold), got loss "
                         f"{v.short(loss)} over Σ deposits {total * float(unit):.10g}")
    a = rules.deposit_index_haircut(cash_book(from_minor(C, unit)), L, unit=unit)
    factor = 1.0 if total == 0 else 1.0 - A / total
    return DepositHaircut(np.array(a.charges), np.asarray(from_minor(C - minor(a.charges, unit), unit), dtype=float),
                          float(factor))


@dataclass(frozen=True, eq=False)
class WithdrawalHaircut:
    """Result of ``withdrawal_haircut``: ``received`` by the user and ``charged`` to offset the loss (money)."""

    received: np.ndarray | float
    charged: np.ndarray | float


def withdrawal_haircut(amount, factor, unit: float = 0.01) -> WithdrawalHaircut:
    """Paradex: a withdrawal of ``amount`` (money ≥ 0) during a shortfall is charged ``factor`` (in [0, 1]).

    charged = amount × factor rounded to the unit (ties to even); received = amount − charged, so received +
    charged = amount exactly in minor units. Broadcasts. How Paradex computes the factor itself is not reproduced
    here (our stored copy of https://docs.paradex.trade/risk/socialized-losses.md lost the formula). The rule is
    ``rules.withdrawal_factor`` with ``factor``.

    >>> w = withdrawal_haircut(1000.0, 0.05)
    >>> w.received, w.charged
    (950.0, 50.0)
    """
    a = v.nonnegative("amount", amount)
    f = v.unit_interval("factor", factor)
    a, f = v.broadcast(amount=a, factor=f)
    A = np.atleast_1d(_to_minor("amount", a, unit)).ravel()
    money = np.asarray(from_minor(A, unit), dtype=float)
    alloc = rules.withdrawal_factor(cash_book(money), float(from_minor(_exact_sum(A), unit)), withdrawals=money,
                                    factor=np.ravel(f), unit=unit)
    ch = minor(alloc.charges, unit).reshape(np.shape(a))
    A = A.reshape(np.shape(a))
    return WithdrawalHaircut(v.scalar_or_array(np.asarray(from_minor(A - ch, unit), dtype=float)),
                             v.scalar_or_array(np.asarray(from_minor(ch, unit), dtype=float)))

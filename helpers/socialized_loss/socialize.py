"""Pro-rata bases for socializing a loss: clawbacks, contracts-pro-rata, deposit-index and withdrawal haircuts.

Every rule here is ``allocation.pro_rata`` with a different weight (profit, |contracts|, deposits); money is exact in
integer minor units (``unit=0.01`` = USD cents, ``1e-8`` for BTC) with largest-remainder rounding, see ``allocation``.

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

from dataclasses import dataclass

import numpy as np

from . import validate as v
from .allocation import _pro_rata_int, _to_minor, from_minor

__all__ = [
    "Clawback",
    "ContractsProRata",
    "DepositHaircut",
    "WithdrawalHaircut",
    "clawback",
    "contracts_pro_rata",
    "deposit_haircut_charges",
    "deposit_index_haircut",
    "exchange_bankruptcy_amount",
    "withdrawal_haircut",
]


def _scalar_nonneg(name, value) -> float:
    arr = v.nonnegative(name, value)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number ≥ 0, got {value!r}")
    return float(arr)


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
    whole loss is uncovered. Σ charges + uncovered = loss exactly in minor units.
    """
    L = _scalar_nonneg("loss", loss)
    p = v.vector("profits", profits)
    w = np.maximum(p, 0.0)
    A = int(_to_minor("loss", L, unit))
    C = _to_minor("profits", w, unit)
    P = int(C.sum())
    if P == 0 or A == 0:
        x = np.zeros(len(p), dtype=np.int64)
    else:
        x = _pro_rata_int(A, C.astype(float), C)  # weights = caps = profit: one rate for all
    rest = A - int(x.sum())
    rate = 0.0 if P == 0 else min(A / P, 1.0)
    return Clawback(np.asarray(from_minor(x, unit), dtype=float), float(rate), float(from_minor(rest, unit)))


@dataclass(frozen=True, eq=False)
class ContractsProRata:
    """Result of ``contracts_pro_rata``: per-account ``charges`` (money) and ``per_contract`` (money per unit of base)."""

    charges: np.ndarray
    per_contract: float


def contracts_pro_rata(loss, sizes, unit: float = 0.01) -> ContractsProRata:
    """Drift v2: every open position, long and short, pays in proportion to |size| (base units).

    per_contract = loss ÷ Σ|size| (money per base unit, unrounded); charges sum to the loss exactly. A positive loss
    over zero open interest is a ValueError (Drift refuses it). Loss 100 over sizes (7, −4) → 63.64 and 36.36.
    """
    L = _scalar_nonneg("loss", loss)
    s = np.abs(v.vector("sizes", sizes))
    A = int(_to_minor("loss", L, unit))
    oi = float(s.sum())
    if A > 0 and oi == 0:
        raise ValueError("sizes must include a non-zero open position: a loss cannot be socialized over zero open "
                         "interest (Drift refuses it too)")
    x = _pro_rata_int(A, s, None)
    per = 0.0 if oi == 0 else float(from_minor(A, unit)) / oi
    return ContractsProRata(np.asarray(from_minor(x, unit), dtype=float), per)


def deposit_index_haircut(loss, total_deposits, index=1.0):
    """New deposit index (dimensionless) after a ``loss`` (money ≥ 0) on ``total_deposits`` (money ≥ 0):
    index × (1 − loss ÷ total_deposits). $100 on $1,000 at index 1.0 → 0.9.

    A loss larger than the deposits is a ValueError (depositors cannot lose more than they deposited; the rest must
    be covered elsewhere), so the index never goes below 0. Broadcasts over arrays.
    """
    L = v.nonnegative("loss", loss)
    D = v.nonnegative("total_deposits", total_deposits)
    I = v.nonnegative("index", index)
    L, D, I = v.broadcast(loss=L, total_deposits=D, index=I)
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
    deposit. loss > Σ deposits is a ValueError, as in ``deposit_index_haircut``. Σ charges = loss exactly."""
    L = _scalar_nonneg("loss", loss)
    d = v.vector("deposits", v.nonnegative("deposits", deposits))
    A = int(_to_minor("loss", L, unit))
    C = _to_minor("deposits", d, unit)
    if A > int(C.sum()):
        raise ValueError(f"loss must be ≤ Σ deposits (depositors cannot lose more than they hold), got loss {loss!r}"
                         f" over Σ deposits {float(from_minor(int(C.sum()), unit))}")
    x = _pro_rata_int(A, C.astype(float), C) if A else np.zeros(len(d), dtype=np.int64)
    total = int(C.sum())
    factor = 1.0 if total == 0 else 1.0 - A / total
    return DepositHaircut(np.asarray(from_minor(x, unit), dtype=float),
                          np.asarray(from_minor(C - x, unit), dtype=float), float(factor))


@dataclass(frozen=True, eq=False)
class WithdrawalHaircut:
    """Result of ``withdrawal_haircut``: ``received`` by the user and ``charged`` to offset the loss (money)."""

    received: np.ndarray | float
    charged: np.ndarray | float


def withdrawal_haircut(amount, factor, unit: float = 0.01) -> WithdrawalHaircut:
    """Paradex: a withdrawal of ``amount`` (money ≥ 0) during a shortfall is charged ``factor`` (in [0, 1]).

    charged = amount × factor rounded to the unit (ties to even); received = amount − charged, so received +
    charged = amount exactly in minor units. Broadcasts. How Paradex computes the factor itself is not reproduced
    here (our stored copy of https://docs.paradex.trade/risk/socialized-losses.md lost the formula); see
    ``exchange_bankruptcy_amount`` for the shortfall it offsets.
    """
    a = v.nonnegative("amount", amount)
    f = v.unit_interval("factor", factor)
    a, f = v.broadcast(amount=a, factor=f)
    A = _to_minor("amount", a, unit)
    ch = np.minimum(np.rint(A * f).astype(np.int64), A)
    return WithdrawalHaircut(v.scalar_or_array(np.asarray(from_minor(A - ch, unit), dtype=float)),
                             v.scalar_or_array(np.asarray(from_minor(ch, unit), dtype=float)))


def exchange_bankruptcy_amount(settlement_balances, insurance_fund):
    """Paradex's Exchange Bankruptcy Amount (money): max(0, Σ max(0, −settlement balance) − insurance fund).

    ``settlement_balances``: each account's USDC balance if all positions were closed at mark (money, any sign);
    ``insurance_fund``: the fund's USDC balance (money, any sign). Positive means a socialized-loss factor applies
    to withdrawals (https://docs.paradex.trade/risk/socialized-losses.md).
    """
    b = v.vector("settlement_balances", settlement_balances)
    f = v.finite("insurance_fund", insurance_fund)
    if f.ndim != 0:
        raise ValueError(f"insurance_fund must be a single number, got {insurance_fund!r}")
    return float(max(0.0, float(np.maximum(-b, 0.0).sum()) - float(f)))

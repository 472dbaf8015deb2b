"""Margin maths for one position on a linear (USD-margined) perpetual or future, isolated or cross-margined.

Conventions used across the course:

- ``size`` is in base units (e.g. BTC): positive for a long, negative for a short.
- Prices are in quote currency per base unit (e.g. USD per BTC); money is in quote currency (USD).
- Isolated margin: the position's ``collateral`` (≥ 0) is all it can lose; nothing else in the account backs it.
- Cross margin: one account's collateral backs all its positions, so what backs this one is the account's balance
  net of its other positions' PnL, and that **may be negative** (an account already underwater). Every function
  here takes ``collateral`` of any sign; a negative one gives an already-bankrupt position whose bankruptcy price
  lies beyond the current price, as in dYdX v4 (``cross_bankruptcy_price``).

Every function broadcasts over numpy arrays and returns a float for scalar input.

Sources: the linear formulas are the standard ones venues document, e.g. Bybit's USDT-contract bankruptcy price
``entry × (1 − IMR)`` for a long (https://help.bybit.com/hc/en-us/articles/900000031623-What-is-Auto-Deleveraging-ADL-) and
BitMEX's effective leverage ``|mark value| ÷ (mark value − bankrupt value)``
(https://www.bitmex.com/app/autoDeleveraging). The cross-margin bankruptcy price follows dYdX v4's
``GetBankruptcyPriceInQuoteQuantums`` (``protocol/x/clob/keeper/liquidations.go`` in github.com/dydxprotocol/v4-chain):
closing a delta of the position is worth −DNNV − TNC × |DMMR| ÷ TMMR quote units, where TNC is the account's total
net collateral (negative when underwater) and |DMMR| ÷ TMMR the position's share of the maintenance margin. The inverse-contract formula ``entry × L/(L+1)`` is Bybit's worked
example (https://help.bybit.com/hc/en-us/articles/900000031623-What-is-Auto-Deleveraging-ADL-).
"""
from __future__ import annotations

import numpy as np

from . import validate as v

__all__ = [
    "bankruptcy_price",
    "bankruptcy_price_from_leverage",
    "cross_bankruptcy_price",
    "effective_leverage",
    "equity",
    "initial_margin",
    "inverse_bankruptcy_price",
    "is_liquidatable",
    "liquidation_price",
    "maintenance_margin",
    "margin_ratio",
    "tiered_maintenance_margin",
]


def equity(collateral, size, entry_price, price):
    """Equity (USD) of a position at ``price``: collateral + size × (price − entry_price).

    ``collateral`` (USD, any sign: ≥ 0 for an isolated position; a cross-margined account's balance may be negative),
    ``size`` any sign (base units), prices > 0 (USD per base unit). Negative equity is bad debt.

    >>> equity(100.0, 2.0, 1000.0, 950.0), equity(-20.0, 2.0, 1000.0, 1000.0)
    (0.0, -20.0)
    """
    c = v.finite("collateral", collateral)
    s = v.finite("size", size)
    e = v.positive("entry_price", entry_price)
    p = v.positive("price", price)
    c, s, e, p = v.broadcast(collateral=c, size=s, entry_price=e, price=p)
    return v.scalar_or_array(c + s * (p - e))


def initial_margin(size, price, imr):
    """Initial margin (USD) = imr × |size| × price, with ``imr`` = 1 / leverage in (0, 1)."""
    s = v.finite("size", size)
    p = v.positive("price", price)
    r = v.open_unit("imr", imr)
    s, p, r = v.broadcast(size=s, price=p, imr=r)
    return v.scalar_or_array(r * np.abs(s) * p)


def maintenance_margin(size, price, mmr):
    """Maintenance margin (USD) = mmr × |size| × price, with ``mmr`` in (0, 1)."""
    s = v.finite("size", size)
    p = v.positive("price", price)
    r = v.open_unit("mmr", mmr)
    s, p, r = v.broadcast(size=s, price=p, mmr=r)
    return v.scalar_or_array(r * np.abs(s) * p)


def liquidation_price(collateral, size, entry_price, mmr):
    """Price (USD per base unit) at which equity equals maintenance margin.

    Solving c + s(p − e) = mmr·|s|·p gives p = (e − c/s) / (1 − mmr·sign(s)).
    A long whose collateral covers its whole notional can never be liquidated: the result is then 0.
    ``size`` must be non-zero; ``collateral`` (USD) may be negative (cross margin, account already underwater: the
    liquidation price then lies beyond the entry price).

    >>> round(liquidation_price(100.0, 1.0, 1000.0, 0.05), 4)
    947.3684
    """
    c = v.finite("collateral", collateral)
    s = v.nonzero("size", size)
    e = v.positive("entry_price", entry_price)
    r = v.open_unit("mmr", mmr)
    c, s, e, r = v.broadcast(collateral=c, size=s, entry_price=e, mmr=r)
    p = (e - c / s) / (1.0 - r * np.sign(s))
    return v.scalar_or_array(np.maximum(p, 0.0))


def bankruptcy_price(collateral, size, entry_price):
    """Price (USD per base unit) at which equity is zero: p = e − c/s.

    Above it a short is bankrupt; below it a long is. A long whose collateral covers its whole notional has no
    bankruptcy price above zero: the result is then 0. ``size`` must be non-zero. ``collateral`` (USD) may be
    negative: a cross-margined account already underwater has a bankruptcy price *beyond* its entry (above it for a
    long, below it for a short), so closing there costs the insurance fund the difference.

    >>> bankruptcy_price(100.0, 1.0, 1000.0), bankruptcy_price(100.0, -1.0, 1000.0)
    (900.0, 1100.0)
    >>> bankruptcy_price(-50.0, 1.0, 1000.0)  # already underwater by 50 USD at entry
    1050.0
    """
    c = v.finite("collateral", collateral)
    s = v.nonzero("size", size)
    e = v.positive("entry_price", entry_price)
    c, s, e = v.broadcast(collateral=c, size=s, entry_price=e)
    return v.scalar_or_array(np.maximum(e - c / s, 0.0))


def cross_bankruptcy_price(net_collateral, size, price, margin_share=1.0):
    """dYdX v4 bankruptcy price (USD per base unit) of a cross-margined position: closing it at this price leaves the
    account's equity exactly at zero for the share of collateral that backs it.

    p = price − net_collateral × margin_share ÷ size, the per-unit form of dYdX v4's
    ``GetBankruptcyPriceInQuoteQuantums`` (−DNNV − TNC × |DMMR| ÷ TMMR) for closing the whole position.
    ``net_collateral``: the account's total net collateral TNC at ``price`` (USD, any sign: balance plus every
    position's unrealized PnL); ``size`` ≠ 0 (base units, + long, − short); ``price`` > 0: the oracle price (USD per
    base unit); ``margin_share`` in [0, 1]: the position's share |DMMR| ÷ TMMR of the account's maintenance margin
    (1 for a single-position account). Negative TNC (underwater) puts the price beyond ``price``: above it for a
    long, below it for a short; the gap × |size| is what the insurance fund pays.

    >>> cross_bankruptcy_price(100.0, 10.0, 50.0)   # solvent long: bankrupt 10 USD below the oracle price
    40.0
    >>> cross_bankruptcy_price(-50.0, 10.0, 50.0)   # underwater by 50 USD: 5 USD above it
    55.0
    >>> cross_bankruptcy_price(-50.0, -10.0, 50.0)  # an underwater short: below the oracle price
    45.0
    """
    tnc = v.finite("net_collateral", net_collateral)
    s = v.nonzero("size", size)
    p = v.positive("price", price)
    share = v.unit_interval("margin_share", margin_share)
    tnc, s, p, share = v.broadcast(net_collateral=tnc, size=s, price=p, margin_share=share)
    return v.scalar_or_array(p - tnc * share / s)


def tiered_maintenance_margin(notional, tiers):
    """Maintenance margin (USD) of a position whose rate rises with its size, tier by tier.

    ``notional``: the position's value |size × price| (USD, ≥ 0). ``tiers``: rows ``(lower_bound, mmr)``, the first
    bound 0, bounds (USD) strictly rising, rates in (0, 1) never falling. Each slice of notional pays its own tier's
    rate, like income tax. This equals the form venues print, notional × (rate of the top tier reached) − a
    "maintenance margin deduction" that keeps the requirement continuous at every bound.

    >>> tiers = [(0, 0.005), (1_000_000, 0.01)]
    >>> tiered_maintenance_margin(500_000, tiers)     # all in the first tier: 0.5 %
    2500.0
    >>> tiered_maintenance_margin(2_000_000, tiers)   # 1M at 0.5 % + 1M at 1 % = 2M × 1 % − 5,000 deduction
    15000.0
    """
    n = v.nonnegative("notional", notional)
    rows = v.as_array("tiers", tiers)
    if rows.ndim != 2 or rows.shape[1] != 2 or rows.shape[0] < 1:
        raise ValueError(f"tiers must be rows (lower_bound, mmr), at least one; got {v.short(tiers)}")
    bounds, rates = rows[:, 0], rows[:, 1]
    if bounds[0] != 0 or np.any(np.diff(bounds) <= 0):
        raise ValueError(f"tiers must start at lower_bound 0 with bounds strictly rising; got {v.short(tiers)}")
    if np.any((rates <= 0) | (rates >= 1)) or np.any(np.diff(rates) < 0):
        raise ValueError(f"tiers' mmr must be in (0, 1) and never fall from tier to tier; got {v.short(tiers)}")
    upper = np.append(bounds[1:], np.inf)
    slices = np.clip(n[..., None] - bounds, 0.0, upper - bounds)
    return v.scalar_or_array(np.sum(slices * rates, axis=-1))


def effective_leverage(collateral, size, entry_price, price):
    """Effective leverage (×) = |size × price| ÷ equity at ``price``; ``inf`` once equity ≤ 0.

    This is BitMEX's |mark value| ÷ (mark value − bankrupt value) for a linear contract.
    """
    eq = np.asarray(equity(collateral, size, entry_price, price), dtype=float)
    s, p = v.broadcast(size=v.finite("size", size), price=v.positive("price", price))
    notional = np.abs(s * p)
    with np.errstate(divide="ignore", invalid="ignore"):
        lev = np.where(eq > 0, notional / np.where(eq > 0, eq, 1.0), np.inf)
    return v.scalar_or_array(lev)


def margin_ratio(collateral, size, entry_price, price, mmr):
    """Maintenance margin ÷ equity (dimensionless); ≥ 1 means the position is liquidatable; ``inf`` once equity ≤ 0."""
    eq = np.asarray(equity(collateral, size, entry_price, price), dtype=float)
    mm = np.asarray(maintenance_margin(size, price, mmr), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(eq > 0, mm / np.where(eq > 0, eq, 1.0), np.inf)
    return v.scalar_or_array(ratio)


def is_liquidatable(collateral, size, entry_price, price, mmr):
    """True where equity < maintenance margin (a zero-size position never is)."""
    eq = np.asarray(equity(collateral, size, entry_price, price), dtype=float)
    mm = np.asarray(maintenance_margin(size, price, mmr), dtype=float)
    s = np.broadcast_to(np.asarray(size, dtype=float), np.broadcast(eq, mm).shape)
    out = (eq < mm) & (s != 0)
    return bool(out) if out.ndim == 0 else out


def bankruptcy_price_from_leverage(entry_price, leverage, side="long"):
    """Bankruptcy price (USD per base unit) of a linear position opened at ``leverage`` (× ≥ 1) with no fees.

    Long: entry × (1 − 1/L); short: entry × (1 + 1/L). Bybit documents the long case for USDT contracts as
    entry × (1 − IMR).
    """
    e = v.positive("entry_price", entry_price)
    L = v.as_array("leverage", leverage)
    if np.any(L < 1):
        raise ValueError(f"leverage must be ≥ 1, got {leverage!r}")
    v.choice("side", side, ("long", "short"))
    e, L = v.broadcast(entry_price=e, leverage=L)
    out = e * (1 - 1 / L) if side == "long" else e * (1 + 1 / L)
    return v.scalar_or_array(out)


def inverse_bankruptcy_price(entry_price, leverage, side="long"):
    """Bankruptcy price (USD per BTC) of an inverse (coin-margined) contract opened at ``leverage`` (× ≥ 1).

    Long: entry × L/(L+1); short: entry × L/(L−1) (no bankruptcy price for a 1× short: ``inf``).
    Bybit's example: long at 7,890.08 with 50× gives 7,735.37.
    """
    e = v.positive("entry_price", entry_price)
    L = v.as_array("leverage", leverage)
    if np.any(L < 1):
        raise ValueError(f"leverage must be ≥ 1, got {leverage!r}")
    v.choice("side", side, ("long", "short"))
    e, L = v.broadcast(entry_price=e, leverage=L)
    if side == "long":
        out = e * L / (L + 1)
    else:
        with np.errstate(divide="ignore"):
            out = np.where(L > 1, e * L / np.where(L > 1, L - 1, 1.0), np.inf)
    return v.scalar_or_array(out)

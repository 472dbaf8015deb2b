"""Vaults, stakers and pools as the backstop: share accounting with a withdrawal cooldown, Hyperliquid's liquidator
vault takeover, Aave Umbrella slashing, and GMX's pool-as-counterparty ADL trigger.

Venue rules (as documented at time of capture; sources in ``data/venues.toml`` and lesson 06's references):

- Vault shares: depositors own ``shares``; share price = assets ÷ shares; gains and losses move the price, so they
  land on depositors in proportion to their shares (Drift insurance-fund stakers: a staker's share is staked ÷ total
  IF, https://docs.drift.trade/about-v2/revenue-pool).
- Cooldown: Drift unstaking takes 13 days (https://www.drift.trade/learn/introduction-to-insurance-fund-staking);
  Aave Umbrella has a 20-day cooldown plus a 2-day window, and funds stay slashable during the cooldown
  (https://aave.com/docs/aave-v3/umbrella). Here requested shares stay in the vault, exposed to losses, until
  claimed at t ≥ request time + cooldown.
- Hyperliquid: if equity falls below 2/3 of maintenance margin, a backstop liquidation transfers the position and the
  remaining margin to the liquidator vault, and "the maintenance margin is not returned"
  (https://hyperliquid.gitbook.io/hyperliquid-docs/trading/liquidations).
- Aave Umbrella: a DAO-funded ``deficitOffset`` is the first loss; slashing starts only when a deficit exceeds it,
  then staked assets are burned to cover the bad debt (https://aave.com/docs/aave-v3/umbrella;
  https://governance.aave.com/t/llamarisk-insights-umbrella-coverage-principles-and-slashing-logic/23527). Pro rata
  to stakes is our reading: burning staked tokens lowers every staker's claim in proportion to its stake.
- GMX (reported; GMX's own docs were not retrieved): the pool is the counterparty, "if users make profits from
  trading, GLP holders incur losses" (https://bitkubexchange.freshdesk.com/en/support/solutions/articles/151000171486-highlights-of-gmx;
  https://www.gate.com/learn/articles/how-gmx-gm-pool-works); ADL is enabled when pending trader PnL ÷ pool value
  exceeds a threshold (strictly greater triggers).

Money is exact in integer minor units of the vault's ``unit`` (default 0.01): deposits, gains, losses and
withdrawals are rounded to the unit (ties to even), so assets = deposits + PnL − withdrawals exactly, and
``balances`` splits the assets over the shares by largest remainder so the claims sum to the assets exactly. Shares
and the share price are not money and stay unrounded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from . import rules
from . import validate as v
from ._plain import cash_book
from .allocation import _to_minor, from_minor, pro_rata

__all__ = [
    "DRIFT_UNSTAKE_DAYS",
    "UMBRELLA_COOLDOWN_DAYS",
    "Takeover",
    "UmbrellaSlash",
    "Vault",
    "apply_pnl",
    "balances",
    "deposit",
    "gmx_adl_triggered",
    "liquidator_vault_takeover",
    "new_vault",
    "request_withdrawal",
    "share_price",
    "umbrella_slash",
    "withdraw",
]

DRIFT_UNSTAKE_DAYS = 13.0
UMBRELLA_COOLDOWN_DAYS = 20.0


@dataclass(frozen=True, eq=False)
class Vault:
    """A share-accounted vault. ``assets`` (money ≥ 0, a multiple of ``unit``), ``shares`` per depositor (≥ 0),
    ``requested`` shares per depositor waiting out the cooldown, ``requested_at`` (time of the request, nan if none),
    ``cooldown`` (time units, e.g. days), ``bad_debt`` (losses beyond the assets, money), ``unit`` (the minor unit of
    money, 0.01 = cents). Immutable: the arrays are read-only copies; the functions return new vaults."""

    assets: float
    shares: np.ndarray
    requested: np.ndarray
    requested_at: np.ndarray
    cooldown: float = 0.0
    bad_debt: float = 0.0
    unit: float = 0.01

    def __post_init__(self):
        _to_minor("unit", 0.0, self.unit)  # a valid unit
        object.__setattr__(self, "unit", float(self.unit))
        assets = v.money("assets", self.assets)
        object.__setattr__(self, "assets", float(from_minor(int(_to_minor("assets", assets, self.unit)), self.unit)))
        sh = v.vector("shares", v.nonnegative("shares", self.shares))
        req = v.vector("requested", v.nonnegative("requested", self.requested))
        at = np.array(self.requested_at, dtype=float, copy=True)  # nan where no request
        if at.ndim != 1 or np.any(np.isinf(at)):
            raise ValueError(f"requested_at must be one-dimensional times (nan where none), got {v.short(at)}")
        v.same_length(shares=sh, requested=req, requested_at=at)
        for name, arr in (("shares", sh), ("requested", req), ("requested_at", at)):
            object.__setattr__(self, name, v.frozen(arr))
        object.__setattr__(self, "cooldown", v.money("cooldown", self.cooldown, "a single number ≥ 0 (time)"))
        bad = v.money("bad_debt", self.bad_debt)
        object.__setattr__(self, "bad_debt", float(from_minor(int(_to_minor("bad_debt", bad, self.unit)), self.unit)))


def _vault(vault) -> Vault:
    return v.instance("vault", vault, Vault)


def _m(vault: Vault, name: str, x) -> int:
    """A money amount of the vault's currency → its minor units."""
    return int(_to_minor(name, x, vault.unit))


def new_vault(n_depositors: int, cooldown: float = 0.0, unit: float = 0.01) -> Vault:
    """An empty vault for ``n_depositors`` with a withdrawal ``cooldown`` (time units ≥ 0, e.g. 13 days for Drift);
    money in minor units of ``unit`` (0.01 = cents).

    >>> vt = deposit(new_vault(2), 0, 100.0)
    >>> share_price(vt), balances(apply_pnl(vt, -10.0)).tolist()
    (1.0, [90.0, 0.0])
    """
    n = v.integer("n_depositors", n_depositors, 0)
    cd = v.money("cooldown", cooldown, "a single number ≥ 0 (time units)")
    return Vault(0.0, np.zeros(n), np.zeros(n), np.full(n, np.nan), cd, 0.0, unit)


def share_price(vault: Vault) -> float:
    """Assets per share (money per share, unrounded); 1.0 for a vault with no shares."""
    vault = _vault(vault)
    total = math.fsum(vault.shares.tolist())
    return 1.0 if total == 0 else vault.assets / total


def balances(vault: Vault) -> np.ndarray:
    """Each depositor's claim (money) = shares × share price, rounded to the unit by largest remainder so the claims
    sum to the assets exactly."""
    vault = _vault(vault)
    return pro_rata(vault.assets, vault.shares, unit=vault.unit)  # a split of the assets by ownership, not a loss rule


def _depositor(vault: Vault, depositor) -> int:
    return v.integer("depositor", depositor, 0, len(vault.shares) - 1)


def deposit(vault: Vault, depositor: int, amount) -> Vault:
    """Add ``amount`` (money ≥ 0, rounded to the vault's unit) for ``depositor``; new shares = amount ÷ share price
    (1:1 into an empty vault). A vault whose assets were wiped out while shares remain cannot take deposits
    (ValueError)."""
    vault = _vault(vault)
    i = _depositor(vault, depositor)
    a = _m(vault, "amount", v.money("amount", amount))
    total = math.fsum(vault.shares.tolist())
    if total > 0 and vault.assets <= 0:
        raise ValueError("vault has shares but no assets (wiped out): amount cannot be priced into shares")
    amount_f = float(from_minor(a, vault.unit))
    minted = amount_f if total == 0 else amount_f * total / vault.assets
    shares = vault.shares.copy()
    shares[i] += minted
    assets = float(from_minor(_m(vault, "assets", vault.assets) + a, vault.unit))
    return replace(vault, assets=assets, shares=shares)


def request_withdrawal(vault: Vault, depositor: int, shares, t) -> Vault:
    """Start the cooldown for ``shares`` (≥ 0, at most the depositor's) at time ``t``; claimable at t + cooldown.
    The shares stay in the vault (exposed to gains and losses) until withdrawn. A new request replaces the old one."""
    vault = _vault(vault)
    i = _depositor(vault, depositor)
    s = v.money("shares", shares, "a single number ≥ 0 (shares)")
    if s > vault.shares[i] * (1 + 1e-12):
        raise ValueError(f"shares must be ≤ the depositor's {vault.shares[i]}, got {shares!r}")
    tt = v.number("t", t, "a single time")
    req, at = vault.requested.copy(), vault.requested_at.copy()
    req[i], at[i] = min(s, vault.shares[i]), tt
    return replace(vault, requested=req, requested_at=at)


def withdraw(vault: Vault, depositor: int, shares, t=0.0) -> tuple[Vault, float]:
    """Redeem ``shares`` for money at the current share price; returns (new vault, amount paid).

    The amount paid is shares × share price rounded to the vault's unit (ties to even), never more than the assets;
    the last shares out take whatever is left. With a cooldown > 0 the shares must have been requested and t ≥
    request time + cooldown (ValueError otherwise).
    """
    vault = _vault(vault)
    i = _depositor(vault, depositor)
    s = v.money("shares", shares, "a single number ≥ 0 (shares)")
    tt = v.number("t", t, "a single time")
    if s > vault.shares[i] * (1 + 1e-12):
        raise ValueError(f"shares must be ≤ the depositor's {vault.shares[i]}, got {shares!r}")
    s = min(s, float(vault.shares[i]))
    req, at = vault.requested.copy(), vault.requested_at.copy()
    if vault.cooldown > 0:
        if np.isnan(at[i]) or s > req[i] * (1 + 1e-12):
            raise ValueError(f"shares must first be requested with request_withdrawal (requested {req[i]}), "
                             f"got {shares!r}")
        if tt < at[i] + vault.cooldown:
            raise ValueError(f"t must be ≥ request time + cooldown = {at[i] + vault.cooldown}, got {t!r}")
        req[i] = max(req[i] - s, 0.0)
        if req[i] == 0:
            at[i] = np.nan
    A = _m(vault, "assets", vault.assets)
    total = math.fsum(vault.shares.tolist())
    paid_m = 0 if total == 0 else min(A, int(np.rint(A * (s / total))))
    sh = vault.shares.copy()
    sh[i] -= s
    if math.fsum(sh.tolist()) == 0:
        paid_m = A  # the last share takes the dust
    paid = float(from_minor(paid_m, vault.unit))
    assets = float(from_minor(A - paid_m, vault.unit))
    return replace(vault, assets=assets, shares=sh, requested=req, requested_at=at), paid


def apply_pnl(vault: Vault, pnl) -> Vault:
    """Book a gain (pnl > 0) or loss (pnl < 0) in money: every share moves by pnl ÷ shares, so depositors gain or lose
    in proportion to their shares, including those in cooldown. A loss beyond the assets leaves them at 0 and the
    excess is added to ``bad_debt``. A vault without shares has nobody to book a gain to (ValueError); a loss on
    it is all bad debt. ``pnl`` is rounded to the vault's unit."""
    vault = _vault(vault)
    p = _m(vault, "pnl", v.money("pnl", pnl, "a single number (money, any sign)", allow_negative=True))
    if math.fsum(vault.shares.tolist()) == 0 and p > 0:
        raise ValueError(f"pnl must be ≤ 0 for a vault with no shares (nobody owns a gain), got {v.short(pnl)}")
    assets = _m(vault, "assets", vault.assets) + p
    bad = _m(vault, "bad_debt", vault.bad_debt)
    if assets < 0:
        bad, assets = bad - assets, 0
    return replace(vault, assets=float(from_minor(assets, vault.unit)), bad_debt=float(from_minor(bad, vault.unit)))


@dataclass(frozen=True, eq=False)
class Takeover:
    """Result of ``liquidator_vault_takeover`` (arrays or scalars): ``triggered``, the ``position`` (base units) and
    ``margin`` (money) transferred to the vault (0 where not triggered)."""

    triggered: np.ndarray | bool
    position: np.ndarray | float
    margin: np.ndarray | float


def liquidator_vault_takeover(equity, maintenance_margin, size=0.0, unit: float = 0.01) -> Takeover:
    """Hyperliquid backstop liquidation: triggered where equity < 2/3 × maintenance margin (money, compared exactly
    in minor units of ``unit``: 3 × equity < 2 × maintenance margin); the vault then takes the position (``size``,
    base units) and the remaining margin max(equity, 0) (money, rounded to ``unit``). Broadcasts.

    >>> t = liquidator_vault_takeover([50.0, 70.0], 90.0, size=[1.0, 2.0])
    >>> t.triggered.tolist(), t.position.tolist(), t.margin.tolist()
    ([True, False], [1.0, 0.0], [50.0, 0.0])
    """
    e = v.finite("equity", equity)
    mm = v.nonnegative("maintenance_margin", maintenance_margin)
    s = v.finite("size", size)
    e, mm, s = v.broadcast(equity=e, maintenance_margin=mm, size=s)
    E, M = _to_minor("equity", e, unit), _to_minor("maintenance_margin", mm, unit)
    trig = 3 * E < 2 * M
    pos = np.where(trig, s, 0.0)
    margin = np.where(trig, np.asarray(from_minor(np.maximum(E, 0), unit), dtype=float), 0.0)
    t = bool(trig) if trig.ndim == 0 else trig
    return Takeover(t, v.scalar_or_array(pos), v.scalar_or_array(margin))


@dataclass(frozen=True, eq=False)
class UmbrellaSlash:
    """Result of ``umbrella_slash``: ``offset_used`` (money), ``slashed`` per staker (money), ``uncovered`` rest."""

    offset_used: float
    slashed: np.ndarray
    uncovered: float


def umbrella_slash(deficit, offset, stakes, unit: float = 0.01) -> UmbrellaSlash:
    """Aave Umbrella: the DAO-funded ``offset`` (money ≥ 0) absorbs the first loss of ``deficit`` (money ≥ 0); only
    the excess slashes stakers, pro rata to ``stakes`` (money ≥ 0), each at most its stake; what is left is
    ``uncovered``. offset_used + Σ slashed + uncovered = deficit exactly in minor units. The rule is
    ``rules.staker_backstop``.

    >>> r = umbrella_slash(140_000.0, 100_000.0, [1e6, 3e6])
    >>> r.offset_used, r.slashed.tolist(), r.uncovered
    (100000.0, [10000.0, 30000.0], 0.0)
    """
    d = v.money("deficit", deficit)
    o = v.money("offset", offset)
    st = v.vector("stakes", v.nonnegative("stakes", stakes))
    _to_minor("deficit", d, unit)
    _to_minor("offset", o, unit)
    S = np.atleast_1d(_to_minor("stakes", st, unit))
    a = rules.staker_backstop(cash_book(np.zeros(len(st))), d, stakes=np.asarray(from_minor(S, unit), dtype=float),
                              offset=o, max_slash=1.0, unit=unit)
    return UmbrellaSlash(a.external["offset"], np.array(a.charges), a.uncovered)


def gmx_adl_triggered(pending_pnl, pool_value, threshold):
    """GMX-style trigger (reported): True where traders' pending PnL ÷ pool value is strictly greater than
    ``threshold`` (a fraction ≥ 0); equal does not trigger. Traders' profits are the pool's (LPs') losses.
    ``pending_pnl`` money (any sign), ``pool_value`` money > 0. Broadcasts."""
    p = v.finite("pending_pnl", pending_pnl)
    pv = v.positive("pool_value", pool_value)
    th = v.nonnegative("threshold", threshold)
    p, pv, th = v.broadcast(pending_pnl=p, pool_value=pv, threshold=th)
    out = p > th * pv  # compare without dividing, so equality is exact
    return bool(out) if out.ndim == 0 else out

"""Market simulation and Monte Carlo: traders, price paths, liquidations, the insurance fund and socialization.

A TEACHING model of one perpetual market with isolated-margin traders. Per step and per path:

1. mark = exogenous price × (1 + d), d the price dislocation left by earlier forced flow (d < 0 after net selling);
   the book refills between steps: d ← d × (1 − ``resilience``);
2. every open position whose mark is beyond its liquidation price (equity < maintenance margin, see
   :func:`socialized_loss.margin.liquidation_price`) is closed; their net forced flow moves the price by
   :func:`socialized_loss.liquidation.price_impact`, they all fill at the new price, which can liquidate the next
   ones (cascade rounds, until quiet or ``max_rounds``);
3. each fill follows dYdX v4's rule (:func:`socialized_loss.liquidation.insurance_fund_delta`): a fee up to
   ``max_fee_rate`` × notional to the fund out of what is left, a shortfall (bad debt) below zero equity;
4. the insurance fund follows the law of motion IF(t+1) = IF(t) + fee inflow + liquidation fees − min(IF(t), D(t))
   (Chitra, arXiv:2512.01112 v3, https://arxiv.org/abs/2512.01112v3);
5. what the fund did not pay is socialized by ``mechanism``, one of the engine's registry rules
   (:mod:`socialized_loss.rules`, applied to the path's open accounts marked at the fill price; the names are the
   course's one vocabulary, :data:`MECHANISMS`): ``"none"`` (left uncovered), ``"clawback"`` (profitable accounts
   pay one rate on their unrealised profit, at most all of it: the OKEx 2018 rule), ``"contracts_pro_rata"`` (every
   open position, long or short, pays the same per contract, with no cap: Drift v2; an account charged past its
   equity is liquidated at the next step), ``"pnl_haircut_queue"`` (the ADL paper's PnL-haircut abstraction, not any
   venue's contract-space ADL: winners ranked by BitMEX's score PnL % × effective leverage give up their whole
   profit in rank order; positions stay open); also (:data:`EXTRA_MECHANISMS`) ``"clawback_uncapped"`` (pro rata to
   profit, past 100 % if need be), ``"deposit_index_haircut"`` (every depositor loses the same share of its
   collateral, Mango v4) and ``"venue_adl"`` (a venue's contract-space ADL, its row of ``data/venues.toml`` chosen
   by ``venue``, default :data:`DEFAULT_VENUE` = BitMEX: the bankrupt quantity the fund did not absorb is closed
   against the venue's ranked opposite positions at its bankruptcy price; a position closed in part shrinks, the
   PnL of the closed part is realised at the mark into its collateral and the gap to the close price is its
   charge; see :func:`_socialize_path`). Sources: the rules' docstrings. The old name ``"adl"`` still works and
   means ``"pnl_haircut_queue"`` (deprecated).

Money ledgers are integers in minor units of ``unit`` (int64; ``unit=0.01``: cents; banker's rounding of each fill's
PnL and fee; the rules round as documented in :mod:`socialized_loss.rules`), so per path: Σ bad debt = Σ fund paid +
Σ socialized + Σ uncovered exactly, and fund(T) = fund(0) + Σ inflows − Σ paid exactly.

Two engines give identical results on the same inputs: :func:`simulate_reference` (a plain loop over paths, steps,
traders: read it to see the model) and :func:`simulate` (numpy, event-driven: each path runs on its own clock, a quiet
stretch of steps costs one cumulative product of the decaying dislocation, a cascade round looks up the positions
sorted by liquidation price; it loops over cascade rounds, and over the few paths that must socialize a residual).
Paths are independent, so :func:`simulate` runs them in chunks (``chunk_paths``) to bound its working memory: the
results do not depend on the chunk size.
All random numbers are drawn up front (population, then price paths) from one Generator. Only +, −, ×, ÷, √ and
comparisons act on the simulated state, in the same order in both engines, all correctly rounded in IEEE arithmetic,
so Python floats and numpy float64 agree bit for bit.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import allocation, rules, venues
from . import validate as v
from .liquidation import IMPACT_MODELS, _impact
from .venue_adl import adl_order

__all__ = [
    "DEFAULT_VENUE",
    "DEPRECATED_MECHANISMS",
    "EXTRA_MECHANISMS",
    "MECHANISMS",
    "MonteCarloSummary",
    "SimResult",
    "TraderPopulation",
    "crash_replay",
    "gbm_jump_paths",
    "make_population",
    "monte_carlo",
    "simulate",
    "simulate_reference",
]

#: The socialization rules the simulator runs: the registry's names (``"none"``: nothing is socialized).
MECHANISMS = ("none", "clawback", "contracts_pro_rata", "pnl_haircut_queue")
#: Further registry rules the simulator runs (with their default parameters), not in lesson 10's comparison.
EXTRA_MECHANISMS = ("clawback_uncapped", "deposit_index_haircut", "venue_adl")
#: The venue whose rulebook row (``data/venues.toml``) ``"venue_adl"`` follows unless ``venue=`` says otherwise.
DEFAULT_VENUE = "bitmex"
#: Old names still accepted, and the registry name each one means.
DEPRECATED_MECHANISMS = {"adl": "pnl_haircut_queue"}


# ----------------------------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class TraderPopulation:
    """Traders' isolated positions: ``side`` (+1 long, −1 short), ``size`` (base units, ±, multiples of ``lot``),
    ``leverage`` (× at entry), ``collateral`` (USD, whole minor units of the simulation's ``unit``), ``entry`` (USD
    per base unit)."""

    side: np.ndarray
    size: np.ndarray
    leverage: np.ndarray
    collateral: np.ndarray
    entry: np.ndarray
    lot: float = 0.001

    def __post_init__(self):
        arrs = {k: v.vector(k, getattr(self, k)) for k in ("side", "size", "leverage", "collateral", "entry")}
        v.same_length(**arrs)
        if np.any(np.abs(arrs["side"]) != 1):
            raise ValueError("side must be +1 (long) or −1 (short) for every trader")
        v.nonzero("size", arrs["size"])
        if np.any(np.sign(arrs["size"]) != arrs["side"]):
            raise ValueError("size must have the sign of side (+ long, − short)")
        v.nonnegative("collateral", arrs["collateral"])
        v.positive("entry", arrs["entry"])
        for k, a in arrs.items():
            object.__setattr__(self, k, a)

    def __len__(self) -> int:
        return self.size.size


def make_population(
    n_traders: int = 1000,
    seed=0,
    *,
    s0: float = 100.0,
    long_share: float = 0.6,
    max_leverage: float = 50.0,
    notional_median: float = 10_000.0,
    notional_sigma: float = 1.0,
    entry_sd: float = 0.01,
    lot: float = 0.001,
    unit: float = 0.01,
) -> TraderPopulation:
    """Draw ``n_traders`` traders from stated distributions (``seed``: int or Generator).

    side: long with probability ``long_share``; leverage: log-uniform on [1, ``max_leverage``]; notional (USD):
    lognormal, median ``notional_median``, log-sd ``notional_sigma``; entry: ``s0`` × exp(N(0, ``entry_sd``)) (they
    entered at slightly different prices); size = notional ÷ entry rounded to ``lot`` (at least one lot);
    collateral = |size| × entry ÷ leverage rounded to ``unit`` (USD; 0.01: the cent).

    >>> pop = make_population(3, seed=0)
    >>> len(pop), pop.lot, bool((pop.collateral > 0).all())
    (3, 0.001, True)
    """
    n = v.integer("n_traders", n_traders, 1)
    g = v.rng(seed)
    s0 = float(v.positive("s0", s0))
    ls = float(v.unit_interval("long_share", long_share))
    lmax = float(v.as_array("max_leverage", max_leverage))
    if lmax < 1:
        raise ValueError(f"max_leverage must be ≥ 1, got {max_leverage!r}")
    med = float(v.positive("notional_median", notional_median))
    sig = float(v.nonnegative("notional_sigma", notional_sigma))
    esd = float(v.nonnegative("entry_sd", entry_sd))
    lot = float(v.positive("lot", lot))
    per = _per(unit)
    side = np.where(g.random(n) < ls, 1.0, -1.0)
    lev = np.exp(g.random(n) * np.log(lmax))
    notional = med * np.exp(sig * g.standard_normal(n))
    entry = s0 * np.exp(esd * g.standard_normal(n))
    lots = np.maximum(np.rint(notional / entry / lot), 1.0)
    size = side * lots * lot
    coll = np.rint(np.abs(size) * entry / lev * per) / per
    return TraderPopulation(side=side, size=size, leverage=lev, collateral=coll, entry=entry, lot=lot)


def gbm_jump_paths(
    n_paths: int = 200,
    n_steps: int = 1000,
    seed=0,
    mu: float = 0.0,
    sigma: float = 0.8,
    jump_rate: float = 50.0,
    jump_mean: float = -0.03,
    jump_sd: float = 0.04,
    s0: float = 100.0,
    dt: float = 1.0 / 8760.0,
) -> np.ndarray:
    """Price paths (USD per base unit), shape (n_paths, n_steps + 1), first column ``s0``: geometric Brownian motion
    with Merton jumps. Per step of ``dt`` years: log-return = (mu − σ²/2 − λk)dt + σ√dt Z + Σ_{N} J, with
    N ~ Poisson(λ dt) jumps (``jump_rate`` λ per year), J ~ N(``jump_mean``, ``jump_sd``²) and
    k = E[e^J] − 1 (so ``mu`` is the drift of the price). Defaults: hourly steps, 80 % annual volatility."""
    P = v.integer("n_paths", n_paths, 1)
    T = v.integer("n_steps", n_steps, 1)
    g = v.rng(seed)
    mu = float(v.finite("mu", mu))
    sigma = float(v.nonnegative("sigma", sigma))
    lam = float(v.nonnegative("jump_rate", jump_rate))
    jm = float(v.finite("jump_mean", jump_mean))
    js = float(v.nonnegative("jump_sd", jump_sd))
    s0 = float(v.positive("s0", s0))
    dt = float(v.positive("dt", dt))
    z = g.standard_normal((P, T))
    n_j = g.poisson(lam * dt, size=(P, T))
    zj = g.standard_normal((P, T))
    k = np.exp(jm + 0.5 * js**2) - 1.0
    r = (mu - 0.5 * sigma**2 - lam * k) * dt + sigma * np.sqrt(dt) * z + n_j * jm + np.sqrt(n_j) * js * zj
    out = np.empty((P, T + 1))
    out[:, 0] = s0
    out[:, 1:] = s0 * np.exp(np.cumsum(r, axis=1))
    return out


def crash_replay(
    n_steps: int = 200,
    s0: float = 100.0,
    crash: float = 0.3,
    start: int = 10,
    crash_steps: int = 5,
    recovery: float = 0.5,
    recovery_steps: int = 50,
) -> np.ndarray:
    """A deterministic crash path (USD per base unit), shape (n_steps + 1,): flat at ``s0`` until ``start``, down by
    ``crash`` (fraction in (0, 1)) geometrically over ``crash_steps`` steps, then back up by ``recovery`` (fraction
    in [0, 1]) of the fall linearly over ``recovery_steps`` steps, then flat."""
    T = v.integer("n_steps", n_steps, 1)
    s0 = float(v.positive("s0", s0))
    c = float(v.open_unit("crash", crash))
    a = v.integer("start", start, 0)
    k = v.integer("crash_steps", crash_steps, 1)
    rec = float(v.unit_interval("recovery", recovery))
    rk = v.integer("recovery_steps", recovery_steps, 1)
    t = np.arange(T + 1, dtype=float)
    low = s0 * (1 - c)
    down = s0 * (1 - c) ** np.clip((t - a) / k, 0, 1)
    up = rec * (s0 - low) * np.clip((t - a - k) / rk, 0, 1)
    return down + up


# ----------------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class SimResult:
    """Result of :func:`simulate` / :func:`simulate_reference`. Ledgers in integer minor units of ``unit`` (int64;
    cents when ``unit`` is 0.01).

    Per path × step (P × T, step t = 1…T in column t − 1): ``bad_debt_minor`` (loss beyond collateral of the
    liquidated), ``fund_paid_minor``, ``socialized_minor``, ``uncovered_minor``, ``liq_fee_minor`` (liquidation fees
    to the fund), ``n_liquidated``, ``n_deleveraged`` (positions the mechanism closed, in whole or in part). Per
    path × (T + 1): ``mark`` (USD per base unit after each step's cascade; column 0 the start), ``fund_minor``. Per path × trader:
    ``charged_minor`` (what socialization took from each trader) and ``liquidated_step`` (step of liquidation, −1
    never). ``fee_inflow_minor``: the fund's fee inflow per step. The same ledgers are also readable under their
    older names ``*_cents`` (``bad_debt_cents`` …, the same arrays).
    """

    mechanism: str
    mark: np.ndarray
    fund_minor: np.ndarray
    bad_debt_minor: np.ndarray
    fund_paid_minor: np.ndarray
    socialized_minor: np.ndarray
    uncovered_minor: np.ndarray
    liq_fee_minor: np.ndarray
    n_liquidated: np.ndarray
    n_deleveraged: np.ndarray
    charged_minor: np.ndarray
    liquidated_step: np.ndarray
    fee_inflow_minor: int = 0
    unit: float = 0.01

    # the names from before ``unit`` (minor units, cents when unit = 0.01): the lessons and checks read them
    fund_cents = property(lambda self: self.fund_minor, doc="Same array as ``fund_minor``.")
    bad_debt_cents = property(lambda self: self.bad_debt_minor, doc="Same array as ``bad_debt_minor``.")
    fund_paid_cents = property(lambda self: self.fund_paid_minor, doc="Same array as ``fund_paid_minor``.")
    socialized_cents = property(lambda self: self.socialized_minor, doc="Same array as ``socialized_minor``.")
    uncovered_cents = property(lambda self: self.uncovered_minor, doc="Same array as ``uncovered_minor``.")
    liq_fee_cents = property(lambda self: self.liq_fee_minor, doc="Same array as ``liq_fee_minor``.")
    charged_cents = property(lambda self: self.charged_minor, doc="Same array as ``charged_minor``.")
    fee_inflow_cents = property(lambda self: self.fee_inflow_minor, doc="Same as ``fee_inflow_minor``.")

    @property
    def fund(self) -> np.ndarray:
        """Fund balance (USD), paths × (T + 1)."""
        return self.fund_minor / _per(self.unit)

    @property
    def socialized(self) -> np.ndarray:
        """Socialized loss per path (USD)."""
        return self.socialized_minor.sum(axis=1) / _per(self.unit)

    @property
    def bad_debt(self) -> np.ndarray:
        """Bad debt per path (USD)."""
        return self.bad_debt_minor.sum(axis=1) / _per(self.unit)


def _per(unit) -> float:
    """Minor units per USD: 1 / ``unit``, snapped to an integer when it is one (0.01 → 100.0 exactly)."""
    return allocation._scale(unit)


@dataclass
class _Params:
    mechanism: str
    mmr: float
    max_fee_rate: float
    depth: float
    impact: str
    coef: float
    max_impact: float
    resilience: float
    fund0_m: int
    fee_in_m: int
    max_rounds: int
    unit: float
    per: float
    venue: object = None  # venue_adl: the venue's row (venues.Venue)
    lot: float = 0.001  # the population's lot (base units) and lots per base unit
    lots_per: float = 1000.0


def _mechanism(name) -> str:
    """A mechanism name from :data:`MECHANISMS`; an old name is mapped to its registry name with a warning."""
    if isinstance(name, str) and name in DEPRECATED_MECHANISMS:
        new = DEPRECATED_MECHANISMS[name]
        warnings.warn(f"mechanism {name!r} is deprecated: it is the ADL paper's PnL-haircut abstraction, now named "
                      f"{new!r}", DeprecationWarning, stacklevel=4)
        return new
    return v.choice("mechanism", name, MECHANISMS + EXTRA_MECHANISMS)


def _venue_row(mechanism: str, name):
    """The rulebook row ``venue_adl`` follows (None for the other mechanisms): a venue that runs contract-space ADL
    at the bankruptcy price (the simulator prices the residual's bankrupt quantity there; see :func:`_socialize_path`)."""
    if mechanism != "venue_adl":
        return None
    row = venues.venue(name)
    if row.rule != "venue_adl" or row.close_price != "bankruptcy":
        ok = [r.key for r in venues.VENUES if r.rule == "venue_adl" and r.close_price == "bankruptcy"]
        raise ValueError(f"venue must be a venue whose ADL closes at the bankruptcy price ({', '.join(ok)}); "
                         f"{row.name} closes at {row.close_price!r} (rule {row.rule!r}); got {name!r}")
    return row


def _params(mechanism, mmr, max_fee_rate, depth, impact, coef, max_impact, resilience, fund0, fee_inflow, max_rounds,
            unit, venue=DEFAULT_VENUE):
    mechanism = _mechanism(mechanism)
    v.choice("impact", impact, IMPACT_MODELS)
    per = _per(unit)
    return _Params(
        mechanism=mechanism,
        mmr=float(v.open_unit("mmr", mmr)),
        max_fee_rate=float(v.unit_interval("max_fee_rate", max_fee_rate)),
        depth=float(v.positive("depth", depth)),
        impact=impact,
        coef=float(v.nonnegative("coef", coef)),
        max_impact=float(v.open_unit("max_impact", max_impact)),
        resilience=float(v.unit_interval("resilience", resilience)),
        fund0_m=int(np.rint(float(v.nonnegative("fund0", fund0)) * per)),
        fee_in_m=int(np.rint(float(v.nonnegative("fee_inflow", fee_inflow)) * per)),
        max_rounds=v.integer("max_rounds", max_rounds, 1),
        unit=float(unit),
        per=per,
        venue=_venue_row(mechanism, venue),
    )


def _set_lot(pr: _Params, pop: TraderPopulation) -> None:
    pr.lot = float(pop.lot)
    pr.lots_per = allocation._scale(pop.lot)


def _inputs(n_traders, n_steps, n_paths, seed, population, prices, price_kw):
    """The population and the price paths (P × (T + 1)); drawn from one Generator (population first) if not given."""
    g = None
    if population is None or prices is None:
        g = v.rng(seed)
    if population is None:
        population = make_population(n_traders, g)
    elif not isinstance(population, TraderPopulation):
        raise TypeError(f"population must be a TraderPopulation (see make_population), got "
                        f"{type(population).__name__}")
    if prices is None:
        prices = gbm_jump_paths(n_paths, n_steps, g, **(price_kw or {}))
    else:
        prices = v.positive("prices", prices)
        if prices.ndim == 1:
            prices = np.broadcast_to(prices, (v.integer("n_paths", n_paths, 1), prices.size))
        if prices.ndim != 2 or prices.shape[1] < 2:
            raise ValueError(f"prices must have shape (n_paths, n_steps + 1) with n_steps ≥ 1, got {prices.shape}")
    return population, np.ascontiguousarray(prices, dtype=float)


def _liq_price(coll_m, size, entry, mmr, side, per):
    """Liquidation price (USD per base unit): (entry − collateral/size) / (1 − mmr·side); collateral in minor units
    (``per`` of them to the USD). Same formula as :func:`socialized_loss.margin.liquidation_price`, also for a
    negative collateral."""
    return (entry - (coll_m / per) / size) / (1.0 - mmr * side)


# ----------------------------------------------------------------------------------------------------------------
# Socialization: the registry's rules (socialized_loss.rules), over one path's open accounts

#: The ranking the ``"pnl_haircut_queue"`` uses for its queue: BitMEX's PnL % × effective leverage
#: (:func:`socialized_loss.venue_adl.adl_scores`), highest first.
QUEUE_RANKING = "pnl_x_leverage"


def _adl_reach(book, s: float, want_lots: float, pr: _Params) -> np.ndarray | None:
    """The accounts (indices, ascending) that ``venue_adl`` can reach closing ``want_lots`` lots of a bankrupt side
    s: the opposite positions, in the venue's ranking (:func:`socialized_loss.venue_adl.adl_order`, the rule's own),
    up to the first whose holdings add up to the quantity. The rule on these accounts alone closes and charges
    exactly what it would on the whole book (its ranking scores each account on its own; ties go to the lower
    index, and the subset keeps the book's order), and its cost per account is then paid for a handful. For dYdX's
    random start, which may skip accounts: every opposite position (the start is drawn among them alike). None
    stands for the whole book."""
    cand = np.flatnonzero(np.sign(book.sizes) == -s)
    if pr.venue.ranking == "random_start":
        return cand
    order = adl_order(book, cand, pr.venue.ranking)
    held = np.floor(np.abs(book.sizes[order]) * pr.lots_per)  # ≤ the rule's holdings in lots (it snaps up or floors)
    k = int(np.searchsorted(np.cumsum(held), want_lots))  # the first place where they reach it
    return np.sort(order[:k + 1])


def _socialize_path(pr: _Params, residual_m: int, coll_m: np.ndarray, size: np.ndarray, entry: np.ndarray,
                    mark: float, bankrupt: np.ndarray):
    """Share ``residual_m`` minor units of one path over its open accounts (``coll_m`` collateral in minor units,
    ``size``, ``entry``, at ``mark``) by the registry's rule ``pr.mechanism``. ``bankrupt``: (2, 2) floats, the bad
    debt (minor units) and the quantity (lots) of the step's bankrupt longs (column 0) and shorts (column 1), for
    ``venue_adl``. Both engines call it with the same accounts in the same order (the open ones, by index), so they
    share to the minor unit alike.

    Returns (charge, d_coll, new_size, closed, gone) per account: the charge (int64 minor units, what the rule took,
    recorded in ``charged_minor``), the change of collateral (int64: − charge, plus the PnL realised at the mark on a
    quantity the rule closed), the size after (a closed quantity shrinks the position toward 0, never past it),
    ``closed`` (bool: the rule closed some of it) and ``gone`` (bool: it closed all of it; the account leaves).

    ``venue_adl`` (contract space): the residual is the part of the step's bankrupt positions that the fund did not
    absorb. Per bankrupt side s (+1 longs, −1 shorts; the residual is split between the sides in proportion to their
    bad debt), the bankrupt quantity Q (its lots) is closed against ranked opposite positions at the price P where
    the gap covers that side's residual R: P = mark + s × R ÷ Q, the bankruptcy price of the unabsorbed part (for the
    whole bad debt and an empty fund it is the positions' own bankruptcy price). The fund has paid what it could
    (the law of motion), so the rule runs with ``force=True`` and no fund; the venue's fee on the closed notional
    goes to the venue, outside this model's ledgers, so ``fee_rate=0``. Opposite positions smaller than Q in total
    leave the rest uncovered."""
    per, unit = pr.per, pr.unit
    book = rules.Book._trusted(size, entry, coll_m / per, mark)
    n = book.n
    if pr.mechanism == "venue_adl":
        bad, lots = bankrupt
        shares = (np.where(bad > 0, residual_m, 0) if np.count_nonzero(bad) < 2
                  else allocation.pro_rata_minor(residual_m, bad.astype(np.int64)))
        charge = np.zeros(n, np.int64)
        closed_q = np.zeros(n)
        for k, s in ((0, 1.0), (1, -1.0)):
            R = int(shares[k])
            if R == 0 or lots[k] == 0:
                continue
            Q = lots[k] / pr.lots_per  # base units
            P = max(mark + s * (R / per) / Q, mark * 2.0**-20)  # (> 0; only a pathological book reaches the floor)
            idx = _adl_reach(book, s, lots[k], pr)
            got = rules.RULES["venue_adl"](book if idx is None else rules.Book._trusted(
                size[idx], entry[idx], coll_m[idx] / per, mark), R / per, venue=pr.venue, quantity=s * Q,
                bankruptcy_price=P, force=True, fee_rate=0.0, lot=pr.lot, unit=unit)
            sl = slice(None) if idx is None else idx
            charge[sl] += np.rint(got.charges * per).astype(np.int64)
            closed_q[sl] += got.closed
    else:
        params = {}
        if pr.mechanism == "pnl_haircut_queue":
            params["order"] = adl_order(book, np.arange(n), QUEUE_RANKING)
        got = rules.RULES[pr.mechanism](book, residual_m / per, unit=unit, **params)  # = apply_rule, unchecked
        charge = np.rint(got.charges * per).astype(np.int64)
        closed_q = got.closed
    closed = closed_q > 0
    if not closed.any():
        return charge, -charge, size, closed, closed
    # a closed quantity q of a position of sign g realises its PnL at the mark, q × g × (mark − entry), into cash;
    # the charge is what closing at the rule's price instead of the mark cost it
    g = np.sign(size)
    realised = np.rint(closed_q * g * (mark - entry) * per).astype(np.int64)
    left = np.abs(size) - closed_q
    if np.any(left < -0.5 * pr.lot):
        raise RuntimeError(f"internal: rule {pr.mechanism!r} closed more than a position holds")
    gone = closed & (left < 0.5 * pr.lot)  # less than half a lot left: the whole position (lot rounding)
    new_size = np.where(closed & ~gone, g * left, size)  # same sign, smaller; a gone account keeps its last size
    return charge, realised - charge, new_size, closed, gone


# ----------------------------------------------------------------------------------------------------------------
# Reference engine: plain loops


def simulate_reference(
    n_traders: int = 100,
    n_steps: int = 200,
    n_paths: int = 5,
    seed=0,
    mechanism: str = "clawback",
    *,
    population: TraderPopulation | None = None,
    prices=None,
    price_kw: dict | None = None,
    mmr: float = 0.01,
    max_fee_rate: float = 0.015,
    depth: float = 1_000_000.0,
    impact: str = "sqrt",
    coef: float = 0.01,
    max_impact: float = 0.2,
    resilience: float = 0.2,
    fund0: float = 20_000.0,
    fee_inflow: float = 5.0,
    max_rounds: int = 50,
    unit: float = 0.01,
    venue: str = DEFAULT_VENUE,
) -> SimResult:
    """The simulation as a readable loop over paths, steps and traders. Same arguments and result as
    :func:`simulate` (see the module docstring for the model); slow: use it to read, and to check :func:`simulate`.

    >>> r = simulate_reference(n_traders=20, n_steps=30, n_paths=2, seed=1)
    >>> bool((r.bad_debt_minor == r.fund_paid_minor + r.socialized_minor + r.uncovered_minor).all())
    True
    """
    pr = _params(mechanism, mmr, max_fee_rate, depth, impact, coef, max_impact, resilience, fund0, fee_inflow,
                 max_rounds, unit, venue)
    pop, prices = _inputs(n_traders, n_steps, n_paths, seed, population, prices, price_kw)
    _set_lot(pr, pop)
    P, T = prices.shape[0], prices.shape[1] - 1
    N = len(pop)
    per = pr.per
    side, size0, entry = pop.side.tolist(), pop.size.tolist(), pop.entry.tolist()
    coll0 = np.rint(pop.collateral * per).astype(np.int64).tolist()
    out = {k: np.zeros((P, T), np.int64) for k in
           ("bad", "paid", "soc", "unc", "fees", "nliq", "ndel")}
    mark_rec = np.empty((P, T + 1))
    fund_rec = np.empty((P, T + 1), np.int64)
    charged = np.zeros((P, N), np.int64)
    liq_step = np.full((P, N), -1, np.int64)

    for p in range(P):
        coll = list(coll0)  # collateral in minor units
        size = list(size0)  # positions (base units): a rule that closes part of one shrinks it
        active = [True] * N
        liq_px = [_liq_price(coll[i], size[i], entry[i], pr.mmr, side[i], per) for i in range(N)]
        d = 0.0  # price dislocation left by forced flow: the mark is F × (1 + d)
        fund = pr.fund0_m
        mark_rec[p, 0] = prices[p, 0]
        fund_rec[p, 0] = fund
        for t in range(1, T + 1):
            F = float(prices[p, t])
            bad = fees = nliq = 0
            bankrupt = [[0, 0], [0, 0]]  # bad debt (minor units) and lots of the bankrupt longs, shorts
            for _round in range(pr.max_rounds):
                mark = F * (1.0 + d)
                # who is beyond their liquidation price at this mark?
                hit = [i for i in range(N) if active[i] and (mark < liq_px[i] if side[i] > 0 else mark > liq_px[i])]
                if not hit:
                    break
                net = sum(round(size[i] * mark * per) for i in hit)  # minor units; + = net selling
                move = float(_impact(abs(net) / per, pr.depth, pr.impact, pr.coef, pr.max_impact))
                if net > 0:  # net selling: the price falls by the share `move`
                    d = (1.0 + d) * (1.0 - move) - 1.0
                elif net < 0:  # net buying (shorts closed): it rises
                    d = (1.0 + d) * (1.0 + move) - 1.0
                fill = F * (1.0 + d)  # everyone in this round fills at the moved price
                for i in hit:
                    equity = coll[i] + round(size[i] * (fill - entry[i]) * per)
                    if equity >= 0:  # the fund takes its fee out of what is left
                        fees += min(equity, round(pr.max_fee_rate * abs(size[i]) * fill * per))
                    else:  # the loss beyond collateral: bad debt
                        bad += -equity
                        k = 0 if size[i] > 0 else 1
                        bankrupt[0][k] += -equity
                        bankrupt[1][k] += round(abs(size[i]) * pr.lots_per)
                    active[i] = False
                    liq_step[p, i] = t
                    nliq += 1
            mark = F * (1.0 + d)
            # insurance fund: law of motion
            paid = min(fund, bad)
            fund = fund + pr.fee_in_m + fees - paid
            residual = bad - paid
            soc = ndel = 0
            if residual > 0 and pr.mechanism != "none":
                op = [i for i in range(N) if active[i]]  # the open accounts, by index
                ch, dc, new_size, closed, gone = _socialize_path(
                    pr, residual, np.array([coll[i] for i in op], np.int64), np.array([size[i] for i in op]),
                    pop.entry[op], mark, np.array(bankrupt, float))
                for j, i in enumerate(op):
                    if ch[j] or dc[j] or closed[j]:
                        coll[i] += int(dc[j])
                        charged[p, i] += int(ch[j])
                        soc += int(ch[j])
                        ndel += bool(closed[j])
                        if gone[j]:
                            active[i] = False
                        else:
                            size[i] = float(new_size[j])
                            liq_px[i] = _liq_price(coll[i], size[i], entry[i], pr.mmr, side[i], per)
            out["bad"][p, t - 1], out["paid"][p, t - 1] = bad, paid
            out["soc"][p, t - 1], out["unc"][p, t - 1] = soc, residual - soc
            out["fees"][p, t - 1], out["nliq"][p, t - 1], out["ndel"][p, t - 1] = fees, nliq, ndel
            mark_rec[p, t] = mark
            fund_rec[p, t] = fund
            d = d * (1.0 - pr.resilience)  # the book refills: the dislocation shrinks
    return SimResult(pr.mechanism, mark_rec, fund_rec, out["bad"], out["paid"], out["soc"], out["unc"], out["fees"],
                     out["nliq"], out["ndel"], charged, liq_step, pr.fee_in_m, pr.unit)


# ----------------------------------------------------------------------------------------------------------------
# Vectorised engine

#: Steps a waiting path looks ahead at once in the vectorised engine (its results do not depend on it).
LOOKAHEAD = 48
#: Working memory the vectorised engine aims at per chunk of paths (bytes), besides its result.
CHUNK_BYTES = 64 * 2**20


def _chunk_paths(n_traders: int, n_steps: int) -> int:
    """Paths per chunk: the engine's working memory is at most about 150 bytes per trader and 16 per step for each
    path (a cascade round over every position, a socialized path's own sorted row, collateral and sizes, padded
    prices and marks), so this many paths fit in :data:`CHUNK_BYTES`."""
    return max(1, CHUNK_BYTES // (150 * n_traders + 16 * (n_steps + 50)))


def simulate(
    n_traders: int = 1000,
    n_steps: int = 1000,
    n_paths: int = 200,
    seed=0,
    mechanism: str = "clawback",
    *,
    population: TraderPopulation | None = None,
    prices=None,
    price_kw: dict | None = None,
    mmr: float = 0.01,
    max_fee_rate: float = 0.015,
    depth: float = 1_000_000.0,
    impact: str = "sqrt",
    coef: float = 0.01,
    max_impact: float = 0.2,
    resilience: float = 0.2,
    fund0: float = 20_000.0,
    fee_inflow: float = 5.0,
    max_rounds: int = 50,
    unit: float = 0.01,
    chunk_paths: int | None = None,
    venue: str = DEFAULT_VENUE,
) -> SimResult:
    """Simulate ``n_paths`` paths of ``n_steps`` steps of a market of ``n_traders`` traders (model: module docstring).

    ``seed`` (int or Generator) draws the population (:func:`make_population`) and then the price paths
    (:func:`gbm_jump_paths` with ``price_kw``) unless ``population`` / ``prices`` ((P, T + 1) or (T + 1,) USD) are
    given. ``mechanism`` in ``MECHANISMS`` or ``EXTRA_MECHANISMS``; ``mmr`` maintenance margin rate;
    ``max_fee_rate`` the dYdX fee cap; ``depth`` (USD, the book's 1 % depth), ``impact``, ``coef``, ``max_impact``:
    the impact model; ``resilience`` the share of the dislocation that heals each step; ``fund0`` the initial fund
    (USD); ``fee_inflow`` the fund's share of trading fees per step (USD); ``max_rounds`` cascade rounds per step;
    ``unit`` the money's minor unit (USD; the ledgers count it). ``chunk_paths``: paths run at once (default: as
    many as keep the working memory near :data:`CHUNK_BYTES`); the result does not depend on it. ``venue``: the
    venue whose contract-space ADL ``"venue_adl"`` runs (a key or name of ``venues.VENUES`` whose ADL closes at
    the bankruptcy price: bitmex, binance, bybit, dydx_v4; ignored by the other mechanisms). Returns a
    :class:`SimResult`.

    Event-driven and vectorised over paths (see the comments in the code); it agrees with
    :func:`simulate_reference` to the bit (same floating-point operations in the same order) and to the minor unit.

    >>> r = simulate(n_traders=200, n_steps=100, n_paths=3, seed=2)
    >>> r.bad_debt_minor.shape, bool((r.fund_minor >= 0).all())
    ((3, 100), True)
    >>> kw = dict(n_traders=60, n_steps=80, n_paths=2, seed=0, fund0=500.0, price_kw=dict(sigma=1.5, jump_rate=400))
    >>> a = simulate(mechanism="venue_adl", venue="bitmex", **kw)
    >>> bool((a.bad_debt_minor == a.fund_paid_minor + a.socialized_minor + a.uncovered_minor).all())
    True
    >>> int(a.n_deleveraged.sum()) > 0  # opposite positions closed, in whole or in part
    True
    """
    pr = _params(mechanism, mmr, max_fee_rate, depth, impact, coef, max_impact, resilience, fund0, fee_inflow,
                 max_rounds, unit, venue)
    pop, prices = _inputs(n_traders, n_steps, n_paths, seed, population, prices, price_kw)
    _set_lot(pr, pop)
    P, T = prices.shape[0], prices.shape[1] - 1
    N = len(pop)
    step = _chunk_paths(N, T) if chunk_paths is None else v.integer("chunk_paths", chunk_paths, 1)
    # the result, written chunk by chunk
    o = dict(mark=np.empty((P, T + 1)), fund=np.empty((P, T + 1), np.int64), charged=np.zeros((P, N), np.int64),
             liq_step=np.full((P, N), -1, np.int64),
             **{k: np.zeros((P, T), np.int64) for k in ("bad", "paid", "soc", "unc", "fee", "nliq", "ndel")})
    for a in range(0, P, step):
        _run_paths(pr, pop, prices[a:a + step], {k: x[a:a + step] for k, x in o.items()})
    return SimResult(pr.mechanism, o["mark"], o["fund"], o["bad"], o["paid"], o["soc"], o["unc"], o["fee"],
                     o["nliq"], o["ndel"], o["charged"], o["liq_step"], pr.fee_in_m, pr.unit)


def _run_paths(pr: _Params, pop: TraderPopulation, prices: np.ndarray, o: dict) -> None:
    """The vectorised engine on the paths ``prices`` (P × (T + 1)); writes the ledgers into the arrays of ``o``
    (rows of the result: ``mark``, ``fund``, ``charged``, ``liq_step`` and the P × T ``bad`` … ``ndel``)."""
    P, T = prices.shape[0], prices.shape[1] - 1
    N = len(pop)
    per = pr.per
    side, size, entry = pop.side, pop.size, pop.entry
    adl = pr.mechanism == "venue_adl"  # it needs the bankrupt quantity per side
    keep = 1.0 - pr.resilience
    fee_in = pr.fee_in_m
    charged, liq_step = o["charged"], o["liq_step"]
    nliq_f = o["nliq"].reshape(-1)  # views: rows of a C-ordered array
    soc_rec, ndel_rec, unc_rec = o["soc"], o["ndel"], o["unc"]

    # How it works. Paths are independent: each advances on its own clock, and one pass of the main loop moves every
    # path on by a quiet stretch (up to H steps) and/or one cascade round, whatever step it is at.
    #  * A waiting path: without liquidations the only changes are d ← d × keep and the fund's fee inflow, so its
    #    next H marks come from one cumulative product (left to right, as the loop multiplies) and the first step
    #    whose mark crosses its highest long / lowest short liquidation price from one argmin.
    #  * A path in a cascade does one round. Per side, its positions are sorted by key = −side × liquidation price,
    #    ascending (the order in which a falling / rising mark reaches them), behind a pointer past the closed ones.
    #    A position is hit when key < −side × mark, so a round's victims are the places from the pointer to the
    #    first key ≥ −side × mark: one binary search for all paths and sides at once, in a table of rows ordered by
    #    (row, key), i.e. complex numbers row + i·key, which numpy sorts lexicographically. Whether another round
    #    follows is known at once (is the next key beyond the fill price?), so a cascade of r rounds takes r passes.
    #  * The paths share one sorted row (their populations are the same) until a socialization changes a path's
    #    collateral or sizes: that path then gets its own row (its closed positions first, with key −inf).
    # Ledgers are written as events happen; the fund is the cumulative sum of its flows (exact in integers).
    H = LOOKAHEAD
    coll0 = np.rint(pop.collateral * per).astype(np.int64)
    longs, shorts = np.flatnonzero(side > 0), np.flatnonzero(side < 0)
    NL, NS = longs.size, shorts.size
    offS = NL + 1  # a row: NL longs, +inf, NS shorts, +inf (the +inf places are never hit)
    width = offS + NS + 1
    half = np.repeat([0.0, 1.0], [offS, NS + 1])
    # the rows, one after the other: row 0 is shared, then one per socialized path in turn (rows < n_rows in use)
    tab = np.empty(width, complex)  # 2 × row + half + i·key: sorted
    keys_f = np.empty(width)  # the keys again, as floats
    perm_f = np.empty(width, np.intp)  # trader at each place
    collw_f = np.empty(width, np.int64)  # their collateral (minor units)
    sizew_f = np.empty(width)  # their size (base units)
    row_of = {}  # path → its own row
    coll = {}  # path → collateral per trader (minor units), once socialized
    sizes = {}  # path → size per trader, once socialized

    def write_row(rw, coll_p, size_p, closed=None):
        """Write row rw for collateral coll_p (minor units per trader) and sizes size_p, ``closed`` positions
        first; return its pointers."""
        kk = -side * _liq_price(coll_p, size_p, entry, pr.mmr, side, per)
        k_row, i_row = [], []
        for idx in (longs, shorts):
            on = np.ones(idx.size, bool) if closed is None else ~closed[idx]
            oi = idx[on][np.argsort(kk[idx[on]], kind="stable")]
            k_row.append(np.concatenate((np.full(idx.size - oi.size, -np.inf), kk[oi], [np.inf])))
            i_row.append(np.concatenate((idx[~on], oi, [0])))
        k_row, i_row = np.concatenate(k_row), np.concatenate(i_row)
        sl = slice(rw * width, (rw + 1) * width)
        keys_f[sl], perm_f[sl], collw_f[sl], sizew_f[sl] = k_row, i_row, coll_p[i_row], size_p[i_row]
        tab[sl].real, tab[sl].imag = 2 * rw + half, k_row
        return rw * width + np.array([0, offS]) + [np.count_nonzero(k_row[:offS] == -np.inf),
                                                  np.count_nonzero(k_row[offS:] == -np.inf)]

    write_row(0, coll0, size)
    n_rows = 1
    ptr = np.tile(np.array([0, offS], np.intp), (P, 1))  # (P, 2) flat index of the first open long / short place
    q = np.tile(np.array([0.0, 1.0], complex), (P, 1))  # per path and side: 2 × row + half + i·threshold
    q_re, q_im = q.real, q.imag
    two = np.array([-1.0, 1.0])  # the threshold −side × mark: −mark for longs, +mark for shorts
    # prices and marks, padded with NaN (no crossing) after the last step; [w]: the H + 1 steps from flat index w
    stride = T + 2 + H
    px = np.full((P, stride), np.nan)
    px[:, :T + 1] = prices
    px_f = px.ravel()
    px_w = np.lib.stride_tricks.sliding_window_view(px_f, H + 1)
    mark_pad = np.empty((P, stride))
    mark_pad[:, 0] = prices[:, 0]
    mark_f = mark_pad.ravel()
    mark_w = np.lib.stride_tricks.sliding_window_view(mark_f, H + 1, writeable=True)
    base = np.arange(P) * stride  # flat index of each path's step 0
    now = base + 1  # flat index of each path's next step (t0 + 1)

    d = np.zeros(P)  # dislocation at the start of the next step; in a cascade its current value
    g = pr.fund0_m - fee_in * (now - 1 - base)  # the fund after step t, until the next event: g + fee_in × t
    rnd = np.zeros(P, np.intp)
    acc = np.zeros((P, 2))  # this step's liquidation fees and bad debt (minor units, exact in float64)
    bk = np.zeros((P, 2, 2))  # venue_adl: this step's bad debt and lots of the bankrupt longs, shorts
    casc = np.zeros(P, bool)  # in a cascade
    wait = np.ones(P, bool)  # looking for its next event
    last = now + T - 1  # flat index of step T
    bad_f, paid_f, fee_f = (o[k].reshape(-1) for k in ("bad", "paid", "fee"))

    while True:
        # 1. waiting paths: their next H steps, up to (not including) the next event step
        s = np.flatnonzero(wait)
        if s.size:
            ns = now[s]
            C = np.empty((s.size, H + 1))
            C[:, 0] = d[s]
            C[:, 1:] = keep
            np.cumprod(C, axis=1, out=C)  # C[:, j]: d at the start of step now + j
            mk = px_w[ns] * (1.0 + C)
            mk[:, H] = np.nan  # stop there at the latest
            kb = keys_f.take(ptr[s])  # next long / short key
            inside = (mk >= -kb[:, :1]) & (mk <= kb[:, 1:])  # False at a crossing, or NaN: past the window or T
            j = inside.argmin(axis=1)  # quiet steps before the event
            mark_w[ns] = mk  # (from the event on, these are written again later)
            ns += j
            now[s] = ns
            d[s] = C[np.arange(s.size), j]
            alive = ns <= last[s]
            found = (j < H) & alive
            wait[s] = alive ^ found
            casc[s] = found
        c = np.flatnonzero(casc)
        if not c.size:
            if wait.any():
                continue
            break
        # 2. one cascade round of every path in a cascade (each at its own step)
        F = px_f.take(now)
        mark = F * (1.0 + d)
        pc = ptr[c]
        np.multiply(mark[:, None], two, out=q_im)
        cnt2 = np.maximum(np.searchsorted(tab[:n_rows * width], q[c].ravel()).reshape(-1, 2) - pc, 0)
        c2 = cnt2.ravel()
        cs = np.cumsum(c2)
        pos = np.arange(cs[-1]) + np.repeat(pc.ravel() + c2 - cs, c2)  # the places hit
        n_hit = c2[0::2] + c2[1::2]
        r = np.repeat(c, n_hit)  # their paths
        i = perm_f.take(pos)
        size_i = sizew_f.take(pos)
        vol = np.rint(size_i * mark.take(r) * per)  # minor units, exact integers in float64
        net = np.bincount(r, weights=vol, minlength=P)
        move = _impact(np.abs(net) / per, pr.depth, pr.impact, pr.coef, pr.max_impact)
        # net > 0: d ← (1 + d)(1 − move) − 1; net < 0: (1 + d)(1 + move) − 1 (1 − (−move) is 1 + move exactly)
        d = np.where(net != 0, (1.0 + d) * (1.0 - move * np.sign(net)) - 1.0, d)
        fill = F * (1.0 + d)
        fill_i = fill.take(r)
        eq = collw_f.take(pos) + np.rint(size_i * (fill_i - entry.take(i)) * per).astype(np.int64)
        cap = np.rint(pr.max_fee_rate * np.abs(size_i) * fill_i * per).astype(np.int64)
        neg = eq < 0  # bad debt −eq; otherwise the fund's fee min(eq, cap)
        acc += np.bincount(2 * r + neg, weights=np.where(neg, -eq, np.minimum(eq, cap)),
                           minlength=2 * P).reshape(P, 2)
        if adl and neg.any():
            k2 = 2 * r[neg] + (size_i[neg] < 0)
            bk[:, 0] += np.bincount(k2, weights=-eq[neg], minlength=2 * P).reshape(P, 2)
            bk[:, 1] += np.bincount(k2, weights=np.rint(np.abs(size_i[neg]) * pr.lots_per),
                                    minlength=2 * P).reshape(P, 2)
        ptr[c] += cnt2
        rnd += casc
        t_c = now[c] - base[c]  # their step
        liq_step[r, i] = np.repeat(t_c, n_hit)
        nliq_f[c * T + t_c - 1] += n_hit
        # does the next round liquidate anyone? (its mark is this round's fill)
        beyond = keys_f.take(ptr) < fill[:, None] * two
        end = casc > ((beyond[:, 0] | beyond[:, 1]) & (rnd < pr.max_rounds))
        if not end.any():
            continue
        # 3. the paths whose cascade is over: the fund's law of motion and socialization
        f = np.flatnonzero(end)
        casc ^= end
        fee, bad = acc[f].astype(np.int64).T
        tf = now[f] - base[f]  # their step
        paid = np.minimum(g[f] + fee_in * (tf - 1), bad)  # the fund before the step pays what it can
        g[f] += fee - paid
        residual = bad - paid
        mark_f[now[f]] = fill[f]
        at = f * T + tf - 1
        bad_f[at], paid_f[at], fee_f[at] = bad, paid, fee
        unc_rec[f, tf - 1] = residual
        if pr.mechanism != "none" and residual.any():
            for u in np.flatnonzero(residual):  # rare: paths whose fund ran out this step
                p = f[u]
                r0 = row_of.get(p, 0) * width
                op = np.concatenate((perm_f[ptr[p, 0]:r0 + NL], perm_f[ptr[p, 1]:r0 + offS + NS]))
                op.sort()  # the open positions, by index
                cp = coll.setdefault(p, coll0.copy())
                sp = sizes.setdefault(p, size.copy())
                # the open accounts by index, as the reference passes them: the same charges to the minor unit
                ch, dc, new_size, closed, gone_op = _socialize_path(pr, int(residual[u]), cp[op], sp[op], entry[op],
                                                                    fill[p], bk[p])
                if not (dc.any() or closed.any()):
                    continue
                cp[op] += dc
                sp[op] = new_size
                charged[p, op] += ch
                soc_rec[p, tf[u] - 1] = ch.sum()
                unc_rec[p, tf[u] - 1] -= ch.sum()
                ndel_rec[p, tf[u] - 1] = closed.sum()
                gone = np.ones(N, bool)
                gone[op[~gone_op]] = False
                if p not in row_of:
                    if n_rows * width == tab.size:  # no free row: double the table
                        tab, keys_f, perm_f, collw_f, sizew_f = (np.concatenate((a, np.empty_like(a)))
                                                                 for a in (tab, keys_f, perm_f, collw_f, sizew_f))
                    row_of[p] = n_rows
                    n_rows += 1
                ptr[p] = write_row(row_of[p], cp, sp, gone)
                q_re[p] = 2 * row_of[p] + np.array([0.0, 1.0])
        now[f] += 1
        d[f] *= keep
        rnd[f] = 0
        acc[f] = 0.0
        if adl:
            bk[f] = 0.0
        wait[f] = now[f] <= last[f]

    o["mark"][:] = mark_pad[:, :T + 1]
    fund = o["fund"]
    flow = fund[:, 1:]
    np.subtract(o["fee"], o["paid"], out=flow)
    flow += fee_in
    flow[:, 0] += pr.fund0_m
    np.cumsum(flow, axis=1, out=flow)
    fund[:, 0] = pr.fund0_m


# ----------------------------------------------------------------------------------------------------------------
# Monte Carlo summary (lesson 10)

LEVERAGE_GROUPS = (1.0, 3.0, 10.0, 25.0, np.inf)


@dataclass(frozen=True)
class MonteCarloSummary:
    """Per mechanism, per path (USD): ``bad_debt``, ``fund_paid``, ``socialized``, ``uncovered``, ``fund_final``,
    ``n_liquidated``; ``p_socialized`` share of paths with any socialized loss; ``charged_by_group`` (paths ×
    groups, USD) with ``group_labels`` (side × leverage bucket); ``share_by_group`` each group's share of all
    socialized losses; ``quantiles`` of the socialized loss per path at ``quantile_levels``."""

    mechanism: str
    bad_debt: np.ndarray
    fund_paid: np.ndarray
    socialized: np.ndarray
    uncovered: np.ndarray
    fund_final: np.ndarray
    n_liquidated: np.ndarray
    p_socialized: float
    charged_by_group: np.ndarray
    group_labels: tuple
    share_by_group: np.ndarray
    quantile_levels: np.ndarray = field(default_factory=lambda: np.array([0.5, 0.9, 0.99]))
    quantiles: np.ndarray = field(default_factory=lambda: np.zeros(3))


def monte_carlo(
    n_traders: int = 1000,
    n_steps: int = 1000,
    n_paths: int = 200,
    seed=0,
    mechanisms: Sequence[str] = MECHANISMS,
    *,
    quantile_levels: Sequence[float] = (0.5, 0.9, 0.99),
    **kwargs,
) -> dict:
    """Run :func:`simulate` for each of ``mechanisms`` on the same population and price paths (common random
    numbers) and summarise: a dict mechanism → :class:`MonteCarloSummary`. ``kwargs`` go to :func:`simulate`."""
    if isinstance(mechanisms, str):
        raise ValueError(f"mechanisms must be a sequence of names from {MECHANISMS}, got the string {mechanisms!r}")
    for mname in mechanisms:
        if mname not in DEPRECATED_MECHANISMS:
            v.choice("mechanisms", mname, MECHANISMS + EXTRA_MECHANISMS)
    lv = np.atleast_1d(v.unit_interval("quantile_levels", quantile_levels))
    pop, prices = _inputs(n_traders, n_steps, n_paths, seed, kwargs.pop("population", None),
                          kwargs.pop("prices", None), kwargs.pop("price_kw", None))
    edges = np.asarray(LEVERAGE_GROUPS)
    bucket = np.clip(np.searchsorted(edges, pop.leverage, side="right") - 1, 0, len(edges) - 2)
    labels, groups = [], []
    for s_name, s_val in (("long", 1.0), ("short", -1.0)):
        for b in range(len(edges) - 1):
            hi = "∞" if np.isinf(edges[b + 1]) else f"{edges[b + 1]:g}"
            labels.append(f"{s_name} {edges[b]:g}–{hi}×")
            groups.append((pop.side == s_val) & (bucket == b))
    G = np.array(groups, dtype=float)  # groups × traders
    out = {}
    for mname in mechanisms:
        r = simulate(population=pop, prices=prices, mechanism=mname, **kwargs)
        per = _per(r.unit)
        by_group = (r.charged_minor @ G.T) / per
        soc = r.socialized
        tot = by_group.sum()
        out[mname] = MonteCarloSummary(
            mechanism=r.mechanism,
            bad_debt=r.bad_debt,
            fund_paid=r.fund_paid_minor.sum(axis=1) / per,
            socialized=soc,
            uncovered=r.uncovered_minor.sum(axis=1) / per,
            fund_final=r.fund_minor[:, -1] / per,
            n_liquidated=r.n_liquidated.sum(axis=1),
            p_socialized=float(np.mean(soc > 0)),
            charged_by_group=by_group,
            group_labels=tuple(labels),
            share_by_group=by_group.sum(axis=0) / tot if tot > 0 else np.zeros(len(labels)),
            quantile_levels=lv,
            quantiles=np.quantile(soc, lv),
        )
    return out

"""The insurance fund: a ledger, its law of motion, Monte Carlo exhaustion, and a ruin (Cramér–Lundberg) model.

Money is in USD (or any currency): every function that takes or returns money takes ``unit``, the minor unit
(default 0.01 = cents), and works in whole minor units internally (banker's rounding, as in
:mod:`socialized_loss.allocation`), so balance + paid out − received is exact to the unit. The Cramér–Lundberg
formulas at the end are continuous teaching models (money as real numbers, no ledger) and take no unit.

Sources:

- Inflows and outflows as venues document them: liquidation surplus and fees in, fills worse than bankruptcy out
  (BitMEX https://www.bitmex.com/app/autoDeleveraging ; Bybit
  https://help.bybit.com/hc/en-us/articles/900000031623-What-is-Auto-Deleveraging-ADL- ; dYdX v4
  https://help.dydx.exchange/en/articles/8580691-liquidations-on-dydx-chain). OKX segregates funds "by business
  line, underlying and currency" (https://www.okx.com/help/iv-introduction-to-auto-deleveraging-adl). Huobi BitVC
  pooled 20 % of trading fees into a reserve fund after 2014 (reported by CoinDesk,
  https://www.coindesk.com/huobis-bitvc-takes-trader-profit-cover-1-million-loss). dYdX v1 seeded its fund with
  250,000 USD per market (https://help.dydx.exchange/en/articles/3937619-contract-loss-mechanisms).
- Law of motion: Chitra, "Autodeleveraging: Impossibilities and Optimization", arXiv:2512.01112 v3
  (https://arxiv.org/abs/2512.01112v3): IF(t+1) = IF(t) + inflows(t) − min(IF(t), D(t)).
- The Monte Carlo year and the Cramér–Lundberg model are TEACHING models: no paper sizing perpetual-venue insurance
  funds with a ruin model was found (course research notes, section c.4). The ruin formulas are the textbook
  compound-Poisson results (e.g. Asmussen & Albrecher, *Ruin Probabilities*, 2nd ed., World Scientific, 2010).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from . import validate as v
from .allocation import MAX_EXACT_MINOR, _to_minor, from_minor, sequential_minor

__all__ = [
    "CoverResult",
    "FundFan",
    "FundMonteCarlo",
    "FundPath",
    "InsuranceFund",
    "add_inflows",
    "adjustment_coefficient",
    "cover",
    "cover_losses",
    "exhaustion_probability_grid",
    "fund_fan",
    "fund_monte_carlo",
    "fund_path",
    "lundberg_bound",
    "ruin_monte_carlo",
    "ruin_probability_exponential",
    "size_for_target",
]


def _c(name: str, x, unit: float = 0.01) -> int:
    """A money amount ≥ 0 → whole minor units of ``unit``."""
    a = v.money(name, x, "a single number ≥ 0 (money)")
    return int(_to_minor(name, a, unit))


def _fund(name: str, fund) -> InsuranceFund:
    return v.instance(name, fund, InsuranceFund)


@dataclass(frozen=True)
class InsuranceFund:
    """An insurance fund (money in whole minor units of ``unit``, default 0.01 = cents). ``market``: the market or
    pool it belongs to; ``received`` / ``paid``: running totals of inflows and of losses covered, so balance =
    initial + received − paid.

    >>> InsuranceFund(1000.004, "BTC")
    InsuranceFund(balance=1000.0, market='BTC', received=0.0, paid=0.0, unit=0.01)
    """

    balance: float
    market: str = "shared"
    received: float = 0.0
    paid: float = 0.0
    unit: float = 0.01

    def __post_init__(self):
        if not isinstance(self.market, str):
            raise v.WrongTypeError(f"market must be a str (the market or pool's name), got {v.short(self.market)}")
        object.__setattr__(self, "unit", float(v.number("unit", self.unit, "a single number > 0 (minor unit)")))
        for name in ("balance", "received", "paid"):
            m = _c(name, getattr(self, name), self.unit)
            object.__setattr__(self, name, float(from_minor(m, self.unit)))


def add_inflows(
    fund: InsuranceFund,
    liquidation_fees: float = 0.0,
    trading_fees: float = 0.0,
    fee_share: float = 0.0,
    top_up: float = 0.0,
) -> InsuranceFund:
    """A new fund after inflows (money ≥ 0, in the fund's ``unit``): liquidation surplus/fees + ``fee_share`` (in
    [0, 1]) × ``trading_fees`` + a venue ``top_up``. The fee share is rounded to the unit (ties to even).

    >>> add_inflows(InsuranceFund(10.0), liquidation_fees=1.5, trading_fees=100.0, fee_share=0.2).balance
    31.5
    """
    fund = _fund("fund", fund)
    u = fund.unit
    share = float(v.scalar("fee_share", v.unit_interval("fee_share", fee_share), "a single number in [0, 1]"))
    inflow = _c("liquidation_fees", liquidation_fees, u) + int(np.rint(share * _c("trading_fees", trading_fees, u)))
    inflow += _c("top_up", top_up, u)
    return replace(fund, balance=float(from_minor(_c("balance", fund.balance, u) + inflow, u)),
                   received=float(from_minor(_c("received", fund.received, u) + inflow, u)))


def cover(fund: InsuranceFund, loss: float) -> tuple[InsuranceFund, float, float]:
    """Cover a bad-debt ``loss`` (money ≥ 0, rounded to the fund's ``unit``) from the fund, never below zero.

    Returns ``(new_fund, paid, uncovered)`` with paid + uncovered = loss exactly in minor units; ``uncovered`` goes
    on down the line (ADL, socialization).

    >>> f, paid, rest = cover(InsuranceFund(100.0), 130.0)
    >>> f.balance, paid, rest
    (0.0, 100.0, 30.0)
    """
    fund = _fund("fund", fund)
    u = fund.unit
    L = _c("loss", loss, u)
    b = _c("balance", fund.balance, u)
    p = int(sequential_minor(L, np.array([b], dtype=np.int64))[0])
    new = replace(fund, balance=float(from_minor(b - p, u)), paid=float(from_minor(_c("paid", fund.paid, u) + p, u)))
    return new, float(from_minor(p, u)), float(from_minor(L - p, u))


@dataclass(frozen=True)
class CoverResult:
    """Result of :func:`cover_losses`: the new ``funds`` (same keys), and per market of the losses the amount
    ``paid`` by the funds and the ``uncovered`` rest (money)."""

    funds: dict
    paid: dict
    uncovered: dict


def cover_losses(funds: Mapping[str, InsuranceFund], losses: Mapping[str, float], shared: bool = False) -> CoverResult:
    """Cover per-market ``losses`` (money ≥ 0) from per-market ``funds`` (all in the same ``unit``).

    Segregated (``shared=False``, OKX-style): each market's loss is covered only by its own fund; a market with no
    fund leaves its loss uncovered. Shared (``shared=True``): one pool; each loss (in the order given) is drawn first
    from its own market's fund, then from the other funds in their order, until the pool is empty (a sequential
    draw, ``allocation.sequential_minor``). paid + uncovered = loss exactly in minor units.

    >>> r = cover_losses({"BTC": InsuranceFund(100.0), "ETH": InsuranceFund(50.0)}, {"BTC": 120.0}, shared=True)
    >>> r.paid, r.uncovered, r.funds["ETH"].balance
    ({'BTC': 120.0}, {'BTC': 0.0}, 30.0)
    """
    if not isinstance(funds, Mapping):
        raise v.WrongTypeError(f"funds must be a mapping of market name → InsuranceFund, got {v.short(funds)}")
    if not isinstance(losses, Mapping):
        raise v.WrongTypeError(f"losses must be a mapping of market name → loss (money), got {v.short(losses)}")
    shared = v.flag("shared", shared)
    for k, f in funds.items():
        _fund(f"funds[{k!r}]", f)
    units = {f.unit for f in funds.values()}
    if len(units) > 1:
        raise ValueError(f"funds must all use the same unit (minor unit of money), got {sorted(units)}")
    u = units.pop() if units else 0.01
    bal = {k: _c(f"funds[{k!r}].balance", f.balance, u) for k, f in funds.items()}
    paid_by = {k: 0 for k in funds}
    paid, unc = {}, {}
    for m, loss in losses.items():
        need = _c(f"losses[{m!r}]", loss, u)
        sources = [k for k in ([m] if not shared else [m] + [k for k in funds if k != m]) if k in bal]
        draws = sequential_minor(need, np.array([bal[k] for k in sources], dtype=np.int64))
        for k, d in zip(sources, draws.tolist()):
            bal[k] -= d
            paid_by[k] += d
        got = int(sum(draws.tolist()))
        paid[m] = float(from_minor(got, u))
        unc[m] = float(from_minor(need - got, u))
    new = {
        k: replace(f, balance=float(from_minor(bal[k], u)), paid=float(from_minor(_c("paid", f.paid, u) + paid_by[k], u)))
        for k, f in funds.items()
    }
    return CoverResult(funds=new, paid=paid, uncovered=unc)


@dataclass(frozen=True)
class FundPath:
    """Result of :func:`fund_path` (USD): ``balance`` (…, T+1) from the initial value, ``paid`` (…, T) bad debt
    covered each period, ``uncovered`` (…, T) bad debt left over each period."""

    balance: np.ndarray
    paid: np.ndarray
    uncovered: np.ndarray

    @property
    def exhausted(self) -> np.ndarray:
        """True where some bad debt was left uncovered (the fund ran out)."""
        return np.any(self.uncovered > 0, axis=-1)


def fund_path(initial, inflows, bad_debts, unit: float = 0.01) -> FundPath:
    """The law of motion IF(t+1) = IF(t) + inflows(t) − min(IF(t), D(t)) (arXiv:2512.01112 v3), in money.

    ``initial`` ≥ 0 of shape (…) (one per path), ``inflows`` and ``bad_debts`` ≥ 0 of shape (…, T) (they broadcast
    against each other and against ``initial[..., None]``). Every amount is first rounded to ``unit`` (default 0.01
    = cents) and the ledger runs in whole minor units, so balance(T) = initial + Σ inflows − Σ paid and paid +
    uncovered = bad debt hold exactly. Vectorised over paths; loops over the T periods.

    >>> r = fund_path(10.0, [5.0, 0.0, 0.0], [3.0, 20.0, 1.0])
    >>> r.balance.tolist(), r.uncovered.tolist()
    ([10.0, 12.0, 0.0, 0.0], [0.0, 8.0, 1.0])
    """
    f0 = v.nonnegative("initial", initial)
    inf = v.nonnegative("inflows", inflows)
    d = v.nonnegative("bad_debts", bad_debts)
    if inf.ndim == 0 and d.ndim == 0:
        raise ValueError("inflows and bad_debts need a last axis of periods (shape (..., T))")
    inf, d, f0b = v.broadcast(inflows=np.atleast_1d(inf), bad_debts=np.atleast_1d(d), initial=f0[..., None])
    F0 = _to_minor("initial", f0b[..., 0], unit)
    INF = _to_minor("inflows", inf, unit)
    D = _to_minor("bad_debts", d, unit)
    if INF.size and float(F0.max(initial=0)) + float(INF.sum(axis=-1, dtype=float).max()) >= MAX_EXACT_MINOR:
        raise ValueError("inflows are too large in total for exact minor units (initial + Σ inflows per path must "
                         "stay below 2**51 units)")
    shape = INF.shape
    T = shape[-1]
    F0 = np.broadcast_to(F0, shape[:-1]).reshape(-1).astype(np.int64)
    INF = np.ascontiguousarray(INF, dtype=np.int64).reshape(-1, T)
    D = np.ascontiguousarray(D, dtype=np.int64).reshape(-1, T)
    bal, paid = _motion_minor(F0, _motion_plan(INF, D))
    return FundPath(balance=np.asarray(from_minor(bal.reshape(*shape[:-1], T + 1), unit), dtype=float),
                    paid=np.asarray(from_minor(paid.reshape(shape), unit), dtype=float),
                    uncovered=np.asarray(from_minor((D - paid).reshape(shape), unit), dtype=float))


@dataclass(frozen=True)
class _MotionPlan:
    """What the law of motion needs besides the initial balances (minor units, paths × T): the inflows' running
    sums, and the days with bad debt (path, day, amount, inflow before that day), grouped by their rank within
    their path (the k-th crash of every path is paid in one vectorised step)."""

    inflow: np.ndarray  # paths × T
    debt: np.ndarray  # paths × T
    cum_inflow: np.ndarray  # paths × T: inflows through each day
    rows: np.ndarray
    cols: np.ndarray
    amount: np.ndarray
    before: np.ndarray  # inflows of the path's earlier days
    by_rank: tuple  # index arrays into rows/cols/amount/before: the k-th event of each path that has one


def _motion_plan(inflow: np.ndarray, debt: np.ndarray) -> _MotionPlan:
    cum = np.cumsum(inflow, axis=1)
    rows, cols = np.nonzero(debt)  # row-major: by path, then by day
    amount = debt[rows, cols]
    before = cum[rows, cols] - inflow[rows, cols]
    rank = np.arange(rows.size) - np.searchsorted(rows, rows)  # 0 for a path's first bad-debt day, 1, …
    order = np.argsort(rank, kind="stable")
    ends = np.cumsum(np.bincount(rank)) if rank.size else np.zeros(0, np.int64)
    by_rank = tuple(np.split(order, ends[:-1]))
    return _MotionPlan(inflow, debt, cum, rows, cols, amount, before, by_rank)


def _event_payments(b0: np.ndarray, plan: _MotionPlan) -> np.ndarray:
    """What the fund pays at each bad-debt event of ``plan`` (minor units, in the plan's event order), from the
    initial balances ``b0`` (paths): min(balance that day, the bad debt)."""
    paid_so_far = np.zeros(plan.inflow.shape[0], np.int64)
    pay = np.empty(plan.rows.size, np.int64)
    for sel in plan.by_rank:
        r = plan.rows[sel]  # distinct paths: each has at most one k-th crash
        p = np.minimum(b0[r] + plan.before[sel] - paid_so_far[r], plan.amount[sel])
        pay[sel] = p
        paid_so_far[r] += p
    return pay


def _motion_minor(b0: np.ndarray, plan: _MotionPlan) -> tuple[np.ndarray, np.ndarray]:
    """IF(t+1) = IF(t) + inflow(t) − min(IF(t), D(t)) in whole minor units, for paths × T from ``b0`` (paths):
    balances (paths × (T + 1)) and paid (paths × T). Exact integer arithmetic; the same numbers as stepping day by
    day, but a day without bad debt only adds its inflow, so the draws are made day-of-crash by day-of-crash (k-th
    crash of every path at once) and the balances are running sums."""
    n, T = plan.inflow.shape
    pay = _event_payments(b0, plan)
    paid = np.zeros((n, T), np.int64)
    paid[plan.rows, plan.cols] = pay
    bal = np.empty((n, T + 1), np.int64)
    bal[:, 0] = b0
    np.subtract(plan.cum_inflow, np.cumsum(paid, axis=1), out=bal[:, 1:])
    bal[:, 1:] += b0[:, None]
    return bal, paid


# ----------------------------------------------------------------------------------------------------------------
# A simulated year: daily fee inflow, crash-driven bad debt (teaching model)


def _year_draws(n_paths: int, n_days: int, seed, crash_rate: float, fee_vol: float, tail_index: float):
    """Standardised random inputs (common random numbers): fee multipliers (paths × days, mean 1) and bad debt per
    day in units of the minimum crash loss (paths × days)."""
    g = v.rng(seed)
    fee_mult = np.exp(fee_vol * g.standard_normal((n_paths, n_days)) - 0.5 * fee_vol**2)
    counts = g.poisson(crash_rate / 365.0, size=(n_paths, n_days))
    k = int(counts.sum())
    sizes = g.pareto(tail_index, size=k) + 1.0  # classical Pareto(α) with minimum 1
    loss = np.zeros(n_paths * n_days)
    if k:
        cell = np.repeat(np.arange(n_paths * n_days), counts.ravel())
        loss = np.bincount(cell, weights=sizes, minlength=n_paths * n_days)
    return fee_mult, loss.reshape(n_paths, n_days)


def _exhaustion(initial: np.ndarray, inflow: np.ndarray, loss: np.ndarray, unit: float = 0.01) -> np.ndarray:
    """Fraction of paths exhausted for each initial size (vector), by the law of motion in minor units of ``unit``
    (the same ledger as :func:`fund_path`)."""
    initial = _to_minor("initial_sizes", initial, unit)
    inflow = _to_minor("inflows", inflow, unit)
    loss = _to_minor("bad_debts", loss, unit)
    out = np.empty(initial.size)
    for j, f0 in enumerate(initial.tolist()):
        b = np.full(inflow.shape[0], f0, dtype=np.int64)
        hit = np.zeros(inflow.shape[0], bool)
        for t in range(inflow.shape[1]):
            d = loss[:, t]
            hit |= d > b
            b = b + inflow[:, t] - np.minimum(b, d)
        out[j] = hit.mean()
    return out


@dataclass(frozen=True)
class FundMonteCarlo:
    """Result of :func:`fund_monte_carlo` (USD). ``paths``: balance (paths × (days + 1)); ``bad_debt`` and
    ``uncovered`` (paths × days); ``exhaustion_probability``: share of paths where some bad debt went uncovered;
    ``quantile_levels`` and ``quantiles`` (levels × (days + 1)) for a fan chart."""

    paths: np.ndarray
    bad_debt: np.ndarray
    uncovered: np.ndarray
    exhaustion_probability: float
    quantile_levels: np.ndarray
    quantiles: np.ndarray


def _mc_inputs(fee_share, crash_rate, n_paths, n_days, daily_fees, crash_loss, tail_index, fee_vol):
    share = v.one("fee_share", v.unit_interval("fee_share", fee_share))
    rate = v.one("crash_rate", v.nonnegative("crash_rate", crash_rate))
    n_paths = v.integer("n_paths", n_paths, 1)
    n_days = v.integer("n_days", n_days, 1)
    fees = v.one("daily_fees", v.nonnegative("daily_fees", daily_fees))
    xm = v.one("crash_loss", v.positive("crash_loss", crash_loss))
    a = v.one("tail_index", v.as_array("tail_index", tail_index))
    if a <= 1:
        raise ValueError(f"tail_index must be > 1 (finite mean loss), got {tail_index!r}")
    fv = v.one("fee_vol", v.nonnegative("fee_vol", fee_vol))
    return share, rate, n_paths, n_days, fees, xm, a, fv


def fund_monte_carlo(
    initial: float,
    fee_share: float,
    crash_rate: float,
    n_paths: int = 2000,
    n_days: int = 365,
    seed=0,
    *,
    daily_fees: float = 100_000.0,
    crash_loss: float = 1_000_000.0,
    tail_index: float = 1.5,
    fee_vol: float = 0.3,
    quantile_levels: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    unit: float = 0.01,
) -> FundMonteCarlo:
    """A year of daily insurance-fund balances under the law of motion (TEACHING model).

    Inflow per day = ``fee_share`` × ``daily_fees`` (USD of trading fees) × a lognormal multiplier with mean 1 and
    log-sd ``fee_vol``. Crashes arrive as a Poisson process with ``crash_rate`` per year; each leaves a bad debt
    drawn from a Pareto distribution with minimum ``crash_loss`` (USD) and tail index ``tail_index`` > 1 (heavy
    tailed: a tail index of 1.5 has a finite mean and an infinite variance). ``initial`` USD ≥ 0.
    Same seed → same numbers; the draws do not depend on ``initial`` or ``fee_share`` (common random numbers).
    The fund's ledger runs in minor units of ``unit`` (:func:`fund_path`).
    """
    f0 = v.money("initial", initial)
    share, rate, n_paths, n_days, fees, xm, a, fv = _mc_inputs(
        fee_share, crash_rate, n_paths, n_days, daily_fees, crash_loss, tail_index, fee_vol)
    lv = np.atleast_1d(v.unit_interval("quantile_levels", quantile_levels))
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and isinstance(unit, float):
        # the same numbers as below, with the year's ledger inputs memoised (they do not depend on ``initial``)
        plan = _year_plan(n_paths, n_days, int(seed), rate, fv, a, float(share * fees), xm, unit)
        bal, paid = _motion_minor(np.full(n_paths, _start_minor(f0, plan, unit), np.int64), plan)
        balance = np.asarray(from_minor(bal, unit), dtype=float)
        uncovered = np.asarray(from_minor(plan.debt - paid, unit), dtype=float)
        res = FundPath(balance=balance, paid=np.asarray(from_minor(paid, unit), dtype=float), uncovered=uncovered)
    else:
        mult, loss = _year_draws(n_paths, n_days, seed, rate, fv, a)
        res = fund_path(np.full(n_paths, f0), (share * fees) * mult, xm * loss, unit=unit)
    q = _quantiles_of_sorted(np.sort(np.ascontiguousarray(res.balance.T), axis=1), lv).T
    return FundMonteCarlo(
        paths=res.balance,
        bad_debt=res.paid + res.uncovered,
        uncovered=res.uncovered,
        exhaustion_probability=float(res.exhausted.mean()),
        quantile_levels=lv,
        quantiles=q,
    )


def _quantiles_of_sorted(rows: np.ndarray, levels: np.ndarray, to_float=None) -> np.ndarray:
    """``np.quantile(rows, levels, axis=1).T`` (numpy's default "linear" method, the same floats) for ``rows``
    already sorted along axis 1: (rows, levels). Only the two neighbours of each level are read, so no copy and no
    partition. ``to_float`` turns the neighbours into the floats the quantiles are of (an order-keeping map such as
    :func:`from_minor`; sorted integers stay sorted under it)."""
    n = rows.shape[1]
    at = (n - 1) * np.asarray(levels, dtype=float)  # virtual index of each level
    lo = np.floor(at)
    hi = lo + 1
    top = at >= n - 1
    lo[top] = hi[top] = -1  # the largest value; its weight below is at - (-1) >= 0.5, so it is taken whole
    t = at - lo
    a, b = rows[:, lo.astype(np.intp)], rows[:, hi.astype(np.intp)]
    if to_float is not None:
        a, b = np.asarray(to_float(a), dtype=float), np.asarray(to_float(b), dtype=float)
    d = b - a
    return np.where(t >= 0.5, b - d * (1 - t), a + d * t)  # the interpolation numpy uses (exact at both ends)


@dataclass(frozen=True)
class FundFan:
    """Result of :func:`fund_fan`: what a fan chart of a simulated year needs (USD). ``quantiles``: levels ×
    (days + 1); ``shown``: the first ``n_show`` paths' balances; ``first_exhausted_day``: the day (1 … days) each
    shown path first left bad debt uncovered, NaN if never; ``exhaustion_probability`` over all ``n_paths``."""

    quantile_levels: np.ndarray
    quantiles: np.ndarray
    shown: np.ndarray
    first_exhausted_day: np.ndarray
    exhaustion_probability: float
    n_paths: int


def fund_fan(
    initial: float,
    fee_share: float,
    crash_rate: float,
    n_paths: int = 2000,
    n_days: int = 365,
    seed: int = 0,
    *,
    n_show: int = 3,
    daily_fees: float = 100_000.0,
    crash_loss: float = 1_000_000.0,
    tail_index: float = 1.5,
    fee_vol: float = 0.3,
    quantile_levels: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    unit: float = 0.01,
) -> FundFan:
    """The fan chart of :func:`fund_monte_carlo` (same model, same seed, the same numbers) without the full
    paths × days arrays in floats: quantiles of each day's balances, the first ``n_show`` paths and the exhaustion
    probability. Built for an explorer that reruns the year on every slider move (the year's draws are memoised,
    only the law of motion reruns). ``seed`` is an int here.

    >>> fan = fund_fan(5e6, 0.1, 2.0, n_paths=200, seed=0)
    >>> mc = fund_monte_carlo(5e6, 0.1, 2.0, n_paths=200, seed=0)
    >>> bool((fan.quantiles == mc.quantiles).all()), fan.exhaustion_probability == mc.exhaustion_probability
    (True, True)
    """
    f0 = v.money("initial", initial)
    share, rate, n_paths, n_days, fees, xm, a, fv = _mc_inputs(
        fee_share, crash_rate, n_paths, n_days, daily_fees, crash_loss, tail_index, fee_vol)
    lv = np.atleast_1d(v.unit_interval("quantile_levels", quantile_levels))
    seed = v.integer("seed", seed, 0)
    n_show = v.integer("n_show", n_show, 0, n_paths)
    unit = float(v.one("unit", v.positive("unit", unit)))
    plan = _year_plan(n_paths, n_days, seed, rate, fv, a, float(share * fees), xm, unit)
    b0 = _start_minor(f0, plan, unit)
    pay = _event_payments(np.full(n_paths, b0, np.int64), plan)
    short = pay < plan.amount  # a crash the fund could not cover in full
    exhausted = np.zeros(n_paths, bool)
    exhausted[plan.rows[short]] = True
    first = np.full(n_show, np.nan)
    mine = short & (plan.rows < n_show)
    r, at = np.unique(plan.rows[mine], return_index=True)  # events run by path, then by day: a path's first is first
    first[r] = plan.cols[mine][at] + 1.0
    # the balances day by day (days + 1 rows × paths), as _motion_minor computes them path by path
    by_day = np.empty((n_days + 1, n_paths), np.int64)
    by_day[0] = b0
    paid = by_day[1:]
    paid.fill(0)
    paid[plan.cols, plan.rows] = pay
    np.cumsum(paid, axis=0, out=paid)
    np.subtract(_cum_inflow_by_day(n_paths, n_days, seed, rate, fv, a, float(share * fees), xm, unit), paid, out=paid)
    paid += b0
    shown = np.asarray(from_minor(by_day[:, :n_show].T, unit), dtype=float).reshape(n_show, n_days + 1)
    by_day.sort(axis=1)  # sorted integers: the same order as their floats
    q = _quantiles_of_sorted(by_day, lv, lambda x: from_minor(x, unit)).T
    return FundFan(quantile_levels=lv, quantiles=np.ascontiguousarray(q), shown=shown,
                   first_exhausted_day=first, exhaustion_probability=float(exhausted.mean()), n_paths=n_paths)


def _start_minor(initial: float, plan: _MotionPlan, unit: float) -> int:
    """The initial balance in minor units, once it is known that no path's balance can pass 2**51 units."""
    b0 = _to_minor("initial", float(initial), unit)
    if b0 + int(plan.cum_inflow[:, -1].max()) >= MAX_EXACT_MINOR:
        raise ValueError("inflows are too large in total for exact minor units (initial + Σ inflows per path "
                         "must stay below 2**51 units)")
    return b0


@lru_cache(maxsize=8)
def _year_plan(n_paths, n_days, seed, rate, fee_vol, tail_index, inflow_per_day, crash_loss, unit):
    """The year's ledger inputs in minor units (the draws of :func:`_year_draws` scaled and rounded as
    :func:`fund_path` rounds them): memoised, read-only. A pure cache: the same arguments give the same numbers
    whatever was asked before."""
    mult, loss = _year_draws(n_paths, n_days, seed, rate, fee_vol, tail_index)
    inflow = _to_minor("inflows", inflow_per_day * mult, unit)
    debt = _to_minor("bad_debts", crash_loss * loss, unit)
    plan = _motion_plan(inflow, debt)
    for x in (*(getattr(plan, f) for f in ("inflow", "debt", "cum_inflow", "rows", "cols", "amount", "before")),
              *plan.by_rank):
        x.setflags(write=False)
    return plan


@lru_cache(maxsize=8)
def _cum_inflow_by_day(*plan_args) -> np.ndarray:
    """The running inflows of :func:`_year_plan` laid out day by day (days × paths): memoised, read-only."""
    out = np.ascontiguousarray(_year_plan(*plan_args).cum_inflow.T)
    out.setflags(write=False)
    return out


def exhaustion_probability_grid(
    initial_sizes,
    fee_shares,
    crash_rate: float = 2.0,
    n_paths: int = 2000,
    n_days: int = 365,
    seed=0,
    *,
    daily_fees: float = 100_000.0,
    crash_loss: float = 1_000_000.0,
    tail_index: float = 1.5,
    fee_vol: float = 0.3,
    unit: float = 0.01,
) -> np.ndarray:
    """Exhaustion probability (share of paths with uncovered bad debt in the year) for every pair of
    ``initial_sizes`` (USD ≥ 0) × ``fee_shares`` (in [0, 1]): an array (len(initial_sizes), len(fee_shares)).
    Same draws for every cell (common random numbers); model and ``unit`` as in :func:`fund_monte_carlo`."""
    sizes = v.vector("initial_sizes", v.nonnegative("initial_sizes", np.atleast_1d(initial_sizes)))
    shares = v.vector("fee_shares", v.unit_interval("fee_shares", np.atleast_1d(fee_shares)))
    _, rate, n_paths, n_days, fees, xm, a, fv = _mc_inputs(
        0.0, crash_rate, n_paths, n_days, daily_fees, crash_loss, tail_index, fee_vol)
    mult, loss = _year_draws(n_paths, n_days, seed, rate, fv, a)
    out = np.empty((sizes.size, shares.size))
    for j, s in enumerate(shares):
        out[:, j] = _exhaustion(sizes, (s * fees) * mult, xm * loss, unit)
    return out


def size_for_target(
    target_prob: float,
    fee_share: float = 0.1,
    crash_rate: float = 2.0,
    n_paths: int = 2000,
    n_days: int = 365,
    seed=0,
    *,
    daily_fees: float = 100_000.0,
    crash_loss: float = 1_000_000.0,
    tail_index: float = 1.5,
    fee_vol: float = 0.3,
    tol: float = 1_000.0,
    unit: float = 0.01,
) -> float:
    """Smallest initial fund (USD, to within ``tol``) whose simulated exhaustion probability is ≤ ``target_prob``
    (in [0, 1)). Bisection on the initial size with common random numbers, so the estimate is monotone in the size
    and deterministic for a seed. Model and ``unit`` as in :func:`fund_monte_carlo`; the size is a multiple of
    ``unit``."""
    tp = v.one("target_prob", v.unit_interval("target_prob", target_prob))
    if tp >= 1:
        return 0.0
    share, rate, n_paths, n_days, fees, xm, a, fv = _mc_inputs(
        fee_share, crash_rate, n_paths, n_days, daily_fees, crash_loss, tail_index, fee_vol)
    tol = v.one("tol", v.positive("tol", tol))
    mult, loss = _year_draws(n_paths, n_days, seed, rate, fv, a)
    inflow, bad = (share * fees) * mult, xm * loss

    def prob(x: float) -> float:
        return float(_exhaustion(np.array([x]), inflow, bad, unit)[0])

    if prob(0.0) <= tp:
        return 0.0
    hi = float(bad.sum(axis=1).max()) + 1.0  # no path can exhaust a fund larger than all its losses
    lo = 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if prob(mid) <= tp:
            hi = mid
        else:
            lo = mid
    up = int(_to_minor("size", hi, unit))
    up += int(float(from_minor(up, unit)) < hi)  # rounded up to the unit: a larger fund is never exhausted more often
    return float(from_minor(up, unit))


# ----------------------------------------------------------------------------------------------------------------
# Cramér–Lundberg (compound Poisson) ruin: a TEACHING model


def _cl(premium_rate, claim_rate, claim_mean):
    c = v.one("premium_rate", v.positive("premium_rate", premium_rate))
    lam = v.one("claim_rate", v.positive("claim_rate", claim_rate))
    mu = v.one("claim_mean", v.positive("claim_mean", claim_mean))
    if c <= lam * mu:
        raise ValueError(
            f"premium_rate must exceed claim_rate × claim_mean = {lam * mu!r} (net profit condition), got {c!r}"
        )
    return c, lam, mu


def adjustment_coefficient(premium_rate: float, claim_rate: float, claim_mean: float) -> float:
    """Lundberg adjustment coefficient R (1/USD) = 1/μ − λ/c for exponential claims with mean μ (USD), Poisson claim
    rate λ (per unit time) and premium (fee) income c (USD per unit time); requires c > λμ. Teaching model."""
    c, lam, mu = _cl(premium_rate, claim_rate, claim_mean)
    return 1.0 / mu - lam / c


def lundberg_bound(u, premium_rate: float, claim_rate: float, claim_mean: float):
    """Lundberg's bound on the infinite-horizon ruin probability, ψ(u) ≤ exp(−R u), for initial fund ``u`` (USD ≥ 0)."""
    uu = v.nonnegative("u", u)
    return v.scalar_or_array(np.exp(-adjustment_coefficient(premium_rate, claim_rate, claim_mean) * uu))


def ruin_probability_exponential(u, premium_rate: float, claim_rate: float, claim_mean: float):
    """Exact infinite-horizon ruin probability for exponential claims: ψ(u) = (λμ/c) exp(−R u), ``u`` USD ≥ 0."""
    c, lam, mu = _cl(premium_rate, claim_rate, claim_mean)
    uu = v.nonnegative("u", u)
    return v.scalar_or_array(lam * mu / c * np.exp(-(1.0 / mu - lam / c) * uu))


def ruin_monte_carlo(
    u: float,
    premium_rate: float,
    claim_rate: float,
    claim_mean: float,
    horizon: float,
    n_paths: int = 10_000,
    seed=0,
) -> tuple[float, float]:
    """Monte Carlo finite-horizon ruin probability of the compound-Poisson fund u + c t − Σ claims (USD).

    Ruin can only happen at a claim, so only claim instants up to ``horizon`` are simulated (exponential claims with
    mean ``claim_mean``). Returns (estimate, standard error). Converges up to ψ(u) as the horizon grows.
    """
    u = v.one("u", v.nonnegative("u", u))
    c, lam, mu = _cl(premium_rate, claim_rate, claim_mean)
    h = v.one("horizon", v.positive("horizon", horizon))
    n_paths = v.integer("n_paths", n_paths, 1)
    g = v.rng(seed)
    m = lam * h
    k = int(m + 8 * np.sqrt(m) + 10)
    gaps = g.exponential(1.0 / lam, size=(n_paths, k))
    claims = g.exponential(mu, size=(n_paths, k))
    times = np.cumsum(gaps, axis=1)
    while np.any(times[:, -1] <= h):  # rare: extend until every path passes the horizon
        more = g.exponential(1.0 / lam, size=(n_paths, k))
        times = np.concatenate([times, times[:, -1:] + np.cumsum(more, axis=1)], axis=1)
        claims = np.concatenate([claims, g.exponential(mu, size=(n_paths, k))], axis=1)
    surplus = u + c * times - np.cumsum(claims, axis=1)
    ruined = np.any((surplus < 0) & (times <= h), axis=1)
    p = float(ruined.mean())
    return p, float(np.sqrt(p * (1 - p) / n_paths))

"""The rulebook: every loss rule the course teaches, defined once, each a short function over a ``Book``.

A rule answers one question: a ``shortfall`` (money the venue still has to find after the defaulter's collateral
and its insurance fund) is left over a ``book`` of accounts; who pays what? Every rule has the same signature,
``rule(book, shortfall, *, unit=0.01, **params) -> Allocation``, and is built from the two exact integer primitives
of ``allocation``: ``sequential_minor`` (a queue or a waterfall: layers drawn one after the other) and
``pro_rata_minor`` (a split in proportion to weights, each account at most its cap). Money is exact in integer
minor units: Σ charges + Σ external + uncovered = shortfall to the unit, nobody is charged below zero or above its
cap, and no position is closed beyond what it holds.

Accounts whose equity at the mark is negative are the ones being socialized: no rule charges their trading equity
(clawbacks, pro-rata bases, haircuts, ADL). The backstops charge stakes and fund contributions, which are money
apart from the trading account.

The rules and their registry names (``RULES``; the only vocabulary the simulator, widgets, checks and lessons use):

=========================  ===========================================================  =========================
name                       who pays                                                     cap per account
=========================  ===========================================================  =========================
``clawback``               profitable accounts, one rate on each profit (OKEx 2018)     its profit
``clawback_uncapped``      profitable accounts, pro rata to profit, rate may pass 100 % none
``contracts_pro_rata``     every open position, long and short, per contract (Drift v2)  none
``deposit_index_haircut``  depositors, pro rata to deposits (Mango v4)                  its deposit
``withdrawal_factor``      accounts that withdraw, a factor on the withdrawal (Paradex) its withdrawal
``capped_pro_rata``        winners, water-filled haircut h_i = min(η, β_i) (Chitra)     β_i × its profit
``pnl_haircut_queue``      winners in queue order, whole profits (Chitra's abstraction)  its profit
``venue_adl``              ranked opposite positions closed at the venue's price        what closing costs it
``vault_backstop``         a vault's depositors, pro rata to their stake (HLP, GLP)     its stake
``staker_backstop``        a first-loss offset, then stakers (Aave Umbrella, Drift IF)  max_slash × its stake
``ccp_waterfall``          defaulter's fund, CCP capital, members' fund, assessments,   its contributions,
                           variation-margin gains haircut (Nasdaq Clearing 2018)        caps and gains
=========================  ===========================================================  =========================

``pnl_haircut_queue`` is the PnL-haircut abstraction of Tarun Chitra, "Autodeleveraging: Impossibilities and
Optimization", arXiv:2512.01112 (https://arxiv.org/abs/2512.01112v3): it seizes profits, it does not close
positions. Venues' own ADL is ``venue_adl`` (contract space, see ``venue_adl``): it closes quantities at a price
read from the venue's row of ``venues`` (bankruptcy price, previous oracle price or mark).

Sources for each venue rule: the modules ``socialize`` (clawback, Drift, Mango, Paradex), ``haircuts`` (Chitra),
``backstop`` (vaults, stakers), ``waterfall`` (CCP) and the venue rows in ``data/venues.toml``.

Example
-------
>>> book = Book(sizes=[3.0, 1.0, -4.0], entry_prices=100.0, collateral=[100.0, 100.0, 30.0], mark_price=110.0)
>>> book.equity.tolist()
[130.0, 110.0, -10.0]
>>> a = apply_rule("clawback", book, 10.0)
>>> a.charges.tolist(), a.uncovered
([7.5, 2.5, 0.0], 0.0)
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from fractions import Fraction

import numpy as np

from . import validate as v
from .allocation import _scale, from_minor, pro_rata_minor, sequential_minor
from .ledger import Allocation, Book

__all__ = [
    "CCP_LAYERS",
    "MECHANISM_LABELS",
    "RULES",
    "Allocation",
    "Book",
    "apply_rule",
    "capped_pro_rata",
    "ccp_waterfall",
    "ccp_waterfall_layers",
    "clawback",
    "clawback_uncapped",
    "contracts_pro_rata",
    "deposit_index_haircut",
    "pnl_haircut_queue",
    "rule_params",
    "staker_backstop",
    "vault_backstop",
    "venue_adl",
    "withdrawal_factor",
]

_MAX_MINOR = 2**53


# --------------------------------------------------------------------------------------------------------------
# money in and out (private helpers shared by the rules)


def _check_book(book) -> Book:
    return v.instance("book", book, Book)


def _scalar(name: str, value, low: float | None = 0.0, high: float | None = None) -> float:
    x = v.number(name, value)
    if (low is not None and x < low) or (high is not None and x > high):
        lo = "-∞" if low is None else low
        hi = "∞" if high is None else high
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")
    return x


def _amount(name: str, value, unit) -> int:
    """A single money amount ≥ 0 → int minor units (nearest, ties to even), naming ``name`` on error."""
    x = _scalar(name, value)
    q = x * _scale(unit)
    if q > _MAX_MINOR:
        raise ValueError(f"{name} is too large for exact minor units ({name} / unit must be ≤ 2**53), got {value!r}")
    return int(np.rint(q))


def _caps(name: str, values, unit) -> np.ndarray:
    """Money ≥ 0 per account → int64 minor units rounded *down* (a cap is never above the money it stands for),
    snapping to the nearest unit when within float noise of it (0.29 / 0.01 = 28.999… → 29; 6,000,000.006 → 600,000,000
    cents, never up)."""
    arr = np.asarray(values, dtype=float)
    q = arr * _scale(unit)
    if np.any(np.abs(q) > _MAX_MINOR):
        raise ValueError(f"{name} is too large for exact minor units (each / unit must be ≤ 2**53)")
    r = np.rint(q)
    # float noise only: a millionth of a unit plus a few ulps (a relative tolerance would round 6,000,000.006 up to
    # 6,000,000.01 and let a capped rule charge above the cap)
    out = np.where(np.abs(q - r) <= 1e-6 + 16 * np.spacing(np.abs(q)), r, np.floor(q))
    out = np.maximum(out, 0).astype(np.int64)
    if float(out.sum(dtype=float)) > 2**62:
        raise ValueError(f"{name} are too large in total for exact int64 minor units (Σ / unit must be ≤ 2**62)")
    return out


def _per_account(name: str, value, n: int, low: float = 0.0, high: float | None = None) -> np.ndarray:
    """A number or one number per account, within [low, high]; broadcast to n."""
    arr = v.as_array(name, value)
    if arr.ndim > 1 or (arr.ndim == 1 and len(arr) != n):
        raise ValueError(f"{name} must be a single number or one value per account ({n}), got shape {arr.shape}")
    if np.any(arr < low) or (high is not None and np.any(arr > high)):
        hi = "∞" if high is None else high
        raise ValueError(f"{name} must be in [{low}, {hi}], got {value!r}")
    return np.broadcast_to(arr, (n,)).astype(float)


def _payers(book: Book) -> np.ndarray:
    """Accounts that can be charged: equity at the mark ≥ 0 (the underwater ones are being socialized)."""
    return book.equity >= 0


def _profits(book: Book) -> np.ndarray:
    """Positive unrealized PnL of the payers (money ≥ 0), zero elsewhere."""
    return np.where(_payers(book), np.maximum(book.pnl, 0.0), 0.0)


def _result(rule: str, book: Book, S: int, x: np.ndarray, unit, *, caps=None, external=None, closed=None,
            fees=None, close_prices=None) -> Allocation:
    """Build the Allocation from integer charges ``x`` (minor units) and external draws (minor units); ``caps``
    int64 minor units, or floats that are inf where the rule has no cap."""
    ext = {} if external is None else dict(external)
    x = np.asarray(x, dtype=np.int64).reshape(book.n)
    rest = S - int(np.sum(x, dtype=np.int64)) - sum(ext.values())
    if rest < 0:
        raise RuntimeError(f"internal: rule {rule} placed more than the shortfall ({-rest} minor units)")
    f = lambda n: float(from_minor(int(n), unit))
    charges = np.asarray(from_minor(x, unit), dtype=float).reshape(book.n)
    if caps is not None:
        caps = np.asarray(caps)
        if caps.dtype.kind in "iu":
            caps = np.array(from_minor(caps.astype(np.int64), unit), dtype=float).reshape(book.n)
        else:
            inf = np.isinf(caps)
            caps = np.where(inf, np.inf, np.asarray(from_minor(np.where(inf, 0, caps).astype(np.int64), unit),
                                                    dtype=float)).reshape(book.n)
    ext_f = {k: f(val) for k, val in ext.items()}
    if fees is None and close_prices is None:
        return Allocation._trusted(rule, charges.copy() if charges is x else charges,
                                   None if closed is None else np.array(closed, dtype=float), f(rest), unit, f(S),
                                   caps, ext_f)
    return Allocation(rule=rule, charges=charges, closed=np.zeros(book.n) if closed is None else closed,
                      uncovered=f(rest), unit=unit, shortfall=f(S), caps=caps, fees=fees, close_prices=close_prices,
                      external=ext_f)


def _inf(n: int) -> np.ndarray:
    return np.full(n, np.inf)


# --------------------------------------------------------------------------------------------------------------
# the rules


_BLOCK = 512  # accounts per block: 512 caps of at most 2**53 minor units sum to at most 2**62


def _caps_any_total(name: str, values, unit) -> np.ndarray:
    """``_caps`` for rules whose caps only go to ``pro_rata_minor`` (which sums exactly at any size): converted in
    blocks whose totals fit int64, so a book whose caps add up beyond 2**62 minor units is still shared exactly."""
    arr = np.asarray(values, dtype=float)
    if len(arr) <= _BLOCK:
        return _caps(name, arr, unit)
    return np.concatenate([_caps(name, arr[i:i + _BLOCK], unit) for i in range(0, len(arr), _BLOCK)])


def clawback(book: Book, shortfall, *, unit: float = 0.01) -> Allocation:
    """Profit clawback (OKEx futures 2018, Huobi BitVC 2014): every profitable account pays one rate on its profit.

    rate = min(shortfall ÷ Σ profits, 1); charge_i = rate × profit_i (money), never above the profit; the rest is
    uncovered. Profit = positive unrealized PnL at the mark.

    >>> b = Book([2.0, 1.0, -3.0], 100.0, [50.0, 50.0, 40.0], 110.0)
    >>> clawback(b, 15.0).charges.tolist()
    [10.0, 5.0, 0.0]
    >>> clawback(b, 45.0).uncovered
    15.0
    """
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    cap = _caps_any_total("profits", _profits(book), unit)
    x = pro_rata_minor(S, cap, cap)
    return _result("clawback", book, S, x, unit, caps=cap)


def clawback_uncapped(book: Book, shortfall, *, unit: float = 0.01) -> Allocation:
    """Uncapped clawback: profitable accounts pay pro rata to their profit even when the rate passes 100 %.

    Everything is covered if any account is in profit; otherwise the whole shortfall is uncovered.

    >>> b = Book([2.0, 1.0, -3.0], 100.0, [50.0, 50.0, 40.0], 110.0)
    >>> clawback_uncapped(b, 45.0).charges.tolist()
    [30.0, 15.0, 0.0]
    """
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    x = pro_rata_minor(S, _profits(book))
    return _result("clawback_uncapped", book, S, x, unit, caps=_inf(book.n))


def contracts_pro_rata(book: Book, shortfall, *, unit: float = 0.01) -> Allocation:
    """Contracts-pro-rata (Drift v2): every open position, long and short, pays the same amount per contract.

    charge_i ∝ |size_i|; per contract = shortfall ÷ Σ|size| (Drift adds it to the longs' cumulative funding and
    takes it from the shorts'). Drift's test: 100 over sizes 7 and −4 → 63.64 and 36.36. No open interest: all
    uncovered.

    >>> b = Book([7.0, -4.0], 100.0, 1000.0, 100.0)
    >>> contracts_pro_rata(b, 100.0).charges.tolist()
    [63.64, 36.36]
    """
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    x = pro_rata_minor(S, np.where(_payers(book), np.abs(book.sizes), 0.0))
    return _result("contracts_pro_rata", book, S, x, unit, caps=_inf(book.n))


def deposit_index_haircut(book: Book, shortfall, *, unit: float = 0.01) -> Allocation:
    """Deposit-index haircut (Mango v4 ``TokenBankruptcy``): depositors lose the same fraction of their deposit.

    Deposits are the accounts' positive collateral; charge_i = shortfall ÷ Σ deposits × deposit_i, never above the
    deposit; what exceeds the deposits is uncovered.

    >>> b = Book([0.0, 0.0, 0.0], 1.0, [600.0, 300.0, 100.0], 1.0)
    >>> deposit_index_haircut(b, 100.0).charges.tolist()
    [60.0, 30.0, 10.0]
    """
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    cap = _caps_any_total("deposits", np.where(_payers(book), np.maximum(book.collateral, 0.0), 0.0), unit)
    x = pro_rata_minor(S, cap, cap)
    return _result("deposit_index_haircut", book, S, x, unit, caps=cap)


def withdrawal_factor(book: Book, shortfall, *, withdrawals=None, factor=None, unit: float = 0.01) -> Allocation:
    """Withdrawal factor (Paradex): while a shortfall is open, each withdrawal is cut by the same factor.

    factor = shortfall ÷ Σ claims, claims = positive equity; account i withdrawing w_i (money, at most its equity)
    is charged factor × w_i. Only withdrawers pay; the rest stays uncovered until others withdraw. Default
    ``withdrawals``: everybody withdraws everything (then the whole shortfall is covered when the claims allow).
    ``factor`` (in [0, 1], a number or one per account) sets the published factor itself instead: each withdrawal
    is then charged factor × w_i rounded to the unit on its own (ties to even), at most its withdrawal, and in
    total at most the shortfall (scaled down pro rata if the factor would raise more).

    >>> b = Book([0.0, 0.0], 1.0, [600.0, 400.0], 1.0)
    >>> a = withdrawal_factor(b, 100.0, withdrawals=[300.0, 0.0])
    >>> a.charges.tolist(), a.uncovered
    ([30.0, 0.0], 70.0)
    >>> withdrawal_factor(b, 100.0, withdrawals=[300.0, 0.0], factor=0.05).charges.tolist()
    [15.0, 0.0]
    """
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    claims = _caps("equity", np.where(_payers(book), book.equity, 0.0), unit)
    if withdrawals is None:
        W = claims
    else:
        w = _per_account("withdrawals", withdrawals, book.n)
        W = _caps("withdrawals", w, unit)
        if np.any(W > claims):
            i = int(np.argmax(W > claims))
            raise ValueError(f"withdrawals must be ≤ each account's equity (account {i} has "
                             f"{float(from_minor(int(claims[i]), unit))}), got {withdrawals!r}")
    if factor is not None:
        f = _per_account("factor", factor, book.n, 0.0, 1.0)
        x = np.minimum(np.rint(W * f).astype(np.int64), W)
        if int(x.sum()) > S:
            x = pro_rata_minor(S, x, x)
        return _result("withdrawal_factor", book, S, x, unit, caps=W)
    E = int(claims.sum())
    T = 0 if E == 0 else min(S, round(Fraction(S * int(W.sum()), E)))
    x = pro_rata_minor(T, W, W)
    return _result("withdrawal_factor", book, S, x, unit, caps=W)


def capped_pro_rata(book: Book, shortfall, *, beta=1.0, severity=1.0, unit: float = 0.01) -> Allocation:
    """Capped pro-rata haircut (Chitra, arXiv:2512.01112): winners lose h_i = min(η, β_i) of their profit.

    The budget is severity × shortfall (θ ∈ [0, 1]); η is set so Σ h_i × profit_i = budget (water-filling).
    ``beta`` ∈ [0, 1] caps each haircut (a number or one per account). The unspent (1 − θ) and whatever the
    caps leave out are uncovered. With β = 1 and θ = 1 it is the capped clawback.

    >>> b = Book([8.0, 4.0, 0.5], 100.0, [2.0, 1.0, 0.5], 101.0)
    >>> capped_pro_rata(b, 15.0, severity=0.5).charges.tolist()
    [4.8, 2.4, 0.3]
    """
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    b = _per_account("beta", beta, book.n, 0.0, 1.0)
    theta = _scalar("severity", severity, 0.0, 1.0)
    w = _caps("profits", _profits(book), unit)
    cap = _caps("beta × profits", b * w / _scale(unit), unit)
    x = pro_rata_minor(round(Fraction(S) * Fraction(theta)), w, cap)
    return _result("capped_pro_rata", book, S, x, unit, caps=cap)


def pnl_haircut_queue(book: Book, shortfall, *, order=None, severity=1.0, unit: float = 0.01) -> Allocation:
    """The PnL-haircut queue, Chitra's abstraction of ADL (arXiv:2512.01112): whole profits seized in queue order.

    Winners are taken one after the other (largest profit first by default, or ``order``: a permutation of the
    account indices), each losing its whole profit, the last one partly, until severity × shortfall is raised.
    Nothing is closed: this is the paper's model, not a venue's contract-space ADL (see ``venue_adl``).
    Paper's example: profits (8, 4, 0.5), D = 15, θ = ½, order (2, 1, 3) → haircuts (3.5, 4, 0).

    >>> b = Book([8.0, 4.0, 0.5], 100.0, [2.0, 1.0, 0.5], 101.0)
    >>> pnl_haircut_queue(b, 15.0, severity=0.5, order=[1, 0, 2]).charges.tolist()
    [3.5, 4.0, 0.0]
    """
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    theta = _scalar("severity", severity, 0.0, 1.0)
    w = _caps("profits", _profits(book), unit)
    if order is None:
        order = np.lexsort((np.arange(book.n), -w))
    x = sequential_minor(round(Fraction(S) * Fraction(theta)), w, order)
    return _result("pnl_haircut_queue", book, S, x, unit, caps=w)


def venue_adl(book: Book, shortfall, *, venue="bitmex", bankrupt=None, quantity=None, bankruptcy_price=None,
              previous_price=None, scores=None, insurance_fund=0.0, fund_peak=None, force=False, seed=0,
              fee_rate=None, lot: float = 1e-8, unit: float = 0.01) -> Allocation:
    """Contract-space ADL as a venue runs it: close the bankrupt quantity against ranked opposite positions.

    Trigger, ranking, close price and fee come from the venue's row (``venues.venue(venue)``); see
    ``venue_adl.deleverage`` for every parameter. ``closed`` holds each counterparty's closed quantity, ``charges``
    what closing at the close price instead of the mark costs it ((mark − close) × qty, sign-aware), ``fees`` the
    venue's fee on top.

    >>> b = Book([-20.0, 10.0, 10.0], [600.0, 500.0, 550.0], [1000.0, 5000.0, 5000.0], 660.0)
    >>> a = venue_adl(b, 200.0, venue="bitmex", bankrupt=0)
    >>> a.closed.tolist(), a.close_prices.tolist()[1:], a.charges.tolist(), a.uncovered
    ([20.0, 10.0, 10.0], [650.0, 650.0], [0.0, 100.0, 100.0], 0.0)
    """
    from .venue_adl import (
        deleverage,  # the contract-space engine builds on Book/Allocation too
    )

    return deleverage(book, shortfall, venue=venue, bankrupt=bankrupt, quantity=quantity,
                      bankruptcy_price=bankruptcy_price, previous_price=previous_price, scores=scores,
                      insurance_fund=insurance_fund, fund_peak=fund_peak, force=force, seed=seed, fee_rate=fee_rate,
                      lot=lot, unit=unit)


def vault_backstop(book: Book, shortfall, *, stakes, unit: float = 0.01) -> Allocation:
    """A liquidity vault as the backstop (Hyperliquid HLP, GMX GLP/GM): its depositors share the loss pro rata.

    ``stakes``: each account's claim on the vault (money ≥ 0, 0 for non-depositors); nobody loses more than its
    stake; what exceeds the vault is uncovered.

    >>> b = Book([0.0, 0.0, 0.0], 1.0, 0.0, 1.0)
    >>> vault_backstop(b, 30.0, stakes=[100.0, 50.0, 0.0]).charges.tolist()
    [20.0, 10.0, 0.0]
    """
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    cap = _caps_any_total("stakes", _per_account("stakes", stakes, book.n), unit)
    x = pro_rata_minor(S, cap, cap)
    return _result("vault_backstop", book, S, x, unit, caps=cap)


def staker_backstop(book: Book, shortfall, *, stakes, offset=0.0, max_slash=1.0, unit: float = 0.01) -> Allocation:
    """Stakers as the backstop (Aave Umbrella, Drift's insurance-fund stakers): a first-loss ``offset`` (money ≥ 0,
    outside the book, e.g. Umbrella's DAO-funded deficit offset) pays first, then stakers are slashed pro rata to
    ``stakes``, each at most ``max_slash`` (∈ [0, 1]) of its stake; the rest is uncovered.

    >>> b = Book([0.0, 0.0], 1.0, 0.0, 1.0)
    >>> a = staker_backstop(b, 50.0, stakes=[100.0, 100.0], offset=10.0)
    >>> a.external["offset"], a.charges.tolist()
    (10.0, [20.0, 20.0])
    """
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    st = _per_account("stakes", stakes, book.n)
    m = _scalar("max_slash", max_slash, 0.0, 1.0)
    cap = _caps("stakes × max_slash", st * m, unit)
    first, to_stakers = sequential_minor(S, np.array([_amount("offset", offset, unit), int(cap.sum())]))
    x = pro_rata_minor(int(to_stakers), cap, cap)
    return _result("staker_backstop", book, S, x, unit, caps=cap, external={"offset": int(first)})


#: The layers of ``ccp_waterfall``, in the order they are drawn (``ccp_waterfall_layers`` returns one entry each).
CCP_LAYERS = ("defaulter_margin", "defaulter_default_fund", "skin_in_the_game", "member_default_fund",
              "assessments", "vm_gains_haircut")


def _ccp(book, shortfall, default_fund, defaulter, skin_in_the_game, assessment_multiple, vm_gains_haircut,
         defaulter_margin, assessments, unit):
    """The waterfall in minor units: (S, {layer: draw}, {layer: per-account int64 charges}, per-account caps)."""
    book = _check_book(book)
    S = _amount("shortfall", shortfall, unit)
    df = _caps("default_fund", _per_account("default_fund", default_fund, book.n), unit)
    own = np.zeros(book.n, dtype=np.int64)
    other = np.ones(book.n, dtype=bool)
    if defaulter is not None:
        d = book.index(defaulter)
        own[d], df, other[d] = df[d], np.where(np.arange(book.n) == d, 0, df), False
    mult = _scalar("assessment_multiple", assessment_multiple, 0.0)
    if assessments is None:
        assess = _caps("assessments", df * mult / _scale(unit), unit)
    else:
        assess = np.where(other, _caps("assessments", _per_account("assessments", assessments, book.n), unit), 0)
    gains = _caps("vm_gains", _profits(book), unit) if vm_gains_haircut else np.zeros(book.n, dtype=np.int64)
    gains = np.where(other, gains, 0)
    margin = _amount("defaulter_margin", defaulter_margin, unit)
    sitg = _amount("skin_in_the_game", skin_in_the_game, unit)
    layers = np.array([margin, own.sum(), sitg, df.sum(), assess.sum(), gains.sum()], dtype=np.int64)
    drawn = dict(zip(CCP_LAYERS, (int(t) for t in sequential_minor(S, layers))))
    per = {
        "defaulter_default_fund": sequential_minor(drawn["defaulter_default_fund"], own),
        "member_default_fund": pro_rata_minor(drawn["member_default_fund"], df, df),
        "assessments": pro_rata_minor(drawn["assessments"], assess, assess),
        "vm_gains_haircut": pro_rata_minor(drawn["vm_gains_haircut"], gains, gains),
    }
    return book, S, drawn, per, own + df + assess + gains


def ccp_waterfall(book: Book, shortfall, *, default_fund, defaulter=None, skin_in_the_game=0.0,
                  assessment_multiple=1.0, vm_gains_haircut=True, defaulter_margin=0.0, assessments=None,
                  unit: float = 0.01) -> Allocation:
    """The clearing-house default waterfall for the loss beyond the defaulter's margin (Nasdaq Clearing 2018).

    Layers in order, each used only when the previous ones are spent: (0) the defaulter's initial margin,
    ``defaulter_margin`` (money, default 0: the shortfall is usually counted after it; ``external``), (1) the
    ``defaulter``'s own default-fund contribution, (2) the CCP's ``skin_in_the_game`` (money, outside the book:
    ``external``), (3) the other members' ``default_fund`` contributions pro rata, (4) assessments (cash calls) pro
    rata, each member at most ``assessment_multiple`` × its contribution (or at most its entry of ``assessments``,
    money per account, when given), (5) a haircut of variation-margin gains (positive PnL) pro rata, if
    ``vm_gains_haircut``; the rest is uncovered (tear-up). Nasdaq 2018: €114M past the margin, €7M of its own
    capital, then €107M ≈ two thirds of the members' fund. ``ccp_waterfall_layers`` gives each layer's draws.

    >>> b = Book([0.0, 0.0, 0.0], 1.0, 0.0, 1.0, names=("Aas", "A", "B"))
    >>> a = ccp_waterfall(b, 114.0, default_fund=[0.0, 80.25, 80.25], defaulter="Aas", skin_in_the_game=7.0)
    >>> a.external["skin_in_the_game"], a.charges.tolist()
    (7.0, [0.0, 53.5, 53.5])
    """
    book, S, drawn, per, caps = _ccp(book, shortfall, default_fund, defaulter, skin_in_the_game,
                                     assessment_multiple, vm_gains_haircut, defaulter_margin, assessments, unit)
    x = sum(per.values())
    ext = {"skin_in_the_game": drawn["skin_in_the_game"]}
    if drawn["defaulter_margin"]:
        ext["defaulter_margin"] = drawn["defaulter_margin"]
    return _result("ccp_waterfall", book, S, x, unit, caps=caps, external=ext)


def ccp_waterfall_layers(book: Book, shortfall, *, default_fund, defaulter=None, skin_in_the_game=0.0,
                         assessment_multiple=1.0, vm_gains_haircut=True, defaulter_margin=0.0, assessments=None,
                         unit: float = 0.01) -> dict:
    """``ccp_waterfall`` layer by layer: for each name of ``CCP_LAYERS`` what it gave (money; a per-account array
    for ``defaulter_default_fund``, ``member_default_fund``, ``assessments`` and ``vm_gains_haircut``, a number for
    ``defaulter_margin`` and ``skin_in_the_game``), and ``uncovered``. Same parameters as ``ccp_waterfall``; the
    arrays add up to its ``charges`` exactly.

    >>> b = Book([0.0, 0.0, 0.0], 1.0, 0.0, 1.0, names=("Aas", "A", "B"))
    >>> r = ccp_waterfall_layers(b, 120.0, default_fund=[4.0, 80.25, 80.25], defaulter="Aas", defaulter_margin=2.0)
    >>> r["defaulter_margin"], r["defaulter_default_fund"].tolist(), r["member_default_fund"].tolist()
    (2.0, [4.0, 0.0, 0.0], [0.0, 57.0, 57.0])
    """
    book, S, drawn, per, _ = _ccp(book, shortfall, default_fund, defaulter, skin_in_the_game, assessment_multiple,
                                  vm_gains_haircut, defaulter_margin, assessments, unit)
    money = lambda n: float(from_minor(int(n), unit))
    out: dict = {}
    for name in CCP_LAYERS:
        out[name] = (np.asarray(from_minor(per[name], unit), dtype=float) if name in per else money(drawn[name]))
    out["uncovered"] = money(S - sum(drawn.values()))
    return out


# --------------------------------------------------------------------------------------------------------------
# the registry

RULES: Mapping[str, Callable[..., Allocation]] = {
    "clawback": clawback,
    "clawback_uncapped": clawback_uncapped,
    "contracts_pro_rata": contracts_pro_rata,
    "deposit_index_haircut": deposit_index_haircut,
    "withdrawal_factor": withdrawal_factor,
    "capped_pro_rata": capped_pro_rata,
    "pnl_haircut_queue": pnl_haircut_queue,
    "venue_adl": venue_adl,
    "vault_backstop": vault_backstop,
    "staker_backstop": staker_backstop,
    "ccp_waterfall": ccp_waterfall,
}

MECHANISM_LABELS: dict[str, str] = {
    "clawback": "Profit clawback (capped at each profit)",
    "clawback_uncapped": "Profit clawback (uncapped)",
    "contracts_pro_rata": "Contracts pro rata (Drift v2)",
    "deposit_index_haircut": "Deposit-index haircut (Mango v4)",
    "withdrawal_factor": "Withdrawal factor (Paradex)",
    "capped_pro_rata": "Capped pro-rata haircut (Chitra)",
    "pnl_haircut_queue": "PnL-haircut queue (the ADL paper's abstraction)",
    "venue_adl": "Auto-deleveraging, contract space (per venue)",
    "vault_backstop": "Vault backstop (HLP, GLP)",
    "staker_backstop": "Staker backstop (Aave Umbrella, Drift IF)",
    "ccp_waterfall": "Clearing-house default waterfall",
}


def _keyword_params(fn) -> tuple[str, ...]:
    params = inspect.signature(fn).parameters
    return tuple(p for p, spec in params.items()
                 if spec.kind is inspect.Parameter.KEYWORD_ONLY and p != "unit")


_PARAMS = {name: _keyword_params(fn) for name, fn in RULES.items()}


def rule_params(name: str) -> tuple[str, ...]:
    """The keyword parameters rule ``name`` accepts besides ``unit`` (e.g. ``("stakes",)`` for vault_backstop).

    >>> rule_params("staker_backstop")
    ('stakes', 'offset', 'max_slash')
    """
    return _PARAMS[v.choice("name", name, tuple(RULES))]


def apply_rule(name: str, book: Book, shortfall, *, unit: float = 0.01, **params) -> Allocation:
    """Apply the rule registered as ``name`` (one of ``RULES``) to ``book`` and ``shortfall`` (money ≥ 0).

    ``params`` are the rule's own keyword parameters (``rule_params(name)``); an unknown one is a TypeError naming
    it and the allowed ones.

    >>> b = Book([7.0, -4.0], 100.0, 1000.0, 100.0)
    >>> apply_rule("contracts_pro_rata", b, 100.0).charges.tolist()
    [63.64, 36.36]
    """
    if not isinstance(name, str) or name not in RULES:
        raise ValueError(f"name must be one of {', '.join(map(repr, RULES))}; got {name!r}")
    allowed = rule_params(name)
    unknown = [k for k in params if k not in allowed]
    if unknown:
        raise TypeError(f"rule {name!r} takes no parameter {', '.join(map(repr, unknown))}; it accepts "
                        f"{', '.join(map(repr, allowed)) or 'none besides unit'}")
    return RULES[name](book, shortfall, unit=unit, **params)

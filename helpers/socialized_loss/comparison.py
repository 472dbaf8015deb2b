"""Comparing loss-sharing rules on the lessons' books: lesson 08's one book through every mechanism, measured for
fairness, and lesson 04's one loss over three bases (:func:`socialization_state`).

Lesson 08

Pick a book (:func:`socialized_loss.books.mechanism_books`) and a mechanism; see who pays, the fairness metrics
(:mod:`socialized_loss.fairness`) and what happens when one account splits itself into several (a Sybil split,
:func:`socialized_loss.fairness.sybil_split`). The mechanisms carry the rule registry's names:

- ``"none"``: the insurance fund only (``insurance.cover``), then nothing: what the fund cannot pay stays uncovered;
- ``"clawback"`` (OKEx/Huobi style): the same share of every winner's profit, at most all of it;
- ``"contracts_pro_rata"`` (Drift v2): every open position pays per contract;
- ``"deposit_index_haircut"`` (Mango): every deposit, traders' or not, pays pro rata;
- ``"pnl_haircut_queue"``: the ADL paper's wealth-space abstraction of an ADL queue (Chitra, arXiv:2512.01112 v3):
  whole profits seized in the order of profit × leverage (``adl.hyperliquid_adl_score``) — not a venue's
  contract-space ADL, which closes positions;
- ``"capped_pro_rata"`` (Chitra's water-filling) with per-account caps β;
- ``"ccp_waterfall"``: a clearing-house default waterfall: the venue's skin in the game, the members' default fund,
  assessments, then variation-margin gains haircutting.

The insurance fund pays first under every mechanism; each mechanism then covers the rest, the *budget* B.

Lesson-specific choices made here (not venue rules): capped pro-rata caps a calm winner (leverage ≤ 2×) at
``calm_cap`` of its profit and everyone else at 100 %; the waterfall's members pay 5 % of their collateral into a
default fund and owe at most as much again in assessments; the venue's skin in the game is a fixed amount per book.

>>> r = mechanism_charges("lesson", "clawback")
>>> r["budget"], float(r["charges"].sum()), r["uncovered"]
(7500.0, 7500.0, 0.0)
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import adl, fairness, rules
from . import validate as v
from ._plain import cash_book, minor, on_grid, position_book, profit_book
from .allocation import _exact_sum, _to_minor
from .books import PRICE, MechanismBook, mechanism_books, socialization_book
from .books import leverage as _leverage

__all__ = [
    "BASES",
    "CALM_LEVERAGE",
    "MECHANISMS",
    "MECHANISM_LABELS",
    "mechanism_books",
    "mechanism_charges",
    "mechanism_rule",
    "mechanism_table",
    "mechanisms_state",
    "moral_hazard_transfer",
    "socialization_state",
]

#: The mechanisms, in the order the lesson and the explorer list them (the rule registry's names; "none" = the
#: insurance fund alone).
MECHANISMS = (
    "none",
    "clawback",
    "contracts_pro_rata",
    "deposit_index_haircut",
    "pnl_haircut_queue",
    "capped_pro_rata",
    "ccp_waterfall",
)

#: A short human label for each mechanism, for tables and widgets.
MECHANISM_LABELS = {
    "none": "insurance fund only",
    "clawback": "clawback",
    "contracts_pro_rata": "contracts pro-rata",
    "deposit_index_haircut": "deposit haircut",
    "pnl_haircut_queue": "PnL-haircut queue",
    "capped_pro_rata": "capped pro-rata",
    "ccp_waterfall": "default waterfall",
}

CALM_LEVERAGE = 2.0  # ×: a winner at or below this leverage counts as "calm" for the capped pro-rata caps


def _calm_caps(notional, equity, calm_cap: float) -> np.ndarray:
    return np.where(_leverage(notional, equity) <= CALM_LEVERAGE, calm_cap, 1.0)


def _ledger(pnl, size, collateral) -> rules.Book:
    """The rule registry's :class:`~socialized_loss.rules.Book` for per-account arrays at the lessons' BTC price:
    each account's entry price is chosen so that size × (price − entry) is its PnL (a flat account has no PnL)."""
    pnl, size, collateral = (np.asarray(x, dtype=float) for x in (pnl, size, collateral))
    flat = size == 0
    if np.any(flat & (pnl != 0)):
        raise ValueError(f"pnl must be 0 for an account without a position (size 0), got {pnl[flat]!r}")
    entry = np.where(flat, PRICE, PRICE - pnl / np.where(flat, 1.0, size))
    return rules.Book(sizes=size, entry_prices=entry, collateral=collateral, mark_price=PRICE)


def mechanism_rule(mechanism: str, budget: float, sitg: float = 0.0, df_rate: float = 0.05,
                   calm_cap: float = 0.5) -> Callable[..., dict]:
    """A rule over per-account arrays ``(pnl, size, collateral, notional)`` → dict(charges, venue, uncovered), USD,
    that raises ``budget`` (USD) under ``mechanism`` (one of :data:`MECHANISMS`) by calling the rule registry
    (:func:`socialized_loss.rules.apply_rule`); ``sitg`` (USD) and ``df_rate`` feed the waterfall, ``calm_cap``
    the capped pro-rata.

    Every per-account input scales with the account, so a Sybil split (``fairness.sybil_split``) divides them all
    by k and leverage (notional ÷ equity) is unchanged.

    >>> rule = mechanism_rule("clawback", 100.0)
    >>> rule(np.array([300.0, 100.0, 0.0]), np.array([-1.0, -1.0, 1.0]), np.full(3, 1e3), np.zeros(3))["charges"].tolist()
    [75.0, 25.0, 0.0]
    """
    v.choice("mechanism", mechanism, MECHANISMS)

    def rule(pnl, size, collateral, notional):
        if mechanism == "none":
            return {"charges": np.zeros(len(pnl)), "venue": 0.0, "uncovered": budget}
        book = _ledger(pnl, size, collateral)
        params: dict[str, Any] = {}
        if mechanism == "pnl_haircut_queue":  # queue order: profit × leverage, highest first (Hyperliquid style)
            scores = adl.hyperliquid_adl_score(np.maximum(book.pnl, 0.0), _leverage(notional, book.equity))
            params["order"] = adl.adl_queue(scores)
        elif mechanism == "capped_pro_rata":
            params["beta"] = _calm_caps(notional, book.equity, calm_cap)
        elif mechanism == "ccp_waterfall":
            params.update(default_fund=df_rate * np.asarray(collateral, dtype=float), skin_in_the_game=sitg)
        a = rules.apply_rule(mechanism, book, budget, **params)
        venue = a.external.get("skin_in_the_game", 0.0)
        return {"charges": a.charges, "venue": venue, "uncovered": a.uncovered}

    return rule


def mechanism_charges(book: MechanismBook | str, mechanism: str, calm_cap: float = 0.5) -> dict[str, Any]:
    """Run one mechanism on a book: ``charges`` per live account (USD), ``fund_paid``, ``venue_paid`` (skin in the
    game), ``uncovered`` (USD) and the ``budget`` B the mechanism had to raise. Money is conserved to the cent:
    fund + venue + Σ charges + uncovered = D.

    >>> r = mechanism_charges("lesson", "contracts_pro_rata")
    >>> r["fund_paid"], round(float(r["charges"][4]), 2)
    (7500.0, 2668.27)
    """
    b = _get_book(book)
    v.choice("mechanism", mechanism, MECHANISMS)
    cap = float(v.unit_interval("calm_cap", calm_cap))
    fund_paid = b.shortfall - b.budget
    out = mechanism_rule(mechanism, b.budget, b.skin_in_the_game, b.df_rate, cap)(b.pnl, b.size, b.collateral, b.notional)
    return {"budget": b.budget, "fund_paid": fund_paid, "venue_paid": out["venue"], **out}


def _get_book(book) -> MechanismBook:
    if isinstance(book, MechanismBook):
        return book
    books_ = mechanism_books()
    v.choice("book", book, tuple(books_))
    return books_[book]


def _sybil(b: MechanismBook, mechanism: str, account: int, k: int, calm_cap: float) -> fairness.SybilResult:
    rule = mechanism_rule(mechanism, b.budget, b.skin_in_the_game, b.df_rate, calm_cap)
    return fairness.sybil_split(lambda *a: rule(*a)["charges"], account, k, b.pnl, b.size, b.collateral, b.notional)


def mechanism_table(book: MechanismBook | str = "lesson", calm_cap: float = 0.5, split: str = "Ben",
                    pieces: int = 2) -> list[dict[str, Any]]:
    """One row per mechanism: who pays and how fairly (see :func:`mechanisms_state` for the keys).

    ``split`` names the account that splits into ``pieces`` for the Sybil column (``sybil_advantage``, USD: how
    much less the pieces pay in total than the whole account did; > 0 means splitting pays off).

    >>> [(r["mechanism"], round(r["charged"])) for r in mechanism_table("lesson")][:3]
    [('none', 0), ('clawback', 7500), ('contracts_pro_rata', 7500)]
    """
    b = _get_book(book)
    return [_row(b, m, calm_cap, split, pieces) for m in MECHANISMS]


def _row(b: MechanismBook, mechanism: str, calm_cap: float, split: str, pieces: int) -> dict[str, Any]:
    v.choice("split", split, b.names)
    pieces = v.integer("pieces", pieces, 1, 20)
    r = mechanism_charges(b, mechanism, calm_cap)
    ch = r["charges"]
    fm = fairness.fairness_metrics(ch, np.maximum(b.equity, 0.0))
    top = int(np.argmax(b.pnl))
    i = b.names.index(split)
    syb = _sybil(b, mechanism, i, pieces, calm_cap)
    return {
        "mechanism": mechanism,
        "label": MECHANISM_LABELS[mechanism],
        "charges": ch,
        "charged": fm.total,
        "fund_paid": r["fund_paid"],
        "venue_paid": r["venue_paid"],
        "uncovered": r["uncovered"],
        "accounts_hit": fm.accounts_hit,
        "largest_haircut": fm.largest_haircut,
        "gini": fm.gini,
        "hhi": fm.hhi,
        "top_winner": b.names[top],
        "top_winner_charge": float(ch[top]),
        "new_bankruptcies": int(np.count_nonzero(ch > b.equity + 1e-9)),
        "split": split,
        "pieces": pieces,
        "split_charges": syb.pieces,
        "unsplit_charge": syb.unsplit,
        "split_total": syb.split_total,
        "sybil_advantage": syb.advantage,
    }


def mechanisms_state(book: str = "lesson", mechanism: str = "pnl_haircut_queue", split: str = "Ben", pieces: int = 1,
                     calm_cap: float = 0.5) -> dict[str, Any]:
    """Everything the explorer shows, for one book (``"lesson"``, ``"whale"``, ``"big loss"``) and one mechanism.

    ``split`` (an account name of the book) splits into ``pieces`` (1–20; 1 = no split); ``calm_cap`` (0–1) is the
    capped pro-rata cap on calm winners (leverage ≤ 2×). Returns the book's ``names``, ``equity`` (USD),
    ``shortfall`` D, ``budget`` B, and for the mechanism: ``charges`` per account, ``charged``, ``fund_paid``,
    ``venue_paid``, ``uncovered`` (USD), ``accounts_hit``, ``largest_haircut`` (charge ÷ equity), ``gini``, ``hhi``,
    ``top_winner_charge`` (USD), ``new_bankruptcies`` (accounts charged more than their equity), and the Sybil
    split: ``split_charges`` (each piece, USD), ``unsplit_charge``, ``split_total`` and ``sybil_advantage``
    (unsplit − split total, USD), and ``charges_after`` (the book's charges after the split, the pieces added up in
    the splitter's place).

    >>> st = mechanisms_state("lesson", "pnl_haircut_queue", split="Ben", pieces=2)
    >>> st["unsplit_charge"], st["split_total"]
    (4000.0, 0.0)
    """
    b = _get_book(book)
    v.choice("mechanism", mechanism, MECHANISMS)
    calm_cap = float(v.unit_interval("calm_cap", calm_cap))
    row = _row(b, mechanism, calm_cap, split, pieces)
    i = b.names.index(split)
    syb = _sybil(b, mechanism, i, row["pieces"], calm_cap)
    after = syb.charges_after[: len(b.names)].copy()
    after[i] = syb.split_total
    return {
        "book": book if isinstance(book, str) else b.title,
        "title": b.title,
        "names": b.names,
        "roles": b.roles,
        "equity": b.equity,
        "shortfall": b.shortfall,
        "budget": b.budget,
        "calm_cap": calm_cap,
        "charges_after": after,
        **row,
    }


def moral_hazard_transfer(leverage, collateral: float = 1_000.0, vol: float = 0.05, crash_prob: float = 0.02,
                          crash: float = -0.30, n: int = 100_000, seed: int = 0) -> np.ndarray:
    """A teaching model of moral hazard (not a venue rule): the expected bad debt (USD) a trader with ``collateral``
    passes on to others per period, at each ``leverage`` (×), when the venue socializes losses beyond collateral.

    The period's return is normal with standard deviation ``vol`` plus, with probability ``crash_prob``, a
    ``crash`` (a fraction, e.g. −0.30); the draws are shared by every leverage (``seed``), so the curve is smooth.
    Equity = collateral × (1 + leverage × return); the transfer is E[max(−equity, 0)]. With zero-mean returns a
    trader who had to pay it back would expect nothing from leverage; with losses socialized, they expect this.

    >>> t = moral_hazard_transfer([1.0, 10.0], n=10_000, seed=1)
    >>> bool(t[0] < t[1])
    True
    """
    lev = v.nonnegative("leverage", leverage)
    c = float(v.positive("collateral", collateral))
    s = float(v.nonnegative("vol", vol))
    p = float(v.unit_interval("crash_prob", crash_prob))
    j = float(v.finite("crash", crash))
    n = v.integer("n", n, 1, 2_000_000)
    rng = v.rng(seed)
    r = s * rng.standard_normal(n) + np.where(rng.random(n) < p, j, 0.0)
    r -= r.mean()  # zero-mean: leverage earns nothing on average unless losses are passed on
    flat = np.atleast_1d(lev).ravel()
    out = np.array([np.maximum(-(c * (1.0 + L * r)), 0.0).mean() for L in flat])
    return v.scalar_or_array(out.reshape(np.shape(lev)))


# ----------------------------------------------------------------------------------------------------------------
# Lesson 04: one uncovered loss over three bases

#: Lesson 04's three bases, as rule names: profits (clawback), contracts (contracts-pro-rata), deposits (deposit
#: index haircut), in the order the lesson and the explorer show them.
BASES = ("clawback", "contracts_pro_rata", "deposit_index_haircut")


def _all_charges(loss: float, sizes: np.ndarray, profits: np.ndarray, deposits: np.ndarray) -> dict[str, Any]:
    """The registry's three rules on the same loss: profits (``profit_book``), open positions, deposits."""
    return {
        "clawback": rules.clawback(profit_book(on_grid("profits", np.maximum(profits, 0.0), 0.01)), loss),
        "contracts_pro_rata": rules.contracts_pro_rata(position_book(sizes), loss),
        "deposit_index_haircut": rules.deposit_index_haircut(cash_book(on_grid("deposits", deposits, 0.01)), loss),
    }


def _rate(a: rules.Allocation) -> float:
    """What a capped rule took as a share of what it could take (covered ÷ Σ caps, exact in cents); 0 if nothing."""
    total = _exact_sum(minor(a.caps, a.unit))
    return 0.0 if total == 0 else int(_to_minor("covered", a.covered, a.unit)) / total


def socialization_state(
    loss: float = 1_500.0,
    base: str = "clawback",
    sizes=None,
    profits=None,
    deposits=None,
    names=None,
) -> dict[str, Any]:
    """Who pays how much of an uncovered ``loss`` (USD ≥ 0) under ``base`` (one of :data:`BASES`).

    ``sizes`` (base units, + long / − short), ``profits`` (the period's net PnL, USD, any sign) and ``deposits``
    (USD ≥ 0) describe the book, one entry per account; each defaults to lesson 04's six-account book
    (:func:`socialized_loss.books.socialization_book`). The loss must not exceed total deposits (depositors cannot
    lose more than they hold), and there must be some open position (Drift refuses to socialize over zero open
    interest).

    Returns ``charges`` (USD per account, under ``base``), ``charges_by_base`` (all three, for comparison),
    ``rate`` (clawback: fraction of profit; contracts: USD per base unit; deposits: fraction of deposits),
    ``total_weight`` (Σ positive profits, USD / Σ|size|, base units / Σ deposits, USD), ``index`` (the deposit index
    after the haircut, from 1.0), ``uncovered`` (USD no one pays under ``base``), ``payers`` (how many accounts pay)
    and the book itself.

    >>> st = socialization_state(1_500.0, "clawback")
    >>> st["charges"].tolist(), st["rate"]
    ([500.0, 125.0, 875.0, 0.0, 0.0, 0.0], 0.125)
    """
    v.choice("base", base, BASES)
    book = socialization_book()
    n_default = len(book.names)
    s = v.vector("sizes", book.sizes if sizes is None else sizes)
    p = v.vector("profits", book.profits if profits is None else profits)
    d = v.vector("deposits", v.nonnegative("deposits", book.deposits if deposits is None else deposits))
    v.same_length(sizes=s, profits=p, deposits=d)
    if names is None:
        names = book.names if len(s) == n_default else tuple(f"#{i}" for i in range(len(s)))
    names = tuple(str(x) for x in names)
    if len(names) != len(s):
        raise ValueError(f"names must have one entry per account ({len(s)}), got {len(names)}")
    L = float(v.nonnegative("loss", loss))
    if L > float(d.sum()):
        raise ValueError(f"loss must be ≤ total deposits ({d.sum():,.2f} USD) so that every base can carry it, got {L!r}")
    if L > 0 and not np.any(s != 0):
        raise ValueError("sizes must include a non-zero open position: a loss cannot be socialized over zero open "
                         "interest (Drift refuses it too)")
    results = _all_charges(L, s, p, d)
    by_base = {b: np.array(a.charges) for b, a in results.items()}
    cb, dh = results["clawback"], results["deposit_index_haircut"]
    oi = math.fsum(np.abs(s).tolist())
    per_contract = 0.0 if oi == 0 else results["contracts_pro_rata"].shortfall / oi
    index = 1.0 - _rate(dh)  # the deposit index after the haircut, from 1.0
    rate = {"clawback": _rate(cb), "contracts_pro_rata": per_contract, "deposit_index_haircut": 1.0 - index}[base]
    weight = {
        "clawback": float(np.maximum(p, 0.0).sum()),
        "contracts_pro_rata": float(np.abs(s).sum()),
        "deposit_index_haircut": float(d.sum()),
    }[base]
    uncovered = cb.uncovered if base == "clawback" else 0.0
    charges = by_base[base]
    return {
        "loss": L,
        "base": base,
        "names": names,
        "sizes": s,
        "profits": p,
        "deposits": d,
        "charges": charges,
        "charges_by_base": by_base,
        "rate": float(rate),
        "total_weight": weight,
        "index": index,
        "uncovered": float(uncovered),
        "payers": int(np.count_nonzero(charges > 0)),
    }

"""Checks for lesson 05 — Socializing losses II: auto-deleveraging.

Expected answers are computed with ``sl.adl``, ``sl.margin`` and ``sl.socialize`` (BitMEX's worked example, dYdX's docs
example and lesson 05's six longs, ``sl.books.adl_book()``), not pasted.
"""
from __future__ import annotations

import numpy as np

from .. import adl
from .. import margin as m
from .. import socialize as so
from ..books import adl_book
from ..deleveraging import adl_queue_state
from .core import CheckResult, check_function, check_parts, check_value, grader
from .predict import compare_prediction

__all__ = ["adl_vs_clawback", "bitmex_example", "bitmex_score_function", "dydx_example"]

# BitMEX, Auto-Deleveraging Examples: six longs (quantities) and their PnL ranking scores, accounts 1..6.
BITMEX_SIZES = [10.0, 10.0, 20.0, 30.0, 20.0, 10.0]
BITMEX_RANKS = [3.0, 6.0, 1.0, 4.0, 5.0, 2.0]


@grader
def bitmex_example(answer, prediction=None) -> CheckResult:
    """Exercise 5.1: contracts closed per account (1..6) when a short of 35 is deleveraged in BitMEX's example."""
    result = check_value(
        "Exercise 5.1",
        answer,
        adl.auto_deleverage(BITMEX_SIZES, BITMEX_RANKS, 35.0),
        why="the queue is 2, 5, 4, …: account 2 gives all 10, account 5 all 20, and account 4 the last 5 of its 30.",
        hint="sort the accounts by rank, highest first, and take whole positions until the 35 contracts are used up.",
        atol=1e-6,
    )
    closed = np.asarray(adl.auto_deleverage(BITMEX_SIZES, BITMEX_RANKS, 35.0))
    touched = [int(i) + 1 for i in np.flatnonzero(closed > 0)]
    answered = result.status != "not attempted"
    compare_prediction("Exercise 5.1 prediction", prediction, touched, unordered=True, answered=answered)
    return result


@grader
def bitmex_score_function(func) -> CheckResult:
    """Exercise 5.2: a learner's ``bitmex_score(mark_value, bankrupt_value, entry_value)`` (values in USD, signed)."""
    # (size, entry, mark, bankruptcy price): a winning long, a losing long, a winning short, a losing short
    positions = [(1.0, 100.0, 110.0, 90.0), (2.0, 100.0, 95.0, 80.0), (-1.0, 100.0, 90.0, 110.0),
                 (-3.0, 50.0, 52.0, 60.0)]
    cases = [((s * mk, s * bk, s * e), adl.bitmex_adl_score(s, e, mk, bk)) for s, e, mk, bk in positions]
    return check_function(
        "Exercise 5.2",
        func,
        cases,
        why="leverage = |mark value| ÷ (mark value − bankrupt value) and PNL% = (mark − entry value) ÷ |entry value|; "
        "winners multiply, losers divide, so a long of 1 from 100 marked at 110 with bankruptcy 90 scores 0.55.",
        hint="for a short the values are negative; use abs() only where BitMEX does, and divide when PNL% < 0.",
        rtol=1e-9,
        atol=1e-9,
    )


@grader
def dydx_example(b_price, a_profit, a_profit_200) -> CheckResult:
    """Exercise 5.3: B's bankruptcy price (USD), A's realised profit (USD), and A's profit if B had deposited 200."""
    name = "Exercise 5.3"

    def a_gain(b_deposit: float) -> tuple[float, float]:
        bk = m.bankruptcy_price(b_deposit, -500.0, 1.0)
        a_equity = m.equity(100.0, 500.0, 1.0, 2.0)
        d = adl.dydx_deleverage([500.0], 500.0, [a_equity], fill_price=bk, oracle_price=2.0, entry_prices=[1.0])
        return bk, float(d.realized_pnl[0])

    bk100, gain100 = a_gain(100.0)
    _, gain200 = a_gain(200.0)
    parts = [
        (b_price, lambda: check_value(f"{name}a", b_price, bk100,
                    why="B's 100 USD covers a rise of 100 ÷ 500 = 0.20 USD per contract, so B is bankrupt at 1.20.",
                    hint="a short's bankruptcy price is entry + collateral ÷ |size|.", atol=1e-6)),
        (a_profit, lambda: check_value(f"{name}b", a_profit, gain100,
                    why="A is closed at 1.20, not 2: 500 × 0.20 = 100 USD instead of the 500 USD the mark showed.",
                    hint="A's profit is 500 × (fill price − A's entry price).")),
        (a_profit_200, lambda: check_value(f"{name}c", a_profit_200, gain200,
                    why="with 200 USD, B's bankruptcy price is 1.40, so A realises 200 USD: B's collateral is all "
                    "A can ever collect.",
                    hint="recompute B's bankruptcy price with 200 USD of collateral, then A's profit at that price.")),
    ]
    return check_parts(name, parts, why="under ADL the winner collects exactly the loser's collateral, nothing more.")


@grader
def adl_vs_clawback(given_up, clawback_acct2) -> CheckResult:
    """Exercise 5.4 (stretch): profit given up per account for a 35-contract ADL under BitMEX's ranking on lesson 05's
    book, and account 2's charge if the same total were clawed back pro rata to unrealised PnL."""
    name = "Exercise 5.4"
    b = adl_book()
    st = adl_queue_state(quantity=35.0, rule="bitmex")
    upnl = b.sizes * (b.mark_price - b.entry_prices)
    exp_claw = so.clawback(float(np.sum(st["forgone"])), upnl).charges[1]
    parts = [
        (given_up, lambda: check_value(f"{name}a", given_up, st["forgone"],
                    why="accounts 2, 5 and 4 give up 50 USD per contract closed: 500, 1,000 and 250 USD, which is "
                    "the bankrupt short's 35 × 50 = 1,750 USD deficit.",
                    hint="fill through the BitMEX queue (sl.adl_fills), then (mark − 650) × contracts closed.")),
        (clawback_acct2, lambda: check_value(f"{name}b", clawback_acct2, exp_claw,
                    why="a clawback of 1,750 USD over 9,200 USD of unrealised profit is 19.0 %, about 342 USD from "
                    "account 2 instead of 500, and something from every other winner.",
                    hint="clawback rate = 1,750 ÷ (sum of the positive unrealised PnLs); multiply by account 2's PnL.",
                    atol=0.01)),
    ]
    return check_parts(name, parts, why="same total, very different spread: ADL concentrates, a clawback spreads.")

"""Checks for lesson 04 — Socializing losses I: pro-rata haircuts and clawbacks.

Expected answers are computed with ``sl.socialize`` and ``sl.allocation`` on lesson 04's book
(``sl.books.socialization_book()``), not pasted.
"""
from __future__ import annotations

import numpy as np

from .. import allocation as al
from .. import socialize as so
from ..books import options_day, socialization_book
from .core import CheckResult, check_function, check_parts, check_value, grader
from .predict import compare_prediction

__all__ = ["clawback_function", "cleo_clawback", "deribit_day", "drift_long_side", "mango_index",
           "okex_gap"]

# Exercise 4.5's options book is package data: sl.books.options_day() (data/books.toml).

# OKEx BTC quarterly, Jul–Aug 2018 (BTC): Finance Magnates' shortfall, the fund, OKEx's injection, the spokesperson's
# "around 1,200 BTC" and the press's "about 18 %" (sources in the lesson's references).
OKEX_SHORTFALL_FM = 3_877.0
OKEX_FUND = 10.0
OKEX_INJECTION = 2_500.0
OKEX_REPORTED_CLAWBACK = 1_200.0
OKEX_REPORTED_RATE = 0.18


@grader
def cleo_clawback(answer, prediction=None) -> CheckResult:
    """Exercise 4.1: Cleo's clawback charge if the uncovered loss were 3,000 USD."""
    book = socialization_book()
    cleo = book.names.index("Cleo")
    expected = so.clawback(3_000.0, book.profits).charges[cleo]
    result = check_value(
        "Exercise 4.1",
        answer,
        expected,
        why="the rate is 3,000 ÷ 12,000 = 25 % of profit for every winner, so the hedger with the largest profit "
        "pays most (1,750 USD), though her trade as a whole made nothing.",
        hint="only positive profits count: rate = loss ÷ (sum of the winners' profits), then charge = rate × profit.",
        atol=0.01,
    )
    claw = so.clawback(3_000.0, book.profits).charges
    ana = book.names.index("Ana")
    pays_more = "Cleo" if claw[cleo] > claw[ana] else "Ana"
    answered = result.status != "not attempted"
    compare_prediction("Exercise 4.1 prediction", prediction, pays_more, options=("Ana", "Cleo"), answered=answered)
    return result


@grader
def clawback_function(func) -> CheckResult:
    """Exercise 4.2: a learner's ``clawback_charges(loss, profits)``; rounding to cents is not required."""
    books = [
        (1_500.0, socialization_book().profits),
        (100.0, np.array([50.0, -20.0, 150.0, 0.0])),
        (20_000.0, np.array([4_000.0, 1_000.0, 7_000.0, -3_000.0])),  # more than all the profits: capped at 100 %
        (10.0, np.array([-5.0, -1.0])),  # no winners: nobody can pay
    ]
    cases = [((loss, p.copy()), so.clawback(loss, p).charges) for loss, p in books]
    return check_function(
        "Exercise 4.2",
        func,
        cases,
        why="one rate for every winner, loss ÷ Σ positive profits, capped at 100 %; losers and flat accounts pay 0.",
        hint="use np.maximum(profits, 0) as the weights; cap the rate at 1; with no winners return zeros.",
        atol=0.011,  # the engine rounds to whole cents; an unrounded answer is within a cent
    )


@grader
def drift_long_side(answer) -> CheckResult:
    """Exercise 4.3a: the long side's total charge in Drift's test (100 USD over 7 long + 4 short contracts)."""
    expected = so.contracts_pro_rata(100.0, [7.0, -4.0]).charges[0]
    return check_value(
        "Exercise 4.3a",
        answer,
        expected,
        why="each contract pays 100 ÷ 11 ≈ 9.0909 USD, so the 7 long contracts pay about 63.64 USD and the shorts "
        "36.36 USD, winners and losers alike.",
        hint="the per-contract charge is loss ÷ (long contracts + short contracts); multiply by the long contracts.",
        atol=0.01,
    )


@grader
def mango_index(answer) -> CheckResult:
    """Exercise 4.3b: the deposit index after a 100 USD loss on 1,000 USD of deposits, from 1.0."""
    return check_value(
        "Exercise 4.3b",
        answer,
        so.deposit_index_haircut(100.0, 1_000.0, index=1.0),
        why="every depositor loses 100 ÷ 1,000 = 10 % of their balance, so the index falls from 1.0 to 0.9.",
        hint="the index is multiplied by (1 − loss ÷ total deposits).",
        atol=1e-6,
    )


@grader
def okex_gap(left, profit_base, rate_needed) -> CheckResult:
    """Exercise 4.4 (stretch): (a) BTC left after the fund and the injection, (b) implied Σ profits (BTC),
    (c) the rate (a) would need on (b)."""
    btc = 1e-8  # satoshis
    exp_left = al.sequential(OKEX_SHORTFALL_FM, [OKEX_FUND, OKEX_INJECTION], unit=btc).rest
    exp_base = OKEX_REPORTED_CLAWBACK / OKEX_REPORTED_RATE
    exp_rate = so.clawback(exp_left, [exp_base], unit=btc).rate
    parts = [
        (left, lambda: check_value("Exercise 4.4a", left, exp_left,
                    why="3,877 − 10 − 2,500 = 1,367 BTC were left after the fund and OKEx's own 2,500 BTC.",
                    hint="the insurance fund pays first, then OKEx's injection; subtract both from the shortfall.",
                    atol=0.5)),
        (profit_base, lambda: check_value("Exercise 4.4b", profit_base, exp_base,
                    why="1,200 BTC at 18 % means the winners' profits totalled about 6,667 BTC.",
                    hint="clawback = rate × total profit, so total profit = clawback ÷ rate.",
                    rtol=1e-3, atol=1.0)),
        (rate_needed, lambda: check_value("Exercise 4.4c", rate_needed, exp_rate,
                    why="1,367 ÷ 6,667 ≈ 20.5 %, not 18 %: the published figures cannot all be right at once.",
                    hint="rate = (your answer to a) ÷ (your answer to b), as a fraction.",
                    rtol=1e-3, atol=2e-4)),
    ]
    return check_parts("Exercise 4.4", parts,
                       why="the reported 1,200 BTC and 18 % are rounder than the arithmetic; cite each figure to its "
                       "source.")


@grader
def deribit_day(answer, prediction=None) -> CheckResult:
    """Exercise 4.5: Gus's charge (USD) when the loss is shared over the day's winners in proportion to the day's
    profit; predict whether that is "more" or "less" than over the week's winners."""
    book = options_day()
    loss, day, week = book.loss, book.day_pnl, book.week_pnl
    by_day = float(so.clawback(loss, day).charges[0])
    by_week = float(so.clawback(loss, week).charges[0])
    result = check_value(
        "Exercise 4.5",
        answer,
        by_day,
        why=(f"the day's winners made 9,000 + 3,000 = 12,000 USD, so the rate is 20 % and Gus pays {by_day:,.0f} "
             f"USD; over the week he made only 1,000 and would pay {by_week:,.0f} USD."),
        hint="rate = loss ÷ the sum of the day's positive PnL; Gus pays the rate × his day's profit.",
    )
    compare_prediction("Exercise 4.5 prediction", prediction, "more" if by_day > by_week else "less",
                       options=("more", "less"), answered=result.status != "not attempted")
    return result

"""Checks for lesson 02 — Liquidation and where bad debt comes from. Answers are computed with ``sl.liquidation``."""
from __future__ import annotations

import functools
import math

from .. import liquidation as liq
from .. import margin as m
from .core import CheckResult, check_function, check_value, grader, invariant
from .predict import compare_prediction

__all__ = ["black_thursday_lots", "fund_delta_rule", "short_fund_deltas", "smallest_crash"]

# Exercise 2.4's set-up (the explorer's "mixed" book)
MIXED = {2: 1, 5: 1, 10: 1, 20: 1, 50: 1}
DEPTH, MMR, FUND = 1_000_000.0, 0.01, 50_000.0


@grader
def short_fund_deltas(answer, prediction=None) -> CheckResult:
    """Exercise 2.1: trader D (short 1 BTC at 60,000 with 6,000 USD) closed at 64,500 and at 66,400."""
    bk = m.bankruptcy_price(6_000.0, -1.0, 60_000.0)
    expected = [float(x) for x in liq.insurance_fund_delta(-1.0, [64_500.0, 66_400.0], bk, 0.015)]
    result = check_value(
        "Exercise 2.1",
        answer,
        expected,
        why="at 64,500 the surplus is 1,500 USD but the fee cap is 1.5 % × 64,500 = 967.50 (D keeps 532.50); "
        "at 66,400 the fill is 400 USD beyond bankruptcy, so the fund pays 400.",
        hint="a short's surplus is size × (fill − bankruptcy) with size = −1; compare it with 0.015 × |size × fill|.",
    )
    gain_or_pay = ["gain" if x > 0 else "pay" for x in expected]
    answered = result.status != "not attempted"
    compare_prediction("Exercise 2.1 prediction", prediction, gain_or_pay, answered=answered)
    return result


@grader
def fund_delta_rule(func) -> CheckResult:
    """Exercise 2.2: a learner's ``fund_delta(size, fill_price, bankruptcy_price, max_fee_rate)``."""
    args = [
        (2.0, 58_000.0, 57_000.0, 0.015),   # cap binds
        (2.0, 57_500.0, 57_000.0, 0.015),   # surplus below the cap
        (2.0, 56_500.0, 57_000.0, 0.015),   # shortfall
        (-1.0, 64_500.0, 66_000.0, 0.015),  # a short, cap binds
        (-0.5, 61_000.0, 60_000.0, 0.01),   # a short beyond bankruptcy
        (3.0, 100.0, 100.0, 0.015),          # exactly at bankruptcy
    ]
    cases = [(a, liq.insurance_fund_delta(*a)) for a in args]
    return check_function(
        "Exercise 2.2",
        func,
        cases,
        why="the fund takes min(surplus, cap) when the close is better than bankruptcy and pays the whole shortfall "
        "when it is worse — dYdX v4's rule.",
        hint="compute surplus = size × (fill − bankruptcy) first; only a surplus ≥ 0 is capped, and the cap uses "
        "the absolute notional |size × fill|.",
        atol=1e-6,
    )


@grader
def black_thursday_lots(answer) -> CheckResult:
    """Exercise 2.3: 50,000-DAI lots needed for a deficit of 4.0 and of 5.67 million DAI (rounded up)."""
    lot = 50_000
    expected = [math.ceil(4_000_000 / lot), math.ceil(5_670_000 / lot)]
    invariant(86 * lot == 4_300_000 and 106 * lot == 5_300_000, "first round; all the debt auctions together")
    return check_value(
        "Exercise 2.3",
        answer,
        expected,
        why="80 lots cover 4.0 million DAI and 114 cover 5.67 million; the 106 lots sold in all (5.3 million DAI) "
        "fall inside that range.",
        hint="divide each deficit by 50,000 DAI and round up (a part-lot is still a lot): math.ceil.",
        atol=0,
    )


def _uncovered(crash_pct: int) -> float:
    book = liq.make_book(200, MIXED, seed=1)
    return liq.cascade(book, crash_pct / 100.0, DEPTH, MMR, fund_balance=FUND).total_uncovered


@functools.cache
def _smallest_crash() -> int | None:
    return next((c for c in range(1, 31) if _uncovered(c) > 0), None)


@grader
def smallest_crash(answer) -> CheckResult:
    """Exercise 2.4 (stretch): the smallest whole-percent crash leaving uncovered bad debt (mixed book, 1 M depth)."""
    expected = _smallest_crash()
    return check_value(
        "Exercise 2.4",
        answer,
        expected,
        why="below that crash the 50,000-USD fund plus its fees covers every shortfall; from there on the excess "
        "goes to ADL or socialization.",
        hint="loop c over 1, 2, …, 30 and stop at the first sl.cascade(book, c / 100, 1_000_000, mmr=0.01, "
        "fund_balance=50_000) whose total_uncovered is > 0.",
        atol=0,
    )

"""Checks for lesson 03 — The insurance fund. Answers are computed with ``sl.insurance``."""
from __future__ import annotations

import math

import numpy as np

from .. import insurance as ins
from .core import CheckResult, check_value, grader, invariant, not_attempted, real_number, report
from .predict import compare_prediction

__all__ = ["five_days", "fund_for_target", "teaching_model_size", "three_markets"]

LOT = 250_000  # Exercise 3.3's step: dYdX v1's seed per market (USD)
TARGET, FEE_SHARE, CRASH_RATE = 0.05, 0.10, 2.0


@grader
def five_days(answer, prediction=None) -> CheckResult:
    """Exercise 3.1: 1,000,000 USD, 20,000 USD a day in, bad debts 0, 300k, 0, 900k, 50k."""
    path = ins.fund_path(1_000_000.0, np.full(5, 20_000.0), np.array([0, 300_000, 0, 900_000, 50_000.0]))
    expected = (float(path.balance[-1]), float(path.uncovered.sum()))
    result = check_value(
        "Exercise 3.1",
        answer,
        expected,
        why="the fund runs out on day 3: it holds 760,000 USD against 900,000 (140,000 uncovered), then again on "
        "day 4 (20,000 against 50,000: 30,000 uncovered); it ends the week at 20,000 USD.",
        hint="each day pay min(fund, bad debt) first, add the uncovered rest to a running total, then add 20,000.",
    )
    short_days = np.flatnonzero(path.uncovered > 0)
    first_day = int(short_days[0]) if short_days.size else "never"
    answered = result.status != "not attempted"
    compare_prediction("Exercise 3.1 prediction", prediction, first_day, answered=answered)
    return result


@grader
def three_markets(answer) -> CheckResult:
    """Exercise 3.2: BTC/ETH/DOGE funds 2,000,000 / 800,000 / 150,000; losses ETH 1,000,000 and DOGE 600,000."""
    funds = {
        "BTC": ins.InsuranceFund(2_000_000, "BTC"),
        "ETH": ins.InsuranceFund(800_000, "ETH"),
        "DOGE": ins.InsuranceFund(150_000, "DOGE"),
    }
    losses = {"ETH": 1_000_000, "DOGE": 600_000}
    seg = ins.cover_losses(funds, losses, shared=False)
    sha = ins.cover_losses(funds, losses, shared=True)
    expected = [sum(seg.uncovered.values()), sum(sha.uncovered.values()), sha.funds["BTC"].balance]
    return check_value(
        "Exercise 3.2",
        answer,
        expected,
        why="segregated, ETH is 200,000 short and DOGE 450,000 (650,000 uncovered); shared, the BTC fund pays "
        "that 650,000 and is left with 1,350,000.",
        hint="call sl.cover_losses(funds, losses, shared=False) and shared=True; sum the .uncovered values and "
        "read .funds['BTC'].balance.",
    )


@grader
def fund_for_target(answer) -> CheckResult:
    """Exercise 3.3: the smallest multiple of 250,000 USD with a simulated exhaustion probability ≤ 5 %.

    With common random numbers the probability can only fall as the fund grows (on every path a larger fund stays
    at or above a smaller one), so an answer is right exactly when it is a multiple of 250,000 USD whose probability
    is ≤ 5 % while the multiple below it has a probability > 5 %. Two engine runs decide it.
    """
    name = "Exercise 3.3"
    why = ("a smaller multiple leaves more than 5 % of simulated years with uncovered bad debt; this one is the "
           "first at or below 5 %.")
    hint = ("scan multiples of 250,000 between 12.5 and 17.5 million with sl.exhaustion_probability_grid(candidates, "
            "[0.10], crash_rate=2.0) and take the first whose probability is ≤ 0.05.")
    if not_attempted(answer):
        return report(name, "not attempted", "not attempted yet: replace the `...` and run this cell again.")
    a, reason = real_number(answer)
    if a is None:
        return report(name, "wrong", f"not quite: {reason}. Hint: give one number in USD. {hint}")
    if not (a >= 0 and abs(a / LOT - round(a / LOT)) < 1e-9):
        return report(name, "wrong", f"not quite (you gave {a:,.2f}): the answer is a multiple of 250,000 USD. "
                      f"Hint: {hint}")
    below, at = ins.exhaustion_probability_grid([max(a - LOT, 0.0), a], [FEE_SHARE], crash_rate=CRASH_RATE)[:, 0]
    if at > TARGET:
        return report(name, "wrong", f"not quite: {a:,.0f} USD runs out in {100 * at:.2f} % of years, above 5 %. "
                      f"Hint: {hint}")
    if a > 0 and below <= TARGET:
        return report(name, "wrong", f"not quite: {a - LOT:,.0f} USD already meets the 5 % target "
                      f"({100 * below:.2f} %), so {a:,.0f} is not the smallest. Hint: {hint}")
    return report(name, "correct", f"{a:,.0f} USD runs out in {100 * at:.2f} % of years, {a - LOT:,.0f} in "
                  f"{100 * below:.2f} %: " + why)


@grader
def teaching_model_size(answer) -> CheckResult:
    """Exercise 3.4 (stretch): u with ψ(u) = 5 % for exponential claims, c = 7.3 M/yr, λ = 2, μ = 3 M USD."""
    c, lam, mu = 0.20 * 100_000 * 365, 2.0, 3_000_000.0
    R = ins.adjustment_coefficient(c, lam, mu)
    expected = math.log(lam * mu / c / TARGET) / R
    invariant(abs(ins.ruin_probability_exponential(expected, c, lam, mu) - TARGET) < 1e-12, "ψ(u) ≠ 5 %")
    return check_value(
        "Exercise 3.4",
        answer,
        expected,
        why="about 47.2 million USD: the 'ever' horizon and the thin margin of inflows over expected losses make "
        "the formula far more demanding than a one-year simulation.",
        hint="solve (λμ/c)·exp(−R u) = 0.05 for u, with R = 1/μ − λ/c (per USD).",
        rtol=1e-4,
        atol=1.0,
    )

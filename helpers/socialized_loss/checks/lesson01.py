"""Checks for lesson 01 — Margin, liquidation and bankruptcy prices. Answers are computed with ``sl.margin``."""
from __future__ import annotations

from .. import margin as m
from .core import CheckResult, check_function, check_value, grader, invariant
from .predict import compare_prediction

__all__ = ["inverse_short_bankruptcy", "long_liquidation_price", "max_leverage", "short_equity"]


@grader
def short_equity(answer, prediction=None) -> CheckResult:
    """Exercise 1.1: a short of 2 BTC at 60,000 with 12,000 USD collateral, marked at 63,000."""
    result = check_value(
        "Exercise 1.1",
        answer,
        m.equity(12_000, -2.0, 60_000, 63_000),
        why="a short loses 2 × 3,000 = 6,000 USD when the price rises 3,000, leaving 6,000 USD of equity.",
        hint="equity = collateral + size × (price − entry), and a short's size is negative.",
    )
    eq, half = m.equity(12_000, -2.0, 60_000, 63_000), 12_000 / 2
    where = "above" if eq > half + 0.005 else "below" if eq < half - 0.005 else "at"
    answered = result.status != "not attempted"
    compare_prediction("Exercise 1.1 prediction", prediction, where,
                       options=("above", "at", "below"), answered=answered)
    return result


@grader
def long_liquidation_price(func) -> CheckResult:
    """Exercise 1.2: a learner's ``liq_price_long(collateral, size, entry_price, mmr)``."""
    cases = [
        ((6_000.0, 1.0, 60_000.0, 0.005), m.liquidation_price(6_000.0, 1.0, 60_000.0, 0.005)),
        ((1_000.0, 0.5, 20_000.0, 0.01), m.liquidation_price(1_000.0, 0.5, 20_000.0, 0.01)),
        ((30_000.0, 3.0, 50_000.0, 0.02), m.liquidation_price(30_000.0, 3.0, 50_000.0, 0.02)),
    ]
    return check_function(
        "Exercise 1.2",
        func,
        cases,
        why="setting collateral + size·(p − entry) equal to mmr·size·p and solving for p gives (entry − c/s)/(1 − mmr).",
        hint="write equity at price p, set it equal to mmr × size × p, and solve the linear equation for p.",
        rtol=1e-9,
        atol=1e-6,
    )


@grader
def inverse_short_bankruptcy(answer) -> CheckResult:
    """Exercise 1.3: an inverse short opened at 7,890.08 with 25× leverage."""
    return check_value(
        "Exercise 1.3",
        answer,
        m.inverse_bankruptcy_price(7_890.08, 25.0, side="short"),
        why="for an inverse short the margin is in BTC, so the bankruptcy price is entry × L/(L − 1) ≈ 8,218.83.",
        hint="mirror Bybit's long formula entry × L/(L + 1): a short goes bankrupt above its entry.",
        atol=0.01,
    )


@grader
def max_leverage(answer) -> CheckResult:
    """Exercise 1.4 (stretch): the largest leverage at which a 10 % fall does not liquidate a long (mmr 0.5 %)."""
    mmr, drop = 0.005, 0.10
    expected = 1.0 / (1.0 - (1.0 - drop) * (1.0 - mmr))
    # cross-check the closed form against the engine: at that leverage the liquidation price is exactly 90 % of entry
    entry = 100.0
    invariant(abs(m.liquidation_price(entry / expected, 1.0, entry, mmr) - (1 - drop) * entry) < 1e-9,
              "the leverage does not put the liquidation price at the drop")
    return check_value(
        "Exercise 1.4",
        answer,
        expected,
        why="at about 9.57× the liquidation price sits exactly 10 % below entry; any more leverage and it is closer.",
        hint="with collateral = entry/L, set (entry − c)/(1 − mmr) = 0.9 × entry and solve for L.",
        rtol=1e-4,
        atol=1e-3,
    )

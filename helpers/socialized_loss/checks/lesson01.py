"""Checks for lesson 01 — Margin, liquidation and bankruptcy prices. Answers are computed with ``sl.margin``."""
from __future__ import annotations

from .. import margin as m
from ..books import cross_account, margin_tiers, price_candidates
from .core import CheckResult, check_function, check_value, grader, invariant
from .predict import compare_prediction

__all__ = [
    "cross_bad_debt",
    "equity_at_mark",
    "inverse_short_bankruptcy",
    "long_liquidation_price",
    "max_leverage",
    "short_equity",
    "tiered_margin",
]

# The exercises' data (the cross-margined account, the tiers, the price candidates) is package data, read through
# sl.books (data/books.toml), the same place the lesson reads it from.


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


def _cross_numbers() -> tuple[float, float]:
    """(bad debt if the account is cross-margined, bad debt if each position had half the balance isolated)."""
    acct = cross_account()
    balance = acct.balance
    legs = [(float(s), float(e), float(p)) for s, e, p in zip(acct.sizes, acct.entries, acct.prices, strict=True)]
    pnl = [float(m.equity(0.0, s, e, p)) for s, e, p in legs]
    tnc = balance + sum(pnl)
    cross = max(-tnc, 0.0)
    isolated = sum(max(-float(m.equity(balance / len(legs), s, e, p)), 0.0) for s, e, p in legs)
    # the engine's cross bankruptcy prices, one per leg with its share of maintenance margin, close the same gap
    mm = [float(m.maintenance_margin(s, p, 0.005)) for s, _, p in legs]
    gap = sum(abs(s) * abs(float(m.cross_bankruptcy_price(tnc, s, p, mmi / sum(mm))) - p)
              for (s, _, p), mmi in zip(legs, mm))
    invariant(abs(gap - cross) < 1e-6, "the legs' cross bankruptcy gaps do not add up to the account's deficit")
    return cross, isolated


@grader
def cross_bad_debt(answer, prediction=None) -> CheckResult:
    """Exercise 1.5: the bad debt (USD) of the cross-margined account; predict which margin mode leaves more."""
    cross, isolated = _cross_numbers()
    result = check_value(
        "Exercise 1.5",
        answer,
        cross,
        why=(f"the account's net collateral is 8,000 − 3,000 − 6,000 = {-cross:,.0f} USD, so {cross:,.0f} USD is "
             f"bad debt; split into two isolated halves the ETH short alone would leave {isolated:,.0f} USD "
             "while the BTC long kept 1,000."),
        hint="add the balance and every position's profit or loss (size × (price − entry)); bad debt is the "
             "part below zero.",
    )
    where = "cross" if cross > isolated else "isolated" if isolated > cross else "same"
    compare_prediction("Exercise 1.5 prediction", prediction, where, options=("cross", "isolated", "same"),
                       answered=result.status != "not attempted")
    return result


@grader
def tiered_margin(answer) -> CheckResult:
    """Exercise 1.6: maintenance margin (USD) of a 3,000,000 USD position under the tiers ``sl.books.margin_tiers()``."""
    expected = float(m.tiered_maintenance_margin(3_000_000.0, margin_tiers()))
    return check_value(
        "Exercise 1.6",
        answer,
        expected,
        why="1M at 0.5 % + 1.5M at 1 % + 0.5M at 2 % = 5,000 + 15,000 + 10,000 = 30,000 USD.",
        hint="charge each slice of the notional its own tier's rate, then add the slices.",
    )


@grader
def equity_at_mark(answer, prediction=None) -> CheckResult:
    """Exercise 1.7: trader 3's equity (USD) at the mark price, the median of ``sl.books.price_candidates()``;
    predict which price would liquidate it."""
    cand = price_candidates()
    mark = float(sorted(cand.values())[1])
    size, entry, collateral, mmr = -1.0, 60_000.0, 1_200.0, 0.005
    expected = float(m.equity(collateral, size, entry, mark))
    result = check_value(
        "Exercise 1.7",
        answer,
        expected,
        why=(f"the mark is the median, {mark:,.0f} USD, so the short has lost {mark - entry:,.0f} USD and keeps "
             f"{expected:,.0f} USD, well above its maintenance margin; at the last trade, 70,000, it would be "
             "bankrupt."),
        hint="take the middle of the three candidate prices, then equity = collateral + size × (price − entry).",
    )
    by_last = bool(m.is_liquidatable(collateral, size, entry, cand["last"], mmr))
    by_mark = bool(m.is_liquidatable(collateral, size, entry, mark, mmr))
    truth = {(True, True): "both", (True, False): "last", (False, True): "mark", (False, False): "neither"}
    compare_prediction("Exercise 1.7 prediction", prediction, truth[(by_last, by_mark)],
                       options=("last", "mark", "both", "neither"), answered=result.status != "not attempted")
    return result

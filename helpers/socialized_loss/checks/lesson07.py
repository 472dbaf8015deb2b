"""Checks for lesson 07 — The clearing-house default waterfall. Answers are computed with ``sl.default_waterfall``
and ``sl.pro_rata``."""
from __future__ import annotations

import numpy as np

from .. import allocation as al
from .. import margin as m
from .. import waterfall as wf
from ..books import compensation_case
from .core import CheckResult, check_function, check_value, grader
from .predict import compare_prediction

__all__ = ["average_refill", "compensation", "extra_for_market_maker", "member_b_pays",
           "my_waterfall"]

# Exercise 7.5's liquidated long and the venue's later reference price are package data:
# sl.books.compensation_case() (data/books.toml).

#: The lesson's four-member CCP (EUR): A, B, C's contributions, and assessments capped at 1× each.
CONTRIB = np.array([12_000_000.0, 8_000_000.0, 10_000_000.0])
LESSON_LAYERS = wf.WaterfallLayers(
    defaulter_initial_margin=25_000_000,
    defaulter_default_fund=5_000_000,
    skin_in_the_game=4_000_000,
    member_default_fund=CONTRIB,
    assessment_caps=CONTRIB,
)
#: Nasdaq Clearing, September 2018: loss beyond margin (Reuters), SITG, and the fund ≈ 107 ÷ ⅔ (derived).
NASDAQ_LOSS = 114_000_000.0
NASDAQ_LAYERS = wf.WaterfallLayers(skin_in_the_game=7_000_000, member_default_fund=[160_500_000])
NASDAQ_MEMBERS = 166
#: The toy net-vs-gross book (contracts): market maker, hedger, fund, bank.
LONGS = np.array([1_000.0, 0.0, 150.0, 300.0])
SHORTS = np.array([990.0, 200.0, 0.0, 280.0])


@grader
def member_b_pays(answer, prediction=None) -> CheckResult:
    """Exercise 7.1 (predict first): member B's total charge (EUR) for a 90 M EUR default."""
    r = wf.default_waterfall(90_000_000, LESSON_LAYERS)
    expected = float(r.default_fund_charges[1] + r.assessment_charges[1])
    result = check_value(
        "Exercise 7.1",
        answer,
        expected,
        why=(
            "90 M EUR uses D's 30 M, the CCP's 4 M and the whole 30 M fund, then 26 M of assessments: B pays 8/30 of "
            f"each shared layer, {expected:,.2f} EUR in all."
        ),
        hint="run sl.default_waterfall(90_000_000, layers) and add B's entries (index 1) of the default-fund and "
        "assessment charges.",
    )
    reaches = "yes" if r.draws["assessments"] > 0 else "no"
    answered = result.status != "not attempted"
    compare_prediction("Exercise 7.1 prediction", prediction, reaches, options=("yes", "no"), answered=answered)
    return result


@grader
def average_refill(answer) -> CheckResult:
    """Exercise 7.2: the average refill per member (EUR) after Nasdaq's 2018 default."""
    drawn = wf.default_waterfall(NASDAQ_LOSS, NASDAQ_LAYERS).draws["member_default_fund"]
    expected = drawn / NASDAQ_MEMBERS
    return check_value(
        "Exercise 7.2",
        answer,
        expected,
        why=f"the fund lost {drawn:,.0f} EUR (114 M − Nasdaq's 7 M); over 166 members that is about "
        f"{expected:,.2f} EUR each on average (the real split was pro rata to contributions).",
        hint="the members' fund pays what is left after Nasdaq's 7 M EUR of skin in the game; divide by 166.",
        atol=0.01,
    )


def _engine_draws(loss: float, caps) -> list[float]:
    c = [float(x) for x in caps]
    layers = wf.WaterfallLayers(
        defaulter_initial_margin=c[0],
        defaulter_default_fund=c[1],
        skin_in_the_game=c[2],
        member_default_fund=[c[3]],
        assessment_caps=[c[4]],
        vm_gains=[c[5]],
    )
    r = wf.default_waterfall(loss, layers)
    return [r.draws[k] for k in wf.LAYER_NAMES]


@grader
def my_waterfall(func) -> CheckResult:
    """Exercise 7.3: a learner's ``my_waterfall(loss, capacities)`` against the engine's waterfall."""
    caps = [25_000_000.0, 5_000_000.0, 4_000_000.0, 30_000_000.0, 30_000_000.0, 40_000_000.0]
    cases = [
        ((loss, caps), _engine_draws(loss, caps))
        for loss in (10_000_000.0, 60_000_000.0, 90_000_000.0, 134_000_000.0, 200_000_000.0, 0.0)
    ]
    cases.append(((12.5, [5.0, 0.0, 10.0, 1.0, 0.0, 3.0]), _engine_draws(12.5, [5.0, 0.0, 10.0, 1.0, 0.0, 3.0])))
    return check_function(
        "Exercise 7.3",
        func,
        cases,
        why="each layer gives min(its capacity, what is still unpaid), in order: the waterfall is sequential "
        "allocation, the same primitive as an ADL queue.",
        hint="walk through the capacities keeping a running 'left to pay'; take min(capacity, left) from each; a "
        "loss larger than all layers uses every layer in full.",
    )


@grader
def extra_for_market_maker(answer) -> CheckResult:
    """Exercise 7.4 (stretch): the market maker's extra charge (EUR) under gross-size weights vs net-risk weights."""
    net, gross = np.abs(LONGS - SHORTS), LONGS + SHORTS
    loss = 26_000_000.0
    by_net = al.pro_rata(loss, net)[0]
    by_gross = al.pro_rata(loss, gross)[0]
    expected = float(by_gross - by_net)
    return check_value(
        "Exercise 7.4",
        answer,
        expected,
        why=f"by net risk the market maker pays {by_net:,.2f} EUR, by gross size {by_gross:,.2f} EUR: flat books "
        "are cheap under net-risk sharing, which is Kubitza et al.'s point.",
        hint="sl.pro_rata(26_000_000, gross)[0] − sl.pro_rata(26_000_000, net)[0], with net = |longs − shorts| and "
        "gross = longs + shorts.",
        atol=0.01,
    )


@grader
def compensation(answer, prediction=None) -> CheckResult:
    """Exercise 7.5: the payout (USD) to the liquidated long of ``sl.books.compensation_case()`` under a rule
    "reference price minus liquidation price, times size"; predict whether any rule fixed in advance says who funds
    it ("yes" or "no")."""
    case = compensation_case()
    # what the long would have been worth had it been closed at the reference price instead: the PnL between the two
    expected = float(m.equity(0.0, case.size, case.liquidation_price, case.reference_price))
    result = check_value(
        "Exercise 7.5",
        answer,
        expected,
        why=(f"{case.size:g} BTC × ({case.reference_price:,.0f} − {case.liquidation_price:,.0f}) = {expected:,.0f} USD, "
         "paid by the venue from its own money."),
        hint="payout = size × (reference price − liquidation price) for a long.",
    )
    compare_prediction("Exercise 7.5 prediction", prediction, "no", options=("yes", "no"),
                       answered=result.status != "not attempted")
    return result

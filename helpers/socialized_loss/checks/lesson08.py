"""Checks for lesson 08 — Comparing mechanisms: fairness, incentives and moral hazard.

Expected values come from the engine (``sl.haircuts``, ``sl.socialize``, ``sl.fairness``) and the lesson's book
(``sl.books.mechanism_books``, run through ``sl.comparison``), never from pasted literals.
"""
from __future__ import annotations

import numpy as np

from .. import haircuts, socialize
from ..books import mechanism_books
from ..comparison import mechanisms_state
from .core import CheckResult, check_function, check_value, grader
from .predict import compare_prediction

__all__ = ["market_maker_bill", "pro_rata_amounts", "queue_split", "top_winner_gap", "water_filling"]

PAPER_W = (8.0, 4.0, 0.5)  # Chitra's worked example: winners' profits
PAPER_B = 7.5  # θ·D = ½ × 15


@grader
def pro_rata_amounts(answer) -> CheckResult:
    """Exercise 8.1: the pro-rata amounts x for w = (8, 4, 0.5) and B = 7.5 (the paper's example)."""
    expected = haircuts.pro_rata_haircut(PAPER_W, PAPER_B).x
    return check_value(
        "Exercise 8.1",
        answer,
        expected,
        why="every winner loses the same share h = B ÷ U = 7.5 ÷ 12.5 = 0.6 of its profit: x = (4.8, 2.4, 0.3).",
        hint="first U = Σ w; then each x_i = (B ÷ U) × w_i. Give the three amounts as a list or array.",
        rtol=0.0,
        atol=1e-6,
    )


@grader
def queue_split(answer, prediction=None) -> CheckResult:
    """Exercise 8.2 (predict first): what Ben's two pieces pay in total under the ADL queue (USD)."""
    st = mechanisms_state("lesson", "pnl_haircut_queue", split="Ben", pieces=2)
    result = check_value(
        "Exercise 8.2",
        answer,
        st["split_total"],
        why=(
            f"each half of Ben has half the profit at the same leverage, so half the score: both pieces fall behind "
            f"Ana, who now pays {st['charges_after'][0]:,.2f} USD, and Ben pays {st['split_total']:,.2f} instead of "
            f"{st['unsplit_charge']:,.2f}."
        ),
        hint="score = profit × leverage; halve Ben's profit and notional, re-rank, and fill 7,500 USD down the queue.",
        rtol=0.0,
        atol=0.01,
    )
    split, whole = st["split_total"], st["unsplit_charge"]
    verdict = "less" if split < whole else "more" if split > whole else "the same"
    answered = result.status != "not attempted"
    compare_prediction("Exercise 8.2 prediction", prediction, verdict,
                       options=("more", "less", "the same"), answered=answered)
    return result


@grader
def top_winner_gap(answer) -> CheckResult:
    """Exercise 8.3: υ^PR − υ^Queue for w = (10, 6, 4) and H = 8 (the queue takes the largest winner first)."""
    w, H = (10.0, 6.0, 4.0), 8.0
    expected = haircuts.top_winner_gap(w, H)
    return check_value(
        "Exercise 8.3",
        answer,
        expected,
        why=(
            f"H(1 − w₍₁₎/U) = 8 × (1 − 10/20) = {expected:g}: under pro-rata the top winner keeps {expected:g} more "
            "than under a queue that seizes it first."
        ),
        hint="U = Σ w and w₍₁₎ is the largest profit; the formula holds because H ≤ w₍₁₎.",
        rtol=0.0,
        atol=1e-6,
    )


@grader
def market_maker_bill(answer) -> CheckResult:
    """Exercise 8.4: Mia's charge under contracts pro-rata in the lesson's book (USD)."""
    book = mechanism_books()["lesson"]
    r = socialize.contracts_pro_rata(book.budget, book.size)
    i = book.names.index("Mia")
    return check_value(
        "Exercise 8.4",
        answer,
        float(r.charges[i]),
        why=(
            f"{r.per_contract:,.2f} USD per BTC of open interest × Mia's {abs(book.size[i]):g} BTC: the market maker, "
            "who made no profit, pays the largest share."
        ),
        hint="per contract = B ÷ Σ|size| over every open position (longs and shorts); multiply by Mia's |size|.",
        rtol=0.0,
        atol=0.01,
    )


@grader
def water_filling(func) -> CheckResult:
    """Exercise 8.5 (stretch): a learner's ``capped_pro_rata(w, budget, caps)`` → amounts x (USD)."""
    cases = [
        (PAPER_W, PAPER_B, (1.0, 1.0, 1.0)),
        (PAPER_W, PAPER_B, (0.5, 1.0, 0.5)),
        ((8_000.0, 4_000.0, 500.0), 7_500.0, (0.5, 1.0, 0.5)),
        ((12_000.0, 500.0, 500.0, 500.0), 4_000.0, (0.25, 1.0, 1.0, 1.0)),
    ]
    expected = [((np.array(w), b, np.array(c)), haircuts.capped_pro_rata_haircut(w, b, c).x) for w, b, c in cases]
    return check_function(
        "Exercise 8.5",
        func,
        expected,
        why="one common haircut η for everyone below their cap, the capped ones at their cap, η chosen to hit B.",
        hint="for a trial η, Σ w_i·min(η, β_i) grows with η; search η in [0, 1] (bisection) until it hits the budget.",
        rtol=0.0,
        atol=0.011,
    )

"""Checks for lesson 09 — Case study: Hyperliquid, 10 October 2025.

Every expected value is computed from the authors' data files with ``sl.casestudy``, never typed in.
"""
from __future__ import annotations

import math

import numpy as np

from .. import casestudy as cs
from .core import CheckResult, check_parts, check_value, grader
from .predict import compare_prediction

__all__ = ["headline_overshoot", "naive_mapping", "top_three_share", "undertaken_waves", "worst_delay"]


@grader
def headline_overshoot(answer) -> CheckResult:
    """Exercise 9.1: Σ taken − Σ needed over the 16 waves (USD, to the cent)."""
    h = cs.hyperliquid_headline()
    return check_value(
        "Exercise 9.1",
        answer,
        h.overshoot,
        why=(
            f"production took {h.taken:,.2f} USD against {h.needed:,.2f} USD needed: {h.overshoot:,.2f} USD more, "
            "the paper's 45.03 million."
        ),
        hint="add up w.taken and w.needed over all 16 waves (np.sum), then subtract; keep the sign: taken − needed.",
        rtol=0.0,
        atol=0.01,
    )


@grader
def top_three_share(answer, prediction=None) -> CheckResult:
    """Exercise 9.2 (predict first): the three largest waves' overshoot ÷ the whole event's overshoot."""
    w = cs.load_waves()
    top = cs.dominant_waves(3, w)
    idx = [w.index(x) for x in top]
    ordered = sorted(top.tolist())
    names = ", ".join(map(str, ordered[:-1])) + f" and {ordered[-1]}"
    expected = math.fsum(w.overshoot[idx].tolist()) / math.fsum(w.overshoot.tolist())
    result = check_value(
        "Exercise 9.2",
        answer,
        expected,
        why=(
            f"waves {names} alone overshoot by {100 * expected:.1f} % of the net total: more than all of it, "
            "because the early waves took less than needed and pull the net total down."
        ),
        hint="sort w.overshoot from largest to smallest, add the first three, and divide by w.overshoot.sum().",
        rtol=1e-4,
        atol=1e-4,
    )
    band = "more than 100 %" if expected > 1 else "about 90 %" if expected > 0.5 else "under half"
    answered = result.status != "not attempted"
    compare_prediction("Exercise 9.2 prediction", prediction, band,
                       options=("under half", "about 90 %", "more than 100 %"), answered=answered)
    return result


@grader
def undertaken_waves(count, usd) -> CheckResult:
    """Exercise 9.3: how many waves took less than needed, and by how much in total (USD, a positive number)."""
    w = cs.load_waves()
    short = w.overshoot < 0
    expected_count = int(np.count_nonzero(short))
    expected_usd = -math.fsum(w.overshoot[short].tolist())
    hint = "a boolean mask w.taken < w.needed picks the waves; count it, and add needed − taken over those waves."
    parts = [
        (count, lambda: check_value("Exercise 9.3a", count, expected_count, why=f"{expected_count} waves.",
                                    hint=hint, rtol=0.0, atol=0.0)),
        (usd, lambda: check_value("Exercise 9.3b", usd, expected_usd, why=f"{expected_usd:,.2f} USD short in all.",
                                  hint=hint + " Give it as a positive number.", rtol=0.0, atol=0.01)),
    ]
    return check_parts(
        "Exercise 9.3",
        parts,
        why=(
            f"{expected_count} waves (labels {', '.join(map(str, w.wave[short]))}) took {expected_usd:,.2f} USD less "
            "than needed in total: the net 45 million hides waves that took too little as well as too much."
        ),
    )


@grader
def worst_delay(delay_ms, overshoot_usd) -> CheckResult:
    """Exercise 9.4: the evaluation delay (ms) with the largest overshoot in the sweep, and that overshoot (USD)."""
    sweep = cs.load_horizon_sweep()
    delay, worst = sweep.worst
    hint = "use sweep.overshoot and sweep.horizon_ms; np.argmax gives the position of the largest overshoot."
    parts = [
        (delay_ms, lambda: check_value("Exercise 9.4a", delay_ms, delay, why=f"{delay} ms.", hint=hint,
                                       rtol=0.0, atol=0.01)),
        (overshoot_usd, lambda: check_value("Exercise 9.4b", overshoot_usd, worst, why=f"{worst:,.2f} USD.",
                                            hint=hint, rtol=0.0, atol=0.01)),
    ]
    return check_parts(
        "Exercise 9.4",
        parts,
        why=(
            f"evaluated {delay} ms after each wave the overshoot is {worst:,.2f} USD, the top of the paper's "
            "45.0–51.7 million USD band: the answer depends on when you look."
        ),
    )


@grader
def naive_mapping(answer) -> CheckResult:
    """Exercise 9.5 (stretch): (queue diagnostic in equity USD ÷ trimmed-mean equity/PnL) ÷ the observed overshoot."""
    head = cs.load_headlines()["headline"]
    ratio = head["winner_overcollateralization_equity_over_pnl"]["trimmed_mean"]
    expected = head["queue_total_overshoot_usd"] / ratio / head["prod_overshoot_vs_needed_usd"]
    return check_value(
        "Exercise 9.5",
        answer,
        expected,
        why=(
            f"turning {head['queue_total_overshoot_usd'] / 1e6:.2f} million USD of equity into profit dollars gives "
            f"about {head['queue_total_overshoot_usd'] / ratio / 1e6:.1f} million, still {expected:.2f}× the "
            f"{head['prod_overshoot_vs_needed_usd'] / 1e6:.2f} million measured: the two numbers answer different "
            "questions."
        ),
        hint="divide the 653.55-million-USD diagnostic by the trimmed-mean equity ÷ PnL ratio, then by the measured overshoot.",
        rtol=1e-4,
        atol=1e-4,
    )

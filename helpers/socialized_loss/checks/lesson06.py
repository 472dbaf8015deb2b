"""Checks for lesson 06 — Vaults, stakers and depositors as the backstop. Answers are computed with ``sl.backstop``
(the vault ledger, ``gmx_adl_triggered``, ``umbrella_slash``) and the lesson's cooldown model
(``sl.cooldown.vault_state``)."""
from __future__ import annotations

import numpy as np

from .. import backstop as bs
from ..cooldown import vault_state
from .core import CheckResult, check_function, check_value, grader, invariant
from .predict import compare_prediction

__all__ = ["gmx_trigger", "min_cooldown", "price_after_run", "staker_loss"]

#: The lesson's five depositors (USD): Ana, Ben, Caro, Dev, Eve.
PAID_IN = (400_000.0, 300_000.0, 200_000.0, 100_000.0, 210_000.0)


def _small_vault(leavers: tuple[int, ...]) -> float:
    """Replay the lesson's six days with ``leavers`` withdrawing on day 4; the share price after the day-5 loss."""
    vault = bs.new_vault(5)
    for i in range(4):
        vault = bs.deposit(vault, i, PAID_IN[i])
    vault = bs.apply_pnl(vault, 50_000)
    vault = bs.deposit(vault, 4, PAID_IN[4])
    for i in leavers:
        vault, _ = bs.withdraw(vault, i, vault.shares[i])
    vault = bs.apply_pnl(vault, -189_000)
    return bs.share_price(vault)


@grader
def price_after_run(answer, prediction=None) -> CheckResult:
    """Exercise 6.1 (predict first): the share price after the loss when Ben and Ana both leave on day 4."""
    expected = _small_vault((1, 0))
    base = _small_vault((1,))
    result = check_value(
        "Exercise 6.1",
        answer,
        expected,
        why=(
            f"the same 189,000 USD loss now falls on 500,000 shares instead of 900,000: each loses "
            f"{1.05 - expected:.3f} USD instead of {1.05 - base:.2f}, so the price drops to {expected:.3f}. "
            "Every depositor who runs makes the loss bigger for those who stay."
        ),
        hint="after Ben and Ana leave, the vault holds 525,000 USD in 500,000 shares; subtract the loss from the "
        "assets and divide by the shares.",
        rtol=1e-9,
        atol=1e-6,
    )
    more_or_less = "more" if 1.05 - expected > 1.05 - base else "less"
    answered = result.status != "not attempted"
    compare_prediction("Exercise 6.1 prediction", prediction, more_or_less, options=("more", "less"), answered=answered)
    return result


@grader
def gmx_trigger(func) -> CheckResult:
    """Exercise 6.2: a learner's ``adl_needed(pending_profit, pool_value, max_pnl_factor)`` against the engine."""
    inputs = [
        (4_500_001.0, 10_000_000.0, 0.45),
        (4_500_000.0, 10_000_000.0, 0.45),  # equal: no ADL
        (4_400_000.0, 10_000_000.0, 0.45),
        (-2_000_000.0, 10_000_000.0, 0.45),  # traders losing: the pool is gaining
        (300.0, 1_000.0, 0.25),
        (250.0, 1_000.0, 0.25),
        (0.0, 1_000.0, 0.0),  # no profit, zero threshold: still no ADL
    ]
    cases = [(args, bool(bs.gmx_adl_triggered(*args))) for args in inputs]
    return check_function(
        "Exercise 6.2",
        func,
        cases,
        why="GMX's code enables ADL only when the PnL-to-pool ratio is strictly above the maximum; at exactly the "
        "maximum the pool can still pay.",
        hint="compare pending_profit / pool_value with max_pnl_factor using a strict >; check the case where they "
        "are equal, and profits ≤ 0.",
        atol=0.0,
        rtol=0.0,
    )


@grader
def staker_loss(answer) -> CheckResult:
    """Exercise 6.3: a 50,000 USDT staker's slash when a 1,300,000 USDT deficit meets a 100,000 USDT offset."""
    s = bs.umbrella_slash(1_300_000, 100_000, [50_000, 120_840_000 - 50_000])
    expected = float(s.slashed[0])
    return check_value(
        "Exercise 6.3",
        answer,
        expected,
        why=(
            f"the offset takes the first 100,000 USDT; the other 1,200,000 USDT is slashed pro rata: "
            f"50,000 / 120,840,000 of it is {expected:,.2f} USDT, about 0.99 % of the stake."
        ),
        hint="only the part of the deficit above the offset is slashed, and it is shared in proportion to stakes.",
        atol=0.01,
    )


def _closed_form_min_cooldown(warning: float, attentive: float, tolerance: float) -> float:
    f_max = 1.0 - 1.0 / (1.0 + tolerance)
    if attentive <= f_max:
        return 0.0
    return warning * (1.0 - f_max / attentive)


@grader
def min_cooldown(answer) -> CheckResult:
    """Exercise 6.4 (stretch): the shortest cooldown keeping the stayers' loss within 12 % of the no-run loss."""
    warning, attentive, tol = 10.0, 0.4, 0.12
    expected = _closed_form_min_cooldown(warning, attentive, tol)
    # cross-check against the lesson's model: at that cooldown the stayers lose exactly 1.12 × the no-run loss
    st = vault_state(loss=1_000_000.0, warning_days=warning, cooldown_days=expected, attentive_share=attentive)
    invariant(bool(np.isclose(st["stayer_loss_per_1000"], (1 + tol) * st["no_run_loss_per_1000"], rtol=1e-6)),
              "the closed form disagrees with the cooldown model")
    return check_value(
        "Exercise 6.4",
        answer,
        expected,
        why=f"about {expected:.2f} days: then 10.7 % of the vault escapes and the stayers lose exactly 12 % more "
        "than with no run; any shorter and more escape.",
        hint="stayers lose loss ÷ (vault × (1 − f)) per dollar with f = 0.4 × (10 − C) / 10; solve 1 / (1 − f) = 1.12 "
        "for C.",
        rtol=1e-4,
        atol=0.01,
    )

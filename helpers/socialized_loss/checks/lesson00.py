"""Checks for lesson 00 — Start here."""
from __future__ import annotations

from .core import CheckResult, check_value, grader

__all__ = ["bad_debt", "left_to_socialize"]


@grader
def bad_debt(answer) -> CheckResult:
    """Exercise 0.1: loss 1,500 USD against 1,000 USD of collateral."""
    loss, collateral = 1_500.0, 1_000.0
    return check_value(
        "Exercise 0.1",
        answer,
        max(loss - collateral, 0.0),
        why="the collateral absorbs the first 1,000 USD; only the 500 USD beyond it is bad debt.",
        hint="bad debt is the loss minus the collateral, never below zero.",
    )


@grader
def left_to_socialize(answer) -> CheckResult:
    """Exercise 0.2: 500 USD of bad debt against a 300 USD insurance fund."""
    bad, fund = 500.0, 300.0
    return check_value(
        "Exercise 0.2",
        answer,
        bad - min(fund, bad),
        why="the fund pays all it has (300 USD), so 200 USD must be shared out by the venue's rule.",
        hint="the fund pays min(fund, bad debt); the rest is what gets socialized.",
    )

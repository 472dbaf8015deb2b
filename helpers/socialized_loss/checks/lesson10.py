"""Checks for lesson 10 — Stress lab. Expected values are recomputed with the engine on the lesson's market
(``sl.stress.lab()``, fixed seeds): ``sl.simulate.simulate`` for the losses, ``sl.sequential`` and
``sl.pro_rata`` for the waterfall, ``sl.fund_path`` for the fund. Nothing is cached: each check reruns what it needs
(a few tenths of a second)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..allocation import pro_rata, sequential, to_minor
from ..insurance import fund_path
from ..simulate import SimResult, simulate
from ..stress import lab as stress_lab
from ..stress import open_profits as stress_profits
from .core import CheckResult, _fmt, check_value, grader, invariant, not_attempted, real_number, report
from .predict import compare_prediction

__all__ = [
    "CAP_SHARE",
    "TARGET",
    "VAULT",
    "VENUE",
    "capped_waterfall",
    "fund_for_target",
    "reference_waterfall",
    "single_step_path",
    "stress_test",
    "traders_charged",
    "waterfall",
]

#: The layers of the lesson's waterfall (USD): the venue's own capital, then a backstop vault.
VENUE = 10_000.0
VAULT = 40_000.0
#: Exercise 10.5: no trader pays more than this share of their profit.
CAP_SHARE = 0.25
#: Exercise 10.4: the target probability that the fund runs out over a path.
TARGET = 0.05


# ----------------------------------------------------------------------------------------------------------------
# The engine runs the checks need


def _run(mechanism: str) -> tuple[Any, SimResult]:
    lab = stress_lab()
    return lab, simulate(population=lab.population, prices=lab.prices, mechanism=mechanism, fund0=lab.fund0)


def reference_waterfall(loss, profits, venue=VENUE, vault=VAULT, cap_share=None):
    """The course's answer to Exercise 10.2 (and 10.5 with ``cap_share``): ``(layers, charges, uncovered)`` in USD.

    The loss is drawn from the venue's capital, then the vault (``sequential``); the rest is clawed back pro rata to
    ``profits``, nobody above their profit (or above ``cap_share`` × profit, rounded to the cent); what is left is
    uncovered. Exact to the cent.
    """
    profits = np.asarray(profits, dtype=float)
    drawn = sequential(loss, [venue, vault])
    caps = profits if cap_share is None else np.round(cap_share * profits, 2)
    charges = np.zeros_like(profits)
    if drawn.rest > 0 and caps.sum() > 0:
        charges = pro_rata(drawn.rest, profits, caps=caps)
    uncovered = float(to_minor(drawn.rest) - to_minor(charges).sum()) / 100.0
    return drawn.draws, charges, uncovered


def single_step_path(result: SimResult) -> tuple[int, int]:
    """The path (and step, 1…T) of a clawback run whose socialized loss all came in one step, the largest such."""
    steps_hit = (result.socialized_cents > 0).sum(axis=1)
    paths = np.flatnonzero(steps_hit == 1)
    invariant(paths.size > 0, "no path socialized its loss in a single step")
    p = int(paths[np.argmax(result.socialized_cents[paths].sum(axis=1))])
    t = int(np.flatnonzero(result.socialized_cents[p])[0]) + 1
    return p, t


def _beyond_fund_and_profits():
    """Per path of the "none" run: the bad debt the fund could not pay (USD) and the open winners' profits at the end."""
    lab, r = _run("none")
    beyond = r.uncovered_cents.sum(axis=1) / 100.0
    profits = [stress_profits(lab.population, r, p) for p in range(beyond.size)]
    return beyond, profits


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.1


def _precheck(name: str, answer: Any, n: int) -> CheckResult | None:
    """Before any engine run: *not attempted* for a (partly) blank answer, a ✗ verdict when ``answer`` is not ``n``
    real numbers, else None (go on and grade it)."""
    if not_attempted(answer) or (isinstance(answer, (list, tuple)) and any(a is None or a is Ellipsis for a in answer)):
        return check_value(name, answer, 0.0, why="", hint="")
    want = "one number" if n == 1 else f"{n} numbers, as a pair (a, b)"
    if n == 1:
        ok = real_number(answer)[0] is not None
    else:
        ok = isinstance(answer, (list, tuple, np.ndarray)) and len(answer) == n and all(
            real_number(a)[0] is not None for a in answer)
    if ok:
        return None
    return report(name, "wrong", f"not quite: expected {want}, got {_fmt(answer)}. Hint: the exercise says what to "
                  "give, in what order.")


def _median_charged(mechanism: str) -> float:
    _, r = _run(mechanism)
    hit = r.charged_cents.sum(axis=1) > 0
    return float(np.median((r.charged_cents[hit] > 0).sum(axis=1))) if hit.any() else 0.0


@grader
def traders_charged(answer, prediction=None) -> CheckResult:
    """Exercise 10.1 (predict first): on the paths where anything was socialized, the median number of traders
    charged under clawback and under the ADL queue, as a pair; ``prediction`` is the rule expected to touch more."""
    early = _precheck("Exercise 10.1", answer, 2)  # blanks and malformed answers never run the engine
    if early is not None:
        compare_prediction("Exercise 10.1 prediction", prediction, None, options=("clawback", "adl", "the same"),
                           answered=False)
        return early
    expected = np.array([_median_charged("clawback"), _median_charged("pnl_haircut_queue")])
    more = "clawback" if expected[0] > expected[1] else "adl" if expected[1] > expected[0] else "the same"
    result = check_value(
        "Exercise 10.1",
        answer,
        expected,
        why=f"a clawback touches about {expected[0]:.0f} traders a little; the ADL queue about {expected[1]:.0f} "
        "traders a lot. Same loss, very different hits.",
        hint="for each mechanism: r = sl.simulate.simulate(population=..., prices=..., mechanism=..., fund0=lab.fund0); keep "
        "the paths where r.charged_cents.sum(axis=1) > 0, count the traders with a charge > 0 on each, take the "
        "median. Answer (clawback, adl).",
        atol=0.0,
        rtol=0.0,
    )
    answered = result.status != "not attempted"
    compare_prediction("Exercise 10.1 prediction", prediction, more,
                       options=("clawback", "adl", "the same"), answered=answered)
    return result


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.2


def _as_triple(out) -> tuple[np.ndarray, np.ndarray, float]:
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise TypeError("it must return three things: (layers, charges, uncovered)")
    for part, what in zip(out, ("layers", "charges", "uncovered"), strict=True):
        if isinstance(part, (str, bytes, bool, dict, complex)):
            raise TypeError(f"{what} must be numbers, got {type(part).__name__}")
    layers = np.asarray(out[0], dtype=float)
    charges = np.asarray(out[1], dtype=float)
    uncovered, reason = real_number(out[2])
    if uncovered is None:
        raise TypeError(f"uncovered must be one number: {reason}")
    return layers, charges, uncovered


@grader
def waterfall(func: Callable | None) -> CheckResult:
    """Exercise 10.2: ``my_waterfall(loss, profits, venue, vault) -> (layers, charges, uncovered)``.

    Tested on hand-made cases (each layer empty, partly used, full; profits too small), for conservation to the cent,
    and against the engine: with no venue capital and no vault it must reproduce the engine's clawback at a real step
    of the simulation where the fund ran out. The engine runs only once the hand-made cases pass.
    """
    name = "Exercise 10.2"
    hint = ("draw the loss with sl.sequential(loss, [venue, vault]); share what is left (.rest) with "
            "sl.pro_rata(rest, profits, caps=profits); uncovered = rest − Σ charges (round to the cent).")
    if func is None or func is Ellipsis:
        return report(name, "not attempted", "not attempted yet: fill in the function and run this cell again.")

    def attempt(loss, profits, venue, vault, expected, where):
        """None if the learner's function passes this case, else the CheckResult to return."""
        try:
            got = func(loss, profits.copy(), venue, vault)
        except Exception as exc:  # a learner's bug is reported, never a traceback  # noqa: BLE001
            return report(name, "wrong", f"{where} it raised {type(exc).__name__}: {exc}. Hint: {hint}")
        if not_attempted(got):
            return report(name, "not attempted", "not attempted yet: the function still returns nothing.")
        try:
            layers, charges, uncovered = _as_triple(got)
        except Exception as exc:  # junk of any kind: graded, never raised  # noqa: BLE001
            return report(name, "wrong", f"{where}: {exc}. Hint: {hint}")
        if layers.shape != (2,) or charges.shape != profits.shape:
            return report(name, "wrong", f"{where} the layers should be 2 numbers and the charges one per trader "
                          f"({profits.size}). Hint: {hint}")
        if not (np.all(np.isfinite(layers)) and np.all(np.isfinite(charges)) and np.isfinite(uncovered)):
            return report(name, "wrong", f"{where} it returned NaN or infinity. Hint: {hint}")
        total = int(to_minor(layers).sum() + to_minor(charges).sum() + to_minor(uncovered))
        if total != int(to_minor(loss)):
            return report(name, "wrong", f"{where} layers + charges + uncovered = {total / 100:,.2f}, not "
                          f"{loss:,.2f}: money was created or lost. Hint: {hint}")
        exp_layers, exp_charges, exp_unc = expected
        if not (np.allclose(layers, exp_layers, atol=0.005, rtol=0)
                and np.allclose(charges, exp_charges, atol=0.005, rtol=0) and abs(uncovered - exp_unc) < 0.005):
            return report(name, "wrong", f"{where} it gave layers {np.round(layers, 2).tolist()}, uncovered "
                          f"{uncovered:,.2f} and charges summing to {charges.sum():,.2f}: not the expected split. "
                          f"Hint: {hint}")
        return None

    prof = np.array([8_000.0, 4_000.0, 500.0, 0.0])
    cases = [
        (5_000.0, prof, VENUE, VAULT),  # the venue's capital alone
        (30_000.0, prof, VENUE, VAULT),  # into the vault
        (55_000.0, prof, VENUE, VAULT),  # 5,000 reaches the traders
        (70_000.0, prof, VENUE, VAULT),  # more than the traders' profits: some is left uncovered
        (1_000.0, np.array([300.0, 300.0, 100.0]), 0.0, 0.0),  # pro rata only, with cents to place
        (0.0, prof, VENUE, VAULT),  # nothing to cover
    ]
    for loss, profits, venue, vault in cases:
        bad = attempt(loss, profits, venue, vault, reference_waterfall(loss, profits, venue, vault),
                      f"for loss {loss:,.2f}, venue {venue:,.0f}, vault {vault:,.0f}")
        if bad is not None:
            return bad
    # against the engine: its own clawback at a step where the fund ran out
    lab, r = _run("clawback")
    p, t = single_step_path(r)
    residual = float(r.bad_debt_cents[p, t - 1] - r.fund_paid_cents[p, t - 1]) / 100.0
    engine_profits = stress_profits(lab.population, r, p, t)
    engine = (np.zeros(2), r.charged_cents[p] / 100.0, float(r.uncovered_cents[p, t - 1]) / 100.0)
    bad = attempt(residual, engine_profits, 0.0, 0.0, engine,
                  f"against the engine's clawback of {residual:,.2f} USD (path {p}, step {t}),")
    if bad is not None:
        return bad
    return report(name, "correct", "it conserves money to the cent, and with no venue capital and no vault it "
                  f"reproduces the engine's clawback of {residual:,.2f} USD on path {p}, step {t}, cent for cent.")


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.3


@grader
def stress_test(answer) -> CheckResult:
    """Exercise 10.3: (share of paths on which traders pay anything, the largest clawback rate over the paths)."""
    early = _precheck("Exercise 10.3", answer, 2)  # blanks and malformed answers never run the engine
    if early is not None:
        return early
    beyond, profits = _beyond_fund_and_profits()
    reach, worst = 0, 0.0
    for loss, prof in zip(beyond, profits):
        _, charges, _ = reference_waterfall(loss, prof)
        if charges.sum() > 0:
            reach += 1
            worst = max(worst, charges.sum() / prof.sum())
    expected = np.array([reach / beyond.size, worst])
    return check_value(
        "Exercise 10.3",
        answer,
        expected,
        why=f"the traders are reached on {expected[0]:.1%} of the paths, but then hard: up to {worst:.0%} of the "
        "winners' profits. Two layers in front make socialization rare, not small.",
        hint="loop over the paths; a path reaches the traders if its charges sum to more than 0; its rate is "
        "Σ charges ÷ Σ profits. Answer (share_of_paths, worst_rate).",
        atol=1e-4,
        rtol=0.0,
    )


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.4


def _fund_needed(lab, r, target: float) -> float:
    """Smallest initial fund (USD, to the cent) with a share of exhausted paths ≤ target, on the run's losses.

    Per path the fund never runs out iff F ≥ max over t of (Σ bad debt up to t − Σ inflows before t), computed in
    integer cents; the answer is an order statistic of those needs, confirmed with ``fund_path``.
    """
    bad = r.bad_debt_cents
    inflow = r.liq_fee_cents + r.fee_inflow_cents
    before = np.concatenate([np.zeros((bad.shape[0], 1), np.int64), np.cumsum(inflow, axis=1)[:, :-1]], axis=1)
    need = np.maximum(0, (np.cumsum(bad, axis=1) - before).max(axis=1))
    P = need.size
    k = int(np.floor(target * P + 1e-9))  # paths allowed to run out
    f = int(np.sort(need)[P - k - 1]) if k < P else 0
    # confirm with the engine's law of motion (floats: allow half a cent of noise)
    ex = fund_path(np.full(P, f / 100.0 + 0.005), inflow / 100.0, bad / 100.0).exhausted.mean()
    invariant(ex <= target + 1e-12, "the fund size does not meet the target")
    return f / 100.0


@grader
def fund_for_target(answer) -> CheckResult:
    """Exercise 10.4: the smallest initial fund whose exhaustion probability on the simulated losses is ≤ 5 %."""
    early = _precheck("Exercise 10.4", answer, 1)  # blanks and malformed answers never run the engine
    if early is not None:
        return early
    lab, r = _run("none")
    expected = _fund_needed(lab, r, TARGET)
    return check_value(
        "Exercise 10.4",
        answer,
        expected,
        why=f"about {expected:,.0f} USD, {expected / lab.fund0:.1f}× the fund the lab started with: a 1-in-20 tail "
        "is far bigger than a typical path, because crashes are rare but large.",
        hint="bisect on the fund size: sl.fund_path(np.full(P, F), inflows, bad_debts).exhausted.mean() falls as F "
        "grows; find the smallest F where it is ≤ 0.05 (to within a dollar).",
        atol=1.0,
        rtol=0.0,
    )


# ----------------------------------------------------------------------------------------------------------------
# Exercise 10.5


@grader
def capped_waterfall(answer) -> CheckResult:
    """Exercise 10.5 (stretch): with each trader capped at 25 % of profit, (share of paths left with an uncovered
    loss, the largest uncovered amount on one path in USD)."""
    early = _precheck("Exercise 10.5", answer, 2)  # blanks and malformed answers never run the engine
    if early is not None:
        return early
    beyond, profits = _beyond_fund_and_profits()
    unc = np.array([reference_waterfall(loss, prof, cap_share=CAP_SHARE)[2] for loss, prof in zip(beyond, profits)])
    expected = np.array([np.mean(unc > 0), unc.max()])
    return check_value(
        "Exercise 10.5",
        answer,
        expected,
        why=f"with the cap, {expected[0]:.1%} of paths end with up to {expected[1]:,.0f} USD nobody pays: keeping each "
        "hit small gives up solvency in the worst paths. A rule cannot promise both.",
        hint="pass caps = np.round(0.25 * profits, 2) to sl.pro_rata; a path is left short if uncovered > 0. Answer "
        "(share_of_paths, largest_uncovered_usd).",
        atol=0.01,
        rtol=1e-6,
    )

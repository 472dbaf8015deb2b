"""Every exercise check, one parametrised scaffold: a blank is *not attempted* (even in strict mode), the right answer
is *correct*, a wrong one is *wrong* and raises in strict mode; and no answer at all — text, ragged lists, arrays
for scalars, NaN, dicts, functions returning junk — makes a check raise outside strict mode.

Lesson-specific behaviour (partial answers, learner bugs, values from the engine) is tested in
tests/test_checks_lessonNN.py; lesson 10's right answers need the simulator and are tested in its own file.
"""
from __future__ import annotations

import ast
import inspect
import math
from pathlib import Path

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss import casestudy as cs
from socialized_loss.checks import core

PACKAGE = Path(sl.__file__).parent
LESSONS = sl.checks.LESSONS


# ----------------------------------------------------------------------------------------------------------------
# right and wrong answers, per lesson: name → (right args, wrong args); a callable entry is evaluated lazily


def _fund_delta_right(size, fill, bk, rate=0.015):
    surplus = size * (fill - bk)
    return min(surplus, rate * abs(size * fill)) if surplus >= 0 else surplus


def _fund_delta_uncapped(size, fill, bk, rate=0.015):
    return size * (fill - bk)


def _clawback_right(loss, profits):
    gains = np.maximum(np.asarray(profits, dtype=float), 0.0)
    total = gains.sum()
    return (min(loss / total, 1.0) if total > 0 else 0.0) * gains


def _clawback_uncapped(loss, profits):  # forgets the 100 % cap
    gains = np.maximum(np.asarray(profits, dtype=float), 0.0)
    return loss / gains.sum() * gains if gains.sum() > 0 else gains


def _score_right(mark_value, bankrupt_value, entry_value):
    lev = abs(mark_value) / (mark_value - bankrupt_value)
    pnl = (mark_value - entry_value) / abs(entry_value)
    return pnl * lev if pnl > 0 else pnl / lev


def _score_always_multiplies(mark_value, bankrupt_value, entry_value):
    lev = abs(mark_value) / (mark_value - bankrupt_value)
    return (mark_value - entry_value) / abs(entry_value) * lev


def _replay_vault(leavers):
    vt = sl.new_vault(5)
    for i, amt in enumerate((400_000, 300_000, 200_000, 100_000)):
        vt = sl.deposit(vt, i, amt)
    vt = sl.apply_pnl(vt, 50_000)
    vt = sl.deposit(vt, 4, 210_000)
    for i in leavers:
        vt, _ = sl.withdraw(vt, i, vt.shares[i])
    return sl.share_price(sl.apply_pnl(vt, -189_000))


def _adl_needed(pending_profit, pool_value, max_pnl_factor):
    ratio = pending_profit / pool_value
    return ratio > 0 and ratio > max_pnl_factor


def _adl_needed_wrong(pending_profit, pool_value, max_pnl_factor):  # ≥ instead of >
    return pending_profit / pool_value >= max_pnl_factor


def _my_waterfall(loss, capacities):
    draws, left = [], loss
    for cap in capacities:
        take = min(cap, left)
        draws.append(take)
        left -= take
    return draws


def _my_waterfall_wrong(loss, capacities):  # shares the loss pro rata instead of in order
    total = sum(capacities)
    return [min(c, loss * c / total) for c in capacities]


def _capped(w, budget, caps):
    w, caps = np.asarray(w, dtype=float), np.asarray(caps, dtype=float)
    lo, hi = 0.0, 1.0
    for _ in range(60):
        eta = (lo + hi) / 2
        lo, hi = (eta, hi) if np.sum(w * np.minimum(eta, caps)) < budget else (lo, eta)
    return w * np.minimum(hi, caps)


def _lesson09_right():
    w = cs.load_waves()
    sweep = cs.load_horizon_sweep()
    head = cs.load_headlines()["headline"]
    short = w.taken < w.needed
    i = int(np.argmax(sweep.overshoot))
    ratio = head["winner_overcollateralization_equity_over_pnl"]["trimmed_mean"]
    return {
        "headline_overshoot": (w.taken.sum() - w.needed.sum(),),
        "top_three_share": (np.sort(w.overshoot)[::-1][:3].sum() / w.overshoot.sum(),),
        "undertaken_waves": (int(short.sum()), float((w.needed - w.taken)[short].sum())),
        "worst_delay": (int(sweep.horizon_ms[i]), float(sweep.overshoot[i])),
        "naive_mapping": (head["queue_total_overshoot_usd"] / ratio / head["prod_overshoot_vs_needed_usd"],),
    }


_U_TEACHING = math.log((2 * 3e6 / 7.3e6) / 0.05) / (1 / 3e6 - 2 / 7.3e6)
_LONGS, _SHORTS = np.array([1_000, 0, 150, 300]), np.array([990, 200, 0, 280])
_NET, _GROSS = np.abs(_LONGS - _SHORTS), _LONGS + _SHORTS


def _mech_book():
    return sl.books.mechanism_books()["lesson"]


ANSWERS = {
    "lesson00": {
        "bad_debt": ((500,), (1_500,)),
        "left_to_socialize": ((200,), (300,)),
    },
    "lesson01": {
        "short_equity": ((6_000,), (18_000,)),
        "inverse_short_bankruptcy": ((7_890.08 * 25 / 24,), (7_890.08 * 25 / 26,)),
        "max_leverage": ((1 / (1 - 0.9 * 0.995),), (10.0,)),
        "long_liquidation_price": ((lambda c, s, e, m: (e - c / s) / (1 - m),), (lambda c, s, e, m: e - c / s,)),
        "cross_bad_debt": ((1_000.0,), (2_000.0,)),          # wrong: the isolated ETH leg's loss
        "tiered_margin": ((30_000.0,), (60_000.0,)),         # wrong: the top rate on the whole notional
        "equity_at_mark": ((1_050.0,), (-8_800.0,)),         # wrong: marked at the last trade
    },
    "lesson02": {
        "short_fund_deltas": (([967.5, -400.0],), ([1_500.0, -400.0],)),
        "fund_delta_rule": ((_fund_delta_right,), (_fund_delta_uncapped,)),
        "black_thursday_lots": (([80, 114],), ([80, 113],)),
        "smallest_crash": ((9,), (10,)),
    },
    "lesson03": {
        "five_days": (((20_000, 170_000),), ((20_000, 140_000),)),
        "three_markets": (([650_000, 0, 1_350_000],), ([650_000, 0, 2_000_000],)),
        "fund_for_target": ((14_500_000,), (14_750_000,)),
        "teaching_model_size": ((_U_TEACHING,), (math.log(1 / 0.05) / (1 / 3e6 - 2 / 7.3e6),)),
    },
    "lesson04": {
        "cleo_clawback": ((3_000 / 12_000 * 7_000,), (3_000 / 19_500 * 7_000,)),
        "clawback_function": ((_clawback_right,), (_clawback_uncapped,)),
        "drift_long_side": ((100 * 7 / 11,), (100 * 7 / 3,)),
        "mango_index": ((0.9,), (0.1,)),
        "deribit_day": ((1_800.0,), (400.0,)),              # wrong: the weekly base
        "okex_gap": ((3_877 - 10 - 2_500, 1_200 / 0.18, (3_877 - 10 - 2_500) / (1_200 / 0.18)),
                     (1_367, 6_666.67, 0.18)),
    },
    "lesson05": {
        "bitmex_example": (([0, 10, 0, 5, 20, 0],), ([10, 10, 15, 0, 0, 0],)),
        "bitmex_score_function": ((_score_right,), (_score_always_multiplies,)),
        "dydx_example": ((1.2, 100.0, 200.0), (1.2, 500.0, 200.0)),
        "adl_vs_clawback": (([0, 500, 0, 250, 1_000, 0], 1_750 * 1_800 / 9_200),
                            ([0, 500, 0, 250, 1_000, 0], 1_750 / 6)),
        # Bybit's row: a short of 25 at 650 closes accounts 2 (10) and 5 (15), each paying 50 USD a contract plus the
        # maker fee (0.02 % of 650 = 0.13 USD a contract); the wrong answer forgets the fee
        "venue_fill": (([0, 10, 0, 0, 15, 0], [0, 501.30, 0, 0, 751.95, 0]),
                       ([0, 10, 0, 0, 15, 0], [0, 500.0, 0, 0, 750.0, 0])),
    },
    "lesson06": {
        "price_after_run": (lambda: (_replay_vault((1, 0)),), lambda: (_replay_vault((1,)),)),
        "gmx_trigger": ((_adl_needed,), (_adl_needed_wrong,)),
        "staker_loss": (lambda: (sl.umbrella_slash(1_300_000, 100_000, [50_000, 120_790_000]).slashed[0],),
                        (1_300_000 * 50_000 / 120_840_000,)),
        "min_cooldown": ((10 * (1 - (1 - 1 / 1.12) / 0.4),), (10.0,)),
    },
    "lesson07": {
        "member_b_pays": ((8_000_000 + 26_000_000 * 8 / 30,), (26_000_000 * 8 / 30,)),
        "average_refill": ((107_000_000 / 166,), (114_000_000 / 166,)),
        "compensation": ((4_000.0,), (8_000.0,)),            # wrong: forgets the half-BTC size
        "my_waterfall": ((_my_waterfall,), (_my_waterfall_wrong,)),
        "extra_for_market_maker": (lambda: (sl.pro_rata(26e6, _GROSS)[0] - sl.pro_rata(26e6, _NET)[0],),
                                   lambda: (sl.pro_rata(26e6, _GROSS)[0],)),
    },
    "lesson08": {
        "pro_rata_amounts": ((np.array([4.8, 2.4, 0.3]),), (np.array([3.5, 4.0, 0.0]),)),
        "queue_split": (lambda: (sl.comparison.mechanisms_state("lesson", "pnl_haircut_queue", split="Ben",
                                                                 pieces=2)["split_total"],), (4_000.0,)),
        "top_winner_gap": ((8 * (1 - 10 / 20),), (2.7,)),
        "market_maker_bill": (lambda: (_mech_book().budget / np.abs(_mech_book().size).sum() * 0.74,), (1_250.0,)),
        "water_filling": ((_capped,), (lambda w, b, caps: np.asarray(w, dtype=float) * b / np.sum(w),)),
    },
    "lesson09": {
        name: (lambda name=name: _lesson09_right()[name], wrong)
        for name, wrong in {
            "headline_overshoot": (60_108_335.33,),
            "top_three_share": (0.9,),
            "undertaken_waves": (5, 4_376_912.41),
            "worst_delay": (5000, 49_273_475.02),
            "naive_mapping": (14.5,),
        }.items()
    },
}

#: Lesson 10's checks and how many answers each takes (their right answers need the simulator: see
#: tests/test_checks_lesson10.py).
LESSON10_ARITY = {"traders_charged": 1, "waterfall": 1, "stress_test": 1, "fund_for_target": 1,
                  "capped_waterfall": 1}  # required answers (a prediction is optional)


def _checks(module) -> list[str]:
    """The exercise checks of a lesson module: public functions whose docstring starts with "Exercise"."""
    return sorted(name for name in module.__all__
                  if callable(getattr(module, name)) and (getattr(module, name).__doc__ or "").startswith("Exercise"))


def _args(entry):
    return entry() if callable(entry) else entry


ALL_CHECKS = [(m.__name__.rsplit(".", 1)[1], name) for m in LESSONS for name in _checks(m)]
GRADED = [(lesson, name) for lesson, name in ALL_CHECKS if lesson in ANSWERS]


def _check(lesson: str, name: str):
    return getattr(getattr(sl.checks, lesson), name)


def _arity(lesson: str, name: str) -> int:
    if lesson == "lesson10":
        return LESSON10_ARITY[name]
    params = inspect.signature(inspect.unwrap(_check(lesson, name))).parameters.values()
    return sum(1 for p in params if p.default is inspect.Parameter.empty)


def _takes_prediction(lesson: str, name: str) -> bool:
    return "prediction" in inspect.signature(inspect.unwrap(_check(lesson, name))).parameters


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv(core.STRICT_ENV, "1")


@pytest.fixture
def lenient(monkeypatch):
    monkeypatch.delenv(core.STRICT_ENV, raising=False)


def test_every_check_has_answers():
    for m in LESSONS:
        lesson = m.__name__.rsplit(".", 1)[1]
        table = ANSWERS.get(lesson, LESSON10_ARITY)
        assert sorted(table) == _checks(m), lesson


# ----------------------------------------------------------------------------------------------------------------
# the scaffold: not attempted / correct / wrong (+ strict raises)


@pytest.mark.parametrize("lesson, name", ALL_CHECKS)
@pytest.mark.parametrize("stub", [..., None])
def test_blank_is_not_attempted_even_strict(lesson, name, stub, strict):
    assert _check(lesson, name)(*([stub] * _arity(lesson, name))).status == "not attempted"


def _function_exercise(lesson: str, name: str) -> bool:
    """The check grades a learner's function (one argument, handed to ``check_function`` or called as ``func``)."""
    return _arity(lesson, name) == 1 and any(
        isinstance(node, ast.Name) and node.id in ("check_function", "func")
        for node in ast.walk(ast.parse(inspect.getsource(inspect.unwrap(_check(lesson, name))))))


FUNCTION_CHECKS = [(lesson, name) for lesson, name in ALL_CHECKS if _function_exercise(lesson, name)]


def test_some_exercises_ask_for_a_function():
    assert len(FUNCTION_CHECKS) >= 3, FUNCTION_CHECKS


@pytest.mark.parametrize("lesson, name", FUNCTION_CHECKS)
def test_function_stub_returning_nothing_is_not_attempted(lesson, name, strict):
    def stub(*args, **kwargs):
        """The student notebook's stub: the body was stripped."""

    assert _check(lesson, name)(stub).status == "not attempted"


@pytest.mark.parametrize("lesson, name", GRADED)
def test_right_answer_is_correct(lesson, name, strict):
    right, _ = ANSWERS[lesson][name]
    assert _check(lesson, name)(*_args(right)).status == "correct"


@pytest.mark.parametrize("lesson, name", GRADED)
def test_wrong_answer_is_wrong_and_raises_when_strict(lesson, name, monkeypatch):
    _, wrong = ANSWERS[lesson][name]
    monkeypatch.delenv(core.STRICT_ENV, raising=False)
    assert _check(lesson, name)(*_args(wrong)).status == "wrong"
    monkeypatch.setenv(core.STRICT_ENV, "1")
    with pytest.raises(AssertionError):
        _check(lesson, name)(*_args(wrong))


# ----------------------------------------------------------------------------------------------------------------
# a catalogue of odd answers: never a traceback


class _Evil:
    """An object that fails at everything a check might try."""

    def __repr__(self):
        raise RuntimeError("no repr")

    def __eq__(self, other):
        raise RuntimeError("no ==")

    __hash__ = None

    def __array__(self, *a, **k):
        raise RuntimeError("no array")

    def __float__(self):
        raise RuntimeError("no float")

    def __len__(self):
        raise RuntimeError("no len")

    def __iter__(self):
        raise RuntimeError("no iter")


def _raises(*args, **kwargs):
    raise ValueError("a learner's bug")


ODD_ANSWERS = {
    "numeric text": "500",
    "empty text": "",
    "bytes": b"1",
    "True": True,
    "False": False,
    "complex": 1 + 2j,
    "ragged list": [1, [2, 3]],
    "ragged nested": [[1, 2], [3]],
    "array for a scalar": np.arange(5.0),
    "empty array": np.array([]),
    "empty list": [],
    "2-d array": np.ones((2, 2)),
    "NaN": float("nan"),
    "inf": float("inf"),
    "numpy NaN": np.float64("nan"),
    "huge int": 10**400,
    "tiny": -1e308,
    "dict": {"a": 1},
    "set": {1, 2},
    "text array": np.array(["a", "b"]),
    "object array": np.array([1, "x"], dtype=object),
    "partly blank": (1, ...),
    "type": int,
    "evil object": _Evil(),
    "function returning text": lambda *a, **k: "junk",
    "function returning NaN": lambda *a, **k: float("nan"),
    "function returning a dict": lambda *a, **k: {"x": 1},
    "function returning a ragged list": lambda *a, **k: [1, [2]],
    "function returning [None]": lambda *a, **k: [None],
    "function returning a triple": lambda *a, **k: (1, 2, 3),
    "function returning an evil object": lambda *a, **k: _Evil(),
    "function returning a function": lambda *a, **k: (lambda: 1),
    "function that raises": _raises,
    "function with no arguments": lambda: 1.0,
    "generator": (i for i in range(3)),
}


@pytest.mark.parametrize("lesson, name", ALL_CHECKS)
def test_odd_answers_never_raise(lesson, name, lenient, capsys):
    check = _check(lesson, name)
    n = _arity(lesson, name)
    for label, odd in ODD_ANSWERS.items():
        kwargs = {"prediction": odd} if _takes_prediction(lesson, name) else {}
        try:
            result = check(*([odd] * n), **kwargs)
        except Exception as exc:  # pragma: no cover - the failure message is the point  # noqa: BLE001
            pytest.fail(f"{lesson}.{name} raised {type(exc).__name__} on {label}: {exc}")
        assert isinstance(result, core.CheckResult), label
        assert result.status in ("not attempted", "wrong"), (label, result)
        if result.status == "wrong":
            assert "Hint" in result.message or "hint" in result.message or "could not be graded" in result.message \
                or "part" in result.message, (label, result.message)
    out = capsys.readouterr().out
    assert "Traceback" not in out


@pytest.mark.parametrize("lesson, name", [g for g in GRADED if _arity(*g) > 1])
def test_multi_part_answers_are_graded_part_by_part(lesson, name, lenient, capsys):
    right, wrong = ANSWERS[lesson][name]
    right, wrong = _args(right), _args(wrong)
    mixed = list(right)
    mixed[-1] = ...
    assert _check(lesson, name)(*mixed).status == "not attempted"
    out = capsys.readouterr().out
    assert "✓" in out, "the parts answered are graded even while another part is blank"
    bad = list(right)
    bad[0] = "text"
    assert _check(lesson, name)(*bad).status == "wrong"


# ----------------------------------------------------------------------------------------------------------------
# tolerances and layering


def test_money_tolerance_is_half_a_cent_absolute(lenient):
    assert core.check_value("x", 90_000_000.004, 90_000_000.0, why="w", hint="h").correct
    assert not core.check_value("x", 90_000_000.01, 90_000_000.0, why="w", hint="h").correct
    assert not core.check_value("x", 90_000_090.0, 90_000_000.0, why="w", hint="h").correct  # not a relative 1e-6
    assert not core.check_value("x", True, 1.0, why="w", hint="h").correct
    assert not core.check_value("x", 1, True, why="w", hint="h").correct


def test_checks_and_engine_never_import_widgets():
    """Widgets draw, checks grade, the engine computes: nothing below the widgets imports them."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "widgets":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [f"{'.' * node.level}{node.module or ''}"] + [f"{node.module or ''}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any("widgets" in n.split(".") for n in names) and rel.name not in ("book.py",):
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"these import the widgets: {offenders}"


def test_import_loads_neither_widgets_nor_checks():
    import subprocess
    import sys

    code = ("import sys, socialized_loss as sl; "
            "print(sorted(m for m in sys.modules if m.startswith(('ipywidgets', 'socialized_loss.widgets', "
            "'socialized_loss.checks', 'matplotlib'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"

"""Lesson 04's checks: not attempted, correct, wrong (and strict mode raises on wrong)."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss.widgets.socialization import BOOK

L = sl.checks.lesson04


def _clawback_right(loss, profits):
    gains = np.maximum(np.asarray(profits, dtype=float), 0.0)
    total = gains.sum()
    return (min(loss / total, 1.0) if total > 0 else 0.0) * gains


def _clawback_uncapped(loss, profits):  # forgets the 100 % cap
    gains = np.maximum(np.asarray(profits, dtype=float), 0.0)
    return loss / gains.sum() * gains if gains.sum() > 0 else gains


def _clawback_all_accounts(loss, profits):  # charges losers too (weights |profit|)
    w = np.abs(np.asarray(profits, dtype=float))
    return loss * w / w.sum()


def _clawback_stub(loss, profits):
    return None


RIGHT = {
    "cleo_clawback": (3_000 / 12_000 * 7_000,),
    "clawback_function": (_clawback_right,),
    "drift_long_side": (100 * 7 / 11,),
    "mango_index": (0.9,),
    "okex_gap": (3_877 - 10 - 2_500, 1_200 / 0.18, (3_877 - 10 - 2_500) / (1_200 / 0.18)),
}
WRONG = {
    "cleo_clawback": (3_000 / 19_500 * 7_000,),  # divided by |all PnL| instead of the winners' profit
    "clawback_function": (_clawback_uncapped,),
    "drift_long_side": (100 * 7 / 3,),  # per contract computed over longs only
    "mango_index": (0.1,),
    "okex_gap": (1_367, 6_666.67, 0.18),
}
NAMES = list(RIGHT)


def test_every_check_is_tested():
    assert sorted(NAMES) == sorted(L.__all__)


def test_book_matches_the_lesson():
    # lesson 04 types the same book into its first cells; keep the two in step
    assert BOOK["profits"][BOOK["profits"] > 0].sum() == 12_000
    assert np.abs(BOOK["sizes"]).sum() == 12 and BOOK["deposits"].sum() == 60_000


@pytest.mark.parametrize("name", NAMES)
def test_not_attempted(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    n = len(RIGHT[name])
    for stub in (..., None):
        assert getattr(L, name)(*([stub] * n)).status == "not attempted"


def test_function_stub_returning_none_is_not_attempted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.clawback_function(_clawback_stub).status == "not attempted"


def test_partial_answer_is_not_attempted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.okex_gap(1_367, ..., ...).status == "not attempted"


@pytest.mark.parametrize("name", NAMES)
def test_correct(name, monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert getattr(L, name)(*RIGHT[name]).status == "correct"


@pytest.mark.parametrize("name", NAMES)
def test_wrong(name, monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert getattr(L, name)(*WRONG[name]).status == "wrong"
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    with pytest.raises(AssertionError):
        getattr(L, name)(*WRONG[name])


def test_clawback_function_catches_charging_losers(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert L.clawback_function(_clawback_all_accounts).status == "wrong"


def test_expected_values_come_from_the_engine():
    assert sl.clawback(3_000, BOOK["profits"]).charges[2] == pytest.approx(1_750.0)
    assert sl.contracts_pro_rata(100, [7, -4]).charges[0] == pytest.approx(63.64)
    assert sl.sequential(3_877, [10, 2_500], unit=1e-8).rest == pytest.approx(1_367)

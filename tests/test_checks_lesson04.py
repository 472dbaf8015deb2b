"""Lesson 04's checks beyond the shared scaffold in tests/test_checks.py (blank / right / wrong / strict / odd
answers): lesson-specific cases."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss.books import socialization_book

BOOK = socialization_book().as_dict()

L = sl.checks.lesson04


def _clawback_all_accounts(loss, profits):  # charges losers too (weights |profit|)
    w = np.abs(np.asarray(profits, dtype=float))
    return loss * w / w.sum()


def test_book_matches_the_lesson():
    # lesson 04 types the same book into its first cells; keep the two in step
    assert BOOK["profits"][BOOK["profits"] > 0].sum() == 12_000
    assert np.abs(BOOK["sizes"]).sum() == 12 and BOOK["deposits"].sum() == 60_000


def test_partial_answer_is_not_attempted(monkeypatch):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    assert L.okex_gap(1_367, ..., ...).status == "not attempted"


def test_clawback_function_catches_charging_losers(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert L.clawback_function(_clawback_all_accounts).status == "wrong"


def test_expected_values_come_from_the_engine():
    assert sl.clawback(3_000, BOOK["profits"]).charges[2] == pytest.approx(1_750.0)
    assert sl.contracts_pro_rata(100, [7, -4]).charges[0] == pytest.approx(63.64)
    assert sl.sequential(3_877, [10, 2_500], unit=1e-8).rest == pytest.approx(1_367)

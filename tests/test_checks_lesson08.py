"""Lesson 08's checks beyond the shared scaffold in tests/test_checks.py (blank / right / wrong / strict / odd
answers): lesson-specific cases."""
from __future__ import annotations

import socialized_loss as sl

L = sl.checks.lesson08


def test_a_crashing_function_is_wrong_not_a_traceback(monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    assert L.water_filling(lambda w, b, caps: 1 / 0).status == "wrong"

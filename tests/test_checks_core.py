"""The three states of a check and strict mode (every lesson's checks: tests/test_checks.py)."""
from __future__ import annotations

import pytest

import socialized_loss as sl
from socialized_loss.checks import core


@pytest.fixture
def lenient(monkeypatch):
    monkeypatch.delenv(core.STRICT_ENV, raising=False)


def test_three_states(lenient, capsys):
    assert sl.checks.check_value("x", ..., 1.0, why="w", hint="h").status == "not attempted"
    assert sl.checks.check_value("x", None, 1.0, why="w", hint="h").status == "not attempted"
    assert sl.checks.check_value("x", 1.0, 1.0, why="w", hint="h").status == "correct"
    r = sl.checks.check_value("x", 2.0, 1.0, why="w", hint="the hint")
    assert r.status == "wrong" and "the hint" in r.message
    out = capsys.readouterr().out
    assert "⏳" in out and "✓" in out and "✗" in out


def test_wrong_raises_only_in_strict_mode(monkeypatch):
    monkeypatch.setenv(core.STRICT_ENV, "1")
    with pytest.raises(AssertionError, match="the hint"):
        sl.checks.check_value("x", 2.0, 1.0, why="w", hint="the hint")
    sl.checks.check_value("x", ..., 1.0, why="w", hint="h")  # a blank never raises, even strict
    monkeypatch.setenv(core.STRICT_ENV, "0")
    assert sl.checks.check_value("x", 2.0, 1.0, why="w", hint="h").status == "wrong"


def test_check_function_states(lenient):
    cases = [((2,), 4), ((3,), 6)]
    stub = lambda x: None
    assert core.check_function("f", stub, cases, why="w", hint="h").status == "not attempted"
    assert core.check_function("f", lambda x: 2 * x, cases, why="w", hint="h").status == "correct"
    assert core.check_function("f", lambda x: x * x, cases, why="w", hint="h").status == "wrong"
    boom = core.check_function("f", lambda x: 1 / 0, cases, why="w", hint="h")
    assert boom.status == "wrong" and "ZeroDivisionError" in boom.message


def test_arrays_and_shapes(lenient):
    assert core.check_value("a", [1.0, 2.0], [1.0, 2.0], why="w", hint="h").correct
    assert core.check_value("a", [1.0, 2.0], [1.0, 2.0, 3.0], why="w", hint="h").status == "wrong"
    assert core.check_value("a", "yes", "yes", why="w", hint="h").correct

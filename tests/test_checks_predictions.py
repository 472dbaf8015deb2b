"""Predict-first exercises: the learner's recorded prediction is compared with the computed answer, never graded."""
from __future__ import annotations

import re

import pytest

import socialized_loss as sl
from socialized_loss import build
from socialized_loss.checks.predict import compare_prediction, normalise
from tests.test_lesson_structure import LESSONS, cells


def test_normalise_makes_predictions_comparable():
    assert normalise(" Cleo ") == "cleo"
    assert normalise([5, 2, 4]) == (5.0, 2.0, 4.0)
    assert normalise({5, 2, 4}) == normalise({4, 5, 2})
    assert normalise("more than 100%") == normalise("more than 100 %")


@pytest.mark.parametrize(
    ("prediction", "computed", "kw", "outcome"),
    [
        (..., "at", {}, "missing"),
        (None, "at", {}, "missing"),
        ("at", "at", {}, "matches"),
        ("AT", "at", {}, "matches"),
        ("below", "at", {}, "differs"),
        ("sideways", "at", {"options": ("above", "at", "below")}, "unclear"),
        ([4, 2, 5], [2, 5, 4], {"unordered": True}, "matches"),
        ([4, 2], [2, 5, 4], {"unordered": True}, "differs"),
        ("below", "at", {"answered": False}, "recorded"),
    ],
)
def test_compare_prediction(prediction, computed, kw, outcome, capsys):
    assert compare_prediction("Exercise 9.9 prediction", prediction, computed, **kw) == outcome
    out = capsys.readouterr().out
    assert out.startswith("📝 Exercise 9.9 prediction")
    if outcome == "recorded" or (outcome == "missing" and kw.get("answered") is False):
        assert repr(computed) not in out  # nothing revealed before the learner computes


def test_a_wrong_prediction_never_raises_even_in_strict_mode(monkeypatch, capsys):
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "1")
    r = sl.checks.lesson01.short_equity(6_000.0, prediction="below")  # right answer, wrong prediction
    assert r.correct
    assert "the computation says 'at'" in capsys.readouterr().out


def _predict_first(lesson):
    """(check call, prediction options) for each predict-first exercise of a lesson."""
    cs = cells(lesson)
    out = []
    for i, c in enumerate(cs):
        if c.cell_type == "code" and re.match(r"prediction = \.\.\.\s+# YOUR PREDICTION", c.source):
            check = next(x for x in cs[i + 1 :] if x.cell_type == "code" and "sl.checks." in x.source)
            out.append((c.source, check.source))
    return out


@pytest.mark.parametrize("lesson", [p for p in LESSONS if int(p.stem[:2]) >= 1], ids=lambda p: p.stem)
def test_every_predict_first_exercise_records_and_passes_a_prediction(lesson):
    heads = [c.source for c in cells(lesson) if c.cell_type == "markdown" and "### Exercise" in c.source]
    n_predict = sum(1 for h in heads for line in h.splitlines() if line.startswith("### Exercise") and "predict" in line.lower())
    found = _predict_first(lesson)
    assert len(found) == n_predict, f"{lesson.name}: each predict-first exercise needs a `prediction = ...` cell"
    for pred, check in found:
        assert "prediction=prediction" in check, f"{lesson.name}: the check must receive the prediction: {check!r}"
        assert build.BEGIN not in pred  # the prediction cell is the learner's, with no solution block

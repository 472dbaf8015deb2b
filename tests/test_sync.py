"""The sync gate: committed notebooks/ and solutions/ must be exactly what lessons/ generate, with no outputs."""
from __future__ import annotations

from pathlib import Path

from socialized_loss import build

ROOT = Path(__file__).resolve().parents[1]


def test_committed_notebooks_match_lessons():
    problems = build.check_sync(ROOT)
    assert not problems, "notebooks drifted from lessons/:\n" + "\n".join(problems)


def test_every_lesson_has_both_notebooks():
    lessons = {p.stem for p in build.lesson_paths(ROOT / "lessons")}
    assert lessons, "no lessons found"
    assert {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")} == lessons
    assert {p.stem for p in (ROOT / "solutions").glob("*.ipynb")} == lessons

"""Every lesson has the parts a learner and a teacher rely on (see CONTRIBUTING.md, "Writing a lesson")."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import jupytext
import pytest

from socialized_loss import build

ROOT = Path(__file__).resolve().parents[1]
LESSONS = build.lesson_paths(ROOT / "lessons")
FIGURE_CODE = re.compile(r"plt\.show\(\)")
WIDGET_CODE = re.compile(r"\bsl\.widgets\.\w+\(")
URL = re.compile(r"https?://\S+")


@functools.lru_cache(maxsize=None)
def read(path: Path):
    return jupytext.read(path, fmt="md:myst")


def cells(path: Path):
    return read(path).cells


def headings(path: Path) -> list[str]:
    return [
        line.strip()
        for c in cells(path)
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("#")
    ]


def markdown_section(path: Path, title: str) -> str:
    text = "\n".join(c.source for c in cells(path) if c.cell_type == "markdown")
    m = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    return m.group(1) if m else ""


@pytest.fixture(params=LESSONS, ids=[p.stem for p in LESSONS])
def lesson(request) -> Path:
    return request.param


def test_title_matches_number(lesson):
    nb = read(lesson)
    title = build._title(nb, lesson.stem)
    assert re.match(rf"{lesson.stem[:2]} — \S", title), f"title should start '{lesson.stem[:2]} — ', got {title!r}"


def test_timing_metadata(lesson):
    meta = read(lesson).metadata.get("course", {})
    for key in ("teaching", "exercises"):
        assert isinstance(meta.get(key), int) and meta[key] > 0, f"course.{key} minutes missing in front matter"


@pytest.mark.parametrize("section", ["Learning objectives", "Key points", "References"])
def test_required_sections(lesson, section):
    body = markdown_section(lesson, section)
    assert body.strip(), f"'## {section}' section missing or empty"
    if section == "Learning objectives" or section == "Key points":
        assert body.count("\n- ") >= 2, f"'## {section}' should list at least two points"


def test_references_have_urls(lesson):
    assert URL.search(markdown_section(lesson, "References")), "references need at least one URL"


def test_exercises_are_checked(lesson):
    cs = cells(lesson)
    exercises = [i for i, c in enumerate(cs) if c.cell_type == "code" and build.BEGIN in c.source]
    minimum = 2 if int(lesson.stem[:2]) < 2 else 3
    assert len(exercises) >= minimum, f"at least {minimum} exercises with solution markers"
    for i in exercises:
        follow = next((c for c in cs[i + 1 :] if c.cell_type == "code"), None)
        assert follow is not None and f"sl.checks.lesson{lesson.stem[:2]}." in follow.source, (
            f"exercise cell {i} must be followed by a code cell calling sl.checks.lesson{lesson.stem[:2]}.<check>"
        )
    heads = [h for h in headings(lesson) if h.startswith("### Exercise")]
    assert len(heads) >= len(exercises), "each exercise needs a '### Exercise N.k — Title' heading"
    if int(lesson.stem[:2]) >= 2:
        assert any("(stretch)" in h for h in heads), "one exercise must be marked (stretch)"
        assert any("predict" in h.lower() for h in heads), "one exercise must ask to predict first"


def test_every_figure_and_widget_is_described(lesson):
    cs = cells(lesson)
    for i, c in enumerate(cs):
        if c.cell_type != "code":
            continue
        needs = "**Widget.**" if WIDGET_CODE.search(c.source) else "**Figure.**" if FIGURE_CODE.search(c.source) else None
        if needs is None:
            continue
        nxt = cs[i + 1] if i + 1 < len(cs) else None
        assert nxt is not None and nxt.cell_type == "markdown" and nxt.source.lstrip().startswith(needs), (
            f"code cell {i} shows a figure or widget; the next cell must be markdown starting '{needs}'"
        )
        sentence = nxt.source.lstrip()[len(needs) :].strip()
        assert len(sentence) > 30, f"the description after cell {i} is too short to describe anything"


def test_lessons_after_start_have_a_widget(lesson):
    if lesson.stem.startswith("00"):
        pytest.skip("the start page has no explorer")
    assert any(c.cell_type == "code" and WIDGET_CODE.search(c.source) for c in cells(lesson)), "no sl.widgets explorer"


def test_instructor_notes_present(lesson):
    assert any("instructor" in c.metadata.get("tags", []) for c in cells(lesson)), "no instructor cell"


def test_setup_cell_imports_helpers(lesson):
    first_code = next(c for c in cells(lesson) if c.cell_type == "code")
    assert "import socialized_loss as sl" in first_code.source

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


@functools.cache
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
    m = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, flags=re.MULTILINE | re.DOTALL)
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


# --- Prose that renders: dollar signs and authoring language -------------------------------------------------------

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
CODE_SPAN = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"\$([^$]+?)\$")  # JupyterLab pairs any two dollar signs
LATEX_WORDS = re.compile(r"\\[A-Za-z]+(\{[^{}]*\})?")
PROSE = re.compile(r"[A-Za-z]{2,}[,;:.]?\s+[A-Za-z]{2,}")
#: Words that tell a learner how the course was researched rather than teach them (issue 11, item 13).
AUTHORING = [
    "seed text",
    "seed question",
    "the seed's",
    "seed of this course",
    "we could not find",
    "could not be found",
    "stored copy",
    "stored version",
    "not retrieved",
    "for this course;",
]


def inline_maths_problems(markdown: str) -> list[str]:
    """Inline-maths spans that hold prose (a sign that a currency `$` opened maths), and unpaired dollar signs."""
    text = CODE_SPAN.sub(" ", markdown).replace(r"\$", " ")
    text = DISPLAY_MATH.sub(" ", text)
    problems = []
    for m in INLINE_MATH.finditer(text):
        body = LATEX_WORDS.sub(" ", m.group(1))
        if PROSE.search(body):
            problems.append(m.group(0))
    rest = INLINE_MATH.sub(" ", text)
    if "$" in rest:
        i = rest.index("$")
        problems.append("unpaired $ near: " + rest[max(0, i - 30) : i + 30].replace("\n", " "))
    return problems


def test_inline_maths_detector_catches_currency():
    assert inline_maths_problems("the fund lost $4M and then $653M of equity")
    assert inline_maths_problems("one stray $5 here")
    assert not inline_maths_problems(r"rate $r = L/\sum_i w_i$ and \$5 and `x = $y`")
    assert not inline_maths_problems(r"$p_\text{liq} = \frac{p_\text{entry} - c/s}{1 - \text{MMR}}$")


def _markdown_cells(nb) -> list[tuple[int, str]]:
    return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_no_prose_inside_inline_maths(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    bad = [(i, p) for i, src in _markdown_cells(nb) for p in inline_maths_problems(src)]
    assert not bad, (
        "JupyterLab reads a $ as maths: write amounts as USD or \\$ (cell index, offending text): " + repr(bad[:5])
    )


def test_no_prose_inside_inline_maths_in_glossary():
    text = (ROOT / "lessons" / "glossary.md").read_text(encoding="utf-8")
    assert not inline_maths_problems(text)


def test_no_authoring_language(lesson):
    """Learner-facing cells speak to learners; notes on how sources were found belong in instructor cells."""
    found = []
    for i, c in enumerate(cells(lesson)):
        if "instructor" in c.metadata.get("tags", []):
            continue
        low = c.source.lower()
        found += [(i, phrase) for phrase in AUTHORING if phrase in low]
    assert not found, f"authoring language in learner-facing cells (cell index, phrase): {found}"


def test_no_authoring_language_in_glossary():
    low = (ROOT / "lessons" / "glossary.md").read_text(encoding="utf-8").lower()
    assert not [p for p in AUTHORING if p in low]


def test_no_prose_inside_inline_maths_in_lesson_source(lesson):
    bad = [(i, p) for i, c in enumerate(cells(lesson)) if c.cell_type == "markdown" for p in inline_maths_problems(c.source)]
    assert not bad, f"write amounts as USD or \\$ (cell index, offending text): {bad[:5]}"

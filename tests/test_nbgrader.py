"""A graded term, end to end, with nbgrader itself: the course folder ``make graded`` writes scores real submissions.

nbgrader is deliberately not in the course's ``.venv`` (its JupyterLab extensions would clutter a learner's
``make lab``), so this module skips there. CI runs it in a separate environment with nbgrader installed
(``.venv-nbgrader``, see ``.ci/run``) and sets ``SOCIALIZED_LOSS_REQUIRE_NBGRADER=1`` so that a missing nbgrader
fails instead of skipping.

1. nbgrader's own ``ClearSolutions``, with our stub, applied to every ``solutions/*.ipynb``, gives exactly the code
   cells of the matching ``notebooks/*.ipynb``.
2. The whole cycle on the course folder of ``socialized_loss.graded`` (one assignment per lesson, the config the
   instructor guide prints): ``generate_assignment``; ``release_assignment`` → ``fetch_assignment`` → ``submit`` →
   ``collect`` through an exchange for lesson 00; ``zip_collect`` (LMS-style file names, zipped) for the others;
   ``autograde``. Two students: *ada* hands in every exercise answered (the solutions' answers), *bo* only the first
   half of each lesson's exercise cells. Each score in nbgrader's gradebook must equal what the submission earned,
   counted independently from the ✓ lines its own check cells printed when nbgrader executed it: ada gets every
   point, bo a part (more than 0, less than all).
"""
from __future__ import annotations

import copy
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from socialized_loss import build, graded

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
REQUIRE_ENV = "SOCIALIZED_LOSS_REQUIRE_NBGRADER"

if importlib.util.find_spec("nbgrader") is None:
    if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
        pytest.fail(f"{REQUIRE_ENV} is set but nbgrader is not installed in {sys.prefix}", pytrace=False)
    pytest.skip(
        "nbgrader is not installed in this environment (on purpose: it stays out of the course's .venv). "
        "CI runs this test in .venv-nbgrader (`make test-nbgrader`).",
        allow_module_level=True,
    )

from nbgrader.api import Gradebook
from nbgrader.preprocessors import ClearSolutions

COURSE_ID = "socialized-loss"
STUB_MARK = "#<the course's empty stub>"
EXCHANGE_LESSON = "00-start-here"  # handed out and in through nbgrader's exchange; the others through zip_collect


def code_sources(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def released_source(cell) -> str:
    """A released cell's source as a learner's notebook has it. The course's stub is empty, and nbgrader writes an
    empty stub as one blank line where the solution was; in these lessons a solution always ends its cell, so that
    is one trailing blank line in an answer cell, which the build leaves out. Nothing else is changed."""
    src = cell.source
    if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
        src = re.sub(r"\n[ \t]*\Z", "", src)
    return src


def test_there_are_solutions_to_check():
    assert SOLUTIONS, "no solutions/*.ipynb: run `make notebooks`"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_clear_solutions_gives_our_student_notebook(solution: Path):
    student_path = ROOT / "notebooks" / solution.name
    assert student_path.exists(), f"notebooks/{solution.name} is missing: run `make notebooks`"
    nb = nbformat.read(solution, as_version=4)
    # The course's stub is empty (each answer cell shows its own one blank), and nbgrader writes an empty stub as one
    # blank line where the solution was; our build writes nothing there. A marker stub shows exactly which lines
    # nbgrader put in, and only those are dropped before comparing.
    assert build.STUB == "" and '"python": ""' in graded.NBGRADER_CONFIG
    pre = ClearSolutions(code_stub={"python": STUB_MARK}, enforce_metadata=False)
    cleared, _ = pre.preprocess(copy.deepcopy(nb), {})
    ours = code_sources(nbformat.read(student_path, as_version=4))
    theirs = ["\n".join(line for line in src.split("\n") if line.strip() != STUB_MARK) for src in code_sources(cleared)]
    assert len(theirs) == len(ours), f"{len(theirs)} code cells from nbgrader, {len(ours)} in notebooks/{solution.name}"
    for i, (t, o) in enumerate(zip(theirs, ours)):
        assert t == o, f"code cell {i} of {solution.name} differs:\n--- nbgrader ---\n{t}\n--- ours ---\n{o}"


# --- the cycle --------------------------------------------------------------------------------------------------------


def nbgrader(course: Path, *args: str, home: Path | None = None, cwd: Path | None = None) -> str:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # nbgrader calls `alembic`
    env["HOME"] = str(home or course.parent / "home")
    env.pop("SOCIALIZED_LOSS_STRICT", None)  # a learner's kernel: checks report, only the hidden tests are strict
    proc = subprocess.run(  # noqa: PLW1510 (the return code is asserted below)
        [sys.executable, "-m", "nbgrader", *args], cwd=cwd or course, env=env, capture_output=True, text=True,
        timeout=3000,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "[ERROR]" not in log and "| ERROR]" not in log, (
        f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{log[-5000:]}"
    )
    return log


def answer_cells(nb) -> list:
    return [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")]


def fill_in(released: Path, source: Path, out: Path, fraction: float) -> int:
    """A learner's submission: the released notebook with the first ``fraction`` of its answer cells answered as the
    source (the solutions) answers them, the rest left as released. Returns how many cells were answered."""
    nb = nbformat.read(released, as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in answer_cells(nbformat.read(source, as_version=4))}
    cells = answer_cells(nb)
    n = round(len(cells) * fraction)
    for cell in cells[:n]:
        cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return n


def earned(autograded: Path) -> tuple[int, int]:
    """(points earned, points possible) read off the executed submission: a grade cell earns its points when the
    check cell before it printed ✓ for that check (the learner-facing output, not nbgrader's hidden test)."""
    nb = nbformat.read(autograded, as_version=4)
    got = possible = 0
    last_output = ""
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("grade"):
            points = int(meta["points"])
            possible += points
            exercise = re.search(r"Exercise (\d+\.\d+)", cell.source)
            label = f"Exercise {exercise.group(1)}" if exercise else ""
            ticks = [ln for ln in last_output.splitlines() if ln.startswith("✓") and label in ln]
            got += points if ticks else 0
        elif meta.get("locked"):
            last_output = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    return got, possible


def test_full_nbgrader_cycle_scores_what_each_submission_earned(tmp_path: Path):
    course = tmp_path / "course"
    points = graded.write_course(ROOT, course)
    assert sum(points.values()) > 0
    lessons = sorted(points)
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:  # the test's own exchange folder
        fh.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    # the guide's config, through nbgrader: every lesson released at once
    nbgrader(course, "generate_assignment", "*", "--force")
    for lesson in lessons:
        released = course / "release" / lesson / f"{lesson}.ipynb"
        assert released.exists(), f"nbgrader did not release {lesson}"
        text = released.read_text(encoding="utf-8")
        assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text, f"release/{lesson} leaks"
        ours = [c.source for c in nbformat.read(ROOT / "notebooks" / f"{lesson}.ipynb", as_version=4).cells]
        theirs = [
            released_source(c) for c in nbformat.read(released, as_version=4).cells
            if not c.get("metadata", {}).get("nbgrader", {}).get("grade")
        ]
        assert theirs == ours, f"release/{lesson}, minus its grade cells, differs from notebooks/{lesson}.ipynb"

    students = {"ada": 1.0, "bo": 0.5}
    # lesson 00 through the exchange, as on a hub: release, each student fetches, answers and submits, then collect
    nbgrader(course, "release_assignment", EXCHANGE_LESSON, "--force")
    student_side = (f"--CourseDirectory.course_id={COURSE_ID}", f"--Exchange.root={exchange}")  # no course config
    for student, fraction in students.items():
        home = tmp_path / student
        home.mkdir()
        nbgrader(course, "fetch_assignment", EXCHANGE_LESSON, *student_side, home=home, cwd=home)
        fetched = home / EXCHANGE_LESSON / f"{EXCHANGE_LESSON}.ipynb"
        source = course / "source" / EXCHANGE_LESSON / f"{EXCHANGE_LESSON}.ipynb"
        assert fill_in(fetched, source, fetched, fraction) > 0 or fraction < 1
        nbgrader(course, "submit", EXCHANGE_LESSON, *student_side, f"--CourseDirectory.student_id={student}",
                 home=home, cwd=home)
    nbgrader(course, "collect", EXCHANGE_LESSON)
    # the others as an LMS hands them over: one zip per lesson, files named <student>_<id>_<notebook>.ipynb
    for lesson in lessons:
        if lesson == EXCHANGE_LESSON:
            continue
        archive = course / "downloaded" / lesson / "archive"
        archive.mkdir(parents=True)
        with zipfile.ZipFile(archive / f"{lesson}-submissions.zip", "w") as zf:
            for k, (student, fraction) in enumerate(students.items()):
                answered = tmp_path / "answered" / f"{student}_{lesson}.ipynb"
                fill_in(course / "release" / lesson / f"{lesson}.ipynb",
                        course / "source" / lesson / f"{lesson}.ipynb", answered, fraction)
                zf.write(answered, f"{student}_{1000 + k}_{lesson}.ipynb")
        nbgrader(course, "zip_collect", lesson)
    for lesson in lessons:
        for student in students:
            submitted = course / "submitted" / student / lesson / f"{lesson}.ipynb"
            assert submitted.exists(), f"{student}'s {lesson} was not collected"

    nbgrader(course, "autograde", "*")

    scores: dict[tuple[str, str], float] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for lesson in lessons:
            for student in students:
                submission = gb.find_submission(lesson, student)
                scores[student, lesson] = submission.score
                assert submission.max_score == points[lesson]
    report = []
    for lesson in lessons:
        for student in students:
            got, possible = earned(course / "autograded" / student / lesson / f"{lesson}.ipynb")
            assert possible == points[lesson]
            report.append(f"{lesson} {student}: nbgrader {scores[student, lesson]:g}, checks ✓ {got}/{possible}")
            assert scores[student, lesson] == got, "\n".join(report)
    print("\n".join(report))
    total = {s: sum(scores[s, lesson] for lesson in lessons) for s in students}
    possible = sum(points.values())
    print(f"totals: ada {total['ada']:g}/{possible}, bo {total['bo']:g}/{possible}")
    assert total["ada"] == possible, "\n".join(report)
    assert 0 < total["bo"] < possible, "\n".join(report)
    shutil.rmtree(exchange, ignore_errors=True)

"""Graded terms without nbgrader installed: the nbgrader source notebooks, the hidden-test helper, the guide's
configuration, and the student release (no solutions, no solution content). The nbgrader cycle itself is
``tests/test_nbgrader.py`` (CI, in ``.venv-nbgrader``)."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from socialized_loss import build, checks, graded

ROOT = Path(__file__).resolve().parents[1]
LESSONS = build.lesson_paths(ROOT / "lessons")
OVERVIEW = ROOT / "lessons" / "instructor" / "overview.md"


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_source_notebook_has_a_grade_cell_per_check(lesson: Path):
    b = build.build_lesson(lesson)
    nb, points = graded.graded_notebook(b)
    student_checks = sum(len(graded._check_calls(c.source)) for c in b.student.cells if c.cell_type == "code")
    tests = [c for c in nb.cells if nbg(c).get("grade")]
    assert points == len(tests) == student_checks > 0
    ids = [nbg(c)["grade_id"] for c in nb.cells if nbg(c)]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    for i, cell in enumerate(nb.cells):
        meta = nbg(cell)
        if meta.get("grade"):
            assert meta["locked"] and meta["points"] == 1 and not meta["solution"]
            hidden = cell.source.split("### BEGIN HIDDEN TESTS\n")[1].split("### END HIDDEN TESTS")[0]
            assert "grade(sl.checks." in hidden
            j = i - 1
            while nbg(nb.cells[j]).get("grade"):  # a check cell with several checks has several grade cells
                j -= 1
            assert nbg(nb.cells[j]).get("locked") and graded._check_calls(nb.cells[j].source), "no check before it"
        if build.BEGIN in cell.source:
            assert meta.get("solution") and not meta.get("locked")
    assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells), "a worked discussion is released"
    assert not any("instructor" in c.metadata.get("tags", []) for c in nb.cells)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_released_form_holds_no_solution_line(lesson: Path):
    """What nbgrader releases (solutions stubbed, hidden tests cut), simulated: no line of a solution remains."""
    b = build.build_lesson(lesson)
    nb, _ = graded.graded_notebook(b)
    released = set()
    for cell in nb.cells:
        src = build.strip_solutions(cell.source) if cell.cell_type == "code" else cell.source
        src = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", src, flags=re.DOTALL)
        released.update(line.strip() for line in src.splitlines())
    secrets = build.solution_lines(b.solution)
    assert not secrets & released


def test_grade_passes_a_right_answer_and_fails_blank_and_wrong(capsys, monkeypatch):
    monkeypatch.delenv("SOCIALIZED_LOSS_STRICT", raising=False)
    graded.grade(checks.lesson02.black_thursday_lots, [80, 114])
    with pytest.raises(AssertionError, match="not attempted"):
        graded.grade(checks.lesson02.black_thursday_lots, ...)
    with pytest.raises(AssertionError, match="not quite"):
        graded.grade(checks.lesson02.black_thursday_lots, [80, 113])
    assert "SOCIALIZED_LOSS_STRICT" not in os.environ  # strict mode is switched back off
    monkeypatch.setenv("SOCIALIZED_LOSS_STRICT", "0")
    graded.grade(checks.lesson02.black_thursday_lots, [80, 114])
    assert os.environ["SOCIALIZED_LOSS_STRICT"] == "0"


def test_guide_prints_the_configuration_make_graded_writes():
    text = OVERVIEW.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(# nbgrader_config\.py\n.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert blocks == [graded.NBGRADER_CONFIG]
    assert f'"python": "{build.STUB}"' in graded.NBGRADER_CONFIG


def test_guide_warns_what_students_can_see():
    guide = (ROOT / "lessons" / "instructor" / "guide.md").read_text(encoding="utf-8")
    section = guide.split("## A graded term: what students can see")[1].split("\n## ")[0]
    for must in ("solutions/", "Binder", "nbgitpuller", "book", "make student-release", "checks"):
        assert must in section, must


def test_zip_collect_pattern_matches_lms_names():
    namespace: dict = {}
    exec(graded.NBGRADER_CONFIG, {"get_config": lambda: _Config(namespace)})  # noqa: S102 - our own text
    pattern = namespace["FileNameCollectorPlugin.named_regexp"]
    for path, student, file_id in [
        ("/c/downloaded/01-x/extracted/ada_01-margin-and-bankruptcy.ipynb", "ada", "01-margin-and-bankruptcy"),
        ("/c/downloaded/01-x/extracted/sub/bo_1001_01-margin-and-bankruptcy.ipynb", "bo", "01-margin-and-bankruptcy"),
        ("/c/x/s123.4_attempt_2026-10-01_10-stress-lab.ipynb", "s123.4", "10-stress-lab"),
    ]:
        m = re.match(pattern, path)
        assert m and m["student_id"] == student and m["file_id"] == file_id, path
    assert not re.match(pattern, "/c/x/notes.ipynb")


class _Config:
    def __init__(self, store: dict):
        object.__setattr__(self, "_store", store)

    def __getattr__(self, name):
        store = self._store

        class _Section:
            def __setattr__(self, key, value):
                store[f"{name}.{key}"] = value

        return _Section()


def test_write_course_protects_a_teachers_edits(tmp_path: Path):
    only = [LESSONS[0].stem]
    graded.write_course(ROOT, tmp_path, only=only)
    src = tmp_path / "source" / only[0] / f"{only[0]}.ipynb"
    assert (tmp_path / "nbgrader_config.py").read_text() == graded.NBGRADER_CONFIG
    assert graded.write_course(ROOT, tmp_path, only=only)  # unchanged: nothing to do, no complaint
    nb = nbformat.read(src, as_version=4)
    next(c for c in nb.cells if nbg(c).get("grade")).metadata["nbgrader"]["points"] = 3
    nb.cells.append(nbformat.v4.new_markdown_cell("My extra question."))
    nbformat.write(nb, src)
    edited = src.read_text()
    (tmp_path / "nbgrader_config.py").write_text("# stale\n")
    with pytest.raises(build.EditedNotebookError, match=only[0]):
        graded.write_course(ROOT, tmp_path, only=only)
    assert src.read_text() == edited and (tmp_path / "nbgrader_config.py").read_text() == "# stale\n"
    graded.write_course(ROOT, tmp_path, only=only, force=True)
    assert src.read_text() != edited


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_student_release_has_no_solutions(tmp_path: Path):
    dest = tmp_path / "release"
    files = graded.student_release(ROOT, dest)
    assert "notebooks/00-start-here.ipynb" in files and "lessons/glossary.md" in files
    assert not (dest / "solutions").exists() and not (dest / "tests").exists()
    assert not list((dest / "lessons").glob("[0-9][0-9]-*.md"))
    assert not (dest / "lessons" / "instructor").exists()
    assert (dest / "helpers" / "socialized_loss" / "checks").is_dir()
    assert graded.release_leaks(ROOT, dest) == []
    # the scan is real: a solution line planted in the release is found
    secret = max(build.solution_lines(build.build_lesson(LESSONS[1]).solution), key=len)
    (dest / "notes.md").write_text(f"copied from a friend:\n{secret}\n")
    assert any(LESSONS[1].stem in leak for leak in graded.release_leaks(ROOT, dest))
    with pytest.raises(FileExistsError):
        graded.student_release(ROOT, dest)


def test_student_release_refuses_a_tree_with_solution_content(tmp_path: Path):
    """A repository whose README quotes a solution line: the release stops and names the file."""
    repo = tmp_path / "repo"
    (repo / "lessons").mkdir(parents=True)
    (repo / "helpers").mkdir()
    lesson = LESSONS[1]
    (repo / "lessons" / lesson.name).write_bytes(lesson.read_bytes())
    secret = max(build.solution_lines(build.build_lesson(lesson).solution), key=len)
    (repo / "README.md").write_text(f"# Course\n\n{secret}\n")
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c", cwd=repo)
    with pytest.raises(RuntimeError, match="README.md"):
        graded.student_release(repo, tmp_path / "out")


def test_make_graded_command_writes_the_course_folder(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert graded.main(["course", str(tmp_path / "nbg"), LESSONS[0].stem]) == 0
    out = capsys.readouterr().out
    assert f"source/{LESSONS[0].stem}/{LESSONS[0].stem}.ipynb: " in out and "point(s)" in out
    assert (tmp_path / "nbg" / "nbgrader_config.py").exists()
    assert graded.main(["student-release", str(tmp_path / "nbg")]) == 2  # not empty: refused

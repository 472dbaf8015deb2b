"""Graded terms: an nbgrader course folder made from the lessons, and a student release without the answers.

``python -m socialized_loss.graded course nbgrader`` (``make graded``) writes an nbgrader course folder::

    nbgrader/
    ├── nbgrader_config.py                     # NBGRADER_CONFIG below (the instructor guide prints the same text)
    └── source/NN-slug/NN-slug.ipynb           # one assignment per lesson

Each source notebook is the lesson's complete notebook, turned into an nbgrader assignment:

- every exercise cell (the cells holding ``### BEGIN SOLUTION``) is an nbgrader *solution* cell;
- every check cell after it (``sl.checks.lessonNN.name(answer)``) is locked (read-only, restored at grading), and
  after it comes a locked *grade* cell worth one point per check, whose hidden test calls the same check in strict
  mode (:func:`grade`): a correct answer earns the point; a blank or wrong one earns nothing;
- the worked discussions (markdown cells tagged ``solution``) and instructor notes are left out, so nothing in the
  released notebook holds an answer.

The folder is generated, never committed (``.gitignore``); rebuilding refuses to overwrite a source notebook a
teacher has edited (for example to change points) unless ``--force``.

``python -m socialized_loss.graded student-release DEST`` (``make student-release DEST=…``) writes the committed
course *without* ``solutions/``, the lesson sources (which hold the answers), the instructor guide, the tests and the
book config, and refuses if any line of a solution is still in it: the tree to publish as a class repository,
branch or Binder/nbgitpuller source in a graded term.
"""
from __future__ import annotations

import argparse
import ast
import copy
import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

__all__ = [
    "NBGRADER_CONFIG",
    "RELEASE_EXCLUDES",
    "grade",
    "graded_notebook",
    "main",
    "student_release",
    "write_course",
]

STRICT_ENV = "SOCIALIZED_LOSS_STRICT"  # the checks' strict-mode switch (socialized_loss.checks.core)

#: The nbgrader configuration of a graded term, written to ``nbgrader_config.py`` by ``make graded`` and printed in
#: the instructor guide (``tests/test_nbgrader.py`` runs the cycle with it and checks the guide prints this text).
NBGRADER_CONFIG = '''\
# nbgrader_config.py
c = get_config()
c.CourseDirectory.course_id = "socialized-loss"

# No stub: each answer cell already shows its one blank ("x = ...  # YOUR ANSWER" or "pass  # YOUR CODE HERE")
# outside the solution, and a blank never raises, so "Run All" still reaches every check.
c.ClearSolutions.code_stub = {"python": ""}
# Some lessons run simulations: give a slow hub machine time (seconds per cell; nbgrader's default is 30).
c.Execute.timeout = 300

# zip_collect: files downloaded from your LMS go in downloaded/<lesson>/archive/ (loose or zipped), named
# "<student id>_<anything>_<lesson notebook>.ipynb" or "<student id>_<lesson notebook>.ipynb", for example
# "ada_01-margin-and-bankruptcy.ipynb". nbgrader matches this pattern against each file's full path.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = (
    r".*/(?P<student_id>[A-Za-z0-9.@-]+)_(?:[^/]*_)?(?P<file_id>[0-9][0-9]-[a-z0-9-]+)\\.ipynb$"
)
'''

#: Paths (or folders) of the committed course that a student release leaves out.
RELEASE_EXCLUDES = (
    "solutions/",
    "lessons/",  # the sources hold the answers; the glossary is put back (RELEASE_KEEP)
    "tests/",
    ".ci/",
    "bench/",
    "book/",
    "nbgrader/",
    "CONTRIBUTING.md",
)
RELEASE_KEEP = ("lessons/glossary.md",)
RELEASE_NOTE = """\
# Student release

This copy of *Socialized Loss Models* is a student release for a graded term: it has the student notebooks
(`notebooks/`), the course package (`helpers/`) and everything `make lab` needs, and leaves out the solutions
(`solutions/`), the lesson sources (`lessons/`, which hold the answers), the instructor guide, the tests and the book.
Made with `make student-release` from the course repository.
"""


# --------------------------------------------------------------------------------------------------------------------
# Hidden tests
# --------------------------------------------------------------------------------------------------------------------


def grade(check, *answers, **kwargs) -> None:
    """Run one exercise check in strict mode, for nbgrader's hidden tests; raise ``AssertionError`` unless correct.

    A wrong answer raises the check's own ✗ line (with its hint); a blank one raises "not attempted".

    >>> from socialized_loss import checks
    >>> grade(checks.lesson02.black_thursday_lots, [80, 114])  # doctest: +ELLIPSIS
    ✓ Exercise 2.3: 80 lots cover 4.0 million DAI and 114 cover 5.67 million; ...
    >>> grade(checks.lesson02.black_thursday_lots, [80, 113])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    AssertionError: ✗ Exercise 2.3: not quite...
    """
    previous = os.environ.get(STRICT_ENV)
    os.environ[STRICT_ENV] = "1"
    try:
        result = check(*answers, **kwargs)
    finally:
        if previous is None:
            os.environ.pop(STRICT_ENV, None)
        else:
            os.environ[STRICT_ENV] = previous
    if not getattr(result, "correct", False):
        raise AssertionError(f"{getattr(result, 'name', 'this exercise')}: {getattr(result, 'message', result)}")


# --------------------------------------------------------------------------------------------------------------------
# The nbgrader source notebooks
# --------------------------------------------------------------------------------------------------------------------

_EXERCISE = re.compile(r"^#+\s*Exercise\s+(\d+\.\d+)", re.MULTILINE)


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _check_calls(source: str) -> list[tuple[str, str]]:
    """``(check, arguments)`` source texts of each top-level ``sl.checks.…(…)`` call in a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = ast.get_source_segment(source, node.value.func) or ""
            if func.startswith("sl.checks."):
                call = ast.get_source_segment(source, node.value)
                args = call[len(func):].strip()[1:-1].strip()
                calls.append((func, args))
    return calls


def _grade_cell_source(exercise: str, func: str, args: str) -> str:
    label = f"Exercise {exercise}" if exercise else "This exercise"
    return (
        f"# {label}: 1 point, graded when your notebook is collected. The check above shows ✓ when it will earn it.\n"
        "### BEGIN HIDDEN TESTS\n"
        "from socialized_loss.graded import grade\n"
        f"grade({func}{', ' + args if args else ''})\n"
        "### END HIDDEN TESTS"
    )


def graded_notebook(lesson) -> tuple[object, int]:
    """The nbgrader source notebook of one lesson (a :class:`~socialized_loss.build.LessonBuild`) and its points."""
    import nbformat

    from .build import BEGIN, STAMP_KEY, cells_hash

    nb = copy.deepcopy(lesson.solution)
    cells, points, exercise, used = [], 0, "", set()

    def unique(base: str) -> str:
        gid, n = base, 2
        while gid in used:
            gid, n = f"{base}-{n}", n + 1
        used.add(gid)
        return gid

    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "solution" in tags or "instructor" in tags:
            continue
        if cell.cell_type == "markdown":
            found = _EXERCISE.findall(cell.source)
            if found:
                exercise = found[-1]
            cells.append(cell)
            continue
        key = f"ex{exercise.replace('.', '_')}" if exercise else f"lesson{lesson.name[:2]}"
        if any(line.strip() == BEGIN for line in cell.source.split("\n")):
            cell.metadata["nbgrader"] = _nbgrader(unique(f"{key}-answer"), solution=True)
            cells.append(cell)
            continue
        calls = _check_calls(cell.source)
        cells.append(cell)
        if not calls:
            continue
        cell.metadata["nbgrader"] = _nbgrader(unique(f"{key}-check"), locked=True)
        for func, args in calls:
            test = nbformat.v4.new_code_cell(_grade_cell_source(exercise, func, args))
            test.id = f"{cell.id}-t{len(used)}"
            test.metadata["nbgrader"] = _nbgrader(unique(f"{key}-test"), grade=True, locked=True, points=1)
            cells.append(test)
            points += 1
    nb.cells = cells
    nb.metadata[STAMP_KEY] = {
        "generated_from": f"lessons/{lesson.name}.md",
        "kind": "nbgrader source",
        "cells_hash": cells_hash(nb),
        "points": points,
        "note": "Generated by `make graded` from the lesson source.",
    }
    nbformat.validate(nb)
    return nb, points


def write_course(root: Path, dest: Path, only: list[str] | None = None, force: bool = False) -> dict[str, int]:
    """Write the nbgrader course folder (config + one source assignment per lesson); returns points per lesson.

    Every lesson is built and checked first; a source notebook a teacher edited is not overwritten without ``force``.
    """
    from .build import EditedNotebookError, _changes, _dumps, _was_edited, _write_all, build_lessons, lesson_paths

    paths = lesson_paths(root / "lessons")
    if only:
        paths = [p for p in paths if p.stem in {Path(o).stem for o in only}]
    builds = build_lessons(paths)
    targets, points = [(dest / "nbgrader_config.py", NBGRADER_CONFIG)], {}
    for b in builds:
        nb, points[b.name] = graded_notebook(b)
        targets.append((dest / "source" / b.name / f"{b.name}.ipynb", _dumps(nb)))
    changes = _changes(targets)
    edited = [t for t, _ in changes if t.suffix == ".ipynb" and t.exists() and _was_edited(t)]
    if edited and not force:
        raise EditedNotebookError(
            "these nbgrader source notebooks were edited after `make graded` wrote them:\n  "
            + "\n  ".join(map(str, edited))
            + "\nNothing was written. Keep your edits (rename the folder), or rebuild with --force."
        )
    _write_all(changes)
    return points


# --------------------------------------------------------------------------------------------------------------------
# The student release
# --------------------------------------------------------------------------------------------------------------------


def _excluded(path: str) -> bool:
    if path in RELEASE_KEEP:
        return False
    return any(path == e.rstrip("/") or (e.endswith("/") and path.startswith(e)) for e in RELEASE_EXCLUDES)


#: Not scanned by :func:`release_leaks`: the course package, whose checks must compute the expected answers (the
#: instructor guide warns that students can read them).
SCAN_SKIPS = ("helpers/",)


def release_leaks(root: Path, dest: Path) -> list[str]:
    """Lines of any lesson's solutions found in a text file under ``dest`` (empty list = no leak).

    Lines shorter than 12 characters (``else:``, ``import math``) are too common to tell anything; the course package
    is not scanned (``SCAN_SKIPS``).
    """
    from .build import build_lessons, lesson_paths, solution_lines

    secrets: dict[str, str] = {}
    for b in build_lessons(lesson_paths(root / "lessons")):
        for line in solution_lines(b.solution):
            if len(line) >= 12:
                secrets.setdefault(line, b.name)
    found = []
    for path in sorted(p for p in dest.rglob("*") if p.is_file() and ".git" not in p.parts):
        if str(path.relative_to(dest)).startswith(SCAN_SKIPS):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        lines = {ln.strip() for ln in text.splitlines()}
        if path.suffix == ".ipynb":
            import nbformat

            nb = nbformat.reads(text, as_version=4)
            lines = {ln.strip() for c in nb.cells for ln in c.source.splitlines()}
        for line in sorted(lines & secrets.keys()):
            found.append(f"{path.relative_to(dest)}: a line of {secrets[line]}'s solution: {line!r}")
    return found


def student_release(root: Path, dest: Path, ref: str = "HEAD") -> list[str]:
    """Write the committed course at ``ref`` without its answers into ``dest`` (new or empty); returns the files."""
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty: give a new folder, so nothing of yours is overwritten")
    archive = subprocess.run(["git", "-C", str(root), "archive", "--format=tar", ref], capture_output=True, check=False)
    if archive.returncode != 0:
        raise RuntimeError(f"git archive {ref} failed: {archive.stderr.decode(errors='replace').strip()}")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and not _excluded(m.name)]
        tar.extractall(dest, members=members, filter="data")
        written = [m.name for m in members]
    (dest / "STUDENT-RELEASE.md").write_text(RELEASE_NOTE, encoding="utf-8")
    written.append("STUDENT-RELEASE.md")
    leaks = release_leaks(root, dest)
    if leaks:
        raise RuntimeError("the student release still holds solution content:\n  " + "\n  ".join(leaks[:20]))
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    from .build import BuildError, EditedNotebookError, find_root

    parser = argparse.ArgumentParser(prog="python -m socialized_loss.graded", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    course = sub.add_parser("course", help="write the nbgrader course folder (source/ and nbgrader_config.py)")
    course.add_argument("dest", type=Path, nargs="?", default=Path("nbgrader"))
    course.add_argument("lessons", nargs="*", help="only these lessons (default: all)")
    course.add_argument("--force", action="store_true", help="overwrite source notebooks even if edited")
    release = sub.add_parser("student-release", help="the committed course without solutions, into a new folder")
    release.add_argument("dest", type=Path)
    release.add_argument("--ref", default="HEAD", help="the commit or branch to release (default: HEAD)")
    args = parser.parse_args(argv)
    root = find_root()
    try:
        if args.command == "course":
            dest = args.dest if args.dest.is_absolute() else root / args.dest
            points = write_course(root, dest, only=args.lessons or None, force=args.force)
            for name, p in points.items():
                print(f"{dest.name}/source/{name}/{name}.ipynb: {p} point(s)")
            print(f"{len(points)} assignment(s), {sum(points.values())} point(s) in all; next: cd {dest} && "
                  "nbgrader generate_assignment <lesson>")
        else:
            files = student_release(root, args.dest.resolve(), ref=args.ref)
            print(f"{len(files)} file(s) written to {args.dest} (no solutions/, no lessons/ sources, no tests/)")
    except (BuildError, EditedNotebookError, FileExistsError, RuntimeError) as exc:
        print(f"stopped: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

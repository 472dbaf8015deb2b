"""Build the course: ``lessons/NN-slug.md`` (single source) → ``notebooks/`` (student) + ``solutions/`` (complete).

Run it as ``python -m socialized_loss.build`` (``make notebooks``). Rules:

- Code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader's markers) becomes ``pass  # YOUR CODE HERE``
  in the student notebook, indented like the block; the solutions notebook keeps the code and the markers, so a
  teacher can feed it to nbgrader unchanged.
- Markdown cells tagged ``solution`` are dropped from the student notebook; cells tagged ``instructor`` are dropped
  from both and collected into the instructor guide (``lessons/instructor/guide.md``).
- Outputs, execution counts and widget state are cleared; cell ids are derived from the lesson and the cell's
  position, so a rebuild of an unchanged lesson writes identical bytes.
- A missing END marker, an END without BEGIN, or nested BEGIN markers stop the build with the lesson and line.
- A notebook whose cells differ from what the build last wrote (a learner edited it) is never overwritten unless
  ``--force``: each generated notebook carries a stamp of its own cell contents in its metadata.

``--check`` builds into a temporary folder and reports every generated file that differs from the committed one.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

__all__ = [
    "BuildError",
    "EditedNotebookError",
    "LessonBuild",
    "build_all",
    "build_lesson",
    "cells_hash",
    "check_sync",
    "find_root",
    "lesson_paths",
    "main",
]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = "pass  # YOUR CODE HERE"  # never raises, and prints nothing (a bare `...` would echo "Ellipsis")
LESSON_GLOB = "[0-9][0-9]-*.md"
STAMP_KEY = "socialized_loss"
GUIDE_OVERVIEW = Path("instructor") / "overview.md"
GUIDE_OUTPUT = Path("instructor") / "guide.md"
KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info", "course")


class BuildError(ValueError):
    """A lesson source is malformed; the message names the lesson and the line."""


class EditedNotebookError(RuntimeError):
    """A generated notebook was edited by hand; the build will not overwrite it without ``--force``."""


@dataclass(frozen=True)
class LessonBuild:
    """The two notebooks and the instructor notes made from one lesson."""

    name: str
    student: nbformat.NotebookNode
    solution: nbformat.NotebookNode
    instructor_notes: tuple[str, ...]
    title: str


def find_root(start: Path | None = None) -> Path:
    """The course root: the nearest folder above ``start`` holding ``lessons/``."""
    here = (start or Path.cwd()).resolve()
    for cand in (here, *here.parents):
        if (cand / "lessons").is_dir() and (cand / "helpers").is_dir():
            return cand
    raise FileNotFoundError(f"no course root (a folder with lessons/ and helpers/) above {here}")


def lesson_paths(lessons_dir: Path) -> list[Path]:
    """Lesson sources, in course order."""
    return sorted(lessons_dir.glob(LESSON_GLOB))


def _marker_kind(line: str) -> str | None:
    s = line.strip()
    if s.startswith(BEGIN):
        return "begin"
    if s.startswith(END):
        return "end"
    return None


def validate_markers(path: Path) -> None:
    """Refuse unbalanced or nested solution markers, naming the lesson file and line."""
    open_line: int | None = None
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        kind = _marker_kind(line)
        if kind == "begin":
            if open_line is not None:
                raise BuildError(
                    f"{path.name}:{lineno}: nested '{BEGIN}' (the block opened at line {open_line} is not closed)"
                )
            open_line = lineno
        elif kind == "end":
            if open_line is None:
                raise BuildError(f"{path.name}:{lineno}: '{END}' without a matching '{BEGIN}'")
            open_line = None
        elif open_line is not None and line.startswith("```"):
            raise BuildError(
                f"{path.name}:{open_line}: '{BEGIN}' has no '{END}' before the code cell ends (line {lineno})"
            )
    if open_line is not None:
        raise BuildError(f"{path.name}:{open_line}: '{BEGIN}' has no matching '{END}'")


def strip_solutions(source: str) -> str:
    """Replace every solution block with an indented stub that never raises."""
    out: list[str] = []
    inside = False
    for line in source.split("\n"):
        kind = _marker_kind(line)
        if kind == "begin":
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + STUB)
        elif kind == "end":
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def cells_hash(nb: nbformat.NotebookNode) -> str:
    """A fingerprint of a notebook's cell types and sources (what a learner edits), ignoring outputs."""
    h = hashlib.sha256()
    for cell in nb.cells:
        h.update(cell.cell_type.encode())
        h.update(b"\0")
        h.update(cell.source.encode("utf-8"))
        h.update(b"\1")
    return h.hexdigest()[:16]


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _clean_cell(cell, cell_id: str):
    cell = copy.deepcopy(cell)
    cell["id"] = cell_id
    meta = {k: val for k, val in cell.get("metadata", {}).items() if k in ("tags", "editable", "deletable")}
    if "tags" in meta and not meta["tags"]:
        del meta["tags"]
    cell["metadata"] = meta
    if cell.cell_type == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return cell


def _title(nb, name: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise BuildError(f"{name}: no '# Title' heading in the first markdown cells")


def build_lesson(path: Path) -> LessonBuild:
    """Read one lesson source and make its student and solution notebooks (in memory)."""
    validate_markers(path)
    src = jupytext.read(path, fmt="md:myst")
    name = path.stem
    title = _title(src, name)
    meta = {k: copy.deepcopy(val) for k, val in src.metadata.items() if k in KEEP_NOTEBOOK_METADATA}
    meta.setdefault(
        "kernelspec", {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    )
    meta.setdefault("language_info", {"name": "python"})
    student = nbformat.v4.new_notebook(metadata=copy.deepcopy(meta))
    solution = nbformat.v4.new_notebook(metadata=copy.deepcopy(meta))
    notes: list[str] = []
    for i, cell in enumerate(src.cells):
        tags = _tags(cell)
        cid = f"{name[:2]}-{i:03d}"
        if "instructor" in tags:
            notes.append(cell.source.strip())
            continue
        solution.cells.append(_clean_cell(cell, cid))
        if "solution" in tags:
            continue
        scell = _clean_cell(cell, cid)
        if scell.cell_type == "code":
            scell["source"] = strip_solutions(scell.source)
        student.cells.append(scell)
    for kind, nb in (("student", student), ("solution", solution)):
        nb.metadata[STAMP_KEY] = {
            "generated_from": f"lessons/{path.name}",
            "kind": kind,
            "cells_hash": cells_hash(nb),
            "note": "Generated by `make notebooks` from the lesson source; edit lessons/, not this file.",
        }
    nbformat.validate(student)
    nbformat.validate(solution)
    return LessonBuild(name, student, solution, tuple(notes), title)


def _dumps(nb) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _was_edited(target: Path) -> bool:
    """True when ``target`` exists and its cells no longer match the stamp the build wrote into it."""
    try:
        nb = nbformat.read(target, as_version=4)
    except Exception:  # noqa: BLE001
        return True  # unreadable or not a notebook: not ours to overwrite
    stamp = nb.metadata.get(STAMP_KEY, {}).get("cells_hash")
    return stamp is None or stamp != cells_hash(nb)


def _write(target: Path, text: str, force: bool) -> bool:
    """Write ``text`` unless it is already there; refuse to overwrite hand edits unless ``force``."""
    if target.exists():
        if target.read_text(encoding="utf-8") == text:
            return False
        if not force and _was_edited(target):
            raise EditedNotebookError(
                f"{target} was edited after it was generated (its cells differ from the build's stamp). "
                "Not overwriting it, so no one's work is lost. Save your copy elsewhere, or rebuild with --force."
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return True


def guide_text(root: Path, builds: list[LessonBuild]) -> str:
    """The instructor guide: the hand-written overview, then every lesson's instructor cells."""
    parts = []
    overview = root / "lessons" / GUIDE_OVERVIEW
    if overview.exists():
        parts.append(overview.read_text(encoding="utf-8").rstrip())
    parts.append(
        "<!-- Everything below is generated by `make notebooks` from the lessons' `instructor` cells. "
        "Edit the lessons, not this file. -->"
    )
    for b in builds:
        parts.append(f"## {b.title}\n\nSource: `lessons/{b.name}.md`")
        parts.extend(n for n in b.instructor_notes if n)
    return "\n\n".join(parts) + "\n"


def build_all(root: Path, out: Path | None = None, force: bool = False, only: list[str] | None = None) -> list[Path]:
    """Build every lesson (or those named in ``only``) under ``out`` (default: the course root). Returns written files."""
    out = out or root
    written: list[Path] = []
    paths = lesson_paths(root / "lessons")
    if only:
        wanted = {Path(o).stem for o in only}
        unknown = wanted - {p.stem for p in paths}
        if unknown:
            raise BuildError(f"no such lesson in lessons/: {', '.join(sorted(unknown))}")
        paths = [p for p in paths if p.stem in wanted]
    builds = [build_lesson(p) for p in paths]
    for b in builds:
        for folder, nb in (("notebooks", b.student), ("solutions", b.solution)):
            target = out / folder / f"{b.name}.ipynb"
            if _write(target, _dumps(nb), force):
                written.append(target)
    if not only:  # the guide gathers every lesson, so only a full build rewrites it
        guide = out / "lessons" / GUIDE_OUTPUT
        if _write_text(guide, guide_text(root, builds)):
            written.append(guide)
    return written


def _write_text(target: Path, text: str) -> bool:
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return True


def check_sync(root: Path) -> list[str]:
    """Problems that make the committed notebooks differ from the lessons (empty list = in sync)."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_root = Path(tmp)
        build_all(root, out=tmp_root)
        for folder in ("notebooks", "solutions"):
            expected = {p.name for p in (tmp_root / folder).glob("*.ipynb")}
            actual = {p.name for p in (root / folder).glob("*.ipynb")}
            for missing in sorted(expected - actual):
                problems.append(f"{folder}/{missing} is missing: run `make notebooks`")
            for extra in sorted(actual - expected):
                problems.append(f"{folder}/{extra} has no lesson in lessons/ (delete it or add the lesson)")
            for name in sorted(expected & actual):
                committed = root / folder / name
                problems.extend(_outputs_problems(committed))
                if committed.read_text(encoding="utf-8") != (tmp_root / folder / name).read_text(encoding="utf-8"):
                    problems.append(
                        f"{folder}/{name} differs from lessons/{Path(name).stem}.md: "
                        "edit the lesson, then run `make notebooks`"
                    )
        guide_rel = Path("lessons") / GUIDE_OUTPUT
        if not (root / guide_rel).exists() or (root / guide_rel).read_text(encoding="utf-8") != (
            tmp_root / guide_rel
        ).read_text(encoding="utf-8"):
            problems.append(f"{guide_rel} is out of date: run `make notebooks`")
    return problems


def _outputs_problems(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            out.append(f"{path.parent.name}/{path.name}: cell {i} carries outputs or an execution count")
    if "widgets" in nb.get("metadata", {}):
        out.append(f"{path.parent.name}/{path.name}: carries saved widget state")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialized_loss.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="build only these lessons (e.g. 01-margin-and-bankruptcy)")
    parser.add_argument("--force", action="store_true", help="overwrite generated notebooks even if hand-edited")
    parser.add_argument("--check", action="store_true", help="only report whether notebooks/ and solutions/ are in sync")
    parser.add_argument("--root", type=Path, default=None, help="course root (default: found from the current folder)")
    args = parser.parse_args(argv)
    root = args.root.resolve() if args.root else find_root()
    try:
        if args.check:
            problems = check_sync(root)
            for p in problems:
                print(p, file=sys.stderr)
            print("in sync" if not problems else f"{len(problems)} problem(s)")
            return 1 if problems else 0
        written = build_all(root, force=args.force, only=args.lessons or None)
    except (BuildError, EditedNotebookError) as exc:
        print(f"build stopped: {exc}", file=sys.stderr)
        return 2
    for w in written:
        print(f"wrote {w.relative_to(root)}")
    print(f"{len(written)} file(s) written; {len(lesson_paths(root / 'lessons'))} lesson(s) in lessons/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

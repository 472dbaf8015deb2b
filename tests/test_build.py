"""The lesson → notebook build: stubs, tags, marker errors, determinism, and never overwriting a learner's edits."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

from socialized_loss import build

ROOT = Path(__file__).resolve().parents[1]

HEADER = textwrap.dedent(
    """\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
        format_version: 0.13
    kernelspec:
      display_name: Python 3 (ipykernel)
      language: python
      name: python3
    course:
      teaching: 5
      exercises: 5
    ---
    """
)

BODY = textwrap.dedent(
    """\
    # 98 — A test lesson

    Intro.

    ```{code-cell} ipython3
    :tags: [exercise]

    answer = ...  # YOUR ANSWER
    ### BEGIN SOLUTION
    answer = 42
    ### END SOLUTION
    ```

    ```{code-cell} ipython3
    def f(x):
        \"\"\"Double it.\"\"\"
        pass  # YOUR CODE HERE
        ### BEGIN SOLUTION
        y = 2 * x
        return y
        ### END SOLUTION
    ```

    +++ {"tags": ["solution"]}

    The answer is 42.

    +++ {"tags": ["instructor"]}

    Teach this slowly.

    +++

    ## Key points

    - done
    """
)


def make_course(tmp_path: Path, body: str = BODY) -> Path:
    (tmp_path / "helpers").mkdir()
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "98-test.md").write_text(HEADER + "\n" + body, encoding="utf-8")
    return tmp_path


def test_student_gets_one_placeholder_and_solution_keeps_markers(tmp_path):
    root = make_course(tmp_path)
    build.build_all(root)
    student = nbformat.read(root / "notebooks" / "98-test.ipynb", as_version=4)
    solution = nbformat.read(root / "solutions" / "98-test.ipynb", as_version=4)
    code = [c.source for c in student.cells if c.cell_type == "code"]
    assert code[0] == "answer = ...  # YOUR ANSWER"  # the block is gone; no second blank is added
    assert code[1] == 'def f(x):\n    """Double it."""\n    pass  # YOUR CODE HERE'
    assert "42" not in "".join(code)
    sol_code = [c.source for c in solution.cells if c.cell_type == "code"]
    assert "### BEGIN SOLUTION" in sol_code[0] and "answer = 42" in sol_code[0]


def test_student_stub_runs_and_never_raises(tmp_path):
    root = make_course(tmp_path)
    build.build_all(root)
    student = nbformat.read(root / "notebooks" / "98-test.ipynb", as_version=4)
    ns: dict = {}
    for c in student.cells:
        if c.cell_type == "code":
            exec(c.source, ns)  # noqa: S102 - our own generated code
    assert ns["answer"] is Ellipsis and ns["f"](3) is None


def test_solution_and_instructor_cells_are_routed(tmp_path):
    root = make_course(tmp_path)
    build.build_all(root)
    student = nbformat.read(root / "notebooks" / "98-test.ipynb", as_version=4)
    solution = nbformat.read(root / "solutions" / "98-test.ipynb", as_version=4)
    text_s = "".join(c.source for c in student.cells)
    text_sol = "".join(c.source for c in solution.cells)
    assert "The answer is 42" not in text_s and "The answer is 42" in text_sol
    assert "Teach this slowly" not in text_s and "Teach this slowly" not in text_sol
    guide = (root / "lessons" / "instructor" / "guide.md").read_text()
    assert "Teach this slowly" in guide and "98 — A test lesson" in guide


def test_outputs_cleared_ids_stable_and_rebuild_identical(tmp_path):
    root = make_course(tmp_path)
    build.build_all(root)
    first = (root / "notebooks" / "98-test.ipynb").read_text()
    nb = json.loads(first)
    assert all(c.get("outputs", []) == [] for c in nb["cells"] if c["cell_type"] == "code")
    assert all(c.get("execution_count") is None for c in nb["cells"] if c["cell_type"] == "code")
    assert nb["metadata"]["course"] == {"teaching": 5, "exercises": 5}
    assert "jupytext" not in nb["metadata"]
    assert build.build_all(root) == []  # nothing to rewrite
    assert (root / "notebooks" / "98-test.ipynb").read_text() == first


def _write_lesson(root: Path, name: str, text: str | bytes) -> Path:
    path = root / "lessons" / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


EXERCISE = "answer = ...  # YOUR ANSWER\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\n"

# (what is wrong, how to break the lesson, the text expected on the line the error names, words of the message)
MALFORMED = [
    ("unclosed code cell mid-lesson",
     lambda t: t.replace("### END SOLUTION\n```\n\n```{code-cell} ipython3\ndef",
                         "### END SOLUTION\n\n```{code-cell} ipython3\ndef", 1),
     "```{code-cell}", "not closed before the next cell"),
    ("unclosed code cell at the end",
     lambda t: t + "\n```{code-cell} ipython3\nx = 1\n", "```{code-cell}", "never closed"),
    ("two hashes", lambda t: t.replace("### BEGIN SOLUTION\nanswer", "## BEGIN SOLUTION\nanswer", 1),
     "## BEGIN SOLUTION", "is not a marker the build knows"),
    ("lower case", lambda t: t.replace("### BEGIN SOLUTION\nanswer", "### begin solution\nanswer", 1),
     "### begin solution", "is not a marker the build knows"),
    ("marker after code", lambda t: t.replace("answer = 42\n", "answer = 42  ### END SOLUTION\n", 1),
     "answer = 42", "is not a marker"),
    ("hidden tests", lambda t: t.replace("answer = 42\n", "### BEGIN HIDDEN TESTS\nanswer = 42\n", 1),
     "HIDDEN TESTS", "is not a marker"),
    ("marker in markdown",
     lambda t: t.replace("Intro.", "Intro.\n\n### BEGIN SOLUTION\nThe answer is 42.\n### END SOLUTION", 1),
     "### BEGIN SOLUTION", "outside a code cell"),
    ("marker in a markdown code block",
     lambda t: t.replace("Intro.", "Intro.\n\n```python\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\n```", 1),
     "### BEGIN SOLUTION", "outside a code cell"),
    ("nested", lambda t: t.replace("answer = 42\n", "### BEGIN SOLUTION\nanswer = 42\n", 1),
     "### BEGIN SOLUTION", "nested"),
    ("end without begin", lambda t: t.replace("    ### BEGIN SOLUTION\n    y = 2", "    y = 2", 1),
     "### END SOLUTION", "without a matching"),
    ("begin without end", lambda t: t.replace("### END SOLUTION\n```\n\n```{code-cell} ipython3\ndef",
                                              "```\n\n```{code-cell} ipython3\ndef", 1),
     "### BEGIN SOLUTION", "before its code cell ends"),
    ("broken front matter", lambda t: t.replace("  teaching: 5", "  teaching: [5", 1), None, "not valid YAML"),
    ("no front matter", lambda t: t.split("---\n", 2)[2], None, "YAML front matter"),
    ("kernelspec incomplete", lambda t: t.replace("  display_name: Python 3 (ipykernel)\n", "", 1), None, "kernelspec"),
    ("bad cell metadata", lambda t: t.replace('+++ {"tags": ["solution"]}', "+++ {tags: solution}", 1),
     "+++ {tags: solution}", "not a JSON object"),
    ("two placeholders", lambda t: t.replace("answer = ...  # YOUR ANSWER\n",
                                             "answer = ...  # YOUR ANSWER\nother = ...\n", 1),
     "```{code-cell}", "2 placeholders"),
    ("no placeholder", lambda t: t.replace("    pass  # YOUR CODE HERE\n", "", 1),
     "```{code-cell}", "0 placeholders"),
]


@pytest.mark.parametrize("what, breaks, on_line, words", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_lesson_stops_the_build_with_file_line_and_fix(tmp_path, what, breaks, on_line, words):
    root = make_course(tmp_path)
    source = HEADER + "\n" + BODY
    broken = breaks(source)
    assert broken != source, "the test case did not change the lesson"
    _write_lesson(root, "98-test.md", broken)
    with pytest.raises(build.BuildError) as err:
        build.build_all(root)
    message = str(err.value)
    assert words in message and "Fix:" in message, message
    assert "98-test.md:" in message
    line = int(message.split("98-test.md:")[1].split(":")[0])
    if on_line is not None:
        assert on_line in broken.split("\n")[line - 1], f"line {line} is not the culprit: {message}"
    assert build.main(["--root", str(root)]) == 2
    assert not (root / "notebooks").exists() and not (root / "solutions").exists()


def test_non_utf8_byte_names_line_and_column(tmp_path):
    root = make_course(tmp_path)
    text = (HEADER + "\n" + BODY).encode("utf-8").replace(b"Intro.", b"Intro \xe9t\xe9.", 1)
    _write_lesson(root, "98-test.md", text)
    with pytest.raises(build.BuildError, match=r"98-test\.md:(\d+):7: byte 0xe9 is not UTF-8.*Fix:") as err:
        build.build_all(root)
    line = int(str(err.value).split(":")[1])
    assert text.split(b"\n")[line - 1].startswith(b"Intro")


def test_cli_prints_every_problem_of_every_lesson_and_writes_nothing(tmp_path, capsys):
    root = make_course(tmp_path)
    build.build_all(root)
    before = {p: p.read_bytes() for p in root.rglob("*.ipynb")}
    good = (root / "lessons" / "98-test.md").read_text()
    _write_lesson(root, "97-bad.md", good.replace("### BEGIN SOLUTION\nanswer", "## BEGIN SOLUTION\nanswer", 1))
    broken = good.replace("Intro.", "A changed intro.").replace("  teaching: 5", "  teaching: [5")
    _write_lesson(root, "98-test.md", broken)
    _write_lesson(root, "99-also.md", good)  # a good lesson is not written either
    assert build.main(["--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert "lessons/97-bad.md:" in err and "lessons/98-test.md:" in err and "nothing written" in err
    assert {p: p.read_bytes() for p in root.rglob("*.ipynb")} == before


def test_real_lessons_are_well_formed():
    for path in build.lesson_paths(ROOT / "lessons"):
        assert build.lesson_problems(path.name, build.read_lesson(path)) == []


def test_missing_end_at_end_of_file(tmp_path):
    body = BODY.split("+++")[0].rstrip().rstrip("`") + "\n### BEGIN SOLUTION\nx = 1\n"
    root = make_course(tmp_path, body)
    with pytest.raises(build.BuildError, match=r"98-test\.md:\d+: '### BEGIN SOLUTION' has no"):
        build.build_all(root)


def test_hand_edited_notebook_is_never_overwritten_without_force(tmp_path):
    root = make_course(tmp_path)
    build.build_all(root)
    target = root / "notebooks" / "98-test.ipynb"
    nb = nbformat.read(target, as_version=4)
    nb.cells[1].source = "answer = 41  # my own work"
    nbformat.write(nb, target)
    edited = target.read_text()
    # the lesson changes, so the build wants to rewrite the notebook
    lesson = root / "lessons" / "98-test.md"
    lesson.write_text(lesson.read_text().replace("Intro.", "A new intro."))
    with pytest.raises(build.EditedNotebookError, match="98-test.ipynb"):
        build.build_all(root)
    assert target.read_text() == edited  # the learner's work is intact
    assert build.main(["--root", str(root)]) == 2
    assert target.read_text() == edited
    build.build_all(root, force=True)
    assert "my own work" not in target.read_text() and "A new intro." in target.read_text()


def test_one_edited_notebook_stops_the_build_before_any_file_is_written(tmp_path):
    root = make_course(tmp_path)
    lesson = (root / "lessons" / "98-test.md").read_text()
    for name in ("96-first.md", "97-second.md"):
        _write_lesson(root, name, lesson)
    build.build_all(root)
    edited = root / "notebooks" / "97-second.ipynb"
    nb = nbformat.read(edited, as_version=4)
    nb.cells[1].source += "\n# my note"
    nbformat.write(nb, edited)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and "lessons" not in p.parts}
    before[root / "lessons/instructor/guide.md"] = (root / "lessons/instructor/guide.md").read_bytes()
    for path in (root / "lessons").glob("9*.md"):  # every lesson changes: every file would be rewritten
        path.write_text(path.read_text().replace("Intro.", "New intro.").replace("Teach this", "Teach it"))
    with pytest.raises(build.EditedNotebookError, match="97-second.ipynb"):
        build.build_all(root)
    after = {p: p.read_bytes() for p in before}
    assert after == before, "the build wrote some files before it found the edited notebook"
    assert not list(root.rglob("*.tmp"))


def test_a_failed_write_leaves_every_file_as_it_was(tmp_path, monkeypatch):
    root = make_course(tmp_path)
    lesson = (root / "lessons" / "98-test.md").read_text()
    _write_lesson(root, "97-other.md", lesson)
    build.build_all(root)
    before = {p: p.read_bytes() for p in root.rglob("*.ipynb")}
    for path in (root / "lessons").glob("9*.md"):
        path.write_text(path.read_text().replace("Intro.", "New intro."))
    real_fdopen, calls = build.os.fdopen, []

    def failing_fdopen(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_fdopen(*args, **kwargs)

    monkeypatch.setattr(build.os, "fdopen", failing_fdopen)
    with pytest.raises(OSError, match="disk full"):
        build.build_all(root)
    assert {p: p.read_bytes() for p in root.rglob("*.ipynb")} == before
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]
    monkeypatch.undo()
    assert len(build.build_all(root)) == 4  # all four notebooks (the instructor notes did not change)


def test_hand_edited_guide_is_protected_like_a_notebook(tmp_path):
    root = make_course(tmp_path)
    build.build_all(root)
    guide = root / "lessons" / "instructor" / "guide.md"
    assert build.build_all(root) == []
    guide.write_text(guide.read_text().replace("Teach this slowly.", "Teach this slowly. My own note."))
    edited = guide.read_text()
    lesson = root / "lessons" / "98-test.md"
    lesson.write_text(lesson.read_text().replace("Teach this slowly.", "Teach this very slowly."))
    with pytest.raises(build.EditedNotebookError, match="guide.md"):
        build.build_all(root)
    assert guide.read_text() == edited
    build.build_all(root, force=True)
    assert "very slowly" in guide.read_text() and "My own note" not in guide.read_text()
    assert not build._was_edited(guide)


def test_running_a_notebook_without_editing_it_is_not_an_edit(tmp_path):
    root = make_course(tmp_path)
    build.build_all(root)
    target = root / "notebooks" / "98-test.ipynb"
    nb = nbformat.read(target, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nb.cells[1].execution_count = 1
    nbformat.write(nb, target)
    assert not build._was_edited(target)


def test_unknown_notebook_without_stamp_is_protected(tmp_path):
    root = make_course(tmp_path)
    (root / "notebooks").mkdir()
    target = root / "notebooks" / "98-test.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("mine")]), target)
    with pytest.raises(build.EditedNotebookError):
        build.build_all(root)


def test_check_sync_reports_drift_and_outputs(tmp_path):
    root = make_course(tmp_path)
    build.build_all(root)
    assert build.check_sync(root) == []
    target = root / "solutions" / "98-test.ipynb"
    nb = nbformat.read(target, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nbformat.write(nb, target)
    problems = build.check_sync(root)
    assert any("carries outputs" in p for p in problems)
    assert any("differs from lessons/98-test.md" in p for p in problems)
    (root / "notebooks" / "98-test.ipynb").unlink()
    assert any("notebooks/98-test.ipynb is missing" in p for p in build.check_sync(root))


# A line a learner must replace: a "YOUR ANSWER" / "YOUR CODE HERE" comment, an assignment of a bare ``...``, or a
# ``pass`` statement (written here, not taken from the build, so the build cannot grade itself).
_BLANK = re.compile(r"YOUR (?:ANSWERS?|CODE HERE)|=\s*\.\.\.\s*(?:#|$)|^\s*pass\b|^\s*\.\.\.\s*(?:#|$)")


def blanks(source: str) -> int:
    return sum(bool(_BLANK.search(line)) for line in source.split("\n"))


@pytest.mark.parametrize("lesson", build.lesson_paths(ROOT / "lessons"), ids=lambda p: p.stem)
def test_every_exercise_cell_of_a_student_notebook_shows_exactly_one_blank(lesson):
    student = nbformat.read(ROOT / "notebooks" / f"{lesson.stem}.ipynb", as_version=4)
    solution = nbformat.read(ROOT / "solutions" / f"{lesson.stem}.ipynb", as_version=4)
    s_code = [c.source for c in student.cells if c.cell_type == "code"]
    sol_code = [c.source for c in solution.cells if c.cell_type == "code"]
    assert len(s_code) == len(sol_code)
    exercises = [i for i, src in enumerate(sol_code) if "### BEGIN SOLUTION" in src]
    assert exercises, f"{lesson.name} has no exercise cell: the count below would test nothing"
    for i in exercises:
        assert blanks(s_code[i]) == 1, (f"notebooks/{lesson.stem}.ipynb code cell {i} shows {blanks(s_code[i])} "
                                        f"placeholders:\n{s_code[i]}")


def test_blank_counter_counts():
    assert blanks("x = ...  # YOUR ANSWER\npass  # YOUR CODE HERE") == 2  # the old two-placeholder stub
    assert blanks("a = b = ...  # YOUR ANSWERS") == 1
    assert blanks("def f():\n    pass  # YOUR CODE HERE") == 1
    assert blanks("x = 1\nprint(x)") == 0


def test_real_lessons_build_in_memory():
    for path in build.lesson_paths(ROOT / "lessons"):
        b = build.build_lesson(path)
        assert b.title.startswith(path.stem[:2])
        assert len(b.solution.cells) >= len(b.student.cells)


# --- the leak scan: no line of a solution reaches a student notebook --------------------------------------------------

_SOLUTION_CELL = re.compile(r'^\+\+\+ \{[^\n]*"solution"[^\n]*\}\n(.*?)(?=^\+\+\+|^```\{code-cell\}|\Z)', re.MULTILINE | re.DOTALL)
_REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION", re.MULTILINE | re.DOTALL)


def secret_lines(lesson_text: str) -> set[str]:
    """Lines of the lesson's solution regions and solution-tagged cells, read from the raw text (not via the build),
    minus lines that also appear in the rest of the lesson (those are not secrets)."""
    secret: set[str] = set()
    rest = lesson_text
    for pattern in (_REGION, _SOLUTION_CELL):
        for m in pattern.finditer(lesson_text):
            secret.update(line.strip() for line in m.group(1).splitlines())
        rest = pattern.sub("", rest)
    public = {line.strip() for line in rest.splitlines()}
    return {s for s in secret - public if len(s) > 3}


def notebook_lines(path: Path) -> set[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return {line.strip() for c in nb["cells"] for line in "".join(c["source"]).splitlines()}


LESSON_PATHS = build.lesson_paths(ROOT / "lessons")


@pytest.mark.parametrize("lesson", LESSON_PATHS, ids=[p.stem for p in LESSON_PATHS])
def test_no_solution_line_in_any_student_notebook(lesson):
    secrets = secret_lines(lesson.read_text(encoding="utf-8"))
    student = ROOT / "notebooks" / f"{lesson.stem}.ipynb"
    if secrets:  # the scan is real: the complete notebook does hold these lines
        assert secrets & notebook_lines(ROOT / "solutions" / student.name)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        leaked = secrets & notebook_lines(nb)
        assert not leaked, f"notebooks/{nb.name} holds solution lines of {lesson.name}: {sorted(leaked)[:5]}"


def test_leak_scan_catches_a_leak(tmp_path):
    """The scan above finds a solution that reached a student notebook (here: a misspelt marker, built by hand)."""
    text = HEADER + "\n" + BODY
    secrets = secret_lines(text)
    assert {"answer = 42", "y = 2 * x", "The answer is 42."} <= secrets
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = ...\n## BEGIN SOLUTION\nanswer = 42")])
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    assert secrets & notebook_lines(path) == {"answer = 42"}

"""The lesson → notebook build: stubs, tags, marker errors, determinism, and never overwriting a learner's edits."""
from __future__ import annotations

import json
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


def test_student_gets_indented_stubs_and_solution_keeps_markers(tmp_path):
    root = make_course(tmp_path)
    build.build_all(root)
    student = nbformat.read(root / "notebooks" / "98-test.ipynb", as_version=4)
    solution = nbformat.read(root / "solutions" / "98-test.ipynb", as_version=4)
    code = [c.source for c in student.cells if c.cell_type == "code"]
    assert code[0] == "answer = ...  # YOUR ANSWER\npass  # YOUR CODE HERE"
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


@pytest.mark.parametrize(
    "body, message",
    [
        (BODY.replace("### END SOLUTION\n```\n\n```{code-cell} ipython3\ndef", "```\n\n```{code-cell} ipython3\ndef", 1),
         "has no '### END SOLUTION' before the code cell ends"),
        (BODY.replace("answer = 42\n", "### BEGIN SOLUTION\nanswer = 42\n", 1), "nested '### BEGIN SOLUTION'"),
        (BODY.replace("    ### BEGIN SOLUTION\n    y = 2", "    y = 2", 1), "without a matching"),
    ],
)
def test_bad_markers_stop_the_build_with_lesson_and_line(tmp_path, body, message):
    root = make_course(tmp_path, body)
    with pytest.raises(build.BuildError) as err:
        build.build_all(root)
    assert "98-test.md:" in str(err.value) and message in str(err.value)
    line = int(str(err.value).split("98-test.md:")[1].split(":")[0])
    src_lines = (root / "lessons" / "98-test.md").read_text().splitlines()
    assert "SOLUTION" in src_lines[line - 1]


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
    with pytest.raises(build.EditedNotebookError, match="98-test.ipynb was edited"):
        build.build_all(root)
    assert target.read_text() == edited  # the learner's work is intact
    assert build.main(["--root", str(root)]) == 2
    assert target.read_text() == edited
    build.build_all(root, force=True)
    assert "my own work" not in target.read_text() and "A new intro." in target.read_text()


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


def test_real_lessons_build_in_memory():
    for path in build.lesson_paths(ROOT / "lessons"):
        b = build.build_lesson(path)
        assert b.title.startswith(path.stem[:2])
        assert len(b.solution.cells) >= len(b.student.cells)

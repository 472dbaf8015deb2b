"""Our solution notebooks are nbgrader source notebooks: nbgrader itself turns them into our student notebooks.

nbgrader is deliberately not in the course's ``.venv`` (its JupyterLab extensions would clutter a learner's
``make lab``), so this module skips there. CI runs it in a separate environment with nbgrader installed
(``.venv-nbgrader``, see ``.ci/run``) and sets ``SOCIALIZED_LOSS_REQUIRE_NBGRADER=1`` so that a missing nbgrader
fails instead of skipping.

1. nbgrader's own ``ClearSolutions`` preprocessor, with our stub and ``enforce_metadata=False``, applied to every
   ``solutions/*.ipynb``, gives exactly the code cells of the matching ``notebooks/*.ipynb``.
2. The ``nbgrader_config.py`` printed in the instructor guide (``lessons/instructor/overview.md``), run through
   ``nbgrader generate_assignment`` on a course folder laid out as the guide says, releases notebooks whose cells
   (code and markdown) are exactly our student notebooks.
"""
from __future__ import annotations

import copy
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from socialized_loss import build

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
OVERVIEW = ROOT / "lessons" / "instructor" / "overview.md"
REQUIRE_ENV = "SOCIALIZED_LOSS_REQUIRE_NBGRADER"

if importlib.util.find_spec("nbgrader") is None:
    if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
        pytest.fail(f"{REQUIRE_ENV} is set but nbgrader is not installed in {sys.prefix}", pytrace=False)
    pytest.skip(
        "nbgrader is not installed in this environment (on purpose: it stays out of the course's .venv). "
        "CI runs this test in .venv-nbgrader; locally: uv venv /tmp/nbg && uv pip install -r requirements.lock "
        "&& uv pip install nbgrader && uv pip install --no-deps -e . && /tmp/nbg/bin/python -m pytest "
        "tests/test_nbgrader.py",
        allow_module_level=True,
    )

from nbgrader.preprocessors import ClearSolutions


def code_sources(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def all_cells(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nb.cells]


def test_there_are_solutions_to_check():
    assert SOLUTIONS, "no solutions/*.ipynb: run `make notebooks`"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_clear_solutions_gives_our_student_notebook(solution: Path):
    student_path = ROOT / "notebooks" / solution.name
    assert student_path.exists(), f"notebooks/{solution.name} is missing: run `make notebooks`"
    nb = nbformat.read(solution, as_version=4)
    pre = ClearSolutions(code_stub={"python": build.STUB}, enforce_metadata=False)
    cleared, _ = pre.preprocess(copy.deepcopy(nb), {})
    ours = code_sources(nbformat.read(student_path, as_version=4))
    theirs = code_sources(cleared)
    assert len(theirs) == len(ours), f"{len(theirs)} code cells from nbgrader, {len(ours)} in notebooks/{solution.name}"
    for i, (t, o) in enumerate(zip(theirs, ours)):
        assert t == o, f"code cell {i} of {solution.name} differs:\n--- nbgrader ---\n{t}\n--- ours ---\n{o}"


def guide_config() -> str:
    """The ``nbgrader_config.py`` block of the instructor guide (a python fence whose first line names the file)."""
    text = OVERVIEW.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(# nbgrader_config\.py\n.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, (
        "the instructor guide must hold exactly one ```python block starting '# nbgrader_config.py'"
    )
    return blocks[0]


def test_guide_config_uses_our_stub():
    config = guide_config()
    assert repr(build.STUB) in config or f'"{build.STUB}"' in config, "the guide's code_stub must be build.STUB"
    assert "enforce_metadata = False" in config


def test_guide_recipe_generates_our_student_notebooks(tmp_path: Path):
    """One ``generate_assignment`` run over every lesson (one assignment, to keep it to one nbgrader start-up)."""
    course = tmp_path / "course"
    assignment = "all-lessons"
    (course / "source" / assignment).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(guide_config(), encoding="utf-8")
    expected = {}
    for sol in SOLUTIONS:  # read both sides up front: a rebuild during the slow nbgrader run must not race the test
        shutil.copy(sol, course / "source" / assignment / sol.name)
        expected[sol.name] = all_cells(nbformat.read(ROOT / "notebooks" / sol.name, as_version=4))
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # nbgrader calls `alembic`
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
        check=False, cwd=course, env=env, capture_output=True, text=True, timeout=900,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "ERROR" not in log, log[-4000:]
    for sol in SOLUTIONS:
        released = course / "release" / assignment / sol.name
        assert released.exists(), f"nbgrader did not release {sol.name}:\n{log[-2000:]}"
        got = all_cells(nbformat.read(released, as_version=4))
        assert got == expected[sol.name], f"release/{sol.name} differs from notebooks/{sol.name}"

"""The sync gate, learner-safe: the *committed* notebooks are what the committed lessons build, and a learner's
opened, run, edited and saved notebooks neither break ``make test`` nor get touched by it.

The maintainers' strict check (working tree == build, byte for byte) is ``make check-sync``, which CI runs.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from socialized_loss import sync

ROOT = Path(__file__).resolve().parents[1]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": "",  # set per test to a scratch folder
}

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str, home: Path) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(home)}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def committed_course(tmp_path: Path) -> Path:
    """A scratch git repository holding the course's lessons/, notebooks/ and solutions/ as committed here."""
    repo = tmp_path / "course"
    repo.mkdir()
    if sync.in_git_checkout(ROOT):
        sync._export_head(ROOT, repo)
    else:
        for folder in ("lessons", "notebooks", "solutions"):
            shutil.copytree(ROOT / folder, repo / folder)
    home = tmp_path / "home"
    home.mkdir()
    git(repo, "init", "-q", home=home)
    git(repo, "add", "-A", home=home)
    git(repo, "commit", "-qm", "course", home=home)
    return repo


def learner_session(repo: Path) -> dict[Path, bytes]:
    """What a learner leaves behind: JupyterLab metadata, outputs, an answer, an extra cell, a new notebook."""
    nb_path = repo / "notebooks" / "01-margin-and-bankruptcy.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py", "mimetype": "text/x-python",
        "name": "python", "nbconvert_exporter": "python", "pygments_lexer": "ipython3", "version": "3.12.4",
    }
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hello\n"]}]
    code[0]["execution_count"] = 1
    code[0]["metadata"]["execution"] = {"iopub.status.idle": "2026-12-02T10:00:00Z"}
    for cell in code:
        if "pass  # YOUR CODE HERE" in "".join(cell["source"]):
            cell["source"] = ["answer = 42  # my answer\n"]
            break
    nb["cells"].append({"cell_type": "markdown", "id": "mine", "metadata": {}, "source": ["My notes."]})
    nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")  # not even nbformat's layout
    sol = repo / "solutions" / "02-liquidation-and-bad-debt.ipynb"
    sol.write_text(sol.read_text(encoding="utf-8").replace('"cells": [', '"cells": [{"cell_type": "code", '
                   '"execution_count": null, "id": "x", "metadata": {}, "outputs": [], "source": ["1 + 1"]},', 1),
                   encoding="utf-8")
    (repo / "notebooks" / "Untitled.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, '
                                                      '"nbformat_minor": 5}\n', encoding="utf-8")
    return {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}


def test_committed_notebooks_match_lessons():
    problems = sync.check_committed(ROOT)
    assert not problems, "the committed notebooks drifted from the committed lessons:\n" + "\n".join(problems)


def test_every_lesson_has_both_notebooks_committed():
    if sync.in_git_checkout(ROOT):
        names = subprocess.run(["git", "ls-files", "lessons", "notebooks", "solutions"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.split()
    else:
        names = [p.relative_to(ROOT).as_posix() for d in ("lessons", "notebooks", "solutions")
                 for p in (ROOT / d).rglob("*")]
    lessons = {Path(n).stem for n in names if n.startswith("lessons/") and Path(n).parent.name == "lessons"
               and Path(n).name[:2].isdigit()}
    assert lessons, "no lessons found"
    for folder in ("notebooks", "solutions"):
        have = {Path(n).stem for n in names if n.startswith(f"{folder}/") and n.endswith(".ipynb")}
        assert lessons <= have, f"{folder}/ lacks {sorted(lessons - have)}"


@needs_git
def test_learner_session_keeps_the_gate_green_and_untouched(tmp_path):
    repo = committed_course(tmp_path)
    before = learner_session(repo)
    assert sync.check_committed(repo) == []
    pristine = tmp_path / "pristine"
    sync.write_pristine(repo, pristine)
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before, "the gate or the pristine build changed a learner's file"
    edited = repo / "notebooks" / "01-margin-and-bankruptcy.ipynb"
    fresh = pristine / "notebooks" / "01-margin-and-bankruptcy.ipynb"
    assert b"my answer" in edited.read_bytes() and b"my answer" not in fresh.read_bytes()
    assert not (pristine / "notebooks" / "Untitled.ipynb").exists()


@needs_git
def test_gate_fails_on_a_committed_drift(tmp_path):
    repo = committed_course(tmp_path)
    home = tmp_path / "home"
    target = repo / "notebooks" / "03-insurance-fund.ipynb"
    target.write_text(target.read_text(encoding="utf-8").replace("insurance fund", "insurance pot", 1),
                      encoding="utf-8")
    git(repo, "commit", "-qam", "hand edit", home=home)
    problems = sync.check_committed(repo)
    assert any("notebooks/03-insurance-fund.ipynb" in p for p in problems), problems


@needs_git
def test_gate_fails_on_a_lesson_committed_without_its_notebooks(tmp_path):
    repo = committed_course(tmp_path)
    home = tmp_path / "home"
    lesson = repo / "lessons" / "00-start-here.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nA new closing line.\n", encoding="utf-8")
    git(repo, "commit", "-qam", "lesson only", home=home)
    problems = sync.check_committed(repo)
    assert any("notebooks/00-start-here.ipynb" in p for p in problems), problems
    assert any("solutions/00-start-here.ipynb" in p for p in problems), problems


def test_pristine_refuses_to_write_into_the_course(tmp_path):
    with pytest.raises(ValueError, match="scratch folder"):
        sync.write_pristine(ROOT, ROOT / "notebooks")
    with pytest.raises(ValueError, match="scratch folder"):
        sync.write_pristine(ROOT, ROOT)

"""`make update` (``python tools/course.py update``) gets a new course version and never loses a learner's work.

Simulated with real git: an "upstream" course repository, a learner's clone with an answered notebook and a notebook
that was only opened (JupyterLab noise), and a new upstream commit that changes both.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ANSWERED = "notebooks/01-margin-and-bankruptcy.ipynb"
OPENED = "notebooks/00-start-here.ipynb"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "T",
            "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(cwd: Path, home: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=_env(home), check=True, capture_output=True,
                          text=True).stdout


def add_cell(path: Path, text: str) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "markdown", "id": f"new-{len(nb['cells'])}", "metadata": {}, "source": [text]})
    path.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.fixture
def course(tmp_path):
    """(upstream repo, learner clone, home) with the course's update script and two notebooks."""
    home = tmp_path / "home"
    home.mkdir()
    upstream = tmp_path / "upstream"
    for rel in ("tools/course.py", "helpers/socialized_loss/sync.py", ANSWERED, OPENED, ".gitignore"):
        (upstream / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, upstream / rel)
    git(upstream, home, "init", "-q", "-b", "main")
    git(upstream, home, "add", "-A")
    git(upstream, home, "commit", "-qm", "course v1")
    learner = tmp_path / "learner"
    git(tmp_path, home, "clone", "-q", str(upstream), str(learner))
    return upstream, learner, home


def learner_works(learner: Path) -> bytes:
    answered = learner / ANSWERED
    answered.write_text(answered.read_text(encoding="utf-8").replace("pass  # YOUR CODE HERE", "x = 42  # mine", 1),
                        encoding="utf-8")
    opened = learner / OPENED
    nb = json.loads(opened.read_text(encoding="utf-8"))
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.12.4", "mimetype": "text/x-python"}
    opened.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return answered.read_bytes()


def upstream_changes(upstream: Path, home: Path) -> None:
    add_cell(upstream / ANSWERED, "New in v2.")
    add_cell(upstream / OPENED, "Also new in v2.")
    git(upstream, home, "commit", "-qam", "course v2")


def run_update(learner: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "tools/course.py", "update"], cwd=learner, env=_env(home),
                          capture_output=True, text=True, timeout=120, check=False)


def test_update_keeps_an_edited_notebook_and_brings_the_new_course(course):
    upstream, learner, home = course
    mine = learner_works(learner)
    assert b"x = 42  # mine" in mine
    upstream_changes(upstream, home)
    proc = run_update(learner, home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    kept = list((learner / "my-work").glob(f"*/{ANSWERED}"))
    assert len(kept) == 1, f"expected one saved copy of {ANSWERED}, found {kept}"
    assert kept[0].read_bytes() == mine, "the saved copy must be the learner's notebook, byte for byte"
    assert str(kept[0].relative_to(learner)).replace(os.sep, "/") in proc.stdout, "the learner is told where it is"
    for rel in (ANSWERED, OPENED):
        assert (learner / rel).read_bytes() == (upstream / rel).read_bytes(), f"{rel} is not the new version"
    assert not list((learner / "my-work").glob(f"*/{OPENED}")), "a notebook only opened is not set aside"
    assert git(learner, home, "status", "--porcelain", "--untracked-files=no") == ""
    assert "my-work" not in git(learner, home, "status", "--porcelain"), "my-work/ must be ignored by git"


def test_update_with_nothing_edited_just_pulls(course):
    upstream, learner, home = course
    upstream_changes(upstream, home)
    proc = run_update(learner, home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (learner / "my-work").exists()
    assert (learner / ANSWERED).read_bytes() == (upstream / ANSWERED).read_bytes()


def test_update_refuses_when_the_learner_committed_and_changes_nothing(course):
    upstream, learner, home = course
    mine = learner_works(learner)
    git(learner, home, "commit", "-qam", "my answers")
    upstream_changes(upstream, home)
    git(learner, home, "fetch", "-q")
    proc = run_update(learner, home)
    assert proc.returncode == 2
    assert "commit(s) of your own" in proc.stderr
    assert (learner / ANSWERED).read_bytes() == mine
    assert not (learner / "my-work").exists()

"""Learner-safe sync checks: is the course *as committed* what its lessons build? Nothing here writes to the course.

A learner opens, runs, edits and saves notebooks; JupyterLab also saves kernel metadata, outputs and execution
counts. None of that may break ``make test`` or be touched by it. So:

- :func:`check_committed` builds the lessons *as committed* (``git archive HEAD``) and compares the result with the
  committed ``notebooks/``, ``solutions/`` and instructor guide, ignoring :func:`normalize_notebook` noise. Your
  working files are never read. Outside a git clone it falls back to the files on disk, leaving out notebooks whose
  cells no longer match the build's stamp (you edited them).
- :func:`write_pristine` builds fresh copies of every notebook into a scratch folder, for nbval to run.
- The maintainers' strict check (working tree == build, byte for byte) stays ``build.check_sync``
  (``make check-sync``, run in CI).
- :func:`normalize_notebook` also tells ``make update`` (tools/course.py) which notebooks hold a learner's work and
  which differ only by what JupyterLab saves on opening; this module imports only the standard library at the top so
  that script can load it before .venv exists.

Example (the noise JupyterLab adds when it opens a notebook is ignored):

>>> nb = {"cells": [], "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
>>> opened = {**nb, "metadata": {"language_info": {"name": "python", "version": "3.12.1"}}}
>>> normalize_notebook(opened) == normalize_notebook(nb)
True
"""
from __future__ import annotations

import copy
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

__all__ = [
    "NOTEBOOK_DIRS",
    "check_committed",
    "in_git_checkout",
    "main",
    "normalize_notebook",
    "normalize_text",
    "write_pristine",
]

NOTEBOOK_DIRS = ("notebooks", "solutions")
GUIDE = "lessons/instructor/guide.md"
# what a notebook's metadata may gain from being opened in JupyterLab or VS Code (never course content)
NOTEBOOK_NOISE = ("widgets", "vscode")
# cell metadata the build writes; everything else (execution timing, scrolled, collapsed, ...) is editor state
CELL_KEEP = ("tags", "editable", "deletable")


def _lines(text: str | list) -> list[str]:
    return text.splitlines(keepends=True) if isinstance(text, str) else list(text)


def normalize_notebook(nb: dict, *, keep_outputs: bool = False) -> dict:
    """A notebook (nbformat 4 JSON as a dict) without editor noise; a new dict, ``nb`` is not changed.

    Dropped: ``language_info`` except its ``name`` (the kernel fills in versions), saved widget state, VS Code's
    metadata, cell metadata other than tags/editable/deletable, and (unless ``keep_outputs``) outputs and
    execution counts. Sources are kept exactly (as lists of lines, as nbformat writes them).

    >>> cell = {"cell_type": "code", "id": "a", "metadata": {"scrolled": True}, "source": "x = 1\\nx",
    ...         "outputs": [{"output_type": "execute_result"}], "execution_count": 3}
    >>> normalize_notebook({"cells": [cell], "metadata": {}})["cells"][0]
    {'cell_type': 'code', 'id': 'a', 'metadata': {}, 'source': ['x = 1\\n', 'x'], 'outputs': [], 'execution_count': None}
    """
    out = copy.deepcopy(nb)
    meta = out.setdefault("metadata", {})
    for key in NOTEBOOK_NOISE:
        meta.pop(key, None)
    if isinstance(meta.get("language_info"), dict):
        meta["language_info"] = {k: v for k, v in meta["language_info"].items() if k == "name"}
    for cell in out.get("cells", []):
        cmeta = cell.get("metadata", {})
        cell["metadata"] = {k: v for k, v in cmeta.items() if k in CELL_KEEP}
        if "source" in cell:
            cell["source"] = _lines(cell["source"])
        if cell.get("cell_type") == "code" and not keep_outputs:
            cell["outputs"] = []
            cell["execution_count"] = None
    return out


def _dumps(nb: dict) -> str:
    """The bytes nbformat (and so JupyterLab) writes: one-space indent, sorted keys, UTF-8, final newline."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def normalize_text(text: str, *, keep_outputs: bool = False) -> str:
    """:func:`normalize_notebook` on a notebook's JSON text; raises ``ValueError`` when it is not a notebook."""
    nb = json.loads(text)
    if not isinstance(nb, dict) or "cells" not in nb:
        raise ValueError("not a Jupyter notebook (no 'cells')")
    return _dumps(normalize_notebook(nb, keep_outputs=keep_outputs))


# ------------------------------------------------------------------------------------------------ the learner gate


def in_git_checkout(root: Path) -> bool:
    """True when ``root`` is the top of a git work tree with at least one commit."""
    if shutil.which("git") is None:
        return False
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, check=False, capture_output=True, text=True)
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != Path(root).resolve():
        return False
    verify = ["git", "rev-parse", "--verify", "-q", "HEAD"]
    return subprocess.run(verify, cwd=root, check=False, capture_output=True).returncode == 0


def _export_head(root: Path, dest: Path) -> None:
    """Write the committed lessons/, notebooks/ and solutions/ (HEAD) under ``dest``."""
    proc = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD", "--", "lessons", *NOTEBOOK_DIRS],
        cwd=root, capture_output=True, check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+
            tar.extractall(dest, filter="data")
        else:
            tar.extractall(dest)


def _same_notebook(a: Path, b: Path) -> bool:
    try:
        return normalize_text(a.read_text(encoding="utf-8")) == normalize_text(b.read_text(encoding="utf-8"))
    except ValueError:
        return False


def _learner_edited(path: Path) -> bool:
    from socialized_loss import build

    return build._was_edited(path)


def check_committed(root: Path) -> list[str]:
    """Problems that make the committed notebooks differ from what the committed lessons build (empty = in sync).

    Outputs, execution counts, kernel versions and editor metadata are ignored; a learner's working files are never
    read in a git clone. The strict byte-for-byte check of the working tree is ``build.check_sync``.
    """
    from socialized_loss import build

    root = Path(root)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="course-sync-") as tmp:
        tmp_path = Path(tmp)
        git = in_git_checkout(root)
        if git:
            committed = tmp_path / "head"
            _export_head(root, committed)
        else:
            committed = root
        built = tmp_path / "built"
        try:
            build.build_all(committed, out=built)
        except build.BuildError as exc:
            return [f"the committed lessons do not build: {exc}"]
        where = "committed" if git else "on disk"
        for folder in NOTEBOOK_DIRS:
            expected = {p.name for p in (built / folder).glob("*.ipynb")}
            actual = {p.name for p in (committed / folder).glob("*.ipynb")}
            for name in sorted(expected - actual):
                problems.append(f"{folder}/{name} is not {where}: run `make notebooks` and commit it")
            if git:
                for name in sorted(actual - expected):
                    problems.append(f"{folder}/{name} is committed but no lesson in lessons/ builds it")
            for name in sorted(expected & actual):
                mine = committed / folder / name
                if not git and _learner_edited(mine):
                    continue  # your edits; a download without git history has nothing else to compare with
                if not _same_notebook(mine, built / folder / name):
                    problems.append(
                        f"{folder}/{name} ({where}) differs from what lessons/{Path(name).stem}.md builds: "
                        "edit the lesson, run `make notebooks`, commit both"
                    )
        guide_built, guide_committed = built / GUIDE, committed / GUIDE
        if not guide_committed.exists() or guide_committed.read_text(encoding="utf-8") != guide_built.read_text(
            encoding="utf-8"
        ):
            problems.append(f"{GUIDE} ({where}) is out of date: run `make notebooks` and commit it")
    return problems


def write_pristine(root: Path, dest: Path) -> list[Path]:
    """Build fresh notebooks/ and solutions/ from ``root``'s lessons into ``dest`` (emptied first) for nbval.

    Never writes inside ``root``'s own notebooks/, solutions/ or lessons/.
    """
    from socialized_loss import build

    root, dest = Path(root).resolve(), Path(dest).resolve()
    for folder in (*NOTEBOOK_DIRS, "lessons"):
        guarded = root / folder
        if dest == guarded or guarded in dest.parents or dest in guarded.parents or dest == root:
            raise ValueError(f"dest must be a scratch folder, not {dest} (it would overwrite {guarded})")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    return build.build_all(root, out=dest)


def main(argv: list[str] | None = None) -> int:
    """``check`` (the learner-safe gate) or ``pristine DEST`` (fresh notebooks for nbval)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["check"]:
        from socialized_loss import build

        problems = check_committed(build.find_root())
        for p in problems:
            print(p, file=sys.stderr)
        print("committed notebooks match the lessons" if not problems else f"{len(problems)} problem(s)")
        return 1 if problems else 0
    if argv[:1] == ["pristine"] and len(argv) == 2:
        from socialized_loss import build

        written = write_pristine(build.find_root(), Path(argv[1]))
        print(f"{len(written)} fresh file(s) in {argv[1]}")
        return 0
    print("usage: python -m socialized_loss.sync check | pristine DEST", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

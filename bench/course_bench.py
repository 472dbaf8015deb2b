"""Course execution vs its floor: the nbval run over every notebook, against as many trivial notebooks.

The floor notebooks do what every lesson must do before its first line of content: start a kernel and import the
course's stack (numpy, matplotlib, socialized_loss). They are written under ``bench/results/floor-notebooks/``
(git-ignored) so that the root ``conftest.py`` applies to both runs alike (strict checks, nbval output timeout,
the per-notebook time table this module reads back).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
FLOOR_DIR = ROOT / "bench" / "results" / "floor-notebooks"
FLOOR_SOURCE = "import numpy as np\nimport matplotlib.pyplot as plt\nimport socialized_loss as sl"
TARGET_RATIO = 2.0

_ROW = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+(\S+\.ipynb)(\s+FAILED)?\s*$")
_SUMMARY = re.compile(r"=+ (.*\b(?:passed|failed|error|errors)\b.*) in [\d.]+s")


def course_notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))


def write_floor(n: int, like: Path | None) -> list[Path]:
    """``n`` one-cell notebooks (the imports), with the course notebooks' kernelspec."""
    shutil.rmtree(FLOOR_DIR, ignore_errors=True)
    FLOOR_DIR.mkdir(parents=True)
    meta = nbformat.read(like, as_version=4).metadata if like else {}
    out = []
    for i in range(n):
        nb = nbformat.v4.new_notebook(metadata=dict(meta))
        nb.cells = [nbformat.v4.new_code_cell(FLOOR_SOURCE)]
        p = FLOOR_DIR / f"floor-{i:02d}.ipynb"
        nbformat.write(nb, p)
        out.append(p)
    return out


def nbval(paths: list[str], jobs: int) -> dict[str, Any]:
    """Run the course's nbval command on ``paths``; wall time, outcome and the per-notebook table."""
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
           "-n", str(jobs), "--dist", "loadfile", *paths]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    per_nb, summary = {}, ""
    in_table = False
    for line in proc.stdout.splitlines():
        if "per-notebook time" in line:
            in_table = True
            continue
        m = _ROW.match(line)
        if in_table and m:
            per_nb[m.group(2)] = {"seconds": float(m.group(1)), "failed": bool(m.group(3))}
        s = _SUMMARY.search(line)
        if s:
            summary = s.group(1)
    return {"command": " ".join(cmd[1:]), "wall_s": wall, "returncode": proc.returncode, "summary": summary,
            "per_notebook": per_nb, "tail": proc.stdout[-2000:] if proc.returncode else ""}


def run(jobs: int = 2) -> dict[str, Any]:
    nbs = course_notebooks()
    floor = write_floor(len(nbs), nbs[0] if nbs else None)
    floor_run = nbval([str(p.relative_to(ROOT)) for p in floor], jobs)
    course_run = nbval(["notebooks", "solutions"], jobs)
    floor_times = sorted(v["seconds"] for v in floor_run["per_notebook"].values())
    floor_nb = floor_times[len(floor_times) // 2] if floor_times else float("nan")
    ratio = course_run["wall_s"] / floor_run["wall_s"] if floor_run["wall_s"] else float("nan")
    slowest = max(course_run["per_notebook"].items(), key=lambda kv: kv[1]["seconds"], default=(None, None))[0]
    return {
        "n_notebooks": len(nbs),
        "jobs": jobs,
        "course": course_run,
        "floor": floor_run,
        "floor_per_notebook_median_s": floor_nb,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "slowest": slowest,
    }


def print_table(r: dict[str, Any]) -> None:
    c, f = r["course"], r["floor"]
    print(f"{'run':<34}{'wall s':>9}  outcome")
    print(f"{'course (notebooks/ + solutions/)':<34}{c['wall_s']:>9.1f}  {c['summary'] or 'rc ' + str(c['returncode'])}")
    print(f"{'floor (' + str(r['n_notebooks']) + ' trivial notebooks)':<34}{f['wall_s']:>9.1f}  "
          f"{f['summary'] or 'rc ' + str(f['returncode'])}")
    ok = "ok" if r["ratio"] <= r["target_ratio"] else "MISS"
    print(f"ratio course / floor: {r['ratio']:.2f}× (target ≤ {r['target_ratio']:.1f}×) {ok}   "
          f"[-n {r['jobs']} --dist loadfile]")
    fl = r["floor_per_notebook_median_s"]
    print(f"\nper notebook (cells executed, s; floor notebook median {fl:.2f} s):")
    for path, v in sorted(c["per_notebook"].items(), key=lambda kv: -kv[1]["seconds"]):
        flag = "  FAILED" if v["failed"] else ""
        print(f"{v['seconds']:7.2f}  {v['seconds'] / fl if fl else float('nan'):6.1f}× floor  {path}{flag}")
    if r["slowest"]:
        print(f"slowest: {r['slowest']}")
    if c["returncode"]:
        print(f"(course run exit code {c['returncode']}; last output:)\n{c['tail']}")

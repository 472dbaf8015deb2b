"""Course execution vs its floor: the nbval run over every notebook, against as many trivial notebooks.

The two runs are PAIRED and repeated: each of ``REPEAT`` pairs runs the floor and the course back to back (the order
alternates from pair to pair, so a load that drifts does not favour one side), and the ratio is taken within each
pair. Reported: min / median / max over the pairs of the ratio by wall clock and by CPU time (user + system of the
whole run: pytest, its workers and every kernel, from ``getrusage(RUSAGE_CHILDREN)``; a machine busy with other work
inflates wall time, much less CPU time), with the load average before and after.

The floor notebooks do what every lesson must do before its first line of content: start a kernel and import the
course's stack (numpy, matplotlib, socialized_loss). They are written under ``bench/results/floor-notebooks/``
(git-ignored) so that the root ``conftest.py`` applies to both runs alike (strict checks, nbval output timeout,
the per-notebook time table this module reads back).
"""
from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
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
REPEAT = 3  # pairs (floor, course)

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
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
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
    return {"command": " ".join(cmd[1:]), "wall_s": wall, "cpu_s": cpu, "returncode": proc.returncode, "summary": summary,
            "per_notebook": per_nb, "tail": proc.stdout[-2000:] if proc.returncode else ""}


def _spread(xs: list[float]) -> dict[str, float]:
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs)}


def run(jobs: int = 2, repeat: int = REPEAT) -> dict[str, Any]:
    nbs = course_notebooks()
    floor = write_floor(len(nbs), nbs[0] if nbs else None)
    floor_paths = [str(p.relative_to(ROOT)) for p in floor]
    load_before = os.getloadavg()
    pairs = []
    for k in range(repeat):
        if k % 2 == 0:
            floor_run = nbval(floor_paths, jobs)
            course_run = nbval(["notebooks", "solutions"], jobs)
        else:
            course_run = nbval(["notebooks", "solutions"], jobs)
            floor_run = nbval(floor_paths, jobs)
        pairs.append({"floor": floor_run, "course": course_run, "load_after": os.getloadavg(),
                      "ratio_wall": course_run["wall_s"] / floor_run["wall_s"],
                      "ratio_cpu": course_run["cpu_s"] / floor_run["cpu_s"] if floor_run["cpu_s"] else float("nan")})
    course_run, floor_run = pairs[-1]["course"], pairs[-1]["floor"]
    floor_times = sorted(v["seconds"] for v in floor_run["per_notebook"].values())
    floor_nb = floor_times[len(floor_times) // 2] if floor_times else float("nan")
    slowest = max(course_run["per_notebook"].items(), key=lambda kv: kv[1]["seconds"], default=(None, None))[0]
    return {
        "n_notebooks": len(nbs),
        "jobs": jobs,
        "repeat": repeat,
        "pairs": pairs,
        "course": course_run,
        "floor": floor_run,
        "floor_per_notebook_median_s": floor_nb,
        "ratio_wall": _spread([p["ratio_wall"] for p in pairs]),
        "ratio_cpu": _spread([p["ratio_cpu"] for p in pairs]),
        "ratio": statistics.median(p["ratio_cpu"] for p in pairs),
        "target_ratio": TARGET_RATIO,
        "slowest": slowest,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


def print_table(r: dict[str, Any]) -> None:
    print(f"{r['repeat']} pairs (floor and course back to back, order alternating); CPU = user + system time of the "
          f"whole run (pytest, workers, kernels); load average {r['load_before'][0]:.1f} → {r['load_after'][0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"{'pair':<6}{'course wall s':>14}{'floor wall s':>13}{'ratio wall':>11}{'course CPU s':>13}"
          f"{'floor CPU s':>12}{'ratio CPU':>10}{'load after':>11}  outcome")
    for k, p in enumerate(r["pairs"], 1):
        c, f = p["course"], p["floor"]
        outcome = c["summary"] or f"rc {c['returncode']}"
        if f["returncode"]:
            outcome += f"; floor rc {f['returncode']}"
        print(f"{k:<6}{c['wall_s']:>14.1f}{f['wall_s']:>13.1f}{p['ratio_wall']:>10.2f}×{c['cpu_s']:>13.1f}"
              f"{f['cpu_s']:>12.1f}{p['ratio_cpu']:>9.2f}×{p['load_after'][0]:>11.1f}  {outcome}")
    w, cp = r["ratio_wall"], r["ratio_cpu"]
    ok = "ok" if cp["median"] <= r["target_ratio"] else "MISS"
    print(f"ratio course / floor, min / median / max: CPU {cp['min']:.2f} / {cp['median']:.2f} / {cp['max']:.2f}×, "
          f"wall {w['min']:.2f} / {w['median']:.2f} / {w['max']:.2f}× (target ≤ {r['target_ratio']:.1f}× by CPU "
          f"median) {ok}   [{r['n_notebooks']} notebooks, -n {r['jobs']} --dist loadfile]")
    c = r["course"]
    fl = r["floor_per_notebook_median_s"]
    print(f"\nper notebook, last pair (cells executed, s; floor notebook median {fl:.2f} s):")
    for path, v in sorted(c["per_notebook"].items(), key=lambda kv: -kv[1]["seconds"]):
        flag = "  FAILED" if v["failed"] else ""
        print(f"{v['seconds']:7.2f}  {v['seconds'] / fl if fl else float('nan'):6.1f}× floor  {path}{flag}")
    if r["slowest"]:
        print(f"slowest: {r['slowest']}")
    if c["returncode"]:
        print(f"(course run exit code {c['returncode']}; last output:)\n{c['tail']}")

"""The course's benchmarks (``make bench``): figures and ratios, not tests; they gate nothing.

1. course   the nbval run over notebooks/ + solutions/ against as many trivial notebooks, in repeated paired runs,
            CPU and wall time (target ≤ 2.0× the floor)
2. widgets  one control change in each explorer, kernel side: recompute + redraw + PNG (leaves out the browser:
            its floor, 15-30 ms on a quiet machine, is in 2b)
2b. browser the same explorers in JupyterLab in headless Chromium (1366 × 768, file browser open): a scripted drag
            and single changes; control event → new image decoded (target median ≤ 50 ms, p95 ≤ 100 ms)
3. engine   the Monte Carlo simulators (bench/engine.py): equivalent trader-steps/s, the ratio to the reference
            loop, identity on every path
4. memory   peak resident memory of the kernel for each notebook (target ≤ 300 MB); the simulator's time and peak
            memory as the workload grows (target < 1 GB at 100× the standard traders)

Extra, on request: ``timings``, wall-clock figures of interactive calls and of ``import socialized_loss``
(bench/timings.py; they used to be timed assertions in tests/).

Each table is printed, and everything is saved as JSON in ``bench/results/bench-<timestamp>.json`` (git-ignored).
Usage: ``python bench/run.py [--only course,widgets,browser,engine,memory,timings] [--changes 30] [--jobs 2]``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

SECTIONS = ("course", "widgets", "browser", "engine", "memory")
EXTRA = ("timings",)


def banner(title: str) -> None:
    print(f"\n{'=' * 100}\n{title}\n{'=' * 100}", flush=True)


def machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
            "loadavg": load}
    try:
        import matplotlib
        import numpy

        info |= {"numpy": numpy.__version__, "matplotlib": matplotlib.__version__}
    except ImportError:
        pass
    return info


def load_warning() -> str:
    if not hasattr(os, "getloadavg"):
        return ""
    one, _, _ = os.getloadavg()
    cpus = os.cpu_count() or 1
    if one > cpus:
        return (f"note: load average {one:.1f} on {cpus} CPUs: other work is running, wall-clock figures are "
                f"inflated (the widget table also gives CPU time)")
    return ""


# ---------------------------------------------------------------------------------------------------- sections
def section_course(args) -> dict:
    import course_bench as course

    banner("1. Course execution vs its floor (nbval, whole run; paired and repeated, CPU and wall time)")
    r = course.run(jobs=args.jobs)
    course.print_table(r)
    return r


def section_widgets(args) -> dict:
    import widget_bench as widgets

    banner(f"2. Widget response, kernel side: {args.changes} control changes per explorer, headless "
           "(leaves out the browser: its floor, 15-30 ms on a quiet machine, is in table 2b)")
    r = widgets.run(args.changes)
    widgets.print_table(r)
    return r


def section_browser(args) -> dict:
    import browser_bench as browser

    banner("2b. Widget response in the browser: JupyterLab in headless Chromium, control event → image decoded")
    one, five, fifteen = os.getloadavg()
    print(f"load average now: {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)")
    r = browser.run()
    browser.print_table(r)
    return r


def section_engine(args) -> dict:
    banner("3. Monte Carlo engine (bench/engine.py)")
    script = HERE / "engine.py"
    if not script.exists():
        print("pending: bench/engine.py is not there yet")
        return {"status": "pending"}
    out_json = RESULTS / "engine.json"
    before = out_json.stat().st_mtime if out_json.exists() else None
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(script)], check=False, cwd=ROOT, text=True, capture_output=True)
    secs = time.perf_counter() - t0
    print(proc.stdout.rstrip())
    if proc.returncode:
        print(f"engine benchmark failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
        return {"status": "failed", "returncode": proc.returncode, "stderr": proc.stderr[-2000:], "seconds": secs}
    result = {"status": "ok", "seconds": secs, "stdout": proc.stdout}
    if out_json.exists() and out_json.stat().st_mtime != before:
        result["engine"] = json.loads(out_json.read_text())
    return result


def section_memory(args) -> dict:
    import memory_bench as memory

    banner("4. Memory: peak resident memory of the kernel, per notebook (nbclient, fresh kernel each)")
    r = memory.run(jobs=args.jobs)
    memory.print_table(r)
    return r


def section_timings(args) -> dict:
    import timings

    banner("Extra: wall-clock timings of interactive calls and of the package import (median of 5)")
    r = timings.run()
    timings.print_table(r)
    return r


RUNNERS = {"course": section_course, "widgets": section_widgets, "browser": section_browser, "engine": section_engine,
           "memory": section_memory, "timings": section_timings}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help=f"comma-separated sections: {', '.join(SECTIONS + EXTRA)} (default: the five tables)")
    ap.add_argument("--changes", type=int, default=30, help="control changes per explorer (≥ 20)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel kernels for the course and memory runs")
    args = ap.parse_args(argv)
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in RUNNERS]
    if unknown:
        ap.error(f"unknown section(s) {unknown}; choose from {list(RUNNERS)}")

    report = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "machine": machine(), "sections": {}}
    if w := load_warning():
        print(w)
    t0 = time.perf_counter()
    for name in wanted:
        t = time.perf_counter()
        try:
            report["sections"][name] = RUNNERS[name](args)
        except Exception as exc:  # noqa: BLE001  (one broken section must not hide the others)
            traceback.print_exc()
            report["sections"][name] = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        report["sections"][name]["section_seconds"] = time.perf_counter() - t
    report["seconds"] = time.perf_counter() - t0
    report["machine"]["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None

    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nsaved {path.relative_to(ROOT)} ({report['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Wall-clock figures that used to be assertions in tests/ (a timed test fails on a loaded machine and proves little).

Each row times one call the course makes interactively, median of a few repeats, against the target it should
meet on an idle laptop; nothing gates on them. Also: how long ``import socialized_loss`` takes in a fresh
interpreter and whether it pulls in ipywidgets or matplotlib (it should not: they load on first use).

Usage: ``python bench/timings.py`` (or ``python bench/run.py --only timings``).
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

IMPORT_PROBE = (
    "import sys, time; t = time.perf_counter(); import socialized_loss; "
    "print(time.perf_counter() - t, 'ipywidgets' in sys.modules, 'matplotlib' in sys.modules)"
)


def _median_seconds(fn: Callable[[], object], repeats: int = 5) -> float:
    fn()  # warm up (imports, caches)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def import_time(repeats: int = 5) -> dict:
    """Seconds for ``import socialized_loss`` in a fresh interpreter (median), and what it loaded."""
    runs = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True, check=True)
        secs, widgets, mpl = out.stdout.split()
        runs.append((float(secs), widgets == "True", mpl == "True"))
    return {"seconds": statistics.median(r[0] for r in runs), "loads_ipywidgets": any(r[1] for r in runs),
            "loads_matplotlib": any(r[2] for r in runs)}


def run() -> dict:
    import socialized_loss as sl

    book = sl.make_book(200, {3: 1, 10: 1, 25: 1, 50: 1}, seed=0)
    cases = {
        "fund_monte_carlo, 2,000 paths × 365 days": (lambda: sl.fund_monte_carlo(5e6, 0.1, 2.0, n_paths=2000, seed=1),
                                                     0.2),
        "cascade, 200 accounts, 10 % crash": (lambda: sl.cascade(book, 0.1, 1e5), 0.05),
        "stress_state (the stress explorer's update)": (lambda: sl.stress.stress_state("contracts_pro_rata"), 0.5),
        "mechanism_table (lesson 08, 7 rules + Sybil)": (lambda: sl.comparison.mechanism_table("lesson"), 0.1),
        "adl_queue_state (lesson 05, BitMEX)": (lambda: sl.deleveraging.adl_queue_state(35.0, "bitmex"), 0.05),
    }
    rows = {name: {"seconds": _median_seconds(fn), "target": target} for name, (fn, target) in cases.items()}
    return {"import": import_time(), "calls": rows}


def print_table(r: dict) -> None:
    imp = r["import"]
    print(f"import socialized_loss: {imp['seconds']:.3f} s (loads ipywidgets: {imp['loads_ipywidgets']}, "
          f"matplotlib: {imp['loads_matplotlib']})")
    print(f"{'call':<48}{'median s':>10}{'target s':>10}{'ratio':>8}")
    for name, row in r["calls"].items():
        print(f"{name:<48}{row['seconds']:>10.3f}{row['target']:>10.3f}{row['seconds'] / row['target']:>8.2f}")


if __name__ == "__main__":
    print_table(run())

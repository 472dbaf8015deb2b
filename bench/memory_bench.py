"""Peak resident memory of the kernel for each notebook (Binder gives 1-2 GB; target ≤ 300 MB each).

Each notebook is executed top to bottom with nbclient in a fresh kernel (errors allowed, so an unanswered student
exercise does not stop it), with one extra last cell that reads the kernel's own peak RSS (``VmHWM`` in
``/proc/self/status``, and ``ru_maxrss``). The kernel's environment has no ``MPLBACKEND``, so figures are rendered
inline as for a learner. A one-cell notebook with the imports only gives the floor.

Second table: the simulator (``sl.simulate``) as its workload grows. Each workload runs in a fresh Python process,
which reports its wall and CPU time and its peak resident memory (``VmHWM``) before and after the run; the standard
workload is 1,000 traders × 1,000 steps × 200 paths (target: < 1 GB peak at 100× the standard traders, a Binder has
1-2 GB). The vectorised engine runs the paths in chunks so that its working memory stays near
``simulate.CHUNK_BYTES``; what is left is the result itself (16 bytes per path × trader, 72 per path × step).
Standalone: ``python bench/memory_bench.py simulator``.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 300.0
KERNEL_LOG = ROOT / "bench" / "results" / "memory-kernels.log"
PROBE = """\
import json as _json, resource as _resource
_status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
print("SL_MEMORY " + _json.dumps({
    "hwm_kb": int(_status["VmHWM"].split()[0]),
    "rss_kb": int(_status["VmRSS"].split()[0]),
    "maxrss_kb": _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def _probe_output(nb) -> dict[str, Any] | None:
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if "SL_MEMORY " in text:
            return json.loads(text.split("SL_MEMORY ", 1)[1].splitlines()[0])
    return None


async def _measure(path: Path | None, sem: asyncio.Semaphore, timeout_s: int) -> dict[str, Any]:
    from nbclient import NotebookClient

    if path is None:
        nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
        nb.cells = [nbformat.v4.new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\n"
                                              "import socialized_loss as sl")]
        cwd = ROOT / "notebooks"
    else:
        nb = nbformat.read(path, as_version=4)
        cwd = path.parent
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    async with sem:
        client = NotebookClient(nb, timeout=timeout_s, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(cwd)}})
        t0 = time.perf_counter()
        try:  # the kernels' own stderr (ipykernel's "running over TCP" warning, logs) goes to a file, not the table
            with open(KERNEL_LOG, "ab") as log:  # noqa: ASYNC230  (a log file, opened once per notebook)
                await client.async_execute(stderr=log)
        except Exception as exc:  # noqa: BLE001  (reported, the bench goes on)
            return {"error": f"{type(exc).__name__}: {exc}"[:300], "seconds": time.perf_counter() - t0}
        secs = time.perf_counter() - t0
    errors = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                 if o.get("output_type") == "error")
    mem = _probe_output(nb)
    if mem is None:
        return {"error": "the memory probe cell printed nothing", "seconds": secs}
    return {**mem, "peak_mb": mem["hwm_kb"] / 1024, "end_mb": mem["rss_kb"] / 1024, "seconds": secs,
            "error_cells": errors}


async def _run_all(paths: list[Path | None], jobs: int, timeout_s: int) -> list[dict[str, Any]]:
    sem = asyncio.Semaphore(jobs)
    return await asyncio.gather(*[_measure(p, sem, timeout_s) for p in paths])


SIM_TARGET_MB = 1024.0
SIM_STANDARD = (1000, 1000, 200)  # traders, steps, paths
#: (label, traders, steps, paths, chunk_paths or None for the default)
SIM_WORKLOADS = (
    ("standard", 1000, 1000, 200, None),
    ("10× traders", 10_000, 1000, 200, None),
    ("10× traders, one chunk", 10_000, 1000, 200, 200),
    ("100× traders", 100_000, 1000, 200, None),
    ("10× steps", 1000, 10_000, 200, None),
    ("10× paths", 1000, 1000, 2000, None),
)
SIM_PROBE = """\
import json, resource, sys, time
import numpy as np
from socialized_loss.simulate import _chunk_paths, _inputs, simulate
n, T, P, chunk = json.loads(sys.argv[1])
pop, prices = _inputs(n, T, P, 0, None, None, None)
hwm = lambda: int(dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines())["VmHWM"].split()[0])
before = hwm()
w, c = time.perf_counter(), time.process_time()
r = simulate(population=pop, prices=prices, mechanism="clawback", chunk_paths=chunk)
w, c = time.perf_counter() - w, time.process_time() - c
res = sum(a.nbytes for a in vars(r).values() if isinstance(a, np.ndarray))
print(json.dumps(dict(wall_s=w, cpu_s=c, hwm_before_kb=before, hwm_kb=hwm(), result_bytes=res,
                      chunk_paths=chunk or _chunk_paths(n, T), liquidations=int(r.n_liquidated.sum()))))
"""


def simulator_scaling(workloads=SIM_WORKLOADS) -> dict[str, Any]:
    """Time and peak memory of ``simulate`` per workload, each in a fresh process (see the module docstring)."""
    rows = []
    load_before = os.getloadavg()
    for label, n, T, P, chunk in workloads:
        proc = subprocess.run([sys.executable, "-c", SIM_PROBE, json.dumps([n, T, P, chunk])], cwd=ROOT,
                              capture_output=True, text=True, check=False)
        row = {"label": label, "traders": n, "steps": T, "paths": P}
        if proc.returncode:
            row["error"] = proc.stderr[-500:]
        else:
            row |= json.loads(proc.stdout.strip().splitlines()[-1])
            row["peak_mb"] = row["hwm_kb"] / 1024
            row["before_mb"] = row["hwm_before_kb"] / 1024
        rows.append(row)
    return {"rows": rows, "target_mb": SIM_TARGET_MB, "standard": SIM_STANDARD, "load_before": load_before,
            "load_after": os.getloadavg()}


def print_simulator_table(r: dict[str, Any]) -> None:
    n0, T0, P0 = r["standard"]
    std = next((x for x in r["rows"] if "error" not in x and (x["traders"], x["steps"], x["paths"]) == (n0, T0, P0)),
               None)
    print(f"simulate(): each workload in a fresh process; standard {n0:,} traders × {T0:,} steps × {P0} paths; "
          f"load average {r['load_before'][0]:.1f} → {r['load_after'][0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'workload':<24}{'traders':>9}{'steps':>8}{'paths':>7}{'chunk':>7}{'wall s':>8}{'CPU s':>7}"
          f"{'× std CPU':>10}{'peak MB':>9}{'run +MB':>9}{'result MB':>10}  target < {r['target_mb']:.0f} MB")
    for x in r["rows"]:
        head = f"{x['label']:<24}{x['traders']:>9,}{x['steps']:>8,}{x['paths']:>7,}"
        if "error" in x:
            print(f"{head}  ERROR {x['error'][-200:]}")
            continue
        grow = x["cpu_s"] / std["cpu_s"] if std and std["cpu_s"] else float("nan")
        ok = "ok" if x["peak_mb"] < r["target_mb"] else "MISS"
        print(f"{head}{x['chunk_paths']:>7}{x['wall_s']:>8.2f}{x['cpu_s']:>7.2f}{grow:>9.1f}×{x['peak_mb']:>9.0f}"
              f"{x['peak_mb'] - x['before_mb']:>9.0f}{x['result_bytes'] / 2**20:>10.0f}  {ok}")
    print("peak MB: the process's VmHWM (Python, numpy, inputs, run and result); run +MB: its rise during the run")


def run(jobs: int = 2, timeout_s: int = 600) -> dict[str, Any]:
    os.environ.pop("MPLBACKEND", None)  # kernels inherit the environment: let ipykernel pick the inline backend
    nbs = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
    KERNEL_LOG.parent.mkdir(parents=True, exist_ok=True)
    KERNEL_LOG.write_bytes(b"")
    results = asyncio.run(_run_all([None, *nbs], jobs, timeout_s))
    floor, rows = results[0], results[1:]
    return {
        "simulator": simulator_scaling(),
        "floor": floor,
        "notebooks": {str(p.relative_to(ROOT)): r for p, r in zip(nbs, rows, strict=True)},
        "target_mb": TARGET_MB,
        "jobs": jobs,
    }


def print_table(r: dict[str, Any]) -> None:
    if "simulator" in r:
        print_simulator_table(r["simulator"])
        print()
    fl = r["floor"]
    print(f"{'peak MB':>8}{'end MB':>8}{'secs':>7}{'errors':>7}  notebook   (target ≤ {r['target_mb']:.0f} MB peak)")
    if "peak_mb" in fl:
        print(f"{fl['peak_mb']:>8.0f}{fl['end_mb']:>8.0f}{fl['seconds']:>7.1f}{'':>7}  (floor: kernel + imports)")
    worst = None
    for path, v in sorted(r["notebooks"].items(), key=lambda kv: -kv[1].get("peak_mb", 1e9)):
        if "error" in v:
            print(f"{'':>8}{'':>8}{v['seconds']:>7.1f}{'':>7}  {path}  ERROR {v['error']}")
            continue
        worst = worst or (path, v["peak_mb"])
        ok = "ok" if v["peak_mb"] <= r["target_mb"] else "MISS"
        err = str(v["error_cells"]) if v["error_cells"] else ""
        print(f"{v['peak_mb']:>8.0f}{v['end_mb']:>8.0f}{v['seconds']:>7.1f}{err:>7}  {path}  {ok}")
    if worst:
        print(f"largest: {worst[0]} at {worst[1]:.0f} MB (VmHWM of the kernel process)")


if __name__ == "__main__":
    if sys.argv[1:] == ["simulator"]:
        print_simulator_table(simulator_scaling())
    else:
        print_table(run())

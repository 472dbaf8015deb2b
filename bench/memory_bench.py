"""Peak resident memory of the kernel for each notebook (Binder gives 1-2 GB; target ≤ 300 MB each).

Each notebook is executed top to bottom with nbclient in a fresh kernel (errors allowed, so an unanswered student
exercise does not stop it), with one extra last cell that reads the kernel's own peak RSS (``VmHWM`` in
``/proc/self/status``, and ``ru_maxrss``). The kernel's environment has no ``MPLBACKEND``, so figures are rendered
inline as for a learner. A one-cell notebook with the imports only gives the floor.
"""
from __future__ import annotations

import asyncio
import json
import os
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
            with open(KERNEL_LOG, "ab") as log:
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


def run(jobs: int = 2, timeout_s: int = 600) -> dict[str, Any]:
    os.environ.pop("MPLBACKEND", None)  # kernels inherit the environment: let ipykernel pick the inline backend
    nbs = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "solutions").glob("*.ipynb"))
    KERNEL_LOG.parent.mkdir(parents=True, exist_ok=True)
    KERNEL_LOG.write_bytes(b"")
    results = asyncio.run(_run_all([None, *nbs], jobs, timeout_s))
    floor, rows = results[0], results[1:]
    return {
        "floor": floor,
        "notebooks": {str(p.relative_to(ROOT)): r for p, r in zip(nbs, rows, strict=True)},
        "target_mb": TARGET_MB,
        "jobs": jobs,
    }


def print_table(r: dict[str, Any]) -> None:
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

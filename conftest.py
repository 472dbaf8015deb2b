"""Test-suite wiring shared by the unit tests and the nbval notebook run.

- Strict checks: a wrong answer in a *solutions* notebook must fail the run, so checks raise in tests.
- nbval's fixed 5-second wait for a cell's output is raised (a known CI flake: nbval issues #151 and #231).
- A per-notebook time table is printed at the end of every run that executed notebooks.
"""
from __future__ import annotations

import os
import time
from collections import defaultdict

os.environ["SOCIALIZED_LOSS_STRICT"] = "1"  # inherited by the kernels nbval starts
import matplotlib  # noqa: E402

matplotlib.use("Agg")  # this process only: the kernels nbval starts keep ipykernel's inline backend and draw figures

NBVAL_OUTPUT_TIMEOUT = 60  # seconds

_durations: dict[str, float] = defaultdict(float)
_failed: set[str] = set()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if hasattr(item, "output_timeout"):
            item.output_timeout = NBVAL_OUTPUT_TIMEOUT


def _is_notebook(nodeid: str) -> bool:
    return ".ipynb::" in nodeid


def pytest_runtest_logreport(report):
    # runs on the controller under xdist too, so the table covers every worker
    if _is_notebook(report.nodeid):
        path = report.nodeid.split("::")[0]
        _durations[path] += report.duration
        if report.failed:
            _failed.add(path)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _durations:
        return
    tr = terminalreporter
    tr.section("per-notebook time (cells executed, seconds)")
    total = 0.0
    for path, secs in sorted(_durations.items(), key=lambda kv: -kv[1]):
        total += secs
        flag = "  FAILED" if path in _failed else ""
        tr.write_line(f"{secs:7.1f}  {path}{flag}")
    tr.write_line(f"{total:7.1f}  total over {len(_durations)} notebooks")

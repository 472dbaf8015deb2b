"""Idle work: an explorer may compute, while the learner is not moving a control, what the next moves will ask for
(``assemble(idle=...)``). It must never change what is shown, must stop at the next change, and must run by itself
only inside an event loop (as in a Jupyter kernel)."""
from __future__ import annotations

import asyncio

import numpy as np
import pytest

from socialized_loss import stress, widgets
from socialized_loss.widgets._base import IDLE_DELAY_S, assemble, new_figure, slider


def _recording_explorer(calls: list, fail_at: int | None = None):
    def update(values):
        return dict(values), f"x = {values['x']}"

    def idle(values):
        for k in range(3):
            def task(k=k):
                if k == fail_at:
                    raise RuntimeError("a state the learner has not reached yet fails")
                calls.append((values["x"], k))
            yield task

    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 1])
    return assemble({"x": slider("x", 1.0, 0.0, 2.0, 0.5, "")}, fig, update,
                    lambda st: line.set_ydata([0, st["x"]]), idle=idle)


def test_without_an_event_loop_idle_work_waits_for_run_idle():
    calls: list = []
    ex = _recording_explorer(calls)
    assert calls == []  # nothing runs by itself in a script or a test
    png = ex.image.value
    assert ex.run_idle() == 3 and calls == [(1.0, 0), (1.0, 1), (1.0, 2)]
    assert ex.image.value == png and ex.state["x"] == 1.0  # never touches the picture
    assert ex.run_idle() == 0  # done until the next change
    ex.controls["x"].value = 1.5
    assert ex.run_idle() == 3 and calls[-1] == (1.5, 2)


def test_a_failing_idle_task_stops_the_rest_quietly():
    calls: list = []
    ex = _recording_explorer(calls, fail_at=1)
    assert ex.run_idle() == 1 and calls == [(1.0, 0)]


def test_in_an_event_loop_idle_work_runs_after_a_pause_and_stops_at_a_change():
    calls: list = []

    async def main():
        ex = _recording_explorer(calls)  # built inside the loop, like a kernel's cell
        await asyncio.sleep(IDLE_DELAY_S / 3)
        assert calls == []  # not before the pause
        ex.controls["x"].value = 1.5  # a change in between: the work for 1.0 is dropped
        await asyncio.sleep(IDLE_DELAY_S / 3)
        ex.controls["x"].value = 2.0
        await asyncio.sleep(IDLE_DELAY_S + 0.5)
        return ex

    ex = asyncio.run(main())
    assert calls == [(2.0, 0), (2.0, 1), (2.0, 2)]
    assert ex.state["x"] == 2.0


@pytest.mark.parametrize("mechanism", ["clawback", "none"])
def test_after_idle_work_a_drag_of_the_jump_size_runs_no_new_simulation(mechanism):
    ex = widgets.stress_explorer()
    ex.controls["mechanism"].value = mechanism
    assert ex.run_idle() == 30  # every other jump size on the slider
    misses = stress._run.cache_info().misses
    c = ex.controls["jump_size"]
    for value in [*np.arange(c.min, c.max + c.step / 2, c.step)][::-1]:
        ex.controls["jump_size"].value = float(value)
        fresh = stress.stress_state(mechanism=mechanism, jump_size=float(value))
        assert np.array_equal(ex.state["beyond_fund"], fresh["beyond_fund"])
    assert stress._run.cache_info().misses == misses

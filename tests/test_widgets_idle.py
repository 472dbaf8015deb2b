"""Idle work: while the learner is not moving a control, an explorer gets its main slider's other states ready
(computed, their backgrounds drawn and kept). It must never change what is shown, must stop at the next change, must
run by itself only inside an event loop (as in a Jupyter kernel), and must make a later drag cheaper, not different.
"""
from __future__ import annotations

import asyncio

import ipywidgets as W
import numpy as np
import pytest

from socialized_loss import stress, widgets
from socialized_loss.widgets._base import IDLE_DELAY_S, _idle_values, assemble, new_figure, slider

EXPLORERS = sorted(name for name in widgets.__all__ if name.endswith("_explorer"))


def _recording_explorer(calls: list, fail_at: float | None = None):
    """One slider x in 0…2 (step 0.5) whose update records every value it is asked for."""

    def update(values):
        calls.append(values["x"])
        if values["x"] == fail_at:
            raise RuntimeError("a state the learner has not reached yet fails")
        return dict(values), f"x = {values['x']}"

    fig, ax = new_figure()
    ax.set_xlim(0, 1)
    (line,) = ax.plot([0, 1], [0, 1])

    def draw(st):
        line.set_ydata([0, st["x"]])
        ax.set_ylim(0, 1 if st["x"] <= 1 else 2)  # two backgrounds over the range

    ex = assemble({"x": slider("x", 1.0, 0.0, 2.0, 0.5, "")}, fig, update, draw)
    calls.clear()  # what building asked for (the layout probe, the first picture)
    return ex


def test_the_states_got_ready_are_the_main_sliders_others_nearest_first():
    c = {"n": W.IntSlider(value=3, min=0, max=5), "x": slider("x", 1.0, 0.0, 2.0, 0.5, "")}
    assert [v["n"] for v in _idle_values(c, {"n": 3, "x": 1.0})] == [2, 4, 1, 5, 0]
    assert all(v["x"] == 1.0 for v in _idle_values(c, {"n": 3, "x": 1.0}))
    many = {"x": slider("x", 0.0, 0.0, 100.0, 0.01, "")}
    got = [v["x"] for v in _idle_values(many, {"x": 0.0}, most=11)]
    assert len(got) == 10 and got[0] == 10.0 and got[-1] == 100.0  # spread over the range
    assert _idle_values({"d": W.Dropdown(options=["a", "b"])}, {"d": "a"}) == []


def test_without_an_event_loop_idle_work_waits_for_run_idle():
    calls: list = []
    ex = _recording_explorer(calls)
    assert calls == []  # nothing runs by itself in a script or a test
    png, state = ex.image.value, dict(ex.state)
    assert ex.run_idle() == 4 and calls == [0.5, 1.5, 0.0, 2.0]
    assert ex.image.value == png and ex.state == state  # never touches what is shown
    assert ex.render_fresh() == png  # and the picture's artists are put back
    assert ex.run_idle() == 0  # done until the next change
    ex.controls["x"].value = 1.5
    calls.clear()
    assert ex.run_idle() == 4 and calls == [1.0, 2.0, 0.5, 0.0]


def test_a_failing_state_ahead_stops_the_idle_work_quietly_and_puts_the_picture_back():
    calls: list = []
    ex = _recording_explorer(calls, fail_at=1.5)
    assert ex.run_idle() == 1 and calls == [0.5, 1.5]
    assert ex.render_fresh() == ex.image.value
    with pytest.raises(RuntimeError, match="not reached yet"):
        ex.controls["x"].value = 1.5  # the learner meets it there


def test_in_an_event_loop_idle_work_runs_after_a_pause_and_stops_at_a_change():
    calls: list = []

    async def main():
        ex = _recording_explorer(calls)  # built inside the loop, like a kernel's cell
        await asyncio.sleep(IDLE_DELAY_S / 3)
        assert calls == []  # not before the pause
        ex.controls["x"].value = 0.5  # a change in between: the work for 1.0 is dropped
        await asyncio.sleep(IDLE_DELAY_S / 3)
        ex.controls["x"].value = 2.0
        calls.clear()
        assert ex.idle_pending()
        await asyncio.sleep(IDLE_DELAY_S + 0.5)
        assert not ex.idle_pending()  # done
        return ex

    ex = asyncio.run(main())
    assert calls == [1.5, 1.0, 0.5, 0.0]
    assert ex.state["x"] == 2.0 and ex.render_fresh() == ex.image.value


@pytest.mark.parametrize("name", EXPLORERS)
def test_after_idle_work_a_drag_of_the_main_slider_draws_no_background(name):
    ex = getattr(widgets, name)()
    other = next((k for k, c in list(ex.controls.items())[1:] if isinstance(c, W.Dropdown)), None)
    if other is not None:  # away from the defaults: the work follows what is shown
        ex.controls[other].value = ex.controls[other].options[-1][1] if isinstance(
            ex.controls[other].options[-1], tuple) else ex.controls[other].options[-1]
    values = {k: c.value for k, c in ex.controls.items()}
    ahead = _idle_values(ex.controls, values)
    assert ex.run_idle() == len(ahead) > 0
    main = next(k for k in values if ahead[0][k] != values[k])
    n0 = len(ex.timings)
    drag = sorted(ahead, key=lambda v: v[main])[:: max(1, len(ahead) // 20)]  # end to end, ~20 places
    for v in [*drag, values, *drag[::-1]]:
        ex.controls[main].value = v[main]
        assert ex.image.value == ex.render_fresh(), f"{name} {main}={v[main]!r}"
    frames = list(ex.timings)[n0:]
    assert not any(t["full"] or t["partial"] for t in frames), name


@pytest.mark.parametrize("mechanism", ["clawback", "none"])
def test_after_idle_work_a_drag_of_the_jump_size_runs_no_new_simulation(mechanism):
    ex = widgets.stress_explorer()
    ex.controls["mechanism"].value = mechanism
    assert ex.run_idle() == 30  # every other jump size on the slider
    misses = stress._run.cache_info().misses
    c = ex.controls["jump_size"]
    for value in [*np.arange(c.min, c.max + c.step / 2, c.step)][::-1]:
        ex.controls["jump_size"].value = float(value) * (1 + 2e-16)  # a browser's drag sends 2.5000000000000004
        assert ex.state["jump_size"] == float(value)  # the explorer works on the slider's own steps
        fresh = stress.stress_state(mechanism=mechanism, jump_size=float(value))
        assert np.array_equal(ex.state["beyond_fund"], fresh["beyond_fund"])
    assert stress._run.cache_info().misses == misses


def test_idle_work_waits_while_another_explorer_is_being_moved():
    calls_a: list = []
    calls_b: list = []

    async def main():
        a = _recording_explorer(calls_a)
        b = _recording_explorer(calls_b)
        for k in range(6):  # b is dragged for longer than a's pause
            await asyncio.sleep(IDLE_DELAY_S / 2)
            b.controls["x"].value = [0.5, 1.0][k % 2]
            assert calls_a == [], k  # a's work waits for the kernel to be idle
        calls_b.clear()
        await asyncio.sleep(IDLE_DELAY_S + 0.5)
        return a

    assert asyncio.run(main()).state["x"] == 1.0
    assert calls_a == [0.5, 1.5, 0.0, 2.0] and calls_b == [0.5, 1.5, 0.0, 2.0]

"""Widget response: how long one control change takes in each explorer, headless (no browser, no kernel).

A change is what a learner's slider move costs in the kernel: ``control.value = v`` runs the explorer's observer,
which recomputes (``update``), redraws the artists in place (``draw``) and renders the figure to PNG
(``render_png``). The three parts are timed separately by wrapping them:

- ``render_png`` is looked up in ``widgets._base`` at call time, so replacing it there wraps every explorer;
- ``assemble`` is looked up in each widget module at build time, so replacing the module's name wraps the
  ``update`` and ``draw`` callables the builder passes in.

Nothing here edits the package: the wrappers live in this process only. Explorers are discovered (every
``*_explorer`` in ``socialized_loss.widgets.__all__``), so new lessons' widgets are timed with no change here.
"""
from __future__ import annotations

import io
import statistics
import sys
import time
from contextlib import contextmanager
from typing import Any, Callable

TARGET_MEDIAN_S = 0.050
TARGET_P95_S = 0.100


def percentile(xs: list[float], q: float) -> float:
    """The q-quantile (0..1) with linear interpolation (numpy's default), without numpy."""
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = (len(s) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def discover() -> dict[str, tuple[Callable[[], Any], Any]]:
    """``{explorer name: (builder, its module)}`` for every ``*_explorer`` the widgets package exports."""
    import socialized_loss.widgets as w

    out = {}
    for name in w.__all__:
        if name.endswith("_explorer"):
            fn = getattr(w, name)
            out[name] = (fn, sys.modules[fn.__module__])
    return out


class Timers:
    def __init__(self) -> None:
        self.update = self.draw = self.png = 0.0

    def reset(self) -> None:
        self.update = self.draw = self.png = 0.0


@contextmanager
def instrumented(modules, render_png: Callable | None = None):
    """Wrap ``update``/``draw``/``render_png`` with timers (optionally swap the PNG renderer); restore after."""
    from socialized_loss.widgets import _base

    timers = Timers()
    orig_render, orig_assemble = _base.render_png, _base.assemble
    renderer = render_png or orig_render

    def timed_render(fig, *args, **kwargs):
        t = time.perf_counter()
        try:
            return renderer(fig, *args, **kwargs)
        finally:
            timers.png += time.perf_counter() - t

    def timed_assemble(controls, figure, update, draw, *args, **kwargs):
        def t_update(values):
            t = time.perf_counter()
            try:
                return update(values)
            finally:
                timers.update += time.perf_counter() - t

        def t_draw(state):
            t = time.perf_counter()
            try:
                return draw(state)
            finally:
                timers.draw += time.perf_counter() - t

        return orig_assemble(controls, figure, t_update, t_draw, *args, **kwargs)

    patched = [m for m in modules if getattr(m, "assemble", None) is orig_assemble]
    _base.render_png = timed_render
    for m in patched:
        m.assemble = timed_assemble
    try:
        yield timers
    finally:
        _base.render_png = orig_render
        for m in patched:
            m.assemble = orig_assemble


def change_plan(controls: dict[str, Any], n: int) -> list[tuple[str, Any]]:
    """``n`` control changes, round-robin over the controls, each sweeping its range (sliders: evenly spaced values
    snapped to the step, there and back; dropdowns/toggles: every option in turn)."""
    import ipywidgets as W

    per_control: dict[str, list[Any]] = {}
    k = max(2, -(-n // max(1, len(controls))) + 1)
    for name, c in controls.items():
        if isinstance(c, W.widgets.widget_selection._Selection):
            vals = [("index", i) for i in range(len(c.options))]
            start = c.index
            vals = vals[start + 1:] + vals[: start + 1]  # begin with a real change
        elif hasattr(c, "min") and hasattr(c, "max"):
            lo, hi = c.min, c.max
            if isinstance(c, W.FloatLogSlider):
                lo, hi = c.base ** c.min, c.base ** c.max
                vals = [("value", lo * (hi / lo) ** (i / (k - 1))) for i in range(k)]
            else:
                vals = [("value", lo + (hi - lo) * i / (k - 1)) for i in range(k)]
                if isinstance(c, W.IntSlider):
                    vals = [("value", int(round(v))) for _, v in vals]
        else:
            continue
        per_control[name] = vals
    plan, i = [], 0
    names = list(per_control)
    cursors = dict.fromkeys(names, 0)
    while names and len(plan) < n:
        name = names[i % len(names)]
        vals = per_control[name]
        plan.append((name, vals[cursors[name] % len(vals)]))
        cursors[name] += 1
        i += 1
    return plan


def time_explorer(builder: Callable[[], Any], timers: Timers, n_changes: int) -> dict[str, Any]:
    """Build one explorer and time ``n_changes`` control changes (only changes that really fire count)."""
    t = time.perf_counter()
    ex = builder()
    build_s = time.perf_counter() - t
    totals, cpus, updates, draws, pngs, sizes = [], [], [], [], [], []
    for name, (attr, value) in change_plan(ex.controls, n_changes * 2):
        if len(totals) >= n_changes:
            break
        c = ex.controls[name]
        before = c.index if attr == "index" else c.value
        timers.reset()
        c0, t = time.process_time(), time.perf_counter()
        setattr(c, attr, value)
        dt, dc = time.perf_counter() - t, time.process_time() - c0
        after = c.index if attr == "index" else c.value
        if after == before or timers.png == 0.0:  # a no-op (value already there, or clamped): nothing redrawn
            continue
        totals.append(dt)
        cpus.append(dc)
        updates.append(timers.update)
        draws.append(timers.draw)
        pngs.append(timers.png)
        sizes.append(len(ex.image.value))
    return {
        "build_s": build_s,
        "n": len(totals),
        "controls": list(ex.controls),
        "median_s": statistics.median(totals) if totals else float("nan"),
        "p95_s": percentile(totals, 0.95),
        "max_s": max(totals, default=float("nan")),
        "cpu_median_s": statistics.median(cpus) if cpus else float("nan"),
        "cpu_p95_s": percentile(cpus, 0.95),
        "update_median_s": statistics.median(updates) if updates else float("nan"),
        "draw_median_s": statistics.median(draws) if draws else float("nan"),
        "png_median_s": statistics.median(pngs) if pngs else float("nan"),
        "png_kb_median": statistics.median(sizes) / 1024 if sizes else float("nan"),
        "dpi": _dpi_of(ex),
        "figsize": list(ex.figure.get_size_inches()),
        "layout": type(ex.figure.get_layout_engine()).__name__ if ex.figure.get_layout_engine() else "none",
        "totals_s": totals,
    }


def _dpi_of(ex) -> float | None:
    try:
        from PIL import Image

        img = Image.open(io.BytesIO(ex.image.value))
        return round(img.size[0] / ex.figure.get_size_inches()[0], 1)
    except Exception:  # noqa: BLE001  (reporting only)
        return None


def reference_render(n: int = 20, render_png: Callable | None = None) -> dict[str, float]:
    """A machine yardstick: one plain line chart (one axes, course style, 7.5×4.2 in) rendered to PNG at 90 dpi,
    the way ``render_png`` does it now (savefig). Explorer times read relative to this."""
    import numpy as np
    from socialized_loss.widgets import _base

    render = render_png or _base.render_png
    fig, ax = _base.new_figure()
    x = np.linspace(0, 1, 201)
    (line,) = ax.plot(x, x, label="a line")
    ax.set_xlabel("x (unit)")
    ax.set_ylabel("y (unit)")
    ax.set_title("yardstick")
    ax.legend()
    render(fig)
    if hasattr(_base, "freeze_layout"):  # as assemble does
        _base.freeze_layout(fig)
    walls, cpus = [], []
    for k in range(n):
        line.set_ydata(x ** (1 + k % 5))
        c0, t0 = time.process_time(), time.perf_counter()
        render(fig)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return {"median_s": statistics.median(walls), "cpu_median_s": statistics.median(cpus)}


def verdict(r: dict[str, Any]) -> str:
    """ok/MISS against the targets, on wall-clock time and on CPU time (what an unloaded machine would see)."""
    def one(med: float, p95: float) -> str:
        misses = [x for x, ok in (("median", med <= TARGET_MEDIAN_S), ("p95", p95 <= TARGET_P95_S)) if not ok]
        return "ok" if not misses else "MISS " + "+".join(misses)

    return f"wall {one(r['median_s'], r['p95_s'])}; cpu {one(r['cpu_median_s'], r['cpu_p95_s'])}"


def run(n_changes: int = 30, only: list[str] | None = None, render_png: Callable | None = None) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    found = discover()
    if only:
        found = {k: v for k, v in found.items() if k in only}
    modules = {m for _, m in found.values()}
    results = {"(yardstick: one-line chart)": {"reference": reference_render(render_png=render_png)}}
    with instrumented(modules, render_png) as timers:
        for name, (builder, _mod) in sorted(found.items()):
            try:
                results[name] = time_explorer(builder, timers, n_changes)
            except Exception as exc:  # noqa: BLE001  (a broken widget is reported, the bench goes on)
                results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def print_table(results: dict[str, Any]) -> None:
    print(f"{'explorer':<24}{'n':>4}{'median':>9}{'p95':>8}{'max':>8}{'cpu med':>8}{'cpu p95':>8}"
          f"{'update':>8}{'draw':>7}{'png':>7}"
          f"{'png KB':>8}{'dpi':>5}  verdict (targets: median ≤ 50 ms, p95 ≤ 100 ms)")
    for name, r in results.items():
        if "reference" in r:
            ref = r["reference"]
            print(f"{name:<28}{ref['median_s'] * 1e3:>9.1f}{'':>16}{ref['cpu_median_s'] * 1e3:>8.1f}"
                  "   (machine yardstick, render_png only)")
            continue
        if "error" in r:
            print(f"{name:<24}  ERROR {r['error']}")
            continue
        ms = lambda x: f"{x * 1e3:.1f}"  # noqa: E731
        print(f"{name:<24}{r['n']:>4}{ms(r['median_s']):>9}{ms(r['p95_s']):>8}{ms(r['max_s']):>8}"
              f"{ms(r['cpu_median_s']):>8}{ms(r['cpu_p95_s']):>8}{ms(r['update_median_s']):>8}{ms(r['draw_median_s']):>7}{ms(r['png_median_s']):>7}"
              f"{r['png_kb_median']:>8.0f}{(r['dpi'] or 0):>5.0f}  {verdict(r)}")
    print("(ms per control change, wall clock; cpu = this process's CPU time, which a loaded machine does not "
          "inflate; update = recompute, draw = artists in place, png = render_png: layout + Agg draw + PNG encode; "
          "median of each part)")

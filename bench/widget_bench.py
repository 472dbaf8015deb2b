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
        self.reset()

    def reset(self) -> None:
        self.update = self.draw = self.png = 0.0
        self.full_draws = 0  # BlitRenderer: times the static background had to be drawn again


@contextmanager
def instrumented(modules, render: Callable | None = None):
    """Time ``update``/``draw`` and the PNG rendering; optionally replace how a figure becomes PNG bytes
    (``render(fig) -> bytes``, used for the first picture and every redraw). Everything is restored after.

    The PNG step is whichever the package uses: ``_base.render_png`` (looked up at call time) and, when the package
    has one, ``_base.BlitRenderer.render`` (the blitting renderer, patched on the class in this process only).
    """
    from socialized_loss.widgets import _base

    timers = Timers()
    orig_render, orig_assemble = _base.render_png, _base.assemble
    blit = getattr(_base, "BlitRenderer", None)
    orig_blit = blit.render if blit is not None else None

    def timed_render(fig, *args, **kwargs):
        t = time.perf_counter()
        try:
            return render(fig) if render else orig_render(fig, *args, **kwargs)
        finally:
            timers.png += time.perf_counter() - t

    def timed_blit(self):
        t, before = time.perf_counter(), self.full_draws
        try:
            return render(self.fig) if render else orig_blit(self)
        finally:
            timers.png += time.perf_counter() - t
            timers.full_draws += self.full_draws - before

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
    if blit is not None:
        blit.render = timed_blit
    for m in patched:
        m.assemble = timed_assemble
    try:
        yield timers
    finally:
        _base.render_png = orig_render
        if blit is not None:
            blit.render = orig_blit
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


def drag_plan(controls: dict[str, Any], n: int) -> list[tuple[str, Any]]:
    """``n`` one-step moves of the first slider from where it starts (a learner dragging it), bouncing at the ends."""
    import ipywidgets as W

    for name, c in controls.items():
        if isinstance(c, (W.FloatSlider, W.IntSlider)):
            v, step, plan, direction = c.value, c.step, [], 1
            for _ in range(n):
                if not c.min <= v + direction * step <= c.max:
                    direction = -direction
                v = v + direction * step
                plan.append((name, ("value", v)))
            return plan
    return []


def _time_changes(ex, plan, timers: Timers, n_changes: int) -> dict[str, list]:
    out = {k: [] for k in ("total", "cpu", "update", "draw", "png", "size", "full")}
    for name, (attr, value) in plan:
        if len(out["total"]) >= n_changes:
            break
        c = ex.controls[name]
        before = c.index if attr == "index" else c.value
        timers.reset()
        c0, t = time.process_time(), time.perf_counter()
        setattr(c, attr, value)
        dt, dc = time.perf_counter() - t, time.process_time() - c0
        after = c.index if attr == "index" else c.value
        if after == before or timers.update == 0.0:  # a no-op (value already there, or clamped): nothing ran
            continue
        for k, x in (("total", dt), ("cpu", dc), ("update", timers.update), ("draw", timers.draw),
                     ("png", timers.png), ("size", len(ex.image.value)), ("full", timers.full_draws > 0)):
            out[k].append(x)
    return out


def time_explorer(builder: Callable[[], Any], timers: Timers, n_changes: int) -> dict[str, Any]:
    """Build one explorer and time ``n_changes`` control changes (only changes that really fire count)."""
    t = time.perf_counter()
    ex = builder()
    build_s = time.perf_counter() - t
    sweep = _time_changes(ex, change_plan(ex.controls, n_changes * 2), timers, n_changes)
    drag = _time_changes(ex, drag_plan(ex.controls, n_changes * 2), timers, n_changes)
    totals, cpus, updates, draws, pngs, sizes = (sweep[k] for k in ("total", "cpu", "update", "draw", "png", "size"))
    fulls = sum(sweep["full"])
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
        "full_redraw_share": fulls / len(totals) if totals else float("nan"),
        "png_kb_median": statistics.median(sizes) / 1024 if sizes else float("nan"),
        "dpi": _dpi_of(ex),
        "figsize": list(ex.figure.get_size_inches()),
        "layout": type(ex.figure.get_layout_engine()).__name__ if ex.figure.get_layout_engine() else "none",
        "totals_s": totals,
        "drag": {
            "control": drag_plan(ex.controls, 1)[0][0] if drag["total"] else None,
            "n": len(drag["total"]),
            "median_s": statistics.median(drag["total"]) if drag["total"] else float("nan"),
            "p95_s": percentile(drag["total"], 0.95),
            "cpu_median_s": statistics.median(drag["cpu"]) if drag["cpu"] else float("nan"),
            "cpu_p95_s": percentile(drag["cpu"], 0.95),
            "full_redraw_share": sum(drag["full"]) / len(drag["total"]) if drag["total"] else float("nan"),
            "totals_s": drag["total"],
        },
    }


def _dpi_of(ex) -> float | None:
    try:
        from PIL import Image

        img = Image.open(io.BytesIO(ex.image.value))
        return round(img.size[0] / ex.figure.get_size_inches()[0], 1)
    except Exception:  # noqa: BLE001  (reporting only)
        return None


def reference_render(n: int = 20, render_png: Callable | None = None) -> dict[str, float]:
    """A machine yardstick: one plain line chart (one axes, course style, 7.5×4.2 in) fully redrawn to PNG by
    ``_base.render_png`` (no blitting). Explorer times read relative to this."""
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
    """ok/MISS against the targets (wall clock), for the sweep and for the drag."""
    def one(x: dict[str, Any]) -> str:
        if not x.get("n"):
            return "-"
        misses = [k for k, ok in (("median", x["median_s"] <= TARGET_MEDIAN_S), ("p95", x["p95_s"] <= TARGET_P95_S))
                  if not ok]
        return "ok" if not misses else "MISS " + "+".join(misses)

    return f"{one(r)} | {one(r['drag'])}"


def run(n_changes: int = 30, only: list[str] | None = None, render_png: Callable | None = None) -> dict[str, Any]:
    """Time every explorer; ``render_png`` (fig → bytes) replaces the package's PNG step for an experiment."""
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
    ms = lambda x: f"{x * 1e3:.0f}"  # noqa: E731
    print("sweep = every control in turn, jumping across its range (limits and ticks move: the worst case);")
    print("drag  = the first slider moved one step at a time (what a learner's drag sends). ms per change.")
    print(f"{'':<24}{'---------------- sweep ----------------':>46}{'----------- drag -----------':>32}")
    print(f"{'explorer':<24}{'n':>4}{'median':>8}{'p95':>6}{'cpu':>6}{'update':>7}{'draw':>6}{'png':>6}{'full':>6}"
          f"{'n':>5}{'median':>8}{'p95':>6}{'cpu':>6}{'full':>6}  {'KB':>4}  verdict: median ≤ 50, p95 ≤ 100 ms")
    for name, r in results.items():
        if "reference" in r:
            ref = r["reference"]
            print(f"{name:<28}{ms(ref['median_s']):>8}{'':>6}{ms(ref['cpu_median_s']):>6}"
                  "   (machine yardstick: a one-line chart fully redrawn by render_png)")
            continue
        if "error" in r:
            print(f"{name:<24}  ERROR {r['error']}")
            continue
        d = r["drag"]
        drag = (f"{d['n']:>5}{ms(d['median_s']):>8}{ms(d['p95_s']):>6}{ms(d['cpu_median_s']):>6}"
                f"{d['full_redraw_share'] * 100:>5.0f}%") if d["n"] else f"{'(no slider)':>31}"
        print(f"{name:<24}{r['n']:>4}{ms(r['median_s']):>8}{ms(r['p95_s']):>6}{ms(r['cpu_median_s']):>6}"
              f"{ms(r['update_median_s']):>7}{ms(r['draw_median_s']):>6}{ms(r['png_median_s']):>6}"
              f"{r['full_redraw_share'] * 100:>5.0f}%{drag}  {r['png_kb_median']:>4.0f}  {verdict(r)}")
    print("(wall clock unless 'cpu' = this process's CPU time, which a loaded machine does not inflate; update = "
          "recompute, draw = artists in place, png = figure → PNG bytes (Agg draw or blit, and encode); full = share "
          "of changes that redrew the static background; KB = PNG size; verdict on sweep | drag, wall clock)")

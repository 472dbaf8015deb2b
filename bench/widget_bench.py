"""Widget response, kernel side: how long one control change takes in each explorer, headless (no browser).

A change is what a learner's slider move costs in the kernel: ``control.value = v`` runs the explorer's observer,
which recomputes (``update``), redraws the artists in place (``draw``), paints the frame (Agg) and encodes it as PNG.
Each explorer records that split itself (``Explorer.timings``), so nothing is patched here. These figures leave out
the browser (transport, decode, paint: the floor of ``browser_bench.py``, 15-30 ms on a quiet machine).
Explorers are discovered (every ``*_explorer`` in ``socialized_loss.widgets.__all__``).
"""
from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

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
                    vals = [("value", round(v)) for _, v in vals]
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


def _time_changes(ex, plan, n_changes: int) -> dict[str, list]:
    """Apply ``plan`` until ``n_changes`` changes really fired; per change: wall and CPU time of the whole observer
    call, and the explorer's own split (``Explorer.timings``: compute, artists, Agg draw, encode, full redraw)."""
    out = {k: [] for k in ("total", "cpu", "update", "draw", "png", "encode", "size", "full")}
    for name, (attr, value) in plan:
        if len(out["total"]) >= n_changes:
            break
        c = ex.controls[name]
        n_before = len(ex.timings)
        c0, t = time.process_time(), time.perf_counter()
        setattr(c, attr, value)
        dt, dc = time.perf_counter() - t, time.process_time() - c0
        if len(ex.timings) == n_before:  # a no-op (value already there, or clamped): nothing ran
            continue
        last = ex.timings[-1]
        for k, x in (("total", dt), ("cpu", dc), ("update", last["compute"]), ("draw", last["artists"]),
                     ("png", last["draw"] + last["encode"]), ("encode", last["encode"]),
                     ("size", len(ex.image.value)), ("full", last["full"])):
            out[k].append(x)
    return out


def time_explorer(builder: Callable[[], Any], n_changes: int) -> dict[str, Any]:
    """Build one explorer and time ``n_changes`` control changes (only changes that really fire count)."""
    t = time.perf_counter()
    ex = builder()
    build_s = time.perf_counter() - t
    sweep = _time_changes(ex, change_plan(ex.controls, n_changes * 2), n_changes)
    drag = _time_changes(ex, drag_plan(ex.controls, n_changes * 2), n_changes)
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
        "encode_median_s": statistics.median(sweep["encode"]) if sweep["encode"] else float("nan"),
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


def reference_render(n: int = 20) -> dict[str, float]:
    """A machine yardstick: one plain line chart (one axes, course style, 7.5×4.2 in) fully redrawn to PNG by
    ``_base.render_png`` (no reuse, layout frozen). Explorer times read relative to this."""
    import numpy as np

    from socialized_loss.widgets import _base

    fig, ax = _base.new_figure()
    x = np.linspace(0, 1, 201)
    (line,) = ax.plot(x, x, label="a line")
    ax.set_xlabel("x (unit)")
    ax.set_ylabel("y (unit)")
    ax.set_title("yardstick")
    ax.legend()
    _base.render_png(fig)
    fig.set_layout_engine("none")
    walls, cpus = [], []
    for k in range(n):
        line.set_ydata(x ** (1 + k % 5))
        c0, t0 = time.process_time(), time.perf_counter()
        _base.render_png(fig)
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


def run(n_changes: int = 30, only: list[str] | None = None) -> dict[str, Any]:
    """Time every explorer (or those named in ``only``)."""
    import matplotlib

    matplotlib.use("Agg")
    found = discover()
    if only:
        found = {k: v for k, v in found.items() if k in only}
    results = {"(yardstick: one-line chart)": {"reference": reference_render()}}
    for name, (builder, _mod) in sorted(found.items()):
        try:
            results[name] = time_explorer(builder, n_changes)
        except Exception as exc:  # noqa: BLE001  (a broken widget is reported, the bench goes on)
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def print_table(results: dict[str, Any]) -> None:
    ms = lambda x: f"{x * 1e3:.0f}"
    print("KERNEL SIDE ONLY: these figures leave out the browser (transport, image decode and paint: its floor, 15-30 ms")
    print("more per change); the browser table below measures what a learner sees.")
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
          "recompute, draw = artists in place, png = figure → PNG bytes (Agg background and/or foreground, and encode); full = share "
          "of changes that redrew the static background; KB = PNG size; verdict on sweep | drag, wall clock)")

"""Never stale: every explorer, driven through the range of every control, shows exactly what a full redraw of the
same state shows (pixel for pixel), and its labels stay inside the picture.

The explorers reuse a drawn background between frames (``widgets._base.BlitRenderer``); these tests are what makes
that safe: any cached picture that leaves something out (a legend entry, a title, a tick label) shows up here as a
pixel difference. Explorers are discovered, so a new lesson's explorer is covered with no change here.
"""
from __future__ import annotations

import io

import ipywidgets as W
import numpy as np
import pytest
from PIL import Image

from socialized_loss import widgets

EXPLORERS = sorted(name for name in widgets.__all__ if name.endswith("_explorer"))


def _values(c: W.Widget, n: int) -> list:
    """Up to ``n`` values across a control's range: sliders end to end and back, choices every option."""
    if isinstance(c, W.widgets.widget_selection._Selection):
        values = list(c._options_values)
        start = values.index(c.value)
        return values[start + 1:] + values[: start + 1]
    if isinstance(c, (W.FloatSlider, W.IntSlider, W.FloatLogSlider)):
        lo, hi = c.min, c.max
        grid = np.linspace(lo, hi, n)
        if isinstance(c, W.FloatLogSlider):
            grid = c.base ** grid
        if isinstance(c, W.IntSlider):
            grid = np.unique(np.round(grid).astype(int))
        seq = [*grid[::-1], *grid[1:]]  # high end first: limits grow, then shrink back
        return [int(x) if isinstance(c, W.IntSlider) else float(x) for x in seq]
    return []


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _assert_same(ex, where: str, tmp_path) -> None:
    shown = ex.image.value
    fresh = ex.render_fresh()
    if shown == fresh:
        return
    a, b = _decode(shown), _decode(fresh)
    if a.shape == b.shape and np.array_equal(a, b):
        return
    stem = tmp_path / where.replace(" ", "_").replace("/", "_")
    (stem.with_suffix(".shown.png")).write_bytes(shown)
    (stem.with_suffix(".fresh.png")).write_bytes(fresh)
    diff = int(np.any(a != b, axis=2).sum()) if a.shape == b.shape else -1
    pytest.fail(f"{where}: the picture shown differs from a full redraw of the same state "
                f"({diff} pixels differ; both saved under {tmp_path})")


def _texts_inside(ex, where: str) -> None:
    fig = ex.figure
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        parts = [("x axis", ax.xaxis.get_tightbbox(renderer)), ("y axis", ax.yaxis.get_tightbbox(renderer))]
        if ax.title.get_visible() and ax.title.get_text():
            parts.append((repr(ax.title.get_text()), ax.title.get_window_extent(renderer)))
        for what, bb in parts:
            if bb is None:
                continue
            assert bb.x0 >= box.x0 - 1 and bb.x1 <= box.x1 + 1 and bb.y0 >= box.y0 - 1 and bb.y1 <= box.y1 + 1, (
                f"{where}: {what} ({ax.get_title() or 'axes'}) is cut by the picture's edge ({bb} vs {box})")


def _ticks_distinct(ex, where: str) -> None:
    """Two ticks of one axis never read the same (ticks 200 USD apart labelled in thousands as 0, 0, 1 would)."""
    for ax in ex.figure.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            locs = [x for x in axis.get_majorticklocs() if lo - 1e-9 * abs(hi - lo) <= x <= hi + 1e-9 * abs(hi - lo)]
            labels = [t for t in axis.major.formatter.format_ticks(locs) if t.strip()]
            assert len(set(labels)) == len(labels), (
                f"{where}: the {axis.axis_name} axis of {ax.get_title() or 'a panel'!r} repeats a tick label: {labels}")


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_frame_is_a_full_redraw(name, tmp_path):
    ex = getattr(widgets, name)()
    _assert_same(ex, f"{name} first picture", tmp_path)
    names = list(ex.controls)
    for cname in names:
        for value in _values(ex.controls[cname], 6):
            ex.controls[cname].value = value
            _assert_same(ex, f"{name} {cname}={value!r}", tmp_path)
            _texts_inside(ex, f"{name} {cname}={value!r}")
            _ticks_distinct(ex, f"{name} {cname}={value!r}")
    # the first control again, after every other control moved (the background may have changed under it)
    for value in _values(ex.controls[names[0]], 5):
        ex.controls[names[0]].value = value
        _assert_same(ex, f"{name} {names[0]}={value!r} (again)", tmp_path)


def test_mechanisms_split_shown_is_the_split_set():
    """The bug that started this: the legend said "splits into 2" while the slider said 6."""
    ex = widgets.mechanisms_explorer()
    for k in (2, 3, 6):
        ex.controls["pieces"].value = k
        shown = [t.get_text() for t in ex.figure.axes[0].texts]
        assert f"hatched: after {ex.state['split']} splits into {k}" in shown, shown
        assert ex.image.value == ex.render_fresh()


@pytest.mark.parametrize("name", EXPLORERS)
def test_text_cache_draws_what_agg_draws(name):
    """The explorers' canvas remembers glyph bitmaps (``_base.TextCachingCanvas``): after frames that filled that
    memory, a full draw through it gives exactly the pixels of matplotlib's own Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from socialized_loss.widgets._base import TextCachingCanvas

    ex = getattr(widgets, name)()
    fig = ex.figure
    assert isinstance(fig.canvas, TextCachingCanvas)
    first = next(iter(ex.controls))
    for value in _values(ex.controls[first], 4)[:4]:
        ex.controls[first].value = value
        cached = _decode(ex.render_fresh())
        canvas = fig.canvas
        try:
            FigureCanvasAgg(fig)
            plain = _decode(ex.render_fresh())
        finally:
            fig.set_canvas(canvas)
        assert np.array_equal(cached, plain), f"{name} {first}={value!r}: {int(np.any(cached != plain, axis=2).sum())} px"


@pytest.mark.parametrize("name", ["cascade_explorer", "stress_explorer", "vault_explorer"])
def test_a_drag_that_redraws_one_panel_shows_a_full_redraw(name, tmp_path):
    """A drag whose limits step in one panel redraws only that panel's background (``BlitRenderer._redraw_axes``);
    every such frame must still be pixel for pixel a full redraw, and the drag must really take that path."""
    ex = getattr(widgets, name)()
    first = next(k for k, c in ex.controls.items() if isinstance(c, (W.FloatSlider, W.IntSlider, W.FloatLogSlider)))
    for value in _values(ex.controls[first], 31):
        ex.controls[first].value = value
        _assert_same(ex, f"{name} {first}={value!r}", tmp_path)
    assert sum(t["partial"] for t in ex.timings) >= 3, [t["full"] for t in ex.timings]


@pytest.mark.parametrize("name", ["cascade_explorer", "stress_explorer", "vault_explorer", "fund_explorer"])
def test_a_drag_back_over_shown_limits_puts_back_the_same_background(name, tmp_path):
    """A background drawn for a signature is kept (``BlitRenderer`` keeps the last dozen) and put back when the
    signature comes round again: dragging back over limits already shown draws no axes, and every such frame must
    still be pixel for pixel a full redraw."""
    ex = getattr(widgets, name)()
    first = next(k for k, c in ex.controls.items() if isinstance(c, (W.FloatSlider, W.IntSlider, W.FloatLogSlider)))
    values = _values(ex.controls[first], 31)
    n0 = len(ex.timings)
    for value in [*values, *values[1:]]:  # there, back, and there again
        ex.controls[first].value = value
        _assert_same(ex, f"{name} {first}={value!r}", tmp_path)
    frames = list(ex.timings)[n0:]
    redrawn = sum(t["full"] or t["partial"] for t in frames)
    reused = sum(t["reused"] for t in frames)
    assert reused >= 2 and reused >= redrawn, (name, redrawn, reused)


@pytest.mark.parametrize("name", EXPLORERS)
def test_a_drag_of_the_main_slider_never_solves_the_layout_again(name):
    """The layout is solved once, when the explorer is built, for the widest tick labels its controls produce
    (``_base._solve_layout_for_extremes``): dragging the first slider end to end and back keeps every panel where it
    was (a new layout would cost one 170-190 ms frame in the middle of the drag)."""
    ex = getattr(widgets, name)()
    sliders = [k for k, c in ex.controls.items() if isinstance(c, (W.FloatSlider, W.IntSlider, W.FloatLogSlider))]
    assert sliders, f"{name} has no slider to drag"
    before = [tuple(ax.get_position().bounds) for ax in ex.figure.axes]
    for value in _values(ex.controls[sliders[0]], 31):
        ex.controls[sliders[0]].value = value
        assert [tuple(ax.get_position().bounds) for ax in ex.figure.axes] == before, f"{name} {sliders[0]}={value!r}"


def test_an_explorer_that_fails_away_from_its_defaults_still_builds_and_fails_when_moved():
    """The layout probe calls update and draw at made-up values; a failure there must not stop the explorer from
    being built (it shows its defaults), and must still surface when a learner moves the control."""
    from socialized_loss.widgets._base import assemble, new_figure, slider

    def update(values):
        if values["x"] != 1.0:
            raise RuntimeError("fails away from the default")
        return dict(values), "ok"

    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 1])
    ex = assemble({"x": slider("x", 1.0, 0.0, 2.0, 0.1, "")}, fig, update, lambda st: line.set_ydata([0, st["x"]]))
    assert ex.image.value and ex.state["x"] == 1.0
    with pytest.raises(RuntimeError, match="away from the default"):
        ex.controls["x"].value = 1.5


def test_curves_kept_in_the_background_follow_the_rule_and_the_seed(tmp_path):
    # adl_queue draws its curves with the background (they change with the rule and the seed, not with the size):
    # a dragged size must not draw them, and a new seed or rule must show its own curves
    from socialized_loss.widgets._base import foreground

    ex = widgets.adl_queue_explorer()
    curves = ex.figure.axes[1].lines[:6]
    assert not set(curves) & set(foreground(ex.figure, ex.figure.canvas.get_renderer()))
    for rule in ("dydx_v4", "binance", "dydx_v4"):
        ex.controls["rule"].value = rule
        for seed in (1, 2, 7):
            ex.controls["seed"].value = seed
            for q in (5.0, 40.0):
                ex.controls["quantity"].value = q
                _assert_same(ex, f"rule={rule} seed={seed} quantity={q}", tmp_path)


def test_a_background_line_a_full_draw_paints_over_a_per_frame_artist_stays_per_frame():
    from socialized_loss.widgets._base import foreground, in_background, new_figure

    fig, ax = new_figure()
    (a,) = ax.plot([0, 1], [0, 1])
    (b,) = ax.plot([0, 1], [1, 0])
    in_background(b)  # drawn after a, which changes every frame: it must stay per-frame to keep the order
    assert {a, b} <= set(foreground(fig))
    in_background(a)
    assert not {a, b} & set(foreground(fig))
    with pytest.raises(ValueError, match="lines"):
        in_background(ax.text(0, 0, "x"))


def test_a_background_line_whose_data_alone_changes_is_redrawn():
    # nothing else in the picture changes: only the line's own data in the signature can tell the renderer
    from socialized_loss.widgets._base import BlitRenderer, in_background, new_figure, render_png

    fig, (ax, ax2) = new_figure(1, 2)
    (curve,) = ax.plot([0, 1], [0, 1])
    (dot,) = ax2.plot([0.5], [0.5], marker="o")
    for a in (ax, ax2):
        a.set_xlim(0, 1)
        a.set_ylim(0, 1)
    in_background(curve)
    render_png(fig)
    fig.set_layout_engine("none")
    blit = BlitRenderer(fig)
    blit.render()
    for k, y in enumerate((0.2, 0.9, 0.9, 0.4)):
        curve.set_ydata([y, 1 - y])
        dot.set_data([0.1 * k], [y])
        shown = blit.render()
        assert _decode(shown).tolist() == _decode(render_png(fig)).tolist(), f"frame {k}"
    assert blit.full_draws == 1  # the line's panel alone was redrawn (the other panel's dot is per-frame)

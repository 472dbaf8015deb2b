"""Shared plumbing for the explorers: a figure shown as a PNG image widget, redrawn in place."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Callable

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..plots import use_style

__all__: list[str] = []


def new_figure(nrows: int = 1, ncols: int = 1, figsize=(7.5, 4.2), dpi: int = 90, **kwargs):
    """A matplotlib Figure outside pyplot (no auto-display, no leak), in the course style, with its own Agg canvas."""
    use_style()
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def render_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at its own dpi: one full Agg draw (no tight-bbox pre-draw), fast zlib level."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.canvas.print_png(buf, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _dynamic_artists(ax) -> list:
    """What an explorer changes between redraws: data artists, annotations and the titles (not axes, ticks, legend)."""
    arts = [*ax.lines, *ax.patches, *ax.collections, *ax.texts, *ax.images, ax.title, ax._left_title, ax._right_title]
    return sorted(arts, key=lambda a: a.get_zorder())


def _static_signature(fig: Figure) -> tuple:
    """Everything that decides the static background: limits, ticks, labels, legend visibility."""
    sig = []
    for ax in fig.axes:
        legend = ax.get_legend()
        sig.append(
            (
                ax.get_visible(),
                tuple(ax.viewLim.bounds),
                tuple(ax.get_xticks()),
                tuple(ax.get_yticks()),
                tuple(t.get_text() for t in ax.get_xticklabels()),
                tuple(t.get_text() for t in ax.get_yticklabels()),
                ax.get_xlabel(),
                ax.get_ylabel(),
                None if legend is None else legend.get_visible(),
            )
        )
    return tuple(sig)


class BlitRenderer:
    """Render an explorer's figure fast: the static background (axes, ticks, labels, legend) is drawn once and
    reused while it does not change; each redraw then paints only the data artists, annotations and titles.

    Text is most of a matplotlib draw, and most of an explorer's text (tick labels, legend) does not change when a
    slider moves, so this is what keeps a slider's response near the 100 ms a reader perceives as instant.
    """

    def __init__(self, fig: Figure, layout=None):
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        self.fig = fig
        self.layout = layout  # the figure's own layout engine, re-run only when the background is redrawn
        self._signature: tuple | None = None
        self._background = None
        self.full_draws = 0

    def render(self) -> bytes:
        fig, canvas = self.fig, self.fig.canvas
        signature = _static_signature(fig)
        if signature != self._signature:
            dynamic = [a for ax in fig.axes for a in _dynamic_artists(ax)]
            shown = [a.get_visible() for a in dynamic]
            titles = [t for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title)]
            placed = [t.get_position() for t in titles]  # a full draw re-places hidden titles; keep them put
            if self.layout is not None:  # new tick labels may be wider: fit the margins to them (titles still shown)
                self.layout.execute(fig)
                placed = [t.get_position() for t in titles]
            for a in dynamic:
                a.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(fig.bbox)
            for a, vis in zip(dynamic, shown):
                a.set_visible(vis)
            for t, pos in zip(titles, placed):
                t.set_position(pos)
            self._signature = _static_signature(fig)  # ticks are settled now that the figure was drawn
            self.full_draws += 1
        else:
            canvas.restore_region(self._background)
        for ax in fig.axes:
            if ax.get_visible():
                for a in _dynamic_artists(ax):
                    if a.get_visible():
                        ax.draw_artist(a)
        from PIL import Image as _PIL

        w, h = canvas.get_width_height(physical=True)
        img = _PIL.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        img.save(buf, format="png", compress_level=1)
        return buf.getvalue()


def _steady(view: tuple[float, float], wanted: tuple[float, float]) -> tuple[float, float]:
    """Keep the current view while the wanted range still fits in it and fills ≥ 60 % of it; otherwise move to the
    wanted range with 10 % headroom on the side(s) that grew. A steady view lets the renderer reuse its background."""
    (c, d), (a, b) = view, wanted
    if not (np.isfinite([a, b, c, d]).all() and a < b and c < d):
        return wanted
    if c <= a and b <= d and (b - a) >= 0.6 * (d - c):
        return view
    span = b - a
    return (a - 0.1 * span if a < c else a, b + 0.1 * span if b > d else b)


def steady_limits(fig: Figure, before: list[tuple]) -> None:
    """Apply :func:`_steady` to every linear axis of ``fig``; ``before`` holds each axes' (xlim, ylim) before a redraw."""
    for ax, (xlim, ylim) in zip(fig.axes, before):
        if ax.get_xscale() == "linear" and tuple(ax.get_xlim()) != xlim:
            ax.set_xlim(_steady(xlim, tuple(ax.get_xlim())))
        if ax.get_yscale() == "linear" and tuple(ax.get_ylim()) != ylim:
            ax.set_ylim(_steady(ylim, tuple(ax.get_ylim())))


def freeze_layout(fig: Figure) -> None:
    """Keep the margins the layout engine found on the first draw, so redraws skip the layout solve (~⅓ of a draw)."""
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")


@dataclass
class Explorer:
    """A built explorer: the ``ui`` to display, its ``controls`` by name, the ``readout`` and the ``figure``.

    ``state`` holds the last result of the explorer's plain update function. Displaying an Explorer displays its
    ui, so a notebook cell can end with ``sl.widgets.margin_explorer()``.
    """

    ui: W.Widget
    controls: dict[str, W.Widget]
    readout: W.HTML
    figure: Figure
    image: W.Image
    refresh: Callable[[], None]
    state: dict[str, Any] = field(default_factory=dict)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)

    def set(self, **values: Any) -> dict[str, Any]:
        """Set controls by name (as a learner would) and return the new state."""
        for name, value in values.items():
            self.controls[name].value = value
        return self.state


def assemble(
    controls: dict[str, W.Widget],
    figure: Figure,
    update: Callable[[dict[str, Any]], tuple[dict[str, Any], str]],
    draw: Callable[[dict[str, Any]], None],
    title: str = "",
) -> Explorer:
    """Wire ``controls`` to ``update`` (values → state, readout HTML) and ``draw`` (state → artists, in place)."""
    image = W.Image(format="png", layout=W.Layout(width="100%", max_width="760px"))
    readout = W.HTML()
    explorer = Explorer(
        ui=W.VBox(), controls=controls, readout=readout, figure=figure, image=image, refresh=lambda: None
    )
    renderer: list[BlitRenderer] = []  # made after the first full draw has fixed the layout

    def refresh(*_args: Any) -> None:
        values = {k: c.value for k, c in controls.items()}
        state, html = update(values)
        explorer.state.clear()
        explorer.state.update(state)
        readout.value = html
        before = [(tuple(ax.get_xlim()), tuple(ax.get_ylim())) for ax in figure.axes]
        draw(state)
        if renderer:  # after the first picture, limits only move when the data leaves the view (or shrinks a lot)
            steady_limits(figure, before)
        image.value = renderer[0].render() if renderer else render_png(figure)

    for c in controls.values():
        c.observe(refresh, names="value")
    explorer.refresh = refresh
    header = [W.HTML(f"<b>{title}</b>")] if title else []
    panel = W.VBox(list(controls.values()), layout=W.Layout(flex="0 0 auto"))  # the readout never covers a slider
    explorer.ui.children = [*header, W.HBox([panel, readout], layout=W.Layout(gap="16px")), image]
    layout = figure.get_layout_engine()
    refresh()
    freeze_layout(figure)
    renderer.append(BlitRenderer(figure, layout))
    return explorer


def slider(description: str, value: float, lo: float, hi: float, step: float, unit: str, fmt: str = ".2f"):
    """A labelled float slider whose bounds keep the value valid (units in the label)."""
    return W.FloatSlider(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=f"{description} ({unit})" if unit else description,
        readout_format=fmt,
        continuous_update=True,
        style={"description_width": "240px"},
        layout=W.Layout(width="480px"),
    )


def table_html(rows: list[tuple[str, str]]) -> str:
    """A two-column readout table."""
    body = "".join(f"<tr><td style='padding-right:12px'>{k}</td><td><b>{v}</b></td></tr>" for k, v in rows)
    return f"<table class='sl-readout'>{body}</table>"

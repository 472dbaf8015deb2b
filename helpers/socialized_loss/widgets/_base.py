"""Shared plumbing for the explorers: a figure shown as a PNG image widget, redrawn in place."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any, Callable

import ipywidgets as W
from matplotlib.figure import Figure

from ..plots import use_style

__all__: list[str] = []


def new_figure(nrows: int = 1, ncols: int = 1, figsize=(7.5, 4.2), **kwargs):
    """A matplotlib Figure outside pyplot (no auto-display, no leak), in the course style."""
    use_style()
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def render_png(fig: Figure, dpi: int = 90) -> bytes:
    """The figure as PNG bytes (Agg), drawn once: no tight-bbox pre-draw, fast zlib level."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches=None, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


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

    def refresh(*_args: Any) -> None:
        values = {k: c.value for k, c in controls.items()}
        state, html = update(values)
        explorer.state.clear()
        explorer.state.update(state)
        readout.value = html
        draw(state)
        image.value = render_png(figure)

    for c in controls.values():
        c.observe(refresh, names="value")
    explorer.refresh = refresh
    header = [W.HTML(f"<b>{title}</b>")] if title else []
    explorer.ui.children = [*header, W.HBox([W.VBox(list(controls.values())), readout]), image]
    refresh()
    freeze_layout(figure)
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
        style={"description_width": "190px"},
        layout=W.Layout(width="430px"),
    )


def table_html(rows: list[tuple[str, str]]) -> str:
    """A two-column readout table."""
    body = "".join(f"<tr><td style='padding-right:12px'>{k}</td><td><b>{v}</b></td></tr>" for k, v in rows)
    return f"<table class='sl-readout'>{body}</table>"

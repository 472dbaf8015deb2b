"""Shared plumbing for the explorers: a figure shown as a PNG image widget, redrawn in place.

How a frame is made (what keeps a control's response near instant):

- the layout (constrained) is solved once, when the explorer is built, for the widest tick labels its controls
  produce, and then frozen: the margins found then stay right while a slider moves;
- the figure is split in two layers. The *background* is what sits under every data artist: the axes' faces, grids,
  ticks and tick labels, axis labels. It is drawn once and reused while its :func:`background_signature` (limits,
  ticks, tick labels, axis labels, titles and legends outside the axes, positions, size) stays the same. The
  *foreground* is every other artist at or above the lowest data artist's z-order (lines, patches, texts, legends
  inside the axes, spines), drawn on the background in the order matplotlib itself uses, so a frame is pixel for
  pixel what a full draw of the same figure gives. When only some panels' backgrounds change (one panel's limits
  step while a slider moves), only those panels are redrawn, on the bare face, if nothing they paint meets another
  panel (``BlitRenderer._redraw_axes``); the last dozen backgrounds are kept, so returning to limits already shown
  redraws nothing. Lines that change with a choice but not with the dragged slider may join the background
  (:func:`in_background`);
- while no control moves, each explorer gets its main slider's other states ready in the kernel's event loop
  (computed, their backgrounds drawn and kept; see :func:`assemble`);
- the pixels are encoded by :func:`encode_png` (no PNG filter, zlib level 1: about 3× faster than Pillow's encoder
  for these mostly-flat pictures, at similar size).

Each explorer owns its figure, its renderer and its timing history. The one module-level value is the time a
control last moved (``_LAST_CHANGE``), which only schedules idle work: no picture or number depends on it.
"""
from __future__ import annotations

import asyncio
import math
import struct
import time
import zlib
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.spines import Spine

from ..plots import use_style

__all__: list[str] = []

#: Width (px) of the description column of every labelled control, and of a whole control row. The rows fit the
#: 934 px output area JupyterLab leaves a notebook at 1366 px with its file browser open, beside a readout.
DESCRIPTION_WIDTH = "240px"
CONTROL_WIDTH = "480px"
#: The widest picture (px): every explorer's figure fits it (8.4 in at 90 dpi). A picture is shown at its own size,
#: never scaled up (a stretched PNG looks soft), and narrower only when the output area is.
IMAGE_MAX_WIDTH = "760px"
#: Seconds with no control moved before the explorers start their idle work (see :func:`assemble`), and the pause
#: between two of its tasks (the kernel answers a control that moves in between first).
IDLE_DELAY_S = 1.0
IDLE_GAP_S = 0.005
#: When a control of any explorer last moved (time.monotonic()): idle work waits for the whole kernel to be idle, so
#: the explorers of one notebook do not slow the one being dragged. Scheduling only: no result depends on it.
_LAST_CHANGE = [0.0]


def _text_key(prop) -> tuple:
    return (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(),
            prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily())


def _install_text_cache(renderer, max_glyphs: int = 20_000) -> bool:
    """Give one Agg renderer a memory of its text: each string's glyph layout, and each glyph's bitmap at the exact
    (1/64 px) place it was drawn. An explorer redraws the same labels at the same places frame after frame; Agg
    re-rasterised every glyph each time (half of a text-heavy frame). The calls Agg makes are replayed with the same
    bitmaps, so the pixels are those of an uncached draw (tests/test_widgets_frames.py checks it). Plain text only
    (mathtext and non-antialiased text take Agg's own path). Returns False, and changes nothing, for a matplotlib
    without the private font calls this relies on."""
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.ft2font import FT2Font, RenderMode

    if not all(hasattr(FT2Font, n) for n in ("_layout", "_render_glyph", "_set_transform")) or not hasattr(
            renderer, "_draw_text_glyphs_and_boxes"):
        return False
    own_draw_text = renderer.draw_text
    layouts: dict = {}
    glyphs: dict = {}

    def draw_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not gc.get_antialiased():
            return own_draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        flags = get_hinting_flag()
        features = tuple(mtext.get_fontfeatures() or ()) if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        size = prop.get_size_in_points()
        key = (s, _text_key(prop), renderer.dpi, flags, features, language)
        items = layouts.get(key)
        if items is None:
            font = renderer._prepare_font(prop)
            items = [(it.ft_object, it.glyph_index, it.x, it.y) for it in font._layout(
                s, flags=flags, features=mtext.get_fontfeatures() if mtext is not None else None, language=language)]
            if len(layouts) > 2_000:
                layouts.clear()
            layouts[key] = items
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
        mkey = tuple(matrix.ravel().tolist())
        height = renderer.height
        for ft, index, dx, dy in items:
            delta = [round(0x40 * (x + dx * cos - dy * sin)), round(0x40 * (height - y + dx * sin + dy * cos))]
            gkey = (ft.fname, ft.face_index, size, renderer.dpi, index, mkey, delta[0], delta[1], flags)
            hit = glyphs.get(gkey)
            if hit is None:
                ft.set_size(size, renderer.dpi)
                ft._set_transform(matrix, delta)
                bitmap = ft._render_glyph(index, flags, RenderMode.NORMAL)
                hit = (np.array(bitmap.buffer), bitmap.left, bitmap.top)
                if len(glyphs) > max_glyphs:
                    glyphs.clear()
                glyphs[gkey] = hit
            buffer, left, top = hit
            renderer._renderer.draw_text_image(buffer, left, int(height) - top + buffer.shape[0], 0, gc)
        return None

    renderer.draw_text = draw_text
    return True


def _install_font_metrics_cache(renderer) -> bool:
    """Give one renderer a memory of each font's line metrics (ascent, descent, line gap in px). Matplotlib 3.11
    looks them up in the font's tables for every text it lays out (a third of a full explorer frame); it asks the
    renderer first (``_get_font_height_metrics``), so answering from a cache, with matplotlib's own arithmetic, gives
    the same layout. (None, None, None) makes matplotlib measure the text itself, as it would without the hook."""
    from matplotlib.font_manager import fontManager, get_font

    if hasattr(renderer, "_get_font_height_metrics"):
        return False
    cache: dict = {}

    def metrics(prop):
        key = (_text_key(prop), renderer.dpi)
        hit = cache.get(key)
        if hit is None:
            hit = (None, None, None)
            font = get_font(fontManager._find_fonts_by_props(prop))
            for table_name, gap_key, ascent_key, descent_key in (
                    ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"), ("hhea", "lineGap", "ascent", "descent")):
                table = font.get_sfnt_table(table_name)
                if table is None:
                    continue
                scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * renderer.dpi / 72
                hit = (table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale)
                break
            cache[key] = hit
        return hit

    renderer._get_font_height_metrics = metrics
    return True


class TextCachingCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer remembers its text (:func:`_install_text_cache`) and its fonts' line metrics
    (:func:`_install_font_metrics_cache`): same pixels, sooner."""

    def get_renderer(self):
        renderer = super().get_renderer()
        if not hasattr(renderer, "_sl_text_cache"):
            renderer._sl_text_cache = _install_text_cache(renderer)
            renderer._sl_metrics_cache = _install_font_metrics_cache(renderer)
        return renderer


def new_figure(nrows: int = 1, ncols: int = 1, figsize=(7.5, 4.2), dpi: int = 90, **kwargs):
    """A matplotlib Figure outside pyplot (no auto-display, no leak), in the course style, with its own Agg canvas
    (one that remembers its text: :class:`TextCachingCanvas`).

    >>> fig, ax = new_figure()
    >>> type(fig.canvas).__name__
    'TextCachingCanvas'
    """
    use_style()
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    TextCachingCanvas(fig)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def encode_png(rgba: np.ndarray, level: int = 1) -> bytes:
    """An RGBA pixel array (height × width × 4, uint8) as PNG bytes: no row filter, zlib ``level`` (0–9). An opaque
    picture (every alpha 255, as every explorer's) is written as RGB: the same pixels, a quarter less to compress,
    send and decode.

    >>> encode_png(np.zeros((2, 3, 4), np.uint8))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    >>> encode_png(np.full((2, 3, 4), 255, np.uint8))[25]  # colour type 2: RGB
    2
    """
    px = np.asarray(rgba)
    if px.dtype != np.uint8 or px.ndim != 3 or px.shape[2] != 4:
        raise ValueError(f"rgba must be a height × width × 4 uint8 array, got {px.dtype} {px.shape}")
    h, w, _ = px.shape
    opaque = bool(px.size) and int(px[:, :, 3].min()) == 255
    c = 3 if opaque else 4
    raw = np.empty((h, c * w + 1), np.uint8)
    raw[:, 0] = 0  # filter type 0 (none) on every row
    raw[:, 1:].reshape(h, w, c)[...] = px[:, :, :c]

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2 if opaque else 6, 0, 0, 0)  # 8-bit RGB or RGBA, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
            + chunk(b"IEND", b""))


def _pixels(fig: Figure) -> np.ndarray:
    return np.asarray(fig.canvas.buffer_rgba())


def render_png(fig: Figure) -> bytes:
    """The figure fully drawn (every artist, the layout engine if it still has one) and encoded as PNG bytes.

    >>> fig, ax = new_figure()
    >>> render_png(fig)[:4]
    b'\\x89PNG'
    """
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return encode_png(_pixels(fig))


# ------------------------------------------------------------------------------------------------ the two layers
def _axis_signature(axis: Axis) -> tuple:
    locs = axis.get_majorticklocs()
    minor = axis.get_minorticklocs()
    return (
        axis.get_visible(),
        tuple(axis.get_view_interval()),
        axis.get_scale(),
        tuple(locs),
        tuple(axis.major.formatter.format_ticks(locs)),
        tuple(minor),
        tuple(axis.minor.formatter.format_ticks(minor)),
        axis.label.get_text(),
        axis.label.get_visible(),
    )


def _legend_signature(legend) -> tuple:
    return (legend.get_visible(), tuple(t.get_text() for t in legend.get_texts()),
            tuple(h.get_visible() for h in legend.legend_handles if h is not None))


def in_background(*lines: Line2D) -> None:
    """Mark data lines that change with a choice but not on every frame (a curve that depends on the ranking rule,
    not on the slider being dragged): they are painted with the background, and their data and style join
    :func:`background_signature`, so the frames between two changes do not draw them again. A marked line that a
    full draw would paint over a per-frame artist of its axes stays per-frame (the frames stay exact either way).

    >>> fig, ax = new_figure()
    >>> (line,) = ax.plot([0, 1], [0, 1])
    >>> in_background(line); line in foreground(fig)
    False
    """
    for line in lines:
        if not isinstance(line, Line2D):
            raise ValueError(f"lines must be matplotlib Line2D artists, got {type(line).__name__}")
        line._sl_background = True


def _line_signature(line: Line2D) -> tuple:
    return (line.get_visible(), np.asarray(line.get_xdata(orig=False), float).tobytes(),
            np.asarray(line.get_ydata(orig=False), float).tobytes(), line.get_color(), line.get_linestyle(),
            line.get_linewidth(), line.get_marker(), line.get_markersize(), str(line.get_markevery()),
            line.get_alpha(), line.get_zorder())


def background_signature(fig: Figure) -> tuple:
    """Everything the background layer shows: figure size and dpi, and per axes its visibility, position, face
    colour, and for each axis its limits, scale, tick positions, tick labels (as the formatter writes them) and label;
    its legend's and titles' texts; and the data and style of the lines marked :func:`in_background`.

    Two figures with the same signature have the same background pixels (given the same fixed styling).
    """
    sig: list = [tuple(fig.get_size_inches()), fig.dpi]
    for ax in fig.axes:
        legend = ax.get_legend()
        titles = tuple((t.get_text(), t.get_visible()) for t in _titles(ax))
        marked = tuple(_line_signature(c) for c in ax.lines if getattr(c, "_sl_background", False))
        sig.append((ax.get_visible(), ax.axison, tuple(ax.get_position().bounds), tuple(ax.patch.get_facecolor()),
                    _axis_signature(ax.xaxis), _axis_signature(ax.yaxis),
                    None if legend is None else _legend_signature(legend), titles, marked))
    return tuple(sig)


def _titles(ax: Axes) -> tuple:
    return (ax.title, ax._left_title, ax._right_title)


def _outside(artist, ax: Axes, renderer) -> bool:
    """True for a legend or title placed clear of its axes (data artists are clipped to the axes: they never meet)."""
    if renderer is None:
        return False
    bb, box = artist.get_window_extent(renderer), ax.bbox
    return bb.x0 >= box.x1 + 1 or bb.x1 <= box.x0 - 1 or bb.y0 >= box.y1 + 1 or bb.y1 <= box.y0 - 1


def _axes_foreground(ax: Axes, renderer=None) -> list:
    """The artists of ``ax`` that are drawn on every frame, in the order ``Axes.draw`` draws them.

    A legend or a title placed outside the axes belongs to the background (its texts are in the signature)."""
    children = [c for c in ax.get_children() if c is not ax.patch]
    for a in (ax.get_legend(), *_titles(ax)):
        if a is not None and _outside(a, ax, renderer):
            children.remove(a)
    if not (ax.axison and ax._frameon):
        children = [c for c in children if not isinstance(c, Spine)]
    if not ax.axison:
        children = [c for c in children if not isinstance(c, Axis)]
    content = [c.get_zorder() for c in children if not isinstance(c, (Axis, Spine))]
    if not content:
        return []
    cut = min(content)
    out = [c for c in sorted(children, key=attrgetter("zorder")) if c.get_zorder() >= cut]
    k = 0  # lines marked in_background that a full draw paints before every per-frame artist join the background
    while k < len(out) and getattr(out[k], "_sl_background", False):
        k += 1
    return out[k:]


def foreground(fig: Figure, renderer=None) -> list:
    """Every artist drawn on each frame, in matplotlib's own drawing order: per axes (in figure order) the artists at
    or above its lowest data artist's z-order, then the figure's own texts, legends and other artists."""
    out: list = []
    for a in sorted((c for c in fig.get_children() if c is not fig.patch), key=attrgetter("zorder")):
        if isinstance(a, Axes):
            if a.get_visible():
                out += _axes_foreground(a, renderer)
        else:
            out.append(a)
    return out


def _pixel_boxes(ax: Axes, renderer) -> tuple[list[tuple[int, int, int, int]], list]:
    """The pixel boxes (x0, y0, x1, y1; display coordinates, y up; rounded outward) of everything ``ax`` draws: its
    frame, each axis (ticks, tick labels, label), its titles and every other artist its tight box counts (legends,
    texts); and, from the same layout of the tick labels, the x and y axes' own tight boxes (None for an empty
    axis). Two axes whose boxes (with a margin) do not meet never paint the same pixel."""
    out = []
    axis_boxes = [ax.xaxis.get_tightbbox(renderer), ax.yaxis.get_tightbbox(renderer)]
    parts = [ax.get_window_extent(renderer), *axis_boxes]
    parts += [t.get_window_extent(renderer) for t in _titles(ax) if t.get_visible() and t.get_text()]
    parts += [a.get_tightbbox(renderer) for a in ax.get_default_bbox_extra_artists() if not isinstance(a, Axis)]
    for bb in parts:
        if bb is not None and bb.width > 0 and bb.height > 0 and np.all(np.isfinite(bb.extents)):
            out.append((math.floor(bb.x0), math.floor(bb.y0), math.ceil(bb.x1), math.ceil(bb.y1)))
    return out, axis_boxes


def _axis_fits(bb, ax: Axes, fig: Figure, renderer) -> bool:
    """True when an axis of ``ax`` whose tight box is ``bb`` (None: nothing drawn) lies inside the figure and clear
    of the other visible axes."""
    if bb is None:
        return True
    box = fig.bbox
    if bb.x0 < box.x0 - 0.5 or bb.y0 < box.y0 - 0.5 or bb.x1 > box.x1 + 0.5 or bb.y1 > box.y1 + 0.5:
        return False
    return not any(other is not ax and other.get_visible() and bb.overlaps(other.get_window_extent(renderer))
                   for other in fig.axes)


def _layout_fits(fig: Figure, renderer) -> bool:
    """True when every axis (ticks, tick labels, label) lies inside the figure and clear of the other axes."""
    return all(_axis_fits(axis.get_tightbbox(renderer), ax, fig, renderer)
               for ax in fig.axes if ax.get_visible() for axis in (ax.xaxis, ax.yaxis))


class BlitRenderer:
    """Render an explorer's figure fast and exactly: the background layer is drawn once and reused while
    :func:`background_signature` stays the same; each frame paints the :func:`foreground` on it and encodes.

    ``layout`` is the figure's layout engine (solved before the renderer is made); it is run again only if a new
    background would put an axis outside the figure or over another axes. ``last`` holds the last frame's timings
    (seconds: ``draw`` = Agg drawing, ``encode`` = PNG), whether the whole background was redrawn (``full``) or only
    the axes whose background changed (``partial``, see ``_redraw_axes``), or a background drawn before for the
    same signature was put back (``reused``: the last ``keep`` backgrounds are kept, each a copy of the picture's
    pixels, about 1 MB; a slider dragged back over limits it has shown draws no axes at all).
    """

    def __init__(self, fig: Figure, layout=None, keep: int = 12):
        if not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        self.fig = fig
        self.layout = layout
        self._signature: tuple | None = None
        self._background = None
        self._foreground: list = []
        self._boxes: list = []  # per axes: the pixel box its background drawing covers (display coordinates)
        self._blank: np.ndarray | None = None  # the figure's face alone (RGBA), made on the first partial redraw
        self.full_draws = 0
        self.last: dict[str, Any] = {}
        self._keep = keep
        self._drawn: OrderedDict = OrderedDict()  # signature → (background, boxes, foreground), most recent last

    def _remember(self) -> None:
        self._drawn[self._signature] = (self._background, self._boxes, self._foreground)
        self._drawn.move_to_end(self._signature)
        while len(self._drawn) > self._keep:
            self._drawn.popitem(last=False)

    def _reuse(self, sig: tuple) -> bool:
        """Put back the background drawn before for ``sig`` (same signature, same pixels); False if none is kept."""
        got = self._drawn.get(sig)
        if got is None:
            return False
        self._background, self._boxes, self._foreground = got
        self._signature = sig
        self._drawn.move_to_end(sig)
        self.fig.canvas.restore_region(self._background)
        return True

    def _draw_background(self, solve: bool = True) -> bool:
        """Draw the whole background (solving the layout again if its tick labels no longer fit, unless ``solve`` is
        False: then nothing is kept and the answer is False)."""
        fig, canvas = self.fig, self.fig.canvas
        fg = foreground(fig, canvas.get_renderer())
        for a in fg:
            a.set_animated(True)
        try:
            canvas.draw()
            if self.layout is not None and not _layout_fits(fig, canvas.get_renderer()):
                if not solve:
                    return False
                self.layout.execute(fig)  # new tick labels no longer fit the margins: solve them again
                canvas.draw()
        finally:
            for a in fg:
                a.set_animated(False)
        self._background = canvas.copy_from_bbox(fig.bbox)
        self._foreground = fg
        self._signature = background_signature(fig)
        renderer = canvas.get_renderer()
        self._boxes = [_pixel_boxes(ax, renderer)[0] for ax in fig.axes]
        self.full_draws += 1
        return True

    def prerender(self) -> bool:
        """Draw and keep, without showing it, the background of the figure as its artists are now (a state the
        learner may reach next), unless one is kept for its signature already; the renderer then goes on from what
        it showed. False when nothing was drawn (kept already, or the state needs a new layout: it gets one when
        it is shown)."""
        sig = background_signature(self.fig)
        if sig == self._signature or sig in self._drawn or self._signature is None:
            return False
        shown = (self._signature, self._background, self._boxes, self._foreground)
        try:
            if not self._redraw_axes(sig) and not self._draw_background(solve=False):
                return False
            self._remember()
            return True
        finally:
            self._signature, self._background, self._boxes, self._foreground = shown

    def _blank_face(self) -> np.ndarray:
        """The figure's face with nothing on it (RGBA pixels), drawn once: what a cleared region is reset to."""
        if self._blank is None:
            fig = self.fig
            shown = [(c, c.get_visible()) for c in fig.get_children() if c is not fig.patch]
            try:
                for c, _ in shown:
                    c.set_visible(False)
                fig.canvas.draw()
                self._blank = np.asarray(fig.canvas.get_renderer().buffer_rgba()).copy()
            finally:
                for c, was in shown:
                    c.set_visible(was)
        return self._blank

    def _redraw_axes(self, new: tuple) -> bool:
        """Redraw the background of only the axes whose part of the signature changed, when each one's pixels (old
        and new, with a margin for antialiasing) lie clear of every other axes: reset that
        region to the bare face and draw those axes again, as a full draw paints them there. False (nothing done)
        when that cannot be shown to give a full draw's pixels; the caller then redraws everything."""
        old, fig = self._signature, self.fig
        if old is None or len(old) != len(new) or old[:2] != new[:2] or len(self._boxes) != len(fig.axes):
            return False
        changed = [i for i in range(len(fig.axes)) if old[2 + i] != new[2 + i]]
        if not changed or len(changed) == len(fig.axes):
            return False
        if any(old[2 + i][:4] != new[2 + i][:4] for i in changed):  # visibility, position or face: a layout change
            return False
        canvas = fig.canvas
        renderer = canvas.get_renderer()
        boxes = list(self._boxes)
        for i in changed:
            boxes[i], axis_boxes = _pixel_boxes(fig.axes[i], renderer)
            # _layout_fits for the axes that changed (the others, and every frame, are where they were)
            if not all(_axis_fits(bb, fig.axes[i], fig, renderer) for bb in axis_boxes):
                return False
        w, h = int(renderer.width), int(renderer.height)
        m = 3  # px of antialiasing and rounding around every box
        # the boxes to clear: what the changed axes drew before and will draw now, each with its margin (the bare
        # face comes from a drawing of the face itself, so a box may reach the figure's edge)
        clear = [(max(b[0] - m, 0), max(b[1] - m, 0), min(b[2] + m, w), min(b[3] + m, h))
                 for i in changed for b in (*self._boxes[i], *boxes[i])]
        others = [b for j in range(len(fig.axes)) if j not in changed for b in (*self._boxes[j], *boxes[j])]
        for x0, y0, x1, y1 in clear:
            for b in others:
                if b[0] - m < x1 and b[2] + m > x0 and b[1] - m < y1 and b[3] + m > y0:
                    return False
        blank = self._blank_face()
        canvas.restore_region(self._background)
        buf = np.asarray(renderer.buffer_rgba())
        for x0, y0, x1, y1 in clear:
            buf[h - y1:h - y0, x0:x1] = blank[h - y1:h - y0, x0:x1]
        for a in self._foreground:
            a.set_animated(True)
        try:
            for i in sorted(changed, key=lambda k: fig.axes[k].get_zorder()):
                fig.axes[i].draw(renderer)
        finally:
            for a in self._foreground:
                a.set_animated(False)
        self._background = canvas.copy_from_bbox(fig.bbox)
        self._boxes = boxes
        self._signature = new
        return True

    def render(self) -> bytes:
        """The figure as PNG bytes, as a full draw would give it."""
        t0 = time.perf_counter()
        fig, canvas = self.fig, self.fig.canvas
        sig = background_signature(fig)
        full = partial = reused = False
        if sig == self._signature:
            canvas.restore_region(self._background)
        elif not (reused := self._reuse(sig)):
            partial = self._redraw_axes(sig)
            full = not partial
            if full:
                self._draw_background()
            self._remember()
        renderer = canvas.get_renderer()
        for a in self._foreground:
            a.draw(renderer)
        t1 = time.perf_counter()
        png = encode_png(_pixels(fig))
        self.last = {"draw": t1 - t0, "encode": time.perf_counter() - t1, "full": full, "partial": partial,
                     "reused": reused, "bytes": len(png)}
        return png


# ------------------------------------------------------------------------------------------------ explorers
@dataclass
class Explorer:
    """A built explorer: the ``ui`` to display, its ``controls`` by name, the ``readout`` and the ``figure``.

    ``state`` holds the last result of the explorer's plain update function. ``timings`` keeps the last frames'
    kernel-side costs (seconds: ``compute`` = update, ``artists`` = draw callback, ``draw`` = Agg, ``encode`` = PNG,
    ``total``, ``cpu`` = process CPU time; ``full`` = background redrawn; ``t`` = wall clock at the end). Displaying an Explorer displays its ui,
    so a notebook cell can end with ``sl.widgets.margin_explorer()``. ``run_idle()`` does at once the work the
    explorer would do while the learner is not moving a control (see :func:`assemble`); it returns the tasks run.
    ``idle_pending()`` is True while that work is scheduled in the event loop and not finished.
    """

    ui: W.Widget
    controls: dict[str, W.Widget]
    readout: W.HTML
    figure: Figure
    image: W.Image
    refresh: Callable[[], None]
    state: dict[str, Any] = field(default_factory=dict)
    timings: deque = field(default_factory=lambda: deque(maxlen=2000))
    run_idle: Callable[[], int] = lambda: 0
    idle_pending: Callable[[], bool] = lambda: False

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)

    def set(self, **values: Any) -> dict[str, Any]:
        """Set controls by name (as a learner would) and return the new state."""
        for name, value in values.items():
            self.controls[name].value = value
        return self.state

    def render_fresh(self) -> bytes:
        """The current state fully redrawn (no reuse of anything): what the image must show. For tests."""
        return render_png(self.figure)


def assemble(
    controls: dict[str, W.Widget],
    figure: Figure,
    update: Callable[[dict[str, Any]], tuple[dict[str, Any], str]],
    draw: Callable[[dict[str, Any]], None],
    title: str = "",
    readout_below: bool = False,
) -> Explorer:
    """Wire ``controls`` to ``update`` (values → state, readout HTML) and ``draw`` (state → artists, in place).

    The readout sits beside the controls, or below them with ``readout_below`` (for wide readouts).

    While the learner is not moving a control, the explorer gets the main slider's other values ready, nearest
    first (:func:`_idle_values`): it computes each state (engines that memoise keep it) and draws, without showing
    it, the background that state needs (``BlitRenderer.prerender``), then puts its artists back. These tasks run in
    the kernel's event loop once no control has moved for :data:`IDLE_DELAY_S`, one at a time with the loop free in
    between, and stop at the next change. Without a running event loop (a script, a test) nothing runs by itself:
    ``Explorer.run_idle()`` runs them.
    """
    width_px = round(figure.get_figwidth() * figure.dpi)
    if width_px > int(IMAGE_MAX_WIDTH.removesuffix("px")):
        raise ValueError(f"figure must be at most {IMAGE_MAX_WIDTH} wide, got {width_px}px")
    image = W.Image(format="png", layout=W.Layout(width=f"{width_px}px", max_width="100%"))
    readout = W.HTML(layout=W.Layout(min_width="0", margin="0 0 0 12px"))
    explorer = Explorer(
        ui=W.VBox(layout=W.Layout(max_width="100%")), controls=controls, readout=readout, figure=figure, image=image,
        refresh=lambda: None,
    )
    renderer: list[BlitRenderer] = []  # made after the first full draw has fixed the layout
    shown: list[dict[str, Any]] = []  # the control values of the picture on screen
    pending: list = [iter(()), None]  # the idle tasks not run yet, and the event loop's handle of the next one

    def stop_idle() -> None:
        if pending[1] is not None:
            pending[1].cancel()
        pending[:] = [iter(()), None]

    def idle_step(loop) -> None:
        pending[1] = None
        wait = _LAST_CHANGE[0] + IDLE_DELAY_S - time.monotonic()
        if wait > 0:  # a control of another explorer has moved since: the kernel is not idle yet
            pending[1] = loop.call_later(wait, idle_step, loop)
        elif run_one():
            pending[1] = loop.call_later(IDLE_GAP_S, idle_step, loop)

    def run_one() -> bool:
        task = next(pending[0], None)
        if task is None:
            return False
        try:
            task()
        except Exception:  # noqa: BLE001 - a state ahead of the learner fails: they meet it, with its message, there
            pending[0] = iter(())
            return False
        return True

    def run_idle() -> int:
        if pending[1] is not None:
            pending[1].cancel()
            pending[1] = None
        n = 0
        while run_one():
            n += 1
        return n

    def ready(values: dict[str, Any]) -> None:
        """One state ahead: computed, its background drawn and kept, the picture's artists put back."""
        state, _html = update(values)
        try:
            draw(state)
            renderer[0].prerender()
        finally:
            draw(explorer.state)

    def _tasks(values: dict[str, Any]):  # a generator: nothing is worked out until the first task is due
        for v in _idle_values(controls, values):
            yield lambda v=v: ready(v)

    def start_idle(values: dict[str, Any]) -> None:
        if not renderer:
            return
        pending[0] = _tasks(values)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop: run_idle() only
            return
        pending[1] = loop.call_later(IDLE_DELAY_S, idle_step, loop)

    def refresh(*change: Any) -> None:
        values = {k: _on_grid(c) for k, c in controls.items()}
        if change and shown and shown[0] == values:  # e.g. a dropdown whose options followed another control
            return
        stop_idle()
        _LAST_CHANGE[0] = time.monotonic()
        shown[:] = [values]
        t0, c0 = time.perf_counter(), time.process_time()
        state, html = update(values)
        explorer.state.clear()
        explorer.state.update(state)
        t1 = time.perf_counter()
        draw(state)
        t2 = time.perf_counter()
        if renderer:
            png = renderer[0].render()
            last = renderer[0].last
        else:
            png = render_png(figure)
            last = {"draw": time.perf_counter() - t2, "encode": 0.0, "full": True, "partial": False, "reused": False}
        readout.value = html
        image.value = png
        t3 = time.perf_counter()
        explorer.timings.append({"compute": t1 - t0, "artists": t2 - t1, "draw": last["draw"],
                                 "encode": last["encode"], "full": last["full"], "partial": last["partial"],
                                 "reused": last["reused"], "values": values,
                                 "total": t3 - t0, "bytes": len(png), "cpu": time.process_time() - c0, "t": time.time()})
        start_idle(values)

    for c in controls.values():
        c.observe(refresh, names="value")
    explorer.refresh = refresh
    explorer.run_idle = run_idle
    explorer.idle_pending = lambda: pending[1] is not None
    header = [W.HTML(f"<b>{title}</b>")] if title else []
    panel = W.VBox(list(controls.values()), layout=W.Layout(flex="0 0 auto"))  # the readout never covers a slider
    if readout_below:
        top = W.VBox([panel, readout])
    else:
        top = W.HBox([panel, readout], layout=W.Layout(flex_flow="row wrap"))
    explorer.ui.children = [*header, top, image]
    layout = figure.get_layout_engine()
    if layout is not None:
        _solve_layout_for_extremes(controls, figure, layout, update, draw)
    refresh()  # the first picture (a full draw; it solves the layout if the probe could not)
    if figure.get_layout_engine() is not None:
        figure.set_layout_engine("none")  # margins found; frames keep them (see BlitRenderer for when they move)
    renderer.append(BlitRenderer(figure, layout))
    renderer[0].render()  # its background, kept: the first picture's (the image shown already holds it)
    start_idle(shown[0])  # and the main slider's next states get ready while the learner looks
    return explorer


def _on_grid(c: W.Widget) -> Any:
    """A control's value; a float slider's snapped to its own steps, min + k × step, the floats every part of the
    explorer (idle work, layout probe, memoised engines) computes for that setting. A browser sends a dragged
    slider's value with float noise (2.5000000000000004 for 2.5), which would miss what was prepared for 2.5.

    >>> _on_grid(slider("x", 2.5000000000000004, 0.0, 15.0, 0.5, ""))
    2.5
    """
    v = c.value
    if isinstance(c, W.FloatSlider) and c.step:
        k = round((v - c.min) / c.step)
        return float(min(max(c.min + c.step * k, c.min), c.max))
    return v


def _idle_values(controls: dict[str, W.Widget], values: dict[str, Any], most: int = 200) -> list[dict[str, Any]]:
    """The states an explorer gets ready while the learner looks: ``values`` with the main (first) slider at its
    other settings, nearest first (at most ``most``, spread over its range when it has more steps).

    >>> c = {"x": slider("x", 1.0, 0.0, 2.0, 0.5, "")}
    >>> [v["x"] for v in _idle_values(c, {"x": 1.0})]
    [0.5, 1.5, 0.0, 2.0]
    """
    name = next((k for k, c in controls.items() if isinstance(c, (W.FloatSlider, W.IntSlider, W.FloatLogSlider))),
                None)
    c = controls.get(name)
    if c is None or not c.step:
        return []
    steps = round((c.max - c.min) / c.step)
    at = np.minimum(c.min + c.step * np.unique(np.round(np.linspace(0, steps, min(steps + 1, most)))), c.max)
    log = isinstance(c, W.FloatLogSlider)
    here = float(np.log(values[name]) / np.log(c.base)) if log else float(values[name])
    xs = [(abs(a - here), c.base ** a if log else a) for a in at.tolist()]
    cast = int if isinstance(c, W.IntSlider) else float
    return [{**values, name: cast(x)} for _, x in sorted(xs, key=lambda t: t[0]) if cast(x) != values[name]]


def _probe_values(controls: dict[str, W.Widget], main_points: int = 11) -> list[dict[str, Any]]:
    """The control values a layout must fit: the defaults, then, one control at a time (the others at their
    defaults), the first slider (the one a learner drags most) at ``main_points`` places across its range, every
    other slider at its two ends and each choice of each selection."""
    base = {k: _on_grid(c) for k, c in controls.items()}
    out = [base]
    first = True
    for k, c in controls.items():
        if isinstance(c, (W.FloatSlider, W.IntSlider, W.FloatLogSlider)):
            grid = np.linspace(c.min, c.max, main_points if first else 2)
            if isinstance(c, W.FloatLogSlider):
                grid = c.base ** grid
            elif c.step:  # on the slider's own steps, as a learner can set them
                grid = np.unique(np.clip(c.min + np.round((grid - c.min) / c.step) * c.step, c.min, c.max))
            ends = [type(c.value)(x) for x in grid]
            first = False
        elif isinstance(c, W.widgets.widget_selection._Selection):
            ends = list(c._options_values)
        else:
            ends = []
        out += [{**base, k: v} for v in ends if v != base[k]]
    return out


def _solve_layout_for_extremes(controls, figure: Figure, layout, update, draw) -> bool:
    """Solve the layout once for the widest tick labels the controls can produce, so a drag never pays for solving it
    again (170-190 ms on a frame otherwise): starting from the defaults, each probe state (:func:`_probe_values`)
    whose axes do not fit the margins solves the layout there (margins grow to hold its labels). Leaves the figure
    drawn for the defaults and, when they fit, its layout engine off; returns False, with the engine still on (the
    first picture then solves it as before), when the defaults no longer fit or a probe raises. A state between the
    probes that still does not fit is solved when it is shown, as before."""
    probes = _probe_values(controls)
    canvas = figure.canvas
    try:
        draw(update(probes[0])[0])
        layout.execute(figure)
        for values in probes[1:]:
            draw(update(values)[0])
            if not _layout_fits(figure, canvas.get_renderer()):
                layout.execute(figure)
        draw(update(probes[0])[0])
        fits = _layout_fits(figure, canvas.get_renderer())
    except Exception:  # noqa: BLE001 - a made-up state the explorer fails on: keep the old way (the first picture
        return False  # draws the defaults; a failure there, or when a learner reaches that state, is shown then)
    if fits:
        figure.set_layout_engine("none")
    return fits


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
        style={"description_width": DESCRIPTION_WIDTH},
        layout=W.Layout(width=CONTROL_WIDTH),
    )


def table_html(rows: list[tuple[str, str]]) -> str:
    """A two-column readout table."""
    body = "".join(f"<tr><td style='padding-right:10px'>{k}</td><td><b>{v}</b></td></tr>" for k, v in rows)
    return f"<table class='sl-readout'>{body}</table>"


def nice_ceil(x: float, floor: float = 1.0) -> float:
    """The smallest of 1, 2, 5 × 10^k that is ≥ ``x`` (and ≥ ``floor``): an axis limit that moves only when the data
    outgrows it (so drags rarely redraw the background), while the data still fills at least 40 % of the axis.

    >>> nice_ceil(3.2), nice_ceil(0.07, floor=0.01), nice_ceil(20), nice_ceil(0.0)
    (5.0, 0.1, 20.0, 1.0)
    """
    x = max(float(x), float(floor))
    if not np.isfinite(x) or x <= 0:
        return float(floor)
    k = np.floor(np.log10(x))
    for m in (1.0, 2.0, 5.0, 10.0):
        v = float(m * 10.0**k)
        if v >= x * (1 - 1e-12):
            return float(f"{v:.12g}")
    return float(f"{10.0 ** (k + 1):.12g}")


def legend_above(ax, ncols: int, fontsize: float = 9, title_pad: float | None = None, **kwargs):
    """A frameless legend in a row (or rows) just above ``ax``, clear of the data, with the title lifted above it.

    Outside the axes, a legend is part of an explorer's reusable background, so it costs nothing per frame.
    """
    handles, _labels = ax.get_legend_handles_labels()
    rows = -(-len(handles) // max(1, ncols))
    legend = ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=ncols, frameon=False, fontsize=fontsize,
                       borderaxespad=0.0, handlelength=1.8, columnspacing=1.2, handletextpad=0.5, **kwargs)
    ax.set_title(ax.get_title(), pad=title_pad if title_pad is not None else 6 + rows * fontsize * 1.5,
                 fontsize=ax.title.get_fontsize())
    return legend

"""Accessibility of what the course draws and the controls it shows.

- The course plot style (``socialized_loss.plots.STYLE``): opaque white figure and savefig backgrounds (readable in
  JupyterLab's dark theme), fonts of at least 11 pt, a colour cycle of colour-blind-safe colours that also varies line
  style and marker, and no seaborn style names anywhere in ``helpers/`` or ``lessons/`` (they were renamed upstream
  and broke other courses).
- Every explorer in ``socialized_loss.widgets`` (each ``*_explorer`` function, built with no arguments): every control
  has a description (what a screen reader announces), numeric sliders name their unit in parentheses, every axis of
  its figure has an x and a y label, and no text in the figure is tiny.

That every figure and widget in a lesson is followed by a text description is enforced by
``tests/test_lesson_structure.py``.
"""
from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib.colors import to_hex, to_rgba
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from socialized_loss import plots

ROOT = Path(__file__).resolve().parents[1]

# --- the plot style ------------------------------------------------------------------------------------------------

MIN_FONT_PT = 11
FONT_KEYS = (
    "font.size",
    "axes.titlesize",
    "axes.labelsize",
    "xtick.labelsize",
    "ytick.labelsize",
    "legend.fontsize",
    "legend.title_fontsize",
    "figure.titlesize",
    "figure.labelsize",
)
#: Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/); matplotlib's tableau-colorblind10 is
#: added from matplotlib itself below.
OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
SEABORN_STYLE = re.compile(
    r"""seaborn[-_]\w                              # a style name: seaborn-whitegrid, seaborn-v0_8-…
      | style\.(?:use|context)\([^)]*seaborn       # plt.style.use("seaborn…") / style.context([...seaborn...])
      | \bimport\s+seaborn | \bfrom\s+seaborn\b     # the library itself (its set_theme rewrites rcParams)""",
    re.VERBOSE,
)
TEXT_SUFFIXES = {".py", ".md", ".mplstyle", ".txt", ".cfg", ".toml", ".yml", ".yaml", ".json", ".ipynb"}


def colour_blind_safe() -> set[str]:
    safe = {c.upper() for c in OKABE_ITO}
    tableau = mpl.style.library.get("tableau-colorblind10", {}).get("axes.prop_cycle")
    if tableau is not None:
        safe |= {to_hex(c).upper() for c in tableau.by_key()["color"]}
    return safe


def test_figure_and_savefig_backgrounds_are_opaque_white():
    for key in ("figure.facecolor", "savefig.facecolor"):
        assert key in plots.STYLE, f"STYLE must set {key} (a transparent figure is unreadable on a dark theme)"
        assert to_rgba(plots.STYLE[key]) == (1.0, 1.0, 1.0, 1.0), f"{key} is {plots.STYLE[key]!r}, not opaque white"


def test_fonts_are_at_least_11_pt():
    with mpl.rc_context():
        mpl.rcdefaults()
        plots.use_style()
        for key in FONT_KEYS:
            value = mpl.rcParams.get(key)
            if value is None:  # e.g. legend.title_fontsize None = same as legend.fontsize
                continue
            points = FontProperties(size=value).get_size_in_points()
            assert points >= MIN_FONT_PT, (
                f"{key} = {value!r} is {points:.1f} pt; the course style needs ≥ {MIN_FONT_PT}"
            )


def test_colour_cycle_is_colour_blind_safe_with_line_styles_and_markers():
    cycle = plots.STYLE["axes.prop_cycle"].by_key()
    for key in ("color", "linestyle", "marker"):
        assert key in cycle, f"the style's prop_cycle must vary {key!r} (colour alone does not tell lines apart)"
    colours = [to_hex(c).upper() for c in cycle["color"]]
    unsafe = [c for c in colours if c not in colour_blind_safe()]
    assert not unsafe, f"colours outside the Okabe–Ito and tableau-colorblind10 palettes: {unsafe}"
    assert len(set(colours)) == len(colours) >= 6, "at least six distinct colours"
    assert len(set(cycle["marker"])) == len(cycle["marker"]), "every entry of the cycle needs its own marker"
    styles = cycle["linestyle"]
    assert len(set(styles)) >= 3, "at least three line styles"
    assert all(a != b for a, b in itertools.pairwise(styles)), "neighbouring lines in the cycle need different styles"


def test_use_style_applies_the_style():
    with mpl.rc_context():
        plots.use_style()
        for key in ("figure.facecolor", "savefig.facecolor", "font.size"):
            assert mpl.rcParams[key] == mpl.rcParams.validate[key](plots.STYLE[key])


def test_no_seaborn_style_names():
    hits = []
    for folder in ("helpers", "lessons"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in TEXT_SUFFIXES or not path.is_file() or "__pycache__" in path.parts:
                continue
            for lineno, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if SEABORN_STYLE.search(line):
                    hits.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()[:100]}")
    assert not hits, "seaborn style names or imports (use sl.plots.use_style()):\n" + "\n".join(hits)


# --- the explorers -------------------------------------------------------------------------------------------------

#: A unit in the last parentheses of a slider's description: a currency or coin, %, ×, basis points, time, or a count
#: of things. "(USD/BTC)", "(% of notional)", "(× fund)", "(million USD)", "(days)", "(contracts)" all qualify.
UNIT = re.compile(
    r"USD|EUR|GBP|CHF|JPY|CNY|BTC|ETH|DAI|USDC|USDT|%|×"
    r"|\bbps?\b|\bms\b|\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b"
    r"|\b(?:contracts?|count|shares?|traders?|accounts?|paths?|lots?|tokens?)\b",
    re.IGNORECASE,
)
SCALE_ONLY = re.compile(r"^(?:thousand|million|billion)s?$", re.IGNORECASE)
#: Numeric controls with no unit, and why that is right. Keyed by (explorer, control name).
UNITLESS = {
    ("adl_queue_explorer", "seed"): "a random seed labels a draw of dYdX's random ADL order; it is not a quantity",
    ("waves_explorer", "step"): "an index into the event's 16 ADL waves; its parentheses give the range instead",
}
#: An explorer with a control of this name sets the currency live, so a slider in "(million)" is in millions of it.
CURRENCY_CONTROL = "currency"
#: Text drawn in an explorer's figure (legends, annotations, tick labels) may be smaller than the style's 11 pt body
#: text, but not smaller than this.
MIN_FIGURE_TEXT_PT = 9


def _explorer_names() -> list[str]:
    try:
        from socialized_loss import widgets
    except Exception as exc:  # noqa: BLE001 - reported by test_widgets_import below
        _IMPORT_ERROR.append(repr(exc))
        return []
    return sorted(n for n in getattr(widgets, "__all__", dir(widgets)) if n.endswith("_explorer"))


_IMPORT_ERROR: list[str] = []
EXPLORERS = _explorer_names()


def test_widgets_import():
    assert not _IMPORT_ERROR, f"socialized_loss.widgets failed to import: {_IMPORT_ERROR[0]}"
    assert EXPLORERS, "no *_explorer in socialized_loss.widgets"


@functools.cache
def built(name: str):
    from socialized_loss import widgets

    return getattr(widgets, name)()


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)


def interactive_widgets(explorer) -> dict[int, tuple[str, object]]:
    """Every control a learner can operate: the explorer's named controls and any other input in its ui."""
    import ipywidgets as W

    display_only = (W.HTML, W.HTMLMath, W.Label, W.Image, W.Valid, W.Audio, W.Video)
    found = {id(c): (name, c) for name, c in explorer.controls.items()}
    for w in _walk(explorer.ui):
        if id(w) in found or isinstance(w, (display_only, W.Box, W.Output)):
            continue
        if isinstance(w, (W.ValueWidget, W.Button)):
            found[id(w)] = (f"<{type(w).__name__} in ui>", w)
    return found


def numeric_controls(explorer) -> dict[str, object]:
    import ipywidgets as W

    numeric = (
        W.FloatSlider, W.IntSlider, W.FloatLogSlider, W.FloatRangeSlider, W.IntRangeSlider,
        W.FloatText, W.BoundedFloatText, W.IntText, W.BoundedIntText,
    )
    return {name: c for name, c in explorer.controls.items() if isinstance(c, numeric)}


def unit_of(description: str) -> str | None:
    m = re.search(r"\(([^()]*)\)\s*$", description.strip())
    return m.group(1).strip() if m else None


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_control_has_a_description(name):
    explorer = built(name)
    missing = [label for label, w in interactive_widgets(explorer).values() if not str(w.description).strip()]
    assert not missing, f"{name}: controls without a description (a screen reader announces nothing): {missing}"


@pytest.mark.parametrize("name", EXPLORERS)
def test_numeric_sliders_name_their_unit(name):
    explorer = built(name)
    bad = []
    for control, widget in numeric_controls(explorer).items():
        if (name, control) in UNITLESS:
            continue
        unit = unit_of(widget.description)
        if unit and UNIT.search(unit):
            continue
        if unit and SCALE_ONLY.match(unit) and CURRENCY_CONTROL in explorer.controls:
            continue  # "(million)" of the currency the explorer's Currency control sets
        bad.append(f"{control}: {widget.description!r}")
    assert not bad, (
        f"{name}: numeric controls need a unit in parentheses at the end of their description, e.g. "
        f"'Loss (USD)', 'Crash size (%)', 'Leverage (×)', 'Cooldown (days)'; or a justified entry in UNITLESS: {bad}"
    )


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_axis_is_labelled(name):
    figure = built(name).figure
    assert figure.axes, f"{name}: its figure has no axes"
    bad = []
    for i, ax in enumerate(figure.axes):
        if not ax.get_visible() or not ax.axison:
            continue  # an axes switched off (a legend or table holder) has no axes to label
        colorbar = getattr(ax, "_colorbar", None)
        if colorbar is not None:
            label = ax.get_ylabel() if colorbar.orientation == "vertical" else ax.get_xlabel()
            if not label.strip():
                bad.append(f"axes {i} (colour bar): no label")
            continue
        for which, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
            if not label.strip():
                bad.append(f"axes {i} ({ax.get_title()!r}): no {which} label")
    assert not bad, f"{name}: every axis needs a label saying what it shows and in which unit: {bad}"


@pytest.mark.parametrize("name", EXPLORERS)
def test_figure_text_is_not_tiny(name):
    figure = built(name).figure
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    small = [t for t in texts if t.get_fontsize() < MIN_FIGURE_TEXT_PT]
    tiny = sorted({(t.get_fontsize(), t.get_text().strip()[:30]) for t in small})
    assert not tiny, f"{name}: text below {MIN_FIGURE_TEXT_PT} pt in the figure: {tiny[:8]}"

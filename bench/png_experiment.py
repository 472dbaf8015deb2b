"""Scratch experiment (not one of the four tables): where a widget's PNG time goes, and what a shared change in
``widgets/_base.py`` would buy. Run with ``python bench/run.py --only png``.

Each variant replaces ``_base.render_png`` in this process only (the package is not edited) and the explorers are
timed as in ``widget_bench.py``. ``assemble`` freezes the layout after the first picture in every variant.

- ``current``: the committed ``render_png``: ``fig.savefig(buf, format="png", dpi=90, facecolor="white",
  bbox_inches=None, pil_kwargs={"compress_level": 1})``. Note ``bbox_inches=None`` means "use rcParams", and the
  course style sets ``savefig.bbox: tight``: so every call still draws the figure twice (savefig's pre-draw for
  any layout engine, the frozen one included) and measures every artist for the tight box.
- ``standard-bbox``: the same inside ``rc_context({"savefig.bbox": "standard"})``: no tight box, still two draws.
- ``print_png``: the proposal: the figure keeps ``dpi=90`` (set once), an Agg canvas is attached once, and
  ``fig.canvas.print_png(buf, pil_kwargs={"compress_level": 1})`` draws once and encodes; the Agg renderer and
  matplotlib's text-layout cache are reused between changes. No tight box: the picture keeps the figure's size
  (constrained layout already fits it), so it also no longer changes size while a slider moves.
- ``print_png-zlib6``: the proposal with Pillow's default zlib level, to show what level 1 buys.
- ``dpi72`` / ``print_png-dpi72``: at dpi 72 (a smaller picture: only for scale; it looks worse once CSS
  stretches it).

Each variant's first picture is compared with ``current``'s, pixel by pixel (mean absolute difference in 0-255
units, or the two sizes when they differ), so a speed-up that changes the picture shows.
"""
from __future__ import annotations

import io
import statistics
from pathlib import Path
from typing import Any, Callable

import matplotlib as mpl
import widget_bench as wb


def _savefig(fig, dpi: int = 90, **extra) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches=None, **extra)
    return buf.getvalue()


def current(fig, dpi: int = 90) -> bytes:
    return _savefig(fig, dpi, pil_kwargs={"compress_level": 1})


def standard_bbox(fig, dpi: int = 90) -> bytes:
    with mpl.rc_context({"savefig.bbox": "standard"}):
        return _savefig(fig, dpi, pil_kwargs={"compress_level": 1})


def _print_png(fig, dpi: int, level: int) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)  # attaches itself as fig.canvas
    if fig.dpi != dpi:
        fig.set_dpi(dpi)
    buf = io.BytesIO()
    fig.canvas.print_png(buf, pil_kwargs={"compress_level": level})
    return buf.getvalue()


def print_png(fig, dpi: int = 90) -> bytes:
    return _print_png(fig, dpi, 1)


def print_png_zlib6(fig, dpi: int = 90) -> bytes:
    return _print_png(fig, dpi, 6)


def dpi72(fig, dpi: int = 90) -> bytes:
    return current(fig, 72)


def print_png_dpi72(fig, dpi: int = 90) -> bytes:
    return _print_png(fig, 72, 1)


VARIANTS: dict[str, Callable] = {
    "current": current,
    "standard-bbox": standard_bbox,
    "print_png": print_png,
    "print_png-zlib6": print_png_zlib6,
    "dpi72": dpi72,
    "print_png-dpi72": print_png_dpi72,
}
BASELINE = "current"


SAMPLES = Path(__file__).resolve().parent / "results" / "png-experiment"


def _first_png(name: str, variant: Callable, save_as: str | None = None) -> bytes:
    builder, module = wb.discover()[name]
    with wb.instrumented({module}, variant):
        png = builder().image.value
    if save_as:  # kept for a look: bench/results/png-experiment/<explorer>.<variant>.png
        SAMPLES.mkdir(parents=True, exist_ok=True)
        (SAMPLES / f"{name}.{save_as}.png").write_bytes(png)
    return png


def _pixel_diff(a: bytes, b: bytes) -> str:
    """Mean |Δ| (0-255) between two pictures; when the sizes differ by a margin (the tight box adds a pad), the
    smaller one is slid over the larger and the best alignment is reported."""
    import numpy as np
    from PIL import Image

    ia, ib = (np.asarray(Image.open(io.BytesIO(x)).convert("RGB"), dtype=float) for x in (a, b))
    if ia.shape == ib.shape:
        return f"{abs(ia - ib).mean():.2f}"
    big, small = (ia, ib) if ia.size >= ib.size else (ib, ia)
    dh, dw = big.shape[0] - small.shape[0], big.shape[1] - small.shape[1]
    if dh < 0 or dw < 0 or dh > 24 or dw > 24:
        return f"size {ib.shape[1]}×{ib.shape[0]} vs {ia.shape[1]}×{ia.shape[0]} (not comparable)"
    best = min(abs(big[y:y + small.shape[0], x:x + small.shape[1]] - small).mean()
               for y in range(dh + 1) for x in range(dw + 1))
    return f"{best:.2f} (size {ib.shape[1]}×{ib.shape[0]} vs {ia.shape[1]}×{ia.shape[0]}, aligned)"


def run(n_changes: int = 20, variants: list[str] | None = None) -> dict[str, Any]:
    names = variants or list(VARIANTS)
    out: dict[str, Any] = {}
    for v in names:
        out[v] = wb.run(n_changes, render_png=VARIANTS[v])
    # does the picture change? first picture of each explorer vs the baseline's
    diffs: dict[str, dict[str, str]] = {}
    for name in sorted(wb.discover()):
        ref = _first_png(name, VARIANTS[BASELINE], save_as=BASELINE)
        diffs[name] = {v: _pixel_diff(ref, _first_png(name, VARIANTS[v], save_as=v)) for v in names if v != BASELINE}
    return {"variants": out, "pixel_diff_vs_baseline": diffs, "n_changes": n_changes}


def print_table(r: dict[str, Any]) -> None:
    variants = list(r["variants"])
    explorers = sorted(next(iter(r["variants"].values())))  # the yardstick row first (its name sorts first)
    print("median ms per change, wall / cpu (render_png part in brackets)")
    print(f"{'explorer':<24}" + "".join(f"{v:>22}" for v in variants))
    for e in explorers:
        cells = []
        for v in variants:
            x = r["variants"][v].get(e, {})
            if "reference" in x:
                ref = x["reference"]
                cells.append(f"{ref['median_s'] * 1e3:>8.0f}/{ref['cpu_median_s'] * 1e3:<4.0f}{'':>10}")
                continue
            if "error" in x or not x:
                cells.append(f"{'ERROR':>22}")
            else:
                cells.append(f"{x['median_s'] * 1e3:>8.0f}/{x['cpu_median_s'] * 1e3:<4.0f}[{x['png_median_s'] * 1e3:>5.0f}]  ")
        print(f"{e:<24}" + "".join(cells))
    for v in variants:
        ok = [x for x in r["variants"][v].values() if "median_s" in x]
        if ok:
            med = statistics.median(x["median_s"] for x in ok)
            cpu = statistics.median(x["cpu_median_s"] for x in ok)
            print(f"  {v:<18} median over explorers: wall {med * 1e3:.0f} ms, cpu {cpu * 1e3:.0f} ms")
    print(f"pixel difference of the first picture vs {BASELINE} (mean |Δ| in 0-255; 0 = identical):")
    for e, d in r["pixel_diff_vs_baseline"].items():
        print(f"  {e:<24}" + "  ".join(f"{v}: {x}" for v, x in d.items()))

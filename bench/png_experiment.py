"""Scratch experiment (not one of the four tables): where a widget's PNG time goes, and what a shared change in
``widgets/_base.py`` would buy. Run with ``python bench/run.py --only png``.

Each variant replaces ``_base.render_png`` in this process only (the package is not edited) and the explorers are
timed as in ``widget_bench.py``. Variants:

- ``baseline``: the current ``render_png``: ``fig.savefig(buf, format="png", dpi=90, facecolor="white")``.
- ``compress1``: the same with ``pil_kwargs={"compress_level": 1}`` (zlib level 1 instead of Pillow's 6).
- ``frozen``: run the layout engine once, then ``fig.set_layout_engine("none")`` so later draws keep the
  positions instead of re-solving the constrained layout on every change.
- ``frozen+compress1``: both.
- ``direct``: ``fig.set_dpi(90)`` once, ``fig.canvas.draw()`` and encode ``canvas.buffer_rgba()`` with Pillow at
  compress_level 1 (skips ``savefig``'s per-call renderer and dpi/facecolor swaps); with the frozen layout.
- ``dpi72``: the baseline at dpi 72 (a smaller picture: only for scale, it looks worse when the CSS stretches it).

Each variant's first picture is compared with the baseline's, pixel by pixel, so a speed-up that changes the
picture shows up (mean absolute difference in 0-255 units; size mismatch reported).
"""
from __future__ import annotations

import io
import statistics
from typing import Any, Callable

import widget_bench as wb


def _savefig(fig, dpi: int = 90, **extra) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", **extra)
    return buf.getvalue()


def _freeze(fig) -> None:
    if getattr(fig, "_sl_frozen", False):
        return
    if fig.get_layout_engine() is not None:
        fig.canvas.draw()  # solve the layout once, at the figure's size
        fig.set_layout_engine("none")
    fig._sl_frozen = True


def baseline(fig, dpi: int = 90) -> bytes:
    return _savefig(fig, dpi)


def compress1(fig, dpi: int = 90) -> bytes:
    return _savefig(fig, dpi, pil_kwargs={"compress_level": 1})


def frozen(fig, dpi: int = 90) -> bytes:
    _freeze(fig)
    return _savefig(fig, dpi)


def frozen_compress1(fig, dpi: int = 90) -> bytes:
    _freeze(fig)
    return _savefig(fig, dpi, pil_kwargs={"compress_level": 1})


def direct(fig, dpi: int = 90) -> bytes:
    from PIL import Image

    if fig.dpi != dpi:
        fig.set_dpi(dpi)
        fig.patch.set_facecolor("white")
    _freeze(fig)
    fig.canvas.draw()
    w, h = fig.canvas.get_width_height(physical=True)
    img = Image.frombuffer("RGBA", (w, h), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    out = io.BytesIO()
    img.save(out, format="png", compress_level=1)
    return out.getvalue()


def dpi72(fig, dpi: int = 90) -> bytes:
    return _savefig(fig, 72)


VARIANTS: dict[str, Callable] = {
    "baseline": baseline,
    "compress1": compress1,
    "frozen": frozen,
    "frozen+compress1": frozen_compress1,
    "direct": direct,
    "dpi72": dpi72,
}


def _first_png(name: str, variant: Callable) -> bytes:
    builder, module = wb.discover()[name]
    with wb.instrumented({module}, variant):
        return builder().image.value


def _pixel_diff(a: bytes, b: bytes) -> str:
    import numpy as np
    from PIL import Image

    ia, ib = (np.asarray(Image.open(io.BytesIO(x)).convert("RGB"), dtype=float) for x in (a, b))
    if ia.shape != ib.shape:
        return f"size {ib.shape[1]}×{ib.shape[0]} vs {ia.shape[1]}×{ia.shape[0]}"
    return f"{abs(ia - ib).mean():.2f}"


def run(n_changes: int = 20, variants: list[str] | None = None) -> dict[str, Any]:
    names = variants or list(VARIANTS)
    out: dict[str, Any] = {}
    for v in names:
        out[v] = wb.run(n_changes, render_png=VARIANTS[v])
    # does the picture change? first picture of each explorer vs the baseline's
    diffs: dict[str, dict[str, str]] = {}
    for name in wb.discover():
        ref = _first_png(name, baseline)
        diffs[name] = {v: _pixel_diff(ref, _first_png(name, VARIANTS[v])) for v in names if v != "baseline"}
    return {"variants": out, "pixel_diff_vs_baseline": diffs, "n_changes": n_changes}


def print_table(r: dict[str, Any]) -> None:
    variants = list(r["variants"])
    explorers = sorted(next(iter(r["variants"].values())))
    print("median ms per change, wall / cpu (render_png part in brackets)")
    print(f"{'explorer':<24}" + "".join(f"{v:>22}" for v in variants))
    for e in explorers:
        cells = []
        for v in variants:
            x = r["variants"][v].get(e, {})
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
    print("pixel difference of the first picture vs baseline (mean |Δ| in 0-255; 0 = identical):")
    for e, d in r["pixel_diff_vs_baseline"].items():
        print(f"  {e:<24}" + "  ".join(f"{v}: {x}" for v, x in d.items()))

"""Scratch experiment (not one of the four tables): what each way of turning an explorer's figure into PNG bytes
costs, on the same explorers and the same control changes. Run with ``python bench/run.py --only png``.

Variants (each replaces the package's PNG step in this process only; the package is not edited):

- ``committed``: the package as it is (since 32ad919: ``BlitRenderer``, i.e. the static background drawn once
  and reused while limits and ticks stay put, data artists blitted on it, encoded by Pillow at zlib level 1).
- ``print_png``: a full Agg draw every change, ``fig.canvas.print_png(buf, pil_kwargs={"compress_level": 1})``
  (the proposal of this experiment's first round; what ``_base.render_png`` now does for the first picture).
- ``savefig-bffd94e``: ``fig.savefig(buf, format="png", dpi=90, facecolor="white", bbox_inches=None,
  pil_kwargs={"compress_level": 1})``. ``bbox_inches=None`` means "use rcParams", and the course style sets
  ``savefig.bbox: tight``, so this still draws twice (savefig's pre-draw for any layout engine) and measures every
  artist for the tight box.
- ``savefig-3739aad``: the first version, ``fig.savefig(buf, format="png", dpi=90, facecolor="white")``
  (zlib level 6).

The "before" variants run on today's figures (dpi 90, Agg canvas, layout frozen after the first picture), so they
isolate the renderer. Pictures: each variant's first picture is compared with ``committed``'s (mean |Δ| in 0-255;
sizes differ with a tight box, then the best alignment is used), and, per explorer, the blitted picture after
several changes is compared with a full redraw of the same state (0 = blitting paints exactly what a full draw
would).
"""
from __future__ import annotations

import io
import statistics
from pathlib import Path
from typing import Any, Callable

import widget_bench as wb


def print_png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.canvas.print_png(buf, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def savefig_bffd94e(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, facecolor="white", bbox_inches=None, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def savefig_3739aad(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, facecolor="white")
    return buf.getvalue()


VARIANTS: dict[str, Callable | None] = {
    "committed": None,
    "print_png": print_png,
    "savefig-bffd94e": savefig_bffd94e,
    "savefig-3739aad": savefig_3739aad,
}
BASELINE = "committed"


SAMPLES = Path(__file__).resolve().parent / "results" / "png-experiment"


def _first_png(name: str, variant: Callable | None, save_as: str | None = None) -> bytes:
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


def blit_check(name: str, n_changes: int = 6) -> str:
    """The committed renderer's picture after ``n_changes`` changes vs a full redraw of the same figure."""
    builder, module = wb.discover()[name]
    with wb.instrumented({module}):
        ex = builder()
        for cname, (attr, value) in wb.change_plan(ex.controls, n_changes):
            setattr(ex.controls[cname], attr, value)
        blitted = ex.image.value
    full = print_png(ex.figure)
    SAMPLES.mkdir(parents=True, exist_ok=True)
    (SAMPLES / f"{name}.after-{n_changes}.blitted.png").write_bytes(blitted)
    (SAMPLES / f"{name}.after-{n_changes}.full.png").write_bytes(full)
    return _pixel_diff(full, blitted)


SIGNATURE_FIELDS = ("visible", "limits", "xticks", "yticks", "xticklabels", "yticklabels", "xlabel", "ylabel",
                    "legend")


def why_full_redraws(name: str, n_changes: int = 20) -> dict[str, int]:
    """Drag the first slider one step at a time; count which part of the static signature (what decides whether
    the background can be reused) changed at each step. Empty = every step could be blitted."""
    from socialized_loss.widgets import _base

    if not hasattr(_base, "_static_signature"):
        return {}
    builder, module = wb.discover()[name]
    counts: dict[str, int] = {}
    with wb.instrumented({module}):
        ex = builder()
        for cname, (attr, value) in wb.drag_plan(ex.controls, n_changes):
            before = _base._static_signature(ex.figure)
            setattr(ex.controls[cname], attr, value)
            after = _base._static_signature(ex.figure)
            for k, (a, b) in enumerate(zip(before, after, strict=False)):
                for field_name, x, y in zip(SIGNATURE_FIELDS, a, b, strict=False):
                    if x != y:
                        key = f"axes {k}: {field_name}"
                        counts[key] = counts.get(key, 0) + 1
    return counts


def run(n_changes: int = 20, variants: list[str] | None = None) -> dict[str, Any]:
    names = variants or list(VARIANTS)
    out: dict[str, Any] = {}
    for v in names:
        out[v] = wb.run(n_changes, render_png=VARIANTS[v])
    diffs: dict[str, dict[str, str]] = {}
    for name in sorted(wb.discover()):
        ref = _first_png(name, VARIANTS[BASELINE], save_as=BASELINE)
        diffs[name] = {v: _pixel_diff(ref, _first_png(name, VARIANTS[v], save_as=v)) for v in names if v != BASELINE}
        diffs[name]["blitted vs full redraw"] = blit_check(name)
    why = {name: why_full_redraws(name, n_changes) for name in sorted(wb.discover())}
    return {"variants": out, "pixel_diff_vs_baseline": diffs, "n_changes": n_changes, "why_full_redraws": why}


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
    print(f"why the background is redrawn while the first slider is dragged ({r['n_changes']} one-step moves): "
          "what changed, how many times")
    for e, c in r.get("why_full_redraws", {}).items():
        print(f"  {e:<24}" + (", ".join(f"{k} ×{n}" for k, n in sorted(c.items(), key=lambda kv: -kv[1]))
                               or "nothing: every step blitted"))

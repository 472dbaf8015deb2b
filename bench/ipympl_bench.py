"""Issue 13's comparison: the course's PNG explorers against a matplotlib-native alternative (ipympl), same figure,
same control, same page, same kernel, JupyterLab in headless Chromium at 1366 × 768 with the file browser open.

A MEASUREMENT, not part of the course: ipympl is not a course dependency. Run this bench with a Python that has the
course's packages plus ``ipympl`` (a scratch venv outside the repo; see "Usage"). The server is started as
``bench/browser_bench.py`` starts it (scratch Jupyter dirs and lab settings, the course's server extension), and its
page instrumentation (``INIT_JS``), drag and latency rule are imported from there.

Per explorer (``fund_explorer`` and ``stress_explorer``; for the stress lab only its first slider, the jump size),
three variants of the SAME explorer (each its own instance: its own figure, with the course's layout already solved
and frozen), side by side in one notebook:

- ``png``: the course's explorer as it is (``assemble``: update → draw → ``BlitRenderer`` → ``encode_png`` →
  ``W.Image``);
- ``ipympl``: the explorer's figure given an ipympl canvas (``ipympl.backend_nbagg.Canvas``, what ``%matplotlib
  widget`` makes) in place of the image, the same slider and readout wired to the explorer's own ``update`` and
  ``draw`` (taken from its ``refresh`` closure), then ``fig.canvas.draw_idle()``: ipympl's own loop (the kernel asks
  the page to ask for a draw; the kernel draws the whole figure with Agg and sends a PNG of the changed pixels);
- ``ipympl_blit``: the same canvas, redrawn by blitting (the background under the data artists drawn once and kept
  while its ``background_signature`` stays the same, the course's ``foreground`` artists drawn on it, then
  ``canvas.blit()``, which sends the frame at once, without the draw request round trip).

Each variant's slider is dragged with the mouse as browser_bench drags (N steps to the far end and back, one every
``--interval-ms``), in rounds that alternate the variants (the order rotated each round). Latency = a pointer move
that changed the slider's readout → the new picture on screen: for ``png`` the ``img.decode()`` of the first image
whose message was sent after the move (browser_bench's rule); for ipympl the first ``drawImage`` onto the figure's
on-page canvas after the first PNG frame whose triggering message (the slider's own, or the page's draw request) was
sent after the slider's message (the kernel handles a websocket's messages in order, so that frame shows the new
value). Bytes per frame: the websocket frames carrying a picture (PNG; ipympl's are RGBA diffs: unchanged pixels
transparent).

Measured 2026-12-03 on the course as of commit 233b3f8, before kept backgrounds and idle work (2 CPUs, ipympl
0.10.0, JupyterLab 4.6.6, matplotlib 3.11.2; drags at 1-min load 0.4-1.2, medians / p95 ms, KB per picture frame):
fund png 49 / 99, 40.8 KB; fund ipympl 293 / 353, 19.2 KB; fund ipympl_blit 58 / 146, 19.1 KB; stress png 55 / 128,
35.9 KB; stress ipympl 309 / 374, 5.1 KB; stress ipympl_blit 97 / 189, 5.4 KB. ipympl's own loop pays a full Agg
draw (76-92 ms) and a second round trip (the page's draw request) per frame. In diff mode a frame that arrives while
the page still decodes the previous one replaces it unseen, and the pixels that frame changed stay stale: one loaded
run (load 2.3) ended with left-over bars and labels on the stress lab.

Usage (a scratch venv with the course's packages and ipympl, outside the repo)::

    .venv/bin/uv venv /tmp/ipympl-venv -p .venv/bin/python
    .venv/bin/pip freeze | grep -v '^-e' > /tmp/constraints.txt
    VIRTUAL_ENV=/tmp/ipympl-venv .venv/bin/uv pip install -r /tmp/constraints.txt -e . ipympl==0.10.0
    /tmp/ipympl-venv/bin/python bench/ipympl_bench.py [--rounds 3] [--shots DIR] [--save FILE.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import browser_bench as bb  # puts tests/browser on the path too
from widget_bench import percentile

EXPLORERS = ("fund_explorer", "stress_explorer")
VARIANTS = ("png", "ipympl", "ipympl_blit")

#: browser_bench's instrumentation, with each message the page sends tagged by kind ('value' = a control's new value)
_SENT = "S.sent.push({t, id: m.header.msg_id})"
assert _SENT in bb.INIT_JS, "browser_bench.INIT_JS changed: update ipympl_bench"
INIT_JS = bb.INIT_JS.replace(_SENT, "S.sent.push({t, id: m.header.msg_id, kind: window.__slKind(m.content)})")

#: runs before INIT_JS: the message kinds, and a timestamp for every drawImage onto an ipympl canvas on the page
PAINT_JS = r"""
(() => {
  window.__slKind = c => {
    const d = c && c.data;
    if (!d) return '';
    if (d.method === 'update' && d.state && 'value' in d.state) return 'value';
    if (d.method === 'custom') return 'custom:' + ((d.content && d.content.type) || '');
    return d.method || '';
  };
  window.__slPaints = [];
  const orig = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const out = orig.apply(this, args);
    const c = this.canvas;
    if (c && c.isConnected && c.closest && c.closest('.jupyter-matplotlib')) {
      const root = c.closest('[data-sl-bench]');
      window.__slPaints.push({t: performance.now(), name: root ? root.getAttribute('data-sl-bench') : null});
    }
    return out;
  };
})();
"""

SETUP_CODE = r'''
import collections, json, time
import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from ipympl.backend_nbagg import Canvas, FigureManager
import socialized_loss as sl
from socialized_loss.widgets import _base

EX = {}

def _closure(fn):
    return dict(zip(fn.__code__.co_freevars, (c.cell_contents for c in fn.__closure__)))


class Ipympl:
    """A course explorer shown through ipympl: its figure on an ipympl canvas in place of its image, its controls
    and readout wired to its own update and draw. ``blit``: redraw by blitting (see the module's docstring)."""
    _num = 100

    def __init__(self, build, blit=False):
        ex = build()
        inner = _closure(ex.refresh)
        self.update, self.draw = inner["update"], inner["draw"]
        for c in ex.controls.values():
            c.unobserve(ex.refresh, names="value")
        self.explorer, self.fig, self.blit = ex, ex.figure, blit
        Ipympl._num += 1
        self.canvas = Canvas(self.fig)
        self.manager = FigureManager(self.canvas, Ipympl._num)
        self.canvas.header_visible = False
        self.timings = collections.deque(maxlen=4000)  # per slider change: compute, artists (and blit: draw)
        self.frames = collections.deque(maxlen=4000)   # per PNG sent: draw (Agg), encode (diff + PNG), bytes
        self._bg = self._sig = self._fg = None
        own_draw, own_diff = self.canvas.draw, self.canvas.get_diff_image

        def draw():  # the page's draw request: Agg draw of the whole figure, then the frame (refresh_all)
            t0, c0 = time.perf_counter(), time.process_time()
            own_draw()
            f = self.frames[-1] if self.frames and self.frames[-1].get("t0", 0) >= t0 else None
            if f is not None:
                f["draw"] = time.perf_counter() - t0 - f["encode"]
                f["cpu"] = time.process_time() - c0

        def get_diff_image():
            t0 = time.perf_counter()
            png = own_diff()
            if png is not None:
                self.frames.append({"t0": t0, "encode": time.perf_counter() - t0, "bytes": len(png), "draw": 0.0,
                                    "cpu": 0.0, "t": time.time()})
            return png

        self.canvas.draw, self.canvas.get_diff_image = draw, get_diff_image
        for c in ex.controls.values():
            c.observe(self.refresh, names="value")
        ex.ui.children = [*ex.ui.children[:-1], self.canvas]  # the same layout, the canvas where the image was
        self.ui = ex.ui

    def _blit(self):
        fig, canvas = self.fig, self.canvas
        sig = _base.background_signature(fig)
        if sig != self._sig:
            fg = _base.foreground(fig, canvas.get_renderer())
            for a in fg:
                a.set_animated(True)
            try:
                FigureCanvasAgg.draw(canvas)  # the background alone, not sent
            finally:
                for a in fg:
                    a.set_animated(False)
            self._bg, self._sig, self._fg = canvas.copy_from_bbox(fig.bbox), sig, fg
        else:
            canvas.restore_region(self._bg)
        renderer = canvas.get_renderer()
        for a in self._fg:
            a.draw(renderer)

    def refresh(self, *change):
        t0, c0 = time.perf_counter(), time.process_time()
        values = {k: c.value for k, c in self.explorer.controls.items()}
        state, html = self.update(values)
        t1 = time.perf_counter()
        self.draw(state)
        t2 = time.perf_counter()
        self.explorer.readout.value = html
        row = {"compute": t1 - t0, "artists": t2 - t1, "t": time.time()}
        if self.blit:
            self._blit()
            t3 = time.perf_counter()
            self.canvas.blit(self.fig.bbox)  # get_diff_image + send, now
            row["draw"] = t3 - t2
            if self.frames and self.frames[-1]["t0"] >= t3:
                self.frames[-1]["draw"] = t3 - t2
        else:
            self.canvas.draw_idle()  # asks the page to ask for a draw
        row["cpu"] = time.process_time() - c0
        self.timings.append(row)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.ui)


def _timings(name, since):
    x = EX[name]
    if isinstance(x, Ipympl):
        return {"handler": list(x.timings)[since[0]:], "frames": [dict(f) for f in list(x.frames)[since[1]:]]}
    return {"handler": list(x.timings)[since[0]:], "frames": list(x.timings)[since[0]:]}


def _fresh(name):
    """The figure fully drawn now, as PNG bytes in base64: what the page should show."""
    import base64
    x = EX[name]
    if isinstance(x, Ipympl):
        FigureCanvasAgg.draw(x.canvas)  # not sent
        png = _base.encode_png(_base._pixels(x.fig))
    else:
        png = x.render_fresh()
    return base64.b64encode(png).decode()


def _counts(name):
    x = EX[name]
    return [len(x.timings), len(x.frames) if isinstance(x, Ipympl) else len(x.timings)]
'''


def cells() -> list[tuple[str, str]]:
    """(name, code) of each bench cell: per explorer, the three variants."""
    build = {"png": "sl.widgets.{e}()", "ipympl": "Ipympl(sl.widgets.{e})",
             "ipympl_blit": "Ipympl(sl.widgets.{e}, blit=True)"}
    return [(f"{e}:{v}", f'EX["{e}:{v}"] = {build[v].format(e=e)}\nEX["{e}:{v}"]') for e in EXPLORERS for v in VARIANTS]


def write_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(SETUP_CODE))
    nb.cells += [nbformat.v4.new_code_cell(code) for _name, code in cells()]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


# ------------------------------------------------------------------------------------------------ page side
def _data(page, since: float) -> dict:
    d = bb._data(page, since)
    d["paints"] = page.evaluate("(since) => window.__slPaints.filter(p => p.t >= since)", since)
    return d


def _wait_quiet(page, since: float, quiet_ms: float = 500.0, timeout_s: float = 30.0) -> None:
    """Until every image is decoded and nothing (message, frame, paint) has happened for ``quiet_ms``."""
    try:
        page.wait_for_function(
            """([since, quiet]) => { const S = window.__sl; const now = performance.now();
                const imgs = S.imgs.filter(x => x.t_src >= since);
                const last = Math.max(since, ...S.recv.map(r => r.t), ...S.sent.map(s => s.t),
                                      ...window.__slPaints.map(p => p.t), ...imgs.map(x => x.t_dec || now));
                return imgs.every(x => x.t_dec !== null) && now - last > quiet; }""",
            arg=[since, quiet_ms], timeout=timeout_s * 1000, polling=50,
        )
    except Exception:  # noqa: BLE001, S110  (counted: n says how many moves got a picture)
        pass


def as_image_chain(d: dict, variant: str) -> dict:
    """The run's messages in browser_bench's form (a control's message → the picture frame it caused → the picture
    shown), so its ``latencies`` applies to both paths: each of the control's messages is answered by the first PNG
    frame whose triggering message was sent at or after it; the picture shown is the image's decode (png) or the
    canvas's drawImage (ipympl)."""
    sent_t = {s["id"]: s["t"] for s in d["sent"]}
    values = sorted((s for s in d["sent"] if s.get("kind") == "value"), key=lambda s: s["t"])
    frames = sorted(d["recv"], key=lambda r: r["t"])
    recv = []
    for s in values:
        r = next((r for r in frames if sent_t.get(r["parent"], float("-inf")) >= s["t"]), None)
        if r is not None:
            recv.append({"t": r["t"], "parent": s["id"], "bytes": r["bytes"]})
    imgs = d["imgs"] if variant == "png" else [{"t_src": p["t"], "t_dec": p["t"]} for p in d["paints"]]
    return {**d, "sent": values, "recv": recv, "imgs": imgs}


def _value_moves(d: dict) -> int:
    """The moves after which the slider's readout changed (browser_bench's filter): what ``n`` is out of."""
    events = sorted((e for e in d["events"] if e["type"] in ("pointermove", "pointerdown")), key=lambda e: e["t"])
    values = sorted(x["t"] for x in d.get("values", []))
    ends = [nxt["t"] for nxt in events[1:]] + [float("inf")]
    return sum(any(e["t"] <= t < end for t in values) for e, end in zip(events, ends))


def drag(page, name: str, drag_steps: int, interval_ms: float) -> dict:
    root = page.locator(f"[data-sl-bench='{name}']")
    root.evaluate("el => el.scrollIntoView({block: 'start'})")  # the controls and the whole picture in view
    page.wait_for_timeout(300)
    since = bb._mark(page)
    bb.drag_slider(page, root, interval_ms, drag_steps)  # its own wait is for images: ipympl needs ours too
    _wait_quiet(page, since)
    d = _data(page, since)
    variant = name.split(":")[1]
    rows = bb.latencies(as_image_chain(d, variant), ("pointermove", "pointerdown"))
    return {"rows": rows, "moves": _value_moves(d), "frame_bytes": [r["bytes"] for r in d["recv"]],
            "frames_page": len(d["recv"]), "shown": len(d["imgs"]) if variant == "png" else len(d["paints"]),
            "load": os.getloadavg()[0]}


def mark_cells(page) -> None:
    page.evaluate(
        """(names) => { const cs = document.querySelectorAll('.jp-Notebook .jp-CodeCell');
            names.forEach((n, i) => cs[i + 1].querySelector('.jp-OutputArea-output').setAttribute('data-sl-bench', n)); }""",
        [n for n, _ in cells()],
    )


def sizes(page) -> dict:
    """Per variant: the picture's pixels and the box it is shown in (CSS px)."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-sl-bench]')].map(o => {
            const img = o.querySelector('img.widget-image');
            const cv = o.querySelector('.jupyter-matplotlib canvas');
            const el = img || cv;
            const r = el.getBoundingClientRect();
            const tb = o.querySelector('.jupyter-matplotlib-toolbar');
            return [o.getAttribute('data-sl-bench'), {
                pixels: img ? [img.naturalWidth, img.naturalHeight] : [cv.width, cv.height],
                shown: [Math.round(r.width), Math.round(r.height)], dpr: window.devicePixelRatio,
                toolbar: tb ? getComputedStyle(tb).display : null,
                height: Math.round(o.getBoundingClientRect().height)}]; }))""")


_PAGE_PICTURE_JS = """(name) => {
    const o = document.querySelector(`[data-sl-bench='${name}']`);
    const img = o.querySelector('img.widget-image');
    let cv = o.querySelector('.jupyter-matplotlib-canvas-div canvas');
    if (img) {
        cv = document.createElement('canvas');
        cv.width = img.naturalWidth; cv.height = img.naturalHeight;
        cv.getContext('2d').drawImage(img, 0, 0);
    }
    return cv.toDataURL('image/png').split(',')[1];
}"""


def final_picture_check(page, names: list[str]) -> dict:
    """Per variant: pixels of the picture on the page (the image's, or the ipympl canvas's) that differ from a fresh
    full draw of the same figure in the kernel (0: the page shows what the figure is)."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    def pixels(b64: str) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")).astype(int)

    out = {}
    for n in names:
        shown = pixels(page.evaluate(_PAGE_PICTURE_JS, n))
        fresh = pixels(page.evaluate(bb.KERNEL_EXEC_JS, f'print(_fresh("{n}"))').strip())
        out[n] = (int((np.abs(shown - fresh).max(-1) > 0).sum()) if shown.shape == fresh.shape
                  else f"size {shown.shape[:2]} vs {fresh.shape[:2]}")
    return out


def screenshots(page, names: list[str], shots: Path) -> None:
    """Per variant, at the page's 1366 × 768: the page with the picture in view, the picture alone, and for ipympl
    the picture with the pointer on it (its toolbar fades in)."""
    for n in names:
        stem = n.replace(":", "-")
        pic = page.locator(f"[data-sl-bench='{n}'] :is(img.widget-image, .jupyter-matplotlib-figure)").first
        pic.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.mouse.move(5, 5)
        page.wait_for_timeout(600)
        page.screenshot(path=str(shots / f"{stem}.page.png"))
        pic.screenshot(path=str(shots / f"{stem}.png"))
        if "ipympl" in n:
            box = pic.bounding_box()
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_timeout(800)
            pic.screenshot(path=str(shots / f"{stem}.hover.png"))
            page.mouse.move(5, 5)


# ------------------------------------------------------------------------------------------------ the run
def run(rounds: int = 3, drag_steps: int = 30, interval_ms: float = 40.0, shots: Path | None = None) -> dict:
    from labdriver import wait_run_all

    try:
        import ipympl
    except ImportError:
        return {"status": "skipped", "reason": "ipympl is not installed in this Python (see Usage)"}
    import jupyterlab
    import matplotlib

    res: dict = {"viewport": bb.VIEWPORT, "drag_steps": drag_steps, "interval_ms": interval_ms, "rounds": rounds,
                 "versions": {"ipympl": ipympl.__version__, "jupyterlab": jupyterlab.__version__,
                              "matplotlib": matplotlib.__version__},
                 "loadavg_start": os.getloadavg(), "drags": {n: [] for n, _ in cells()}, "kernel": {}}
    try:
        with bb.lab_page(write_notebook, [PAINT_JS, INIT_JS], prefix="sl-ipympl-bench-") as lab:
            page = lab.page
            lab.start_run_all()
            wait_run_all(page, timeout_s=300)
            page.wait_for_function("() => document.querySelectorAll('.jupyter-matplotlib canvas').length >= "
                                   f"{2 * len(EXPLORERS)}", timeout=60_000)
            page.wait_for_timeout(2000)
            mark_cells(page)
            errors = page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output[data-mime-type="
                                   "\"application/vnd.jupyter.stderr\"]')].map(o => o.innerText.slice(0, 800))")
            res["page_errors"] = errors
            names = [n for n, _ in cells()]
            for n in names:  # warm-up, not recorded
                drag(page, n, drag_steps, interval_ms)
            counts = {n: json.loads(page.evaluate(bb.KERNEL_EXEC_JS, f'print(json.dumps(_counts("{n}")))'))
                      for n in names}
            for k in range(rounds):
                for e in EXPLORERS:
                    order = VARIANTS[k % len(VARIANTS):] + VARIANTS[:k % len(VARIANTS)]
                    for v in order:
                        res["drags"][f"{e}:{v}"].append(drag(page, f"{e}:{v}", drag_steps, interval_ms))
            for n in names:
                code = f'print(json.dumps(_timings("{n}", {counts[n]}), default=float))'
                res["kernel"][n] = json.loads(page.evaluate(bb.KERNEL_EXEC_JS, code) or "{}")
            res["sizes"] = sizes(page)
            res["final_check"] = final_picture_check(page, names)
            if shots is not None:
                screenshots(page, names, shots)
            res["loadavg_end"] = os.getloadavg()
    except LookupError as e:
        return {"status": "skipped", "reason": str(e)}
    return res


def summary(res: dict) -> list[dict]:
    out = []
    for name, drags in res["drags"].items():
        rows = [r for d in drags for r in d["rows"]]
        lat = [r["latency"] for r in rows]
        k = res["kernel"].get(name, {})
        hand, frames = k.get("handler", []), k.get("frames", [])
        ms = lambda xs: 1e3 * statistics.median(xs) if xs else float("nan")
        out.append({
            "name": name, "n": len(lat), "moves": sum(d["moves"] for d in drags),
            "median_ms": statistics.median(lat) if lat else float("nan"), "p95_ms": percentile(lat, 0.95),
            "max_ms": max(lat, default=float("nan")),
            "per_round_median_ms": [statistics.median([r["latency"] for r in d["rows"]]) if d["rows"] else None
                                    for d in drags],
            "wait_ms": statistics.median([r["wait"] for r in rows]) if rows else float("nan"),
            "roundtrip_ms": statistics.median([r["roundtrip"] for r in rows]) if rows else float("nan"),
            "shown_ms": statistics.median([r["decode"] for r in rows]) if rows else float("nan"),
            "frames_per_drag": statistics.mean(d["frames_page"] for d in drags) if drags else float("nan"),
            "shown_per_drag": statistics.mean(d.get("shown", 0) for d in drags) if drags else float("nan"),
            "kb_per_frame": statistics.median([b for d in drags for b in d["frame_bytes"]]) / 1024
            if any(d["frame_bytes"] for d in drags) else float("nan"),
            "compute_ms": ms([h["compute"] for h in hand]), "artists_ms": ms([h["artists"] for h in hand]),
            "draw_ms": ms([f["draw"] for f in frames]), "encode_ms": ms([f["encode"] for f in frames]),
            # the draw-request path spends its kernel CPU in two messages: the slider's, then the draw request's
            "cpu_ms": ms([h["cpu"] for h in hand]) + (ms([f["cpu"] for f in frames]) if name.endswith(":ipympl") else 0),
            "loads": [round(d["load"], 2) for d in drags],
        })
    return out


def print_table(res: dict) -> None:
    if res.get("status") == "skipped":
        print(f"skipped: {res['reason']}")
        return
    la0, la1 = res["loadavg_start"], res.get("loadavg_end", res["loadavg_start"])
    print(f"JupyterLab in headless Chromium {res['viewport']['width']}×{res['viewport']['height']}; {res['versions']}; "
          f"{res['rounds']} rounds × one drag per variant ({res['drag_steps']} steps each way, one every "
          f"{res['interval_ms']:.0f} ms), variants alternated. Latency = pointer move that changed the value → new "
          "picture on screen (img decoded / ipympl canvas drawImage).")
    print(f"load average (1/5/15 min): start {la0[0]:.2f} {la0[1]:.2f} {la0[2]:.2f}, "
          f"end {la1[0]:.2f} {la1[1]:.2f} {la1[2]:.2f} on {os.cpu_count()} CPUs")
    head = (f"{'explorer:variant':<29}{'n/moves':>8}{'median':>7}{'p95':>6}{'max':>6} | {'wait':>5}{'rtrip':>6}"
            f"{'shown':>6} | {'comp':>5}{'art':>5}{'draw':>5}{'enc':>5}{'cpu':>5} | {'KB/fr':>6}{'fr/shown':>10}"
            "  per-round medians      load after each drag")
    print(head)
    print("-" * len(head))
    for x in summary(res):
        rounds = " ".join(f"{m:.0f}" if m is not None else "-" for m in x["per_round_median_ms"])
        print(f"{x['name']:<29}{x['n']:>4}/{x['moves']:<3}{x['median_ms']:>7.0f}{x['p95_ms']:>6.0f}{x['max_ms']:>6.0f}"
              f" | {x['wait_ms']:>5.0f}{x['roundtrip_ms']:>6.0f}{x['shown_ms']:>6.0f} | {x['compute_ms']:>5.1f}"
              f"{x['artists_ms']:>5.1f}{x['draw_ms']:>5.1f}{x['encode_ms']:>5.1f}{x['cpu_ms']:>5.0f} |"
              f"{x['kb_per_frame']:>6.1f}{x['frames_per_drag']:>5.0f}/{x['shown_per_drag']:<4.0f} {rounds:<22} {x['loads']}")
    print("ms. n/moves = moves timed / moves that sent a value. wait = move → value sent; rtrip = sent → the "
          "answering picture frame received (ipympl: includes the page's draw request); shown = received → on screen "
          "(decode / drawImage). Kernel medians per change: comp = the explorer's update, art = its draw callback, "
          "draw = Agg (png: BlitRenderer; ipympl: full figure draw; blit: background reuse + foreground), enc = PNG "
          "encode (ipympl: diff + Pillow), cpu = kernel CPU per change. KB/fr = websocket frame carrying the picture. "
          "fr/shown = picture frames received / pictures put on screen, per drag (ipympl: a frame that arrives while "
          "the previous one is still decoding replaces it unseen).")
    for n, bad in res.get("final_check", {}).items():
        print(f"  {n:<29} after the drags, the picture on the page differs from a fresh full draw in {bad} pixels")
    for n, s in res.get("sizes", {}).items():
        print(f"  {n:<29} picture {s['pixels'][0]}×{s['pixels'][1]} px shown at {s['shown'][0]}×{s['shown'][1]} CSS px "
              f"(dpr {s['dpr']}), output {s['height']} px tall" + (f", toolbar {s['toolbar']}" if s["toolbar"] else ""))
    if res.get("page_errors"):
        print("page errors:", res["page_errors"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--drag-steps", type=int, default=30)
    ap.add_argument("--interval-ms", type=float, default=40.0)
    ap.add_argument("--shots", default="", help="folder for a screenshot of each variant at the end")
    ap.add_argument("--save", default="", help="also write the results as JSON to this file")
    ap.add_argument("--table", default="", help="print the table of a saved JSON file (no run)")
    args = ap.parse_args(argv)
    if args.table:
        print_table(json.loads(Path(args.table).read_text()))
        return 0
    shots = Path(args.shots) if args.shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    res = run(args.rounds, args.drag_steps, args.interval_ms, shots)
    if args.save:
        Path(args.save).write_text(json.dumps(res, default=str))
    print_table(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())

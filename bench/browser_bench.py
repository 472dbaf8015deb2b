"""Widget response in a real browser: JupyterLab in headless Chromium (as the browser tier runs it: 1366 × 768, the
file browser open), every explorer in one notebook, one kernel.

Per explorer: a scripted mouse drag of its main control (the first slider) across its range and back, then single
changes of every other control (each other option of a dropdown or toggle; three key presses on a slider). Before
the drag the bench waits (at most 30 s) until the explorer's idle work is done, as it is for a learner who reads an
explorer before dragging it (``Explorer.idle_pending``: the main slider's next states computed and their backgrounds
drawn, see ``widgets._base.assemble``); the single changes that follow come 250 ms apart, too soon for idle work,
so they show the cost of a state nothing prepared. The page is instrumented before JupyterLab loads (an init
script):

- user events (pointer moves with a button down, clicks, key presses, select changes) are timestamped as the page
  receives them;
- every comm message the page sends to the kernel is timestamped, and every image update the kernel sends back
  (a comm message carrying a binary buffer) is timestamped with its parent message id;
- each widget image's ``src`` change is observed and timed when ``img.decode()`` resolves (decoded in the DOM).

The latency of a control event is the time from the event to the decode of the first image whose triggering message
was sent after it (ipywidgets keeps one message in flight per control and sends the latest value next, so this is
what a learner waits for). Per explorer: median and p95 over all events that changed a value (in a drag, the moves
after which the slider's readout changed: a move within one step of a coarse slider sends nothing and waits for
nothing), and the split (medians):
wait (event → message sent: the previous frame still in flight), in (sent → the kernel's observer starts), the
kernel's own frame (compute, draw, encode, from ``Explorer.timings``), out (the kernel sent the image → the page
received it; the kernel's and the page's wall clocks are the same machine's), js (received → the image's ``src`` set)
and paint (``src`` set → decoded). The kernel's CPU time per frame and the load average are printed beside.

Two floors run first, in the same page and kernel: ``floor`` (one slider → an 8 × 8 image) and ``floor_frame`` (one
slider → a full-size frame, PNG-encoded per change), nothing computed or drawn: what JupyterLab, Chromium and
ipywidgets cost by themselves on this machine. Each explorer is also reported as its own cost above ``floor``.

The server runs with the course's extension (``helpers/socialized_loss_server.py``: kernel websockets without Nagle's
algorithm, as ``make lab`` runs it); ``SL_NAGLE=1`` leaves it out, for A/B figures.

Usage: ``python bench/browser_bench.py [--only margin,fund] [--drag-steps 30] [--interval-ms 40]``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(HERE))

from widget_bench import percentile  # one quantile rule for both benches

TARGET_MEDIAN_MS = 50.0
TARGET_P95_MS = 100.0
#: Longest wait (s) for an explorer's idle work before its drag (a learner reads an explorer before dragging it).
IDLE_WAIT_MAX_S = 30.0
VIEWPORT = {"width": 1366, "height": 768}

INIT_JS = r"""
(() => {
  const S = window.__sl = {sent: [], recv: [], imgs: [], events: [], values: []};
  const dec = new TextDecoder();
  function parse(data) {
    if (typeof data === 'string') {
      const m = JSON.parse(data);
      return {header: m.header, parent: m.parent_header || {}, content: m.content, nbuf: (m.buffers || []).length};
    }
    let buf = data;
    if (ArrayBuffer.isView(buf)) buf = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    if (!(buf instanceof ArrayBuffer)) return null;
    const dv = new DataView(buf);
    const n = Number(dv.getBigUint64(0, true));
    if (n < 5 || n > 64) return null;
    const offs = [];
    for (let i = 0; i < n; i++) offs.push(Number(dv.getBigUint64(8 + 8 * i, true)));
    offs.push(buf.byteLength);
    const part = i => dec.decode(new Uint8Array(buf, offs[i], offs[i + 1] - offs[i]));
    const header = JSON.parse(part(1));
    if (header.msg_type !== 'comm_msg') return {header, parent: {}, content: null, nbuf: 0};
    // n offsets: the channel's start and end, then the ends of header, parent, metadata, content and each buffer
    return {header, parent: JSON.parse(part(2)), content: JSON.parse(part(4)), nbuf: n - 6};
  }
  const Orig = window.WebSocket;
  class Instrumented extends Orig {
    constructor(...args) {
      super(...args);
      if (String(args[0]).includes('/api/kernels/')) {
        this.addEventListener('message', ev => {
          const t = performance.now();
          try {
            const m = parse(ev.data);
            if (m && m.header.msg_type === 'comm_msg' && m.nbuf > 0)
              S.recv.push({t, parent: m.parent.msg_id, bytes: ev.data.byteLength || 0});
          } catch (e) {}
        });
      }
    }
    send(data) {
      const t = performance.now();
      try {
        if (String(this.url).includes('/api/kernels/')) {
          const m = parse(data);
          if (m && m.header.msg_type === 'comm_msg') S.sent.push({t, id: m.header.msg_id});
        }
      } catch (e) {}
      return super.send(data);
    }
  }
  window.WebSocket = Instrumented;
  const ev = type => e => {
    if (type === 'pointermove' && !e.buttons) return;
    S.events.push({t: performance.now(), type});
  };
  for (const type of ['pointermove', 'pointerdown', 'click', 'keydown', 'change'])
    document.addEventListener(type, ev(type), true);
  // a slider's own readout changes as its value does (ipywidgets sets it in the slide handler): the events that
  // really moved a value are the last event before each readout change
  const shown = new WeakMap();
  new MutationObserver(muts => {
    const t = performance.now();
    for (const m of muts) {
      const el = m.target.nodeType === 3 ? m.target.parentElement : m.target;
      const ro = el && el.closest && el.closest('.widget-readout');
      if (!ro) continue;
      const text = ro.textContent;
      if (shown.get(ro) === text) continue;
      shown.set(ro, text);
      S.values.push({t});
    }
  }).observe(document, {childList: true, characterData: true, subtree: true});
  const seen = new WeakSet();
  new MutationObserver(muts => {
    for (const m of muts) {
      const img = m.target;
      if (!(img instanceof HTMLImageElement) || !img.classList.contains('widget-image')) continue;
      const t = performance.now();
      const rec = {t_src: t, t_dec: null, parent: (S.recv[S.recv.length - 1] || {}).parent || null};
      S.imgs.push(rec);
      img.decode().then(() => { rec.t_dec = performance.now(); }, () => { rec.t_dec = performance.now(); });
    }
  }).observe(document, {attributes: true, attributeFilter: ['src'], subtree: true});
})();
"""

KERNEL_EXEC_JS = """async (code) => {
    const w = window.jupyterapp.shell.currentWidget;
    const k = w.sessionContext.session.kernel;
    let out = '';
    const f = k.requestExecute({code, silent: false, store_history: false});
    f.onIOPub = msg => { if (msg.header.msg_type === 'stream') out += msg.content.text; };
    await f.done;
    return out;
}"""


#: The floors: what JupyterLab + Chromium + ipywidgets cost by themselves on this machine. One slider → an image,
#: nothing computed or drawn: ``floor`` sends an 8 × 8 picture, ``floor_frame`` a picture the size of an explorer's
#: (a real explorer frame with a bar whose length follows the slider, PNG-encoded per change like a real frame).
FLOORS = ("floor_frame", "floor")

FLOOR_CODE = '''
import collections, time
import ipywidgets as W
import numpy as np
from socialized_loss.widgets import _base

class Floor:
    """One slider → one image, no compute and no drawing (the bench's floor); timings as an Explorer keeps them."""
    def __init__(self, pixels, width="100%"):
        self.pixels, self.timings = pixels, collections.deque(maxlen=2000)
        self.slider = W.IntSlider(value=0, min=0, max=100, description="floor", continuous_update=True,
                                  style={"description_width": _base.DESCRIPTION_WIDTH},
                                  layout=W.Layout(width=_base.CONTROL_WIDTH))
        self.image = W.Image(format="png", layout=W.Layout(width=width, max_width=_base.IMAGE_MAX_WIDTH))
        self.slider.observe(self.refresh, names="value")
        self.refresh()
        self.ui = W.VBox([self.slider, self.image])
    def refresh(self, *change):
        t0, c0 = time.perf_counter(), time.process_time()
        px = self.pixels.copy()
        h, w = px.shape[:2]
        v = self.slider.value
        px[h - max(1, h // 20):, : max(1, w * v // 100)] = (0, 114, 178, 255)
        px[0, 0] = (v, 255 - v, 0, 255)  # every value its own picture (an unchanged image sends nothing)
        t1 = time.perf_counter()
        self.image.value = _base.encode_png(px)
        t2 = time.perf_counter()
        self.timings.append({"compute": 0.0, "artists": 0.0, "draw": 0.0, "encode": t2 - t1, "full": False,
                             "bytes": len(self.image.value),
                             "total": t2 - t0, "cpu": time.process_time() - c0, "t": time.time()})
    def _ipython_display_(self):
        from IPython.display import display
        display(self.ui)

def _frame_pixels():
    ex = sl.widgets.margin_explorer()
    return np.array(ex.figure.canvas.buffer_rgba())
'''


def explorer_names(only: list[str] | None = None) -> list[str]:
    """The floors, then every explorer (``only``: name prefixes to keep)."""
    import socialized_loss.widgets as w

    names = [*FLOORS, *sorted(n for n in w.__all__ if n.endswith("_explorer"))]
    if only:
        names = [n for n in names if any(n.startswith(o) for o in only)]
    return names


def write_notebook(path: Path, names: list[str]) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("import json\nimport socialized_loss as sl\nEX = {}\n" + FLOOR_CODE))
    builders = {"floor": "Floor(np.full((8, 8, 4), 255, np.uint8), '8px')", "floor_frame": "Floor(_frame_pixels())"}
    for n in names:
        build = builders.get(n, f"sl.widgets.{n}()")
        nb.cells.append(nbformat.v4.new_code_cell(f'EX["{n}"] = {build}\nEX["{n}"]'))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)




def _med(xs):
    return statistics.median(xs) if xs else float("nan")


# ------------------------------------------------------------------------------------------------ page actions
def _mark(page) -> float:
    return page.evaluate("() => performance.now()")


def _data(page, since: float) -> dict:
    return page.evaluate(
        """(since) => { const S = window.__sl; const f = a => a.filter(x => (x.t ?? x.t_src) >= since);
            return {sent: f(S.sent), recv: f(S.recv), imgs: S.imgs.filter(x => x.t_src >= since),
                    events: f(S.events), values: f(S.values), origin: performance.timeOrigin}; }""",
        since,
    )


def _wait_images(page, since: float, timeout_s: float = 30.0, quiet_ms: float = 400.0) -> None:
    """Until an image answering a message sent after ``since`` is decoded (when anything was sent), every image is
    decoded, and nothing new has moved on the websocket for ``quiet_ms``."""
    try:
        page.wait_for_function(
            """([since, quiet]) => { const S = window.__sl; const now = performance.now();
                const sent = S.sent.filter(x => x.t >= since);
                const imgs = S.imgs.filter(x => x.t_src >= since);
                if (sent.length && !imgs.length) return false;
                const last = Math.max(since, ...S.recv.map(r => r.t), ...S.sent.map(s => s.t),
                                      ...imgs.map(x => x.t_dec || now));
                return imgs.every(x => x.t_dec !== null) && now - last > quiet; }""",
            arg=[since, quiet_ms], timeout=timeout_s * 1000, polling=50,
        )
    except Exception:  # noqa: BLE001, S110  (a change with no picture: nothing to time; n reports it)
        pass


def latencies(d: dict, kinds: tuple[str, ...]) -> list[dict]:
    """Per user event of ``kinds`` that led to a new message: event → sent → received → decoded (ms, page clock).

    For an event: the first message sent at or after it that the kernel answered with an image, that image's
    arrival, and the first image ``src`` change observed after the arrival (its decode ends the wait)."""
    sent = sorted(d["sent"], key=lambda s: s["t"])
    recv = {}
    for r in sorted(d["recv"], key=lambda r: r["t"]):
        recv.setdefault(r["parent"], r)
    imgs = sorted((x for x in d["imgs"] if x["t_dec"] is not None), key=lambda x: x["t_src"])
    out = []
    events = sorted((e for e in d["events"] if e["type"] in kinds), key=lambda e: e["t"])
    if "pointermove" in kinds:  # a drag: only the moves that changed the slider's value (its readout) count
        values = sorted(x["t"] for x in d.get("values", []))
        ends = [nxt["t"] for nxt in events[1:]] + [float("inf")]
        events = [e for e, end in zip(events, ends) if any(e["t"] <= t < end for t in values)]
    for e in events:
        s = next((s for s in sent if s["t"] >= e["t"] and s["id"] in recv), None)
        if s is None:
            continue
        r = recv[s["id"]]
        im = next((x for x in imgs if x["t_src"] >= r["t"]), None)
        if im is None:
            continue
        o = d.get("origin", 0.0)
        out.append({"latency": im["t_dec"] - e["t"], "wait": s["t"] - e["t"], "roundtrip": r["t"] - s["t"],
                    "decode": im["t_dec"] - r["t"], "js": im["t_src"] - r["t"], "paint": im["t_dec"] - im["t_src"],
                    "sent_epoch": o + s["t"], "recv_epoch": o + r["t"]})
    return out


def drag_slider(page, root, interval_ms: float, steps: int) -> list[dict]:
    slider = root.locator(".widget-slider").first
    handle = slider.locator(".noUi-handle").first
    track = slider.locator(".noUi-target").first
    handle.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    hb, tb = handle.bounding_box(), track.bounding_box()
    y = hb["y"] + hb["height"] / 2
    x0 = hb["x"] + hb["width"] / 2
    left, right = tb["x"] + 1, tb["x"] + tb["width"] - 1
    # to the far end and back: from the handle to the end with more room, then to the other end
    far, near = (right, left) if right - x0 >= x0 - left else (left, right)
    xs = [x0 + (far - x0) * i / steps for i in range(1, steps + 1)]
    xs += [far + (near - far) * i / steps for i in range(1, steps + 1)]
    since = _mark(page)
    page.mouse.move(x0, y)
    page.mouse.down()
    for x in xs:
        page.mouse.move(x, y)
        page.wait_for_timeout(interval_ms)
    page.mouse.up()
    _wait_images(page, since)
    return latencies(_data(page, since), ("pointermove", "pointerdown"))


def single_changes(page, root, skip_first_slider: bool) -> list[dict]:
    rows: list[dict] = []
    sliders = root.locator(".widget-slider")
    for i in range(sliders.count()):
        if i == 0 and skip_first_slider:
            continue
        handle = sliders.nth(i).locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        for key in ("ArrowRight", "ArrowRight", "ArrowLeft"):
            since = _mark(page)
            handle.press(key)
            _wait_images(page, since, quiet_ms=250)
            rows += latencies(_data(page, since), ("keydown",))
    selects = root.locator(".widget-dropdown select")
    for i in range(selects.count()):
        sel = selects.nth(i)
        sel.scroll_into_view_if_needed()
        options = sel.locator("option").all_inner_texts()
        current = sel.evaluate("s => s.options[s.selectedIndex]?.text")
        for target in [o for o in options if o != current][:3] + [current]:
            since = _mark(page)
            sel.select_option(label=target)
            _wait_images(page, since, quiet_ms=250)
            rows += latencies(_data(page, since), ("change",))
    groups = root.locator(".widget-toggle-buttons")
    for i in range(groups.count()):
        buttons = groups.nth(i).locator("button.widget-toggle-button")
        order = [j for j in range(buttons.count()) if "mod-active" not in (buttons.nth(j).get_attribute("class") or "")]
        active = [j for j in range(buttons.count()) if j not in order]
        for j in order[:3] + active:
            since = _mark(page)
            buttons.nth(j).click()
            _wait_images(page, since, quiet_ms=250)
            rows += latencies(_data(page, since), ("click",))
    return rows


# ------------------------------------------------------------------------------------------------ the run
@contextmanager
def lab_page(write: Callable[[Path], None], init_scripts: Sequence[str], prefix: str = "sl-browser-bench-"):
    """JupyterLab (this Python, scratch Jupyter dirs, the course's server extension) serving one notebook that
    ``write`` makes at the given path, and a headless Chromium page at :data:`VIEWPORT` with ``init_scripts`` added
    before anything loads, the notebook open. Yields the ``LabApp`` driving it (``.page``: the Playwright page);
    stops the server afterwards. Raises LookupError when Chromium is missing."""
    from labdriver import LabApp
    from labserver import find_chromium, free_port, scratch_jupyter_env, stop_process, wait_for_http
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise LookupError("Chromium not found (apt-get install -y chromium, or CHROMIUM_PATH)")
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        base = Path(tmp)
        root = base / "course"
        root.mkdir()
        write(root / "bench.ipynb")
        env = scratch_jupyter_env(base / "jupyter")
        token, port = secrets.token_hex(16), free_port()
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0"]
        if hasattr(os, "getuid") and os.getuid() == 0:
            cmd.append("--allow-root")
        log = base / "lab.log"
        with open(log, "wb") as fh:
            proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for_http(f"{base_url}/api/status?token={token}", proc, log, 120.0)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, headless=True, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync"])
                context = browser.new_context(viewport=VIEWPORT)
                for script in init_scripts:
                    context.add_init_script(script)
                page = context.new_page()
                page.set_default_timeout(120_000)
                lab = LabApp(page, base_url, token)
                lab.open("bench.ipynb")
                try:
                    yield lab
                finally:
                    browser.close()
        finally:
            stop_process(proc)


def run(only: list[str] | None = None, drag_steps: int = 30, interval_ms: float = 40.0,
        artifacts: Path | None = None) -> dict:
    from labdriver import wait_run_all

    names = explorer_names(only)
    results: dict = {"viewport": VIEWPORT, "drag_steps": drag_steps, "interval_ms": interval_ms,
                     "loadavg_start": os.getloadavg(), "explorers": {}}
    try:
        with lab_page(lambda path: write_notebook(path, names), [INIT_JS]) as lab:
            page = lab.page
            lab.start_run_all()
            wait_run_all(page, timeout_s=300)
            page.wait_for_timeout(1500)
            _wait_idle(page, "any(getattr(e, 'idle_pending', lambda: False)() for e in EX.values())")
            # warm-up, not recorded: the page's first drag after Run All pays for JIT, fonts and late layout
            _one(page, 1, names[0], drag_steps, interval_ms, None)
            for k, name in enumerate(names):
                results["explorers"][name] = _one(page, k + 1, name, drag_steps, interval_ms, artifacts)
            results["loadavg_end"] = os.getloadavg()
    except LookupError as e:
        return {"status": "skipped", "reason": str(e)}
    return results


def _wait_idle(page, pending: str) -> float:
    """Wait (at most IDLE_WAIT_MAX_S) while the kernel expression ``pending`` is true; the seconds waited."""
    t0 = time.perf_counter()
    while (time.perf_counter() - t0 < IDLE_WAIT_MAX_S
           and json.loads(page.evaluate(KERNEL_EXEC_JS, f"print(json.dumps(bool({pending})))") or "false")):
        page.wait_for_timeout(250)
    return time.perf_counter() - t0


def _one(page, cell: int, name: str, drag_steps: int, interval_ms: float, artifacts: Path | None) -> dict:
    page.evaluate(
        """([i, name]) => { const c = document.querySelectorAll('.jp-Notebook .jp-CodeCell')[i];
            c.querySelector('.jp-OutputArea-output').setAttribute('data-sl-bench', name); }""",
        [cell, name],
    )
    root = page.locator(f"[data-sl-bench='{name}']")
    root.scroll_into_view_if_needed()
    # a learner reads an explorer before dragging it: let its idle work (the main slider's next states) finish first
    idle_s = _wait_idle(page, f'getattr(EX["{name}"], "idle_pending", lambda: False)()')
    before = json.loads(page.evaluate(KERNEL_EXEC_JS, f'print(len(EX["{name}"].timings))') or "0")
    has_slider = root.locator(".widget-slider").count() > 0
    drag = drag_slider(page, root, interval_ms, drag_steps) if has_slider else []
    other = single_changes(page, root, skip_first_slider=has_slider)
    if artifacts is not None:
        root.screenshot(path=str(artifacts / f"{name}.png"))
    code = f'print(json.dumps(list(EX["{name}"].timings)[{before}:]))'
    kernel = json.loads(page.evaluate(KERNEL_EXEC_JS, code) or "[]")
    allrows = drag + other
    _match_kernel(allrows, kernel)
    if os.environ.get("SL_BENCH_DUMP"):
        dump = Path(os.environ["SL_BENCH_DUMP"])
        dump.mkdir(parents=True, exist_ok=True)
        (dump / f"{name}.json").write_text(json.dumps({"rows": allrows, "kernel": kernel}))
    lat = [r["latency"] for r in allrows]
    ms = lambda key: _med([1e3 * t[key] for t in kernel])
    kernel_total = ms("total")
    return {
        "n": len(lat), "n_drag": len(drag), "n_single": len(other), "idle_wait_s": idle_s,
        "median_ms": _med(lat), "p95_ms": percentile(lat, 0.95), "max_ms": max(lat, default=float("nan")),
        "drag_median_ms": _med([r["latency"] for r in drag]), "drag_p95_ms": percentile([r["latency"] for r in drag], 0.95),
        "single_median_ms": _med([r["latency"] for r in other]),
        "single_p95_ms": percentile([r["latency"] for r in other], 0.95),
        "wait_ms": _med([r["wait"] for r in allrows]),
        "roundtrip_ms": _med([r["roundtrip"] for r in allrows]),
        "decode_ms": _med([r["decode"] for r in allrows]),
        "frames": len(kernel),
        "compute_ms": ms("compute"), "draw_ms": _med([1e3 * (t["artists"] + t["draw"]) for t in kernel]),
        "encode_ms": ms("encode"), "kernel_ms": kernel_total, "cpu_ms": ms("cpu"),
        "cpu_p95_ms": percentile([1e3 * t["cpu"] for t in kernel], 0.95),
        "full_share": sum(bool(t["full"]) for t in kernel) / len(kernel) if kernel else float("nan"),
        "partial_share": sum(bool(t.get("partial")) for t in kernel) / len(kernel) if kernel else float("nan"),
        "reused_share": sum(bool(t.get("reused")) for t in kernel) / len(kernel) if kernel else float("nan"),
        "transport_ms": _med([r["roundtrip"] for r in allrows]) - kernel_total,
        "in_ms": _med([r["in"] for r in allrows if "in" in r]),
        "out_ms": _med([r["out"] for r in allrows if "out" in r]),
        "js_ms": _med([r["js"] for r in allrows]), "paint_ms": _med([r["paint"] for r in allrows]),
        "png_kb": _med([t.get("bytes", 0) / 1024 for t in kernel]),
        "loadavg": os.getloadavg(),
    }


def _match_kernel(rows: list[dict], kernel: list[dict]) -> None:
    """Give each latency row the kernel frame that answered its message (the first frame that started after the
    message was sent and ended before the image arrived): ``in`` = sent → the kernel's observer starts, ``out`` = the
    kernel has sent the image → the page receives it (ms; page and kernel share this machine's clock)."""
    frames = sorted((1e3 * (t["t"] - t["total"]), 1e3 * t["t"]) for t in kernel if "t" in t)
    for r in rows:
        s, e = r.get("sent_epoch"), r.get("recv_epoch")
        if s is None:
            continue
        hit = next((f for f in frames if f[0] >= s - 1.0 and f[1] <= e + 1.0), None)
        if hit is not None:
            r["in"], r["out"] = hit[0] - s, e - hit[1]


PARTS = (("wait", "wait_ms", "the previous frame still in flight"), ("in", "in_ms", "page → kernel"),
         ("comp", "compute_ms", "recompute"), ("draw", "draw_ms", "drawing"), ("enc", "encode_ms", "PNG encoding"),
         ("out", "out_ms", "kernel → page"), ("js", "js_ms", "the page's widget update"),
         ("paint", "paint_ms", "the image decode"))


def reason(x: dict, floor: dict | None) -> str:
    """One line: which parts of the split (above the floor's, when there is one) make an explorer miss."""
    over = []
    for _label, key, words in PARTS:
        v = x.get(key, float("nan"))
        base = floor.get(key, 0.0) if floor else 0.0
        base = 0.0 if math.isnan(base) else base
        if not math.isnan(v) and v - base >= 5.0:
            over.append((v - base, f"{words} {v:.0f}" + (f" (floor {base:.0f})" if floor and base >= 1 else "")))
    over.sort(reverse=True)
    median = "median: " + (", ".join(t for _, t in over[:3]) or "the floor itself") + " ms"
    if x["p95_ms"] <= TARGET_P95_MS:
        return median
    tail = (f"p95: the slowest frames take {x['cpu_p95_ms']:.0f} ms of kernel CPU ({100 * x['full_share']:.0f} % "
            f"redraw the whole background, {100 * x.get('partial_share', 0.0):.0f} % one panel's, "
            f"{100 * x.get('reused_share', 0.0):.0f} % put back one drawn before)"
            ) if x.get("cpu_p95_ms", 0) >= 40 else "p95: the floor's own tail"
    return f"{median}; {tail}" if x["median_ms"] > TARGET_MEDIAN_MS else tail


def print_table(r: dict) -> None:
    if r.get("status") == "skipped":
        print(f"skipped: {r['reason']}")
        return
    la0, la1 = r["loadavg_start"], r.get("loadavg_end", r["loadavg_start"])
    print(f"JupyterLab in headless Chromium, {r['viewport']['width']}×{r['viewport']['height']}, file browser open; "
          f"drag = {r['drag_steps']} mouse steps each way, one every {r['interval_ms']:.0f} ms, once the explorer's "
          f"idle work is done (a learner reads before dragging); then single changes of every other control, 250 ms "
          f"apart (nothing prepared). Latency = control event → new image decoded in the DOM.")
    print(f"load average (1/5/15 min): start {la0[0]:.2f} {la0[1]:.2f} {la0[2]:.2f}, "
          f"end {la1[0]:.2f} {la1[1]:.2f} {la1[2]:.2f} on {os.cpu_count()} CPUs")
    ex = r["explorers"]
    floor = ex.get("floor")
    head = (f"{'explorer':<22}{'n':>4}{'median':>7}{'p95':>5}{'own':>5}{'drag':>6}{'p95':>5}{'single':>7}{'p95':>5} |"
            f"{'wait':>5}{'in':>4}{'comp':>5}{'draw':>5}{'enc':>4}{'out':>4}{'js':>4}{'paint':>6} |{'cpu':>4}{'p95':>5}"
            f"{'full':>5}{'KB':>4}{'load':>5}  verdict")
    print(head)
    print("-" * len(head))
    misses = []
    for name, x in ex.items():
        ok = x["median_ms"] <= TARGET_MEDIAN_MS and x["p95_ms"] <= TARGET_P95_MS
        miss = [k for k, good in (("median", x["median_ms"] <= TARGET_MEDIAN_MS), ("p95", x["p95_ms"] <= TARGET_P95_MS))
                if not good]
        own = x["median_ms"] - floor["median_ms"] if floor and name not in FLOORS else float("nan")
        f = lambda k, w, x=x: f"{x.get(k, float('nan')):>{w}.0f}"
        verdict = "(floor)" if name in FLOORS else ("ok" if ok else "MISS " + "+".join(miss))
        print(f"{name:<22}{x['n']:>4}{x['median_ms']:>7.0f}{x['p95_ms']:>5.0f}{own:>5.0f}{x['drag_median_ms']:>6.0f}"
              f"{x['drag_p95_ms']:>5.0f}{x['single_median_ms']:>7.0f}{x['single_p95_ms']:>5.0f} |"
              f"{f('wait_ms', 5)}{f('in_ms', 4)}{f('compute_ms', 5)}{f('draw_ms', 5)}{f('encode_ms', 4)}"
              f"{f('out_ms', 4)}{f('js_ms', 4)}{f('paint_ms', 6)} |{f('cpu_ms', 4)}{f('cpu_p95_ms', 5)}"
              f"{100 * x['full_share']:>4.0f}%{f('png_kb', 4)}{x.get('loadavg', (float('nan'),))[0]:>5.1f}  {verdict}")
        if name not in FLOORS and not ok:
            misses.append(f"  {name}: {reason(x, floor)}")
    print("ms, medians unless p95. own = median minus the floor's median. wait = event → message sent (the previous "
          "frame still in flight); in = message sent → the kernel's observer starts; comp/draw/enc = the kernel's "
          "frame (recompute; artists + Agg; PNG); out = image sent by the kernel → received by the page; js = "
          "received → the image's src set (the page's widget code, the readout's update); paint = src set → decoded. "
          "cpu = kernel CPU time per frame (a loaded machine does not inflate it much); full = frames that redrew the "
          "whole background (frames that redrew one panel are counted in the reasons); KB = PNG size; load = 1-min load average after the explorer's run. floor = one slider → an "
          "8×8 image, floor_frame = one slider → a full-size frame, nothing computed or drawn (what JupyterLab, "
          f"Chromium and ipywidgets cost by themselves). Targets: median ≤ {TARGET_MEDIAN_MS:.0f}, "
          f"p95 ≤ {TARGET_P95_MS:.0f}.")
    if misses:
        print("Why the misses miss (the largest parts of the split, above the floor):")
        print("\n".join(misses))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="comma-separated explorer name prefixes (default: all)")
    ap.add_argument("--drag-steps", type=int, default=30)
    ap.add_argument("--interval-ms", type=float, default=40.0)
    ap.add_argument("--shots", default="", help="folder for a screenshot of each explorer after its run")
    ap.add_argument("--save", default="", help="also write the results as JSON to this file")
    ap.add_argument("--table", default="", help="print the table of a saved JSON file (no run)")
    args = ap.parse_args(argv)
    if args.table:
        print_table(json.loads(Path(args.table).read_text()))
        return 0
    shots = Path(args.shots) if args.shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    r = run([s for s in args.only.split(",") if s] or None, args.drag_steps, args.interval_ms, shots)
    print_table(r)
    if args.save:
        Path(args.save).write_text(json.dumps(r, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

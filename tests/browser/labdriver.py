"""Drive one notebook in JupyterLab through Playwright and report what went wrong.

Everything here works on a Playwright ``Page`` and returns plain data (lists of problem strings), so the same checks
serve the per-notebook tests and ``test_broken_widget_is_caught``. Nothing here is course-specific: the main widget
of a notebook is found generically (the first output area that shows a ``.widget-image``), so new lessons are covered
without a test change.

Errors are looked for in two places:

- the page: a stderr/error output that carries a traceback or an ``...Error:`` line, "Error displaying widget",
  a widget that fell back to its text repr (the widget manager never rendered it);
- the kernel's messages on the websocket (``KernelMonitor``): an ``error`` message, or a stderr stream with a
  traceback. This is what catches a widget *callback* that raises: its traceback is not a cell output (JupyterLab
  sends it to the log console), so it is invisible in the notebook itself.
"""
from __future__ import annotations

import json
import re
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[2]
COURSE_DIRS = ("notebooks", "solutions")


def course_notebooks(root: Path = ROOT) -> list[str]:
    """Every student and solution notebook that exists now (collection time), as ``dir/name.ipynb``."""
    return [f"{d}/{p.name}" for d in COURSE_DIRS for p in sorted((root / d).glob("*.ipynb"))]


#: a traceback or an exception line in text written to stderr (warnings such as "UserWarning: ..." are harmless)
ERROR_TEXT = re.compile(r"Traceback|^\s*\w*(Error|Exception)\b.*:|Error displaying widget", re.MULTILINE)
#: the text/plain fallback of a widget that the browser did not render
WIDGET_REPR = re.compile(
    r"^(VBox|HBox|Box|GridBox|Image|HTML|Label|Output|Tab|Accordion|interactive|"
    r"(Float|Int)(Log)?(Range)?Slider|Dropdown|ToggleButtons?|Button|Checkbox)\("
)
#: a cell that builds an explorer (so the page must show at least that many rendered widget images)
EXPLORER_CALL = re.compile(r"\b\w+_explorer\s*\(")

RUN_TIMEOUT_S = 180.0  # Run All, generous: a loaded CI machine is slow; the budget is reported, not enforced here
CHANGE_TIMEOUT_S = 8.0  # a control change must show up in the readout or the image within this


# ----------------------------------------------------------------------------------------------- kernel messages
def _parse_frame(payload: bytes | str) -> dict[str, Any] | None:
    """One kernel websocket frame as {channel, header, parent_header, content}, or None.

    JupyterLab 4 speaks the ``v1.kernel.websocket.jupyter.org`` protocol: a binary frame made of a little-endian
    u64 count n, n u64 offsets, then channel, header, parent_header, metadata, content and buffers. The legacy
    protocol is one JSON text frame; both are handled.
    """
    try:
        if isinstance(payload, str):
            msg = json.loads(payload)
            return {k: msg.get(k) for k in ("channel", "header", "parent_header", "content")}
        (n,) = struct.unpack_from("<Q", payload, 0)
        if not 5 <= n <= 64:
            return None
        offsets = list(struct.unpack_from(f"<{n}Q", payload, 8)) + [len(payload)]
        parts = [payload[offsets[i] : offsets[i + 1]] for i in range(n)]
        return {
            "channel": parts[0].decode(),
            "header": json.loads(parts[1]),
            "parent_header": json.loads(parts[2]),
            "content": json.loads(parts[4]),
        }
    except (ValueError, UnicodeDecodeError, struct.error, KeyError, IndexError):
        return None


class KernelMonitor:
    """Collects kernel errors from every kernel websocket a page opens."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.n_frames = 0
        self.n_status = 0  # iopub status messages seen
        self.n_executed = 0  # execute_input messages seen (one per cell the kernel starts running)
        self.state = "unknown"  # the kernel's last execution_state
        self.last_status_t = time.monotonic()
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, ws) -> None:
        if "/api/kernels/" in ws.url or "/api/kernels" in ws.url:
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        self.n_frames += 1
        msg = _parse_frame(payload)
        if not msg or msg.get("channel") != "iopub":
            return
        kind = (msg.get("header") or {}).get("msg_type")
        content = msg.get("content") or {}
        parent = (msg.get("parent_header") or {}).get("msg_type", "?")
        if kind == "execute_input":
            self.n_executed += 1
        if kind == "status":
            self.n_status += 1
            self.state = content.get("execution_state", self.state)
            self.last_status_t = time.monotonic()
        elif kind == "error":
            tb = "\n".join(content.get("traceback") or [])
            self.errors.append(
                f"kernel error (after {parent}): {content.get('ename')}: {content.get('evalue')}\n{_strip_ansi(tb)[-900:]}"
            )
        elif kind == "stream" and content.get("name") == "stderr":
            text = content.get("text", "")
            if ERROR_TEXT.search(text):
                self.errors.append(f"kernel stderr (after {parent}):\n{_strip_ansi(text)[-900:]}")

    def since(self, mark: int) -> list[str]:
        return self.errors[mark:]

    def wait_quiet(self, page, since_status: int, quiet_s: float = 0.6, start_s: float = 4.0,
                   timeout_s: float = 60.0) -> bool:
        """Wait until the kernel has been idle for ``quiet_s`` after some activity newer than ``since_status``.

        ipywidgets sends one control change at a time and the next only when the kernel is idle again, and a
        raising callback's traceback is formatted (slowly) before idle: so "quiet" means every change was handled
        and its error, if any, is in. Returns False if the kernel never became quiet.
        """
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout_s:
            page.wait_for_timeout(100)  # lets Playwright deliver the websocket frames
            active = self.n_status > since_status or time.monotonic() - t0 > start_s
            if active and self.state == "idle" and time.monotonic() - self.last_status_t >= quiet_s:
                return True
        return False


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


# ----------------------------------------------------------------------------------------------- notebook driving
def notebook_expectations(path: Path) -> dict[str, int]:
    """What the page must show for ``path``: the number of code cells and of explorer-building cells."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    explorers = sum(1 for c in code if EXPLORER_CALL.search(c.source))
    return {"code_cells": len(code), "explorers": explorers}


class LabApp:
    """One JupyterLab page for the whole session, driven through ``window.jupyterapp``.

    The server runs with ``LabApp.expose_app_in_browser``, so notebooks are opened and closed with JupyterLab's own
    commands instead of reloading the whole application for each one (the reload is most of the cost of a page).
    One notebook is open at a time; after each, every document is closed (marked clean first, so no "save?"
    dialog) and the session's kernel is shut down by the caller.
    """

    def __init__(self, page, base_url: str, token: str, timeout_s: float = 120.0, sidebar: bool = True) -> None:
        self.page, self.base_url, self.token, self.timeout_s = page, base_url, token, timeout_s
        self.sidebar = sidebar  # JupyterLab's default layout keeps the file browser open: so does a learner
        self.monitor = KernelMonitor(page)
        self.load()

    def load(self) -> None:
        self.page.goto(f"{self.base_url}/lab?reset&token={self.token}", timeout=self.timeout_s * 1000)
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell && document.querySelector('#jp-main-dock-panel')",
            timeout=self.timeout_s * 1000,
        )
        self.page.evaluate("async () => { await window.jupyterapp.restored; }")
        self.close_all()
        self.page.evaluate(
            """async (open) => { const app = window.jupyterapp;
                if (open && app.shell.leftCollapsed) await app.commands.execute('filebrowser:activate');
                if (!open && !app.shell.leftCollapsed) await app.commands.execute('application:toggle-left-area'); }""",
            self.sidebar,
        )

    def close_all(self) -> None:
        self.page.evaluate(
            """() => { for (const w of [...window.jupyterapp.shell.widgets('main')]) {
                    if (w.context && w.context.model) w.context.model.dirty = false;
                    w.dispose();
                } }"""
        )

    def open(self, relpath: str) -> None:
        """Open ``relpath`` and wait until its kernel is connected and idle."""
        self.page.evaluate(
            """async (path) => {
                const app = window.jupyterapp;
                const w = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
                await w.context.ready;
                await w.sessionContext.ready;
                app.shell.activateById(w.id);
            }""",
            relpath,
        )
        self.page.wait_for_function(
            """(path) => {
                const w = [...window.jupyterapp.shell.widgets('main')].find(w => w.context?.path === path);
                const k = w?.sessionContext?.session?.kernel;
                return k && k.connectionStatus === 'connected' && k.status === 'idle'
                    && document.querySelector('.jp-Notebook .jp-CodeCell');
            }""",
            arg=relpath,
            timeout=self.timeout_s * 1000,
            polling=100,
        )

    def start_run_all(self) -> None:
        """Run All Cells on the current notebook (the same command as Run → Run All Cells)."""
        self.page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


_PROGRESS_JS = """() => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
    const ran = [], pending = [], blank = [];
    cells.forEach((c, i) => {
        const src = (c.querySelector('.cm-content')?.innerText || '').trim();
        const p = (c.querySelector('.jp-InputArea-prompt')?.textContent || '').trim();
        if (/\\[\\*\\]/.test(p)) pending.push(i);
        else if (/\\[\\d+\\]/.test(p)) ran.push(i);
        else if (src) blank.push(i);
    });
    const errored = !!document.querySelector(
        '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
    const ind = document.querySelector('.jp-Notebook-ExecutionIndicator')?.getAttribute('data-status');
    return {n: cells.length, ran: ran.length, pending: pending.length, blank: blank.length, errored, kernel: ind};
}"""


def wait_run_all(page, timeout_s: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """After Run All Cells: wait until no cell is queued and every non-empty code cell has run.

    If a cell raises, JupyterLab stops the run and the later cells keep a blank prompt: that also ends the wait
    (the error is reported by ``page_errors``). Returns the final progress counts.
    """
    page.wait_for_function(
        f"""() => {{
            const s = ({_PROGRESS_JS})();
            return s.pending === 0 && s.kernel === 'idle' && s.ran > 0 && (s.blank === 0 || s.errored);
        }}""",
        timeout=timeout_s * 1000,
        polling=200,
    )
    # widget views render asynchronously after the cell finishes
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-OutputArea-output')].some(o => /Loading widget/.test(o.innerText))",
        timeout=30_000,
    )
    return progress(page)


def progress(page) -> dict[str, Any]:
    return page.evaluate(_PROGRESS_JS)


# ----------------------------------------------------------------------------------------------- the assertions
def page_errors(page, scope: str = ".jp-Notebook") -> list[str]:
    """Error outputs visible in the notebook: tracebacks, ``...Error:`` lines, "Error displaying widget"."""
    found = page.evaluate(
        """(scope) => [...document.querySelectorAll(scope + ' .jp-OutputArea-output')].map(o => ({
            mime: o.getAttribute('data-mime-type') || '',
            text: o.innerText || '',
            cell: (o.closest('.jp-CodeCell')?.querySelector('.jp-InputArea-prompt')?.textContent || '').trim(),
        }))""",
        scope,
    )
    problems = []
    dialog = page.evaluate("() => document.querySelector('.jp-Dialog')?.innerText || ''")
    if dialog:  # a kernel or file error dialog (JupyterLab's own), left open over the notebook
        problems.append(f"dialog open: {dialog.strip()[:300]}")
    for out in found:
        text = out["text"]
        if "Error displaying widget" in text:
            problems.append(f"cell {out['cell']}: Error displaying widget: {text.strip()[:300]}")
        elif out["mime"] == "application/vnd.jupyter.stderr" and ERROR_TEXT.search(text):
            problems.append(f"cell {out['cell']}: error output:\n{text.strip()[-1500:]}")
        elif out["mime"] in ("text/plain", "application/vnd.jupyter.stdout") and ERROR_TEXT.search(text) and (
            "Traceback" in text
        ):
            problems.append(f"cell {out['cell']}: traceback printed:\n{text.strip()[-1500:]}")
        elif out["mime"] == "text/plain" and WIDGET_REPR.match(text.strip()):
            problems.append(f"cell {out['cell']}: widget not rendered (text fallback {text.strip()[:80]!r})")
    return problems


def widget_problems(page, expected_explorers: int, scope: str = ".jp-Notebook") -> list[str]:
    """Every explorer rendered: at least ``expected_explorers`` widget images, each with a decoded picture."""
    imgs = page.evaluate(
        """(scope) => [...document.querySelectorAll(scope + ' .jp-OutputArea-output img.widget-image')].map(i => ({
            w: i.naturalWidth, h: i.naturalHeight, src: (i.getAttribute('src') || '').slice(0, 30),
        }))""",
        scope,
    )
    problems = []
    if len(imgs) < expected_explorers:
        problems.append(f"expected {expected_explorers} explorer(s) with a figure, found {len(imgs)} widget image(s)")
    for k, img in enumerate(imgs):
        if not (img["w"] and img["h"]):
            problems.append(f"widget image {k} shows no picture (src {img['src']!r})")
    return problems


_MAIN_WIDGET_JS = """(scope) => {
    document.querySelectorAll('[data-sl-main-widget]').forEach(e => e.removeAttribute('data-sl-main-widget'));
    const outs = [...document.querySelectorAll(scope + ' .jp-OutputArea-output')]
        .filter(o => o.querySelector('img.widget-image'));
    if (!outs.length) return null;
    const o = outs[0];
    o.setAttribute('data-sl-main-widget', '1');
    const kind = o.querySelector('.widget-slider') ? 'slider'
        : o.querySelector('.widget-toggle-buttons') ? 'toggle'
        : o.querySelector('.widget-dropdown') ? 'dropdown' : null;
    return {kind, count: outs.length};
}"""

_SNAPSHOT_JS = """() => {
    const o = document.querySelector('[data-sl-main-widget]');
    return {
        readout: [...o.querySelectorAll('.widget-html')].map(h => h.innerText).join('\\n'),
        images: [...o.querySelectorAll('img.widget-image')].map(i => i.getAttribute('src') || ''),
        control: (o.querySelector('.widget-slider .widget-readout, .widget-slider input')?.innerText
                  || o.querySelector('.widget-slider input')?.value || ''),
    };
}"""


_LAYOUT_JS = """(scope) => {
    const out = [];
    const canvas = document.createElement('canvas').getContext('2d');
    const outs = [...document.querySelectorAll(scope + ' .jp-OutputArea-output')]
        .filter(o => o.querySelector('img.widget-image'));
    outs.forEach((o, k) => {
        const box = o.getBoundingClientRect();
        const cell = (o.closest('.jp-CodeCell')?.querySelector('.jp-InputArea-prompt')?.textContent || '').trim();
        const where = `explorer ${k + 1} (cell ${cell})`;
        const top = o.querySelector('.widget-vbox, .widget-box') || o;
        const tb = top.getBoundingClientRect();
        const info = {where, width: Math.round(box.width), height: Math.round(tb.height)};
        if (o.scrollWidth > o.clientWidth + 1)
            out.push({...info, what: `overflows its output area (${o.scrollWidth} px of content in ${o.clientWidth} px)`});
        for (const el of o.querySelectorAll('.widget-inline-hbox, .widget-html, .widget-toggle-buttons, img.widget-image')) {
            const r = el.getBoundingClientRect();
            if (r.width && r.right > box.right + 1)
                out.push({...info, what: `${el.className.split(' ')[0]} ends ${Math.round(r.right - box.right)} px past the output area`});
        }
        const texts = o.querySelectorAll('.widget-label, .widget-readout, button.widget-toggle-button, .widget-html-content td, .widget-html-content th, .widget-html-content b');
        for (const el of texts) {
            if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
                out.push({...info, what: `label cut: ${JSON.stringify(el.innerText.trim().slice(0, 60))} needs ${el.scrollWidth} px, has ${el.clientWidth}`});
        }
        for (const sel of o.querySelectorAll('.widget-dropdown select')) {
            const cs = getComputedStyle(sel);
            canvas.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
            const text = sel.options[sel.selectedIndex]?.text || '';
            const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
            const need = canvas.measureText(text).width;
            if (need > room + 1)
                out.push({...info, what: `dropdown cut: ${JSON.stringify(text)} needs ${Math.ceil(need)} px, has ${Math.floor(room)}`});
        }
        out.push({...info, what: null});
    });
    return out;
}"""


def layout_problems(page, max_height: int = 768, scope: str = ".jp-Notebook") -> tuple[list[str], list[dict]]:
    """Every explorer fits its output area: no label or dropdown text cut (wider than its box), nothing past the
    output area's right edge, and the whole explorer (controls, readout, chart) no taller than ``max_height`` px.

    Returns (problems, one row per explorer with its width and height in px)."""
    found = page.evaluate(_LAYOUT_JS, scope)
    sizes = [f for f in found if f["what"] is None]
    problems = [f"{f['where']}: {f['what']}" for f in found if f["what"] is not None]
    problems += [f"{f['where']}: {f['height']} px tall, more than one {max_height} px screen" for f in sizes
                 if f["height"] > max_height]
    return problems, sizes


@dataclass
class Interaction:
    ok: bool
    detail: str
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def _changed(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    return [name for name, key in (("readout", "readout"), ("image", "images")) if now[key] != before[key]]


def _move_and_wait(page, monitor: KernelMonitor, act, before: dict[str, Any], timeout_s: float):
    """Do ``act`` (a control change); wait for the first visible reaction (timed), or an error from the kernel;
    then until the kernel has handled every change and gone quiet. Returns (snapshot or None, seconds)."""
    mark_status, mark_errors = monitor.n_status, len(monitor.errors)
    t0 = time.perf_counter()
    act()
    secs = None
    while time.perf_counter() - t0 < timeout_s:
        if _changed(before, page.evaluate(_SNAPSHOT_JS)):
            secs = time.perf_counter() - t0
            break
        if len(monitor.errors) > mark_errors and monitor.state == "idle":
            break
        page.wait_for_timeout(100)
    monitor.wait_quiet(page, mark_status)
    page.wait_for_timeout(200)  # the last image blob to render
    now = page.evaluate(_SNAPSHOT_JS)
    if not _changed(before, now):
        return None, time.perf_counter() - t0
    return now, secs if secs is not None else time.perf_counter() - t0


def main_widget_responds(page, monitor: KernelMonitor, timeout_s: float = CHANGE_TIMEOUT_S,
                         scope: str = ".jp-Notebook") -> Interaction | None:
    """Move the main widget's first control; the readout or the image must change, with no kernel error.

    Returns None when the notebook shows no explorer (nothing to check).
    """
    found = page.evaluate(_MAIN_WIDGET_JS, scope)
    if found is None:
        return None
    root = page.locator("[data-sl-main-widget]")
    mark = len(monitor.errors)
    before = page.evaluate(_SNAPSHOT_JS)
    kind = found["kind"]
    after, secs, how = None, 0.0, ""
    if kind == "slider":
        slider = root.locator(".widget-slider").first
        label = slider.locator(".widget-label").first.inner_text().strip()
        handle = slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        for key in ("ArrowRight", "ArrowLeft"):  # a slider already at its maximum only moves left
            how = f"slider {label!r} ({key} ×3)"
            after, secs = _move_and_wait(page, monitor, lambda key=key: [handle.press(key) for _ in range(3)], before,
                                         timeout_s)
            if after is not None or monitor.since(mark):
                break
    elif kind == "toggle":
        group = root.locator(".widget-toggle-buttons").first
        label = group.locator(".widget-label").first.inner_text().strip()
        other = group.locator("button.widget-toggle-button:not(.mod-active)").first
        how = f"toggle {label!r} → {other.inner_text().strip()!r}"
        after, secs = _move_and_wait(page, monitor, other.click, before, timeout_s)
    elif kind == "dropdown":
        select = root.locator(".widget-dropdown select").first
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.options[s.selectedIndex]?.text")
        target = next((o for o in options if o != current), current)
        how = f"dropdown → {target!r}"
        after, secs = _move_and_wait(page, monitor, lambda: select.select_option(label=target), before, timeout_s)
    else:
        return Interaction(False, "the main widget has a figure but no slider, toggle or dropdown to move")
    problems = _dedupe(monitor.since(mark))
    if after is None:
        return Interaction(
            False, f"{how}: neither the readout nor the image changed ({secs:.1f} s)", secs, problems
        )
    verdict = f"{' and '.join(_changed(before, after))} changed in {secs:.2f} s"
    if problems:
        verdict += f", but the kernel reported {len(problems)} error(s)"
    return Interaction(not problems, f"{how}: {verdict}", secs, problems)


def _dedupe(errors: list[str]) -> list[str]:
    """Identical errors once, with a count (three key presses on a broken slider raise three times)."""
    counts: dict[str, int] = {}
    for e in errors:
        counts[e] = counts.get(e, 0) + 1
    return [e if n == 1 else f"({n}×) {e}" for e, n in counts.items()]


# ----------------------------------------------------------------------------------------------- screenshots
def screenshot_notebook(page, path: Path, widget_path: Path | None = None, max_height: int = 12_000) -> None:
    """The whole notebook in one picture: grow the viewport to the notebook's height, shoot, restore.

    With the viewport grown nothing scrolls, so the main widget's own picture (``widget_path``) is taken then too:
    an explorer taller than the normal viewport would otherwise be cut and overlaid by JupyterLab's bars.
    """
    size = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate(
        """() => {
            const outer = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')
                || document.querySelector('.jp-NotebookPanel .jp-Notebook');
            return outer ? outer.scrollHeight : 0;
        }"""
    )
    page.set_viewport_size({"width": size["width"], "height": int(min(max(size["height"], height + 160), max_height))})
    try:
        page.wait_for_timeout(400)
        page.evaluate("() => document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')?.scrollTo(0, 0)")
        page.screenshot(path=str(path))
        root = page.locator("[data-sl-main-widget]")
        if widget_path is not None and root.count():
            root.first.screenshot(path=str(widget_path))
    finally:
        page.set_viewport_size(size)


# ----------------------------------------------------------------------------------------------- the whole check
@dataclass
class NotebookReport:
    relpath: str
    problems: list[str] = field(default_factory=list)
    interaction: Interaction | None = None
    timings: dict[str, float] = field(default_factory=dict)
    progress: dict[str, Any] = field(default_factory=dict)
    layout: list[dict] = field(default_factory=list)  # per explorer: output width and explorer height (px)

    def summary(self) -> str:
        lines = [f"{self.relpath}: {len(self.problems)} problem(s)"]
        lines += [f"  - {p}" for p in self.problems]
        if self.interaction:
            lines.append(f"  main widget: {self.interaction.detail}")
        return "\n".join(lines)


def check_notebook(lab: LabApp, root: Path, relpath: str, shots: Path | None) -> NotebookReport:
    """Open, run all, assert no errors, every explorer rendered, the main widget responds; screenshot."""
    page, monitor = lab.page, lab.monitor
    rep = NotebookReport(relpath)
    expect = notebook_expectations(root / relpath)
    mark = len(monitor.errors)
    t0 = time.perf_counter()
    lab.open(relpath)
    t1 = time.perf_counter()
    lab.start_run_all()
    rep.progress = wait_run_all(page)
    t2 = time.perf_counter()
    if rep.progress["blank"]:
        rep.problems.append(
            f"{rep.progress['blank']} code cell(s) never ran (Run All stopped early), {rep.progress['ran']} ran"
        )
    rep.problems += page_errors(page)
    rep.problems += widget_problems(page, expect["explorers"])
    fit, rep.layout = layout_problems(page)
    rep.problems += fit
    rep.interaction = main_widget_responds(page, monitor)
    if rep.interaction is not None and not rep.interaction.ok:
        rep.problems.append(f"main widget: {rep.interaction.detail}")
        rep.problems += rep.interaction.problems
    reported = set(rep.interaction.problems if rep.interaction else [])
    rep.problems += [e for e in _dedupe(monitor.since(mark)) if e not in reported]
    t3 = time.perf_counter()
    if shots is not None:
        stem = relpath.replace("/", "__").removesuffix(".ipynb")
        screenshot_notebook(page, shots / f"{stem}.png", shots / f"{stem}.widget.png")
    t4 = time.perf_counter()
    rep.timings = {"open": t1 - t0, "run_all": t2 - t1, "widget": t3 - t2, "screenshot": t4 - t3, "total": t4 - t0}
    return rep

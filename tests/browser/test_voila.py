"""The start notebook under Voilà (the dashboard view a course page can link to), when Voilà is installed.

Voilà is not a course dependency, so this skips unless ``voila`` is importable. The page is checked with the same
functions as in JupyterLab: no error output, every explorer rendered, the main widget (if any) reacts.
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
from labdriver import (
    KernelMonitor,
    main_widget_responds,
    notebook_expectations,
    page_errors,
    widget_problems,
)
from labserver import copy_course, free_port, scratch_jupyter_env, stop_process

pytestmark = pytest.mark.browser

START = "notebooks/00-start-here.ipynb"
VOILA_ERROR = "There was an error when executing cell"


def notebook_figures(path) -> int:
    """Code cells that show a figure (``plt.show()``) or an explorer: each must give a picture."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" and ("plt.show()" in c.source or "_explorer(" in c.source))


def _wait_for_port(port: int, proc: subprocess.Popen, log, timeout_s: float = 120.0) -> None:
    # Not an HTTP GET: Voilà streams the page while the kernel runs, so a plain GET can hang (tooling notes, §3).
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.25)
    raise RuntimeError(f"voila not listening after {timeout_s:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def voila_url(chromium_executable, tmp_path_factory, artifacts_dir):
    pytest.importorskip("voila", reason="Voilà is not installed (not a course dependency): Voilà check skipped")
    base = tmp_path_factory.mktemp("voila")
    root = copy_course(base / "course")
    env = scratch_jupyter_env(base / "jupyter")
    port = free_port()
    log = artifacts_dir / "voila.log"
    cmd = [sys.executable, "-m", "voila", str(root / START), "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--show_tracebacks=True"]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_for_port(port, proc, log)
        yield f"http://127.0.0.1:{port}/", root
    finally:
        stop_process(proc)


def test_start_notebook_in_voila(voila_url, browser, artifacts_dir, browser_reports):
    url, root = voila_url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    monitor = KernelMonitor(page)
    try:
        t0 = time.perf_counter()
        page.goto(url, timeout=180_000)  # Voilà executes the notebook while it streams the page ("Executing k of n")
        # ... then the page's script renders the outputs and removes the #loading overlay
        page.wait_for_function(
            """() => { const l = document.querySelector('#loading');
                       return (!l || getComputedStyle(l).display === 'none')
                           && document.querySelectorAll('.jp-OutputArea-output').length > 0; }""",
            timeout=180_000,
        )
        page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-OutputArea-output')].some(o => /Loading widget/.test(o.innerText))",
            timeout=30_000,
        )
        t1 = time.perf_counter()
        problems = page_errors(page, scope="body")
        problems += widget_problems(page, notebook_expectations(root / START)["explorers"], scope="body")
        n_images = page.evaluate("() => document.querySelectorAll('.jp-OutputArea-output img').length")
        if n_images < notebook_figures(root / START):
            problems.append(f"Voilà shows {n_images} picture(s), the notebook makes {notebook_figures(root / START)}")
        if VOILA_ERROR in page.inner_text("body"):
            problems.append(f"Voilà reports: {VOILA_ERROR} ...")
        interaction = main_widget_responds(page, monitor, scope="body")
        if interaction is not None and not interaction.ok:
            problems += [f"main widget: {interaction.detail}", *interaction.problems]
        problems += monitor.errors
        n_out = page.evaluate("() => document.querySelectorAll('.jp-OutputArea-output').length")
        if n_out == 0:
            problems.append("Voilà shows no output at all")
        # the page scrolls inside #rendered_cells: grow the viewport to show all of it in one picture
        height = page.evaluate("() => document.querySelector('#rendered_cells')?.scrollHeight || 0")
        page.set_viewport_size({"width": 1280, "height": int(min(max(900, height + 100), 12_000))})
        page.wait_for_timeout(300)
        page.screenshot(path=str(artifacts_dir / "voila__00-start-here.png"))
        t2 = time.perf_counter()
        browser_reports.append({"notebook": f"voila: {START}", "status": "ok" if not problems else "FAILED",
                                "timings": {"open": t1 - t0, "run_all": 0.0, "widget": t2 - t1, "screenshot": 0.0},
                                "total": t2 - t0})
        assert not problems, "\n".join(problems)
    finally:
        context.close()

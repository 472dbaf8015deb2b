"""The browser tier's fixtures: one JupyterLab server, one headless Chromium and one JupyterLab page per session.

- The server runs on 127.0.0.1 with a random port and token, scratch Jupyter dirs, ``--allow-root`` when run as
  root, over a scratch copy of ``notebooks/`` and ``solutions/`` (see ``labserver.py``).
- Chromium is Debian's (``/usr/bin/chromium``, or ``$CHROMIUM_PATH``): Playwright cannot download a browser here.
  Without it the tier skips with a message, unless ``CI`` or ``SOCIALIZED_LOSS_REQUIRE_BROWSER=1`` is set: then
  a missing browser is a failure, so CI cannot pass by skipping.
- Screenshots and the server log go to ``test-artifacts/browser-<timestamp>/`` (git-ignored); the folder and a
  per-notebook time table are printed at the end of the run.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from labdriver import ROOT, LabApp
from labserver import (
    LabServer,
    copy_course,
    find_chromium,
    free_port,
    scratch_jupyter_env,
    skip_or_fail,
    stop_process,
    wait_for_http,
)

ARTIFACTS = ROOT / "test-artifacts"
SERVER_START_TIMEOUT_S = 120.0

_reports: list[dict] = []  # one row per notebook checked, for the summary table


# ------------------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    d = ARTIFACTS / time.strftime("browser-%Y%m%d-%H%M%S")
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = find_chromium()
    if path is None:
        skip_or_fail(
            "Chromium not found: the browser tier needs Debian's chromium (`apt-get install -y chromium`, "
            "or set CHROMIUM_PATH); `.ci/run` installs it"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("playwright (python) is not installed: run `make` to install the dev dependencies")
    return path


@pytest.fixture(scope="session")
def lab_server(chromium_executable, tmp_path_factory, artifacts_dir):
    """One JupyterLab for the session, serving a scratch copy of the course; killed at the end."""
    base = tmp_path_factory.mktemp("lab")
    root = copy_course(base / "course")
    env = scratch_jupyter_env(base / "jupyter")
    token, port = secrets.token_hex(16), free_port()
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    log = artifacts_dir / "jupyterlab.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = LabServer(f"http://127.0.0.1:{port}", token, root, proc, log)
    try:
        t0 = time.perf_counter()
        wait_for_http(f"{server.base_url}/api/status?token={token}", proc, log, SERVER_START_TIMEOUT_S)
        _reports.append({"notebook": "(server start)", "total": time.perf_counter() - t0})
        yield server
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=chromium_executable,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def lab_app(browser, lab_server):
    """One JupyterLab page for the session (static assets and the app load once)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})  # a common laptop, file browser open
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        t0 = time.perf_counter()
        app = LabApp(page, lab_server.base_url, lab_server.token)
        _reports.append({"notebook": "(JupyterLab page load)", "total": time.perf_counter() - t0})
        yield app
    finally:
        context.close()


@pytest.fixture
def lab(lab_app, lab_server):
    """The session's JupyterLab, left with no document open and no kernel running after each test."""
    try:
        yield lab_app
    finally:
        try:
            lab_app.close_all()
        except Exception:  # noqa: BLE001  (a test left the page broken: start it again)
            lab_app.load()
        lab_server.shutdown_sessions()


@pytest.fixture(scope="session")
def browser_reports():
    """Tests append one row per notebook: the terminal summary prints them."""
    return _reports


# ------------------------------------------------------------------------------------------------------- summary
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    rows = [r for r in _reports if "total" in r]
    if not rows:
        return
    tr = terminalreporter
    tr.section("browser tier: seconds per notebook (open + Run All + widget + screenshot)")
    tr.write_line(f"{'open':>6} {'run':>6} {'widget':>7} {'shot':>6} {'total':>7}  notebook")
    for r in rows:
        t = r.get("timings", {})
        cells = [f"{t.get(k, float('nan')):6.1f}" for k in ("open", "run_all")]
        cells += [f"{t.get('widget', float('nan')):7.1f}", f"{t.get('screenshot', float('nan')):6.1f}"]
        extra = f"  [{r['status']}]" if r.get("status") not in (None, "ok") else ""
        tr.write_line(f"{' '.join(cells)} {r['total']:7.1f}  {r['notebook']}{extra}")
    nb_rows = [r for r in rows if r.get("timings")]
    if nb_rows:
        mean = sum(r["total"] for r in nb_rows) / len(nb_rows)
        tr.write_line(f"mean {mean:.1f} s per notebook over {len(nb_rows)} (budget 6-10 s)")
    for r in rows:
        if r.get("artifacts"):
            tr.write_line(f"screenshots and server log: {r['artifacts']}")
            break

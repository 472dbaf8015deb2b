"""The browser tier's fixtures: one JupyterLab server and one headless Chromium per session.

- The server runs on 127.0.0.1 with a random port and token, scratch ``JUPYTER_CONFIG_DIR`` / ``JUPYTER_DATA_DIR`` /
  ``JUPYTER_RUNTIME_DIR``, ``--allow-root`` when run as root, and its root is a *scratch copy* of ``notebooks/`` and
  ``solutions/``: JupyterLab saves and writes checkpoints, so a run must never touch the committed notebooks.
- Settings for the run: no news toast and no update check, autosave off, every cell attached to the DOM
  (``windowingMode: none``) so a full-notebook screenshot and the cell checks see every cell.
- Chromium is Debian's (``/usr/bin/chromium``, or ``$CHROMIUM_PATH``): Playwright cannot download a browser here.
  Without it the tier skips with a message, unless ``CI`` or ``SOCIALIZED_LOSS_REQUIRE_BROWSER=1`` is set: then
  a missing browser is a failure, so CI cannot pass by skipping.
- Screenshots and the server log go to ``test-artifacts/browser-<timestamp>/`` (git-ignored); the folder and a
  per-notebook time table are printed at the end of the run.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from labdriver import LabApp

from labdriver import COURSE_DIRS, ROOT

ARTIFACTS = ROOT / "test-artifacts"
SERVER_START_TIMEOUT_S = 120.0

_reports: list[dict] = []  # one row per notebook checked, for the summary table


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def browser_required() -> bool:
    return _truthy("CI") or _truthy("SOCIALIZED_LOSS_REQUIRE_BROWSER")


def skip_or_fail(message: str):
    if browser_required():
        pytest.fail(f"{message} (a browser is required here: CI or SOCIALIZED_LOSS_REQUIRE_BROWSER is set)")
    pytest.skip(message)


def find_chromium() -> str | None:
    for cand in (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), "/usr/bin/chromium"):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return cand
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scratch_jupyter_env(base: Path) -> dict[str, str]:
    """The environment for a scratch Jupyter server: its own config, data and runtime dirs, lab settings."""
    dirs = {name: base / name.lower() for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    cfg = dirs["JUPYTER_CONFIG_DIR"]
    user_settings = cfg / "lab" / "user-settings" / "@jupyterlab"
    settings = {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "notebook-extension/tracker": {"windowingMode": "none"},
        "docmanager-extension/plugin": {"autosave": False},
    }
    for name, value in settings.items():
        f = user_settings / f"{name}.jupyterlab-settings"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(value))
    (cfg / "jupyter_server_config.json").write_text(
        json.dumps({"LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "expose_app_in_browser": True,  # window.jupyterapp: open/run/close notebooks without reloading the page
        }})
    )
    env = dict(os.environ)
    env.update({k: str(v) for k, v in dirs.items()})
    env["JUPYTERLAB_SETTINGS_DIR"] = str(cfg / "lab" / "user-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(cfg / "lab" / "workspaces")
    # The root conftest sets MPLBACKEND=Agg for the unit tests; a kernel that inherits it cannot show figures
    # (ipykernel only picks the inline backend when MPLBACKEND is unset). Learners' kernels have it unset.
    env.pop("MPLBACKEND", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def copy_course(dest: Path) -> Path:
    """A scratch copy of notebooks/ and solutions/ (everything in them but checkpoints)."""
    for d in COURSE_DIRS:
        if (ROOT / d).is_dir():
            shutil.copytree(ROOT / d, dest / d, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return dest


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"server not ready after {timeout_s:.0f} s:\n{log.read_text()[-3000:]}")


def stop_process(proc: subprocess.Popen, grace_s: float = 15.0) -> None:
    """SIGINT twice (Jupyter's clean shutdown: kernels stop with it), then SIGTERM, then SIGKILL. By pid only."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 0.5), (signal.SIGINT, grace_s), (signal.SIGTERM, 5.0)):
        try:
            proc.send_signal(sig)
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    proc.wait(timeout=10)


@dataclass
class LabServer:
    base_url: str
    token: str
    root: Path  # the scratch copy the server serves
    proc: subprocess.Popen
    log: Path

    def api(self, method: str, path: str):
        req = urllib.request.Request(f"{self.base_url}{path}?token={self.token}", method=method)
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self) -> None:
        """Close every notebook session (and its kernel): one kernel at a time, like a learner."""
        for s in self.api("GET", "/api/sessions") or []:
            try:
                self.api("DELETE", f"/api/sessions/{s['id']}")
            except urllib.error.URLError:
                pass


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
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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

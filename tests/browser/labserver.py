"""Starting and stopping the scratch Jupyter servers of the browser tier (JupyterLab, Voilà).

- Scratch ``JUPYTER_CONFIG_DIR`` / ``JUPYTER_DATA_DIR`` / ``JUPYTER_RUNTIME_DIR`` and lab settings for the run: no
  news toast and no update check, autosave off, every cell attached to the DOM (``windowingMode: none``).
- The server's root is a *scratch copy* of ``notebooks/`` and ``solutions/``: JupyterLab saves and writes
  checkpoints, so a run must never touch the committed notebooks.
- Processes are stopped by pid (SIGINT twice, then SIGTERM, then SIGKILL), never by name.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from labdriver import COURSE_DIRS, ROOT


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
    server = {
        "LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "expose_app_in_browser": True,  # window.jupyterapp: open/run/close notebooks without reloading the page
        },
        # the course's server extension, as `make lab` enables it (kernel websockets without Nagle's 40 ms delay);
        # SL_NAGLE=1 leaves it out (for A/B figures in bench/browser_bench.py)
        "ServerApp": {"jpserver_extensions": {"socialized_loss_server": not _truthy("SL_NAGLE")}},
    }
    (cfg / "jupyter_server_config.json").write_text(json.dumps(server))
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

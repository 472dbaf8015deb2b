#!/usr/bin/env python3
"""Set up, open, test and update the course on any OS, with or without ``make``.

    python tools/course.py lab      first run: creates .venv with the learner set (requirements.lock), then JupyterLab
    python tools/course.py test     installs the dev set (requirements-dev.lock) once, then runs every test
    python tools/course.py update   sets your edited notebooks aside in my-work/<date-time>/, then gets the new course

On Windows use ``py tools\\course.py lab`` (or ``python``). The Makefile calls this script, so ``make lab``,
``make test`` and ``make update`` do exactly the same. Standard library only: it runs before .venv exists.

Installing: the learner set goes in with ``--no-deps`` from the hashed universal lock, so .venv holds exactly the
locked packages (tools/runtime-overrides.txt lists what the lock leaves out, and why). It uses ``uv`` when one is
found (``$UV``, ``uv`` on PATH, or the dev set's own) and pip otherwise; pip is removed from a learner .venv
afterwards. ``COURSE_INSTALLER=pip`` forces pip. A stamp in .venv records which lock was installed, so a changed
lock (after ``update``) is installed on the next run.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import filecmp
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
LAB_OVERRIDES = ROOT / "tools" / "jupyterlab" / "overrides.json"
SERVER_EXTENSION = ROOT / "tools" / "jupyterlab" / "socialized_loss_server.json"  # enables helpers/socialized_loss_server.py
START_NOTEBOOK = "notebooks/00-start-here.ipynb"
UV_VERSION = "0.13.9"
MIN_PYTHON = (3, 11)
COURSE_DIRS = ("notebooks", "solutions", "lessons")
MY_WORK = "my-work"
WINDOWS = os.name == "nt"


class CourseError(RuntimeError):
    """A step cannot go on; the message says what to do."""


# ---------------------------------------------------------------------------------------------------------- paths


def venv_dir() -> Path:
    return Path(os.environ.get("COURSE_VENV", ROOT / ".venv")).resolve()


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if WINDOWS else "bin/python")


def venv_script(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if WINDOWS else "bin") / (name + (".exe" if WINDOWS else ""))


def _run(cmd: list, **kw) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _paths(venv: Path) -> dict[str, Path]:
    out = subprocess.run(
        [str(venv_python(venv)), "-c", "import json, sysconfig; print(json.dumps(sysconfig.get_paths()))"],
        check=True, capture_output=True, text=True,
    ).stdout
    return {k: Path(v) for k, v in json.loads(out).items()}


# ------------------------------------------------------------------------------------------------------- installing


def _check_python() -> None:
    if sys.version_info < MIN_PYTHON:
        raise CourseError(
            f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is needed, this is {sys.version.split()[0]}. "
            "Install it from python.org (Windows/macOS) or your package manager, then run this again with it."
        )


def _find_uv(venv: Path) -> str | None:
    if os.environ.get("COURSE_INSTALLER", "").lower() == "pip":
        return None
    for cand in (os.environ.get("UV"), shutil.which("uv"), venv_script(venv, "uv")):
        if cand and Path(cand).is_file():
            return str(cand)
    return None


def _has_pip(venv: Path) -> bool:
    return subprocess.run([str(venv_python(venv)), "-m", "pip", "--version"], check=False, capture_output=True).returncode == 0


def _ensure_pip(venv: Path) -> None:
    if _has_pip(venv):
        return
    try:
        _run([venv_python(venv), "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
    except subprocess.CalledProcessError as exc:
        raise CourseError(
            "This Python cannot install pip into a virtual environment (Debian/Ubuntu: `sudo apt install "
            "python3-venv`), or install uv (https://docs.astral.sh/uv/) and run this again."
        ) from exc


def _pip(venv: Path, *args) -> None:
    _run([venv_python(venv), "-m", "pip", "--disable-pip-version-check", "--no-input", *args])


def _create_venv(venv: Path) -> None:
    if venv_python(venv).exists():
        return
    print(f"Creating {venv} (first run only) ...", flush=True)
    _run([sys.executable, "-m", "venv", "--without-pip", venv])


def _link_package(venv: Path) -> None:
    """Make ``import socialized_loss`` find helpers/ (what an editable install does, without a build step)."""
    purelib = _paths(venv)["purelib"]
    (purelib / "socialized_loss.pth").write_text(str(ROOT / "helpers") + "\n", encoding="utf-8")


def _lab_settings(venv: Path) -> None:
    """The course's JupyterLab settings (no news pop-up, no update check) as the environment's overrides.json."""
    target = _paths(venv)["data"] / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(LAB_OVERRIDES, target)
    # the course's server extension (helpers/socialized_loss_server.py): widget images reach the page ~40 ms sooner
    ext = _paths(venv)["data"] / "etc" / "jupyter" / "jupyter_server_config.d" / "socialized_loss_server.json"
    ext.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SERVER_EXTENSION, ext)


def _dedupe_lab_static(venv: Path) -> int:
    """JupyterLab's wheel ships its built front end twice (the package and share/jupyter/lab); hard-link the copies.

    Returns the bytes saved. Files are linked only when identical; where hard links are not possible nothing changes.
    """
    paths = _paths(venv)
    saved = 0
    for sub in ("static", "schemas", "themes"):
        a_root = paths["purelib"] / "jupyterlab" / sub
        b_root = paths["data"] / "share" / "jupyter" / "lab" / sub
        if not (a_root.is_dir() and b_root.is_dir()):
            continue
        for a in a_root.rglob("*"):
            b = b_root / a.relative_to(a_root)
            if not (a.is_file() and b.is_file()) or os.path.samefile(a, b):
                continue
            if a.stat().st_size < 4096 or not filecmp.cmp(a, b, shallow=False):
                continue
            tmp = a.with_name(a.name + ".course-link")
            try:
                os.link(b, tmp)
                os.replace(tmp, a)
                saved += b.stat().st_size
            except OSError:
                tmp.unlink(missing_ok=True)
                return saved
    return saved


def _stamp(venv: Path, kind: str) -> Path:
    return venv / f".course-{kind}"


def install(dev: bool = False) -> Path:
    """Create .venv if needed and install the learner set (and the dev set if ``dev``). Returns the venv's python."""
    _check_python()
    venv = venv_dir()
    runtime_ok = _stamp(venv, "runtime").is_file() and _stamp(venv, "runtime").read_text() == _digest(RUNTIME_LOCK)
    dev_ok = _stamp(venv, "dev").is_file() and _stamp(venv, "dev").read_text() == _digest(DEV_LOCK)
    if runtime_ok and (dev_ok or not dev):
        return venv_python(venv)
    _create_venv(venv)
    uv = _find_uv(venv)
    if dev and not dev_ok and not uv and os.environ.get("COURSE_INSTALLER", "").lower() != "pip":
        _ensure_pip(venv)  # the dev set is large: fetch uv first and install everything with it
        _pip(venv, "install", "--quiet", f"uv=={UV_VERSION}")
        uv = str(venv_script(venv, "uv"))
    if not runtime_ok:
        print(f"Installing the course's packages into {venv.name} (requirements.lock) ...", flush=True)
        if uv:
            _run([uv, "pip", "install", "--quiet", "--python", venv_python(venv), "--no-deps", "--require-hashes",
                  "-r", RUNTIME_LOCK])
        else:
            had_pip = _has_pip(venv)
            _ensure_pip(venv)
            _pip(venv, "install", "--quiet", "--no-compile", "--no-deps", "--require-hashes", "-r", RUNTIME_LOCK)
            if not had_pip and not _stamp(venv, "dev").exists():
                # a learner's .venv keeps only the course; pip comes back on demand (ensurepip) when the lock changes
                _pip(venv, "uninstall", "--quiet", "--yes", "pip", "setuptools")
        _link_package(venv)
        _lab_settings(venv)
        _dedupe_lab_static(venv)
        _stamp(venv, "runtime").write_text(_digest(RUNTIME_LOCK))
    if dev and not dev_ok:
        print(f"Installing the development tools into {venv.name} (requirements-dev.lock) ...", flush=True)
        if not uv:
            _ensure_pip(venv)
            _pip(venv, "install", "--quiet", f"uv=={UV_VERSION}")
            uv = str(venv_script(venv, "uv"))
        _run([uv, "pip", "install", "--quiet", "--python", venv_python(venv), "--require-hashes", "-r", DEV_LOCK])
        _link_package(venv)
        _stamp(venv, "dev").write_text(_digest(DEV_LOCK))
    return venv_python(venv)


# ---------------------------------------------------------------------------------------------------------- git


def _git(*args, check: bool = True, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True)


def in_git_checkout(root: Path = ROOT) -> bool:
    if shutil.which("git") is None:
        return False
    proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, check=False, capture_output=True, text=True)
    return proc.returncode == 0 and Path(proc.stdout.strip()).resolve() == root.resolve()


# ------------------------------------------------------------------------------------------------------------ lab


def _lab_command(python: Path, extra: list[str]) -> list[str]:
    cmd = [str(python), "-m", "jupyterlab", "--ip=127.0.0.1", f"--ServerApp.root_dir={ROOT}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI run as root; JupyterLab refuses without this
    return cmd + extra


def lab(extra: list[str]) -> int:
    python = install()
    opens = [] if any(not a.startswith("-") for a in extra) else [START_NOTEBOOK]
    cmd = _lab_command(python, extra + opens)
    print("+", " ".join(cmd), flush=True)
    try:
        return subprocess.call(cmd, cwd=ROOT)
    except KeyboardInterrupt:
        return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""
    except (urllib.error.URLError, OSError):
        return 0, b""


def _probe_lab(proc: subprocess.Popen, log, base: str, token: str) -> None:
    deadline = time.monotonic() + 90
    while _get(f"{base}/api/status?token={token}", 2)[0] != 200:
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise CourseError("JupyterLab did not start:\n" + log.read()[-3000:])
        time.sleep(0.5)
    status, _ = _get(f"{base}/lab/tree/{START_NOTEBOOK}?token={token}", 30)
    print(f"GET /lab/tree/{START_NOTEBOOK} -> {status}")
    if status != 200:
        raise CourseError(f"JupyterLab answered {status} for the start notebook")
    status, body = _get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}")
    default = json.loads(body or b"{}").get("schema", {}).get("properties", {}).get("fetchNews", {})
    print(f"notification settings -> {status}, fetchNews default {default.get('default')!r}")
    if status != 200 or default.get("default") != "false":
        raise CourseError("the course's JupyterLab settings (news pop-up off) are not in effect")


def lab_smoke_test() -> int:
    """Start JupyterLab the way ``lab`` does, check it serves the start notebook with the course settings, stop it."""
    python = install()
    port, token = _free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="course-lab-") as scratch:
        env = dict(os.environ, JUPYTER_CONFIG_DIR=f"{scratch}/config", JUPYTER_RUNTIME_DIR=f"{scratch}/runtime")
        cmd = _lab_command(python, ["--no-browser", f"--port={port}", f"--ServerApp.token={token}", START_NOTEBOOK])
        print("+", " ".join(cmd).replace(token, "<token>"), flush=True)
        with open(Path(scratch) / "lab.log", "w+") as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                _probe_lab(proc, log, f"http://127.0.0.1:{port}", token)
            finally:
                proc.terminate()  # this process only, by its handle
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    print("JupyterLab served the course and stopped.")
    return 0


# ----------------------------------------------------------------------------------------------------------- test


def test(jobs: str = "2", pytest_args: list[str] | None = None) -> int:
    """ruff, the package's doctests, then every test and every notebook (run on fresh copies, never on yours)."""
    python = install(dev=True)
    pristine = ROOT / "_build" / "pristine"
    steps = [
        [python, "-m", "ruff", "check", "helpers", "tests", "bench"],
        [python, "-m", "pytest", "-q", "--doctest-modules", "helpers/socialized_loss"],
        [python, "-m", "socialized_loss.sync", "pristine", pristine],
        [python, "-m", "pytest", "-n", jobs, "--dist", "loadfile", "-m", "not browser and not slow", "--nbval-lax",
         "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "tests",
         pristine / "notebooks", pristine / "solutions", *(pytest_args or [])],
    ]
    failed = []
    for step in steps:
        print("+", " ".join(str(s) for s in step), flush=True)
        if subprocess.call([str(s) for s in step], cwd=ROOT) != 0:
            failed.append(" ".join(str(s) for s in step[1:4]))
    if failed:
        print("FAILED: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------------------------------------- update


def _load_sync():
    """helpers/socialized_loss/sync.py, loaded as a file: it needs only the standard library (no .venv yet)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_course_sync", ROOT / "helpers" / "socialized_loss" / "sync.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _is_notebook_noise_only(work: bytes, head: bytes) -> bool:
    """True when a notebook differs from the committed one only by what JupyterLab saves on opening it."""
    _sync = _load_sync()
    try:
        return _sync.normalize_text(work.decode("utf-8"), keep_outputs=True) == _sync.normalize_text(
            head.decode("utf-8"), keep_outputs=True
        )
    except ValueError:
        return False


def learner_changes(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(files with your work in them, files that differ only by JupyterLab noise) among the course's tracked files."""
    candidates = _git("diff", "--name-only", "--no-renames", "HEAD", "--", *COURSE_DIRS, cwd=root).stdout.split()
    work, noise = [], []
    for rel in candidates:
        path = root / rel
        if not path.is_file():
            continue  # deleted: nothing of yours to keep
        head = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=root, check=False, capture_output=True).stdout
        data = path.read_bytes()
        if data == head:
            continue
        if rel.endswith(".ipynb") and _is_notebook_noise_only(data, head):
            noise.append(rel)
        else:
            work.append(rel)
    return work, noise


def update(root: Path = ROOT, now: _dt.datetime | None = None) -> int:
    """Keep a copy of every course file you changed in my-work/<date-time>/, restore the originals, then pull."""
    if not in_git_checkout(root):
        raise CourseError(
            "This folder is not a git clone, so it cannot be updated in place. Download the new course into a new "
            "folder and copy your notebooks across (nothing here is changed)."
        )
    ahead = _git("rev-list", "--count", "@{upstream}..HEAD", check=False, cwd=root)
    if ahead.returncode == 0 and ahead.stdout.strip() not in ("", "0"):
        raise CourseError(
            f"You have {ahead.stdout.strip()} commit(s) of your own on this branch, so the course cannot be updated "
            "by a fast-forward. Nothing was changed. Ask for help, or keep your work in a branch: "
            "`git switch -c my-notes && git switch - && git reset --hard @{upstream}` then run the update again."
        )
    work, noise = learner_changes(root)
    stamp = (now or _dt.datetime.now()).strftime("%Y-%m-%d_%H%M%S")
    saved_to = root / MY_WORK / stamp
    for rel in work:
        dest = saved_to / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dest)
        if dest.read_bytes() != (root / rel).read_bytes():  # never restore a file whose copy is not exact
            raise CourseError(f"could not copy {rel} to {dest}; nothing was changed")
    if work or noise:
        _git("checkout", "HEAD", "--", *(work + noise), cwd=root)
    pull = subprocess.run(["git", "pull", "--ff-only"], cwd=root, check=False, capture_output=True, text=True)
    print(pull.stdout.strip())
    if work:
        print(f"\nYour work is kept in {saved_to.relative_to(root)}/ :")
        for rel in work:
            print(f"  {MY_WORK}/{stamp}/{rel}")
        print("Open your copies from there; the course folders now hold the new versions.")
    if pull.returncode != 0:
        print(pull.stderr.strip(), file=sys.stderr)
        raise CourseError("git pull failed (see above). Your files are safe" + (f" in {MY_WORK}/{stamp}/." if work
                                                                                  else "."))
    print("The course is up to date. `make lab` (or `python tools/course.py lab`) installs any new packages.")
    return 0


# ----------------------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/course.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_lab = sub.add_parser("lab", help="open the course in JupyterLab (installs the learner set on first use)")
    p_lab.add_argument("--smoke-test", action="store_true", help="start, check the start notebook is served, stop")
    p_test = sub.add_parser("test", help="install the dev set and run every test")
    p_test.add_argument("--jobs", default=os.environ.get("JOBS", "2"))
    sub.add_parser("update", help="keep your edited notebooks in my-work/<date-time>/, then git pull")
    p_inst = sub.add_parser("install", help="only install (.venv), do not start anything")
    p_inst.add_argument("--dev", action="store_true", help="also the development tools (requirements-dev.lock)")
    args, extra = parser.parse_known_args(argv)
    try:
        if args.command == "lab":
            return lab_smoke_test() if args.smoke_test else lab(extra)
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        if args.command == "test":
            return test(args.jobs)
        if args.command == "update":
            return update()
        install(dev=args.dev)
        return 0
    except CourseError as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"\nA step failed ({exc.cmd[0]} exited {exc.returncode}); see its message above.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

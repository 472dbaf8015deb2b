"""The course's environments: two hashed universal locks, environment.yml (Binder, conda), the JupyterLab settings.

- requirements.lock (learners, `make lab`) and requirements-dev.lock (`make test`, CI) are universal (Linux, macOS,
  Windows: the OS-only packages carry markers) with a hash on every entry; the learner set holds no test, book or
  browser tools; both pin the same version of every package they share.
- environment.yml names pyproject's runtime packages with conda pins that admit the locked versions (matplotlib-base,
  not the Qt-pulling matplotlib). A conda solve and a Docker build cannot run here (no conda channel, no Docker
  daemon), so that is checked statically plus repo2docker ``--no-build``.
- The course's JupyterLab settings (news pop-up off) reach both `make lab` and Binder (postBuild).
- A Jupytext round trip through JupyterLab's contents manager keeps each lesson's ``course:`` front matter.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
ALLOWED_KEYS = {"name", "channels", "dependencies", "variables"}
CONDA_ONLY = {"python", "pip", "setuptools"}  # the toolchain, not course packages
CONDA_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)(?:\s*(?P<op>==|>=|<=|=|>|<)\s*(?P<version>[0-9][0-9A-Za-z.*+!_-]*))?$")
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}


def env() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_specs() -> dict[str, tuple[str | None, str | None]]:
    out = {}
    for dep in env()["dependencies"]:
        if isinstance(dep, dict):
            continue
        m = CONDA_SPEC.match(dep.strip())
        assert m, f"environment.yml: cannot parse conda dependency {dep!r}"
        name = canonicalize_name(CONDA_TO_PYPI.get(m["name"], m["name"]))
        out[name] = (m["op"], m["version"])
    return out


def runtime_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


LOCKS = {"runtime": ROOT / "requirements.lock", "dev": ROOT / "requirements-dev.lock"}
LINUX_311 = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux", "os_name": "posix",
             "platform_system": "Linux", "implementation_name": "cpython", "platform_python_implementation": "CPython",
             "platform_machine": "x86_64"}
OS_ONLY = {"appnope": "darwin", "pywinpty": "nt", "colorama": "win32"}
NOT_FOR_LEARNERS = {"pytest", "pytest-xdist", "nbval", "hypothesis", "playwright", "ruff", "sphinx", "jupyter-book",
                    "jupyter-repo2docker", "nbgrader", "docker", "uv"}
DEV_NEEDS = {"ruff", "hypothesis", "pytest", "pytest-xdist", "nbval", "playwright", "jupyter-book", "sphinx",
             "jupyter-repo2docker", "pyyaml", "packaging", "uv"}


def lock_entries(kind: str) -> list[tuple[str, Version, Marker | None, list[str]]]:
    """(name, version, marker, hashes) for every pinned entry of a lock."""
    text = LOCKS[kind].read_text()
    out = []
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)(?:\s*;\s*([^\\\n]+?))?\s*(?:\\|$)", block)
        if m:
            marker = Marker(m[3]) if m[3] else None
            out.append((canonicalize_name(m[1]), Version(m[2]), marker, re.findall(r"--hash=sha256:[0-9a-f]{64}", block)))
    return out


def locked_versions(kind: str = "runtime", env: dict | None = None) -> dict[str, Version]:
    """What the lock installs in ``env`` (default: CPython 3.11 on Linux, the Binder/conda interpreter)."""
    env = env or LINUX_311
    return {name: v for name, v, marker, _ in lock_entries(kind) if marker is None or marker.evaluate(env)}


def test_yaml_shape():
    data = env()
    assert set(data) <= ALLOWED_KEYS, f"unexpected keys: {set(data) - ALLOWED_KEYS}"
    assert data["channels"] == ["conda-forge"]
    assert not (ROOT / "binder").exists(), "a binder/ folder makes repo2docker ignore the root environment.yml"


def test_pip_section_entries_parse():
    for dep in env()["dependencies"]:
        if isinstance(dep, dict):
            assert set(dep) == {"pip"}, f"only a 'pip:' mapping is allowed, got {dep}"
            assert "pip" in conda_specs(), "a pip: section needs pip as a conda dependency"
            for entry in dep["pip"]:
                Requirement(entry)  # raises InvalidRequirement on a bad line


def test_same_packages_as_pyproject():
    conda = set(conda_specs()) - CONDA_ONLY
    pip = set(runtime_requirements())
    assert conda == pip, f"only in environment.yml: {sorted(conda - pip)}; only in pyproject: {sorted(pip - conda)}"


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    op, version = conda_specs()["python"]
    assert op == "=" and Version(version) in Requirement(f"python{project['requires-python']}").specifier


def test_conda_pins_admit_the_locked_versions():
    locked = locked_versions()
    reqs = runtime_requirements()
    for name, (op, version) in conda_specs().items():
        if name in CONDA_ONLY:
            continue
        assert op == "=" and version, f"{name} must be pinned (name=X.Y) in environment.yml"
        pin = Version(version)
        got = locked[name]
        assert got.release[: len(pin.release)] == pin.release, (
            f"{name}: environment.yml pins {version}.* but requirements.lock has {got}"
        )
        assert got in reqs[name].specifier, f"{name}: locked {got} is outside pyproject's {reqs[name].specifier}"


@pytest.mark.parametrize("kind", sorted(LOCKS))
def test_lock_is_universal_with_hashes(kind):
    header = LOCKS[kind].read_text().splitlines()[1]
    assert "--universal" in header and "--generate-hashes" in header, f"{LOCKS[kind].name}: compiled as {header}"
    entries = lock_entries(kind)
    assert len(entries) > 50
    assert all(hashes for *_, hashes in entries), "every locked package carries its hashes"
    marked = {name: str(marker) for name, _, marker, _ in entries if marker is not None}
    for name, platform in OS_ONLY.items():
        assert name in marked and platform in marked[name], f"{LOCKS[kind].name}: {name} needs its OS marker"
    if kind == "dev":
        assert "pywin32" in marked and "win32" in marked["pywin32"]
    for env in ({**LINUX_311, "sys_platform": "darwin", "platform_system": "Darwin"},
                {**LINUX_311, "sys_platform": "win32", "os_name": "nt", "platform_system": "Windows"}):
        got = locked_versions(kind, env)
        assert {"numpy", "jupyterlab", "ipykernel", "matplotlib"} <= set(got)
        assert ("appnope" in got) == (env["sys_platform"] == "darwin")
        assert ("pywinpty" in got) == (env["os_name"] == "nt")


def test_bootstrap_uv_is_the_locked_one():
    text = (ROOT / "tools" / "course.py").read_text()
    pinned = re.search(r'^UV_VERSION = "([^"]+)"', text, re.MULTILINE)
    assert pinned and Version(pinned[1]) == locked_versions("dev")["uv"], "tools/course.py UV_VERSION != dev lock"


def test_learner_lock_has_no_developer_tools():
    learner = locked_versions("runtime")
    assert not NOT_FOR_LEARNERS & set(learner), f"in the learner lock: {sorted(NOT_FOR_LEARNERS & set(learner))}"
    assert {"jupyterlab", "ipywidgets", "numpy", "matplotlib", "ipykernel"} <= set(learner)


def test_dev_lock_has_the_tools_and_the_learner_versions():
    dev, learner = locked_versions("dev"), locked_versions("runtime")
    assert DEV_NEEDS <= set(dev), f"missing from requirements-dev.lock: {sorted(DEV_NEEDS - set(dev))}"
    differ = {n: (v, dev.get(n)) for n, v in learner.items() if dev.get(n) != v}
    assert not differ, f"the two locks pin different versions (run `make lock`): {differ}"


def test_lock_covers_pyproject():
    locked = locked_versions()
    for name, req in runtime_requirements().items():
        assert name in locked, f"{name} missing from requirements.lock: run `make lock`"
        assert locked[name] in req.specifier


def test_postbuild_installs_the_package():
    post = ROOT / "postBuild"
    assert post.exists() and post.stat().st_mode & 0o111, "postBuild must exist and be executable"
    assert "pip install" in post.read_text() and "-e ." in post.read_text()


def test_news_popup_is_off_for_make_lab_and_binder():
    overrides = json.loads((ROOT / "tools" / "jupyterlab" / "overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
    assert "tools/jupyterlab/overrides.json" in (ROOT / "postBuild").read_text(), "Binder must get the settings too"
    assert "share/jupyter/lab/settings" in (ROOT / "postBuild").read_text()


def test_binder_uses_matplotlib_base():
    names = [d.split("=")[0].strip() for d in env()["dependencies"] if isinstance(d, str)]
    assert "matplotlib-base" in names and "matplotlib" not in names


def test_jupytext_round_trip_keeps_the_course_front_matter(tmp_path):
    """Open and save every lesson through Jupytext's contents manager, as JupyterLab does, with the repo's config."""
    jupytext = pytest.importorskip("jupytext")
    shutil.copy(ROOT / "jupytext.toml", tmp_path / "jupytext.toml")
    (tmp_path / "lessons").mkdir()
    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]-*.md"))
    assert lessons
    cm = jupytext.TextFileContentsManager(root_dir=str(tmp_path))
    for lesson in lessons:
        shutil.copy(lesson, tmp_path / "lessons" / lesson.name)
        before = jupytext.read(lesson, fmt="md:myst")
        model = cm.get(f"lessons/{lesson.name}")
        assert model["type"] == "notebook"
        model["content"]["metadata"]["language_info"] = {"name": "python", "version": "3.12.4"}  # what a kernel adds
        cm.save(model, f"lessons/{lesson.name}")
        after = jupytext.read(tmp_path / "lessons" / lesson.name, fmt="md:myst")
        assert after.metadata.get("course") == before.metadata["course"], f"{lesson.name} lost its course: block"
        assert "language_info" not in after.metadata, f"{lesson.name}: kernel metadata leaked into the lesson"
        assert [(c.cell_type, c.source, c.metadata.get("tags")) for c in after.cells] == [
            (c.cell_type, c.source, c.metadata.get("tags")) for c in before.cells
        ], f"{lesson.name}: the round trip changed its cells"


def test_repo2docker_accepts_the_repository():
    exe = Path(sys.executable).parent / "repo2docker"
    if not exe.exists():
        exe = shutil.which("repo2docker")
    assert exe, "repo2docker is in the dev dependencies; run make test to install it"
    proc = subprocess.run([str(exe), "--no-build", "--debug", str(ROOT)], capture_output=True, text=True, timeout=120, check=False)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-2000:]
    assert "Building conda environment for python=3.11" in log
    assert 'environment.yml' in log and "./postBuild" in log

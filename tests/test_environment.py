"""environment.yml (Binder, conda) and pyproject/requirements.lock (pip) must describe the same course environment.

A conda solve and a Docker build cannot run here (no conda channel, no Docker daemon), so this checks statically:
the YAML loads with the allowed keys, every entry parses, the packages match pyproject's runtime dependencies, each
conda pin admits the locked pip version, and repo2docker (offline, ``--no-build``) accepts the repository.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
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


def locked_versions() -> dict[str, Version]:
    out = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", line)
        if m:
            out[canonicalize_name(m[1])] = Version(m[2])
    return out


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


def test_lock_covers_pyproject():
    locked = locked_versions()
    for name, req in runtime_requirements().items():
        assert name in locked, f"{name} missing from requirements.lock: run `make lock`"
        assert locked[name] in req.specifier


def test_postbuild_installs_the_package():
    post = ROOT / "postBuild"
    assert post.exists() and post.stat().st_mode & 0o111, "postBuild must exist and be executable"
    assert "pip install" in post.read_text() and "-e ." in post.read_text()


def test_repo2docker_accepts_the_repository():
    exe = Path(sys.executable).parent / "repo2docker"
    if not exe.exists():
        exe = shutil.which("repo2docker")
    assert exe, "repo2docker is in the dev dependencies; run make test to install it"
    proc = subprocess.run([str(exe), "--no-build", "--debug", str(ROOT)], capture_output=True, text=True, timeout=120)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-2000:]
    assert "Building conda environment for python=3.11" in log
    assert 'environment.yml' in log and "./postBuild" in log

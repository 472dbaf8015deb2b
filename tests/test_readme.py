"""The first things a learner and a teacher read tell the truth: README, start notebook, licences, citation, data.

- README: its first screen shows ``make lab`` and ``make test`` before anything else, the path without make
  (``tools/course.py``), ``make update`` and the set-up page; then the Binder badge (on ``HEAD`` or a branch or tag
  that exists, opening ``notebooks/00-start-here.ipynb``) with what a first launch costs, then the conda route; its
  course map links every lesson's notebook.
- The start notebook warns that a Binder session ends after about 10 idle minutes and saves nothing.
- ``LICENSE`` (MIT), ``LICENSE-TEXT`` (CC BY 4.0) and ``CITATION.cff`` (valid CFF-shaped YAML naming both licences
  and the repository the badge launches) exist; every case-study data folder keeps its licence and provenance.
- The instructor guide's timings table agrees with the lessons' front matter (its schedules are built on it).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jupytext
import nbformat
import pytest
import yaml

from socialized_loss import build

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
LESSONS = build.lesson_paths(ROOT / "lessons")
DATA_DIRS = sorted(p for p in (ROOT / "helpers" / "socialized_loss" / "data").glob("*/") if p.is_dir())
FIRST_SCREEN_LINES = 30  # what fits in a browser window or a terminal without scrolling
BADGE = re.compile(
    r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]\((?P<url>https://mybinder\.org/v2/[^)\s]+)\)"
)


def first_screen() -> str:
    """The README up to its first horizontal rule or second-level heading, and at most FIRST_SCREEN_LINES lines."""
    lines = README.splitlines()[:FIRST_SCREEN_LINES]
    for i, line in enumerate(lines):
        if i > 0 and (line.strip() == "---" or line.startswith("## ")):
            return "\n".join(lines[:i])
    return "\n".join(lines)


def test_first_screen_starts_with_make_lab_then_make_test():
    screen = first_screen()
    lab, test = screen.find("make lab"), screen.find("make test")
    assert lab >= 0 and test >= 0, "the README's first screen must show `make lab` and `make test`"
    assert lab < test, "`make lab` comes first: it is what a learner runs"
    before = screen[:lab]
    assert "](" not in before and "![" not in before, "nothing (no link, no badge) may come before `make lab`"
    prose = [line for line in before.splitlines() if line.strip() and not line.startswith(("#", "```"))]
    assert len(prose) <= 2, f"only the title and a one-line tagline may come before `make lab`, found {prose}"
    fence = before.rfind("```")
    assert fence >= 0 and before[fence:].startswith("```bash"), "`make lab` and `make test` belong in a bash block"


def badge_url():
    m = BADGE.search(first_screen())
    assert m, "the README's first screen needs the Binder badge [![Binder](https://mybinder.org/badge_logo.svg)](…)"
    return m, urlsplit(m["url"])


def ref_exists(ref: str) -> bool:
    """True when ``ref`` names a branch or tag of this clone (or of its origin)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return False
    for full in (f"refs/heads/{ref}", f"refs/tags/{ref}", f"refs/remotes/origin/{ref}"):
        proc = subprocess.run(["git", "rev-parse", "--verify", "-q", full], cwd=ROOT, capture_output=True, check=False)
        if proc.returncode == 0:
            return True
    return False


def test_binder_badge_after_the_commands_on_a_ref_that_exists():
    screen = first_screen()
    m, url = badge_url()
    assert m.start() > screen.find("make test"), "the Binder badge comes after `make lab` and `make test`"
    parts = url.path.strip("/").split("/")
    assert parts[:2] == ["v2", "gh"] and len(parts) >= 5, f"expected /v2/gh/<org>/<repo>/<ref>, got {url.path}"
    ref = "/".join(parts[4:])
    assert ref == "HEAD" or ref_exists(ref), (
        f"the badge launches {ref!r}, which is not a branch or tag of this repository: use HEAD or an existing ref"
    )
    urlpath = parse_qs(url.query).get("urlpath", [""])[0]
    assert urlpath == "lab/tree/notebooks/00-start-here.ipynb", f"badge urlpath is {urlpath!r}"
    assert (ROOT / "notebooks" / "00-start-here.ipynb").exists()


def test_first_screen_says_what_a_first_binder_launch_costs():
    screen = " ".join(first_screen().split())
    after = screen[screen.find("mybinder.org/badge_logo.svg"):]
    assert re.search(r"first launch.*?\d+ (to \d+ )?minutes|first launch.*?several minutes", after), (
        "say next to the badge how long Binder's first launch (the image build) takes"
    )


def test_first_screen_gives_the_path_without_make_update_and_setup_page():
    screen = first_screen()
    assert "tools\\course.py lab" in screen or "tools/course.py lab" in screen, "the Windows (no make) route"
    assert (ROOT / "tools" / "course.py").is_file()
    assert "make update" in screen and "my-work/" in screen, "how a learner gets updates without losing work"
    assert "](SETUP.md)" in screen and (ROOT / "SETUP.md").is_file(), "link the set-up and troubleshooting page"


def test_citation_names_both_licences_and_the_repository():
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    licences = data.get("license")
    licences = [licences] if isinstance(licences, str) else list(licences or [])
    assert {"MIT", "CC-BY-4.0"} <= set(licences), f"CITATION.cff licences are {licences}"
    _, url = badge_url()
    org, repo = url.path.strip("/").split("/")[2:4]
    assert data.get("repository-code") == f"https://github.com/{org}/{repo}", "repository-code is the badge's repo"


def test_conda_route_after_the_badge():
    screen = first_screen()
    conda = screen.find("conda env create -f environment.yml")
    assert conda >= 0, "the first screen must give the conda route (`conda env create -f environment.yml`)"
    assert conda > BADGE.search(screen).start(), "the conda route comes after the Binder badge"
    assert "pip install --no-deps -e ." in screen[conda:], "the conda route must install the course package"


def course_map() -> str:
    m = re.search(r"^## The course\s*$(.*?)(?=^## )", README, flags=re.MULTILINE | re.DOTALL)
    assert m, "README needs a '## The course' section with the course map"
    return m.group(1)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_course_map_links_every_lesson(lesson: Path):
    row = next((line for line in course_map().splitlines() if f"](notebooks/{lesson.stem}.ipynb)" in line), None)
    assert row, f"the README's course map has no link to notebooks/{lesson.stem}.ipynb"
    assert re.match(rf"^\|\s*{lesson.stem[:2]}\s*\|", row), (
        f"the row for {lesson.stem} should start with | {lesson.stem[:2]} |"
    )


def test_readme_links_resolve():
    for target in re.findall(r"\]\(((?:notebooks|solutions|lessons)/[^)#\s]*)\)", README):
        assert (ROOT / target).exists(), f"README links to {target}, which does not exist"


def _binder_warning(text: str) -> bool:
    for para in re.split(r"\n\s*\n", text):
        flat = " ".join(para.split()).replace("*", "")
        if (
            "Binder" in flat
            and re.search(r"\b10 (idle )?minutes|\b10 minutes without activity", flat)
            and re.search(r"not saved|saves nothing|does not save|do not save|is deleted|are deleted", flat)
        ):
            return True
    return False


def test_start_notebook_warns_about_binder_sessions():
    src = jupytext.read(ROOT / "lessons" / "00-start-here.md", fmt="md:myst")
    # the committed notebook, not the working copy: a learner may have edited theirs
    rel = "notebooks/00-start-here.ipynb"
    if shutil.which("git") and (ROOT / ".git").exists():
        shown = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, capture_output=True, text=True, check=False)
        nb = nbformat.reads(shown.stdout, as_version=4) if shown.returncode == 0 else nbformat.read(ROOT / rel, 4)
    else:
        nb = nbformat.read(ROOT / rel, as_version=4)
    for where, cells in (("lessons/00-start-here.md", src.cells), ("notebooks/00-start-here.ipynb", nb.cells)):
        text = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
        assert _binder_warning(text), (
            f"{where} must warn, in one paragraph, that a Binder session ends after about 10 idle minutes and "
            "does not save work"
        )


def test_code_licence_is_mit():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text


def test_text_licence_is_cc_by_4():
    text = (ROOT / "LICENSE-TEXT").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0" in text and "CC BY 4.0" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text


def test_citation_cff_is_valid():
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert isinstance(data, dict), "CITATION.cff must be a YAML mapping"
    assert re.fullmatch(r"1\.\d+\.\d+", str(data.get("cff-version", ""))), "CITATION.cff needs cff-version: 1.x.y"
    for key in ("message", "title", "authors"):
        assert data.get(key), f"CITATION.cff needs {key!r}"
    assert all(isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in data["authors"])


def test_there_is_case_study_data():
    assert DATA_DIRS, "no case-study data folder under helpers/socialized_loss/data/"


@pytest.mark.parametrize("folder", DATA_DIRS, ids=[p.name for p in DATA_DIRS])
def test_data_keeps_licence_and_provenance(folder: Path):
    names = {p.name for p in folder.iterdir() if p.is_file()}
    licence = [n for n in names if n.upper().startswith(("LICENSE", "LICENCE"))]
    provenance = [n for n in names if n.upper().startswith("PROVENANCE")]
    assert licence and (folder / licence[0]).read_text(encoding="utf-8").strip(), (
        f"{folder.name}: no LICENSE beside the data"
    )
    assert provenance and (folder / provenance[0]).read_text(encoding="utf-8").strip(), (
        f"{folder.name}: no PROVENANCE beside the data"
    )
    assert names - set(licence) - set(provenance), f"{folder.name}: a licence and provenance but no data"


def test_instructor_timings_match_the_lessons():
    """The schedules in lessons/instructor/overview.md are built on its timings table; keep it true."""
    overview = (ROOT / "lessons" / "instructor" / "overview.md").read_text(encoding="utf-8")
    table = {
        m["nn"]: (int(m["teach"]), int(m["ex"]))
        for m in re.finditer(r"^\|\s*(?P<nn>\d\d)\s*\|[^|]*\|\s*(?P<teach>\d+)\s*\|\s*(?P<ex>\d+)\s*\|", overview, re.MULTILINE)
    }
    for lesson in LESSONS:
        meta = jupytext.read(lesson, fmt="md:myst").metadata.get("course", {})
        want = (meta.get("teaching"), meta.get("exercises"))
        got = table.get(lesson.stem[:2])
        assert got == want, (
            f"lessons/instructor/overview.md times {lesson.stem} at {got} (teaching, exercises) but its front matter "
            f"says {want}: update the timings table and the schedules"
        )


def test_course_maps_match_lesson_timings():
    """The README's and the start notebook's course maps give each lesson's minutes as its front matter does."""
    import jupytext

    start = (ROOT / "lessons" / "00-start-here.md").read_text(encoding="utf-8")
    readme_text = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "lessons").glob("[0-9][0-9]-*.md")):
        meta = jupytext.read(path, fmt="md:myst").metadata["course"]
        minutes = f"| {meta['teaching']} + {meta['exercises']} |"
        for name, text in (("README.md", readme_text), ("lessons/00-start-here.md", start)):
            row = next((line for line in text.splitlines() if line.startswith(f"| {path.stem[:2]} |")), None)
            assert row is not None, f"{name}: no course-map row for lesson {path.stem[:2]}"
            assert minutes in row, f"{name}: lesson {path.stem[:2]} should show {minutes!r}, row is {row!r}"

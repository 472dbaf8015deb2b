"""The static book (``make book``) builds, offline, with every lesson executed cleanly.

One test, one build: building executes every lesson notebook (a few minutes), so everything is checked on the same
build. It checks that

- every lesson (``lessons/NN-slug.md``) has its page ``NN-slug.html``, and the intro, the glossary (when
  ``lessons/glossary.md`` exists) and the instructor guide have theirs;
- no cell failed: no error or traceback output in any page, no execution error report under ``reports/``, and no
  "execution failed" warning in the build log;
- every explorer cell shows the static note and a picture of the explorer, never a widget that needs a kernel;
- the build log has no warnings (broken cross-references, missing files, bad markup);
- a teacher's book: solutions folded (each exercise's code behind *Show solution*, each discussion in a dropdown);
  Binder and JupyterHub (nbgitpuller) launch buttons that open the page's *student* notebook; a download button whose
  file is the student notebook; no trace of the start-up code that makes explorers static; every image's alt text is
  the lesson's description of that figure; MathJax loaded from the book itself, never from a CDN.
"""
from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import nbformat
import pytest

from socialized_loss import book, build

ROOT = Path(__file__).resolve().parents[1]
LESSONS = build.lesson_paths(ROOT / "lessons")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
ERROR_MARKERS = (
    "Traceback (most recent call last)",
    'class="output traceback',
    'class="output error',
    "highlight-ipythontb",
)
# Sphinx/myst-nb problems look like "path:line: WARNING: message [type.subtype]" (kernels' "[IPKernelApp] WARNING |"
# lines about TCP transport are not the book's business).
WARNING = re.compile(r"^.*\b(?:WARNING|ERROR|CRITICAL|SEVERE): .*$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
HUB = "https://hub.example.edu"
REPO = "https://github.com/socialized-loss-models/socialized-loss-models"
CDN = re.compile(
    r"https?://[^\"' ]*(?:jsdelivr|cdnjs|unpkg|mathjax\.org)[^\"' ]*mathjax|mathjax[^\"' ]*https?://", re.IGNORECASE
)
IMG = re.compile(r"<img\b[^>]*>")


def test_toc_lists_every_lesson_once():
    files = book.toc_files(ROOT)
    lessons = [p.stem for p in LESSONS]
    assert files[0] == "intro" and [f for f in files if f in lessons] == lessons
    assert len(files) == len(set(files))
    assert (ROOT / "book" / "_config.yml").exists()


def test_book_notebooks_fold_solutions_and_carry_alt_text():
    names = [p.stem for p in LESSONS]
    for lesson in LESSONS:
        b = build.build_lesson(lesson)
        nb = book._book_notebook(b.solution, names)
        text = json.dumps(nb)
        assert "Explorer" not in text and "remove-cell" not in text, "a hidden patch in the book's notebook"
        for cell in nb.cells:
            if cell.cell_type == "code" and any(
                ln.strip() in build.solution_lines(b.solution) for ln in cell.source.split("\n")
            ):
                assert "hide-input" in cell.metadata.get("tags", []), cell.source[:80]
                assert cell.metadata["mystnb"]["code_prompt_show"] == "Show solution"
            if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "markdown":
                assert cell.source.startswith("````{dropdown}")
        figures = [c for c in b.solution.cells if c.cell_type == "code" and "plt.show()" in c.source]
        alts = [c.metadata["mystnb"]["image"]["alt"] for c in nb.cells if "image" in c.metadata.get("mystnb", {})]
        assert len(alts) >= len(figures) and all(len(a) > 20 and "**" not in a for a in alts)


def widget_cells(lesson: Path) -> int:
    """How many explorer cells the book turns into a picture (the same rule as ``book.WIDGET_CALL``)."""
    nb = build.build_lesson(lesson).solution
    return sum(
        1
        for c in nb.cells
        if c.cell_type == "code" and c.source.strip().count("\n") == 0 and book.WIDGET_CALL.match(c.source.strip())
    )


def page_text(html: str) -> str:
    """The visible text of a page, roughly (tags stripped), for finding the widget note."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.slow
def test_book_builds_every_lesson_cleanly(tmp_path: Path):
    assert LESSONS, "no lessons in lessons/"
    html_dir = book.build_book(ROOT, tmp_path, hub=HUB)
    log = ANSI.sub("", (tmp_path / "build.log").read_text(encoding="utf-8"))
    problems: list[str] = []

    expected = [f"{p.stem}.html" for p in LESSONS] + ["intro.html", "instructor-guide.html"]
    if (ROOT / "lessons" / "glossary.md").exists():
        expected.append("glossary.html")
    for name in expected:
        if not (html_dir / name).exists():
            problems.append(f"{name}: page missing from the book")
    if not (html_dir / "index.html").exists():
        problems.append("index.html missing")

    reports = sorted((html_dir / "reports").glob("*")) if (html_dir / "reports").is_dir() else []
    for report in reports:
        text = report.read_text(encoding="utf-8", errors="replace")
        problems.append(f"reports/{report.name}: execution error\n{text[-1500:]}")
    if "Execution Failed" in log or "execution failed" in log.lower():
        problems.append("the build log reports a failed execution")

    note = page_text(book.WIDGET_NOTE.replace("*", "").replace("`", ""))[:80]
    for lesson in LESSONS:
        page = html_dir / f"{lesson.stem}.html"
        if not page.exists():
            continue
        html = page.read_text(encoding="utf-8")
        for marker in ERROR_MARKERS:
            if marker in html:
                at = html.find(marker)
                context = page_text(html[at - 300 : at + 700])[:500]
                problems.append(f"{page.name}: error output ({marker!r}) near: {context}")
                break
        if WIDGET_MIME in html:
            problems.append(f"{page.name}: a live widget (needs a kernel) instead of the static picture")
        n = widget_cells(lesson)
        shown = page_text(html).count(note)
        if shown != n:
            problems.append(f"{page.name}: {n} explorer cell(s) but the static note appears {shown} time(s)")
        if n and html.count('src="data:image/png;base64') + len(re.findall(r'<img[^>]+src="_images/', html)) < n:
            problems.append(f"{page.name}: fewer images than explorer cells: the explorers' pictures are missing")

        problems.extend(teacher_book_problems(html_dir, lesson, html))

    if not (html_dir / "_static" / "mathjax" / "tex-chtml.js").exists():
        problems.append("MathJax is not in the book (_static/mathjax/tex-chtml.js)")

    intro = html_dir / "intro.html"
    if intro.exists() and "make lab" not in page_text(intro.read_text(encoding="utf-8")):
        problems.append("intro.html does not show `make lab`")

    warnings = [w.strip() for w in WARNING.findall(log)]
    if warnings:
        problems.append("build warnings:\n  " + "\n  ".join(warnings[:30]))

    assert not problems, "\n".join(problems)


def teacher_book_problems(html_dir: Path, lesson: Path, html: str) -> list[str]:
    """Launch buttons, download, folded solutions, alt texts and offline maths of one lesson page."""
    name, problems = lesson.stem, []
    b = build.build_lesson(lesson)
    binder = f"https://mybinder.org/v2/gh/socialized-loss-models/socialized-loss-models/main?urlpath=lab/tree/notebooks/{name}.ipynb"
    if binder not in html_lib.unescape(html):
        problems.append(f"{name}.html: no Binder button opening notebooks/{name}.ipynb")
    hub = re.search(r'href="(https://hub\.example\.edu/hub/user-redirect/git-pull\?[^"]+)"', html)
    if not hub or f"notebooks/{name}.ipynb" not in html_lib.unescape(hub.group(1)).replace("%2F", "/"):
        problems.append(f"{name}.html: no JupyterHub (nbgitpuller) button opening notebooks/{name}.ipynb")
    source = html_dir / "_sources" / f"{name}.ipynb"
    if f"_sources/{name}.ipynb" not in html:
        problems.append(f"{name}.html: no download button for the notebook")
    elif not source.exists() or nbformat.reads(source.read_text("utf-8"), as_version=4).cells != b.student.cells:
        problems.append(f"{name}.html: the download button does not give the student notebook")
    external = re.findall(r'<(?:script|link)[^>]*(?:src|href)="(https?://[^"]+)"', html)
    if external:
        problems.append(f"{name}.html: loads from the network: {external[:3]}")
    if "Explorer" in html or "_static_explorer" in html or "IPYTHONDIR" in html:
        problems.append(f"{name}.html: carries the start-up code that makes explorers static")
    exercises = sum(1 for c in b.solution.cells if c.cell_type == "code" and build.BEGIN in c.source)
    folded = len(re.findall(r'<details class="[^"]*\bhide above-input">', html))
    if folded != exercises or html.count("Show solution") < exercises:
        problems.append(f"{name}.html: {exercises} exercise(s) but {folded} folded 'Show solution' code cells")
    discussions = sum(
        1 for c in b.solution.cells if c.cell_type == "markdown" and "solution" in c.metadata.get("tags", [])
    )
    if len(re.findall(r'<details class="sd-sub-title sd-dropdown|class="[^"]*sd-dropdown', html)) < discussions:
        problems.append(f"{name}.html: {discussions} discussion(s) but fewer dropdowns")
    for img in IMG.findall(html):
        if "logo" in img or "_static/" in img:
            continue
        alt = re.search(r'alt="([^"]*)"', img)
        if not alt or len(alt.group(1)) < 20 or re.fullmatch(r"[0-9a-f]{16,}(\.png)?", alt.group(1)):
            problems.append(f"{name}.html: an image without a description as alt text: {img[:160]}")
    mathjax = re.findall(r'<script[^>]*src="[^"]*mathjax[^"]*"', html, flags=re.IGNORECASE)
    has_math = 'class="math' in html
    if CDN.search(html) or len(mathjax) != has_math or (mathjax and "_static/mathjax/tex-chtml.js" not in mathjax[0]):
        problems.append(f"{name}.html: MathJax is not loaded once from the book's own _static/mathjax: {mathjax[:3]}")
    return problems

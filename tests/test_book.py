"""The static book (``make book``) builds, offline, with every lesson executed cleanly.

One test, one build: building executes every lesson notebook (a few minutes), so everything is checked on the same
build. It checks that

- every lesson (``lessons/NN-slug.md``) has its page ``NN-slug.html``, and the intro, the glossary (when
  ``lessons/glossary.md`` exists) and the instructor guide have theirs;
- no cell failed: no error or traceback output in any page, no execution error report under ``reports/``, and no
  "execution failed" warning in the build log;
- every explorer cell shows the static note and a picture of the explorer, never a widget that needs a kernel;
- the build log has no warnings (broken cross-references, missing files, bad markup).
"""
from __future__ import annotations

import re
from pathlib import Path

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
    html_dir = book.build_book(ROOT, tmp_path)
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

    intro = html_dir / "intro.html"
    if intro.exists() and "make lab" not in page_text(intro.read_text(encoding="utf-8")):
        problems.append("intro.html does not show `make lab`")

    warnings = [w.strip() for w in WARNING.findall(log)]
    if warnings:
        problems.append("build warnings:\n  " + "\n  ".join(warnings[:30]))

    assert not problems, "\n".join(problems)

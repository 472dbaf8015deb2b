"""Build a static HTML book of the executed lessons (``make book`` → ``_build/html``), offline, with Jupyter Book 1.

The book is made from the *solution* notebooks, built in memory from ``lessons/`` (so it never depends on whether
``make notebooks`` has been run) and executed at build time so every figure is real. Widgets need a live kernel, so
on a static page each explorer shows as a picture of its starting state and its readout (a hidden cell changes how an
explorer displays), after a note saying where to run it live. Solution cells keep the answer but lose nbgrader's
marker lines. Links that leave the lesson folder are rewritten for the book's flat layout. (Jupyter Book 2 downloads
its theme at build time and cannot build offline.) The build's log is kept in ``<build folder>/build.log``.

The pages load MathJax (formulas) from a CDN, like every Sphinx site: online readers see typeset maths, a reader with
no network sees the LaTeX source.
"""
from __future__ import annotations

import argparse
import copy
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat

from .build import BEGIN, END, build_lesson, find_root, guide_text, lesson_paths

__all__ = ["STATIC_EXPLORERS", "WIDGET_NOTE", "build_book", "prepare_book"]

WIDGET_CALL = re.compile(r"^\s*(sl\.widgets\.\w+\([^\n]*\))\s*$")
WIDGET_NOTE = (
    "*Static page: the explorer below is a picture of its starting state. To move its controls, open this lesson's "
    "notebook in JupyterLab (`make lab`) or on Binder: widgets need a live Python kernel.*"
)


_RELATIVE_LINK = re.compile(r"\[([^\]]+)\]\((\.\./[^)\s]+)\)")


def _book_links(text: str, names: list[str]) -> str:
    """Rewrite links that climb out of a lesson's folder (``../…``) for the book's flat layout.

    A lesson notebook or source becomes its page, the glossary its page; anything else (README, CONTRIBUTING, data)
    is not a page of the book, so the link becomes its text with the path, instead of a link Sphinx cannot resolve.
    """

    def repl(m: re.Match) -> str:
        label, target = m.groups()
        path = Path(target.split("#")[0])
        if path.name == "glossary.md":
            return f"[{label}](glossary.md)"
        if path.stem in names and path.suffix in (".ipynb", ".md"):
            return f"[{label}]({path.stem}.ipynb)"
        shown = str(path).replace("../", "")
        return f"{label} (`{shown}`)"

    return _RELATIVE_LINK.sub(repl, text)


def _without_markers(source: str) -> str:
    """A solution cell for reading: the answer stays, nbgrader's BEGIN/END SOLUTION marker lines go."""
    lines = source.split("\n")
    kept = [line for line in lines if not line.strip().startswith((BEGIN, END))]
    return "\n".join(kept) if len(kept) != len(lines) else source


#: A hidden cell run after each lesson's set-up cell: on a static page an explorer displays as a picture of its
#: starting state and its readout table, however the lesson shows it, instead of controls that need a live kernel.
STATIC_EXPLORERS = textwrap.dedent(
    """\
    from IPython.display import HTML as _HTML, Image as _Image, display as _display
    from socialized_loss.widgets._base import Explorer as _Explorer

    def _static_explorer(self):
        _display(_Image(self.image.value), _HTML(self.readout.value))

    _Explorer._ipython_display_ = _static_explorer"""
)


def _book_notebook(solution: nbformat.NotebookNode, names: list[str]) -> nbformat.NotebookNode:
    """A copy of a lesson's solution notebook for a static page (explorers become a picture, with a note)."""
    nb = copy.deepcopy(solution)
    cells = []
    patched = False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _book_links(cell.source, names)
        if cell.cell_type == "code":
            if WIDGET_CALL.match(cell.source.strip()) and cell.source.strip().count("\n") == 0:
                cells.append(nbformat.v4.new_markdown_cell(WIDGET_NOTE))
            cell.source = _without_markers(cell.source)
        cells.append(cell)
        if cell.cell_type == "code" and not patched:  # right after the set-up cell, which imports the package
            hidden = nbformat.v4.new_code_cell(STATIC_EXPLORERS)
            hidden.metadata["tags"] = ["remove-cell"]
            cells.append(hidden)
            patched = True
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb


def prepare_book(root: Path, out: Path) -> Path:
    """Write the book's sources (config, table of contents, intro, lesson notebooks, glossary) into ``out``."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    builds = [build_lesson(p) for p in lesson_paths(root / "lessons")]
    names = [b.name for b in builds]
    for b in builds:
        nbformat.write(_book_notebook(b.solution, names), out / f"{b.name}.ipynb")
    glossary = root / "lessons" / "glossary.md"
    extra = []
    if glossary.exists():
        shutil.copy(glossary, out / "glossary.md")
        extra.append("glossary")
    (out / "instructor-guide.md").write_text(_book_links(guide_text(root, builds), names), encoding="utf-8")
    extra.append("instructor-guide")
    readme = (root / "README.md").read_text(encoding="utf-8")
    intro = readme.split("## What is where")[0]
    for old, new in (
        ("](notebooks/", "]("),
        ("](lessons/glossary.md)", "](glossary.md)"),
        ("](lessons/instructor/guide.md)", "](instructor-guide.md)"),
        ("[`solutions/`](solutions/)", "`solutions/`"),
    ):
        intro = intro.replace(old, new)
    (out / "intro.md").write_text(intro, encoding="utf-8")
    (out / "_config.yml").write_text(
        textwrap.dedent(
            """\
            title: Socialized Loss Models
            author: Socialized Loss Models contributors
            only_build_toc_files: true
            execute:
              execute_notebooks: force
              timeout: 300
              allow_errors: false
            sphinx:
              config:
                html_show_copyright: false
                suppress_warnings: ["myst.header", "mystnb.unknown_mime_type"]
            """
        ),
        encoding="utf-8",
    )
    toc = ["format: jb-book", "root: intro", "chapters:"]
    toc += [f"  - file: {n}" for n in names + extra]
    (out / "_toc.yml").write_text("\n".join(toc) + "\n", encoding="utf-8")
    return out


def build_book(root: Path, build_dir: Path) -> Path:
    """Prepare the sources under ``build_dir/src`` and build HTML into ``build_dir/html``; returns the html folder."""
    src = prepare_book(root, build_dir / "src")
    exe = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(exe), "build", str(src), "--path-output", str(build_dir / "out"), "--builder", "html"]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    (build_dir / "build.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        raise RuntimeError(f"jupyter-book failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    html = build_dir / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.copytree(build_dir / "out" / "_build" / "html", html)
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialized_loss.book", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="build folder (default: <root>/_build)")
    args = parser.parse_args(argv)
    root = find_root()
    html = build_book(root, args.out or root / "_build")
    print(f"book written to {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

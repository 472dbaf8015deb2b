"""Build a static HTML book of the executed lessons (``make book`` → ``_build/html``), offline, with Jupyter Book 1.

The book is a teacher's book: it is made from the *complete* notebooks, built in memory from ``lessons/`` and
executed at build time so every figure is real, with the configuration committed in ``book/`` (``_config.yml``,
``_toc.yml``). On its pages

- solutions are folded: each exercise cell's code hides behind a *Show solution* button (nbgrader's marker lines are
  dropped), each worked discussion behind a *Discussion* dropdown;
- every figure's alt text is the lesson's own text description of it (the ``**Figure.**`` or ``**Widget.**``
  paragraph after the cell);
- an explorer shows as a picture of its starting state and its readout, after a note saying where to run it live:
  the build's kernel gets an IPython start-up file (in a temporary ``IPYTHONDIR``) that displays explorers so; the
  notebooks themselves carry nothing of it;
- the launch buttons (Binder, and a JupyterHub with nbgitpuller when ``jupyterhub_url`` or ``--hub`` is set) open the
  page's *student* notebook, and the download button hands out that student notebook too;
- formulas are typeset by MathJax 3 copied from the ``django-static-mathjax`` package into the book, so they render
  with no network (a missing package stops the build rather than fall back on a CDN).

(Jupyter Book 2 downloads its theme at build time and cannot build offline.) The build's log is kept in
``<build folder>/build.log``.
"""
from __future__ import annotations

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat

from .build import BEGIN, END, _dumps, build_lessons, find_root, guide_text, lesson_paths

__all__ = ["SHOW_SOLUTION", "STATIC_EXPLORERS_STARTUP", "WIDGET_NOTE", "build_book", "prepare_book", "toc_files"]

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


#: The IPython start-up file of the build's kernel: an explorer displays as a picture of its starting state and its
#: readout table (a display formatter registered for the class; no notebook cell, nothing in any notebook).
STATIC_EXPLORERS_STARTUP = textwrap.dedent(
    """\
    def _socialized_loss_static_explorers():
        from IPython import get_ipython
        from IPython.display import HTML, Image, display
        from socialized_loss.widgets._base import Explorer

        def show(explorer):
            display(Image(explorer.image.value), HTML(explorer.readout.value))

        get_ipython().display_formatter.ipython_display_formatter.for_type(Explorer, show)


    _socialized_loss_static_explorers()
    del _socialized_loss_static_explorers
    """
)

SHOW_SOLUTION = {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}
_DESCRIPTION = re.compile(r"^\*\*(Figure|Widget)\.\*\*\s*")


def _plain(markdown: str) -> str:
    """A markdown paragraph as plain text for an alt attribute (emphasis, code marks, links and maths signs out)."""
    text = _DESCRIPTION.sub("", markdown.strip().split("\n\n")[0])
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`$]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _description_after(cells, i: int) -> str | None:
    """The text description of cell ``i``'s figure: the next markdown cell, if it starts **Figure.** or **Widget.**"""
    for cell in cells[i + 1 :]:
        if cell.cell_type == "markdown":
            return _plain(cell.source) if _DESCRIPTION.match(cell.source.strip()) else None
        return None
    return None


def _fold(markdown: str) -> str:
    """A worked discussion inside a dropdown (a fence longer than any inside it)."""
    fence = "`" * max(4, max((len(m) for m in re.findall(r"`{3,}", markdown)), default=0) + 1)
    return f"{fence}{{dropdown}} Discussion (solution)\n{markdown.strip()}\n{fence}"


def _book_notebook(solution: nbformat.NotebookNode, names: list[str]) -> nbformat.NotebookNode:
    """A copy of a lesson's complete notebook for a page: solutions folded, alt texts set, explorer notes added."""
    nb = copy.deepcopy(solution)
    cells = []
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown":
            cell.source = _book_links(cell.source, names)
            if "solution" in tags:
                cell.source = _fold(cell.source)
        else:
            if WIDGET_CALL.match(cell.source.strip()) and cell.source.strip().count("\n") == 0:
                cells.append(nbformat.v4.new_markdown_cell(WIDGET_NOTE))
            mystnb = {}
            if any(line.strip() == BEGIN for line in cell.source.split("\n")):
                cell.metadata["tags"] = [*tags, "hide-input"]
                mystnb.update(SHOW_SOLUTION)
            cell.source = _without_markers(cell.source)
            alt = _description_after(nb.cells, i)
            if alt:
                mystnb["image"] = {"alt": alt}
            if mystnb:
                cell.metadata["mystnb"] = mystnb
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("widgets", None)
    return nb


def _mathjax_folder() -> Path:
    """MathJax 3 (es5 build) from the ``django-static-mathjax`` package of the dev lock."""
    try:
        import mathjax  # the package django-static-mathjax: MathJax's files under mathjax/static/mathjax
    except ImportError as exc:
        raise RuntimeError(
            "MathJax for the book comes from the package django-static-mathjax (dev dependencies): install it "
            "(`make .venv/.installed`) so formulas render offline; the book never falls back on a CDN."
        ) from exc
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / "tex-chtml.js").exists():
        raise RuntimeError(f"no MathJax es5/tex-chtml.js under {es5}")
    return es5


#: What of MathJax's es5 build the book needs: the TeX-to-CommonHTML bundle, its fonts, the TeX extensions it may
#: load on demand, and the accessibility and menu components (the speech engine, 10 MB, is left out).
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "ui")


def _copy_mathjax(static: Path) -> None:
    es5 = _mathjax_folder()
    dest = static / "mathjax"
    for part in MATHJAX_PARTS:
        src = es5 / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.exists():
            (dest / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dest / part)


def prepare_book(root: Path, out: Path, hub: str | None = None) -> Path:
    """Write the book's sources into ``out``: the committed config and table of contents (``book/``), the intro,
    the lesson pages, the glossary, the instructor guide and MathJax. ``hub`` sets the JupyterHub launch button."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    builds = build_lessons(lesson_paths(root / "lessons"))
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
    config = (root / "book" / "_config.yml").read_text(encoding="utf-8")
    if hub:
        config, n = re.subn(r'(?m)^(\s*jupyterhub_url:).*$', lambda m: f'{m.group(1)} "{hub}"', config)
        if n != 1:
            raise RuntimeError("book/_config.yml has no 'jupyterhub_url:' line to set")
    (out / "_config.yml").write_text(config, encoding="utf-8")
    shutil.copy(root / "book" / "_toc.yml", out / "_toc.yml")
    _copy_mathjax(out / "_mathjax")  # published as _static/mathjax (see html_static_path in book/_config.yml)
    return out


def toc_files(root: Path) -> list[str]:
    """The pages the committed ``book/_toc.yml`` lists, in order (root first)."""
    import yaml

    toc = yaml.safe_load((root / "book" / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"], *(entry["file"] for entry in toc.get("chapters", []))]


def build_book(root: Path, build_dir: Path, hub: str | None = None) -> Path:
    """Prepare the sources under ``build_dir/src`` and build HTML into ``build_dir/html``; returns the html folder."""
    src = prepare_book(root, build_dir / "src", hub=hub)
    pages = {p.stem for p in src.glob("*.ipynb")} | {p.stem for p in src.glob("*.md")}
    listed = toc_files(root)
    if set(listed) != pages:
        raise RuntimeError(
            f"book/_toc.yml lists {sorted(set(listed) - pages)} that are not pages and misses "
            f"{sorted(pages - set(listed))}: edit book/_toc.yml"
        )
    ipython_dir = build_dir / "ipython"
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-static-explorers.py").write_text(STATIC_EXPLORERS_STARTUP, encoding="utf-8")
    env = dict(os.environ, IPYTHONDIR=str(ipython_dir))
    exe = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(exe), "build", str(src), "--path-output", str(build_dir / "out"), "--builder", "html"]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env)
    (build_dir / "build.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        raise RuntimeError(f"jupyter-book failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    html = build_dir / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.copytree(build_dir / "out" / "_build" / "html", html)
    # the download button hands out the learner's notebook, not the page's complete one
    for b in build_lessons(lesson_paths(root / "lessons")):
        target = html / "_sources" / f"{b.name}.ipynb"
        if target.exists():
            target.write_text(_dumps(b.student), encoding="utf-8")
    return html


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialized_loss.book", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="build folder (default: <root>/_build)")
    parser.add_argument("--hub", default=None, help="a JupyterHub address for the launch buttons (with nbgitpuller)")
    args = parser.parse_args(argv)
    root = find_root()
    html = build_book(root, args.out or root / "_build", hub=args.hub)
    print(f"book written to {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

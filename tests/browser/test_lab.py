"""The course in a real browser: every student and solution notebook, run in JupyterLab in headless Chromium.

Per notebook: Run All; no error output anywhere on the page; every explorer rendered (no "Error displaying widget",
no text fallback, a decoded figure); the main widget (first output with a widget image) reacts when its first
control moves, with no kernel traceback; one screenshot. Notebooks are collected from disk at collection time, so
new lessons are covered with no change here.
"""
from __future__ import annotations

import json

import nbformat
import pytest
from labdriver import check_notebook, course_notebooks

pytestmark = pytest.mark.browser

NOTEBOOKS = course_notebooks()


def _record(browser_reports, artifacts_dir, rep, status):
    row = {"notebook": rep.relpath, "status": status, "timings": rep.timings, "total": rep.timings.get("total", 0.0),
           "problems": rep.problems, "artifacts": str(artifacts_dir),
           "main_widget": rep.interaction.detail if rep.interaction else None, "layout": rep.layout}
    browser_reports.append(row)
    with open(artifacts_dir / "report.jsonl", "a") as fh:
        fh.write(json.dumps(row) + "\n")


def _check(relpath, lab_server, lab, artifacts_dir):
    try:
        return check_notebook(lab, lab_server.root, relpath, artifacts_dir)
    except Exception:
        stem = relpath.replace("/", "__").removesuffix(".ipynb")
        lab.page.screenshot(path=str(artifacts_dir / f"{stem}.FAILED.png"))
        raise


@pytest.mark.parametrize("relpath", NOTEBOOKS, ids=[n.removesuffix(".ipynb") for n in NOTEBOOKS])
def test_notebook_in_lab(relpath, lab_server, lab, artifacts_dir, browser_reports):
    rep = _check(relpath, lab_server, lab, artifacts_dir)
    _record(browser_reports, artifacts_dir, rep, "ok" if not rep.problems else "FAILED")
    assert not rep.problems, rep.summary()


# ------------------------------------------------------------------------------------------------ broken on purpose
BROKEN_CELL = '''\
# Added by test_broken_widget_is_caught: an explorer whose {where} raises as soon as a control moves.
from socialized_loss.widgets._base import assemble, new_figure, slider, table_html

# (keyed on the value, not on a call count: building an explorer calls update and draw at made-up values too)
def _update(values):
    if values["x"] != 1.0 and {where!r} == "update":
        raise RuntimeError("deliberately broken explorer: update raised")
    return dict(values), table_html([("x", f"{{values['x']:.2f}}")])

_fig, _ax = new_figure()
(_line,) = _ax.plot([0, 1], [0, 1])

def _draw(state):
    if state["x"] != 1.0 and {where!r} == "draw":
        raise RuntimeError("deliberately broken explorer: draw raised")
    _line.set_ydata([0, state["x"]])

assemble({{"x": slider("x", 1.0, 0.0, 2.0, 0.1, "")}}, _fig, _update, _draw, title="Broken on purpose")
'''


def make_broken_notebook(root, where: str):
    """A scratch copy of the first course notebook with the broken explorer right after its set-up cell.

    Being the first output with a widget image, it is the notebook's main widget for the checks.
    """
    source = root / NOTEBOOKS[0]
    nb = nbformat.read(source, as_version=4)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(BROKEN_CELL.format(where=where)))
    out = root / "broken" / f"broken-{where}.ipynb"
    out.parent.mkdir(exist_ok=True)
    nbformat.write(nb, out)
    return out.relative_to(root).as_posix()


@pytest.mark.skipif(not NOTEBOOKS, reason="no course notebook to copy")
@pytest.mark.parametrize("where", ["update", "draw"])
def test_broken_widget_is_caught(where, lab_server, lab, artifacts_dir, browser_reports):
    """A raising callback must fail the tier's checks.

    ``update`` raises: nothing on screen changes and the kernel reports the traceback. ``draw`` raises after the
    readout was updated, so the page *does* change: only the kernel-message monitor catches it.
    """
    relpath = make_broken_notebook(lab_server.root, where)
    rep = _check(relpath, lab_server, lab, artifacts_dir)
    _record(browser_reports, artifacts_dir, rep, "caught" if rep.problems else "MISSED")
    assert rep.interaction is not None and not rep.interaction.ok, rep.summary()
    text = "\n".join(rep.problems)
    assert f"deliberately broken explorer: {where} raised" in text, rep.summary()
    assert "RuntimeError" in text, rep.summary()
    if where == "update":
        assert "neither the readout nor the image changed" in text, rep.summary()
    else:  # the frame is built in one go, so the page may not change at all; the kernel's messages name the failure
        assert "kernel error" in text, rep.summary()

"""The course's interactive explorers.

Each lesson's widget lives in ``widgets/<name>.py``. The numbers it shows come from the engine (a plain state
function that unit tests drive without a browser, e.g. :func:`socialized_loss.stress.stress_state`); the widget
wires ipywidgets controls to it and redraws a figure in place. Every explorer is re-exported here, so
``sl.widgets.margin_explorer()`` works for any of them. This package needs ipywidgets; ``import socialized_loss``
does not load it until ``sl.widgets`` is first used.
"""
from __future__ import annotations

from . import adl_queue, cascade, fund, margin, mechanisms, socialization, stress, vault, waterfall, waves
from .adl_queue import adl_queue_explorer
from .cascade import LEVERAGE_MIXES, cascade_explorer, cascade_state
from .fund import fund_explorer, fund_state
from .margin import margin_explorer, margin_state
from .mechanisms import mechanisms_explorer
from .socialization import socialization_explorer
from .stress import stress_explorer
from .vault import vault_explorer
from .waterfall import draw_waterfall, waterfall_explorer, waterfall_state
from .waves import waves_explorer, waves_state

__all__ = [
    "LEVERAGE_MIXES",
    "adl_queue",
    "adl_queue_explorer",
    "cascade",
    "cascade_explorer",
    "cascade_state",
    "draw_waterfall",
    "fund",
    "fund_explorer",
    "fund_state",
    "margin",
    "margin_explorer",
    "margin_state",
    "mechanisms",
    "mechanisms_explorer",
    "socialization",
    "socialization_explorer",
    "stress",
    "stress_explorer",
    "vault",
    "vault_explorer",
    "waterfall",
    "waterfall_explorer",
    "waterfall_state",
    "waves",
    "waves_explorer",
    "waves_state",
]

"""socialized_loss: the helpers behind the Socialized Loss Models course.

Use it as ``import socialized_loss as sl``. The lessons explain; this package computes.

Modules (one job each):

- ``margin``: equity, maintenance margin, liquidation and bankruptcy prices, leverage.
- ``allocation``: the two exact primitives every mechanism is made of, ``sequential`` and ``pro_rata``.
- ``liquidation``: closing a position, the insurance fund's delta, bad debt, cascades.
- ``insurance``: the insurance-fund ledger, its law of motion, a ruin (exhaustion) model.
- ``socialize``: clawbacks, contracts-pro-rata, deposit-index haircuts and other pro-rata bases.
- ``adl``: auto-deleveraging scores and queues.
- ``backstop``: vaults, stakers and pools as the backstop.
- ``waterfall``: the clearing-house default waterfall.
- ``haircuts``: haircut policies over PnL (queue, pro-rata, capped pro-rata).
- ``fairness``: metrics for any allocation of a loss.
- ``simulate``: market simulation and Monte Carlo (reference loop and vectorised).
- ``casestudy``: the Hyperliquid 10 October 2025 data.
- ``plots``: the course plot style.  ``widgets``: the interactive explorers.  ``checks``: exercise checks.
- ``build``: lessons/ → notebooks/ + solutions/ (``python -m socialized_loss.build``).
"""
from __future__ import annotations

from importlib import import_module as _import_module

__version__ = "0.1.0"

_MODULES = (
    "margin",
    "allocation",
    "liquidation",
    "insurance",
    "socialize",
    "adl",
    "backstop",
    "waterfall",
    "haircuts",
    "fairness",
    "simulate",
    "casestudy",
)

for _name in _MODULES:
    _mod = _import_module(f".{_name}", __name__)
    globals()[_name] = _mod
    for _public in getattr(_mod, "__all__", ()):
        globals()[_public] = getattr(_mod, _public)

from . import plots, checks, widgets  # noqa: E402  (after the engine: they use it)

del _name, _mod, _import_module

"""The clearing-house (CCP) default waterfall, layer by layer, exact in minor units.

Order of the layers (the standard sequence; the first five are reported by secondary sources and match the Nasdaq
Clearing 2018 default, the last two are the end-of-waterfall recovery tools):

1. the defaulter's initial margin, 2. the defaulter's default-fund contribution, 3. the CCP's own capital ("skin in
the game", SITG), 4. the non-defaulting members' default-fund contributions (pro rata to contributions), 5. capped
assessments / cash calls (pro rata to each member's cap, never above it), 6. variation-margin gains haircutting
(VMGH, pro rata to the VM gains owed since the default), 7. tear-up: whatever is left is ``uncovered`` (contracts
are terminated).

Sources: CPMI-IOSCO, *Recovery of financial market infrastructures* (2014, rev. 2017), summary at
https://www.fsb.org/2017/07/recovery-of-financial-market-infrastructures/ (tools: cash calls, VMGH, CCP capital,
tear-up); Bank of England Financial Stability Paper No. 20 (Elliott, 2013), reported via
http://www.economonitor.com/blog/2013/05/ccp-loss-allocation-rules/ (cash calls, VMGH, IM haircutting, tear-up as a
last resort); ISDA, *CCP loss allocation at the end of the waterfall* (Aug 2013),
https://www.lexology.com/library/detail.aspx?g=76849ff4-b943-43d7-8367-0e5e50b5b96d (VMGH, then full tear-up).
Nasdaq Clearing, September 2018: €114M beyond Einar Aas's margin, €7M of Nasdaq's own capital, then €107M ≈ two
thirds of the members' default fund (Reuters,
https://www.reuters.com/article/us-nordic-power-nasdaq/nordic-power-trader-defaults-costs-nasdaq-members-114-million-euros-idUSKCN1LT28G).

Money is exact in integer minor units (``unit=0.01``); mutualised layers are split with ``allocation.pro_rata``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import validate as v
from .allocation import _pro_rata_int, _sequential_int, _to_minor, from_minor

__all__ = ["LAYER_NAMES", "WaterfallLayers", "WaterfallResult", "default_waterfall"]

LAYER_NAMES = (
    "defaulter_initial_margin",
    "defaulter_default_fund",
    "skin_in_the_game",
    "member_default_fund",
    "assessments",
    "vm_gains_haircut",
)


@dataclass(frozen=True, eq=False)
class WaterfallLayers:
    """Resources in waterfall order (money ≥ 0). Scalars: the defaulter's initial margin and default-fund
    contribution, the CCP's skin in the game. Per-member vectors (any lengths; empty = none): non-defaulters'
    default-fund contributions, assessment caps, variation-margin gains owed since the default."""

    defaulter_initial_margin: float = 0.0
    defaulter_default_fund: float = 0.0
    skin_in_the_game: float = 0.0
    member_default_fund: np.ndarray = field(default_factory=lambda: np.zeros(0))
    assessment_caps: np.ndarray = field(default_factory=lambda: np.zeros(0))
    vm_gains: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self):
        for name in LAYER_NAMES[:3]:
            val = v.nonnegative(name, getattr(self, name))
            if val.ndim != 0:
                raise ValueError(f"{name} must be a single number ≥ 0, got {getattr(self, name)!r}")
            object.__setattr__(self, name, float(val))
        for name in ("member_default_fund", "assessment_caps", "vm_gains"):
            arr = v.vector(name, v.nonnegative(name, getattr(self, name)))
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)


@dataclass(frozen=True, eq=False)
class WaterfallResult:
    """Result of ``default_waterfall``: ``draws`` per layer (dict in waterfall order, money), per-member charges of the
    mutualised layers (``default_fund_charges``, ``assessment_charges``, ``vm_haircuts``) and the ``uncovered`` rest
    (tear-up). Σ draws + uncovered = loss exactly in minor units."""

    draws: dict
    default_fund_charges: np.ndarray
    assessment_charges: np.ndarray
    vm_haircuts: np.ndarray
    uncovered: float


def default_waterfall(loss, layers: WaterfallLayers, unit: float = 0.01) -> WaterfallResult:
    """Run a default ``loss`` (money ≥ 0) down the waterfall ``layers``; each layer is used only once the previous
    ones are exhausted; mutualised layers are split pro rata to the members' capacities (contributions, caps, VM
    gains), never above them. Nasdaq 2018: loss €114M past margin, SITG €7M, fund €160.5M → fund drawn €107M."""
    L = v.nonnegative("loss", loss)
    if L.ndim != 0:
        raise ValueError(f"loss must be a single number ≥ 0, got {loss!r}")
    if not isinstance(layers, WaterfallLayers):
        raise ValueError(f"layers must be a WaterfallLayers, got {type(layers).__name__}")
    A = int(_to_minor("loss", L, unit))
    per_member = [_to_minor(name, getattr(layers, name), unit)
                  for name in ("member_default_fund", "assessment_caps", "vm_gains")]
    scalars = [int(_to_minor(name, getattr(layers, name), unit)) for name in LAYER_NAMES[:3]]
    caps = np.array(scalars + [int(c.sum()) for c in per_member], dtype=np.int64)
    d = _sequential_int(A, caps, np.arange(len(caps)))
    split = []
    for drawn, c in zip(d[3:], per_member):
        split.append(_pro_rata_int(int(drawn), c.astype(float), c) if drawn else np.zeros(len(c), dtype=np.int64))
    draws = {name: float(from_minor(int(x), unit)) for name, x in zip(LAYER_NAMES, d)}
    rest = A - int(d.sum())
    return WaterfallResult(
        draws,
        np.asarray(from_minor(split[0], unit), dtype=float),
        np.asarray(from_minor(split[1], unit), dtype=float),
        np.asarray(from_minor(split[2], unit), dtype=float),
        float(from_minor(rest, unit)),
    )

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

Money is exact in integer minor units (``unit=0.01``). The arithmetic is the rule registry's ``rules.ccp_waterfall``
(``rules.ccp_waterfall_layers`` for the layer-by-layer view): ``default_waterfall`` keeps lesson 07's plain
signature (a loss and ``WaterfallLayers``) and maps the result back.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import rules
from . import validate as v
from ._plain import minor, profit_book
from .allocation import _exact_sum, _to_minor, from_minor

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
            object.__setattr__(self, name, v.money(name, getattr(self, name)))
        for name in ("member_default_fund", "assessment_caps", "vm_gains"):
            arr = v.vector(name, v.nonnegative(name, getattr(self, name)))
            object.__setattr__(self, name, v.frozen(arr))  # a read-only copy: the caller's array is left alone


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
    gains), never above them. Nasdaq 2018: loss €114M past margin, SITG €7M, fund €160.5M → fund drawn €107M.

    >>> layers = WaterfallLayers(skin_in_the_game=7e6, member_default_fund=[100e6, 60.5e6])
    >>> r = default_waterfall(114e6, layers)
    >>> r.draws["skin_in_the_game"], r.default_fund_charges.tolist(), r.uncovered
    (7000000.0, [66666666.67, 40333333.33], 0.0)
    """
    L = v.money("loss", loss)
    v.instance("layers", layers, WaterfallLayers)
    _to_minor("loss", L, unit)
    names = ("member_default_fund", "assessment_caps", "vm_gains")
    per_member = [np.atleast_1d(_to_minor(name, getattr(layers, name), unit)) for name in names]
    scalars = [float(from_minor(int(_to_minor(name, getattr(layers, name), unit)), unit)) for name in LAYER_NAMES[:3]]
    m = max(len(c) for c in per_member)
    # account 0 is the defaulter, accounts 1..m the members (shorter vectors padded with zeros)
    padded = [np.asarray(from_minor(np.r_[0, c, np.zeros(m - len(c), dtype=np.int64)], unit), dtype=float)
              for c in per_member]
    default_fund = padded[0].copy()
    default_fund[0] = scalars[1]
    r = rules.ccp_waterfall_layers(profit_book(padded[2]), L, default_fund=default_fund, defaulter=0,
                                   skin_in_the_game=scalars[2], assessments=padded[1], vm_gains_haircut=True,
                                   defaulter_margin=scalars[0], unit=unit)
    total = lambda x: float(from_minor(_exact_sum(minor(x, unit)), unit))
    draws = {
        "defaulter_initial_margin": r["defaulter_margin"],
        "defaulter_default_fund": total(r["defaulter_default_fund"]),
        "skin_in_the_game": r["skin_in_the_game"],
        "member_default_fund": total(r["member_default_fund"]),
        "assessments": total(r["assessments"]),
        "vm_gains_haircut": total(r["vm_gains_haircut"]),
    }
    members = [np.array(r[k][1:1 + len(c)]) for k, c in zip(("member_default_fund", "assessments",
                                                             "vm_gains_haircut"), per_member)]
    return WaterfallResult(draws, *members, r["uncovered"])

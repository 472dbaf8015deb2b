"""socialized_loss: the helpers behind the Socialized Loss Models course.

Use it as ``import socialized_loss as sl``. The lessons explain; this package computes.

Engine modules (one job each; their public functions are also reachable as ``sl.<name>``):

- ``margin``: equity, maintenance margin, liquidation and bankruptcy prices, leverage.
- ``allocation``: the two exact primitives every mechanism is made of, ``sequential`` and ``pro_rata`` (and their
  integer forms ``sequential_minor`` and ``pro_rata_minor``).
- ``ledger`` and ``rules``: the rule registry. Every loss rule the course teaches is one function
  ``rule(book, shortfall, *, unit) -> Allocation`` over a ``rules.Book``; ``sl.apply_rule(name, book, shortfall)``
  runs the one named in ``sl.RULES`` (``"clawback"``, ``"contracts_pro_rata"``, ``"pnl_haircut_queue"``,
  ``"venue_adl"``, …); ``sl.MECHANISM_LABELS`` gives each name's label.
- ``venues`` (data ``data/venues.toml``) and ``venue_adl``: the venue rulebook and contract-space ADL per venue.
- ``liquidation``: closing a position, the insurance fund's delta, bad debt, cascades.
- ``insurance``: the insurance-fund ledger, its law of motion, a ruin (exhaustion) model.
- ``socialize``: clawbacks, contracts-pro-rata, deposit-index haircuts and other pro-rata bases.
- ``adl``: auto-deleveraging scores and queues.
- ``backstop``: vaults, stakers and pools as the backstop.
- ``waterfall``: the clearing-house default waterfall.
- ``haircuts``: haircut policies over PnL (queue, pro-rata, capped pro-rata).
- ``fairness``: metrics for any allocation of a loss.
- ``simulate``: market simulation and Monte Carlo (reference loop and vectorised). The module is ``sl.simulate``;
  run the simulator with ``sl.simulate.simulate(...)`` (its helpers are also ``sl.make_population``,
  ``sl.gbm_jump_paths``, ``sl.monte_carlo``, …).
- ``casestudy``: the Hyperliquid 10 October 2025 data.

The lessons' examples (reached by module name, ``sl.<module>.<name>``):

- ``books``: the lessons' example books (package data ``data/books.toml``).
- ``comparison``: one loss through several rules on a book (lessons 04 and 08), fairness and Sybil splits.
- ``deleveraging``: lesson 05's ADL queue under four venues' rankings.
- ``cooldown``: lesson 06's vault run and withdrawal-cooldown model.
- ``stress``: lesson 10's stress lab (the simulated market, who pays).

Loaded on first use, so ``import socialized_loss`` stays fast and needs neither ipywidgets nor a display:
``plots`` (the course plot style), ``widgets`` (the interactive explorers), ``checks`` (exercise checks).
``build`` turns lessons/ into notebooks/ and solutions/ (``python -m socialized_loss.build``).

>>> import socialized_loss as sl
>>> sl.clawback(100.0, [300.0, 100.0]).charges.tolist()
[75.0, 25.0]
"""
from __future__ import annotations

from importlib import import_module as _import_module
from typing import Any as _Any

from . import (
    adl,
    allocation,
    backstop,
    books,
    casestudy,
    comparison,
    cooldown,
    deleveraging,
    fairness,
    haircuts,
    insurance,
    ledger,
    liquidation,
    margin,
    rules,
    simulate,
    socialize,
    stress,
    venue_adl,
    venues,
    waterfall,
)
from .adl import (
    ADLFills,
    DydxDeleverage,
    adl_fills,
    adl_lights,
    adl_queue,
    auto_deleverage,
    binance_leverage_pnl,
    bitmex_adl_score,
    dydx_deleverage,
    hyperliquid_adl_score,
)
from .allocation import (
    MAX_EXACT_MINOR,
    Drawn,
    Shared,
    from_minor,
    pro_rata,
    pro_rata_minor,
    sequential,
    sequential_minor,
    to_minor,
)
from .backstop import (
    DRIFT_UNSTAKE_DAYS,
    UMBRELLA_COOLDOWN_DAYS,
    Takeover,
    UmbrellaSlash,
    Vault,
    apply_pnl,
    balances,
    deposit,
    gmx_adl_triggered,
    liquidator_vault_takeover,
    new_vault,
    request_withdrawal,
    share_price,
    umbrella_slash,
    withdraw,
)
from .casestudy import (
    HL_DATASET,
    POLICIES,
    Headline,
    HorizonSweep,
    Waves,
    dominant_waves,
    headline_cross_check,
    hyperliquid_headline,
    load_headlines,
    load_horizon_sweep,
    load_waves,
    overshoot_by_duration,
    policy_totals,
    wave_summary,
)
from .fairness import (
    FairnessMetrics,
    SybilResult,
    fairness_metrics,
    gini,
    hhi,
    sybil_split,
)
from .haircuts import (
    Haircut,
    capacity,
    capped_pro_rata_haircut,
    pro_rata_haircut,
    queue_haircut,
    shortfall,
    top_winner_gap,
)
from .insurance import (
    CoverResult,
    FundFan,
    FundMonteCarlo,
    FundPath,
    InsuranceFund,
    add_inflows,
    adjustment_coefficient,
    cover,
    cover_losses,
    exhaustion_probability_grid,
    fund_fan,
    fund_monte_carlo,
    fund_path,
    lundberg_bound,
    ruin_monte_carlo,
    ruin_probability_exponential,
    size_for_target,
)
from .ledger import Allocation
from .liquidation import (
    Book,
    CascadeResult,
    LiquidationResult,
    cascade,
    insurance_fund_delta,
    liquidate,
    make_book,
    price_impact,
)
from .margin import (
    bankruptcy_price,
    bankruptcy_price_from_leverage,
    cross_bankruptcy_price,
    effective_leverage,
    equity,
    initial_margin,
    inverse_bankruptcy_price,
    is_liquidatable,
    liquidation_price,
    maintenance_margin,
    margin_ratio,
)
from .rules import MECHANISM_LABELS, RULES, apply_rule, rule_params
from .simulate import (
    DEPRECATED_MECHANISMS,
    MECHANISMS,
    MonteCarloSummary,
    SimResult,
    TraderPopulation,
    crash_replay,
    gbm_jump_paths,
    make_population,
    monte_carlo,
    simulate_reference,
)
from .socialize import (
    Clawback,
    ContractsProRata,
    DepositHaircut,
    WithdrawalHaircut,
    clawback,
    contracts_pro_rata,
    deposit_haircut_charges,
    deposit_index_haircut,
    withdrawal_haircut,
)
from .venues import VENUES, Venue, venue, venue_table
from .waterfall import LAYER_NAMES, WaterfallLayers, WaterfallResult, default_waterfall

__version__ = "0.1.0"

#: Submodules imported on first attribute access (they pull in matplotlib / ipywidgets, or are command-line tools).
_LAZY = ("plots", "widgets", "checks", "build", "book")

__all__ = [
    "DEPRECATED_MECHANISMS",
    "DRIFT_UNSTAKE_DAYS",
    "HL_DATASET",
    "LAYER_NAMES",
    "MAX_EXACT_MINOR",
    "MECHANISMS",
    "MECHANISM_LABELS",
    "POLICIES",
    "RULES",
    "UMBRELLA_COOLDOWN_DAYS",
    "VENUES",
    "ADLFills",
    "Allocation",
    "Book",
    "CascadeResult",
    "Clawback",
    "ContractsProRata",
    "CoverResult",
    "DepositHaircut",
    "Drawn",
    "DydxDeleverage",
    "FairnessMetrics",
    "FundFan",
    "FundMonteCarlo",
    "FundPath",
    "Haircut",
    "Headline",
    "HorizonSweep",
    "InsuranceFund",
    "LiquidationResult",
    "MonteCarloSummary",
    "Shared",
    "SimResult",
    "SybilResult",
    "Takeover",
    "TraderPopulation",
    "UmbrellaSlash",
    "Vault",
    "Venue",
    "WaterfallLayers",
    "WaterfallResult",
    "Waves",
    "WithdrawalHaircut",
    "__version__",
    "add_inflows",
    "adjustment_coefficient",
    "adl",
    "adl_fills",
    "adl_lights",
    "adl_queue",
    "allocation",
    "apply_pnl",
    "apply_rule",
    "auto_deleverage",
    "backstop",
    "balances",
    "bankruptcy_price",
    "bankruptcy_price_from_leverage",
    "binance_leverage_pnl",
    "bitmex_adl_score",
    "books",
    "capacity",
    "capped_pro_rata_haircut",
    "cascade",
    "casestudy",
    "clawback",
    "comparison",
    "contracts_pro_rata",
    "cooldown",
    "cover",
    "cover_losses",
    "crash_replay",
    "cross_bankruptcy_price",
    "default_waterfall",
    "deleveraging",
    "deposit",
    "deposit_haircut_charges",
    "deposit_index_haircut",
    "dominant_waves",
    "dydx_deleverage",
    "effective_leverage",
    "equity",
    "exhaustion_probability_grid",
    "fairness",
    "fairness_metrics",
    "from_minor",
    "fund_fan",
    "fund_monte_carlo",
    "fund_path",
    "gbm_jump_paths",
    "gini",
    "gmx_adl_triggered",
    "haircuts",
    "headline_cross_check",
    "hhi",
    "hyperliquid_adl_score",
    "hyperliquid_headline",
    "initial_margin",
    "insurance",
    "insurance_fund_delta",
    "inverse_bankruptcy_price",
    "is_liquidatable",
    "ledger",
    "liquidate",
    "liquidation",
    "liquidation_price",
    "liquidator_vault_takeover",
    "load_headlines",
    "load_horizon_sweep",
    "load_waves",
    "lundberg_bound",
    "maintenance_margin",
    "make_book",
    "make_population",
    "margin",
    "margin_ratio",
    "monte_carlo",
    "new_vault",
    "overshoot_by_duration",
    "policy_totals",
    "price_impact",
    "pro_rata",
    "pro_rata_haircut",
    "pro_rata_minor",
    "queue_haircut",
    "request_withdrawal",
    "ruin_monte_carlo",
    "ruin_probability_exponential",
    "rule_params",
    "rules",
    "sequential",
    "sequential_minor",
    "share_price",
    "shortfall",
    "simulate",
    "simulate_reference",
    "size_for_target",
    "socialize",
    "stress",
    "sybil_split",
    "to_minor",
    "top_winner_gap",
    "umbrella_slash",
    "venue",
    "venue_adl",
    "venue_table",
    "venues",
    "waterfall",
    "wave_summary",
    "withdraw",
    "withdrawal_haircut",
]


def __getattr__(name: str) -> _Any:
    """Import ``plots``, ``widgets``, ``checks``, ``build`` and ``book`` on first use."""
    if name in _LAZY:
        module = _import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})

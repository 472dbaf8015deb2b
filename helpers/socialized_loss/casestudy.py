"""The Hyperliquid auto-deleveraging of 10 October 2025, wave by wave (lesson 09).

The data in ``data/hyperliquid-2025-10-10/`` are the published outputs (folder ``out/``) of the reproduction
repository behind Tarun Chitra, *Autodeleveraging: Impossibilities and Optimization*, arXiv:2512.01112 (a
single-author paper; v3, 16 Feb 2026): https://github.com/pluriholonomic/autodeleveraging-analysis, commit
aae0be8600e6362c1f2f73a0a345ad2237800e32, MIT licence, copyright T. Chitra, V. Xu, N. Thogiti and M. Trujillo (copy
kept next to the data, with ``PROVENANCE.md``). The data were built from an on-chain reconstruction of the event
(ConejoCapital/HyperMultiAssetedADL).

Words used here, as the authors define them (``paper/corrected/empirical.tex`` in that repository):

- a **wave** is a burst of ADL fills; a new wave starts after a gap of more than 5 s between fills. There are 16,
  labelled 1–28 with gaps (the labels are the authors').
- **needed** (``budget_needed``, USD) is the bankruptcy-gap proxy of a wave: the sum over its ADL fills of
  |mark price − execution price| × |size|.
- **taken** (``budget_prod``, USD) is a *markout*: the winners' equity at the wave's end without ADL minus their
  equity with ADL, from a two-pass replay on the realised price path, counting only positive differences. It values
  each closed position at the wave's end, so in a wave that lasts seconds it includes the further gains a closed
  winner missed while the price kept moving; the authors call it valuation-based and say the no-ADL counterfactual
  is not identifiable.
- **overshoot** = taken − needed (USD); negative when production took less than needed.
- the counterfactual **policies** each target the needed amount of every wave with the same winners:
  see :data:`POLICIES`.

Everything is read with the standard library (``csv``, ``json``) into numpy arrays; sums are exact (``math.fsum``)
and the headline is rounded to the cent only at the end. Nothing here is typed in from the paper: the published
figures are what these functions must *reproduce*.
"""
from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

import numpy as np

from . import validate as v

__all__ = [
    "DURATION_GROUPS",
    "HL_DATASET",
    "POLICIES",
    "Headline",
    "HorizonSweep",
    "Waves",
    "dominant_waves",
    "headline_cross_check",
    "hyperliquid_headline",
    "load_headlines",
    "load_horizon_sweep",
    "load_waves",
    "overshoot_by_duration",
    "policy_totals",
    "wave_summary",
]

#: Folder (inside the package's ``data/``) that holds the case-study files.
HL_DATASET = "hyperliquid-2025-10-10"

#: The counterfactual policies of the per-wave file: column suffix → plain name. All target the needed amount
#: of each wave under a profits-only cap per account (``empirical.tex``, "Benchmark allocations").
POLICIES: dict[str, str] = {
    "pr": "wealth pro-rata",
    "pnl_pr": "PnL-weighted pro-rata",
    "eq_pr": "equity-weighted pro-rata",
    "vector": "vector mirror descent",
    "contract_pr": "contracts pro-rata (whole contracts)",
    "fixed_point_ilp_integer": "min-max integer program",
}


def _path(name: str):
    return resources.files("socialized_loss").joinpath("data", HL_DATASET, name)


def _read_csv(name: str) -> list[dict[str, str]]:
    with _path(name).open("r", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _read_json(name: str) -> dict[str, Any]:
    with _path(name).open("r", encoding="utf-8") as fh:
        return json.load(fh)


def _floats(rows: list[dict[str, str]], column: str) -> np.ndarray:
    return np.array([float(r[column]) for r in rows], dtype=float)


@dataclass(frozen=True)
class Waves:
    """The 16 ADL waves, in time order. Money in USD; times in seconds after the first ADL fill (21:16:04.831 UTC).

    ``budgets[p]`` and ``max_pct[p]`` are keyed by the policy suffixes of :data:`POLICIES`; ``max_pct`` also has
    ``"prod"``. ``max_pct`` is the largest single account's haircut as a fraction of its equity (0–1, capped at 1
    by the authors). ``loser_fills`` counts the liquidated (loser-side) fill rows of the wave and ``losers`` the
    distinct liquidated accounts (``bad_debt_loser_waves.csv``); ``deficit`` is the realised loser deficit of the
    wave (USD; the same large loser recurs across waves, so do not add these up as if they were distinct losses).
    """

    wave: np.ndarray
    t_start: tuple[str, ...]
    t_end: tuple[str, ...]
    start_s: np.ndarray
    end_s: np.ndarray
    needed: np.ndarray
    taken: np.ndarray
    budgets: dict[str, np.ndarray]
    max_pct: dict[str, np.ndarray]
    deficit: np.ndarray
    max_loss: np.ndarray
    loser_fills: np.ndarray
    losers: np.ndarray
    capacity: np.ndarray

    def __len__(self) -> int:
        return len(self.wave)

    @property
    def duration_s(self) -> np.ndarray:
        """How long each wave lasted, first fill to last (s); 0 where all its fills share one timestamp."""
        return self.end_s - self.start_s

    @property
    def overshoot(self) -> np.ndarray:
        """Taken − needed per wave (USD); negative where production took less than needed."""
        return self.taken - self.needed

    def index(self, wave: int) -> int:
        """Position (0–15) of the wave with this label (1–28, as in the data)."""
        hits = np.flatnonzero(self.wave == int(wave))
        if hits.size == 0:
            raise ValueError(f"wave must be one of {', '.join(map(str, self.wave))}; got {wave!r}")
        return int(hits[0])


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.strip())


def load_waves() -> Waves:
    """Read ``policy_per_wave_metrics.csv`` and ``bad_debt_loser_waves.csv`` into a :class:`Waves` (time order).

    Source: the authors' ``out/`` folder (see the module docstring). Raises ``ValueError`` if the two files do not
    list the same waves.
    """
    rows = _read_csv("policy_per_wave_metrics.csv")
    rows.sort(key=lambda r: _parse_time(r["t_start"]))
    losers = {int(r["wave"]): r for r in _read_csv("bad_debt_loser_waves.csv")}
    wave = np.array([int(r["wave"]) for r in rows], dtype=int)
    if set(wave.tolist()) != set(losers):
        raise RuntimeError("internal: policy_per_wave_metrics.csv and bad_debt_loser_waves.csv list different waves")
    t0 = _parse_time(rows[0]["t_start"])
    start_s = np.array([(_parse_time(r["t_start"]) - t0).total_seconds() for r in rows])
    end_s = np.array([(_parse_time(r["t_end"]) - t0).total_seconds() for r in rows])
    return Waves(
        wave=wave,
        t_start=tuple(r["t_start"] for r in rows),
        t_end=tuple(r["t_end"] for r in rows),
        start_s=start_s,
        end_s=end_s,
        needed=_floats(rows, "budget_needed"),
        taken=_floats(rows, "budget_prod"),
        budgets={p: _floats(rows, f"budget_{p}") for p in POLICIES},
        max_pct={p: _floats(rows, f"max_pct_{p}") for p in ("prod", *POLICIES)},
        deficit=_floats(rows, "deficit_usd"),
        max_loss=_floats(rows, "max_loss_usd"),
        loser_fills=np.array([int(losers[w]["n_rows"]) for w in wave], dtype=int),
        losers=np.array([int(losers[w]["unique_losers"]) for w in wave], dtype=int),
        capacity=_floats(rows, "total_cap"),
    )


@dataclass(frozen=True)
class Headline:
    """The paper's headline, recomputed: Σ needed, Σ taken and their difference (USD, rounded to the cent)."""

    needed: float
    taken: float
    overshoot: float
    n_waves: int

    @property
    def ratio(self) -> float:
        """Taken ÷ needed (×)."""
        return self.taken / self.needed


def _cents(x: float) -> float:
    return round(float(x), 2) + 0.0  # + 0.0 turns −0.0 into 0.0


def hyperliquid_headline(waves: Waves | None = None) -> Headline:
    """Σ needed, Σ taken and the overshoot Σ(taken − needed) over the waves (USD, exact sums, then cents).

    The paper (arXiv:2512.01112 v3, abstract and §9) reports an overshoot of about $45.0M at evaluation delay 0;
    this recomputes it from the per-wave file.
    """
    w = load_waves() if waves is None else waves
    needed = math.fsum(w.needed.tolist())
    taken = math.fsum(w.taken.tolist())
    return Headline(_cents(needed), _cents(taken), _cents(taken - needed), len(w))


@dataclass(frozen=True)
class HorizonSweep:
    """Totals when the winners' equity is evaluated ``horizon_ms`` after each wave ends (the authors' sweep).

    Arrays, one entry per delay, sorted by delay: ``needed`` and ``taken`` (USD, summed over the 16 waves) and
    ``overshoot`` = taken − needed, recomputed here. ``overshoot_published`` is the authors' own column.
    """

    horizon_ms: np.ndarray
    needed: np.ndarray
    taken: np.ndarray
    overshoot: np.ndarray
    overshoot_published: np.ndarray

    @property
    def worst(self) -> tuple[int, float]:
        """(delay in ms, overshoot in USD) of the largest overshoot in the sweep."""
        i = int(np.argmax(self.overshoot))
        return int(self.horizon_ms[i]), float(self.overshoot[i])


def load_horizon_sweep() -> HorizonSweep:
    """Read ``eval_horizon_sweep_gap_ms=5000.csv`` (delays 0, 0.5, 1, 2 and 5 s; 5-s wave gap)."""
    rows = sorted(_read_csv("eval_horizon_sweep_gap_ms=5000.csv"), key=lambda r: int(r["eval_horizon_ms"]))
    needed = _floats(rows, "total_budget_needed_usd")
    taken = _floats(rows, "total_H_prod_usd")
    return HorizonSweep(
        horizon_ms=np.array([int(r["eval_horizon_ms"]) for r in rows], dtype=int),
        needed=needed,
        taken=taken,
        overshoot=taken - needed,
        overshoot_published=_floats(rows, "total_overshoot_prod_minus_needed_usd"),
    )


def load_headlines() -> dict[str, Any]:
    """The authors' ``headlines.json``: the production overshoot, the wealth-space ("equity dollars") queue
    diagnostic of $653.55M, and winners' equity ÷ PnL (over-collateralisation) statistics."""
    return _read_json("headlines.json")


def headline_cross_check() -> dict[str, float]:
    """The overshoot at delay 0 from three of the authors' files (USD, to the cent); they should agree.

    Keys: ``"per-wave file"`` (Σ taken − Σ needed over ``policy_per_wave_metrics.csv``), ``"horizon sweep"``
    (its 0-ms row) and ``"headlines.json"``.
    """
    sweep = load_horizon_sweep()
    zero = int(np.flatnonzero(sweep.horizon_ms == 0)[0])
    return {
        "per-wave file": hyperliquid_headline().overshoot,
        "horizon sweep": _cents(sweep.overshoot[zero]),
        "headlines.json": _cents(load_headlines()["headline"]["prod_overshoot_vs_needed_usd"]),
    }


def dominant_waves(k: int = 3, waves: Waves | None = None) -> np.ndarray:
    """Labels of the ``k`` waves with the largest overshoot, largest first (1 ≤ k ≤ 16)."""
    w = load_waves() if waves is None else waves
    k = v.integer("k", k, 1, len(w))
    order = np.argsort(-w.overshoot, kind="stable")
    return w.wave[order[:k]]


def policy_totals(waves: Waves | None = None) -> dict[str, dict[str, float]]:
    """Per policy (production first): Σ taken, net overshoot Σ(taken − needed), gross over and gross under (USD,
    exact sums rounded to the cent).

    Gross over is Σ max(taken − needed, 0); gross under is Σ max(needed − taken, 0); net = over − under.
    """
    w = load_waves() if waves is None else waves
    out: dict[str, dict[str, float]] = {}
    for name, taken in (("production", w.taken), *((POLICIES[p], w.budgets[p]) for p in POLICIES)):
        diff = taken - w.needed
        out[name] = {
            "taken": _cents(math.fsum(taken.tolist())),
            "net": _cents(math.fsum(diff.tolist())),
            "over": _cents(math.fsum(np.maximum(diff, 0).tolist())),
            "under": _cents(math.fsum(np.maximum(-diff, 0).tolist())),
        }
    return out


def wave_summary(waves: Waves | None = None) -> list[dict[str, Any]]:
    """One dict per wave (time order) for printing: label, start time (UTC), liquidated fills, needed, taken,
    overshoot (USD)."""
    w = load_waves() if waves is None else waves
    return [
        {
            "wave": int(w.wave[i]),
            "start_utc": w.t_start[i][11:19],
            "loser_fills": int(w.loser_fills[i]),
            "needed": float(w.needed[i]),
            "taken": float(w.taken[i]),
            "overshoot": float(w.overshoot[i]),
        }
        for i in range(len(w))
    ]


#: Wave-length groups for :func:`overshoot_by_duration`: (label, shortest, longest) in seconds, both inclusive.
DURATION_GROUPS: tuple[tuple[str, float, float], ...] = (
    ("one instant (0 s)", 0.0, 0.0),
    ("about 3 s", 0.001, 5.0),
    ("9 s or longer", 5.001, math.inf),
)


def overshoot_by_duration(waves: Waves | None = None) -> list[dict[str, Any]]:
    """Needed, taken and overshoot summed over waves grouped by how long they lasted (USD, to the cent).

    One dict per group of :data:`DURATION_GROUPS`: ``group`` (label), ``labels`` (wave labels), ``needed``,
    ``taken``, ``overshoot``. The groups cover every wave once, so their overshoots add up to the headline.

    >>> [g["labels"] for g in overshoot_by_duration()][0]
    [1, 2, 4, 5, 7, 12]
    """
    w = load_waves() if waves is None else waves
    d = w.duration_s
    out = []
    for label, lo, hi in DURATION_GROUPS:
        mask = (d >= lo) & (d <= hi)
        out.append(
            {
                "group": label,
                "labels": [int(k) for k in w.wave[mask]],
                "needed": _cents(math.fsum(w.needed[mask].tolist())),
                "taken": _cents(math.fsum(w.taken[mask].tolist())),
                "overshoot": _cents(math.fsum(w.overshoot[mask].tolist())),
            }
        )
    return out

"""The Hyperliquid 10 October 2025 case study: the data must reproduce the paper's published figures to the cent.

The literals below are the *published* figures (arXiv:2512.01112 v3 and the authors' PROVENANCE); the package
computes its numbers from the data files, and these tests hold it to them.
"""
from __future__ import annotations

import csv
import math
from importlib import resources

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss import casestudy as cs

PUBLISHED_NEEDED = 15_079_669.61
PUBLISHED_TAKEN = 60_108_335.33
PUBLISHED_OVERSHOOT = 45_028_665.72
PUBLISHED_BAND_MAX = 51_673_606.61


@pytest.fixture(scope="module")
def waves():
    return cs.load_waves()


def test_data_ships_with_licence_and_provenance():
    folder = resources.files("socialized_loss").joinpath("data", cs.HL_DATASET)
    names = {p.name for p in folder.iterdir()}
    assert {"LICENSE", "PROVENANCE.md", "policy_per_wave_metrics.csv", "eval_horizon_sweep_gap_ms=5000.csv"} <= names
    licence = folder.joinpath("LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Tarun Chitra" in licence


def test_sixteen_waves_in_time_order(waves):
    assert len(waves) == 16
    assert waves.wave.tolist() == [1, 2, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 17, 21, 25, 28]
    assert np.all(np.diff(waves.start_s) > 0) and waves.start_s[0] == 0.0
    assert np.all(waves.end_s >= waves.start_s)
    assert waves.t_start[0].startswith("2025-10-10 21:16:04")
    assert np.all(waves.needed > 0) and np.all(waves.taken > 0)


def test_headline_to_the_cent(waves):
    h = sl.hyperliquid_headline(waves)
    assert h.needed == PUBLISHED_NEEDED
    assert h.taken == PUBLISHED_TAKEN
    assert h.overshoot == PUBLISHED_OVERSHOOT
    assert h.n_waves == 16
    assert h.ratio == pytest.approx(PUBLISHED_TAKEN / PUBLISHED_NEEDED)


def test_headline_matches_an_independent_read_of_the_csv():
    """Re-read the file with nothing but csv and math, so a bug in the loader cannot hide."""
    path = resources.files("socialized_loss").joinpath("data", cs.HL_DATASET, "policy_per_wave_metrics.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    needed = math.fsum(float(r["budget_needed"]) for r in rows)
    taken = math.fsum(float(r["budget_prod"]) for r in rows)
    assert round(needed, 2) == PUBLISHED_NEEDED and round(taken, 2) == PUBLISHED_TAKEN
    assert round(taken - needed, 2) == PUBLISHED_OVERSHOOT


def test_three_files_agree():
    assert set(cs.headline_cross_check().values()) == {PUBLISHED_OVERSHOOT}


def test_per_wave_overshoot_column_is_taken_minus_needed(waves):
    path = resources.files("socialized_loss").joinpath("data", cs.HL_DATASET, "policy_per_wave_metrics.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        published = {int(r["wave"]): float(r["overshoot_prod"]) for r in csv.DictReader(fh)}
    for label, o in zip(waves.wave, waves.overshoot):
        assert o == pytest.approx(published[int(label)], abs=1e-6)


def test_horizon_sweep_band():
    sweep = cs.load_horizon_sweep()
    assert sweep.horizon_ms.tolist() == [0, 500, 1000, 2000, 5000]
    np.testing.assert_allclose(sweep.overshoot, sweep.overshoot_published, atol=1e-6)
    assert round(float(sweep.overshoot[0]), 2) == PUBLISHED_OVERSHOOT
    delay, worst = sweep.worst
    assert delay == 500 and round(worst, 2) == PUBLISHED_BAND_MAX
    assert round(cs._read_json("overshoot_robustness.json")["O_max_band"], 2) == PUBLISHED_BAND_MAX  # the authors' file
    assert np.all(sweep.needed == sweep.needed[0])  # the need does not depend on the delay


def test_dominant_waves(waves):
    assert cs.dominant_waves(3, waves).tolist() == [13, 8, 14]
    with pytest.raises(ValueError, match="k"):
        cs.dominant_waves(0, waves)
    with pytest.raises(ValueError, match="k"):
        cs.dominant_waves(17, waves)


def test_wave_lookup(waves):
    assert waves.index(13) == 10
    with pytest.raises(ValueError, match="wave"):
        waves.index(3)


def test_policy_totals_are_consistent(waves):
    totals = cs.policy_totals(waves)
    assert next(iter(totals)) == "production" and len(totals) == 1 + len(cs.POLICIES)
    prod = totals["production"]
    assert round(prod["net"], 2) == PUBLISHED_OVERSHOOT
    for t in totals.values():
        assert t["net"] == pytest.approx(t["over"] - t["under"], abs=0.011)
        assert t["over"] >= 0 and t["under"] >= 0
    # the pro-rata benchmarks hit the need in every wave
    for p in ("pr", "pnl_pr", "eq_pr"):
        np.testing.assert_allclose(waves.budgets[p], waves.needed, rtol=1e-9)
    # whole-contract, per-market rules fall short; the integer program overshoots a little
    assert totals[cs.POLICIES["contract_pr"]]["net"] < 0
    assert 0 < totals[cs.POLICIES["fixed_point_ilp_integer"]]["net"] < 1e5


def test_largest_haircuts(waves):
    assert int(np.sum(waves.max_pct["prod"] >= 1.0)) == 6
    assert waves.max_pct["pr"].max() < 0.17
    for v in waves.max_pct.values():
        assert np.all((v >= 0) & (v <= 1))


def test_headlines_json_naive_mapping():
    head = cs.load_headlines()
    h = head["headline"]
    ratio = h["winner_overcollateralization_equity_over_pnl"]["trimmed_mean"]
    naive = h["queue_total_overshoot_usd"] / ratio
    assert naive == pytest.approx(head["derived"]["naive_expected_pnl_closed_usd"], rel=1e-9)
    assert naive / h["prod_overshoot_vs_needed_usd"] == pytest.approx(
        head["derived"]["factor_naive_expected_over_observed"], rel=1e-9
    )
    assert round(h["queue_total_overshoot_usd"] / 1e6, 2) == 653.55
    (totals,) = cs._read_csv("summary_totals.csv")  # the authors' wealth-space queue totals agree with headlines
    assert float(totals["total_overshoot"]) == pytest.approx(h["queue_total_overshoot_usd"])


def test_wave_summary_rows(waves):
    rows = cs.wave_summary(waves)
    assert len(rows) == 16 and rows[0]["start_utc"] == "21:16:04"
    assert sum(r["loser_fills"] for r in rows) == int(waves.loser_fills.sum())


def test_wave_durations_from_the_timestamps(waves):
    d = waves.duration_s
    assert d.shape == (16,) and np.all(d >= 0)
    instant = waves.wave[d == 0].tolist()
    assert instant == [1, 2, 4, 5, 7, 12]  # every fill of these waves shares one timestamp
    i13 = waves.index(13)
    assert d[i13] == pytest.approx(43.762, abs=1e-6)  # 21:19:08.820 → 21:19:52.582
    assert waves.overshoot[i13] == pytest.approx(32_864_910, abs=1)


def test_overshoot_by_duration_partitions_the_headline(waves):
    groups = cs.overshoot_by_duration(waves)
    labels = sorted(k for g in groups for k in g["labels"])
    assert labels == sorted(waves.wave.tolist())  # every wave in exactly one group
    total = math.fsum(g["overshoot"] for g in groups)
    assert round(total, 2) == PUBLISHED_OVERSHOOT
    instant, short, long_ = groups
    assert instant["taken"] < instant["needed"]  # the one-instant waves together took less than needed
    assert long_["overshoot"] > short["overshoot"] > 0
    assert long_["overshoot"] > 0.8 * PUBLISHED_OVERSHOOT  # most of the overshoot sits in the long waves

"""Benchmark of the loss engine (not a test): trader-steps/s of both simulators, cascade and fund Monte Carlo timings.

Run: .venv/bin/python bench/engine.py   → prints a table and writes bench/results/engine.json.

Standard workload: 1,000 traders × 1,000 steps × 200 paths, run by the vectorised engine. The reference loop runs a
scaled-down workload: the same population and the same 1,000-step price paths, but only the first 4 of them (paths
are independent and identically distributed, so its time per trader-step is that of the standard workload; fewer
traders or fewer steps would change the share of positions still open and so its cost per trader-step). The
vectorised result on those paths is checked to be identical to the reference's.

Targets: vectorised ≥ 2e7 trader-steps/s and ≥ 100× the reference per trader-step. The two engines run in
alternation (vectorised, reference, vectorised, …) so that both see the same machine load; reported: medians of
REPEAT runs of wall-clock time, the median of the per-pair ratios, and the same from CPU time (process_time, which a
busy machine inflates less).
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import socialized_loss  # noqa: F401  (registers the submodules)

S = sys.modules["socialized_loss.simulate"]
from socialized_loss.insurance import fund_monte_carlo  # noqa: E402
from socialized_loss.liquidation import cascade, make_book  # noqa: E402

TARGET_RATE = 2e7
TARGET_RATIO = 100.0
REPEAT = 5
STANDARD = (1000, 1000, 200)  # traders, steps, paths
REF_PATHS = 4  # the reference runs the first REF_PATHS paths of the standard workload
LEDGERS = ("fund_cents", "bad_debt_cents", "fund_paid_cents", "socialized_cents", "uncovered_cents", "liq_fee_cents",
           "n_liquidated", "n_deleveraged", "charged_cents", "liquidated_step")


def _time(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _run(fn):
    """(wall s, CPU s, result) of one call."""
    w, c = time.perf_counter(), time.process_time()
    r = fn()
    return time.perf_counter() - w, time.process_time() - c, r


def _same(vec, ref, paths: int) -> bool:
    return all(np.array_equal(getattr(vec, f)[:paths], getattr(ref, f)) for f in LEDGERS) and np.allclose(
        vec.mark[:paths], ref.mark, rtol=1e-12, atol=0)


def main() -> None:
    n, T, P = STANDARD
    pop, prices = S._inputs(n, T, P, 0, None, None, None)
    ts_vec, ts_ref = n * T * P, n * T * REF_PATHS
    load_before = os.getloadavg()
    rows = {}
    for mech in S.MECHANISMS:
        S.simulate(population=pop, prices=prices[:REF_PATHS], mechanism=mech)  # warm-up
        vec, ref = [], []
        for _ in range(REPEAT):
            vec.append(_run(lambda: S.simulate(population=pop, prices=prices, mechanism=mech)))
            ref.append(_run(lambda: S.simulate_reference(population=pop, prices=prices[:REF_PATHS], mechanism=mech)))
        identical = _same(vec[-1][2], ref[-1][2], REF_PATHS)
        med = lambda runs, k: statistics.median(x[k] for x in runs)  # noqa: E731
        ratio = statistics.median((r[0] / ts_ref) / (v[0] / ts_vec) for v, r in zip(vec, ref))
        ratio_cpu = statistics.median((r[1] / ts_ref) / (v[1] / ts_vec) for v, r in zip(vec, ref))
        rows[mech] = dict(
            vectorised_s=med(vec, 0), vectorised_cpu_s=med(vec, 1), vectorised_rate=ts_vec / med(vec, 0),
            reference_s=med(ref, 0), reference_cpu_s=med(ref, 1), reference_rate=ts_ref / med(ref, 0),
            reference_ns_per_trader_step=med(ref, 0) / ts_ref * 1e9,
            reference_cpu_ns_per_trader_step=med(ref, 1) / ts_ref * 1e9,
            ratio=ratio, ratio_cpu=ratio_cpu, identical_on_reference_paths=identical,
            vectorised_runs_s=[x[0] for x in vec], reference_runs_s=[x[0] for x in ref],
        )
    b = make_book(200, {3: 1, 10: 1, 25: 1, 50: 1}, seed=0)
    t_casc = statistics.median(_time(lambda: cascade(b, 0.1, 1e5), 20))
    fund_monte_carlo(5e6, 0.1, 2.0, n_paths=2000, n_days=365, seed=0)
    t_fmc = statistics.median(_time(lambda: fund_monte_carlo(5e6, 0.1, 2.0, n_paths=2000, n_days=365, seed=0), 20))
    load_after = os.getloadavg()

    print(f"workload: vectorised {n} traders × {T} steps × {P} paths; reference the same traders and steps, first "
          f"{REF_PATHS} paths; medians of {REPEAT} alternating runs; load average {load_before[0]:.1f} → "
          f"{load_after[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'mechanism':<20}{'vectorised':>11}{'trader-steps/s':>16}{'target':>8}{'reference':>11}"
          f"{'ns/trader-step':>16}{'ratio':>8}{'target':>8}{'ratio (CPU)':>13}{'same':>6}")
    for mech, r in rows.items():
        print(f"{mech:<20}{r['vectorised_s']:>10.3f}s{r['vectorised_rate']:>16.3g}"
              f"{'ok' if r['vectorised_rate'] >= TARGET_RATE else 'MISS':>8}{r['reference_s']:>10.3f}s"
              f"{r['reference_ns_per_trader_step']:>16.0f}{r['ratio']:>8.0f}"
              f"{'ok' if r['ratio'] >= TARGET_RATIO else 'MISS':>8}{r['ratio_cpu']:>13.0f}"
              f"{'yes' if r['identical_on_reference_paths'] else 'NO':>6}")
    print(f"cascade (200 traders, median of 20): {t_casc * 1e3:.2f} ms (target < 50 ms) "
          f"{'ok' if t_casc < 0.05 else 'MISS'}")
    print(f"fund_monte_carlo (2,000 paths × 365 days, median of 20): {t_fmc * 1e3:.1f} ms (target ≤ 200 ms) "
          f"{'ok' if t_fmc <= 0.2 else 'MISS'}")
    out = dict(
        machine=dict(python=platform.python_version(), numpy=np.__version__, cpus=os.cpu_count(),
                     platform=platform.platform(), load_average_before=load_before, load_average_after=load_after),
        workload=dict(vectorised=STANDARD, reference=(n, T, REF_PATHS), repeat=REPEAT,
                      statistic="median of alternating runs; ratio = median of per-pair ratios"),
        targets=dict(trader_steps_per_s=TARGET_RATE, ratio=TARGET_RATIO, cascade_s=0.05, fund_monte_carlo_s=0.2),
        simulate=rows,
        cascade_median_s=t_casc,
        fund_monte_carlo_median_s=t_fmc,
    )
    path = Path(__file__).resolve().parent / "results" / "engine.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2))
    print(f"saved {path}")


if __name__ == "__main__":
    main()

"""Benchmark of the loss engine (not a test): the vectorised simulator against its reference loop, cascade and fund
Monte Carlo timings.

Run: .venv/bin/python bench/engine.py [mechanism …]   → prints a table and writes bench/results/engine.json
(every mechanism unless some are named).

Standard workload: 1,000 traders × 1,000 steps × 200 paths, run by the vectorised engine (``simulate``), for every
mechanism the simulator runs (``MECHANISMS`` + ``EXTRA_MECHANISMS``, ``venue_adl`` with its default venue).

Identity: for every mechanism the reference loop (``simulate_reference``) runs ALL 200 paths once and every ledger
of every path is compared with the vectorised result (integers exactly, marks to the bit).

Speed: the vectorised engine is event-driven (a quiet stretch of steps costs one cumulative product, a cascade round
one binary search), so it never visits each trader at each step; its "trader-steps/s" is an EQUIVALENT rate:
traders × steps × paths ÷ time. The ratio compares time per trader-step of the two engines. It is measured on REPEAT
alternating pairs (vectorised on the 200 paths, then the reference on the first REF_PATHS of them: paths are
independent and identically distributed, so its time per trader-step is that of the whole workload), and once more
from the reference's full 200-path identity run. Reported: min / median over the pairs, from CPU time (process_time:
a busy machine inflates it less) and from wall time, with the load average (1 min) before each mechanism.

Targets: vectorised ≥ 2e7 equivalent trader-steps/s and ≥ 100× the reference per trader-step (median of the paired
CPU ratios and the full-run CPU ratio).
"""
from __future__ import annotations

import importlib
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from socialized_loss.insurance import fund_monte_carlo
from socialized_loss.liquidation import cascade, make_book

S = importlib.import_module("socialized_loss.simulate")  # the module (the package once exported a function so named)

TARGET_RATE = 2e7
TARGET_RATIO = 100.0
REPEAT = 5
STANDARD = (1000, 1000, 200)  # traders, steps, paths
REF_PATHS = 8  # the timed reference runs the first REF_PATHS paths of the standard workload
LEDGERS = ("fund_minor", "bad_debt_minor", "fund_paid_minor", "socialized_minor", "uncovered_minor",
           "liq_fee_minor", "n_liquidated", "n_deleveraged", "charged_minor", "liquidated_step")


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


def differing_paths(vec, ref) -> list[int]:
    """Paths on which any ledger differs (integers exactly; marks to the bit)."""
    bad = np.zeros(ref.mark.shape[0], bool)
    for f in LEDGERS:
        a, b = getattr(vec, f), getattr(ref, f)
        bad |= (a != b).reshape(a.shape[0], -1).any(axis=1)
    bad |= (vec.mark != ref.mark).any(axis=1)
    return np.flatnonzero(bad).tolist()


def _spread(xs) -> dict:
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs)}


MECHANISMS = S.MECHANISMS + S.EXTRA_MECHANISMS


def main(mechanisms=MECHANISMS) -> None:
    n, T, P = STANDARD
    pop, prices = S._inputs(n, T, P, 0, None, None, None)
    ts_vec, ts_ref = n * T * P, n * T * REF_PATHS
    load_before = os.getloadavg()
    rows = {}
    for mech in mechanisms:
        def vec_run(m=mech):
            return S.simulate(population=pop, prices=prices, mechanism=m)

        def ref_run(m=mech, k=REF_PATHS):
            return S.simulate_reference(population=pop, prices=prices[:k], mechanism=m)

        load = os.getloadavg()[0]
        S.simulate(population=pop, prices=prices[:REF_PATHS], mechanism=mech)  # warm-up
        vec, ref = [], []
        for _ in range(REPEAT):
            vec.append(_run(vec_run))
            ref.append(_run(ref_run))
        full = _run(lambda m=mech: ref_run(m, P))  # every path: identity, and one more timing
        diff = differing_paths(vec[-1][2], full[2])
        ratio_wall = [(r[0] / ts_ref) / (v[0] / ts_vec) for v, r in zip(vec, ref, strict=True)]
        ratio_cpu = [(r[1] / ts_ref) / (v[1] / ts_vec) for v, r in zip(vec, ref, strict=True)]
        vec_cpu_med = statistics.median(x[1] for x in vec)
        vec_wall_med = statistics.median(x[0] for x in vec)
        res = full[2]
        rows[mech] = dict(
            load_average_1min=load,
            vectorised_wall_s=_spread([x[0] for x in vec]), vectorised_cpu_s=_spread([x[1] for x in vec]),
            equivalent_rate_cpu=ts_vec / vec_cpu_med, equivalent_rate_wall=ts_vec / vec_wall_med,
            reference_wall_s=_spread([x[0] for x in ref]), reference_cpu_s=_spread([x[1] for x in ref]),
            reference_cpu_ns_per_trader_step=statistics.median(x[1] for x in ref) / ts_ref * 1e9,
            ratio_cpu=_spread(ratio_cpu), ratio_wall=_spread(ratio_wall),
            full_reference_wall_s=full[0], full_reference_cpu_s=full[1],
            full_ratio_cpu=full[1] / vec_cpu_med, full_ratio_wall=full[0] / vec_wall_med,
            paths_checked=P, paths_differing=diff, identical=not diff,
            liquidations=int(res.n_liquidated.sum()), socialized_steps=int((res.socialized_minor > 0).sum()),
            deleveraged=int(res.n_deleveraged.sum()),
        )
    b = make_book(200, {3: 1, 10: 1, 25: 1, 50: 1}, seed=0)
    t_casc = statistics.median(_time(lambda: cascade(b, 0.1, 1e5), 20))
    fund_monte_carlo(5e6, 0.1, 2.0, n_paths=2000, n_days=365, seed=0)
    t_fmc = statistics.median(_time(lambda: fund_monte_carlo(5e6, 0.1, 2.0, n_paths=2000, n_days=365, seed=0), 20))
    load_after = os.getloadavg()

    print(f"workload: vectorised {n:,} traders × {T:,} steps × {P} paths; timed reference: the same traders and steps, "
          f"first {REF_PATHS} paths; {REPEAT} alternating pairs (ratios per pair: min / median); identity: the "
          f"reference on all {P} paths, every ledger. Load average {load_before[0]:.1f} → {load_after[0]:.1f} on "
          f"{os.cpu_count()} CPUs (1 min; 'load' column: before each mechanism).")
    print("trader-steps/s of the vectorised engine are EQUIVALENT rates (traders × steps × paths ÷ time): it is "
          "event-driven and does not visit every trader at every step.")
    print(f"{'mechanism':<22}{'load':>5}{'vec CPU ms':>11}{'equiv. t-s/s':>13}{'ref ns/t-s':>11}"
          f"{'ratio CPU min/med':>18}{'ratio wall min/med':>19}{'full-run CPU/wall':>18}{'≥100×':>6}"
          f"{'identical':>14}")
    for mech, r in rows.items():
        rc, rw, vc = r["ratio_cpu"], r["ratio_wall"], r["vectorised_cpu_s"]
        same = f"{P}/{P} paths" if r["identical"] else f"NO: {len(r['paths_differing'])} paths"
        ok_ratio = min(rc["median"], r["full_ratio_cpu"]) >= TARGET_RATIO
        print(f"{mech:<22}{r['load_average_1min']:>5.1f}{vc['median'] * 1e3:>11.0f}"
              f"{r['equivalent_rate_cpu']:>13.3g}{r['reference_cpu_ns_per_trader_step']:>11.0f}"
              f"{rc['min']:>9.0f} / {rc['median']:<6.0f}{rw['min']:>10.0f} / {rw['median']:<6.0f}"
              f"{r['full_ratio_cpu']:>9.0f} / {r['full_ratio_wall']:<6.0f}{'ok' if ok_ratio else 'MISS':>6}{same:>14}")
    slow = [m for m, r in rows.items() if r["equivalent_rate_cpu"] < TARGET_RATE]
    if slow:
        print(f"below {TARGET_RATE:.0e} equivalent trader-steps/s: {', '.join(slow)}")
    if "venue_adl" in rows:
        print("venue_adl: each socialization runs the venue's contract-space ADL on the accounts its ranking reaches "
              "(about 100 per call here) and prices the fill exactly (Fractions), so its ratio is the lowest; the "
              "simulator runs it with the fee at 0 (the fee goes to the venue), which skips the per-account fee.")
    print(f"cascade (200 traders, median of 20): {t_casc * 1e3:.2f} ms (target < 50 ms) "
          f"{'ok' if t_casc < 0.05 else 'MISS'}")
    print(f"fund_monte_carlo (2,000 paths × 365 days, median of 20): {t_fmc * 1e3:.1f} ms (target ≤ 200 ms) "
          f"{'ok' if t_fmc <= 0.2 else 'MISS'}")
    out = dict(
        machine=dict(python=platform.python_version(), numpy=np.__version__, cpus=os.cpu_count(),
                     platform=platform.platform(), load_average_before=load_before, load_average_after=load_after),
        workload=dict(vectorised=STANDARD, reference_timed=(n, T, REF_PATHS), reference_identity=STANDARD,
                      repeat=REPEAT, statistic="min/median/max over alternating pairs; ratio per pair; rates are "
                      "equivalent trader-steps/s (event-driven engine)"),
        targets=dict(equivalent_trader_steps_per_s=TARGET_RATE, ratio=TARGET_RATIO, cascade_s=0.05,
                     fund_monte_carlo_s=0.2),
        simulate=rows,
        cascade_median_s=t_casc,
        fund_monte_carlo_median_s=t_fmc,
    )
    path = Path(__file__).resolve().parent / "results" / "engine.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2))
    print(f"saved {path}")


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:]:
        if name not in MECHANISMS:
            raise SystemExit(f"usage: engine.py [mechanism …] with mechanisms from {', '.join(MECHANISMS)}; got {name!r}")
    main(tuple(sys.argv[1:]) or MECHANISMS)

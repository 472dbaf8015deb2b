"""Benchmark of the loss engine (not a test): trader-steps/s of both simulators, cascade and fund Monte Carlo timings.

Run: .venv/bin/python bench/engine.py   → prints a table and writes bench/results/engine.json.
Standard workload: 1,000 traders × 1,000 steps × 200 paths (vectorised); the reference loop runs a scaled-down
workload (100 traders × 200 steps × 5 paths) and is compared per trader-step. Targets: vectorised ≥ 2e7
trader-steps/s and ≥ 100× the reference per trader-step.
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


def _time(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    rows = {}
    big = (1000, 1000, 200)
    small = (100, 200, 5)
    pop_b, px_b = S._inputs(*big, 0, None, None, None)
    pop_s, px_s = S._inputs(*small, 0, None, None, None)
    for mech in S.MECHANISMS:
        tv = _time(lambda: S.simulate(population=pop_b, prices=px_b, mechanism=mech), 3)
        tr = _time(lambda: S.simulate_reference(population=pop_s, prices=px_s, mechanism=mech), 3)
        rate_v = big[0] * big[1] * big[2] / min(tv)
        rate_r = small[0] * small[1] * small[2] / min(tr)
        rows[mech] = dict(vectorised_s=min(tv), vectorised_rate=rate_v, reference_s=min(tr),
                          reference_rate=rate_r, ratio=rate_v / rate_r)
    b = make_book(200, {3: 1, 10: 1, 25: 1, 50: 1}, seed=0)
    t_casc = statistics.median(_time(lambda: cascade(b, 0.1, 1e5), 20))
    fund_monte_carlo(5e6, 0.1, 2.0, n_paths=2000, n_days=365, seed=0)
    t_fmc = statistics.median(_time(lambda: fund_monte_carlo(5e6, 0.1, 2.0, n_paths=2000, n_days=365, seed=0), 20))

    print(f"workload: vectorised {big[0]} traders × {big[1]} steps × {big[2]} paths; "
          f"reference {small[0]} × {small[1]} × {small[2]} (best of 3)")
    print(f"{'mechanism':<20}{'vectorised/s':>14}{'target':>10}{'reference/s':>14}{'ratio':>9}{'target':>8}")
    for mech, r in rows.items():
        print(f"{mech:<20}{r['vectorised_rate']:>14.3g}{'ok' if r['vectorised_rate'] >= TARGET_RATE else 'MISS':>10}"
              f"{r['reference_rate']:>14.3g}{r['ratio']:>9.0f}{'ok' if r['ratio'] >= TARGET_RATIO else 'MISS':>8}")
    print(f"cascade (200 traders, median of 20): {t_casc * 1e3:.2f} ms (target < 50 ms) "
          f"{'ok' if t_casc < 0.05 else 'MISS'}")
    print(f"fund_monte_carlo (2,000 paths × 365 days, median of 20): {t_fmc * 1e3:.1f} ms (target ≤ 200 ms) "
          f"{'ok' if t_fmc <= 0.2 else 'MISS'}")
    out = dict(
        machine=dict(python=platform.python_version(), numpy=np.__version__, cpus=os.cpu_count(),
                     platform=platform.platform()),
        workload=dict(vectorised=big, reference=small),
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

"""Bad input to every public function of the engine's money modules (issue 10, item 7).

For each function, every parameter in turn gets text, a boolean and a complex number (and an array where one number
is expected); each must be refused with a ValueError (or TypeError) whose message names that parameter. A good call
with numpy arrays must leave the caller's arrays unchanged and writeable.
"""
from __future__ import annotations

import numpy as np
import pytest

from socialized_loss import (
    adl,
    allocation,
    backstop,
    fairness,
    haircuts,
    insurance,
    liquidation,
    margin,
    socialize,
)
from socialized_loss import waterfall as wf

VAULT = backstop.deposit(backstop.new_vault(2), 0, 100.0)
FUND = insurance.InsuranceFund(100.0)
BOOK = liquidation.make_book(5, seed=1)
LAYERS = wf.WaterfallLayers(skin_in_the_game=1.0, member_default_fund=[1.0, 2.0])

# (function, good keyword arguments, scalar parameters, array parameters)
CASES = [
    (allocation.to_minor, {"x": 1.0}, ["unit"], ["x"]),
    (allocation.from_minor, {"n": 100}, ["unit"], ["n"]),
    (allocation.sequential, {"amount": 5.0, "capacities": [1.0, 9.0]}, ["amount", "unit"], ["capacities"]),
    (allocation.pro_rata, {"amount": 5.0, "weights": [1.0, 2.0], "caps": [9.0, 9.0]}, ["amount", "unit"],
     ["weights", "caps"]),
    (allocation.sequential_minor, {"amount": 5, "capacities": np.array([1, 9])}, ["amount"], ["capacities"]),
    (allocation.pro_rata_minor, {"amount": 5, "weights": [1.0, 2.0], "caps": np.array([9, 9])}, ["amount"],
     ["weights", "caps"]),
    (margin.equity, {"collateral": 1.0, "size": 1.0, "entry_price": 100.0, "price": 90.0}, [],
     ["collateral", "size", "entry_price", "price"]),
    (margin.initial_margin, {"size": 1.0, "price": 100.0, "imr": 0.1}, [], ["size", "price", "imr"]),
    (margin.maintenance_margin, {"size": 1.0, "price": 100.0, "mmr": 0.1}, [], ["size", "price", "mmr"]),
    (margin.liquidation_price, {"collateral": 1.0, "size": 1.0, "entry_price": 100.0, "mmr": 0.05}, [],
     ["collateral", "size", "entry_price", "mmr"]),
    (margin.bankruptcy_price, {"collateral": 1.0, "size": 1.0, "entry_price": 100.0}, [],
     ["collateral", "size", "entry_price"]),
    (margin.cross_bankruptcy_price, {"net_collateral": -1.0, "size": 1.0, "price": 100.0, "margin_share": 0.5}, [],
     ["net_collateral", "size", "price", "margin_share"]),
    (margin.tiered_maintenance_margin, {"notional": 1.0, "tiers": [[0.0, 0.01], [10.0, 0.02]]}, [],
     ["notional", "tiers"]),
    (margin.effective_leverage, {"collateral": 1.0, "size": 1.0, "entry_price": 100.0, "price": 90.0}, [],
     ["collateral", "size", "entry_price", "price"]),
    (margin.margin_ratio, {"collateral": 1.0, "size": 1.0, "entry_price": 100.0, "price": 90.0, "mmr": 0.05}, [],
     ["collateral", "size", "entry_price", "price", "mmr"]),
    (margin.bankruptcy_price_from_leverage, {"entry_price": 100.0, "leverage": 5.0}, [], ["entry_price", "leverage"]),
    (margin.inverse_bankruptcy_price, {"entry_price": 100.0, "leverage": 5.0}, [], ["entry_price", "leverage"]),
    (insurance.add_inflows, {"fund": FUND, "liquidation_fees": 1.0, "trading_fees": 2.0, "fee_share": 0.1,
                             "top_up": 1.0}, ["liquidation_fees", "trading_fees", "fee_share", "top_up"], []),
    (insurance.cover, {"fund": FUND, "loss": 5.0}, ["loss"], []),
    (insurance.fund_path, {"initial": 1.0, "inflows": [1.0, 2.0], "bad_debts": [0.0, 3.0]}, ["unit"],
     ["initial", "inflows", "bad_debts"]),
    (insurance.fund_monte_carlo, {"initial": 1e6, "fee_share": 0.1, "crash_rate": 1.0, "n_paths": 5, "n_days": 5},
     ["initial", "fee_share", "crash_rate", "n_paths", "n_days", "daily_fees", "crash_loss", "tail_index",
      "fee_vol", "unit"], []),
    (insurance.fund_fan, {"initial": 1e6, "fee_share": 0.1, "crash_rate": 1.0, "n_paths": 5, "n_days": 5},
     ["initial", "fee_share", "crash_rate", "n_paths", "n_days", "seed", "n_show", "daily_fees", "crash_loss",
      "tail_index", "fee_vol", "unit"], []),
    (insurance.exhaustion_probability_grid, {"initial_sizes": [1e6], "fee_shares": [0.1], "n_paths": 5, "n_days": 5},
     ["crash_rate", "n_paths", "n_days", "unit"], ["initial_sizes", "fee_shares"]),
    (insurance.size_for_target, {"target_prob": 0.5, "n_paths": 5, "n_days": 5, "tol": 1e6},
     ["target_prob", "fee_share", "crash_rate", "tol", "unit"], []),
    (insurance.adjustment_coefficient, {"premium_rate": 2.0, "claim_rate": 1.0, "claim_mean": 1.0},
     ["premium_rate", "claim_rate", "claim_mean"], []),
    (insurance.ruin_monte_carlo, {"u": 1.0, "premium_rate": 2.0, "claim_rate": 1.0, "claim_mean": 1.0,
                                  "horizon": 1.0, "n_paths": 10},
     ["u", "premium_rate", "claim_rate", "claim_mean", "horizon", "n_paths"], []),
    (liquidation.insurance_fund_delta, {"size": 1.0, "fill_price": 95.0, "bankruptcy_price": 90.0}, ["unit"],
     ["size", "fill_price", "bankruptcy_price", "max_fee_rate"]),
    (liquidation.liquidate, {"collateral": 10.0, "size": 1.0, "entry_price": 100.0, "fill_price": 95.0,
                             "fund_balance": 5.0},
     ["collateral", "size", "entry_price", "fill_price", "max_fee_rate", "fund_balance", "unit"], []),
    (liquidation.price_impact, {"volume": 1.0, "depth": 10.0}, ["coef", "max_impact"], ["volume", "depth"]),
    (liquidation.make_book, {"n": 3}, ["n", "price", "long_share", "notional_median", "notional_sigma",
                                       "leverage_jitter", "unit"], ["leverage_mix"]),
    (liquidation.cascade, {"book": BOOK, "shock": 0.1, "depth": 1e6, "fund_balance": 10.0},
     ["shock", "depth", "mmr", "coef", "max_impact", "max_fee_rate", "fund_balance", "max_rounds", "unit"], []),
    (backstop.new_vault, {"n_depositors": 2, "cooldown": 1.0}, ["n_depositors", "cooldown", "unit"], []),
    (backstop.deposit, {"vault": VAULT, "depositor": 1, "amount": 5.0}, ["depositor", "amount"], []),
    (backstop.request_withdrawal, {"vault": VAULT, "depositor": 0, "shares": 1.0, "t": 0.0},
     ["depositor", "shares", "t"], []),
    (backstop.withdraw, {"vault": VAULT, "depositor": 0, "shares": 1.0, "t": 0.0}, ["depositor", "shares", "t"], []),
    (backstop.apply_pnl, {"vault": VAULT, "pnl": -1.0}, ["pnl"], []),
    (backstop.liquidator_vault_takeover, {"equity": 1.0, "maintenance_margin": 3.0, "size": 1.0}, ["unit"],
     ["equity", "maintenance_margin", "size"]),
    (backstop.umbrella_slash, {"deficit": 5.0, "offset": 1.0, "stakes": [1.0, 9.0]}, ["deficit", "offset", "unit"],
     ["stakes"]),
    (backstop.gmx_adl_triggered, {"pending_pnl": 1.0, "pool_value": 10.0, "threshold": 0.5}, [],
     ["pending_pnl", "pool_value", "threshold"]),
    (fairness.gini, {"x": [1.0, 2.0]}, [], ["x"]),
    (fairness.hhi, {"x": [1.0, 2.0]}, [], ["x"]),
    (fairness.fairness_metrics, {"charges": [1.0, 2.0], "wealth": [5.0, 5.0]}, ["unit"], ["charges", "wealth"]),
    (socialize.clawback, {"loss": 5.0, "profits": [1.0, 9.0]}, ["loss", "unit"], ["profits"]),
    (socialize.contracts_pro_rata, {"loss": 5.0, "sizes": [1.0, -9.0]}, ["loss", "unit"], ["sizes"]),
    (socialize.deposit_index_haircut, {"loss": 5.0, "total_deposits": 10.0}, ["unit"],
     ["loss", "total_deposits", "index"]),
    (socialize.deposit_haircut_charges, {"loss": 5.0, "deposits": [1.0, 9.0]}, ["loss", "unit"], ["deposits"]),
    (socialize.withdrawal_haircut, {"amount": 5.0, "factor": 0.1}, ["unit"], ["amount", "factor"]),
    (haircuts.shortfall, {"equities": [1.0, -2.0]}, ["unit"], ["equities"]),
    (haircuts.capacity, {"pnl": [1.0, -2.0]}, ["unit"], ["pnl"]),
    (haircuts.queue_haircut, {"pnl_or_w": [1.0, 2.0], "budget": 1.0}, ["budget", "unit"], ["pnl_or_w"]),
    (haircuts.pro_rata_haircut, {"w": [1.0, 2.0], "budget": 1.0}, ["budget", "unit"], ["w"]),
    (haircuts.capped_pro_rata_haircut, {"w": [1.0, 2.0], "budget": 1.0, "caps": [1.0, 1.0]}, ["budget", "unit"],
     ["w", "caps"]),
    (haircuts.top_winner_gap, {"w": [1.0, 2.0], "budget": 1.0}, ["budget", "unit"], ["w"]),
    (wf.default_waterfall, {"loss": 2.0, "layers": LAYERS}, ["loss", "unit"], []),
    (adl.bitmex_adl_score, {"size": 1.0, "entry_price": 100.0, "mark_price": 110.0, "bankruptcy_price": 90.0}, [],
     ["size", "entry_price", "mark_price", "bankruptcy_price"]),
    (adl.binance_leverage_pnl, {"unrealized_profit": 1.0, "wallet_balance": 2.0, "maint_margin": 0.1}, [],
     ["unrealized_profit", "wallet_balance", "maint_margin"]),
    (adl.hyperliquid_adl_score, {"unrealized_pnl": 1.0, "leverage": 2.0}, [], ["unrealized_pnl", "leverage"]),
    (adl.adl_queue, {"scores": [1.0, 2.0]}, [], ["scores"]),
    (adl.adl_lights, {"scores": [1.0, 2.0], "sizes": [1.0, 1.0]}, [], ["scores", "sizes"]),
    (adl.auto_deleverage, {"sizes": [1.0, 2.0], "scores": [1.0, 2.0], "quantity": 1.0}, ["quantity", "lot"],
     ["sizes", "scores"]),
    (adl.adl_fills, {"sizes": [1.0, 2.0], "scores": [1.0, 2.0], "quantity": 1.0, "bankruptcy_price": 90.0,
                     "entry_prices": [100.0, 100.0], "mark_price": 95.0},
     ["quantity", "bankruptcy_price", "mark_price", "lot"], ["sizes", "scores", "entry_prices"]),
    (adl.dydx_deleverage, {"sizes": [1.0, 2.0], "quantity": 1.0, "equities": [10.0, 10.0], "fill_price": 1.0,
                           "oracle_price": 1.0}, ["quantity", "fill_price", "oracle_price", "lot"],
     ["sizes", "equities"]),
]


def _bad_values(param: str, scalar: bool):
    if scalar:
        return ["1.5", True, 1 + 0j, [1.0, 2.0]]
    return [["1.5", "2"], [True, False], [1 + 0j, 2.0], "1.5"]


BAD = [
    pytest.param(func, good, param, bad, id=f"{func.__name__}-{param}-{type(bad).__name__}{j}")
    for func, good, scalars, arrays in CASES
    for param in scalars + arrays
    for j, bad in enumerate(_bad_values(param, param in scalars))
]


@pytest.mark.parametrize("func, good, param, bad", BAD)
def test_bad_input_is_refused_naming_the_parameter(func, good, param, bad):
    kwargs = {**good, param: bad}
    if isinstance(good.get(param), np.ndarray):
        kwargs[param] = np.array(bad) if not isinstance(bad, str) else bad
    with pytest.raises((ValueError, TypeError), match=param):
        func(**kwargs)


@pytest.mark.parametrize("func, good", [pytest.param(c[0], c[1], id=c[0].__name__) for c in CASES])
def test_good_call_leaves_the_callers_arrays_alone(func, good):
    kwargs = {k: (np.array(x) if isinstance(x, list) else x) for k, x in good.items()}
    copies = {k: x.copy() for k, x in kwargs.items() if isinstance(x, np.ndarray)}
    func(**kwargs)
    for k, before in copies.items():
        assert np.array_equal(kwargs[k], before), k
        assert kwargs[k].flags.writeable, k


@pytest.mark.parametrize("call, name", [
    (lambda: insurance.cover(backstop.new_vault(1), 1.0), "fund"),
    (lambda: insurance.add_inflows(None), "fund"),
    (lambda: backstop.balances(FUND), "vault"),
    (lambda: backstop.withdraw(FUND, 0, 1.0), "vault"),
    (lambda: liquidation.cascade(VAULT, 0.1, 1e6), "book"),
    (lambda: wf.default_waterfall(1.0, {"skin_in_the_game": 1.0}), "layers"),
    (lambda: fairness.sybil_split("not a rule", 0, 2, [1.0, 2.0]), "rule"),
])
def test_wrong_object_is_a_type_error_naming_it(call, name):
    with pytest.raises(TypeError, match=name):
        call()

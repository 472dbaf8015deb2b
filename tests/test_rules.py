"""Tests for socialized_loss.rules and ledger: the Book, the Allocation, every rule, the registry, bad input."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from socialized_loss import rules
from socialized_loss.allocation import to_minor
from socialized_loss.rules import (
    MECHANISM_LABELS,
    RULES,
    Allocation,
    Book,
    apply_rule,
    rule_params,
)

# The vocabulary agreed in CONTRACT.md: simulator, widgets, checks and lessons use exactly these names.
CONTRACT_NAMES = {
    "clawback", "clawback_uncapped", "contracts_pro_rata", "deposit_index_haircut", "withdrawal_factor",
    "capped_pro_rata", "pnl_haircut_queue", "venue_adl", "vault_backstop", "staker_backstop", "ccp_waterfall",
}

# Parameters each rule needs to run on a 3-account book (the others have defaults).
NEEDS = {
    "vault_backstop": {"stakes": [100.0, 50.0, 0.0]},
    "staker_backstop": {"stakes": [100.0, 50.0, 0.0]},
    "ccp_waterfall": {"default_fund": [10.0, 20.0, 30.0]},
    "venue_adl": {"venue": "bitmex", "bankrupt": 2},
}


def book3():
    # two winning longs, one bankrupt short: equity (130, 110, -10) at mark 110
    return Book(sizes=[3.0, 1.0, -4.0], entry_prices=100.0, collateral=[100.0, 100.0, 30.0], mark_price=110.0)


def balanced(a: Allocation) -> bool:
    total, short, _ = a.balance_minor()
    return total == short


# ---------------------------------------------------------------------------------------------------- registry


def test_registry_names_are_the_contract_vocabulary():
    assert set(RULES) == CONTRACT_NAMES
    assert set(MECHANISM_LABELS) == CONTRACT_NAMES
    assert all(isinstance(x, str) and x for x in MECHANISM_LABELS.values())
    assert "abstraction" in MECHANISM_LABELS["pnl_haircut_queue"]  # the paper's model is labelled as such


@pytest.mark.parametrize("name", sorted(CONTRACT_NAMES))
def test_every_rule_runs_and_balances(name):
    a = apply_rule(name, book3(), 10.0, **NEEDS.get(name, {}))
    assert isinstance(a, Allocation) and a.rule == name
    assert a.charges.shape == a.closed.shape == a.caps.shape == a.fees.shape == (3,)
    assert balanced(a)
    assert np.array_equal(to_minor(a.charges), np.rint(a.charges * 100))  # exact multiples of the unit
    assert a.uncovered >= 0 and a.unit == 0.01 and a.shortfall == 10.0
    assert not a.charges.flags.writeable  # results are frozen


def test_apply_rule_bad_input():
    with pytest.raises(ValueError, match="name must be one of"):
        apply_rule("adl", book3(), 1.0)
    with pytest.raises(ValueError, match="name must be one of"):
        apply_rule(3, book3(), 1.0)
    with pytest.raises(TypeError, match="takes no parameter 'bogus'"):
        apply_rule("clawback", book3(), 1.0, bogus=1)
    with pytest.raises(TypeError, match="book must be"):
        apply_rule("clawback", {"sizes": [1]}, 1.0)
    with pytest.raises(ValueError, match="shortfall"):
        apply_rule("clawback", book3(), -1.0)
    with pytest.raises(ValueError, match="shortfall"):
        apply_rule("clawback", book3(), [1.0, 2.0])
    with pytest.raises(ValueError, match="shortfall"):
        apply_rule("clawback", book3(), "10")
    with pytest.raises(ValueError, match="shortfall"):
        apply_rule("clawback", book3(), True)
    with pytest.raises(ValueError, match="shortfall is too large"):
        apply_rule("clawback", book3(), 1e20)
    with pytest.raises(ValueError, match="unit"):
        apply_rule("clawback", book3(), 1.0, unit=0)
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'stakes'"):
        apply_rule("vault_backstop", book3(), 1.0)


def test_rule_params():
    assert rule_params("vault_backstop") == ("stakes",)
    assert rule_params("clawback") == ()
    assert "venue" in rule_params("venue_adl")
    with pytest.raises(ValueError, match="name must be one of"):
        rule_params("nope")


# ---------------------------------------------------------------------------------------------------- Book


def test_book_derived_quantities():
    b = Book([2.0, -1.0, 0.0], [100.0, 100.0, 50.0], [50.0, 30.0, 5.0], 110.0, names=("a", "b", "c"))
    assert b.pnl.tolist() == [20.0, -10.0, 0.0]
    assert b.equity.tolist() == [70.0, 20.0, 5.0]
    assert b.leverage[0] == pytest.approx(220 / 70) and b.leverage[2] == 0.0
    assert b.bankruptcy_prices[0] == pytest.approx(75.0) and b.bankruptcy_prices[1] == pytest.approx(130.0)
    assert np.isnan(b.bankruptcy_prices[2])
    assert b.index("b") == 1 and b.index(2) == 2 and b.n == 3


def test_book_underwater_account_bankruptcy_price_lies_beyond_the_mark():
    # negative collateral (already owes): bankruptcy price beyond the entry on the winning side
    b = Book([1.0], 100.0, -5.0, 100.0)
    assert b.bankruptcy_prices[0] == pytest.approx(105.0) and b.equity[0] == -5.0


def test_book_copies_and_freezes_inputs():
    sizes = np.array([1.0, -1.0])
    b = Book(sizes, 100.0, 10.0, 100.0)
    sizes[0] = 99.0
    assert b.sizes[0] == 1.0 and sizes.flags.writeable
    with pytest.raises(ValueError):
        b.sizes[0] = 2.0


def bk(**changes):
    base = {"sizes": [1.0], "entry_prices": 1.0, "collateral": 1.0, "mark_price": 1.0}
    return {**base, **changes}


@pytest.mark.parametrize("kwargs, match", [
    (bk(sizes=[[1.0]]), "sizes must be one-dimensional"),
    (bk(sizes=["1"]), "sizes must"),
    (bk(sizes=[True]), "sizes must"),
    (bk(sizes=[1j]), "sizes must"),
    (bk(sizes=[np.nan]), "sizes must be finite"),
    (bk(entry_prices=0.0), "entry_prices must be > 0"),
    (bk(sizes=[1.0, 2.0], entry_prices=[1.0, 2.0, 3.0]), "entry_prices must be a single number or one value per"),
    (bk(collateral=[1.0, 2.0]), "collateral must be"),
    (bk(collateral="x"), "collateral must be"),
    (bk(mark_price=-1.0), "mark_price must be > 0"),
    (bk(mark_price=[1.0]), "mark_price must be a single number"),
    (bk(names=("a", "b")), "names must have"),
    (bk(names="a"), "names must be a sequence"),
    (bk(sizes=[1.0, 2.0], names=("a", "a")), "names must be unique"),
])
def test_book_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Book(**kwargs)


def test_book_index_bad_input():
    with pytest.raises(ValueError, match="account must be"):
        book3().index("zed")
    with pytest.raises(ValueError, match="account must be in"):
        book3().index(5)


# ---------------------------------------------------------------------------------------------------- rules


def test_clawback_one_rate_capped_at_profit():
    a = rules.clawback(book3(), 10.0)  # profits 30 and 10 → rate 25 %
    assert a.charges.tolist() == [7.5, 2.5, 0.0] and a.uncovered == 0.0
    a = rules.clawback(book3(), 55.0)  # more than the 40 of profit: each pays its profit, 15 uncovered
    assert a.charges.tolist() == [30.0, 10.0, 0.0] and a.uncovered == 15.0
    assert a.caps.tolist() == [30.0, 10.0, 0.0]


def test_clawback_uncapped_passes_100_percent():
    a = rules.clawback_uncapped(book3(), 80.0)
    assert a.charges.tolist() == [60.0, 20.0, 0.0] and a.uncovered == 0.0
    nobody = Book([1.0, -1.0], 100.0, 50.0, 100.0)  # nobody in profit
    assert rules.clawback_uncapped(nobody, 5.0).uncovered == 5.0


def test_contracts_pro_rata_drift_test_vector():
    # Drift's test: loss 100 over long 7 and short -4 → 9.0909… per unit of base: 63.64 and 36.36
    a = rules.contracts_pro_rata(Book([7.0, -4.0], 100.0, 1000.0, 100.0), 100.0)
    assert a.charges.tolist() == [63.64, 36.36]
    # the bankrupt short (equity < 0) does not pay; winners and flat accounts per contract
    a = rules.contracts_pro_rata(book3(), 8.0)
    assert a.charges.tolist() == [6.0, 2.0, 0.0]
    assert rules.contracts_pro_rata(Book([0.0], 1.0, 1.0, 1.0), 3.0).uncovered == 3.0


def test_deposit_index_haircut():
    b = Book([0.0, 0.0, 0.0], 1.0, [600.0, 300.0, 100.0], 1.0)
    assert rules.deposit_index_haircut(b, 100.0).charges.tolist() == [60.0, 30.0, 10.0]
    a = rules.deposit_index_haircut(b, 1500.0)
    assert a.charges.tolist() == [600.0, 300.0, 100.0] and a.uncovered == 500.0


def test_withdrawal_factor_only_withdrawers_pay():
    b = Book([0.0, 0.0], 1.0, [600.0, 400.0], 1.0)
    a = rules.withdrawal_factor(b, 100.0, withdrawals=[300.0, 0.0])  # factor 10 %
    assert a.charges.tolist() == [30.0, 0.0] and a.uncovered == 70.0
    a = rules.withdrawal_factor(b, 100.0)  # everybody leaves: the whole shortfall is paid
    assert a.charges.tolist() == [60.0, 40.0] and a.uncovered == 0.0
    with pytest.raises(ValueError, match="withdrawals must be ≤ each account's equity"):
        rules.withdrawal_factor(b, 100.0, withdrawals=[700.0, 0.0])
    with pytest.raises(ValueError, match="withdrawals must be"):
        rules.withdrawal_factor(b, 100.0, withdrawals=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="withdrawals must be"):
        rules.withdrawal_factor(b, 100.0, withdrawals=[-1.0, 0.0])


def paper_book():
    # Chitra (arXiv:2512.01112), worked example: PnL (8, 4, 0.5), c = (2, 1, 0.5); D = 15, theta = 1/2
    return Book([8.0, 4.0, 0.5], 100.0, [2.0, 1.0, 0.5], 101.0)


def test_capped_pro_rata_paper_example():
    a = rules.capped_pro_rata(paper_book(), 15.0, severity=0.5)
    assert a.charges.tolist() == [4.8, 2.4, 0.3] and a.uncovered == 7.5
    a = rules.capped_pro_rata(paper_book(), 15.0, severity=0.5, beta=[0.5, 1.0, 1.0])  # top winner capped at 4
    assert a.charges[0] == 4.0 and a.charges.sum() == pytest.approx(7.5)
    with pytest.raises(ValueError, match=r"beta must be in \[0.0, 1.0\]"):
        rules.capped_pro_rata(paper_book(), 1.0, beta=1.5)
    with pytest.raises(ValueError, match="severity"):
        rules.capped_pro_rata(paper_book(), 1.0, severity=2.0)


def test_pnl_haircut_queue_paper_example():
    a = rules.pnl_haircut_queue(paper_book(), 15.0, severity=0.5, order=[1, 0, 2])
    assert a.charges.tolist() == [3.5, 4.0, 0.0] and a.uncovered == 7.5 and not a.closed.any()
    # default: largest winner first
    assert rules.pnl_haircut_queue(paper_book(), 15.0, severity=0.5).charges.tolist() == [7.5, 0.0, 0.0]
    with pytest.raises(ValueError, match="order must be a permutation"):
        rules.pnl_haircut_queue(paper_book(), 1.0, order=[0, 0, 1])


def test_vault_and_staker_backstops():
    b = Book([0.0, 0.0, 0.0], 1.0, 0.0, 1.0)
    assert rules.vault_backstop(b, 30.0, stakes=[100.0, 50.0, 0.0]).charges.tolist() == [20.0, 10.0, 0.0]
    a = rules.vault_backstop(b, 200.0, stakes=[100.0, 50.0, 0.0])
    assert a.charges.tolist() == [100.0, 50.0, 0.0] and a.uncovered == 50.0
    a = rules.staker_backstop(b, 50.0, stakes=[100.0, 100.0, 0.0], offset=10.0)
    assert a.external["offset"] == 10.0 and a.charges.tolist() == [20.0, 20.0, 0.0]
    a = rules.staker_backstop(b, 500.0, stakes=[100.0, 100.0, 0.0], offset=10.0, max_slash=0.3)
    assert a.charges.tolist() == [30.0, 30.0, 0.0] and a.uncovered == 430.0
    with pytest.raises(ValueError, match="stakes must be"):
        rules.vault_backstop(b, 1.0, stakes=[1.0, -1.0, 0.0])
    with pytest.raises(ValueError, match="max_slash"):
        rules.staker_backstop(b, 1.0, stakes=1.0, max_slash=1.5)
    with pytest.raises(ValueError, match="offset"):
        rules.staker_backstop(b, 1.0, stakes=1.0, offset=-1.0)


def test_ccp_waterfall_nasdaq_2018():
    # Reuters: €114M beyond Aas's margin, €7M of Nasdaq's capital, then €107M ≈ two thirds of the members' fund
    b = Book([0.0, 0.0, 0.0], 1.0, 0.0, 1.0, names=("Aas", "A", "B"))
    a = rules.ccp_waterfall(b, 114.0, default_fund=[0.0, 80.25, 80.25], defaulter="Aas", skin_in_the_game=7.0)
    assert a.external["skin_in_the_game"] == 7.0 and a.charges.tolist() == [0.0, 53.5, 53.5]
    assert a.charges.sum() / 160.5 == pytest.approx(2 / 3)
    # the defaulter's own contribution goes first, then assessments, then VM gains haircut, then tear-up
    b2 = Book([1.0, -1.0, 0.0], 100.0, [0.0, 500.0, 500.0], 110.0)  # account 0 gains 10 of variation margin
    a = rules.ccp_waterfall(b2, 100.0, default_fund=[10.0, 20.0, 20.0], defaulter=1, skin_in_the_game=5.0,
                            assessment_multiple=1.0)
    # own fund 20, SITG 5, members' fund 10 + 20, assessments 10 + 20, VM gains 10: 95 of 100, tear-up 5
    assert a.charges.tolist() == [10.0 + 10.0 + 10.0, 20.0, 20.0 + 20.0] and a.uncovered == 5.0
    assert balanced(a)
    with pytest.raises(ValueError, match="default_fund"):
        rules.ccp_waterfall(b2, 1.0, default_fund=[1.0, 2.0])
    with pytest.raises(ValueError, match="account must be"):
        rules.ccp_waterfall(b2, 1.0, default_fund=1.0, defaulter="nobody")
    with pytest.raises(ValueError, match="assessment_multiple"):
        rules.ccp_waterfall(b2, 1.0, default_fund=1.0, assessment_multiple=-1)


def test_withdrawal_factor_with_the_published_factor():
    # Paradex publishes the factor; each withdrawal is charged factor × amount on its own, to the cent
    b = Book([0.0, 0.0, 0.0], 1.0, [1000.0, 33.33, 500.0], 1.0)
    a = rules.withdrawal_factor(b, 1_000.0, withdrawals=[1000.0, 33.33, 0.0], factor=0.1)
    assert a.charges.tolist() == [100.0, 3.33, 0.0] and a.uncovered == 1_000.0 - 103.33
    a = rules.withdrawal_factor(b, 1_000.0, withdrawals=[1000.0, 33.33, 0.0], factor=[0.05, 1.0, 0.5])
    assert a.charges.tolist() == [50.0, 33.33, 0.0]
    # never more than the shortfall: scaled down pro rata
    a = rules.withdrawal_factor(b, 10.0, factor=1.0)
    assert a.charges.sum() == 10.0 and a.uncovered == 0.0 and balanced(a)
    with pytest.raises(ValueError, match="factor"):
        rules.withdrawal_factor(b, 10.0, factor=1.5)
    with pytest.raises(ValueError, match="factor"):
        rules.withdrawal_factor(b, 10.0, factor=[0.1, 0.2])


def test_ccp_waterfall_margin_assessment_caps_and_layers():
    # the defaulter's margin first (external), then its own fund; assessments capped per member when given
    b = Book([0.0, 1.0, 0.0], 100.0, [0.0, 0.0, 0.0], 110.0, names=("D", "A", "B"))  # A holds 10 of VM gains
    kw = dict(default_fund=[4.0, 20.0, 20.0], defaulter="D", skin_in_the_game=5.0, defaulter_margin=6.0,
              assessments=[99.0, 1.0, 3.0])
    a = rules.ccp_waterfall(b, 70.0, **kw)
    # 6 margin, 4 own fund, 5 SITG, 40 members' fund, 4 assessments (1 + 3), 10 VM gains: 69, tear-up 1
    assert a.external == {"skin_in_the_game": 5.0, "defaulter_margin": 6.0}
    assert a.charges.tolist() == [4.0, 20.0 + 1.0 + 10.0, 20.0 + 3.0] and a.uncovered == 1.0 and balanced(a)
    layers = rules.ccp_waterfall_layers(b, 70.0, **kw)
    assert tuple(layers) == (*rules.CCP_LAYERS, "uncovered")
    assert layers["assessments"].tolist() == [0.0, 1.0, 3.0] and layers["vm_gains_haircut"].tolist() == [0, 10, 0]
    per = sum(layers[k] for k in rules.CCP_LAYERS if isinstance(layers[k], np.ndarray))
    assert per.tolist() == a.charges.tolist() and layers["uncovered"] == a.uncovered
    with pytest.raises(ValueError, match="defaulter_margin"):
        rules.ccp_waterfall(b, 1.0, default_fund=1.0, defaulter_margin=-1.0)
    with pytest.raises(ValueError, match="assessments"):
        rules.ccp_waterfall(b, 1.0, default_fund=1.0, assessments=[1.0, 2.0])


def test_underwater_accounts_are_never_charged():
    b = Book([5.0, -5.0], 100.0, [0.0, 10.0], 110.0)  # the short is at -40
    for name in ("clawback", "clawback_uncapped", "contracts_pro_rata", "deposit_index_haircut"):
        assert apply_rule(name, b, 20.0).charges[1] == 0.0


def test_allocation_is_frozen_and_balanced_in_minor_units():
    a = rules.clawback(book3(), 10.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.uncovered = 3.0
    with pytest.raises(TypeError):
        a.external["x"] = 1.0
    assert a.covered == 10.0 and np.array_equal(a.given_up, a.charges)


def test_rules_are_built_on_the_public_integer_primitives():
    from pathlib import Path

    import socialized_loss

    pkg = Path(socialized_loss.__file__).parent
    for module in ("rules.py", "venue_adl.py"):
        src = (pkg / module).read_text(encoding="utf-8")
        assert "_sequential_int" not in src and "_pro_rata_int" not in src, module
        assert "sequential_minor" in src and "pro_rata_minor" in src, module


@pytest.mark.parametrize("profit", [6_000_000.006, 123_456_789.004, 9_000_000_000.009, 0.29, 1_000.005])
def test_capped_rules_never_charge_above_the_profit_at_any_size(profit):
    # a cap is rounded down to the unit: a relative float tolerance once rounded 6,000,000.006 up to 6,000,000.01
    b = Book([1.0, -1.0], 100.0, [50.0, 1.0], 100.0 + profit)
    for name in ("clawback", "capped_pro_rata"):
        a = rules.RULES[name](b, 2 * profit, unit=0.01)
        assert a.charges[0] <= profit, (name, a.charges[0], profit)
        assert a.balance_minor()[0] == a.balance_minor()[1]

"""The lessons' example books (package data) and the lesson state modules built on them: immutable books, one
vocabulary (the rule registry's names), and the lesson-08 comparison computed by the registry."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss import books, comparison, deleveraging, rules, stress


def test_books_are_read_only_and_fresh_dicts():
    b = books.socialization_book()
    with pytest.raises(ValueError):
        b.profits[0] = 1.0
    d = b.as_dict()
    d["profits"][0] = 1.0  # a copy: the book itself is unchanged
    assert books.socialization_book().profits[0] == 4_000.0
    m = books.mechanism_books()
    m.pop("lesson")
    assert "lesson" in books.mechanism_books()


def test_books_match_the_lessons():
    s = books.socialization_book()
    assert s.profits[s.profits > 0].sum() == 12_000 and np.abs(s.sizes).sum() == 12 and s.deposits.sum() == 60_000
    a = books.adl_book()
    assert a.sizes.tolist() == [10, 10, 20, 30, 20, 10]  # BitMEX's worked example
    assert (a.mark_price, a.bankruptcy_price, a.mmr) == (700.0, 650.0, 0.005)
    lesson = books.mechanism_books()["lesson"]
    assert lesson.shortfall == 15_000 and lesson.budget == 7_500  # Chitra's D = 15, θ = ½, in thousands of USD
    assert lesson.pnl[lesson.pnl > 0].tolist() == [8_000, 4_000, 500]


def test_exercise_data_of_lessons_01_04_07_is_package_data():
    # the new exercises read their data from data/books.toml through sl.books, as the lessons and checks do
    acct = books.cross_account()
    assert acct.balance + float((acct.sizes * (acct.prices - acct.entries)).sum()) == -1_000  # 1,000 USD underwater
    with pytest.raises(ValueError):
        acct.sizes[0] = 2.0
    assert books.margin_tiers() == ((0.0, 0.005), (1_000_000.0, 0.01), (2_500_000.0, 0.02))
    assert sl.margin.tiered_maintenance_margin(3_000_000, books.margin_tiers()) == 30_000
    cand = books.price_candidates()
    with pytest.raises(TypeError):
        cand["last"] = 1.0  # read-only
    assert list(cand) == ["index", "book_mid", "last"] and sorted(cand.values())[1] == 60_150
    day = books.options_day()
    assert day.names[0] == "Gus" and day.day_pnl[day.day_pnl > 0].sum() == 12_000 and day.loss == 2_400
    case = books.compensation_case()
    assert case.size * (case.reference_price - case.liquidation_price) == 4_000
    assert sl.checks.lesson07.compensation(4_000.0).status == "correct"
    assert sl.checks.lesson04.deribit_day(1_800.0).status == "correct"
    assert sl.checks.lesson01.tiered_margin(30_000.0).status == "correct"
    assert sl.checks.lesson01.cross_bad_debt(1_000.0).status == "correct"
    assert sl.checks.lesson01.equity_at_mark(1_050.0).status == "correct"


def test_one_vocabulary():
    assert set(comparison.MECHANISMS) - {"none"} <= set(rules.RULES)
    assert set(comparison.BASES) <= set(rules.RULES)
    assert set(stress.MECHANISM_NAMES) == set(sl.simulate.MECHANISMS)
    assert set(sl.simulate.MECHANISMS) - {"none"} <= set(rules.RULES)
    assert set(deleveraging.RANKINGS) == set(deleveraging.RANKING_LABELS)


@pytest.mark.parametrize("key", ["lesson", "whale", "big loss"])
@pytest.mark.parametrize("mechanism", comparison.MECHANISMS)
def test_comparison_conserves_money_to_the_cent(key, mechanism):
    b = books.mechanism_books()[key]
    r = comparison.mechanism_charges(b, mechanism)
    total = sl.to_minor(r["fund_paid"]) + sl.to_minor(r["venue_paid"]) + sl.to_minor(r["charges"]).sum() \
        + sl.to_minor(r["uncovered"])
    assert total == sl.to_minor(b.shortfall)
    assert np.all(r["charges"] >= 0)


def test_comparison_calls_the_registry():
    b = books.mechanism_books()["lesson"]
    led = rules.Book(sizes=b.size, entry_prices=np.where(b.size == 0, books.PRICE,
                                                         books.PRICE - b.pnl / np.where(b.size == 0, 1, b.size)),
                     collateral=b.collateral, mark_price=books.PRICE)
    for name in ("clawback", "contracts_pro_rata", "deposit_index_haircut"):
        expected = rules.apply_rule(name, led, b.budget).charges
        assert np.array_equal(comparison.mechanism_charges(b, name)["charges"], expected), name


def test_state_modules_name_bad_input():
    with pytest.raises(ValueError, match="mechanism"):
        comparison.mechanism_charges("lesson", "ADL queue")  # the old label is not a rule name
    with pytest.raises(ValueError, match="book"):
        comparison.mechanisms_state("nope")
    with pytest.raises(ValueError, match="rule"):
        deleveraging.adl_queue_state(rule="okx")
    with pytest.raises(TypeError, match="population"):
        stress.groups("not a population")

"""Contract-space ADL, venue by venue: each venue's own published or test-suite example, edge cases, bad input."""
from __future__ import annotations

import numpy as np
import pytest

from socialized_loss.rules import Book, apply_rule
from socialized_loss.venue_adl import (
    adl_order,
    adl_scores,
    close_price,
    close_queue,
    close_random_start,
    deleverage,
    fund_share,
)
from socialized_loss.venues import venue


def balanced(a) -> bool:
    total, short, _ = a.balance_minor()
    return total == short


# ------------------------------------------------------------------------------------------------------- BitMEX


def test_bitmex_published_example():
    # https://www.bitmex.com/app/autoDeleveragingExamples : six longs (quantity, PNL ranking) = (10, 3), (10, 6),
    # (20, 1), (30, 4), (20, 5), (10, 2); a short of 20 is liquidated with bankruptcy price 650 → accounts 2 and 5
    # are deleveraged at 650, account 2 closes its 10, account 5 closes 10 and keeps 10.
    longs = Book([10.0, 10.0, 20.0, 30.0, 20.0, 10.0], 600.0, 10_000.0, 660.0)
    a = deleverage(longs, 200.0, venue="bitmex", quantity=-20.0, bankruptcy_price=650.0, scores=[3, 6, 1, 4, 5, 2])
    assert a.closed.tolist() == [0, 10, 0, 0, 10, 0]
    assert (longs.sizes - a.closed).tolist() == [10, 0, 20, 30, 10, 10]  # account 5 keeps 10
    assert a.close_prices[1] == a.close_prices[4] == 650.0 and np.isnan(a.close_prices[0])
    # each closed long gives up (mark − 650) × 10 = 100; BitMEX charges no fee
    assert a.charges.tolist() == [0, 100, 0, 0, 100, 0] and a.fees.tolist() == [0] * 6
    assert a.uncovered == 0.0 and balanced(a)


def test_bitmex_ranking_formula():
    # https://www.bitmex.com/app/autoDeleveraging : Ranking = PNL% × EffectiveLeverage (PNL% > 0), PNL% ÷ it (< 0),
    # EffectiveLeverage = |MarkValue| ÷ (MarkValue − BankruptValue). A long of 1 at entry 100 with mark 110 and
    # bankruptcy 90 (collateral 10): leverage 110 / 20 = 5.5, PNL% 0.10 → 0.55.
    b = Book([1.0, 1.0], [100.0, 120.0], [10.0, 30.0], 110.0)
    s = adl_scores(b, "pnl_x_leverage")
    assert s[0] == pytest.approx(0.55)
    assert s[1] == pytest.approx((-10 / 120) / (110 / 20))  # at a loss: PNL% ÷ leverage


def test_bitmex_book_ranked_by_its_formula_and_bankrupt_account():
    # the bankrupt short's whole position is closed at its own bankruptcy price entry − collateral / size = 650
    b = Book([-20.0, 10.0, 10.0, 10.0], [600.0, 500.0, 640.0, 550.0], [1000.0, 2000.0, 2000.0, 300.0], 660.0)
    a = apply_rule("venue_adl", b, 200.0, venue="bitmex", bankrupt=0)
    order = adl_order(b, [1, 2, 3], "pnl_x_leverage")
    assert order.tolist() == [3, 1, 2]  # the most profitable and levered first
    assert a.closed.tolist() == [20, 10, 0, 10] and a.close_prices[0] == 650.0
    assert a.charges.tolist() == [0, 100, 0, 100] and a.uncovered == 0.0 and balanced(a)


# ------------------------------------------------------------------------------------------------------- Binance


def test_binance_closes_at_bankruptcy_price_without_fee():
    # Binance FAQ (https://www.binance.com/zh-CN/support/announcement/360033525471): "closed out at the bankruptcy
    # price of the initial liquidated order, no trading fee will be charged".
    row = venue("binance")
    assert (row.close_price, row.adl_fee, row.adl_fee_rate) == ("bankruptcy", "none", 0.0)
    b = Book([-2.0, 1.0, 1.0], 100.0, [10.0, 500.0, 500.0], 110.0)  # short's bankruptcy price 105
    a = deleverage(b, 10.0, venue="binance", bankrupt=0)
    assert a.close_prices[0] == 105.0 and a.fees.sum() == 0 and a.charges.sum() == 10.0


def test_binance_leverage_pnl_forum_formula():
    # https://dev.binance.vision/t/how-to-caculating-leverage-pnl-quantile/17801 : PnlPercent = max(0, upnl) /
    # max(1, wallet); MarginRatio = MaintMargin / (wallet + upnl); LeveragePnl = product. upnl 50, wallet 100,
    # maintenance margin 10 (= mmr × notional 150) → 0.5 × 10 / 150.
    b = Book([1.0], 100.0, 100.0, 150.0)
    assert adl_scores(b, "leverage_pnl", mmr=10 / 150)[0] == pytest.approx(0.5 * 10 / 150)
    under = Book([1.0], 100.0, -60.0, 150.0)  # equity ≤ 0 → margin ratio 0
    assert adl_scores(under, "leverage_pnl")[0] == 0.0


# ------------------------------------------------------------------------------------------------------- Bybit


def test_bybit_pool_drawdown_example():
    # Bybit API docs, Get ADL Alert (https://bybit-exchange.github.io/docs/v5/market/adl-alert), example 1: a pool
    # of 1M shared by three symbols; symbol A loses 350K → pnlRatio −35 % < −30 % → ADL; the bankruptcy price is
    # computed from the −30 % drawdown and users subsidise 50K.
    assert fund_share("bybit", 350_000.0, insurance_fund=1_000_000.0) == (True, 300_000.0)
    assert fund_share("bybit", 250_000.0, insurance_fund=1_000_000.0) == (False, 250_000.0)
    # a bankrupt short of 100 (bankruptcy price 11,000) at mark 14,500: deficit 350K; longs of 60 and 40
    b = Book([-100.0, 60.0, 40.0], 10_000.0, [100_000.0, 1e6, 1e6], 14_500.0)
    a = deleverage(b, 350_000.0, venue="bybit", bankrupt=0, insurance_fund=1_000_000.0)
    assert a.external["insurance_fund"] == 300_000.0
    assert a.charges.tolist() == [0.0, 30_000.0, 20_000.0]  # 50K from the deleveraged longs
    assert a.close_prices[1] == 14_000.0  # the bankruptcy price moved so the pool stops at −30 %
    assert a.uncovered == 0.0 and balanced(a)


def test_bybit_charges_the_deleveraged_trader_the_maker_fee():
    # https://help.bybit.com/hc/en-us/articles/900000031623-What-is-Auto-Deleveraging-ADL- : "Maker fee will be
    # charged to the positions of selected traders"; the rate is the row's (base tier, an assumption).
    row = venue("bybit")
    assert row.adl_fee == "maker"
    b = Book([-2.0, 1.0, 1.0], 100.0, [10.0, 500.0, 500.0], 110.0)
    a = deleverage(b, 10.0, venue="bybit", bankrupt=0)
    assert a.fees.tolist() == [0.0, round(105 * row.adl_fee_rate, 2), round(105 * row.adl_fee_rate, 2)]
    assert np.array_equal(a.given_up, a.charges + a.fees)
    assert deleverage(b, 10.0, venue="bybit", bankrupt=0, fee_rate=0.01).fees.tolist() == [0.0, 1.05, 1.05]


# ------------------------------------------------------------------------------------------------------- OKX


def test_okx_closes_at_mark_so_the_deficit_is_not_covered_by_the_winners():
    # OKX help centre: "forcibly closed at the mark price at the time of matching"; ADL when the fund falls 30 %
    # from its peak within 8 hours.
    row = venue("okx")
    assert (row.close_price, row.trigger_threshold, row.trigger_window_hours) == ("mark", 0.30, 8.0)
    b = Book([-2.0, 1.0, 1.0], 100.0, [10.0, 500.0, 500.0], 110.0)
    a = deleverage(b, 10.0, venue="okx", bankrupt=0)
    assert a.closed.tolist() == [2, 1, 1] and a.charges.tolist() == [0, 0, 0] and a.uncovered == 10.0
    # already down 28.6 % from a peak of 140: only 2 more may be drawn before the 30 % line
    assert fund_share("okx", 10.0, insurance_fund=100.0, fund_peak=140.0) == (True, 2.0)


# ------------------------------------------------------------------------------------------------------- dYdX v4

# dYdX v4 test suite, TestOffsetSubaccountPerpetualPosition in protocol/x/clob/keeper/deleveraging_test.go
# https://github.com/dydxprotocol/v4-chain/blob/ad3295c0dafafbae314ad1b5573b753334debe20/
#   protocol/x/clob/keeper/deleveraging_test.go
# BTC oracle price $50,000. Carl_Num0_1BTC_Short_54999USD: short 1 BTC, USDC 54,999 → net collateral 4,999, so the
# bankruptcy price to close 1 BTC is $54,999. A subaccount "long X BTC with USDC u" has equity u + X × 50,000,
# which is its collateral in a Book with entry price 50,000.


def test_dydx_one_offsetting_subaccount():
    # "Can get one offsetting subaccount for deleveraged short": Dave long 1 BTC with 50,000 USDC ends with
    # 50,000 + 54,999 USDC and no position.
    b = Book([-1.0, 1.0], 50_000.0, [4_999.0, 100_000.0], 50_000.0, names=("Carl", "Dave"))
    a = deleverage(b, 0.0, venue="dydx_v4", bankrupt="Carl", force=True)
    assert a.closed.tolist() == [1.0, 1.0] and a.close_prices[1] == 54_999.0
    dave_equity_after = b.equity[1] - a.charges[1]
    assert dave_equity_after == 50_000.0 + 54_999.0  # the position is gone: all in USDC
    assert a.external["bankrupt_account"] == 4_999.0 and balanced(a)  # Carl's remaining equity goes to Dave


def test_dydx_multiple_offsetting_subaccounts_close_the_whole_side():
    # "Can get multiple offsetting subaccounts": Dave_Num0 and Dave_Num1 each long 0.5 BTC with 50,000 USDC end with
    # 50,000 + 27,499.5 USDC; open interest goes to zero (the whole opposite side is closed).
    b = Book([-1.0, 0.5, 0.5], 50_000.0, [4_999.0, 75_000.0, 75_000.0], 50_000.0)
    for seed in range(5):  # any random start closes both
        a = deleverage(b, 0.0, venue="dydx_v4", bankrupt=0, force=True, seed=seed)
        assert a.closed.tolist() == [1.0, 0.5, 0.5]
        assert (b.equity[1:] - a.charges[1:]).tolist() == [50_000.0 + 27_499.5] * 2


def test_dydx_skips_same_side_and_non_overlapping_bankruptcy_prices():
    # "Skips subaccounts with positions on the same side": Carl_Num1 (short) is not touched.
    b = Book([-1.0, -1.0, 1.0], 50_000.0, [4_999.0, 50_000.0, 100_000.0], 50_000.0)
    assert deleverage(b, 0.0, venue="dydx_v4", bankrupt=0, force=True).closed.tolist() == [1, 0, 1]
    # "Skips subaccounts with non-overlapping bankruptcy prices": Carl short 1 BTC with 50,000 USDC (TNC 0,
    # bankruptcy price 50,000); Dave_Num0 long 1 BTC with −50,001 USDC (TNC −1) would be left under water and is
    # skipped; Dave_Num1 (long 1 BTC, 50,000 USDC) is closed at 50,000.
    b = Book([-1.0, 1.0, 1.0], 50_000.0, [0.0, -1.0, 100_000.0], 50_000.0)
    for seed in range(5):
        a = deleverage(b, 0.0, venue="dydx_v4", bankrupt=0, force=True, seed=seed)
        assert a.closed.tolist() == [1, 0, 1] and a.close_prices[2] == 50_000.0
    # "Returns an error if not enough subaccounts…": only Dave_Num0 → nothing closed, the position remains
    b = Book([-1.0, 1.0], 50_000.0, [0.0, -1.0], 50_000.0)
    assert deleverage(b, 0.0, venue="dydx_v4", bankrupt=0, force=True).closed.tolist() == [0, 0]


def test_dydx_docs_example():
    # https://dydx-documentation-six.vercel.app/concepts/trading/contract-loss-mechanism : A long 500 at $1 with
    # $100, B short 500 at $1 with $100; the price jumps to $2; B's bankruptcy price 1 + 100 / 500 = $1.20; A is
    # closed at 1.20 and gains +$100 instead of +$500.
    b = Book([500.0, -500.0], 1.0, 100.0, 2.0, names=("A", "B"))
    a = deleverage(b, 400.0, venue="dydx_v4", bankrupt="B")
    assert a.close_prices[0] == pytest.approx(1.20)
    realised = a.closed[0] * (a.close_prices[0] - 1.0)
    assert realised == pytest.approx(100.0) and b.pnl[0] - a.charges[0] == pytest.approx(100.0)
    assert a.uncovered == 0.0 and balanced(a)


def test_dydx_docs_and_code_disagree_and_both_are_recorded():
    row = venue("dYdX v4")
    assert row.ranking == "random_start" and "profit × leverage" in row.ranking_docs and row.uncertain


# ------------------------------------------------------------------------------------------------------- Hyperliquid


def test_hyperliquid_sorting_index_and_previous_mark_price():
    # https://hyperliquid.gitbook.io/hyperliquid-docs/trading/auto-deleveraging : sorting index
    # (mark_price / entry_price) × (notional_position / account_value); closed "at the previous mark price against
    # the now underwater user" (earlier versions: "previous oracle price").
    row = venue("hyperliquid")
    assert row.close_price == "previous_mark" and "previous oracle price" in row.close_price_note
    b = Book([-3.0, 1.0, 2.0], [100.0, 80.0, 100.0], [10.0, 40.0, 50.0], 110.0)
    s = adl_scores(b, "mark_entry_x_leverage")
    assert s[1] == pytest.approx((110 / 80) * (110 / (40 + 30)))
    assert s[2] == pytest.approx((110 / 100) * (220 / (50 + 20)))
    with pytest.raises(ValueError, match="previous_price is required"):
        deleverage(b, 20.0, venue="hyperliquid", bankrupt=0)
    a = deleverage(b, 20.0, venue="hyperliquid", bankrupt=0, previous_price=108.0)
    assert a.closed.tolist() == [3, 1, 2] and a.close_prices[1] == 108.0
    assert a.charges.tolist() == [0.0, 2.0, 4.0] and a.uncovered == 14.0  # (110 − 108) × qty covers 6 of 20
    # a user with no open position never socializes a loss
    flat = Book([-1.0, 1.0, 0.0], 100.0, [0.0, 50.0, 1e6], 105.0)
    assert deleverage(flat, 5.0, venue="hyperliquid", bankrupt=0, previous_price=104.0).charges[2] == 0.0


def test_close_at_a_price_past_the_deficit_hands_the_surplus_back_to_the_bankrupt_account():
    b = Book([-1.0, 1.0], 100.0, [-5.0, 50.0], 100.0)  # the short owes 5 at the mark
    a = deleverage(b, 5.0, venue="hyperliquid", bankrupt=0, previous_price=90.0)
    assert a.charges[1] == 10.0 and a.external["bankrupt_account"] == -5.0 and a.uncovered == 0.0
    a = deleverage(b, 5.0, venue="hyperliquid", bankrupt=0, previous_price=101.0)  # the winner gains 1
    assert a.charges[1] == -1.0 and a.external["bankrupt_account"] == 1.0 and a.uncovered == 5.0
    assert balanced(a)


# ------------------------------------------------------------------------------------------------------- lots


def test_never_closes_more_than_a_position_holds():
    # the ledger bug of issue 10: a 0.0099 position with lot 0.01 must not be closed for 0.01 (it would turn short)
    b = Book([0.0099], 100.0, 10.0, 100.0)
    a = deleverage(b, 0.0, venue="bitmex", quantity=-0.0099, bankruptcy_price=100.0, lot=0.01, force=True)
    assert a.closed[0] <= 0.0099
    b = Book([0.0299, 0.02], 100.0, 10.0, 100.0)
    a = deleverage(b, 0.0, venue="bitmex", quantity=-0.05, bankruptcy_price=100.0, lot=0.01, force=True,
                   scores=[1, 0])
    assert a.closed.tolist() == [0.02, 0.02]  # 0.0299 holds two whole lots; the rest cannot be closed


def test_accepts_closing_exactly_the_whole_opposite_side():
    rng = np.random.default_rng(7)
    for _ in range(200):
        longs = np.round(rng.uniform(0.001, 5.0, size=6), 3)
        b = Book(np.concatenate(([-longs.sum()], longs)), 100.0, np.r_[0.0, np.full(6, 1e4)], 101.0)
        a = deleverage(b, 0.0, venue="bitmex", bankrupt=0, bankruptcy_price=100.0, lot=0.001, force=True)
        assert np.allclose(a.closed[1:], longs, rtol=0, atol=1e-12) and a.closed[0] == pytest.approx(longs.sum())


def test_trigger_lets_the_fund_pay_first():
    b = Book([-2.0, 1.0, 1.0], 100.0, [10.0, 500.0, 500.0], 110.0)
    a = deleverage(b, 10.0, venue="bitmex", bankrupt=0, insurance_fund=50.0)
    assert a.closed.tolist() == [0, 0, 0] and a.external["insurance_fund"] == 10.0 and a.uncovered == 0.0
    a = deleverage(b, 10.0, venue="bitmex", bankrupt=0, insurance_fund=5.0)  # depleted → ADL, fund untouched
    assert a.closed.tolist() == [2, 1, 1] and "insurance_fund" not in a.external


# ------------------------------------------------------------------------------------------------------- bad input


def test_deleverage_bad_input():
    b = Book([-2.0, 1.0, 0.0], 100.0, [10.0, 500.0, 5.0], 110.0)
    with pytest.raises(TypeError, match="book must be"):
        deleverage("book", 1.0)
    with pytest.raises(ValueError, match="quantity .* is required"):
        deleverage(b, 1.0, venue="bitmex")
    with pytest.raises(ValueError, match="bankrupt must hold an open position"):
        deleverage(b, 1.0, venue="bitmex", bankrupt=2)
    with pytest.raises(ValueError, match="quantity must be"):
        deleverage(b, 1.0, venue="bitmex", bankrupt=0, quantity=1.0)
    with pytest.raises(ValueError, match="quantity must be"):
        deleverage(b, 1.0, venue="bitmex", bankrupt=0, quantity=-3.0)
    with pytest.raises(ValueError, match="quantity must be a single number"):
        deleverage(b, 1.0, venue="bitmex", quantity=[-1.0, -1.0], bankruptcy_price=105.0)
    with pytest.raises(ValueError, match="bankruptcy_price is required"):
        deleverage(b, 1.0, venue="bitmex", quantity=-1.0)
    with pytest.raises(ValueError, match="venue must rank"):
        deleverage(b, 1.0, venue="drift_v2", bankrupt=0)
    with pytest.raises(ValueError, match="venue must rank"):
        deleverage(b, 1.0, venue="gmx", bankrupt=0)
    with pytest.raises(ValueError, match="name must be one of the venues"):
        deleverage(b, 1.0, venue="ftx", bankrupt=0)
    with pytest.raises(ValueError, match="fee_rate"):
        deleverage(b, 1.0, venue="bybit", bankrupt=0, fee_rate=2.0)
    with pytest.raises(ValueError, match="force must be"):
        deleverage(b, 1.0, venue="bybit", bankrupt=0, force="yes")
    with pytest.raises(ValueError, match="shortfall"):
        deleverage(b, [1.0], venue="bybit", bankrupt=0)
    with pytest.raises(ValueError, match="lot"):
        deleverage(b, 1.0, venue="bybit", bankrupt=0, lot=0)
    with pytest.raises(ValueError, match="account must be"):
        deleverage(b, 1.0, venue="bybit", bankrupt=7)
    with pytest.raises(ValueError, match="scores must have one value per account"):
        deleverage(b, 1.0, venue="bybit", bankrupt=0, scores=[1.0])
    with pytest.raises(ValueError, match="seed"):
        deleverage(b, 1.0, venue="dydx_v4", bankrupt=0, seed=-1)


def test_helpers_bad_input():
    b = Book([-2.0, 1.0], 100.0, [10.0, 500.0], 110.0)
    with pytest.raises(ValueError, match="ranking must be one of"):
        adl_scores(b, "profit")
    with pytest.raises(TypeError, match="book must be"):
        adl_scores([1.0], "pnl_x_leverage")
    with pytest.raises(ValueError, match="mmr"):
        adl_scores(b, "leverage_pnl", mmr=1.5)
    with pytest.raises(ValueError, match="candidates must be account indices"):
        adl_order(b, [5], "pnl_x_leverage")
    with pytest.raises(ValueError, match="shortfall and insurance_fund must be single numbers"):
        fund_share("bybit", [1.0, 2.0])
    with pytest.raises(ValueError, match="insurance_fund must be ≥ 0"):
        fund_share("bybit", 1.0, insurance_fund=-1.0)
    with pytest.raises(ValueError, match="fund_peak must be ≥ insurance_fund"):
        fund_share("bybit", 1.0, insurance_fund=10.0, fund_peak=5.0)
    with pytest.raises(ValueError, match="venue must run contract-space ADL"):
        close_price("deribit", b)
    with pytest.raises(ValueError, match="bankruptcy_price must be > 0"):
        close_price("bitmex", b, bankruptcy_price=-1.0)


# ------------------------------------------------------------------------------------------ the queue functions


def test_close_queue_two_lot_regimes():
    # the ledger regime rounds holdings down to whole lots; the exact one closes a used-up position exactly
    assert close_queue([0.0299, 0.02], 0.05, [0, 1], lot=0.01).tolist() == [0.02, 0.02]
    assert close_queue([0.0299, 0.02], 0.05, [0, 1], lot=0.01, exact=True).tolist() == [0.0299, 0.02]
    assert close_queue([0.0299, 0.02], 0.02, [1, 0], lot=0.01, exact=True).tolist() == [0.0, 0.02]
    assert close_queue([5.0, 5.0, 5.0], 7.0, [2, 0, 1]).tolist() == [2.0, 0.0, 5.0]
    assert close_queue([5.0, 5.0, 5.0], 7.0, [2]).tolist() == [0.0, 0.0, 5.0]  # only the queue is closed
    with pytest.raises(ValueError, match="quantity"):
        close_queue([5.0, 5.0], 11.0, [0, 1], exact=True)


def test_close_random_start_skips_and_max_iterate():
    closed, skipped, rest = close_random_start([10.0, 10.0, 10.0], 25.0, [1, 2, 0], [100.0, 1.0, 100.0], -1.0, lot=1.0)
    assert closed.tolist() == [10.0, 0.0, 10.0] and skipped.tolist() == [False, True, False] and rest == 5
    # deleverage passes max_iterate on (dYdX's MaxDeleveragingSubaccountsToIterate)
    b = Book([-3.0, 1.0, 1.0, 1.0], 100.0, [0.0, 100.0, 100.0, 100.0], 110.0)
    full = deleverage(b, 0.0, venue="dydx_v4", bankrupt=0, bankruptcy_price=100.0, force=True, seed=1)
    one = deleverage(b, 0.0, venue="dydx_v4", bankrupt=0, bankruptcy_price=100.0, force=True, seed=1, max_iterate=1)
    assert full.closed[1:].sum() == 3.0 and one.closed[1:].sum() == 1.0 and balanced(one)
    with pytest.raises(ValueError, match="max_iterate"):
        deleverage(b, 0.0, venue="dydx_v4", bankrupt=0, bankruptcy_price=100.0, force=True, max_iterate=-1)


def test_a_counterparty_below_one_lot_does_not_stop_dydx():
    # it holds no whole lot, so it is passed over; the loop goes on to the next (it used to stop there)
    b = Book([-2.0, 0.5, 1.0, 1.0], 100.0, [0.0, 100.0, 100.0, 100.0], 100.0)
    for seed in range(8):
        a = deleverage(b, 0.0, venue="dydx_v4", bankrupt=0, bankruptcy_price=100.0, force=True, seed=seed, lot=1.0)
        assert a.closed.tolist() == [2.0, 0.0, 1.0, 1.0]

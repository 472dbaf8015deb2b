"""Lesson 08's mechanisms explorer and its helpers, driven headless and checked against the engine."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss import comparison as M


@pytest.fixture(scope="module")
def book():
    return M.mechanism_books()["lesson"]


def test_lesson_book_is_the_papers_example(book):
    assert book.shortfall == 15_000.0 and book.budget == 7_500.0
    winners = book.pnl > 0
    np.testing.assert_allclose(book.pnl[winners], [8_000.0, 4_000.0, 500.0])
    np.testing.assert_allclose(book.collateral[winners], [2_000.0, 1_000.0, 500.0])
    # the profit × leverage ranking puts the second winner first, as in the paper's queue order (2, 1, 3)
    scores = sl.hyperliquid_adl_score(np.maximum(book.pnl, 0), book.leverage)
    assert sl.adl_queue(scores)[:3].tolist() == [1, 0, 2]


def test_queue_and_clawback_match_the_paper(book):
    q = M.mechanism_charges(book, "pnl_haircut_queue")
    np.testing.assert_allclose(q["charges"][:3], [3_500.0, 4_000.0, 0.0])
    np.testing.assert_allclose(q["charges"][:3], 1_000 * sl.queue_haircut([8, 4, 0.5], 7.5, order=[1, 0, 2]).x)
    c = M.mechanism_charges(book, "clawback")
    np.testing.assert_allclose(c["charges"][:3], 1_000 * sl.pro_rata_haircut([8, 4, 0.5], 7.5).x)


def test_each_mechanism_is_the_engines(book):
    b = book.budget
    np.testing.assert_allclose(M.mechanism_charges(book, "contracts_pro_rata")["charges"],
                               sl.contracts_pro_rata(b, book.size).charges)
    np.testing.assert_allclose(M.mechanism_charges(book, "deposit_index_haircut")["charges"],
                               sl.deposit_haircut_charges(b, book.collateral).charges)
    np.testing.assert_allclose(M.mechanism_charges(book, "clawback")["charges"], sl.clawback(b, book.pnl).charges)
    caps = np.where(book.leverage <= 2.0, 0.5, 1.0)
    np.testing.assert_allclose(M.mechanism_charges(book, "capped_pro_rata", 0.5)["charges"],
                               sl.capped_pro_rata_haircut(book.pnl, b, caps).x)
    layers = sl.WaterfallLayers(skin_in_the_game=1_000.0, member_default_fund=0.05 * book.collateral,
                                assessment_caps=0.05 * book.collateral, vm_gains=np.maximum(book.pnl, 0))
    r = sl.default_waterfall(b, layers)
    w = M.mechanism_charges(book, "ccp_waterfall")
    np.testing.assert_allclose(w["charges"], r.default_fund_charges + r.assessment_charges + r.vm_haircuts)
    assert w["venue_paid"] == r.draws["skin_in_the_game"] == 1_000.0


@pytest.mark.parametrize("key", ["lesson", "whale", "big loss"])
@pytest.mark.parametrize("mechanism", M.MECHANISMS)
def test_money_is_conserved_to_the_cent(key, mechanism):
    b = M.mechanism_books()[key]
    r = M.mechanism_charges(b, mechanism)
    total = r["fund_paid"] + r["venue_paid"] + r["charges"].sum() + r["uncovered"]
    assert round(total, 2) == round(b.shortfall, 2)
    assert np.all(r["charges"] >= 0)


def test_table_metrics_come_from_fairness(book):
    for row in M.mechanism_table(book):
        fm = sl.fairness_metrics(row["charges"], np.maximum(book.equity, 0))
        assert row["gini"] == pytest.approx(fm.gini) and row["hhi"] == pytest.approx(fm.hhi)
        assert row["accounts_hit"] == fm.accounts_hit
    rows = {r["mechanism"]: r for r in M.mechanism_table(book)}
    assert rows["none"]["uncovered"] == 7_500.0 and rows["none"]["charged"] == 0.0
    assert rows["pnl_haircut_queue"]["largest_haircut"] == pytest.approx(0.8)
    assert max(range(6), key=lambda i: rows["contracts_pro_rata"]["charges"][i]) == book.names.index("Mia")
    assert max(range(6), key=lambda i: rows["deposit_index_haircut"]["charges"][i]) == book.names.index("Hal")


def test_sybil_split_queue_vs_pro_rata():
    st = M.mechanisms_state("lesson", "pnl_haircut_queue", split="Ben", pieces=2)
    assert st["unsplit_charge"] == 4_000.0 and st["split_total"] == 0.0 and st["sybil_advantage"] == 4_000.0
    assert st["charges_after"][0] == 7_500.0  # Ana now pays it all
    whale = M.mechanisms_state("whale", "pnl_haircut_queue", split="Wes", pieces=4)
    assert whale["sybil_advantage"] == pytest.approx(2_500.0)
    for mech in ("clawback", "capped_pro_rata", "contracts_pro_rata", "deposit_index_haircut", "ccp_waterfall"):
        assert abs(M.mechanisms_state("lesson", mech, split="Ben", pieces=3)["sybil_advantage"]) <= 0.05
    # the engine's own Sybil test agrees for the queue
    res = sl.sybil_split(lambda w: sl.queue_haircut(w, 7.5).x, 0, 2, [8.0, 4.0, 0.5])
    assert res.advantage > 0


def test_big_loss_shows_the_trilemma():
    rows = {r["mechanism"]: r for r in M.mechanism_table("big loss")}
    for m in ("none", "clawback", "pnl_haircut_queue", "capped_pro_rata"):
        assert rows[m]["uncovered"] > 0
    for m in ("contracts_pro_rata", "deposit_index_haircut", "ccp_waterfall"):
        assert rows[m]["uncovered"] == 0
    assert rows["contracts_pro_rata"]["new_bankruptcies"] == 1


def test_moral_hazard_grows_with_leverage():
    t = M.moral_hazard_transfer(np.arange(1, 51), seed=8)
    assert t[0] == 0.0 and np.all(np.diff(t) >= 0) and t[-1] > 500
    assert M.moral_hazard_transfer(10.0, seed=8) == pytest.approx(t[9])
    assert np.array_equal(t, M.moral_hazard_transfer(np.arange(1, 51), seed=8))  # seeded
    with pytest.raises(ValueError, match="leverage"):
        M.moral_hazard_transfer(-1.0)


def test_explorer_responds_to_controls():
    ex = sl.widgets.mechanisms_explorer()
    assert ex.state["mechanism"] == "pnl_haircut_queue" and ex.state["pieces"] == 1
    png = ex.image.value
    ex.set(pieces=2)
    assert ex.state["sybil_advantage"] == 4_000.0 and "saves Ben" in ex.readout.value
    assert ex.image.value != png
    ex.set(mechanism="clawback")
    assert "no effect" in ex.readout.value
    ex.set(book="whale")
    assert ex.controls["split"].options[0] == "Wes" and ex.state["names"][0] == "Wes"
    ex.set(mechanism="capped_pro_rata", calm_cap=45.0)
    assert ex.state["calm_cap"] == pytest.approx(0.45)


def test_controls_keep_inputs_valid():
    ex = sl.widgets.mechanisms_explorer()
    cap = ex.controls["calm_cap"]
    cap.value = 5.0  # the slider clamps at the lowest cap every book can still pay with
    assert cap.value == cap.min == 45.0
    for key in ("lesson", "whale", "big loss"):
        ex.set(book=key, mechanism="capped_pro_rata")
        assert np.isfinite(ex.state["charged"])


@pytest.mark.parametrize(
    "kwargs, word",
    [({"mechanism": "lottery"}, "mechanism"), ({"book": "nope"}, "book"), ({"split": "Zed"}, "split"),
     ({"pieces": 0}, "pieces"), ({"calm_cap": 1.5}, "calm_cap")],
)
def test_bad_inputs_are_errors(kwargs, word):
    with pytest.raises(ValueError, match=word):
        M.mechanisms_state(**kwargs)

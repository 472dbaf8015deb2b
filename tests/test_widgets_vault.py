"""Lesson 06's vault explorer, driven headless, and its model checked against the engine's vault ledger."""
from __future__ import annotations

import numpy as np
import pytest

import socialized_loss as sl
from socialized_loss.cooldown import vault_state


def test_no_cooldown_lets_the_attentive_run():
    st = vault_state(tvl=10_000_000, loss=1_000_000, warning_days=10, cooldown_days=0, attentive_share=0.4)
    assert st["escaped_share"] == pytest.approx(0.4)
    assert st["escaped_value"] == 4_000_000
    assert st["stayer_loss_per_1000"] == pytest.approx(1000 / 6)  # 1 M on the 6 M left
    assert st["no_run_loss_per_1000"] == pytest.approx(100)
    assert st["charge_passive"] == pytest.approx(1_000_000, abs=0.01)
    assert st["share_price_after"] == pytest.approx(5 / 6)


@pytest.mark.parametrize("cooldown", [10.0, 13.0, 20.0, 30.0])
def test_cooldown_at_least_the_warning_stops_the_run(cooldown):
    st = vault_state(tvl=10_000_000, loss=1_000_000, warning_days=10, cooldown_days=cooldown, attentive_share=0.4)
    assert st["run_stopped"] and st["escaped_share"] == 0
    assert st["stayer_loss_per_1000"] == pytest.approx(st["no_run_loss_per_1000"])
    # attentive and passive depositors then pay the same rate: 400,000 and 600,000 USD
    assert st["charge_stuck_attentive"] == pytest.approx(400_000, abs=0.01)
    assert st["charge_passive"] == pytest.approx(600_000, abs=0.01)


def test_state_matches_a_hand_run_of_the_engine_vault():
    """Three depositors in sl.new_vault with a 4-day cooldown: the same split as the widget's model."""
    tvl, loss, w, c, a = 8_000_000.0, 2_000_000.0, 8.0, 4.0, 0.5
    st = vault_state(tvl=tvl, loss=loss, warning_days=w, cooldown_days=c, attentive_share=a)
    escaped = tvl * a * (w - c) / w  # half of the attentive notice before day w − c = 4
    vt = sl.new_vault(3, cooldown=c)
    for i, amt in enumerate((escaped, tvl * a - escaped, tvl * (1 - a))):
        vt = sl.deposit(vt, i, amt)
    vt = sl.request_withdrawal(vt, 0, vt.shares[0], t=0.0)
    with pytest.raises(ValueError):  # the cooldown is enforced
        sl.withdraw(vt, 0, vt.shares[0], t=c - 1)
    vt, out = sl.withdraw(vt, 0, vt.shares[0], t=c)
    vt = sl.request_withdrawal(vt, 1, vt.shares[1], t=w - c)
    vt = sl.apply_pnl(vt, -loss)
    lost = np.array([tvl * a - escaped, tvl * (1 - a)]) - sl.balances(vt)[1:]
    assert out == pytest.approx(escaped)
    assert st["escaped_value"] == pytest.approx(escaped)
    assert [st["charge_stuck_attentive"], st["charge_passive"]] == pytest.approx(lost, abs=0.01)
    assert st["share_price_after"] == pytest.approx(sl.share_price(vt))


def test_money_is_conserved_and_uncovered_loss_reported():
    st = vault_state(tvl=10_000_000, loss=12_000_000, warning_days=10, cooldown_days=5, attentive_share=0.4)
    total = st["charge_stuck_attentive"] + st["charge_passive"] + st["uncovered"]
    assert total == pytest.approx(12_000_000, abs=0.02)
    assert st["uncovered"] == pytest.approx(12_000_000 - st["remaining_value"], abs=0.01)
    assert st["share_price_after"] == 0


def test_curve_agrees_with_the_point():
    for c in (0.0, 2.5, 7.5, 12.5):
        st = vault_state(loss=1_500_000, warning_days=10, cooldown_days=c, attentive_share=0.3)
        i = int(np.argmin(np.abs(st["cooldown_grid"] - c)))
        assert st["cooldown_grid"][i] == pytest.approx(c)
        assert st["stayer_curve"][i] == pytest.approx(st["stayer_loss_per_1000"], rel=1e-6)
        assert st["attentive_curve"][i] == pytest.approx(st["attentive_loss_per_1000"], rel=1e-6, abs=1e-6)
    # the stayers' loss never rises with a longer cooldown
    assert np.all(np.diff(st["stayer_curve"]) <= 1e-9)


def test_explorer_responds_to_controls():
    ex = sl.widgets.vault_explorer()
    assert ex.state["escaped_share"] == pytest.approx(0.4) and not ex.state["run_stopped"]
    png = ex.image.value
    ex.set(cooldown_days=13.0)
    assert ex.state["run_stopped"] and ex.image.value != png
    assert "0.0% of the vault" in ex.readout.value
    ex.set(cooldown_days=5.0, attentive_pct=100.0)
    assert ex.state["escaped_share"] == pytest.approx(0.5)
    ex.set(loss_pct=100.0)
    assert ex.state["uncovered"] > 0


def test_controls_keep_inputs_valid():
    ex = sl.widgets.vault_explorer()
    ex.controls["attentive_pct"].value = 250.0
    assert ex.controls["attentive_pct"].value == 100.0
    ex.controls["cooldown_days"].value = -5.0
    assert ex.controls["cooldown_days"].value == 0.0


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"tvl": 0}, "tvl"),
        ({"loss": -1}, "loss"),
        ({"warning_days": -1}, "warning_days"),
        ({"cooldown_days": float("nan")}, "cooldown_days"),
        ({"attentive_share": 1.5}, "attentive_share"),
        ({"loss": [1, 2]}, "loss"),
    ],
)
def test_bad_input_is_an_error(kwargs, name):
    with pytest.raises(ValueError, match=name):
        vault_state(**kwargs)

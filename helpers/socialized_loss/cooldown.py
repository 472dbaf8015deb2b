"""Lesson 06's run-and-cooldown model: a backstop vault's share price through a shock, who runs, and what a
cooldown changes.

The teaching model (ours, deterministic): a loss of ``loss`` USD becomes visible on day 0 and lands on day
``warning_days``. A share ``attentive_share`` of the vault (by value) is held by attentive depositors, who notice the
coming loss at moments spread evenly over the warning window and ask to withdraw at once. A withdrawal completes
``cooldown_days`` after it is asked for; only completed withdrawals escape, because money in cooldown is still in the
vault and still bears losses (Aave Umbrella: "funds remain slashable" during cooldown). So the share of the vault that
escapes is ``attentive_share × max(0, (W − C) / W)``. Everyone still holding shares when the loss lands pays it pro
rata to their shares (the engine's ``sl.new_vault`` / ``sl.request_withdrawal`` / ``sl.withdraw`` / ``sl.apply_pnl``,
reported to the cent); what the vault cannot cover is reported as uncovered.
Cooldowns in practice: Drift insurance-fund staking 13 days; Aave Umbrella 20 days plus a 2-day unstake window.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import allocation as al
from . import backstop as bs
from . import validate as v

__all__ = ["COOLDOWN_GRID", "vault_state"]

#: Cooldowns (days) at which :func:`vault_state` reports its per-1,000 curves.
COOLDOWN_GRID = np.linspace(0.0, 30.0, 121)


def _escaped_share(attentive_share, warning_days, cooldown_days):
    """Share of the vault (by value) whose withdrawal completes before the loss lands (vectorised over cooldown)."""
    c = np.asarray(cooldown_days, dtype=float)
    if warning_days <= 0:
        return np.zeros_like(c) * attentive_share
    return attentive_share * np.clip((warning_days - c) / warning_days, 0.0, 1.0)


def _per_1000(loss: float, tvl: float, escaped_share):
    """Loss per 1,000 USD deposited for stayers and, on average, for the attentive group (vectorised)."""
    f = np.asarray(escaped_share, dtype=float)
    remaining = tvl * (1.0 - f)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(remaining > 0, np.minimum(loss, remaining) / remaining, 0.0)
    return 1000.0 * rate


def vault_state(
    tvl: float = 10_000_000.0,
    loss: float = 1_000_000.0,
    warning_days: float = 10.0,
    cooldown_days: float = 0.0,
    attentive_share: float = 0.4,
) -> dict[str, Any]:
    """Who pays a visible backstop loss, for a vault of ``tvl`` USD (share price 1.00 USD before the loss).

    ``loss`` (USD ≥ 0) lands ``warning_days`` (days ≥ 0) after it becomes visible; withdrawals take ``cooldown_days``
    (days ≥ 0); ``attentive_share`` (0–1) of the vault's value tries to run. Returns the share that escaped, the
    charges (USD) on attentive depositors caught in cooldown and on passive ones, the uncovered rest, the share price
    after the loss (USD per share), the loss per 1,000 USD deposited for stayers, for the attentive group on average
    and with no run at all, and the same per-1,000 curves over cooldowns of 0–30 days (for the figure).

    >>> st = vault_state(tvl=10_000_000, loss=1_000_000, warning_days=10, cooldown_days=0, attentive_share=0.4)
    >>> st["escaped_share"], round(st["stayer_loss_per_1000"], 2), st["no_run_loss_per_1000"]
    (0.4, 166.67, 100.0)
    """
    for name, val in (("tvl", tvl), ("loss", loss), ("warning_days", warning_days), ("cooldown_days", cooldown_days)):
        if np.ndim(val) != 0:
            raise ValueError(f"{name} must be a single number, got {val!r}")
    v.positive("tvl", tvl)
    v.nonnegative("loss", loss)
    v.nonnegative("warning_days", warning_days)
    v.nonnegative("cooldown_days", cooldown_days)
    v.unit_interval("attentive_share", attentive_share)
    tvl, loss = float(tvl), float(loss)
    w, c, a = float(warning_days), float(cooldown_days), float(attentive_share)

    escaped_share = float(_escaped_share(a, w, c))
    escaped_value = float(al.from_minor(al.to_minor(tvl * escaped_share)))
    attentive_value = float(al.from_minor(al.to_minor(tvl * a)))
    stuck_value = attentive_value - escaped_value  # attentive, asked too late: still in the vault
    passive_value = tvl - attentive_value
    # the engine's share-accounted vault with the cooldown: 0 = attentive and out in time, 1 = attentive but still in
    # cooldown when the loss lands, 2 = passive. Everyone deposits at 1.00 USD per share before day 0.
    vault = bs.new_vault(3, cooldown=c)
    for i, amount in enumerate((escaped_value, stuck_value, passive_value)):
        vault = bs.deposit(vault, i, amount)
    paid_out = 0.0
    if escaped_value > 0:
        vault = bs.request_withdrawal(vault, 0, vault.shares[0], t=0.0)
        # stands for every request made before day w − c: each completes before the loss lands on day w
        vault, paid_out = bs.withdraw(vault, 0, vault.shares[0], t=c)
    if stuck_value > 0:
        # noticed too late: a request from day w − c on is still cooling down when the loss is booked on day w
        t_late = max(w - c, 0.0)
        vault = bs.request_withdrawal(vault, 1, vault.shares[1], t=t_late)
    remaining = tvl - paid_out
    vault = bs.apply_pnl(vault, -loss)  # day w: the loss lands on every share still in the vault
    after = bs.balances(vault)
    charges = np.round(np.array([stuck_value, passive_value]) - after[1:], 2)
    absorbed = float(np.round(min(loss, remaining), 2))
    uncovered = float(np.round(vault.bad_debt, 2))
    price_after = bs.share_price(vault) if remaining > 0 else 0.0
    stayer_rate = 1000.0 * absorbed / remaining if remaining > 0 else 0.0
    attentive_rate = 1000.0 * charges[0] / attentive_value if attentive_value > 0 else 0.0
    no_run_rate = 1000.0 * min(loss, tvl) / tvl
    f_grid = _escaped_share(a, w, COOLDOWN_GRID)
    stayer_curve = _per_1000(loss, tvl, f_grid)
    # an attentive depositor is either out (pays 0) or caught in cooldown (pays the stayers' rate)
    attentive_curve = stayer_curve * (1.0 - f_grid / a) if a > 0 else np.zeros_like(stayer_curve)
    return {
        "tvl": tvl,
        "loss": loss,
        "warning_days": w,
        "cooldown_days": c,
        "attentive_share": a,
        "escaped_share": escaped_share,
        "escaped_value": escaped_value,
        "remaining_value": remaining,
        "absorbed": float(absorbed),
        "uncovered": float(uncovered),
        "charge_stuck_attentive": float(charges[0]),
        "charge_passive": float(charges[1]),
        "share_price_before": 1.0,
        "share_price_after": price_after,
        "stayer_loss_per_1000": stayer_rate,
        "attentive_loss_per_1000": attentive_rate,
        "no_run_loss_per_1000": no_run_rate,
        "run_stopped": escaped_share == 0.0,
        "cooldown_grid": COOLDOWN_GRID,
        "stayer_curve": stayer_curve,
        "attentive_curve": attentive_curve,
    }

"""Lessons 05, 08 and 10 show a venue's ADL (contract space, the rulebook's rows) beside the ADL paper's abstraction
(the PnL-haircut queue), labelled; lesson 05 renders its venue table from data/venues.toml; their venue claims agree
with the rulebook; nobody uses the old mechanism name "adl"."""
from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest

from socialized_loss.venues import lesson_venue_claims_consistent, venue, venue_claims

ROOT = Path(__file__).resolve().parents[1]
ADL_LESSONS = ["05-auto-deleveraging", "08-comparing-mechanisms", "10-stress-lab"]


def _text(stem: str) -> str:
    return (ROOT / "lessons" / f"{stem}.md").read_text(encoding="utf-8")


def _code(stem: str) -> str:
    nb = jupytext.read(ROOT / "lessons" / f"{stem}.md", fmt="md:myst")
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("stem", ADL_LESSONS)
def test_both_views_are_run_by_the_engine_and_labelled(stem):
    code, text = _code(stem), _text(stem)
    assert re.search(r"apply_rule\(\s*\"venue_adl\"", code), "a venue's ADL must come from the registry"
    assert "pnl_haircut_queue" in code, "the paper's abstraction must come from the registry"
    assert "the paper's abstraction" in text and "a venue's ADL" in text, "label both views"


@pytest.mark.parametrize("stem", ADL_LESSONS)
def test_venue_claims_agree_with_the_rulebook(stem):
    assert lesson_venue_claims_consistent(_text(stem)) == []


@pytest.mark.parametrize("stem", ADL_LESSONS)
def test_the_old_mechanism_name_is_gone(stem):
    assert not re.search(r"[\"']adl[\"']", _code(stem) + _text(stem)), 'use "pnl_haircut_queue", not "adl"'


def test_lesson05_renders_its_venue_table_from_the_rulebook():
    code = _code("05-auto-deleveraging")
    assert re.search(r"sl\.venues\.venue_markdown\(", code)
    for col in ("adl_trigger", "close_price", "ranking", "adl_fee"):
        assert f'"{col}"' in code, col


def test_lesson05_states_the_facts_the_rulebook_holds():
    text = _text("05-auto-deleveraging")
    claims = {(name, field): claimed for name, field, claimed, _ in venue_claims(text)}
    assert claims[("Hyperliquid", "close_price")] == venue("hyperliquid").close_price
    assert claims[("Bybit", "adl_fee")] == venue("bybit").adl_fee == "maker"
    assert claims[("Binance", "adl_fee")] == venue("binance").adl_fee == "none"
    bybit = venue("bybit")
    flat = re.sub(r"\s+", " ", text)
    assert f"{100 * bybit.trigger_threshold:.0f} % drawdown of an insurance pool within " \
           f"{bybit.trigger_window_hours:.0f} hours" in flat
    assert venue("dydx_v4").adl_trigger == "negative_equity" and "negative net collateral" in flat

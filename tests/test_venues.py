"""The venue rulebook (data/venues.toml): the file is valid, the loader refuses bad rows, tables render from it, and
no lesson contradicts it."""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from socialized_loss import venues
from socialized_loss.rules import RULES
from socialized_loss.venues import (
    ENUMS,
    VENUES,
    lesson_venue_claims_consistent,
    load_venues,
    venue,
    venue_claims,
    venue_markdown,
    venue_table,
)

ROOT = Path(__file__).resolve().parents[1]
REQUIRED_VENUES = {"BitMEX", "Binance", "Bybit", "OKX", "dYdX v4", "Hyperliquid", "Drift v2", "Mango v4", "GMX",
                   "Paradex", "Deribit", "Nasdaq Clearing"}


def raw_text() -> str:
    return resources.files("socialized_loss").joinpath("data", "venues.toml").read_text(encoding="utf-8")


def raw_rows() -> list[dict]:
    return tomllib.loads(raw_text())["venue"]


# ------------------------------------------------------------------------------------------------ the file


def test_every_required_venue_has_a_row():
    assert REQUIRED_VENUES <= {r.name for r in VENUES}


def test_rows_are_complete_and_use_known_values():
    for r in VENUES:
        for field, allowed in ENUMS.items():
            assert getattr(r, field) in allowed, (r.name, field)
        assert r.rule in RULES
        assert r.sources and all(re.match(r"^https?://\S+$", u) for u in r.sources)
        assert isinstance(r.checked, dt.date) and dt.date(2019, 1, 1) <= r.checked <= dt.date.today()
        assert isinstance(r.uncertain, bool) and r.note.strip()
        assert (r.close_price == "none") == (r.ranking == "none") == (r.adl_trigger == "none")
        if r.has_adl and r.ranking != "keeper_selected":
            assert r.rule == "venue_adl", r.name


def test_every_row_has_a_plausible_check_date():
    # checked against its sources on a real day: not before the rulebook existed, not in the future (a maintainer who
    # re-checks one row changes that row's date only)
    for r in VENUES:
        assert dt.date(2026, 11, 1) <= r.checked <= dt.date.today(), (r.key, r.checked)


def test_known_facts_are_encoded():
    assert (venue("bybit").adl_fee, venue("bybit").trigger_threshold, venue("bybit").trigger_window_hours) == (
        "maker", 0.30, 8.0)
    assert venue("binance").adl_fee == "none"
    assert venue("hyperliquid").close_price in ("previous_mark", "previous_oracle")
    assert "JELLY" in venue("hyperliquid").trigger_note
    assert venue("dydx_v4").adl_trigger == "negative_equity" and "maximum liquidation spread" in venue(
        "dydx_v4").insurance_fund
    assert (venue("dydx_v4").ranking, venue("dydx_v4").uncertain) == ("random_start", True)
    assert venue("drift_v2").rule == "contracts_pro_rata" and venue("mango_v4").rule == "deposit_index_haircut"
    assert venue("paradex").rule == "withdrawal_factor" and venue("nasdaq_clearing").rule == "ccp_waterfall"


def test_uncertain_rows_say_why():
    for r in VENUES:
        if r.uncertain:
            assert len(r.note) > 40, r.name


# ------------------------------------------------------------------------------------------------ the loader


def _toml(rows: list[dict]) -> str:
    def val(x):
        if isinstance(x, bool):
            return "true" if x else "false"
        if isinstance(x, (int, float)):
            return repr(x)
        if isinstance(x, dt.date):
            return x.isoformat()
        if isinstance(x, list):
            return "[" + ", ".join(val(y) for y in x) + "]"
        return '"' + str(x).replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "\n".join("[[venue]]\n" + "\n".join(f"{k} = {val(v)}" for k, v in r.items()) + "\n" for r in rows)


def test_the_file_round_trips_through_the_checker():
    assert [r.key for r in load_venues(_toml(raw_rows()))] == [r.key for r in VENUES]


@pytest.mark.parametrize("change, match", [
    (lambda r: r.pop("close_price"), "missing field"),
    (lambda r: r.update(colour="red"), "unknown field"),
    (lambda r: r.update(close_price="midpoint"), "close_price must be one of"),
    (lambda r: r.update(ranking="alphabetical"), "ranking must be one of"),
    (lambda r: r.update(adl_trigger="sometimes"), "adl_trigger must be one of"),
    (lambda r: r.update(adl_fee="half"), "adl_fee must be one of"),
    (lambda r: r.update(socialization_base="everyone"), "socialization_base must be one of"),
    (lambda r: r.update(kind="casino"), "kind must be one of"),
    (lambda r: r.update(rule="adl"), "rule must be a registry name"),
    (lambda r: r.update(sources=["www.bitmex.com"]), "sources must be a non-empty list of http"),
    (lambda r: r.update(sources=[]), "sources must be a non-empty list"),
    (lambda r: r.update(checked="2026-12-02"), "checked must be a TOML date"),
    (lambda r: r.update(checked=dt.date(2999, 1, 1)), "checked must be a date from 2019 to today"),
    (lambda r: r.update(uncertain="no"), "uncertain must be true or false"),
    (lambda r: r.update(adl_fee_rate=0.5), "adl_fee_rate must be a fraction"),
    (lambda r: r.update(adl_fee="none", adl_fee_rate=0.001), "adl_fee_rate must be 0 when adl_fee is 'none'"),
    (lambda r: r.update(close_price="none"), "must all be 'none' or all be set"),
    (lambda r: r.update(key="Bit MEX"), "key must be lower-case"),
    (lambda r: r.update(note=""), "note must be a non-empty string"),
    (lambda r: r.update(trigger_window_hours=-8), "trigger_window_hours must be a number > 0"),
])
def test_the_loader_refuses_a_bad_row_naming_venue_and_field(change, match):
    rows = raw_rows()
    change(rows[0])
    with pytest.raises(ValueError, match=match) as exc:
        load_venues(_toml(rows))
    assert "BitMEX" in str(exc.value) or "row 0" in str(exc.value)


def test_the_loader_refuses_duplicates_and_bad_files():
    rows = raw_rows()
    with pytest.raises(ValueError, match="key and name must be unique"):
        load_venues(_toml(rows + [rows[0]]))
    bybit = next(r for r in rows if r["key"] == "bybit")
    bybit.pop("trigger_threshold")
    with pytest.raises(ValueError, match="trigger_threshold must be a fraction"):
        load_venues(_toml(rows))
    with pytest.raises(ValueError, match="not valid TOML"):
        load_venues("[[venue]\nkey = ")
    with pytest.raises(ValueError, match=r"must hold \[\[venue\]\] tables"):
        load_venues("title = 'nothing'")


# ------------------------------------------------------------------------------------------------ lookups, tables


def test_venue_lookup_by_key_or_name():
    assert venue("dYdX v4") is venue("dydx_v4") is venue("DYDX V4")
    with pytest.raises(ValueError, match="name must be one of the venues"):
        venue("FTX")
    with pytest.raises(TypeError, match="name must be a str"):
        venue(3)


def test_venue_table_and_markdown():
    rows = venue_table(["name", "close_price"], venues=["bitmex", "hyperliquid"])
    assert rows == [{"name": "BitMEX", "close_price": "bankruptcy"},
                    {"name": "Hyperliquid", "close_price": venue("hyperliquid").close_price}]
    labelled = venue_table(["name", "adl_fee", "checked"], venues=["bybit"], labels=True)
    assert labelled == [{"Venue": "Bybit", "Fee to the deleveraged trader": "maker fee", "Checked": "2026-12-02"}]
    md = venue_markdown(["name", "close_price", "adl_fee"])
    assert md.count("\n") == len(VENUES) + 1 and "| Bybit | the bankruptcy price | maker fee |" in md
    with pytest.raises(ValueError, match="columns must be fields of Venue"):
        venue_table(["price"])
    assert len(venue_table("name")) == len(VENUES)


# ------------------------------------------------------------------------------------------------ lessons


def test_claim_checker_finds_agreement_and_disagreement():
    ok = "When the fund is empty, BitMEX closes the top of the queue at the bankruptcy price. Binance charges no fee."
    assert lesson_venue_claims_consistent(ok) == []
    assert len(venue_claims(ok)) == 2
    bad = ("Hyperliquid closes the winners at the bankruptcy price, while Bybit charges\nthe deleveraged trader "
           "the taker fee.")
    problems = lesson_venue_claims_consistent(bad)
    assert len(problems) == 2 and "Hyperliquid" in problems[0] and "Bybit" in problems[1]
    table = venue_markdown(["name", "close_price"], ["okx"]).replace("the mark price", "the bankruptcy price")
    assert lesson_venue_claims_consistent(table) == [
        "OKX: the text says close_price = 'bankruptcy', data/venues.toml says 'mark'"]
    assert lesson_venue_claims_consistent(venue_markdown(["name", "close_price", "ranking", "adl_trigger",
                                                          "adl_fee", "socialization_base"])) == []
    with pytest.raises(TypeError, match="text must be a str"):
        venue_claims(None)


@pytest.mark.parametrize("lesson", sorted((ROOT / "lessons").glob("*.md")), ids=lambda p: p.name)
def test_no_lesson_contradicts_the_rulebook(lesson):
    assert lesson_venue_claims_consistent(lesson.read_text(encoding="utf-8")) == []


def test_module_exports():
    assert set(venues.__all__) >= {"Venue", "VENUES", "venue", "venue_table", "venue_markdown",
                                   "lesson_venue_claims_consistent"}

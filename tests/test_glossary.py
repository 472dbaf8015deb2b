"""The course glossary (lessons/glossary.md): it defines every term the course relies on, and every lesson links it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from socialized_loss import build

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "lessons" / "glossary.md"
LESSONS = build.lesson_paths(ROOT / "lessons")
ENTRY = re.compile(r"^- \*\*(?P<term>[^*]+)\*\* — (?P<text>.+?)(?=^- \*\*|^## |\Z)", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\((?:\.\./lessons/)?glossary\.md(?:#[^)]*)?\)")

#: Every term the course uses and the glossary must define (matched case-insensitively inside an entry's bold name).
TERMS = [
    "ADL",
    "ADL queue",
    "assessment",
    "backstop liquidation",
    "backstop vault",
    "bad debt",
    "bankruptcy price",
    "capped pro-rata",
    "cascade",
    "CCP",
    "clawback",
    "collateral",
    "collective risk",
    "conservation",
    "contracts-pro-rata",
    "cooldown",
    "cross margin",
    "default fund",
    "default waterfall",
    "deficit offset",
    "default auction",
    "deposit-index haircut",
    "discretionary allocation",
    "effective leverage",
    "equity",
    "exhaustion probability",
    "fairness metrics",
    "funding rate",
    "haircut",
    "index price",
    "initial margin",
    "insurance fund",
    "isolated margin",
    "jump",
    "largest remainder",
    "last price",
    "leverage",
    "liquidation",
    "liquidation fee",
    "liquidation price",
    "liquidator vault",
    "maintenance margin",
    "margin ratio",
    "mark price",
    "minor unit",
    "Monte Carlo",
    "moral hazard",
    "open interest",
    "open-interest cap",
    "oracle price",
    "overshoot",
    "perpetual future",
    "PnL-haircut queue",
    "pool as counterparty",
    "price band",
    "price impact",
    "pro-rata",
    "recovery",
    "sequential",
    "severity",
    "skin in the game",
    "slashing",
    "socialized loss",
    "Socialized Loss Factor",
    "stress test",
    "Sybil resistance",
    "teaching model",
    "tear-up",
    "tiered maintenance margin",
    "trilemma",
    "uncovered",
    "variation margin",
    "venue ADL",
    "VMGH",
    "wealth pro-rata",
]


def entries() -> dict[str, str]:
    text = GLOSSARY.read_text(encoding="utf-8")
    return {m["term"].strip(): " ".join(m["text"].split()) for m in ENTRY.finditer(text)}


def test_glossary_exists_and_is_not_a_notebook_lesson():
    assert GLOSSARY.is_file()
    assert GLOSSARY not in LESSONS, "the glossary is a plain page, not built into notebooks"
    assert GLOSSARY.read_text(encoding="utf-8").startswith("# "), "a plain MyST page opens with its title"


@pytest.mark.parametrize("term", TERMS)
def test_term_is_defined(term):
    found = {name: text for name, text in entries().items()
             if re.search(rf"(?<![\w-]){re.escape(term.lower())}(?![\w-])", name.lower())}
    assert found, f"the glossary has no entry for {term!r}"
    for name, text in found.items():
        assert len(text) >= 60, f"the entry {name!r} is too short to define anything: {text!r}"


def test_entries_are_unique_and_say_where_they_are_taught():
    names = [n.lower() for n in entries()]
    assert len(names) == len(set(names)), "a term is defined twice"
    for name, text in entries().items():
        assert re.search(r"\(Lessons? \d\d", text), f"the entry {name!r} should say which lesson teaches it"


def test_entries_are_alphabetical_within_sections():
    text = GLOSSARY.read_text(encoding="utf-8")
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        names = [m["term"].lower() for m in ENTRY.finditer("## " + section)]
        assert names == sorted(names), f"entries out of order in section {section.splitlines()[0]!r}: {names}"


def test_glossary_names_its_sources():
    text = GLOSSARY.read_text(encoding="utf-8")
    sources = text.split("## Where these definitions come from", 1)
    assert len(sources) == 2, "the glossary needs its sources section"
    assert len(re.findall(r"https?://\S+", sources[1])) >= 10


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_links_the_glossary(lesson):
    assert LINK.search(lesson.read_text(encoding="utf-8")), (
        f"{lesson.name} should link the glossary: 'New terms are defined in the [course glossary](../lessons/glossary.md).'"
    )


def test_entries_point_to_lessons_that_exist():
    numbers = {p.stem[:2] for p in LESSONS}
    for name, text in entries().items():
        cited = re.findall(r"\(Lessons? ([^)]*)\.\)", text)
        assert cited, f"the entry {name!r} should end with the lessons that teach it"
        for n in re.findall(r"\d\d", cited[-1]):
            assert n in numbers, f"the entry {name!r} points to lesson {n}, which does not exist"


def test_bad_debt_and_uncovered_are_kept_apart():
    e = {k.lower(): v for k, v in entries().items()}
    bad = next(v for k, v in e.items() if k.startswith("bad debt"))
    unc = next(v for k, v in e.items() if k.startswith("uncovered"))
    assert "collateral" in bad and "uncovered" in bad.lower()
    assert "insurance fund" in unc


def test_the_two_views_of_adl_are_kept_apart():
    e = {k.lower(): v for k, v in entries().items()}
    queue = next(v for k, v in e.items() if k.startswith("pnl-haircut queue"))
    venue = next(v for k, v in e.items() if k.startswith("venue adl"))
    assert "profit" in queue and "no position is closed" in queue and "venue ADL" in queue
    assert "quantity" in venue and "close price" in venue and "PnL-haircut queue" in venue
    for text in (queue, venue):
        assert re.search(r"\(Lessons 05, 08, 10\.\)", text)

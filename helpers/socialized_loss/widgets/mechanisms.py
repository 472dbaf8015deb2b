"""Lesson 08's explorer: one book of traders through every loss-sharing mechanism, measured for fairness.

Pick a book and a mechanism; see who pays, the fairness metrics (``sl.fairness``) and what happens when one account
splits itself into several (a Sybil split, ``sl.sybil_split``). Every mechanism is the engine's own:

- insurance fund only (``insurance.cover``), then nothing: what the fund cannot pay stays uncovered;
- clawback (OKEx/Huobi style, ``socialize.clawback``): the same share of every winner's profit;
- contracts pro-rata (Drift v2, ``socialize.contracts_pro_rata``): every open position pays per contract;
- deposit haircut (Mango, ``socialize.deposit_haircut_charges``): every deposit, traders' or not, pays pro rata;
- ADL queue (BitMEX/Binance/Hyperliquid, wealth-space form of Chitra, arXiv:2512.01112 v3:
  ``haircuts.queue_haircut`` ordered by ``adl.hyperliquid_adl_score`` = profit × leverage);
- capped pro-rata (Chitra's water-filling, ``haircuts.capped_pro_rata_haircut``) with per-account caps β;
- a clearing-house default waterfall (``waterfall.default_waterfall``): the venue's skin in the game, the members'
  default fund, assessments, then variation-margin gains haircutting.

The insurance fund pays first under every mechanism; each mechanism then covers the rest, the *budget* B.
The books are teaching books (made up, in USD; BTC at 50,000 USD); the first is the paper's worked example
(w = 8, 4, 0.5 with D = 15 and θ = ½) in thousands of USD, with a losing long, a market maker and a depositor added.

Lesson-specific choices made here (not venue rules): capped pro-rata caps a calm winner (leverage ≤ 2×) at
``calm_cap`` of its profit and everyone else at 100 %; the waterfall's members pay 5 % of their collateral into a
default fund and owe at most as much again in assessments; the venue's skin in the game is a fixed amount per book.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np

from .. import adl, fairness, haircuts, insurance, socialize
from .. import validate as v
from .. import waterfall as wf
from ..allocation import from_minor, to_minor
from ..plots import COLORS, money_axis
from ._base import (
    CONTROL_WIDTH,
    DESCRIPTION_WIDTH,
    Explorer,
    assemble,
    legend_above,
    new_figure,
    nice_ceil,
    table_html,
)

__all__ = [
    "MECHANISMS",
    "MechanismBook",
    "mechanism_books",
    "mechanism_charges",
    "mechanism_table",
    "mechanisms_explorer",
    "mechanisms_state",
    "moral_hazard_transfer",
]

#: The mechanisms, in the order the lesson and the explorer list them.
MECHANISMS = (
    "insurance fund only",
    "clawback",
    "contracts pro-rata",
    "deposit haircut",
    "ADL queue",
    "capped pro-rata",
    "default waterfall",
)

CALM_LEVERAGE = 2.0  # ×: a winner at or below this leverage counts as "calm" for the capped pro-rata caps
PRICE = 50_000.0  # USD per BTC in every book


@dataclass(frozen=True, eq=False)
class MechanismBook:
    """A teaching book. Per live account: ``names``, ``roles``, ``size`` (BTC, + long / − short, 0 = no position),
    ``pnl`` (USD, unrealised), ``collateral`` (USD; a depositor's deposit). ``defaulters`` are the bankrupt
    accounts' equities (USD < 0); their sum is the shortfall D. ``fund`` (USD) is the insurance fund and
    ``skin_in_the_game`` (USD) the venue's own capital used by the waterfall."""

    title: str
    names: tuple[str, ...]
    roles: tuple[str, ...]
    size: np.ndarray
    pnl: np.ndarray
    collateral: np.ndarray
    defaulters: np.ndarray
    fund: float
    skin_in_the_game: float
    df_rate: float = 0.05

    @property
    def equity(self) -> np.ndarray:
        """Collateral + PnL per live account (USD)."""
        return self.collateral + self.pnl

    @property
    def notional(self) -> np.ndarray:
        """|size| × price (USD)."""
        return np.abs(self.size) * PRICE

    @property
    def leverage(self) -> np.ndarray:
        """Notional ÷ equity (×); 0 without a position."""
        return _leverage(self.notional, self.equity)

    @property
    def shortfall(self) -> float:
        """D = Σ(−equity)+ of the bankrupt accounts (USD)."""
        return haircuts.shortfall(self.defaulters)

    @property
    def budget(self) -> float:
        """B: what is left for the mechanism once the insurance fund has paid (USD)."""
        return insurance.cover(insurance.InsuranceFund(self.fund), self.shortfall)[2]


def _leverage(notional, equity) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(equity > 0, notional / np.where(equity > 0, equity, 1.0), 0.0)


def _book(title, rows, defaulters, fund, sitg) -> MechanismBook:
    names, roles, size, pnl, coll = zip(*rows)
    return MechanismBook(
        title=title,
        names=tuple(names),
        roles=tuple(roles),
        size=np.array(size, dtype=float),
        pnl=np.array(pnl, dtype=float),
        collateral=np.array(coll, dtype=float),
        defaulters=np.array(defaulters, dtype=float),
        fund=float(fund),
        skin_in_the_game=float(sitg),
    )


_LESSON_ROWS = [
    # name, role, size (BTC), PnL (USD), collateral (USD)
    ("Ana", "top winner, 2× short", -0.40, 8_000.0, 2_000.0),
    ("Ben", "leveraged winner, 6× short", -0.60, 4_000.0, 1_000.0),
    ("Cleo", "small winner, 2× short", -0.04, 500.0, 500.0),
    ("Dev", "losing long, still solvent", 0.30, -2_000.0, 6_000.0),
    ("Mia", "market maker, flat PnL", 0.74, 0.0, 20_000.0),
    ("Hal", "depositor, no position", 0.0, 0.0, 30_000.0),
]

_BOOKS: dict[str, MechanismBook] = {
    "lesson": _book("the lesson's book (Chitra's example × 1,000 USD)", _LESSON_ROWS, [-3_000.0, -12_000.0],
                    7_500.0, 1_000.0),
    "whale": _book(
        "a calm whale and a leveraged crowd",
        [
            ("Wes", "whale, 1× short", -2.00, 12_000.0, 88_000.0),
            *[(f"C{i}", "small winner, 8× short", -0.10, 500.0, 125.0) for i in range(1, 6)],
            ("Mia", "market maker, flat PnL", 1.50, 0.0, 30_000.0),
            ("Hal", "depositor, no position", 0.0, 0.0, 40_000.0),
        ],
        [-9_000.0],
        3_000.0,
        1_000.0,
    ),
    "big loss": _book("the lesson's book, with a loss larger than all profits", _LESSON_ROWS,
                      [-5_000.0, -20_000.0], 7_500.0, 1_000.0),
}


_BOOK_LABELS = {"lesson": "lesson (Chitra's example)", "whale": "a calm whale, a leveraged crowd",
                "big loss": "lesson, loss > all profits"}


def mechanism_books() -> dict[str, MechanismBook]:
    """The explorer's books by key: ``"lesson"`` (the lesson's book), ``"whale"``, ``"big loss"``."""
    return dict(_BOOKS)


def _calm_caps(notional, equity, calm_cap: float) -> np.ndarray:
    return np.where(_leverage(notional, equity) <= CALM_LEVERAGE, calm_cap, 1.0)


def _cap_capacity(pnl, caps) -> float:
    """Σ β_i w_i the way the engine counts it (whole cents, never above β_i w_i)."""
    w = to_minor(np.maximum(pnl, 0.0))
    return float(from_minor(int(np.floor(w * caps + 1e-9).astype(np.int64).sum())))


def _rule(mechanism: str, budget: float, sitg: float, df_rate: float, calm_cap: float) -> Callable[..., dict]:
    """A rule over per-account arrays (pnl, size, collateral, notional) → dict(charges, venue, uncovered), USD.

    Every per-account input scales with the account, so a Sybil split (``fairness.sybil_split``) divides them all
    by k and leverage (notional ÷ equity) is unchanged.
    """

    def rule(pnl, size, collateral, notional):
        n = len(pnl)
        zero = np.zeros(n)
        if mechanism == "insurance fund only":
            return {"charges": zero, "venue": 0.0, "uncovered": budget}
        if mechanism == "clawback":
            r = socialize.clawback(budget, pnl)
            return {"charges": r.charges, "venue": 0.0, "uncovered": r.uncovered}
        if mechanism == "contracts pro-rata":
            return {"charges": socialize.contracts_pro_rata(budget, size).charges, "venue": 0.0, "uncovered": 0.0}
        if mechanism == "deposit haircut":
            return {"charges": socialize.deposit_haircut_charges(budget, collateral).charges, "venue": 0.0,
                    "uncovered": 0.0}
        if mechanism == "ADL queue":
            equity = collateral + pnl
            scores = adl.hyperliquid_adl_score(np.maximum(pnl, 0.0), _leverage(notional, equity))
            take = min(budget, _cap_capacity(pnl, np.ones(n)))
            r = haircuts.queue_haircut(pnl, take, order=adl.adl_queue(scores))
            return {"charges": r.x, "venue": 0.0, "uncovered": _money(budget - take)}
        if mechanism == "capped pro-rata":
            caps = _calm_caps(notional, collateral + pnl, calm_cap)
            take = min(budget, _cap_capacity(pnl, caps))
            r = haircuts.capped_pro_rata_haircut(pnl, take, caps)
            return {"charges": r.x, "venue": 0.0, "uncovered": _money(budget - take)}
        if mechanism == "default waterfall":
            contrib = df_rate * collateral
            layers = wf.WaterfallLayers(
                skin_in_the_game=sitg,
                member_default_fund=contrib,
                assessment_caps=contrib,
                vm_gains=np.maximum(pnl, 0.0),
            )
            r = wf.default_waterfall(budget, layers)
            charges = r.default_fund_charges + r.assessment_charges + r.vm_haircuts
            return {"charges": charges, "venue": r.draws["skin_in_the_game"], "uncovered": r.uncovered}
        raise ValueError(f"mechanism must be one of {', '.join(map(repr, MECHANISMS))}; got {mechanism!r}")

    return rule


def _money(x: float) -> float:
    return float(from_minor(int(to_minor(x))))


def mechanism_charges(book: MechanismBook | str, mechanism: str, calm_cap: float = 0.5) -> dict[str, Any]:
    """Run one mechanism on a book: ``charges`` per live account (USD), ``fund_paid``, ``venue_paid`` (skin in the
    game), ``uncovered`` (USD) and the ``budget`` B the mechanism had to raise. Money is conserved to the cent:
    fund + venue + Σ charges + uncovered = D."""
    b = _get_book(book)
    v.choice("mechanism", mechanism, MECHANISMS)
    cap = float(v.unit_interval("calm_cap", calm_cap))
    fund_paid = b.shortfall - b.budget
    out = _rule(mechanism, b.budget, b.skin_in_the_game, b.df_rate, cap)(b.pnl, b.size, b.collateral, b.notional)
    return {"budget": b.budget, "fund_paid": fund_paid, "venue_paid": out["venue"], **out}


def _get_book(book) -> MechanismBook:
    if isinstance(book, MechanismBook):
        return book
    v.choice("book", book, tuple(_BOOKS))
    return _BOOKS[book]


def _sybil(b: MechanismBook, mechanism: str, account: int, k: int, calm_cap: float) -> fairness.SybilResult:
    rule = _rule(mechanism, b.budget, b.skin_in_the_game, b.df_rate, calm_cap)
    return fairness.sybil_split(lambda *a: rule(*a)["charges"], account, k, b.pnl, b.size, b.collateral, b.notional)


def mechanism_table(book: MechanismBook | str = "lesson", calm_cap: float = 0.5, split: str = "Ben",
                    pieces: int = 2) -> list[dict[str, Any]]:
    """One row per mechanism: who pays and how fairly (see :func:`mechanisms_state` for the keys).

    ``split`` names the account that splits into ``pieces`` for the Sybil column (``sybil_advantage``, USD: how
    much less the pieces pay in total than the whole account did; > 0 means splitting pays off).
    """
    b = _get_book(book)
    return [_row(b, m, calm_cap, split, pieces) for m in MECHANISMS]


def _row(b: MechanismBook, mechanism: str, calm_cap: float, split: str, pieces: int) -> dict[str, Any]:
    v.choice("split", split, b.names)
    pieces = v.integer("pieces", pieces, 1, 20)
    r = mechanism_charges(b, mechanism, calm_cap)
    ch = r["charges"]
    fm = fairness.fairness_metrics(ch, np.maximum(b.equity, 0.0))
    top = int(np.argmax(b.pnl))
    i = b.names.index(split)
    syb = _sybil(b, mechanism, i, pieces, calm_cap)
    return {
        "mechanism": mechanism,
        "charges": ch,
        "charged": fm.total,
        "fund_paid": r["fund_paid"],
        "venue_paid": r["venue_paid"],
        "uncovered": r["uncovered"],
        "accounts_hit": fm.accounts_hit,
        "largest_haircut": fm.largest_haircut,
        "gini": fm.gini,
        "hhi": fm.hhi,
        "top_winner": b.names[top],
        "top_winner_charge": float(ch[top]),
        "new_bankruptcies": int(np.count_nonzero(ch > b.equity + 1e-9)),
        "split": split,
        "pieces": pieces,
        "split_charges": syb.pieces,
        "unsplit_charge": syb.unsplit,
        "split_total": syb.split_total,
        "sybil_advantage": syb.advantage,
    }


def mechanisms_state(book: str = "lesson", mechanism: str = "ADL queue", split: str = "Ben", pieces: int = 1,
                     calm_cap: float = 0.5) -> dict[str, Any]:
    """Everything the explorer shows, for one book (``"lesson"``, ``"whale"``, ``"big loss"``) and one mechanism.

    ``split`` (an account name of the book) splits into ``pieces`` (1–20; 1 = no split); ``calm_cap`` (0–1) is the
    capped pro-rata cap on calm winners (leverage ≤ 2×). Returns the book's ``names``, ``equity`` (USD),
    ``shortfall`` D, ``budget`` B, and for the mechanism: ``charges`` per account, ``charged``, ``fund_paid``,
    ``venue_paid``, ``uncovered`` (USD), ``accounts_hit``, ``largest_haircut`` (charge ÷ equity), ``gini``, ``hhi``,
    ``top_winner_charge`` (USD), ``new_bankruptcies`` (accounts charged more than their equity), and the Sybil
    split: ``split_charges`` (each piece, USD), ``unsplit_charge``, ``split_total`` and ``sybil_advantage``
    (unsplit − split total, USD), and ``charges_after`` (the book's charges after the split, the pieces added up in
    the splitter's place).
    """
    b = _get_book(book)
    v.choice("mechanism", mechanism, MECHANISMS)
    calm_cap = float(v.unit_interval("calm_cap", calm_cap))
    row = _row(b, mechanism, calm_cap, split, pieces)
    i = b.names.index(split)
    syb = _sybil(b, mechanism, i, row["pieces"], calm_cap)
    after = syb.charges_after[: len(b.names)].copy()
    after[i] = syb.split_total
    return {
        "book": book if isinstance(book, str) else b.title,
        "title": b.title,
        "names": b.names,
        "roles": b.roles,
        "equity": b.equity,
        "shortfall": b.shortfall,
        "budget": b.budget,
        "calm_cap": calm_cap,
        "charges_after": after,
        **row,
    }


def moral_hazard_transfer(leverage, collateral: float = 1_000.0, vol: float = 0.05, crash_prob: float = 0.02,
                          crash: float = -0.30, n: int = 100_000, seed: int = 0) -> np.ndarray:
    """A teaching model of moral hazard (not a venue rule): the expected bad debt (USD) a trader with ``collateral``
    passes on to others per period, at each ``leverage`` (×), when the venue socializes losses beyond collateral.

    The period's return is normal with standard deviation ``vol`` plus, with probability ``crash_prob``, a
    ``crash`` (a fraction, e.g. −0.30); the draws are shared by every leverage (``seed``), so the curve is smooth.
    Equity = collateral × (1 + leverage × return); the transfer is E[max(−equity, 0)]. With zero-mean returns a
    trader who had to pay it back would expect nothing from leverage; with losses socialized, they expect this.
    """
    lev = v.nonnegative("leverage", leverage)
    c = float(v.positive("collateral", collateral))
    s = float(v.nonnegative("vol", vol))
    p = float(v.unit_interval("crash_prob", crash_prob))
    j = float(v.finite("crash", crash))
    n = v.integer("n", n, 1, 2_000_000)
    rng = v.rng(seed)
    r = s * rng.standard_normal(n) + np.where(rng.random(n) < p, j, 0.0)
    r -= r.mean()  # zero-mean: leverage earns nothing on average unless losses are passed on
    flat = np.atleast_1d(lev).ravel()
    out = np.array([np.maximum(-(c * (1.0 + L * r)), 0.0).mean() for L in flat])
    return v.scalar_or_array(out.reshape(np.shape(lev)))


# ----------------------------------------------------------------------------------------------------------------
# the explorer


def _readout(st: dict[str, Any]) -> str:
    pct = st["largest_haircut"]
    adv = st["sybil_advantage"]
    if st["pieces"] == 1:
        syb = "no split (set pieces > 1)"
    elif abs(adv) <= 0.05:  # a few cents of rounding when the pieces' amounts are not whole cents
        syb = "no effect: the pieces pay what the whole did"
    else:
        word = "saves" if adv > 0 else "costs"
        colour = "#D55E00" if adv > 0 else "#009E73"
        syb = f"<span style='color:{colour}'>{word} {st['split']} {abs(adv):,.2f} USD</span>"
    rows = [
        ("Shortfall D / fund pays", f"{st['shortfall']:,.2f} / {st['fund_paid']:,.2f} USD"),
        ("Left for the mechanism (B)", f"{st['budget']:,.2f} USD"),
        ("Charged to traders", f"{st['charged']:,.2f} USD"),
        ("Venue's own capital", f"{st['venue_paid']:,.2f} USD"),
        ("Uncovered (venue insolvent)", f"{st['uncovered']:,.2f} USD"),
        ("Accounts charged", f"{st['accounts_hit']} of {len(st['names'])}"),
        ("Largest charge ÷ equity", "—" if not np.isfinite(pct) else f"{100 * pct:.1f} %"),
        ("Gini / HHI of charges", f"{st['gini']:.2f} / {st['hhi']:.2f}"),
        (f"Top winner ({st['top_winner']}) pays", f"{st['top_winner_charge']:,.2f} USD"),
        (f"Splitting {st['split']} into {st['pieces']}", syb),
    ]
    return table_html(rows)


def mechanisms_explorer(book: str = "lesson") -> Explorer:
    """Dropdowns for the book, the mechanism and the account that splits; sliders for the pieces and the cap."""
    b0 = _get_book(book)
    style, layout = {"description_width": DESCRIPTION_WIDTH}, {"width": CONTROL_WIDTH}
    controls = {
        "book": W.Dropdown(options=[(_BOOK_LABELS[key], key) for key in _BOOKS], value=book, description="Book",
                           style=style, layout=W.Layout(**layout)),
        "mechanism": W.Dropdown(options=list(MECHANISMS), value="ADL queue", description="Mechanism",
                                style=style, layout=W.Layout(**layout)),
        "split": W.Dropdown(options=list(b0.names), value=b0.names[1], description="Account that splits",
                            style=style, layout=W.Layout(**layout)),
        "pieces": W.IntSlider(value=1, min=1, max=10, step=1, description="Split into (1 = no split)",
                              style=style, layout=W.Layout(**layout)),
        "calm_cap": W.FloatSlider(value=50.0, min=45.0, max=100.0, step=5.0, readout_format=".0f",
                                  description="Calm cap, capped pro-rata (%)",
                                  description_allow_html=False, style=style, layout=W.Layout(**layout)),
    }
    n_max = max(len(bk.names) for bk in _BOOKS.values())
    fig, ax = new_figure(figsize=(8.2, 4.2))
    x = np.arange(n_max + 2)
    before = ax.bar(x - 0.2, np.zeros(len(x)), width=0.4, color=COLORS[0], label="charged")
    after = ax.bar(x + 0.2, np.zeros(len(x)), width=0.4, color=COLORS[1], hatch="//",
                   label="after the split (pieces added up)")
    ax.set_ylabel("Paid (USD)")
    ax.set_xlabel("Account")
    money_axis(ax, "y")
    title = ax.set_title(" ", fontsize=12)
    split_note = ax.text(0.01, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize=10, color=COLORS[1])
    legend_above(ax, ncols=2, fontsize=10)

    def _sync_split(change):  # a new book brings new names: offer them (the dropdown moves to the first one)
        controls["split"].options = list(_BOOKS[change["new"]].names)

    controls["book"].observe(_sync_split, names="value")

    def update(values: dict[str, Any]):
        split = values["split"] if values["split"] in _BOOKS[values["book"]].names else _BOOKS[values["book"]].names[1]
        st = mechanisms_state(values["book"], values["mechanism"], split, values["pieces"], values["calm_cap"] / 100)
        return st, _readout(st)

    def draw(st: dict[str, Any]) -> None:
        k = len(st["names"])
        labels = [*st["names"], "venue", "uncovered"]
        vals = np.r_[st["charges"], st["venue_paid"], st["uncovered"]]
        vals_after = np.r_[st["charges_after"], st["venue_paid"], st["uncovered"]]
        for j in range(len(x)):
            show = j < k + 2
            h0 = vals[j] if show else 0.0
            h1 = vals_after[j] if show and st["pieces"] > 1 else 0.0
            before[j].set_height(h0)
            after[j].set_height(h1)
            before[j].set_visible(show)
            after[j].set_visible(show and st["pieces"] > 1)
            base = COLORS[0] if j < k else ("0.55" if j == k else "0.15")  # traders, venue, uncovered
            before[j].set_color(base)
            after[j].set_facecolor(COLORS[1] if j < k else base)
        ax.set_xticks(x[: k + 2], labels, fontsize=10)
        ax.set_xlim(-0.6, k + 1.6)
        top = max(vals.max(), vals_after.max(), 1.0)
        ax.set_ylim(0, nice_ceil(top * 1.1))
        title.set_text(f"{st['mechanism']}: B = {st['budget']:,.0f} USD to cover")
        split_note.set_text(f"hatched: after {st['split']} splits into {st['pieces']}" if st["pieces"] > 1 else "")

    return assemble(controls, fig, update, draw, title="One book, every mechanism")

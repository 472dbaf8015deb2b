"""The venue rulebook: one row per venue, read from the package data file ``data/venues.toml``.

Each row says how a venue handles a loss beyond a defaulter's collateral: its insurance fund, what triggers
auto-deleveraging (ADL), how it ranks the traders it closes, the price it closes them at, the fee it charges them,
what the rest of a loss is socialized over, which rule of the registry (``rules.RULES``) models it, the sources,
the date the row was checked, and an ``uncertain`` flag with a note where a fact comes from a secondary source or
where the venue's documentation and its code disagree (both are then recorded).

``venue_adl`` reads the trigger, ranking, close price and fee from these rows; lessons render their venue tables
from them with ``venue_table`` / ``venue_markdown``, so a table in a lesson cannot drift from the file.

>>> venue("BitMEX").close_price
'bankruptcy'
>>> [row["Venue"] for row in venue_table(["name"], venues=["binance", "bybit"], labels=True)]
['Binance', 'Bybit']
"""
from __future__ import annotations

import datetime as _dt
import re
import tomllib
from dataclasses import dataclass, fields
from importlib import resources

from . import validate as v

__all__ = [
    "COLUMN_LABELS",
    "ENUMS",
    "VALUE_LABELS",
    "VENUES",
    "Venue",
    "lesson_venue_claims_consistent",
    "load_venues",
    "validate_rows",
    "venue",
    "venue_claims",
    "venue_markdown",
    "venue_table",
]

#: Allowed values of the enumerated fields.
ENUMS: dict[str, tuple[str, ...]] = {
    "kind": ("centralised exchange", "decentralised exchange", "clearing house"),
    "adl_trigger": ("insurance_fund_depleted", "insurance_fund_drawdown", "negative_equity", "pnl_to_pool_ratio",
                    "none"),
    "ranking": ("pnl_x_leverage", "leverage_pnl", "mark_entry_x_leverage", "random_start", "keeper_selected",
                "none"),
    "close_price": ("bankruptcy", "previous_oracle", "previous_mark", "mark", "none"),
    "adl_fee": ("none", "maker", "taker", "unknown"),
    "socialization_base": ("opposite_positions", "open_interest", "deposits", "liquidity_pool", "withdrawals",
                           "winning_traders", "default_fund"),
}

#: Human labels for columns (lessons' table headers).
COLUMN_LABELS: dict[str, str] = {
    "name": "Venue",
    "kind": "Kind",
    "insurance_fund": "Insurance fund",
    "adl_trigger": "ADL trigger",
    "ranking": "ADL ranking",
    "ranking_docs": "Ranking (docs)",
    "close_price": "ADL close price",
    "adl_fee": "Fee to the deleveraged trader",
    "socialization_base": "Rest socialized over",
    "rule": "Rule",
    "sources": "Sources",
    "checked": "Checked",
    "uncertain": "Uncertain",
    "note": "Note",
}

#: Human labels for enumerated values (a lesson's sentence "<Venue> closes at the bankruptcy price").
VALUE_LABELS: dict[str, dict[str, str]] = {
    "close_price": {"bankruptcy": "the bankruptcy price", "previous_oracle": "the previous oracle price",
                    "previous_mark": "the previous mark price",
                    "mark": "the mark price", "none": "no ADL"},
    "ranking": {"pnl_x_leverage": "profit × leverage", "leverage_pnl": "PnL ÷ collateral × margin ratio",
                "mark_entry_x_leverage": "mark ÷ entry × notional ÷ account value",
                "random_start": "random start, then in turn", "keeper_selected": "chosen by keepers",
                "none": "no ADL"},
    "adl_trigger": {"insurance_fund_depleted": "insurance fund cannot cover the loss",
                    "insurance_fund_drawdown": "insurance pool drawdown beyond a threshold, or depleted",
                    "negative_equity": "an account's equity is negative and the backstop does not take it",
                    "pnl_to_pool_ratio": "traders' pending profit ÷ pool value above a threshold",
                    "none": "no ADL"},
    "adl_fee": {"none": "none", "maker": "maker fee", "taker": "taker fee", "unknown": "not documented"},
    "socialization_base": {"opposite_positions": "ranked opposite positions (ADL)",
                           "open_interest": "all open positions, per contract",
                           "deposits": "depositors of the token", "liquidity_pool": "the liquidity pool (LPs)",
                           "withdrawals": "withdrawals, by a factor", "winning_traders": "the day's winning traders",
                           "default_fund": "the members' default fund"},
}

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


@dataclass(frozen=True)
class Venue:
    """One venue's row of the rulebook (see ``data/venues.toml`` for the meaning of each field)."""

    key: str
    name: str
    kind: str
    insurance_fund: str
    adl_trigger: str
    trigger_note: str
    ranking: str
    close_price: str
    adl_fee: str
    adl_fee_rate: float
    socialization_base: str
    rule: str
    sources: tuple[str, ...]
    checked: _dt.date
    uncertain: bool
    note: str
    trigger_threshold: float | None = None
    trigger_window_hours: float | None = None
    ranking_docs: str | None = None
    close_price_note: str | None = None

    @property
    def has_adl(self) -> bool:
        """True when the venue closes positions in contract space (ADL)."""
        return self.close_price != "none"


_REQUIRED = ("key", "name", "kind", "insurance_fund", "adl_trigger", "trigger_note", "ranking", "close_price",
             "adl_fee", "adl_fee_rate", "socialization_base", "rule", "sources", "checked", "uncertain", "note")
_OPTIONAL = ("trigger_threshold", "trigger_window_hours", "ranking_docs", "close_price_note")


def validate_rows(rows: list[dict], rule_names=None) -> list[Venue]:
    """Check raw rows (dicts from the TOML file) and build ``Venue`` objects; a ValueError names the venue and the
    field at fault (missing or unknown field, value outside its enum, bad URL, date in the future, …)."""
    if rule_names is None:
        from .rules import RULES  # the registry's names are the only vocabulary

        rule_names = tuple(RULES)
    out, keys, names = [], set(), set()
    for i, raw in enumerate(rows):
        where = f"venue row {i} ({raw.get('name', raw.get('key', '?'))!r})"
        missing = [k for k in _REQUIRED if k not in raw]
        if missing:
            raise ValueError(f"{where}: missing field(s) {', '.join(missing)}")
        unknown = [k for k in raw if k not in _REQUIRED + _OPTIONAL]
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")
        for k in ("key", "name", "insurance_fund", "trigger_note", "note"):
            if not isinstance(raw[k], str) or not raw[k].strip():
                raise ValueError(f"{where}: {k} must be a non-empty string, got {raw[k]!r}")
        if not re.fullmatch(r"[a-z0-9_]+", raw["key"]):
            raise ValueError(f"{where}: key must be lower-case letters, digits and _, got {raw['key']!r}")
        for k, allowed in ENUMS.items():
            if raw[k] not in allowed:
                raise ValueError(f"{where}: {k} must be one of {', '.join(map(repr, allowed))}; got {raw[k]!r}")
        if raw["rule"] not in rule_names:
            raise ValueError(f"{where}: rule must be a registry name ({', '.join(rule_names)}); got {raw['rule']!r}")
        fee = raw["adl_fee_rate"]
        if isinstance(fee, bool) or not isinstance(fee, (int, float)) or not 0 <= fee < 0.01:
            raise ValueError(f"{where}: adl_fee_rate must be a fraction in [0, 0.01), got {fee!r}")
        if (raw["adl_fee"] == "none" and fee != 0) or (raw["adl_fee"] in ("maker", "taker") and fee == 0):
            raise ValueError(f"{where}: adl_fee_rate must be 0 when adl_fee is 'none' and > 0 for a maker or taker "
                             f"fee, got {fee!r} for {raw['adl_fee']!r}")
        src = raw["sources"]
        if not isinstance(src, list) or not src or not all(isinstance(u, str) and _URL.match(u) for u in src):
            raise ValueError(f"{where}: sources must be a non-empty list of http(s) URLs, got {src!r}")
        if not isinstance(raw["checked"], _dt.date) or isinstance(raw["checked"], _dt.datetime):
            raise ValueError(
                f"{where}: checked must be a TOML date (YYYY-MM-DD), got {raw['checked']!r}")
        if not _dt.date(2019, 1, 1) <= raw["checked"] <= _dt.date.today():
            raise ValueError(f"{where}: checked must be a date from 2019 to today, got {raw['checked']}")
        if not isinstance(raw["uncertain"], bool):
            raise ValueError(f"{where}: uncertain must be true or false, got {raw['uncertain']!r}")
        has_adl = raw["close_price"] != "none"
        if has_adl != (raw["ranking"] != "none") or has_adl != (raw["adl_trigger"] != "none"):
            raise ValueError(f"{where}: close_price, ranking and adl_trigger must all be 'none' or all be set")
        if raw["adl_trigger"] == "insurance_fund_drawdown":
            th = raw.get("trigger_threshold")
            if isinstance(th, bool) or not isinstance(th, (int, float)) or not 0 < th < 1:
                raise ValueError(f"{where}: trigger_threshold must be a fraction in (0, 1) for a drawdown trigger, "
                                 f"got {th!r}")
        for k in ("trigger_threshold", "trigger_window_hours"):
            if k in raw and (isinstance(raw[k], bool) or not isinstance(raw[k], (int, float)) or raw[k] <= 0):
                raise ValueError(f"{where}: {k} must be a number > 0, got {raw[k]!r}")
        for k in ("ranking_docs", "close_price_note"):
            if k in raw and (not isinstance(raw[k], str) or not raw[k].strip()):
                raise ValueError(f"{where}: {k} must be a non-empty string, got {raw[k]!r}")
        if raw["key"] in keys or raw["name"].casefold() in names:
            raise ValueError(f"{where}: key and name must be unique, {raw['key']!r} / {raw['name']!r} repeats")
        keys.add(raw["key"])
        names.add(raw["name"].casefold())
        vals = {k: raw[k] for k in _REQUIRED + _OPTIONAL if k in raw}
        vals["sources"] = tuple(src)
        vals["adl_fee_rate"] = float(fee)
        out.append(Venue(**vals))
    return out


def load_venues(text: str | None = None) -> tuple[Venue, ...]:
    """Parse and validate the rulebook (the package's ``data/venues.toml`` unless ``text`` is given)."""
    if text is None:
        text = resources.files(__package__).joinpath("data", "venues.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"venues.toml is not valid TOML: {exc}") from None
    rows = data.get("venue")
    if not isinstance(rows, list) or not rows:
        raise ValueError("venues.toml must hold [[venue]] tables, found none")
    return tuple(validate_rows(rows))


VENUES: tuple[Venue, ...] = load_venues()  # every row, in file order (immutable)
_BY_KEY = {r.key: r for r in VENUES}
_BY_NAME = {r.name.casefold(): r for r in VENUES}


def venue(name: str) -> Venue:
    """The row of venue ``name`` (its key such as ``"dydx_v4"`` or its name such as ``"dYdX v4"``, any case).

    >>> venue("hyperliquid").close_price
    'previous_mark'
    """
    if isinstance(name, Venue):
        return name
    v.instance("name", name, str)
    row = _BY_KEY.get(name.lower()) or _BY_NAME.get(name.casefold())
    if row is None:
        raise ValueError(f"name must be one of the venues {', '.join(r.name for r in VENUES)} (or their keys "
                         f"{', '.join(_BY_KEY)}); got {name!r}")
    return row


def _cell(row: Venue, col: str, labels: bool):
    val = getattr(row, col)
    if labels and col in VALUE_LABELS:
        return VALUE_LABELS[col][val]
    if col == "sources":
        return " ; ".join(val)
    if col == "checked":
        return val.isoformat()
    return val


def venue_table(columns, venues=None, labels: bool = False) -> list[dict]:
    """Rows for a lesson's table: one dict per venue (file order, or the order of ``venues``), holding the given
    ``columns`` (field names of ``Venue``). ``labels=True`` uses human column headers (``COLUMN_LABELS``) and value
    labels (``VALUE_LABELS``)."""
    if isinstance(columns, str):
        columns = [columns]
    valid = [f.name for f in fields(Venue)]
    for c in columns:
        if c not in valid:
            raise ValueError(f"columns must be fields of Venue ({', '.join(valid)}); got {c!r}")
    rows = VENUES if venues is None else [venue(x) for x in venues]
    return [{(COLUMN_LABELS.get(c, c) if labels else c): _cell(r, c, labels) for c in columns} for r in rows]


def venue_markdown(columns, venues=None) -> str:
    """A markdown table of ``columns`` for ``venues`` (human labels), ready for ``IPython.display.Markdown``.

    >>> print(venue_markdown(["name", "close_price"], ["bitmex"]))
    | Venue | ADL close price |
    |---|---|
    | BitMEX | the bankruptcy price |
    """
    rows = venue_table(columns, venues, labels=True)
    heads = [COLUMN_LABELS.get(c, c) for c in ([columns] if isinstance(columns, str) else columns)]
    esc = lambda x: str(x).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(esc(r[h]) for h in heads) + " |" for r in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# lessons must not contradict the rulebook

_CLOSE_WORDS = {"bankruptcy": "bankruptcy", "previous oracle": "previous_oracle", "previous mark": "previous_mark",
                "mark": "mark", "oracle": "previous_oracle"}
_CLOSE = re.compile(r"\bclos(?:e|es|ed|ing)\b[^.;:]{0,80}?\bat (?:the |a |its )?(previous oracle|previous mark|"
                    r"bankruptcy|mark|oracle) price", re.IGNORECASE)
_FEE = re.compile(r"\bcharg(?:e|es|ed|ing)\b[^.;:]{0,60}?\b(?:(maker|taker) fee|no (?:trading |ADL )?fee)",
                  re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    paras = re.split(r"\n\s*\n", text)
    out = []
    for p in paras:
        if p.lstrip().startswith("|"):
            continue  # tables are checked row by row
        flat = re.sub(r"\s+", " ", p)
        out += re.split(r"(?<=[.!?])\s+", flat)
    return out


def _last_venue(prefix: str):
    best, pos = None, -1
    for r in VENUES:
        for m in re.finditer(r"\b" + re.escape(r.name) + r"\b", prefix):
            if m.start() > pos:
                best, pos = r, m.start()
    return best


def venue_claims(text: str) -> list[tuple[str, str, str, str]]:
    """Claims about venue rules found in ``text`` (markdown): (venue name, field, claimed value, value in the file).

    Recognised: a sentence naming a venue and saying it *closes … at the <bankruptcy | previous oracle | previous
    mark | mark> price* (field ``close_price``), or *charges … the maker/taker fee / no fee* (field ``adl_fee``),
    attributed to the nearest venue named before the phrase in that sentence; and markdown table rows whose first
    cell is a venue name, under headers from ``COLUMN_LABELS`` (each enumerated cell compared with its label).
    Dated or hedged wording ("earlier versions said…") is not recognised as a claim only if it names no venue before
    the phrase, so keep such sentences explicit about what the file records (``close_price_note``).
    """
    v.instance("text", text, str)
    found = []
    for sent in _sentences(text):
        for m in _CLOSE.finditer(sent):
            r = _last_venue(sent[: m.start()])
            if r is not None:
                found.append((r.name, "close_price", _CLOSE_WORDS[m.group(1).lower()], r.close_price))
        for m in _FEE.finditer(sent):
            r = _last_venue(sent[: m.start()])
            if r is not None:
                claimed = (m.group(1) or "none").lower()
                found.append((r.name, "adl_fee", claimed, r.adl_fee))
    # tables
    label_to_field = {lab: f for f, lab in COLUMN_LABELS.items() if f in VALUE_LABELS}
    header = None
    for line in text.splitlines():
        t = line.strip()
        if not t.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in t.strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in cells if c):
            continue
        r = next((x for x in VENUES if cells and cells[0].strip("* ") == x.name), None)
        if r is None:
            continue
        for head, cell in zip(header, cells):
            f = label_to_field.get(head)
            if f is None:
                continue
            inverse = {lab: val for val, lab in VALUE_LABELS[f].items()}
            found.append((r.name, f, inverse.get(cell, cell), getattr(r, f)))
    return found


def lesson_venue_claims_consistent(text: str) -> list[str]:
    """Every venue claim in ``text`` that disagrees with the rulebook, as messages (empty list: consistent).

    >>> lesson_venue_claims_consistent("BitMEX closes the winners at the bankruptcy price.")
    []
    >>> lesson_venue_claims_consistent("Hyperliquid closes them at the mark price.")
    ["Hyperliquid: the text says close_price = 'mark', data/venues.toml says 'previous_mark'"]
    """
    return [f"{name}: the text says {field} = {claimed!r}, data/venues.toml says {actual!r}"
            for name, field, claimed, actual in venue_claims(text) if claimed != actual]

"""The two exact primitives every loss-sharing mechanism is made of: ``sequential`` and ``pro_rata``.

- ``sequential`` draws a loss from layers one after the other (an insurance fund, then a default fund, …), each up
  to its capacity, the last one partly. Waterfalls and ADL queues are built on it.
- ``pro_rata`` shares a loss in proportion to weights (profits, contracts, deposits, stakes), optionally with a cap
  per account (water-filling: nobody pays above its cap and the excess flows to the others in proportion to their
  weights). Clawbacks, contracts-pro-rata and capped haircuts are built on it.

Money is exact in integer minor units
-------------------------------------
Every money amount is converted to an integer number of *minor units* before it is shared: ``unit=0.01`` (USD cents)
by default, ``unit=1e-8`` for BTC (satoshis). ``to_minor(x, unit)`` rounds ``x / unit`` to the nearest integer,
**ties to even** (banker's rounding, ``numpy.rint``); ``from_minor(n, unit)`` turns the integers back into floats.
Every money-returning function takes ``unit`` and returns floats that are exact multiples of the unit, so
``to_minor(result, unit)`` recovers the integers and sums can be checked exactly: nothing leaks to rounding.
Amounts below 2**51 minor units (``MAX_EXACT_MINOR``: about 2.2 × 10**13 USD in cents) are exact: in that range
``to_minor(from_minor(n, unit), unit) == n`` for every ``n``; larger amounts are a ValueError. Sums of minor units
are exact at any size (Python integers take over where int64 could wrap).

Rounding of a pro-rata split: largest remainder
-----------------------------------------------
Each account first gets the integer part (floor) of its exact share; the few units left over go one each to the
accounts with the **largest fractional remainder**; ties go to the **larger weight**, then to the **lower index**
(deterministic, no randomness). Shares and remainders are computed in exact integer arithmetic (each float weight
is an exact binary fraction, so the weights are scaled to integers without loss), so no float noise decides who
gets a unit, and weights whose float sum would overflow are shared correctly. Every charge is therefore within one
minor unit of its exact proportional share (the quota property). Known consequence (the "Alabama paradox" of apportionment): raising the amount by one unit can lower
one account's rounded charge by one unit, e.g. weights (6, 6, 2): 0.10 → (0.04, 0.04, 0.02) but 0.11 →
(0.05, 0.05, 0.01). The exact (unrounded) shares are monotone in the amount, and the rounded ones never differ from
them by a unit or more.

Sources: the rules are the textbook ones; which venue uses which is documented in the modules built on them
(``socialize``, ``adl``, ``waterfall``, ``haircuts``). Largest-remainder (Hamilton) apportionment and its Alabama
paradox: Balinski and Young, *Fair Representation* (2nd ed., Brookings, 2001).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import validate as v

__all__ = [
    "MAX_EXACT_MINOR",
    "Drawn",
    "Shared",
    "from_minor",
    "pro_rata",
    "pro_rata_minor",
    "sequential",
    "sequential_minor",
    "to_minor",
]

MAX_EXACT_MINOR = 2**51 - 1
"""Largest |n| (minor units) for which ``to_minor(from_minor(n, unit), unit) == n`` holds for every ``unit``.

The two conversions round twice (n / s, then × s with s = 1 / unit), each by at most half an ulp, so the round trip
is off by less than n × 2**-52 < 0.5 of a unit when n < 2**51, and ``rint`` recovers n. About 2.2 × 10**13 USD in
cents, or 2.2 × 10**7 BTC in satoshis (more than all bitcoin that will ever exist)."""

_INT64_SAFE = 2**62  # totals and products stay below this in int64 arithmetic; beyond it Python ints take over


def _scale(unit) -> float:
    """1 / unit, snapped to an integer when it is one (0.01 → 100), so 0.125 → 12.5 exactly, not 12.4999…."""
    if type(unit) is float and unit in _SCALES:
        return _SCALES[unit]
    s = _compute_scale(unit)
    if type(unit) is float and len(_SCALES) < 64:
        _SCALES[unit] = s
    return s


_SCALES: dict[float, float] = {}  # a few units by value (0.01, 1e-8, …): the checks below are costly for a scalar


def _compute_scale(unit) -> float:
    u = v.number("unit", unit, "a single positive number (the minor unit, e.g. 0.01 for cents)")
    if u <= 0:
        raise ValueError(f"unit must be > 0 (the minor unit, e.g. 0.01 for cents), got {unit!r}")
    s = 1.0 / u
    if not np.isfinite(s):
        raise ValueError(f"unit is too small (1 / unit overflows), got {unit!r}")
    r = round(s)
    if r >= 1 and abs(s - r) <= 1e-9 * s:
        return float(r)
    return s


def _to_minor(name: str, x, unit) -> np.ndarray:
    if type(x) is float and type(unit) is float and math.isfinite(x) and abs(x) < 2.0**49 * unit:
        return np.int64(round(x * _scale(unit)))  # the common scalar; Python's round is ties-to-even like rint
    arr = v.as_array(name, x)
    q = np.rint(arr * _scale(unit))
    if np.any(np.abs(q) > MAX_EXACT_MINOR):
        raise ValueError(f"{name} is too large for exact minor units (|{name}| / unit must be < 2**51 ≈ "
                         f"{MAX_EXACT_MINOR * float(unit):.3g}), got {v.short(x)}")
    return q.astype(np.int64)


def to_minor(x, unit: float = 0.01):
    """Money (float, any sign) → integer minor units (int64): ``x / unit`` rounded to nearest, ties to even.

    ``unit`` is the minor unit in the same currency (0.01 = USD cents, 1e-8 = BTC satoshis). Returns an int64 array
    (a numpy int64 scalar for scalar input). |x| / unit must be below 2**51 (``MAX_EXACT_MINOR``), else ValueError.

    >>> int(to_minor(12.345)), int(to_minor(0.125)), int(to_minor(1.5, unit=1))  # ties to even
    (1234, 12, 2)
    >>> to_minor([1.0, 0.00000001], unit=1e-8).tolist()
    [100000000, 1]
    """
    out = _to_minor("x", x, unit)
    return out[()] if out.ndim == 0 else out


def from_minor(n, unit: float = 0.01):
    """Integer minor units → money as floats (exact multiples of ``unit``); a float for scalar input.

    |n| must be below 2**51 (``MAX_EXACT_MINOR``): in that range ``to_minor(from_minor(n, unit), unit) == n``.

    >>> from_minor(1234), from_minor([100000000, 1], unit=1e-8).tolist()
    (12.34, [1.0, 1e-08])
    """
    if type(n) is int and -MAX_EXACT_MINOR <= n <= MAX_EXACT_MINOR:
        return n / _scale(unit)
    raw = np.asarray(n) if not isinstance(n, (list, tuple)) else None
    if raw is not None and raw.dtype.kind in "iu":
        arr = raw
        big = np.any(arr > MAX_EXACT_MINOR) or (arr.dtype.kind == "i" and np.any(arr < -MAX_EXACT_MINOR))
    else:
        f = v.as_array("n", n)
        if np.any(f != np.round(f)):
            raise ValueError(f"n must be whole numbers of minor units, got {v.short(n)}")
        arr, big = f, np.any(np.abs(f) > MAX_EXACT_MINOR)
    if big:
        raise ValueError(f"n must be below 2**51 minor units in absolute value for an exact round trip, got "
                         f"{v.short(n)}")
    return v.scalar_or_array(arr.astype(float) / _scale(unit))


# --------------------------------------------------------------------------------------------------------------
# integer helpers: exact sums and products without int64 wrap-around


def _exact_sum(a: np.ndarray) -> int:
    """Σ a as a Python int, exact for any int64 or object (Python int) array."""
    if a.dtype == object:
        return int(sum(a.tolist()))
    if len(a) == 0:
        return 0
    peak = int(np.abs(a).max())
    if peak * len(a) < _INT64_SAFE:
        return int(a.sum())
    return int(sum(a.tolist()))


def _big(a: np.ndarray) -> np.ndarray:
    """An object array of Python ints (arbitrary precision) from an int64 or object array."""
    return a if a.dtype == object else np.array(a.tolist() + [None], dtype=object)[:-1]


def _int_capacities(name: str, value) -> np.ndarray:
    """A 1-D int64 array of minor units ≥ 0 (a copy; never the caller's array)."""
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional array of integer minor units, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers (minor units, dtype int64), got dtype {arr.dtype}")
    if arr.dtype.kind == "u" and arr.size and int(arr.max()) > 2**63 - 1:
        raise ValueError(f"{name} must fit in int64 (each < 2**63 minor units), got {v.short(value)}")
    out = np.array(arr, dtype=np.int64, copy=True)
    if np.any(out < 0):
        raise ValueError(f"{name} must be ≥ 0 (minor units), got {v.short(value)}")
    return out


def _int_amount(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise v.WrongTypeError(f"{name} must be an integer number of minor units ≥ 0 (an int, not "
                         f"{type(value).__name__}), got {v.short(value)}")
    a = int(value)
    if a < 0 or a > _INT64_SAFE:
        raise ValueError(f"{name} must be an integer number of minor units in [0, 2**62], got {v.short(value)}")
    return a


# --------------------------------------------------------------------------------------------------------------
# sequential


class Drawn(NamedTuple):
    """Result of ``sequential``: ``draws`` per layer (original index order, money) and the undrawn ``rest``."""

    draws: np.ndarray
    rest: float


def _check_order(order, n: int) -> np.ndarray:
    if order is None:
        return np.arange(n)
    arr = v.vector("order", order)
    if len(arr) != n or np.any(arr != np.round(arr)):
        raise ValueError(f"order must be a permutation of 0..{n - 1} (length {n}), got {v.short(order)}")
    idx = arr.astype(np.int64)
    if not np.array_equal(np.sort(idx), np.arange(n)):
        raise ValueError(f"order must be a permutation of 0..{n - 1} (each index once), got {v.short(order)}")
    return idx


def _sequential_int(A: int, C: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Unchecked integer core (kept for older callers; use ``sequential_minor``): draws (int64, original order)."""
    cs = C[order]
    if len(cs) and int(cs.max()) * len(cs) >= _INT64_SAFE:  # a running total could wrap: clip at A first
        cs_run = np.minimum(cs, A + 1)  # each ≤ 2**62 + 1, and the running total stops mattering once above A
        if int(cs_run.max()) * len(cs_run) >= _INT64_SAFE:
            before = np.cumsum(_big(cs_run)) - _big(cs_run)
            drawn_sorted = np.array([min(max(A - b, 0), c) for b, c in zip(before.tolist(), cs.tolist())],
                                    dtype=np.int64)
            out = np.empty_like(C)
            out[order] = drawn_sorted
            return out
        cs = cs_run
    before = np.cumsum(cs) - cs
    drawn_sorted = np.clip(A - before, 0, cs)
    out = np.empty(len(C), dtype=np.int64)
    out[order] = np.minimum(drawn_sorted, C[order])
    return out


def sequential_minor(amount: int, capacities, order=None) -> np.ndarray:
    """Integer core of ``sequential``: draw ``amount`` minor units from layers in ``order``, each up to its capacity.

    ``amount`` is an int in [0, 2**62] (minor units), ``capacities`` a 1-D integer array ≥ 0 (minor units, int64),
    ``order`` a permutation of the indices (default 0..n−1). Returns the draws (int64, original index order); Σ draws
    = min(amount, Σ capacities) exactly (sums are exact at any size: no int64 wrap-around), and the undrawn rest is
    ``amount − draws.sum()``. Inputs are not modified.

    >>> sequential_minor(250, np.array([100, 100, 100]))
    array([100, 100,  50])
    >>> sequential_minor(250, np.array([100, 100, 100]), order=[2, 0, 1])
    array([100,  50, 100])
    >>> int(500 - sequential_minor(500, np.array([100, 100])).sum())  # the rest
    300
    """
    A = _int_amount("amount", amount)
    C = _int_capacities("capacities", capacities)
    idx = _check_order(order, len(C))
    return _sequential_int(A, C, idx)


def sequential(amount, capacities, order=None, unit: float = 0.01) -> Drawn:
    """Draw ``amount`` (money ≥ 0) from layers in ``order``, each up to its capacity (money ≥ 0), the last partly.

    ``order`` is a permutation of the indices (default 0..n−1). Returns ``Drawn(draws, rest)``: ``draws`` in the
    original index order, Σ draws = min(amount, Σ capacities) exactly in minor units, rest = amount − Σ draws.
    ``amount`` and capacities are first rounded to ``unit`` (ties to even).

    >>> d = sequential(65_000, [10_000, 40_000])
    >>> d.draws.tolist(), d.rest
    ([10000.0, 40000.0], 15000.0)
    """
    a = v.scalar("amount", v.nonnegative("amount", amount), "a single number ≥ 0 (money)")
    caps = v.vector("capacities", v.nonnegative("capacities", capacities))
    idx = _check_order(order, len(caps))
    A = int(_to_minor("amount", a, unit))
    C = _to_minor("capacities", caps, unit)
    D = _sequential_int(A, C, idx)
    rest = A - _exact_sum(D)
    return Drawn(np.asarray(from_minor(D, unit), dtype=float), float(from_minor(rest, unit)))


# --------------------------------------------------------------------------------------------------------------
# pro_rata: exact integer apportionment


def _exact_weights(w: np.ndarray) -> np.ndarray:
    """Weights (float ≥ 0, finite, or integers) → integers exactly proportional to them.

    A float is m × 2**e with an integer mantissa m < 2**53; dividing every weight by the smallest power of two
    present gives integers, exactly. int64 when they fit comfortably, Python ints (object array) otherwise.
    """
    if w.dtype.kind in "iu":
        out = w.astype(np.int64)
        return out if len(out) == 0 or int(out.max()) * max(len(out), 1) < _INT64_SAFE else _big(out)
    pos = w > 0
    out = np.zeros(len(w), dtype=np.int64)
    if not np.any(pos):
        return out
    f, e = np.frexp(w[pos])
    m = (f * 2.0**53).astype(np.int64)  # exact: f has 53 significant bits
    e = e.astype(np.int64) - 53
    tz = np.zeros(len(m), dtype=np.int64)  # strip trailing zero bits so integer weights stay small
    low = m & -m
    tz = np.round(np.log2(low.astype(float))).astype(np.int64)
    m >>= tz
    e += tz
    shift = e - e.min()
    bits = np.ceil(np.log2(m.astype(float) + 1)).astype(np.int64) + shift
    if int(bits.max()) + int(np.ceil(np.log2(len(w) + 1))) < 62:
        out[pos] = m << shift
        return out
    big = np.zeros(len(w), dtype=object)
    big[:] = 0
    big[np.flatnonzero(pos)] = [int(mi) << int(si) for mi, si in zip(m.tolist(), shift.tolist())]
    return big


def _as_arith(*arrays_and_bound):
    """Pick int64 or Python-int (object) arithmetic: int64 when ``bound`` (a Python int) is below 2**62."""
    *arrays, bound = arrays_and_bound
    if bound < _INT64_SAFE and all(a.dtype != object for a in arrays):
        return arrays
    return [_big(a) for a in arrays]


def _stable_order(keys) -> np.ndarray:
    """Indices sorted by the key arrays (first key first), each ascending, ties by lower index (exact for objects)."""
    n = len(keys[0])
    order = np.arange(n)
    for key in reversed(keys):
        order = order[np.argsort(key[order], kind="stable")]
    return order


def _largest_remainder(R: int, w: np.ndarray, W: int, C: np.ndarray | None) -> np.ndarray:
    """Exact apportionment of R units over integer weights w (Σ w = W > 0): ⌊R w_i / W⌋, then one unit each to the
    largest remainders (ties: larger weight, lower index). Never above ``C`` where the exact share is ≤ C."""
    peak = int(w.max()) if len(w) else 0
    w_, = _as_arith(w, R * peak + W)
    prod = w_ * R
    floor = prod // W
    rem = prod - floor * W
    left = R - _exact_sum(floor)
    if not 0 <= left <= len(w):
        raise RuntimeError(f"internal: largest remainder left {left} units for {len(w)} accounts")
    if left:
        order = _stable_order([-rem, -w_])
        if C is not None:  # an exact share equal to its cap has remainder 0 and cannot be chosen before others
            order = order[np.asarray(floor[order] < C[order], dtype=bool)]
        if len(order) < left:
            raise RuntimeError("internal: cannot place the remaining units under the caps")
        floor[order[:left]] += 1
    return np.asarray(floor, dtype=np.int64)


def _water_level_guess(T: int, w: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Float estimate of the capped set of water-filling (a bool mask, on the safe side: clearly capped only)."""
    wf = w / w.max()  # scaled so sums cannot overflow; tiny weights underflow to 0 (never capped in the guess)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = np.where(wf > 0, C.astype(float) / wf, np.inf)
        srt = np.argsort(ratio, kind="stable")
        Cs = C[srt].astype(float)
        ws = wf[srt]
        cap_before = np.concatenate(([0.0], np.cumsum(Cs)[:-1]))
        w_from = np.cumsum(ws[::-1])[::-1]
        lam = np.where(w_from > 0, (T - cap_before) / w_from, np.inf)
        free = lam <= ratio[srt]
    k = int(np.argmax(free)) if np.any(free) else len(srt)
    if k == 0:
        return np.zeros(len(w), dtype=bool)
    level = lam[k]  if k < len(srt) else np.inf
    return ratio < level * (1 - 1e-9)


# Float fast path. Shares computed in float64 are used only when they provably give the exact answer: every share
# q = R × w / Σw is off by less than q × 2**-51 (three roundings; the sum by math.fsum is correctly rounded), so
# with a margin of q × 2**-49 a floor, a remainder order or a capped/free call that clears the margin is the exact
# one. Anything closer (an exact tie, a share on an integer) goes to the exact integer path.
_REL = 2.0**-49
_TINY = 2.0**-1000
_FLOAT_EXACT = 2**53


def _scaled(wf: np.ndarray) -> np.ndarray | None:
    """Weights scaled by a power of two (exact) so the largest is in [0.5, 1); None if one would lose bits."""
    ws = np.ldexp(wf.astype(float), -math.frexp(float(wf.max()))[1])
    return None if float(ws.min()) < _TINY else ws


def _lr_fast(R: int, ws: np.ndarray) -> np.ndarray | None:
    """Largest remainder in floats, or None when the float answer might differ from the exact one."""
    W = math.fsum(ws.tolist())
    q = R * (ws / W)
    fl = np.floor(q)
    rem = q - fl
    margin = float(q.max()) * _REL + _TINY
    if np.any(rem <= margin) or np.any(rem >= 1.0 - margin):
        return None
    x = fl.astype(np.int64)
    left = R - int(x.sum())
    n = len(ws)
    if not 0 <= left <= n:
        return None
    if 0 < left < n:
        order = np.lexsort((np.arange(n), -ws, -rem))
        r_in, r_out = float(rem[order[left - 1]]), float(rem[order[left]])
        if r_in - r_out <= 2 * margin:  # a near-tie at the cut: fine only if it is an exact tie of equal weights
            band = np.abs(rem - 0.5 * (r_in + r_out)) <= 2 * margin
            if np.ptp(ws[band]) != 0:
                return None
        x[order[:left]] += 1
    return x


def _pro_rata_fast(A: int, wf: np.ndarray, C: np.ndarray | None) -> np.ndarray | None:
    """Float fast path of the apportionment (weights > 0 and caps > 0 only); None when not provably exact."""
    if A > _FLOAT_EXACT or (C is not None and int(C.max()) > _FLOAT_EXACT):
        return None
    ws = _scaled(wf)
    if ws is None:
        return None
    if C is None:
        return _lr_fast(A, ws)
    capped = _water_level_guess(A, ws, C)
    R = A - int(C[capped].sum())
    free = ~capped
    if R < 0 or not np.any(free):
        return None
    lam = R / math.fsum(ws[free].tolist())
    with np.errstate(over="ignore"):
        ratio = C / ws  # an overflow to inf is a clear "free"
    if np.any(ratio[capped] >= lam * (1 - 4 * _REL)) or np.any(ratio[free] <= lam * (1 + 4 * _REL)):
        return None
    x = np.where(capped, C, 0)
    part = _lr_fast(R, ws[free])
    if part is None:
        return None
    x[free] = part
    if np.any(x > C):
        return None
    return x


def _pro_rata_exact(A: int, w_float: np.ndarray, C: np.ndarray | None) -> np.ndarray:
    n = len(w_float)
    out = np.zeros(n, dtype=np.int64)
    active = w_float > 0 if C is None else (w_float > 0) & (C > 0)
    if A == 0 or not np.any(active):
        return out
    ia = np.flatnonzero(active)
    Ca = None if C is None else C[ia]
    if Ca is not None and A >= _exact_sum(Ca):  # capacity short or just enough: everyone who can pay pays its cap
        out[ia] = Ca
        return out
    wa = w_float[ia]
    if wa.dtype.kind == "f":  # float weights: exact-checked floats first (they are the exact answer or None) —
        fast = _pro_rata_fast(A, wa, Ca)  # scaling floats to exact integers costs more than the whole float path
        if fast is not None:
            out[ia] = fast
            return out
    wi = _exact_weights(wa)
    if wa.dtype.kind != "f" and (wi.dtype == object or A * int(wi.max()) >= _INT64_SAFE):  # big integers ahead
        fast = _pro_rata_fast(A, wa, Ca)
        if fast is not None:
            out[ia] = fast
            return out
    Wtot = _exact_sum(wi)
    if C is None:
        out[ia] = _largest_remainder(A, wi, Wtot, None)
        return out
    if wi.dtype != object and np.array_equal(wi, Ca):  # pro rata to the caps themselves (clawback, deposits, …):
        out[ia] = _largest_remainder(A, wi, Wtot, Ca)  # λ = A ÷ Σ caps < 1, so nobody reaches its cap
        return out
    # water-filling: capped accounts pay their cap, the others λ × w; found exactly, starting from a float guess
    capped = _water_level_guess(A, w_float[ia], Ca)
    for attempt in range(2):
        ok = True
        while True:
            R = A - _exact_sum(Ca[capped])
            Wr = _exact_sum(wi[~capped])
            if Wr == 0 or R < 0:
                ok = False
                break
            peak_c = int(Ca.max())
            peak_w = int(wi.max()) if wi.dtype != object else max(wi.tolist())
            Cx, wx = _as_arith(Ca, wi, max(peak_c * Wr, R * peak_w) + 1)
            lhs, rhs = Cx * Wr, wx * R  # C_i < λ w_i  ⇔  C_i × Wr < R × w_i (exact)
            if attempt == 0 and np.any(capped) and np.any(np.asarray(lhs[capped] > rhs[capped], dtype=bool)):
                ok = False  # the float guess capped an account below the level: start again from nobody capped
                break
            over = ~capped & np.asarray(lhs < rhs, dtype=bool)
            if not np.any(over):
                break
            capped = capped | over
        if ok:
            break
        capped = np.zeros(len(ia), dtype=bool)
    else:
        raise RuntimeError("internal: water-filling did not settle")
    x = np.where(capped, Ca, 0)
    rest = np.flatnonzero(~capped)
    x[rest] = _largest_remainder(R, wi[rest], Wr, Ca[rest])
    if _exact_sum(x) != A or np.any(x > Ca) or np.any(x < 0):
        raise RuntimeError("internal: water-filling broke conservation or a cap")
    out[ia] = x
    return out


def _pro_rata_int(A: int, w: np.ndarray, C: np.ndarray | None) -> np.ndarray:
    """Unchecked integer core (kept for older callers; use ``pro_rata_minor``)."""
    return _pro_rata_exact(int(A), np.asarray(w), C)


def pro_rata_minor(amount: int, weights, caps=None) -> np.ndarray:
    """Integer core of ``pro_rata``: share ``amount`` minor units in proportion to ``weights``, each at most its cap.

    ``amount`` is an int in [0, 2**62] (minor units); ``weights`` finite numbers ≥ 0 (any scale: float weights are
    used exactly as given, integer arrays as integers); ``caps`` None or a 1-D integer array ≥ 0 (minor units,
    int64). Returns what it placed (int64 per account): Σ = min(amount, Σ caps of the accounts with weight > 0)
    exactly (no caps: ``amount``, or 0 when every weight is 0); weight-0 accounts pay nothing; 0 ≤ charge ≤ cap;
    each charge is within one unit of its exact water-filled share min(cap_i, λ × weight_i) (computed in exact
    integer arithmetic); leftovers by largest remainder (ties: larger weight, then lower index). It never raises
    because capacity is short: the caller computes the uncovered rest ``amount − placed.sum()``.

    >>> pro_rata_minor(10000, [7, 4])
    array([6364, 3636])
    >>> pro_rata_minor(100, [1, 1, 1], caps=np.array([10, 50, 50]))
    array([10, 45, 45])
    >>> placed = pro_rata_minor(100, [1, 1, 0], caps=np.array([30, 30, 500]))
    >>> placed, int(100 - placed.sum())  # the weight-0 account pays nothing; 40 units are left uncovered
    (array([30, 30,  0]), 40)
    """
    A = _int_amount("amount", amount)
    w = _weights(weights)
    C = None
    if caps is not None:
        C = _int_capacities("caps", caps)
        v.same_length(weights=w, caps=C)
    return _pro_rata_exact(A, w, C)


def _weights(weights) -> np.ndarray:
    """Weights ≥ 0 as a 1-D array: integer arrays stay integers (exact), everything else floats."""
    raw = weights if isinstance(weights, np.ndarray) else None
    if raw is not None and raw.dtype.kind in "iu" and raw.ndim == 1:
        if np.any(raw < 0):
            raise ValueError(f"weights must be ≥ 0, got {v.short(weights)}")
        if raw.dtype.kind == "u" and raw.size and int(raw.max()) > 2**63 - 1:
            raise ValueError(f"weights must fit in int64, got {v.short(weights)}")
        return np.array(raw, dtype=np.int64, copy=True)
    return v.vector("weights", v.nonnegative("weights", weights))


class Shared(NamedTuple):
    """Result of ``pro_rata(..., with_rest=True)``: ``charges`` per account (money) and the ``rest`` that no
    account could take (money ≥ 0); Σ charges + rest = amount exactly in minor units."""

    charges: np.ndarray
    rest: float


def pro_rata(amount, weights, caps=None, unit: float = 0.01, with_rest: bool = False):
    """Share ``amount`` (money ≥ 0) in proportion to ``weights`` (≥ 0), each account at most its cap (money ≥ 0).

    Returns the charges (money, one per account), or ``Shared(charges, rest)`` with ``with_rest=True``. With caps the
    split is water-filled: charge_i = min(cap_i, λ × weight_i) with λ set so the total is met; weight-0 accounts pay
    nothing. When the accounts that can pay (weight > 0, cap > 0) cannot cover the amount, each pays its whole cap
    and the uncovered rest = amount − Σ charges is reported (``with_rest``), never an error: Σ charges + rest =
    amount exactly in minor units (no weight at all: every charge 0, rest = amount). Shares are exact in integer
    arithmetic; rounding is largest remainder (ties: larger remainder, larger weight, lower index), every charge
    within one unit of its exact share.

    >>> pro_rata(100, [7, 4]).tolist()
    [63.64, 36.36]
    >>> pro_rata(100, [1, 1, 1], caps=[10, 50, 50]).tolist()
    [10.0, 45.0, 45.0]
    >>> pro_rata(100, [1, 1], caps=[30, 30], with_rest=True)
    Shared(charges=array([30., 30.]), rest=40.0)
    """
    with_rest = v.flag("with_rest", with_rest)
    a = v.scalar("amount", v.nonnegative("amount", amount), "a single number ≥ 0 (money)")
    w = v.vector("weights", v.nonnegative("weights", weights))
    A = int(_to_minor("amount", a, unit))
    C = None
    if caps is not None:
        c = v.vector("caps", v.nonnegative("caps", caps))
        v.same_length(weights=w, caps=c)
        C = _to_minor("caps", c, unit)
    x = _pro_rata_exact(A, w, C)
    charges = np.asarray(from_minor(x, unit), dtype=float)
    if not with_rest:
        return charges
    return Shared(charges, float(from_minor(A - _exact_sum(x), unit)))

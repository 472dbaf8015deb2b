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
Amounts up to 2**53 minor units (about 9 × 10**13 USD in cents) are exact.

Rounding of a pro-rata split: largest remainder
-----------------------------------------------
Each account first gets the integer part (floor) of its exact share; the few units left over go one each to the
accounts with the **largest fractional remainder**; ties go to the **larger weight**, then to the **lower index**
(deterministic, no randomness). Remainders closer than the float noise of the shares (64 ulps of the largest
share) count as equal, so shares that are equal in exact arithmetic tie even when floating point makes them differ
in the 16th digit. Every charge is therefore within one minor unit of its exact proportional share (the quota
property). Known consequence (the "Alabama paradox" of apportionment): raising the amount by one unit can lower
one account's rounded charge by one unit, e.g. weights (6, 6, 2): 0.10 → (0.04, 0.04, 0.02) but 0.11 →
(0.05, 0.05, 0.01). The exact (unrounded) shares are monotone in the amount, and the rounded ones never differ from
them by a unit or more.

Sources: the rules are the textbook ones; which venue uses which is documented in the modules built on them
(``socialize``, ``adl``, ``waterfall``, ``haircuts``). Largest-remainder (Hamilton) apportionment and its Alabama
paradox: Balinski and Young, *Fair Representation* (2nd ed., Brookings, 2001).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import validate as v

__all__ = ["to_minor", "from_minor", "sequential", "pro_rata", "sequential_minor", "pro_rata_minor", "Drawn"]

_MAX_MINOR = 2**53  # beyond this a float no longer holds every integer


def _scale(unit) -> float:
    """1 / unit, snapped to an integer when it is one (0.01 → 100), so 0.125 → 12.5 exactly, not 12.4999…."""
    u = float(v.positive("unit", unit))
    if np.ndim(unit) != 0:
        raise ValueError(f"unit must be a single positive number, got {unit!r}")
    s = 1.0 / u
    r = round(s)
    if r >= 1 and abs(s - r) <= 1e-9 * s:
        return float(r)
    return s


def _to_minor(name: str, x, unit) -> np.ndarray:
    arr = v.as_array(name, x)
    q = arr * _scale(unit)
    if np.any(np.abs(q) > _MAX_MINOR):
        raise ValueError(f"{name} is too large for exact minor units (|{name}| / unit must be ≤ 2**53), got {x!r}")
    return np.rint(q).astype(np.int64)


def to_minor(x, unit: float = 0.01):
    """Money (float, any sign) → integer minor units (int64): ``x / unit`` rounded to nearest, ties to even.

    ``unit`` is the minor unit in the same currency (0.01 = USD cents, 1e-8 = BTC satoshis). Returns an int64 array
    (a numpy int64 scalar for scalar input).
    """
    out = _to_minor("x", x, unit)
    return out[()] if out.ndim == 0 else out


def from_minor(n, unit: float = 0.01):
    """Integer minor units → money as floats (exact multiples of ``unit``); a float for scalar input."""
    arr = np.asarray(n)
    if arr.dtype.kind not in "iu":
        arr = v.as_array("n", n)
        if np.any(arr != np.round(arr)):
            raise ValueError(f"n must be whole numbers of minor units, got {n!r}")
    return v.scalar_or_array(arr.astype(float) / _scale(unit))


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
        raise ValueError(f"order must be a permutation of 0..{n - 1} (length {n}), got {order!r}")
    idx = arr.astype(np.int64)
    if not np.array_equal(np.sort(idx), np.arange(n)):
        raise ValueError(f"order must be a permutation of 0..{n - 1} (each index once), got {order!r}")
    return idx


def _int_capacities(name: str, value) -> np.ndarray:
    """A 1-D int64 array of minor units ≥ 0 whose total fits in int64 (checked without wrapping)."""
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional array of integer minor units, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers (minor units, dtype int64), got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be ≥ 0 (minor units), got {value!r}")
    if float(arr.sum(dtype=float)) > 2**62:
        raise ValueError(f"{name} are too large in total for exact int64 minor units (Σ {name} must be ≤ 2**62)")
    return arr


def _int_amount(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer number of minor units ≥ 0, got {value!r}")
    a = int(value)
    if a < 0 or a > 2**62:
        raise ValueError(f"{name} must be an integer number of minor units in [0, 2**62], got {value!r}")
    return a


def sequential_minor(amount: int, capacities, order=None) -> np.ndarray:
    """Integer core of ``sequential``: draw ``amount`` minor units from layers in ``order``, each up to its capacity.

    ``amount`` is an int ≥ 0 (minor units), ``capacities`` a 1-D int64 array ≥ 0 (minor units), ``order`` a
    permutation of the indices (default 0..n−1). Returns the draws (int64, original index order); Σ draws =
    min(amount, Σ capacities) exactly, and the undrawn rest is ``amount − draws.sum()``.

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


def _sequential_int(A: int, C: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Unchecked integer core (alias kept for older callers): draws (int64, original order) of A from C in ``order``."""
    cs = C[order]
    before = np.cumsum(cs) - cs
    drawn_sorted = np.clip(A - before, 0, cs)
    out = np.empty_like(C)
    out[order] = drawn_sorted
    return out


def sequential(amount, capacities, order=None, unit: float = 0.01) -> Drawn:
    """Draw ``amount`` (money ≥ 0) from layers in ``order``, each up to its capacity (money ≥ 0), the last partly.

    ``order`` is a permutation of the indices (default 0..n−1). Returns ``Drawn(draws, rest)``: ``draws`` in the
    original index order, Σ draws = min(amount, Σ capacities) exactly in minor units, rest = amount − Σ draws.
    ``amount`` and capacities are first rounded to ``unit`` (ties to even).
    """
    a = v.nonnegative("amount", amount)
    if a.ndim != 0:
        raise ValueError(f"amount must be a single number ≥ 0, got {amount!r}")
    caps = v.vector("capacities", v.nonnegative("capacities", capacities))
    idx = _check_order(order, len(caps))
    A = int(_to_minor("amount", a, unit))
    C = _to_minor("capacities", caps, unit)
    if float(C.sum(dtype=float)) > 2**62:
        raise ValueError("capacities are too large in total for exact minor units (Σ / unit must be ≤ 2**62)")
    D = _sequential_int(A, C, idx)
    rest = A - int(D.sum())
    return Drawn(np.asarray(from_minor(D, unit), dtype=float), float(from_minor(rest, unit)))


# --------------------------------------------------------------------------------------------------------------
# pro_rata


def _round_largest_remainder(R: int, q: np.ndarray, w: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Integers x with Σx = R, 0 ≤ x ≤ cap, x ∈ {⌊q⌋, ⌈q⌉} (up to float noise); leftovers by largest remainder.

    Ties: larger remainder, then larger weight, then lower index. ``q`` are the exact (float) shares.
    """
    n = len(q)
    f = np.minimum(np.floor(q), cap).astype(np.int64)
    f = np.maximum(f, 0)
    rem = q - f
    L = R - int(f.sum())
    idx = np.arange(n)
    # Remainders closer than the float noise of q (a few ulps of the largest share) are the same remainder: group
    # them into tie classes along the sorted order, then order by class, larger weight, lower index.
    tol = 64 * np.finfo(float).eps * max(1.0, float(np.max(np.abs(q))) if n else 1.0)
    by_rem = np.argsort(-rem, kind="stable")
    tie_class = np.empty(n, dtype=np.int64)
    tie_class[by_rem] = np.concatenate(([0], np.cumsum(np.diff(-rem[by_rem]) > tol))) if n else []
    # key: tie class asc (= remainder desc), weight desc, index asc → lexsort sorts by the last key first
    order_give = np.lexsort((idx, -w, tie_class))
    while L > 0:  # normally one pass; the loop only guards against float noise
        elig = order_give[f[order_give] < cap[order_give]]
        if len(elig) == 0:
            raise ValueError("internal: cannot place the remaining units under the caps")
        k = min(L, len(elig))
        f[elig[:k]] += 1
        L -= k
    while L < 0:  # float overshoot: take back from the smallest remainders
        elig = order_give[::-1]
        elig = elig[f[elig] > 0]
        k = min(-L, len(elig))
        f[elig[:k]] -= 1
        L += k
    return f


def _pro_rata_int(A: int, w: np.ndarray, C: np.ndarray | None) -> np.ndarray:
    """Integer core of ``pro_rata``: A minor units over weights w (floats ≥ 0), caps C (int64) or None."""
    n = len(w)
    out = np.zeros(n, dtype=np.int64)
    total_cap = None if C is None else int(C.sum())
    T = A if C is None else min(A, total_cap)
    if T == 0:
        return out
    active = w > 0 if C is None else (w > 0) & (C > 0)
    if not np.any(active):  # nobody who could pay has weight: nothing is placed, the caller reports the rest
        return out
    if C is not None:
        T = min(T, int(C[active].sum()))  # weight-0 accounts never pay: only the weighted caps count
    ia = np.flatnonzero(active)
    wa = w[ia]
    if C is None:
        q = T * (wa / wa.sum())
        out[ia] = _round_largest_remainder(T, q, wa, np.full(len(ia), T, dtype=np.int64))
        return out
    Ca = C[ia]
    # water-filling: find λ with Σ min(C_i, λ w_i) = T; capped set = smallest ratios C_i / w_i
    with np.errstate(over="ignore", divide="ignore"):
        ratio = Ca / wa  # may overflow to inf for tiny weights: such accounts are simply never capped
        srt = np.argsort(ratio, kind="stable")
        Cs = Ca[srt].astype(float)
        ws = wa[srt]
        cap_before = np.concatenate(([0.0], np.cumsum(Cs)[:-1]))
        w_from = np.cumsum(ws[::-1])[::-1]
        lam = (T - cap_before) / w_from
        free = lam <= ratio[srt]
    k = int(np.argmax(free)) if np.any(free) else len(srt)
    capped = srt[:k]
    rest_idx = np.sort(srt[k:])  # back to index order, so the tie rule "lower index first" holds
    x = np.zeros(len(ia), dtype=np.int64)
    x[capped] = Ca[capped]
    R = T - int(Ca[capped].sum())
    if len(rest_idx):
        wr = wa[rest_idx]
        q = R * (wr / wr.sum())
        x[rest_idx] = _round_largest_remainder(R, q, wr, Ca[rest_idx])
    elif R != 0:  # every active account is capped but units remain: only float noise can bring us here
        raise ValueError("internal: water-filling left units unplaced")
    out[ia] = x
    return out


def pro_rata_minor(amount: int, weights, caps=None) -> np.ndarray:
    """Integer core of ``pro_rata``: share ``amount`` minor units in proportion to ``weights``, each at most its cap.

    ``amount`` is an int ≥ 0 (minor units); ``weights`` finite numbers ≥ 0 (any scale); ``caps`` None or a 1-D
    int64 array ≥ 0 (minor units). Returns what it placed (int64 per account): Σ = min(amount, Σ caps of the
    accounts with weight > 0) exactly (no caps: ``amount``, or 0 when every weight is 0); weight-0 accounts pay
    nothing; 0 ≤ charge ≤ cap; each charge is within one unit of its exact (water-filled) share; leftovers by
    largest remainder (ties: larger weight, then lower index). It never raises because capacity is short: the
    caller computes the uncovered rest ``amount − placed.sum()``.

    >>> pro_rata_minor(10000, [7, 4])
    array([6364, 3636])
    >>> pro_rata_minor(100, [1, 1, 1], caps=np.array([10, 50, 50]))
    array([10, 45, 45])
    >>> placed = pro_rata_minor(100, [1, 1, 0], caps=np.array([30, 30, 500]))
    >>> placed, int(100 - placed.sum())  # the weight-0 account pays nothing; 40 units are left uncovered
    (array([30, 30,  0]), 40)
    """
    A = _int_amount("amount", amount)
    w = v.vector("weights", v.nonnegative("weights", weights))
    C = None
    if caps is not None:
        C = _int_capacities("caps", caps)
        v.same_length(weights=w, caps=C)
    return _pro_rata_int(A, w, C)


def _pro_rata_inputs(amount, weights, caps, unit):
    a = v.nonnegative("amount", amount)
    if a.ndim != 0:
        raise ValueError(f"amount must be a single number ≥ 0, got {amount!r}")
    w = v.vector("weights", v.nonnegative("weights", weights))
    A = int(_to_minor("amount", a, unit))
    C = None
    if caps is not None:
        c = v.vector("caps", v.nonnegative("caps", caps))
        v.same_length(weights=w, caps=c)
        C = _to_minor("caps", c, unit)
        if float(C.sum(dtype=float)) > 2**62:
            raise ValueError("caps are too large in total for exact minor units (Σ caps / unit must be ≤ 2**62)")
    return A, w, C


def pro_rata(amount, weights, caps=None, unit: float = 0.01) -> np.ndarray:
    """Share ``amount`` (money ≥ 0) in proportion to ``weights`` (≥ 0), each account at most its cap (money ≥ 0).

    Returns the charges (money, one per account): Σ charges = min(amount, Σ caps) exactly in minor units (Σ caps =
    ∞ without caps), 0 ≤ charge ≤ cap, weight-0 accounts pay nothing. With caps the split is water-filled:
    charge_i = min(cap_i, λ × weight_i) with λ set so the total is met. Rounding is largest remainder (ties: larger
    remainder, larger weight, lower index). A positive amount with no positive weight on any account that still
    has capacity is a ValueError; amount 0 gives zeros.
    """
    A, w, C = _pro_rata_inputs(amount, weights, caps, unit)
    return np.asarray(from_minor(_pro_rata_int(A, w, C), unit), dtype=float)

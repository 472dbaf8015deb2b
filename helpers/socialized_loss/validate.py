"""Input validation shared by every module.

Each function raises ``ValueError`` whose message names the parameter and the allowed range, so a learner who
passes a negative collateral or a NaN price sees at once what went wrong and where.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__: list[str] = []  # internal helpers; not re-exported at the package top level


def short(value: Any, limit: int = 120) -> str:
    """``repr(value)`` cut to ``limit`` characters, so an error about a long array stays readable."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refuse_kind(name: str, value: Any, arr: np.ndarray) -> None:
    """Refuse text, booleans and complex numbers (numpy would quietly turn "1.5", True or 1+0j into floats)."""
    kind = arr.dtype.kind
    if kind in "USa" or isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be a number or an array of numbers, not text; got {short(value)}")
    if kind == "b":
        raise ValueError(f"{name} must be a number or an array of numbers, not a boolean; got {short(value)}")
    if kind == "c":
        raise ValueError(f"{name} must be a real number or an array of real numbers, not complex; got {short(value)}")
    if kind == "O" or isinstance(value, (list, tuple)):
        # element by element (a list may mix a bool or a string into numbers); short for the lists learners type
        stack = [value] if kind != "O" else [arr.ravel().tolist()]
        while stack:
            item = stack.pop()
            if isinstance(item, (list, tuple)):
                stack.extend(item)
            elif isinstance(item, (bool, np.bool_)):
                raise ValueError(f"{name} must hold numbers, not booleans; got {short(value)}")
            elif isinstance(item, (str, bytes)):
                raise ValueError(f"{name} must hold numbers, not text; got {short(value)}")
            elif isinstance(item, (complex, np.complexfloating)):
                raise ValueError(f"{name} must hold real numbers, not complex; got {short(value)}")


def as_array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float array (a new array: the caller's is never aliased), refusing NaN, inf, text,
    booleans, complex numbers and anything else that is not a number."""
    kind = type(value)
    if kind is float or kind is int:  # the common scalar: no numpy round trip
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"{name} must be finite (no NaN or inf), got {short(value)}")
        return np.array(x)
    if kind is np.ndarray and value.dtype.kind in "fiu":
        arr = value.astype(float)  # always a copy
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite (no NaN or inf), got {short(value)}")
        return arr
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers (not ragged), got {short(value)}") from None
    _refuse_kind(name, value, raw)
    try:
        arr = np.array(raw, dtype=float, copy=True)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {short(value)}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf), got {short(value)}")
    return arr


def scalar(name: str, arr: np.ndarray, what: str = "a single number") -> np.ndarray:
    """Refuse an array where one number is expected: ``what`` describes the allowed value (e.g. "a single number
    ≥ 0 (USD)"). Returns the 0-d array unchanged."""
    if np.ndim(arr) != 0:
        raise ValueError(f"{name} must be {what}, not an array (got shape {np.shape(arr)})")
    return arr


def number(name: str, value: Any, what: str = "a single finite number") -> float:
    """One finite real number (not an array, text, boolean or complex) as a Python float."""
    return float(scalar(name, as_array(name, value), what))


def frozen(arr: np.ndarray) -> np.ndarray:
    """A read-only copy: results and frozen dataclasses never lock or alias the caller's array."""
    out = np.array(arr, copy=True)
    out.setflags(write=False)
    return out


class WrongTypeError(TypeError, ValueError):
    """A wrong kind of object for a parameter (a TypeError; also a ValueError, so older callers that caught
    ValueError for every bad input keep working)."""


def instance(name: str, value: Any, cls: type | tuple[type, ...]) -> Any:
    """Refuse a wrong object with a TypeError naming the parameter and the expected type."""
    if not isinstance(value, cls):
        names = " or ".join(c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))
        raise WrongTypeError(f"{name} must be a {names}, got {type(value).__name__} {short(value)}")
    return value


def money(name: str, value: Any, what: str = "a single number ≥ 0 (money)", *, allow_negative: bool = False) -> float:
    """One money amount (a float; ≥ 0 unless ``allow_negative``), refusing arrays, text, booleans and complex."""
    x = number(name, value, what)
    if not allow_negative and x < 0:
        raise ValueError(f"{name} must be ≥ 0 (money), got {short(value)}")
    return x


def finite(name: str, value: Any) -> np.ndarray:
    """Finite numbers of any sign."""
    return as_array(name, value)


def nonnegative(name: str, value: Any) -> np.ndarray:
    """Finite numbers ≥ 0."""
    arr = as_array(name, value)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be ≥ 0, got {short(value)}")
    return arr


def positive(name: str, value: Any) -> np.ndarray:
    """Finite numbers > 0."""
    arr = as_array(name, value)
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0, got {short(value)}")
    return arr


def open_unit(name: str, value: Any) -> np.ndarray:
    """Finite numbers in the open interval (0, 1)."""
    arr = as_array(name, value)
    if np.any((arr <= 0) | (arr >= 1)):
        raise ValueError(f"{name} must be in the open interval (0, 1), got {short(value)}")
    return arr


def unit_interval(name: str, value: Any) -> np.ndarray:
    """Finite numbers in the closed interval [0, 1]."""
    arr = as_array(name, value)
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must be in [0, 1], got {short(value)}")
    return arr


def nonzero(name: str, value: Any) -> np.ndarray:
    """Finite numbers ≠ 0 (a position size where a price is asked)."""
    arr = as_array(name, value)
    if np.any(arr == 0):
        raise ValueError(f"{name} must be non-zero (positive for a long, negative for a short), got {short(value)}")
    return arr


def vector(name: str, value: Any) -> np.ndarray:
    """A finite one-dimensional array."""
    arr = as_array(name, value)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def same_length(**arrays: np.ndarray) -> None:
    """Refuse one-dimensional arrays of different lengths, naming them all."""
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        desc = ", ".join(f"{k} has {n}" for k, n in lengths.items())
        raise ValueError(f"lengths differ: {desc}; they must be equal")


def broadcast(**arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Broadcast arrays together or raise a ValueError naming their shapes."""
    try:
        return tuple(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        desc = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"shapes do not broadcast: {desc}") from None


def scalar_or_array(result: np.ndarray):
    """Return a Python float for 0-d results, the array otherwise."""
    return float(result) if np.ndim(result) == 0 else result


def choice(name: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    """A string from a fixed set."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {short(value)}")
    return value


def integer(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """An integer within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer, got {short(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-∞" if low is None else low
        hi = "∞" if high is None else high
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")
    return value


def rng(seed: Any) -> np.random.Generator:
    """A Generator from a seed (int), a Generator, or refuse."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise ValueError(f"seed must be a non-negative int or a numpy.random.Generator, got {seed!r}")

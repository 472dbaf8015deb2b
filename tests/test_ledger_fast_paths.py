"""The engine's fast paths give what the checked constructors give: Book._trusted, the Allocation a rule builds,
and the apportionment's float path against its exact integer path."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialized_loss import allocation as al
from socialized_loss.ledger import Allocation, Book
from socialized_loss.rules import RULES, apply_rule


def test_trusted_book_is_the_checked_book():
    rng = np.random.default_rng(0)
    sizes, entry, coll = rng.normal(0, 3, 50), rng.uniform(50, 150, 50), rng.uniform(-10, 100, 50)
    a, b = Book(sizes, entry, coll, 101.5), Book._trusted(sizes, entry, coll, 101.5)
    for f in ("sizes", "entry_prices", "collateral", "pnl", "equity", "leverage", "bankruptcy_prices"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    assert a.names == b.names == tuple(str(i) for i in range(50)) and a.mark_price == b.mark_price == 101.5
    for f in ("sizes", "entry_prices", "collateral"):
        arr = getattr(b, f)
        assert not arr.flags.writeable and not np.shares_memory(arr, {"sizes": sizes, "entry_prices": entry,
                                                                      "collateral": coll}[f])
    assert sizes.flags.writeable  # the caller's arrays are neither frozen nor aliased
    assert Book([1.0, 2.0], 100.0, 1.0, 100.0).names == ("0", "1")  # default names for any n, short or long
    assert Book(np.ones(3000), 100.0, 1.0, 100.0).names[-1] == "2999"


@pytest.mark.parametrize("bad", [dict(sizes=[[1.0]]), dict(sizes=[np.nan]), dict(entry_prices=0.0),
                                 dict(collateral="1"), dict(mark_price=[1.0, 2.0]), dict(sizes=[True])])
def test_checked_book_still_refuses_bad_input(bad):
    kw = dict(sizes=[1.0], entry_prices=100.0, collateral=10.0, mark_price=100.0) | bad
    with pytest.raises(ValueError, match=next(iter(bad))):
        Book(**kw)


@pytest.mark.parametrize("name", ["clawback", "clawback_uncapped", "contracts_pro_rata", "deposit_index_haircut",
                                  "pnl_haircut_queue", "capped_pro_rata", "withdrawal_factor"])
def test_rule_allocations_are_complete_frozen_and_balanced(name):
    book = Book([3.0, 1.0, -4.0, 0.5], 100.0, [100.0, 100.0, 30.0, 5.0], 110.0)
    a = apply_rule(name, book, 12.34)
    assert isinstance(a, Allocation) and a.rule == name
    for f in ("charges", "closed", "caps", "fees", "close_prices"):
        arr = getattr(a, f)
        assert arr.shape == (4,) and arr.dtype == float and not arr.flags.writeable, f
    assert np.all(a.closed == 0) and np.all(a.fees == 0) and np.all(np.isnan(a.close_prices))
    total, shortfall, fees = a.balance_minor()
    assert total == shortfall == 1234 and fees == 0
    assert np.all(a.charges <= a.caps) and np.all(a.charges >= 0)
    with pytest.raises(AttributeError):
        a.uncovered = 0.0  # frozen


def test_external_and_caps_survive_the_fast_result():
    book = Book([0.0, 0.0], 1.0, 0.0, 1.0)
    a = RULES["staker_backstop"](book, 50.0, stakes=[100.0, 100.0], offset=10.0)
    assert dict(a.external) == {"offset": 10.0} and a.caps.tolist() == [100.0, 100.0]
    assert a.balance_minor()[:2] == (5000, 5000)


weights = st.lists(st.one_of(st.floats(1e-6, 1e6), st.just(0.0), st.sampled_from([0.1, 0.2, 0.3, 1 / 3])),
                   min_size=1, max_size=25)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**12), weights, st.booleans(), st.integers(0, 2**31))
def test_float_fast_path_is_the_exact_answer(amount, w, capped, seed):
    # float weights try the exact-checked float apportionment first: it must give the exact integer answer
    w = np.array(w)
    caps = np.random.default_rng(seed).integers(0, 10**9, len(w)) if capped else None
    fast = al._pro_rata_exact(amount, w, caps)
    real = al._pro_rata_fast
    try:
        al._pro_rata_fast = lambda *a: None  # the exact integer path only
        exact = al._pro_rata_exact(amount, w, caps)
    finally:
        al._pro_rata_fast = real
    assert np.array_equal(fast, exact)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**9), min_size=1, max_size=30))
def test_pro_rata_to_the_caps_shortcut(amount, caps):
    # weights equal to the caps: λ < 1, nobody is capped; the shortcut gives the water-filling answer
    C = np.array(caps, dtype=np.int64)
    got = al.pro_rata_minor(amount, C, C)
    via_floats = al.pro_rata_minor(amount, C.astype(float) * 1.0, C)  # the general (float, water-filling) path
    assert np.array_equal(got, via_floats)
    assert got.sum() == min(amount, int(C.sum())) and np.all(got <= C)

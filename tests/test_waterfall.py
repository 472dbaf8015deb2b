"""Tests for socialized_loss.waterfall: the CCP default waterfall."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialized_loss.allocation import from_minor, to_minor
from socialized_loss.waterfall import LAYER_NAMES, WaterfallLayers, default_waterfall


def test_nasdaq_clearing_2018():
    fund = 160.5e6
    members = np.full(166, fund / 166)
    layers = WaterfallLayers(skin_in_the_game=7e6, member_default_fund=members)
    r = default_waterfall(114e6, layers)
    assert r.draws["skin_in_the_game"] == 7e6
    assert r.draws["member_default_fund"] == 107e6
    assert r.draws["member_default_fund"] / fund == pytest.approx(2 / 3, abs=1e-3)
    assert to_minor(r.default_fund_charges).sum() == to_minor(107e6)
    assert np.ptp(r.default_fund_charges) <= 0.01 + 1e-9  # equal members pay equally, to the cent
    assert r.uncovered == 0 and r.draws["assessments"] == 0


def test_layers_in_order_to_tear_up():
    layers = WaterfallLayers(10, 5, 3, [4, 6], [2, 2], [30, 10])
    r = default_waterfall(100, layers)
    assert list(r.draws.values()) == [10, 5, 3, 10, 4, 40]
    assert list(r.draws) == list(LAYER_NAMES)
    assert list(r.default_fund_charges) == [4, 6]
    assert list(r.assessment_charges) == [2, 2]
    assert list(r.vm_haircuts) == [30, 10]
    assert r.uncovered == 28
    r = default_waterfall(40, layers)  # stops in VMGH, pro rata to gains
    assert r.draws["vm_gains_haircut"] == 8 and list(r.vm_haircuts) == [6, 2] and r.uncovered == 0
    r = default_waterfall(12, layers)  # stops in the defaulter's default-fund contribution
    assert r.draws["defaulter_default_fund"] == 2 and r.draws["skin_in_the_game"] == 0


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: WaterfallLayers(defaulter_initial_margin=-1), "defaulter_initial_margin"),
        (lambda: WaterfallLayers(member_default_fund=[1, float("nan")]), "member_default_fund"),
        (lambda: WaterfallLayers(assessment_caps=[-1]), "assessment_caps"),
        (lambda: default_waterfall(-5, WaterfallLayers()), "loss"),
        (lambda: default_waterfall(5, {"skin_in_the_game": 1}), "layers"),
    ],
)
def test_bad_input_names_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@settings(max_examples=300, deadline=None, database=None)
@given(seed=st.integers(0, 2**63 - 1))
def test_waterfall_conserves_and_respects_caps(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(0, 12))
    lay = WaterfallLayers(*from_minor(rng.integers(0, 10**5, size=3)),
                          from_minor(rng.integers(0, 10**5, size=m)), from_minor(rng.integers(0, 10**5, size=m)),
                          from_minor(rng.integers(0, 10**5, size=m)))
    total = sum(to_minor(x).sum() for x in (lay.defaulter_initial_margin, lay.defaulter_default_fund,
                                            lay.skin_in_the_game, lay.member_default_fund, lay.assessment_caps,
                                            lay.vm_gains))
    L = int(rng.integers(0, 2 * total + 2))
    r = default_waterfall(from_minor(L), lay)
    d = to_minor(np.array(list(r.draws.values())))
    assert d.sum() + to_minor(r.uncovered) == L
    assert to_minor(r.default_fund_charges).sum() == d[3]
    assert to_minor(r.assessment_charges).sum() == d[4]
    assert to_minor(r.vm_haircuts).sum() == d[5]
    assert np.all(to_minor(r.default_fund_charges) <= to_minor(lay.member_default_fund))
    assert np.all(to_minor(r.assessment_charges) <= to_minor(lay.assessment_caps))
    assert np.all(to_minor(r.vm_haircuts) <= to_minor(lay.vm_gains))
    caps = [to_minor(lay.defaulter_initial_margin), to_minor(lay.defaulter_default_fund),
            to_minor(lay.skin_in_the_game), to_minor(lay.member_default_fund).sum(),
            to_minor(lay.assessment_caps).sum(), to_minor(lay.vm_gains).sum()]
    for j in range(1, 6):  # a layer is used only once all earlier ones are exhausted
        if d[j] > 0:
            assert all(d[i] == caps[i] for i in range(j))

"""Assignment (deterministic, sticky, a holdout never treated), settings validation and the statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assistant.experiments.assign import Treatment, assign, treatment_for, treatment_of, unit
from assistant.experiments.config import HOLDOUT, ExperimentsConfig
from assistant.experiments.stats import difference, ratio_interval, sums_of, wilson
from assistant.settings import ExperimentsSettings
from assistant.storage.store import StateStore


def _config(holdout: float = 0.1, variants: dict[str, float] | None = None) -> ExperimentsConfig:
    return ExperimentsConfig.from_settings(ExperimentsSettings.model_validate({
        "holdout_share": holdout,
        "experiments": [{"name": "rk", "factor": "ranker", "variants": variants or {"learned": 1, "random": 1}},
                        {"name": "div", "factor": "diversity", "variants": {"on": 1, "off": 1}}]}))


def test_assignment_is_a_deterministic_hash_with_the_requested_shares_and_a_holdout_never_treated() -> None:
    cfg = _config()
    arms = [assign(cfg, f"u{i}", {}) for i in range(4000)]
    assert arms == [assign(cfg, f"u{i}", {}) for i in range(4000)]
    holdout = [a for a in arms if a[HOLDOUT] == "holdout"]
    assert 0.08 < len(holdout) / len(arms) < 0.12
    assert all(set(a) == {HOLDOUT} for a in holdout)  # no experiment assignment at all
    assert all(treatment_of(cfg, a) == Treatment(label="holdout") for a in holdout)
    inside = [a for a in arms if a[HOLDOUT] == "in"]
    assert 0.45 < sum(a["rk"] == "random" for a in inside) / len(inside) < 0.55
    # the two experiments are independent layers
    both = sum(a["rk"] == "random" and a["div"] == "off" for a in inside) / len(inside)
    assert 0.2 < both < 0.3
    t = treatment_of(cfg, {HOLDOUT: "in", "rk": "random", "div": "off"})
    assert (t.ranker, t.diversity, t.label) == ("random", False, "rk=random,div=off")


def test_a_stored_assignment_survives_a_changed_split() -> None:
    store = StateStore.from_url("sqlite://")
    first = treatment_for(_config(holdout=0.0), store.insights, "ann")
    for variants in ({"learned": 1, "random": 99}, {"learned": 99, "random": 1}):
        assert treatment_for(_config(holdout=0.0, variants=variants), store.insights, "ann") == first
    assert treatment_for(_config(holdout=0.5), store.insights, "ann") == first  # the holdout share changed too
    assert treatment_for(ExperimentsConfig(), store.insights, "ann") == Treatment()  # nothing running


def test_settings_refuse_unknown_arms_a_missing_control_and_two_experiments_on_one_factor() -> None:
    with pytest.raises(ValueError, match="control 'learned'"):
        ExperimentsSettings.model_validate({"experiments": [{"name": "x", "factor": "ranker",
                                                             "variants": {"random": 1, "retrieval": 1}}]})
    with pytest.raises(ValueError, match="variants of 'ranker'"):
        ExperimentsSettings.model_validate({"experiments": [{"name": "x", "factor": "ranker",
                                                             "variants": {"learned": 1, "magic": 1}}]})
    with pytest.raises(ValueError, match="one enabled experiment per factor"):
        ExperimentsSettings.model_validate({"experiments": [
            {"name": "a", "factor": "diversity", "variants": {"on": 1, "off": 1}},
            {"name": "b", "factor": "diversity", "variants": {"on": 1, "off": 1}}]})
    assert 0 <= unit("x", "y") < 1


def test_wilson_and_the_clustered_ratio_interval() -> None:
    iv = wilson(10, 100)
    assert math.isclose(iv.low, 0.0552, abs_tol=1e-3) and math.isclose(iv.high, 0.1744, abs_tol=1e-3)
    assert wilson(0, 20).low == 0.0 and wilson(20, 20).high == 1.0
    rng = np.random.default_rng(0)
    # shoppers with their own click propensity: the clustered interval is wider than an impressions one
    n = rng.integers(5, 30, size=400).astype(float)
    p = rng.beta(1, 9, size=400)
    c = rng.binomial(n.astype(int), p).astype(float)
    s = sums_of(n, c, np.zeros_like(n))
    iv = ratio_interval(s, "C")
    r = c.sum() / n.sum()
    naive = 1.96 * math.sqrt(r * (1 - r) / n.sum())
    assert iv.low < r < iv.high and (iv.high - iv.low) / 2 > naive
    # a cluster bootstrap agrees with the delta method
    boot = []
    for _ in range(500):
        idx = rng.integers(0, 400, size=400)
        boot.append(c[idx].sum() / n[idx].sum())
    assert math.isclose(np.std(boot), (iv.high - iv.low) / 2 / 1.96, rel_tol=0.15)
    same = difference(s, s, "C")
    assert same.value == 0 and not same.excludes_zero

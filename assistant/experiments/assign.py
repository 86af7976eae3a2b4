"""Which arm a shopper is in, and what that changes in a turn.

A shopper's place is a hash: `unit(HOLDOUT, shopper)` < holdout share puts them in the permanent
holdout (the defaults, in every experiment, for good); otherwise `unit(experiment, shopper)` picks the
arm by the cumulative shares. Hashes of different experiment names are independent, so experiments on
different factors are orthogonal layers. The first assignment is stored (`ex_assignments`) and read
back afterwards: changing a split, or the holdout share, never moves a shopper who has been assigned.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from assistant.experiments.config import HOLDOUT, Experiment, ExperimentsConfig
from assistant.storage.insights_log import InsightsLog

log = logging.getLogger(__name__)


def unit(name: str, user_id: str) -> float:
    """A uniform number in [0, 1) from SHA-256 of "name:user" (stable across processes and machines)."""
    digest = hashlib.sha256(f"{name}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def pick_arm(experiment: Experiment, user_id: str) -> str:
    u = unit(experiment.name, user_id)
    acc = 0.0
    for arm, share in experiment.variants:
        acc += share
        if u < acc:
            return arm
    return experiment.variants[-1][0]


@dataclass(frozen=True)
class Treatment:
    """What the shopper's arms change in a turn (the defaults when in no experiment or in the holdout)."""

    ranker: str = "learned"  # learned | retrieval | random
    diversity: bool = True
    explanation: str = "model"  # model | none
    label: str = ""  # "exp=arm,exp2=arm", "holdout", or "" (no experiment running)

    def explain_top(self, configured: int) -> int:
        return 0 if self.explanation == "none" else configured


def assign(config: ExperimentsConfig, user_id: str, stored: dict[str, str]) -> dict[str, str]:
    """Arms by experiment name (`HOLDOUT` -> "holdout"/"in" included), keeping every stored one. A holdout
    shopper gets no experiment assignment at all."""
    out = dict(stored)
    if HOLDOUT not in out:
        out[HOLDOUT] = "holdout" if unit(HOLDOUT, user_id) < config.holdout_share else "in"
    if out[HOLDOUT] == "holdout":
        return out  # never in any experiment: holdout shoppers are not counted in an experiment's control
    for exp in config.experiments:
        if exp.name not in out:
            out[exp.name] = pick_arm(exp, user_id)
    return out


def treatment_of(config: ExperimentsConfig, arms: dict[str, str]) -> Treatment:
    if not config.experiments:
        return Treatment()
    if arms.get(HOLDOUT) == "holdout":
        return Treatment(label="holdout")
    values: dict[str, str] = {}
    labels = []
    for exp in config.experiments:
        arm = arms.get(exp.name, exp.control)
        if arm not in exp.arms:  # an arm the new split dropped: back to the default
            arm = exp.control
        values[exp.factor] = arm
        labels.append(f"{exp.name}={arm}")
    return Treatment(ranker=values.get("ranker", "learned"), diversity=values.get("diversity", "on") == "on",
                     explanation=values.get("explanation", "model"), label=",".join(labels))


def treatment_for(config: ExperimentsConfig, assignments: InsightsLog, user_id: str) -> Treatment:
    """The shopper's treatment, storing any new assignment. A storage failure gives the defaults."""
    if not config.experiments:
        return Treatment()
    try:
        stored = assignments.assignments(user_id)
        arms = assign(config, user_id, stored)
        new = {k: v for k, v in arms.items() if k not in stored}
        if new:
            arms = {**arms, **assignments.assign(user_id, new)}  # another worker may have won the race
    except Exception as exc:  # experiments must never cost the shopper an answer
        log.warning("experiment assignment for %s failed: %s", user_id, exc)
        return Treatment()
    return treatment_of(config, arms)

"""Offline comparison of two rankers on held-out days of logs, and the promotion rule.

The metric is the counterfactual (IPS) DCG of Joachims et al. (WSDM 2017): each held-out shown list is
re-ordered by the model's scores of its logged features, and every card the shopper engaged with counts
`feedback / theta(logged position) / log2(1 + new rank)`. Its expectation is the DCG of the truly
relevant cards under the new order, whatever order they were logged in, so a model is not rewarded for
copying the logging ranker. Lists are grouped by shopper (a shopper's lists are not independent) and
the candidate's gain over the served model gets a paired bootstrap interval over shoppers.

Promotion rule: the logged positions pass the position-bias check, there is enough held-out feedback,
and the candidate is not worse: its mean is at least the served model's, and the 95 % interval of the
gain does not reach below -MARGIN (10 %) of the served model's value (non-inferiority: a candidate whose
possible loss is larger than that is not promoted, however good its point estimate looks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evaluation.learning.logs import Logged
from evaluation.learning.propensity import Propensities
from evaluation.learning.train import feedback
from evaluation.metrics import paired_bootstrap_ci
from ranking.model import RankerModel

MARGIN = 0.10  # relative non-inferiority margin: what the held-out logs of a small store can resolve
MIN_HELD_OUT_LISTS = 30


def ips_dcg(logs: Logged, prop: Propensities, scores: np.ndarray) -> dict[str, float]:
    """Per shopper, the mean IPS-DCG of their held-out lists with feedback, under `scores` (the number of
    such lists under the key "")."""
    gain = np.maximum(feedback(logs), 0) * prop.weight(logs.position)
    per_user: dict[str, list[float]] = {}
    order = np.argsort(logs.turn, kind="stable")
    turns, starts = np.unique(logs.turn[order], return_index=True)
    bounds = np.append(starts, len(order))
    for t in range(len(turns)):
        rows = order[bounds[t]:bounds[t + 1]]
        if gain[rows].sum() <= 0:
            continue
        ranks = np.empty(len(rows), dtype=np.int64)
        ranks[np.argsort(-scores[rows], kind="stable")] = np.arange(1, len(rows) + 1)
        per_user.setdefault(str(logs.user[rows[0]]), []).append(float((gain[rows] / np.log2(1 + ranks)).sum()))
    out = {u: float(np.mean(v)) for u, v in per_user.items()}
    out[""] = float(sum(len(v) for v in per_user.values()))
    return out


@dataclass
class Comparison:
    candidate: float
    current: float
    logged: float
    gain_low: float
    gain_high: float
    shoppers: int
    lists: int
    figures: dict[str, Any] = field(default_factory=dict)


def compare(held_out: Logged, prop: Propensities, candidate: RankerModel, current: RankerModel) -> Comparison:
    cand = ips_dcg(held_out, prop, candidate.rank_scores(held_out.X))
    cur = ips_dcg(held_out, prop, current.rank_scores(held_out.X))
    logged = ips_dcg(held_out, prop, -held_out.position.astype(np.float64))  # the order shoppers saw
    n_lists = int(cand.pop(""))
    cur.pop("")
    logged.pop("")
    users = sorted(cand)
    a = np.array([cand[u] for u in users])
    b = np.array([cur[u] for u in users])
    low, high = paired_bootstrap_ci(a, b, rounds=2000, seed=0)
    return Comparison(float(a.mean()) if users else 0.0, float(b.mean()) if users else 0.0,
                      float(np.mean([logged[u] for u in users])) if users else 0.0, low, high, len(users), n_lists)


def decide(comparison: Comparison, positions_ok: bool, positions_why: str) -> tuple[bool, str]:
    c = comparison
    if not positions_ok:
        return False, f"not promoted: {positions_why}"
    if c.lists < MIN_HELD_OUT_LISTS:
        return False, f"not promoted: only {c.lists} held-out lists with feedback (need {MIN_HELD_OUT_LISTS})"
    worst = c.current * MARGIN
    verdict = (f"IPS-DCG candidate {c.candidate:.4f} vs served {c.current:.4f} "
               f"(gain 95 % [{c.gain_low:+.4f}, {c.gain_high:+.4f}] over {c.shoppers} shoppers)")
    if c.candidate < c.current or c.gain_low < -worst:
        return False, "not promoted: worse than the served model: " + verdict
    return True, "promoted: not worse than the served model: " + verdict

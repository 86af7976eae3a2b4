"""How likely a shopper is to look at a card at each position: the examination propensities theta_k.

Clicks on logged lists are biased: a card at position 1 is clicked more because it is seen more, not
only because it is better. Under the position-based model P(click) = theta_k * relevance, weighting a
click at position k by 1 / theta_k gives an unbiased estimate of relevance (inverse propensity scoring).

Two estimators, chosen by what the logs hold:

- `randomized` (preferred): in an experiment arm that shows candidates in random order, relevance is
  independent of position, so CTR_k / CTR_1 estimates theta_k / theta_1 with no model assumption beyond
  the position-based model. It costs shoppers a worse order, which is why it is an experiment arm.
- `em` (otherwise): the regression-free EM of the position-based model (Chuklin et al., "Click models
  for web search", 2015; Wang et al., WSDM 2018), with one relevance parameter per (query, product). It
  needs the same product to appear at different positions across lists (it does, as lists vary with
  shoppers and personalization), and assumes the click model holds.

theta is normalized so theta_1 = 1 and clipped below at `MIN_THETA` (IPS weights of at most 10), the
usual variance-for-bias trade.

`position_bias_check` is the sanity check before any model is trusted: in every real log clicks fall
with position. If the top position is not clicked clearly more than the lower ones, the positions in
the log are not what was shown (a logging bug, shuffled data), and nothing learned from them is promoted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_THETA = 0.1
MIN_RANDOM_IMPRESSIONS = 150  # per position, for the randomized estimate


@dataclass(frozen=True)
class Propensities:
    theta: np.ndarray  # index k-1 -> theta_k, theta_1 = 1
    method: str  # randomized | em
    detail: str

    def weight(self, positions: np.ndarray) -> np.ndarray:
        k = np.clip(positions, 1, len(self.theta)) - 1
        return 1.0 / np.maximum(self.theta[k], MIN_THETA)


def _normalize(theta: np.ndarray) -> np.ndarray:
    theta = np.asarray(theta, dtype=np.float64)
    first = theta[0] if theta[0] > 0 else 1.0
    return np.clip(theta / first, MIN_THETA, 1.0)


def randomized(position: np.ndarray, click: np.ndarray, in_random_arm: np.ndarray, k_max: int
               ) -> Propensities | None:
    pos, clk = position[in_random_arm], np.minimum(click[in_random_arm], 1)
    shown = np.bincount(pos, minlength=k_max + 1)[1:k_max + 1]
    if len(shown) < k_max or shown.min() < MIN_RANDOM_IMPRESSIONS:
        return None
    clicks = np.bincount(pos, weights=clk, minlength=k_max + 1)[1:k_max + 1]
    if clicks[0] <= 0:
        return None
    ctr = clicks / shown
    # smooth: examination cannot rise with position, so take the running minimum of the noisy rates
    theta = np.minimum.accumulate(_normalize(ctr))
    return Propensities(theta, "randomized", f"from {int(shown.sum())} randomly ordered cards")


def em(position: np.ndarray, click: np.ndarray, item: np.ndarray, k_max: int, iterations: int = 60
       ) -> Propensities:
    """EM for P(click) = theta[pos] * gamma[item]; `item` holds integer ids of (query, product) pairs."""
    c = np.minimum(click, 1).astype(np.float64)
    k = np.clip(position, 1, k_max) - 1
    n_items = int(item.max()) + 1 if len(item) else 0
    theta = np.full(k_max, 0.5)
    gamma = np.full(n_items, 0.5)
    per_pos = np.maximum(np.bincount(k, minlength=k_max), 1)
    per_item = np.maximum(np.bincount(item, minlength=n_items), 1)
    for _ in range(iterations):
        t, g = theta[k], gamma[item]
        denom = np.maximum(1.0 - t * g, 1e-9)
        examined = c + (1 - c) * t * (1 - g) / denom  # P(E=1 | click)
        relevant = c + (1 - c) * (1 - t) * g / denom  # P(R=1 | click)
        theta = np.clip(np.bincount(k, weights=examined, minlength=k_max) / per_pos, 1e-4, 1.0)
        gamma = np.clip(np.bincount(item, weights=relevant, minlength=n_items) / per_item, 1e-4, 1 - 1e-4)
    return Propensities(np.minimum.accumulate(_normalize(theta)), "em",
                        f"EM of the position-based model over {len(c)} cards, {n_items} (query, product) pairs")


def estimate(position: np.ndarray, click: np.ndarray, in_random_arm: np.ndarray, item: np.ndarray,
             k_max: int) -> Propensities:
    return randomized(position, click, in_random_arm, k_max) or em(position, click, item, k_max)


def position_bias_check(position: np.ndarray, click: np.ndarray, z_needed: float = 3.0) -> tuple[bool, str]:
    """(ok, why): is position 1 clicked clearly more often than positions 3 and below?"""
    c = np.minimum(click, 1)
    top, low = position == 1, position >= 3
    n1, n2 = int(top.sum()), int(low.sum())
    if n1 < 30 or n2 < 30:
        return False, f"too few cards to check positions ({n1} at 1, {n2} at 3+)"
    p1, p2 = c[top].mean(), c[low].mean()
    pooled = (c[top].sum() + c[low].sum()) / (n1 + n2)
    se = math.sqrt(max(pooled * (1 - pooled) * (1 / n1 + 1 / n2), 1e-12))
    z = (p1 - p2) / se
    why = f"click-through at position 1 {p1:.3f} vs 3+ {p2:.3f} (z = {z:.1f})"
    if z < z_needed:
        return False, why + ": clicks do not fall with position, so the logged positions cannot be trusted"
    return True, why

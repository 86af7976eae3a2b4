"""Per-arm statistics of an experiment, with the shopper as the unit.

Click-through and add-to-cart are ratios over impressions, but impressions of one shopper are not
independent (one shopper who loves the store clicks on many cards), so intervals are clustered by
shopper: the delta method for a ratio of sums over shoppers,
`Var(R) ~= Var_i(Y_i - R * N_i) / (n * mean(N)^2)`, where shopper i has N_i impressions and Y_i clicks.
Two arms are independent samples of shoppers, so the difference's variance is the sum; it is
significant at 5 % when its 95 % interval excludes 0. The share of shoppers who added anything to the
cart is a plain proportion of shoppers, with a Wilson interval. `evaluation.experiments` checks the
calibration (A/A: about 5 % false positives) on simulated logs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Z95 = 1.959964


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """Wilson score interval of a proportion (sane for small n and for 0 or n successes)."""
    if n <= 0:
        return Interval(0.0, 0.0, 0.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def ratio(num: np.ndarray, den: np.ndarray) -> tuple[float, float]:
    """(sum(num) / sum(den), its standard error clustered by row): the delta method."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    n = len(den)
    total = den.sum()
    if n == 0 or total <= 0:
        return 0.0, 0.0
    r = float(num.sum() / total)
    if n < 2:
        return r, 0.0
    resid = num - r * den
    se = math.sqrt(float(np.var(resid, ddof=1)) / n) / float(den.mean())
    return r, se


def ratio_interval(num: np.ndarray, den: np.ndarray) -> Interval:
    r, se = ratio(num, den)
    return Interval(r, max(0.0, r - Z95 * se), r + Z95 * se)


def difference(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> Interval:
    """ratio(a) - ratio(b) with its 95 % interval (independent groups of shoppers)."""
    ra, sa = ratio(*a)
    rb, sb = ratio(*b)
    d = ra - rb
    half = Z95 * math.sqrt(sa * sa + sb * sb)
    return Interval(d, d - half, d + half)


@dataclass(frozen=True)
class ShopperCounts:
    """One arm: per shopper, impressions, clicks and carts (attributed to a shown card)."""

    impressions: np.ndarray
    clicks: np.ndarray
    carts: np.ndarray

    @property
    def shoppers(self) -> int:
        return len(self.impressions)


@dataclass(frozen=True)
class ArmStats:
    arm: str
    shoppers: int
    impressions: int
    clicks: int
    carts: int
    ctr: Interval
    atc: Interval  # add to cart per impression
    carting_shoppers: Interval  # share of shoppers with at least one add to cart
    ctr_vs_control: Interval | None = None
    atc_vs_control: Interval | None = None

    @property
    def significant(self) -> bool:
        """Click-through or add-to-cart differs from control beyond chance (5 %)."""
        return any(d is not None and d.excludes_zero for d in (self.ctr_vs_control, self.atc_vs_control))


def arm_stats(arm: str, counts: ShopperCounts, control: ShopperCounts | None = None) -> ArmStats:
    c = counts
    stats = ArmStats(
        arm=arm, shoppers=c.shoppers, impressions=int(c.impressions.sum()), clicks=int(c.clicks.sum()),
        carts=int(c.carts.sum()), ctr=ratio_interval(c.clicks, c.impressions),
        atc=ratio_interval(c.carts, c.impressions),
        carting_shoppers=wilson(int((c.carts > 0).sum()), c.shoppers),
    )
    if control is None or control is counts or control.shoppers < 2 or c.shoppers < 2:
        return stats
    return ArmStats(**{**stats.__dict__,
                       "ctr_vs_control": difference((c.clicks, c.impressions), (control.clicks, control.impressions)),
                       "atc_vs_control": difference((c.carts, c.impressions), (control.carts, control.impressions))})

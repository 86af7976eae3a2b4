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


@dataclass(frozen=True)
class Sums:
    """Sufficient statistics of one arm over its shoppers (n shoppers; N cards, C clicks, A adds to cart each):
    enough for the ratios and their shopper-clustered variances, so the database can aggregate them."""

    n: int
    N: float
    C: float
    A: float
    NN: float
    CC: float
    AA: float
    NC: float
    NA: float
    carting: int  # shoppers with at least one add to cart

    def ratio(self, which: str) -> tuple[float, float]:
        """(ratio, clustered standard error) of clicks ("C") or adds to cart ("A") per card: the delta method,
        Var_i(Y - R N) = (sum Y^2 - 2 R sum N Y + R^2 sum N^2) / (n - 1), since sum(Y - R N) = 0."""
        y, yy, ny = (self.C, self.CC, self.NC) if which == "C" else (self.A, self.AA, self.NA)
        if self.n == 0 or self.N <= 0:
            return 0.0, 0.0
        r = y / self.N
        if self.n < 2:
            return r, 0.0
        var = max(yy - 2 * r * ny + r * r * self.NN, 0.0) / (self.n - 1)
        return r, math.sqrt(var / self.n) / (self.N / self.n)


def sums_of(impressions: np.ndarray, clicks: np.ndarray, carts: np.ndarray) -> Sums:
    n_, c, a = (np.asarray(v, dtype=np.float64) for v in (impressions, clicks, carts))
    return Sums(len(n_), float(n_.sum()), float(c.sum()), float(a.sum()), float((n_ * n_).sum()),
                float((c * c).sum()), float((a * a).sum()), float((n_ * c).sum()), float((n_ * a).sum()),
                int((a > 0).sum()))


def ratio_interval(sums: Sums, which: str) -> Interval:
    r, se = sums.ratio(which)
    return Interval(r, max(0.0, r - Z95 * se), r + Z95 * se)


def difference(a: Sums, b: Sums, which: str) -> Interval:
    """ratio(a) - ratio(b) with its 95 % interval (independent groups of shoppers)."""
    ra, sa = a.ratio(which)
    rb, sb = b.ratio(which)
    d = ra - rb
    half = Z95 * math.sqrt(sa * sa + sb * sb)
    return Interval(d, d - half, d + half)


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


def arm_stats(arm: str, sums: Sums, control: Sums | None = None) -> ArmStats:
    stats = ArmStats(arm=arm, shoppers=sums.n, impressions=int(sums.N), clicks=int(sums.C), carts=int(sums.A),
                     ctr=ratio_interval(sums, "C"), atc=ratio_interval(sums, "A"),
                     carting_shoppers=wilson(sums.carting, sums.n))
    if control is None or control.n < 2 or sums.n < 2:
        return stats
    return ArmStats(**{**stats.__dict__, "ctr_vs_control": difference(sums, control, "C"),
                       "atc_vs_control": difference(sums, control, "A")})

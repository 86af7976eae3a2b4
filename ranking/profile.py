"""User profiles: static attributes plus time-decayed interests.

Every event moves the dynamic part with `P_t = a * P_{t-1} + (1 - a) * I_t`,
where `I_t` is the event's interest vector (the product's category, brand,
attributes and price band, scaled by the event weight) and
`a = min(0.5 ** (dt / half_life), max_retain)`: old interests fade with the
elapsed time, and `max_retain < 1` guarantees that even back-to-back clicks each
move the profile (so a new user's first clicks visibly change the ranking).
An event older than the profile's last update (out of order) does not rewind
time: its contribution is decayed by its own age instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ranking.events import DEFAULT_EVENT_WEIGHTS, EventType
from retrieval.catalog import Product

ATTRIBUTE_KEYS = ("colour", "material", "pattern", "occasion", "type", "gender")


@dataclass(frozen=True)
class ProfileConfig:
    half_life_days: float = 14.0
    max_retain: float = 0.8  # each event keeps at least 20% of its signal
    prune_below: float = 1e-3  # drop affinities that decayed to nothing
    max_keys: int = 200  # per affinity family, keep the strongest
    event_weights: dict[EventType, float] = field(default_factory=lambda: dict(DEFAULT_EVENT_WEIGHTS))


@dataclass
class StaticAttributes:
    gender: str = ""
    age_band: str = ""
    location: str = ""
    currency: str = ""
    language: str = ""
    budget_min: float | None = None
    budget_max: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StaticAttributes:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def price_band(price: float) -> str:
    """Currency-agnostic log2 band ("p7" = 128..255); "" when the price is unknown."""
    if price <= 0:
        return ""
    return f"p{int(math.log2(price))}"


def product_interests(product: Product) -> dict[str, dict[str, float]]:
    """The interest vector `I_t` of one product (before the event weight)."""
    out: dict[str, dict[str, float]] = {"categories": {}, "brands": {}, "attributes": {}, "price_bands": {}}
    path = [c.strip().lower() for c in product.category_path if c.strip()]
    for depth, cat in enumerate(path[:3]):
        out["categories"][cat] = 1.0 / (1 + depth)  # the top level generalizes most
    if product.brand:
        out["brands"][product.brand.lower()] = 1.0
    for key in ATTRIBUTE_KEYS:
        value = product.attributes.get(key, "").strip().lower()
        if value:
            out["attributes"][f"{key}={value}"] = 1.0
    band = price_band(product.price)
    if band:
        out["price_bands"][band] = 1.0
    return out


FAMILIES = ("categories", "brands", "attributes", "price_bands")


@dataclass
class UserProfile:
    user_id: str
    static: StaticAttributes = field(default_factory=StaticAttributes)
    categories: dict[str, float] = field(default_factory=dict)
    brands: dict[str, float] = field(default_factory=dict)
    attributes: dict[str, float] = field(default_factory=dict)
    price_bands: dict[str, float] = field(default_factory=dict)
    interest: np.ndarray | None = None  # decayed mean of interacted product embeddings
    updated_at: float | None = None
    n_events: int = 0
    recent: list[str] = field(default_factory=list)  # last interacted product ids, newest last
    disliked: list[str] = field(default_factory=list)  # products the shopper said no to, newest last

    @property
    def is_cold(self) -> bool:
        return self.n_events == 0

    def family(self, name: str) -> dict[str, float]:
        value: dict[str, float] = getattr(self, name)
        return value

    def top(self, family: str, n: int = 3) -> list[tuple[str, float]]:
        return sorted(self.family(family).items(), key=lambda kv: -kv[1])[:n]

    def affinities_to_dict(self) -> dict[str, dict[str, float]]:
        return {f: dict(self.family(f)) for f in FAMILIES}


class ProfileSource(Protocol):
    """Where the ranker reads a shopper's profile from; ranking never stores profiles itself (the assistant's
    `ProfileStore` does). None, or a cold profile, for an unknown shopper."""

    def get(self, user_id: str) -> UserProfile | None: ...


def _retain(dt_seconds: float, config: ProfileConfig) -> float:
    half_life = max(config.half_life_days, 1e-6) * 86400.0
    return min(0.5 ** (max(dt_seconds, 0.0) / half_life), config.max_retain)


def apply_event(
    profile: UserProfile,
    event_type: EventType,
    product: Product,
    ts: float,
    config: ProfileConfig,
    embedding: np.ndarray | None = None,
    recent_max: int = 20,
) -> UserProfile:
    """Fold one event into `profile` in place (and return it). `ts` must already be clamped to now."""
    weight = config.event_weights.get(event_type, 0.0)
    if profile.updated_at is None or ts >= profile.updated_at:
        a = _retain(0.0 if profile.updated_at is None else ts - profile.updated_at, config)
        scale_old, scale_new = a, (1.0 - a)
        profile.updated_at = ts
    else:
        # Out-of-order (older) event: keep the profile's clock, fade the event by its age.
        a = config.max_retain
        age_fade = 0.5 ** ((profile.updated_at - ts) / (max(config.half_life_days, 1e-6) * 86400.0))
        scale_old, scale_new = 1.0, (1.0 - a) * age_fade
    interests = product_interests(product)
    for fam in FAMILIES:
        current = profile.family(fam)
        for key in list(current):
            current[key] *= scale_old
        for key, value in interests[fam].items():
            current[key] = current.get(key, 0.0) + scale_new * weight * value
        kept = {k: v for k, v in current.items() if abs(v) >= config.prune_below}
        if len(kept) > config.max_keys:
            kept = dict(sorted(kept.items(), key=lambda kv: -abs(kv[1]))[: config.max_keys])
        setattr(profile, fam, kept)
    if embedding is not None:
        vec = np.asarray(embedding, dtype=np.float32).ravel()
        if profile.interest is None or profile.interest.shape != vec.shape:
            profile.interest = np.zeros_like(vec)
        profile.interest = (scale_old * profile.interest + scale_new * weight * vec).astype(np.float32)
    profile.n_events += 1
    if weight > 0:
        profile.recent = [*[p for p in profile.recent if p != product.id][-(recent_max - 1):], product.id]
        profile.disliked = [p for p in profile.disliked if p != product.id]
    else:
        profile.recent = [p for p in profile.recent if p != product.id]
        if event_type == EventType.DISLIKE:
            profile.disliked = [*[p for p in profile.disliked if p != product.id][-(recent_max - 1):], product.id]
    return profile

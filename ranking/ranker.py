"""`rank(query, candidates, profile)`: learned relevance + user/commerce signals + diversity.

Score of a candidate = the LambdaMART score (query relevance, learned from the
Home Depot judgements) + a documented linear blend of signals that data cannot
teach: the user's decayed affinities (brand, category, attributes, price band,
dense interest), cold-start quality priors (rating, popularity), discount and
budget fit. The ten best of that order are re-read by a small cross-encoder
(`ranking.cross_encoder`, English queries only), whose grade moves them within the
head of the list. Then a greedy diversity pass (MMR-style penalties for repeating a
brand or a category, plus a hard brand cap in the top 10) and short
machine-readable reasons for the LLM to phrase.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ranking.cross_encoder import CrossEncoder, is_english
from ranking.cross_encoder import load_default as load_cross_encoder
from ranking.features import Candidate, product_tokens, query_tokens, relevance_matrix, stems
from ranking.model import RankerModel, load_default
from ranking.profile import UserProfile, price_band
from retrieval.catalog import Product

log = logging.getLogger(__name__)


class _HitLike(Protocol):
    product: Product
    dense_score: float
    bm25_score: float


@dataclass(frozen=True)
class BlendWeights:
    """Weights of the hand-set part of the score, in units of the relevance score's dev-set std."""

    brand: float = 0.6
    category: float = 0.5
    attribute: float = 0.25
    price_band: float = 0.2
    interest: float = 0.8
    rating: float = 0.25
    popularity: float = 0.2
    discount: float = 0.2
    budget: float = 0.5
    gender_mismatch: float = 0.4  # product made for the other gender than the profile declares
    affinity_scale: float = 0.3  # tanh(affinity / scale): one click already counts, many saturate


@dataclass(frozen=True)
class DiversityConfig:
    brand_penalty: float = 0.35  # per already-selected product of the same brand
    category_penalty: float = 0.15  # per already-selected product of the same leaf category
    max_per_brand: int = 3  # in the first `window` results, when other brands are available
    window: int = 10


@dataclass
class RankedProduct:
    product: Product
    score: float
    reasons: list[str] = field(default_factory=list)
    relevance: float | None = None  # predicted 1..3 grade (only with `with_relevance=True`)
    components: dict[str, float] = field(default_factory=dict)


def _as_candidate(c: Candidate | _HitLike) -> Candidate:
    if isinstance(c, Candidate):
        return c
    return Candidate(c.product, float(c.dense_score), float(c.bm25_score))


def _squash(value: float, scale: float) -> float:
    return math.tanh(value / scale)


def _bayes_rating(p: Product, prior: float = 3.8, strength: float = 5.0) -> float | None:
    if p.rating is None or p.rating <= 0:
        return None
    n = max(p.rating_count, 0)
    return (p.rating * n + prior * strength) / (n + strength) if n else (p.rating + prior) / 2


_GENDERS = {
    "m": "men", "male": "men", "man": "men", "men": "men", "boys": "men", "boy": "men", "mens": "men",
    "f": "women", "female": "women", "woman": "women", "women": "women", "girls": "women", "girl": "women",
    "womens": "women", "unisex": "unisex",
}


def _gender(value: str) -> str:
    return _GENDERS.get(value.strip().lower().replace("'", ""), "")


class Ranker:
    """Holds the learned model and the blend/diversity settings. Thread-safe for `rank`."""

    def __init__(
        self,
        model: RankerModel | None = None,
        model_path: Path | None = None,
        weights: BlendWeights | None = None,
        diversity: DiversityConfig | None = None,
        cross_encoder: CrossEncoder | None = None,
        use_cross_encoder: bool | None = None,
    ) -> None:
        """`use_cross_encoder` defaults to on for the shipped model (its blend weight was tuned on top
        of that model's scores) or when a `cross_encoder` is given, and to off for any other model."""
        self._model = model
        self._model_path = model_path
        self.weights = weights or BlendWeights()
        self.diversity = diversity or DiversityConfig()
        self._cross_encoder = cross_encoder
        if use_cross_encoder is None:
            use_cross_encoder = cross_encoder is not None or (model is None and model_path is None)
        self.use_cross_encoder = use_cross_encoder

    @property
    def model(self) -> RankerModel:
        if self._model is None:
            self._model = load_default(str(self._model_path) if self._model_path else None)
        return self._model

    @property
    def cross_encoder(self) -> CrossEncoder | None:
        """The head re-scorer (the shipped one unless given), or None when switched off."""
        if not self.use_cross_encoder:
            return None
        if self._cross_encoder is None:
            self._cross_encoder = load_cross_encoder()
        return self._cross_encoder

    def rank(
        self,
        query: str,
        candidates: Sequence[Candidate | _HitLike],
        profile: UserProfile | None = None,
        *,
        product_vectors: np.ndarray | None = None,
        budget: tuple[float | None, float | None] | None = None,
        k: int | None = None,
        diversify: bool = True,
        with_relevance: bool = False,
    ) -> list[RankedProduct]:
        """Order `candidates` for this user; `product_vectors` (rows aligned with candidates,
        L2-normalized) enable the dense-interest term; `budget` = (min, max) price in store currency,
        defaulting to the profile's declared budget."""
        cands = [_as_candidate(c) for c in candidates]
        if not cands:
            return []
        X = relevance_matrix(query, cands)
        base = self.model.rank_scores(X)
        grades = self.model.relevance(X) if with_relevance else None
        if budget is None and profile is not None:
            budget = (profile.static.budget_min, profile.static.budget_max)
        extra, parts, reasons = self._blend(query, cands, profile, product_vectors, budget)
        ce = self.cross_encoder
        if ce is not None and ce.weight > 0 and is_english(query):
            # the cross-encoder reads the head of the list as the shopper would see it
            head = np.argsort(-(base + extra), kind="stable")[: ce.top_k]
            try:
                ce_grades = ce.score(query, [cands[i].product.title for i in head])
            except Exception as exc:  # a failing re-scorer must not cost the shopper the results
                log.warning("cross-encoder failed (%s: %s); keeping the ranker's order", type(exc).__name__, exc)
            else:
                base = ce.rescore(base, head, ce_grades)
                if grades is not None:
                    grades = grades.copy()
                    grades[head] = ce.blend_grade(grades[head], ce_grades)
        total = (base + extra).tolist()
        base_l = base.tolist()
        grades_l = grades.tolist() if grades is not None else None
        parts_l = {name: v.tolist() for name, v in parts.items()}
        results = []
        for i, c in enumerate(cands):
            components = {"relevance": base_l[i]}
            components.update({name: v[i] for name, v in parts_l.items() if v[i]})
            results.append(
                RankedProduct(c.product, total[i], reasons[i], grades_l[i] if grades_l else None, components)
            )
        results.sort(key=lambda r: -r.score)
        if diversify:
            results = self._diversify(results)
        if profile is not None and profile.disliked:  # a product the shopper said no to goes below the others
            said_no = set(profile.disliked)
            results = [r for r in results if r.product.id not in said_no] + [r for r in results
                                                                            if r.product.id in said_no]
        return results[:k] if k else results

    # ------------------------------------------------------------------ blend

    def _blend(
        self,
        query: str,
        cands: list[Candidate],
        profile: UserProfile | None,
        vectors: np.ndarray | None,
        budget: tuple[float | None, float | None] | None,
    ) -> tuple[np.ndarray, dict[str, np.ndarray], list[list[str]]]:
        w = self.weights
        n = len(cands)
        parts: dict[str, np.ndarray] = {
            name: np.zeros(n, dtype=np.float32)
            for name in ("brand", "category", "attribute", "price_band", "interest", "rating", "popularity",
                         "discount", "budget", "gender")
        }
        reasons: list[list[str]] = [[] for _ in range(n)]
        word_stems = [(wd, stems(wd)) for wd in query_tokens(query).words if len(wd) > 2]
        counts = np.array([max(c.product.rating_count, 0) for c in cands], dtype=np.float64)
        max_log = math.log1p(counts.max()) if counts.max() > 0 else 0.0
        interest = None
        if profile is not None and profile.interest is not None and vectors is not None:
            norm = float(np.linalg.norm(profile.interest))
            if norm > 1e-6 and vectors.shape == (n, profile.interest.shape[0]):
                interest = vectors @ (profile.interest / norm)
        lo, hi = budget if budget else (None, None)
        user_gender = _gender(profile.static.gender) if profile is not None else ""
        for i, c in enumerate(cands):
            p = c.product
            r = reasons[i]
            tokens = product_tokens(p)
            matched = [wd for wd, st in word_stems if st and st[0] in tokens.text_stems]
            if matched:
                r.append("matches: " + ", ".join(dict.fromkeys(matched[:3])))
            if profile is not None and not profile.is_cold:
                brand = tokens.brand
                b = _squash(profile.brands.get(brand, 0.0), w.affinity_scale) if brand else 0.0
                parts["brand"][i] = w.brand * b
                if b > 0.3:
                    r.append(f"you often choose {p.brand or brand}")
                elif b < -0.3:
                    r.append(f"you disliked {p.brand or brand} before")
                path = [x.strip() for x in p.category_path[:3] if x.strip()]
                if path:
                    scale = w.affinity_scale
                    levels = [_squash(profile.categories.get(x.lower(), 0.0), scale) for x in path]
                    best = max(range(len(levels)), key=lambda k: abs(levels[k]))
                    parts["category"][i] = w.category * levels[best]
                    if levels[best] > 0.3:
                        r.append(f"you like {path[best]}")
                attrs = [f"{k}={v.strip().lower()}" for k, v in p.attributes.items() if v]
                hits = [profile.attributes[a] for a in attrs if a in profile.attributes]
                if hits:
                    parts["attribute"][i] = w.attribute * _squash(sum(hits) / len(hits), w.affinity_scale)
                band = price_band(p.price)
                if band:
                    parts["price_band"][i] = w.price_band * _squash(profile.price_bands.get(band, 0.0),
                                                                    w.affinity_scale)
                if interest is not None:
                    parts["interest"][i] = w.interest * float(interest[i])
                    if interest[i] > 0.6:
                        r.append("similar to items you liked")
            if user_gender:
                made_for = {_gender(g) for g in p.attributes.get("gender", "").replace("&", ",").split(",")}
                made_for.discard("")
                if made_for and "unisex" not in made_for and user_gender not in made_for:
                    parts["gender"][i] = -w.gender_mismatch
            rating = _bayes_rating(p)
            if rating is not None:
                parts["rating"][i] = w.rating * (rating - 3.8) / 1.2
                if p.rating is not None and p.rating >= 4.2 and p.rating_count >= 5:
                    r.append(f"top rated {p.rating:.1f}")
            if max_log > 0:
                parts["popularity"][i] = w.popularity * math.log1p(counts[i]) / max_log
                if counts[i] >= 50 and counts[i] >= 0.5 * counts.max():
                    r.append("popular")
            if p.discount_pct >= 5:
                parts["discount"][i] = w.discount * min(p.discount_pct, 60.0) / 60.0
                r.append(f"{p.discount_pct:.0f}% off")
            if p.price > 0 and (lo is not None or hi is not None):
                if (lo is None or p.price >= lo) and (hi is None or p.price <= hi):
                    parts["budget"][i] = w.budget
                    r.append("within budget")
                elif hi is not None and p.price > hi:
                    parts["budget"][i] = -w.budget * min((p.price - hi) / max(hi, 1e-6), 1.0) - 0.1
                    r.append(f"{100 * (p.price - hi) / max(hi, 1e-6):.0f}% over budget")
        extra = np.sum(np.stack(list(parts.values())), axis=0)
        return extra, parts, reasons

    # -------------------------------------------------------------- diversity

    def _diversify(self, ranked: list[RankedProduct]) -> list[RankedProduct]:
        """Greedy MMR-style re-ranking of the head: repeated brands/categories pay a penalty."""
        cfg = self.diversity
        head_n = min(len(ranked), max(cfg.window * 3, cfg.window))
        pool = ranked[:head_n]
        tail = ranked[head_n:]
        brands = [product_tokens(r.product).brand for r in pool]
        cats = [r.product.category_path[-1].lower() if r.product.category_path else "" for r in pool]
        n_brands = len(set(brands))
        chosen: list[int] = []
        brand_count: dict[str, int] = {}
        cat_count: dict[str, int] = {}
        remaining = list(range(len(pool)))
        while remaining:
            best, best_val = -1, -math.inf
            in_window = len(chosen) < cfg.window
            # The brand cap only applies while some other brand is still under it.
            cap_active = in_window and n_brands > 1 and any(
                brand_count.get(brands[o], 0) < cfg.max_per_brand for o in remaining
            )
            for j in remaining:
                b, c = brands[j], cats[j]
                if cap_active and b and brand_count.get(b, 0) >= cfg.max_per_brand:
                    continue
                val = pool[j].score
                if in_window:
                    val -= cfg.brand_penalty * brand_count.get(b, 0) if b else 0.0
                    val -= cfg.category_penalty * cat_count.get(c, 0) if c else 0.0
                if val > best_val:
                    best, best_val = j, val
            if best < 0:
                best = remaining[0]
            chosen.append(best)
            remaining.remove(best)
            brand_count[brands[best]] = brand_count.get(brands[best], 0) + 1
            cat_count[cats[best]] = cat_count.get(cats[best], 0) + 1
        return [pool[j] for j in chosen] + tail


_default: Ranker | None = None


def default_ranker() -> Ranker:
    global _default
    if _default is None:
        _default = Ranker()
    return _default


def rank(
    query: str,
    candidates: Sequence[Candidate | Any],
    profile: UserProfile | None = None,
    **kwargs: Any,
) -> list[RankedProduct]:
    """Rank search hits (or `Candidate`s) for a user with the shipped model; see `Ranker.rank`."""
    return default_ranker().rank(query, candidates, profile, **kwargs)

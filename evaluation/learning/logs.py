"""The logged impressions as arrays: one row per card shown (with the relevance features the ranker saw),
its position, the shopper, the query, the day, and what the shopper did with it (click, cart, like,
dislike) through the action log's attribution."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, func, select

from assistant.insights.record import features_of, query_key
from assistant.storage.insights_schema import ActionRow, ImpressionRow, TurnLogRow
from ranking.features import RELEVANCE_FEATURES


@dataclass
class Logged:
    turn: np.ndarray  # int, the turn (= one shown list)
    user: np.ndarray  # object: shopper ids
    day: np.ndarray  # object: "YYYY-MM-DD"
    query: np.ndarray  # object: normalized ranked query
    product: np.ndarray  # object
    position: np.ndarray  # int, 1-based
    random_arm: np.ndarray  # bool: shown in random order (an experiment's ranker=random arm)
    X: np.ndarray  # (n, len(RELEVANCE_FEATURES)) float32
    click: np.ndarray  # int counts
    cart: np.ndarray
    like: np.ndarray
    dislike: np.ndarray

    def __len__(self) -> int:
        return len(self.turn)

    def subset(self, mask: np.ndarray) -> Logged:
        return Logged(**{k: v[mask] for k, v in self.__dict__.items()})

    @property
    def days(self) -> list[str]:
        return sorted(set(self.day.tolist()))


def load_logged(engine: Engine) -> Logged:
    """Every impression with logged features, oldest first."""
    i, t, a = ImpressionRow, TurnLogRow, ActionRow
    with engine.connect() as conn:
        rows = conn.execute(select(i.id, i.turn_id, i.user_id, i.day, t.rank_query, i.product_id, i.position,
                                   i.variant, i.features)
                            .join(t, t.id == i.turn_id).where(i.features.is_not(None)).order_by(i.id)).all()
        acted = conn.execute(select(a.impression_id, a.action, func.count()).where(a.impression_id.is_not(None))
                             .group_by(a.impression_id, a.action)).all()
    counts: dict[tuple[int, str], int] = {(int(imp or 0), act): n for imp, act, n in acted}
    width = len(RELEVANCE_FEATURES)
    X = np.zeros((len(rows), width), dtype=np.float32)
    keep = np.ones(len(rows), dtype=bool)
    for n, r in enumerate(rows):
        f = features_of(r.features)
        if f is None or len(f) != width:
            keep[n] = False
            continue
        X[n] = f

    def col(values: list[object], dtype: object = object) -> np.ndarray:
        return np.asarray(values, dtype=dtype)  # type: ignore[call-overload]

    logged = Logged(
        turn=col([r.turn_id for r in rows], np.int64), user=col([r.user_id for r in rows]),
        day=col([r.day for r in rows]), query=col([query_key(r.rank_query or "") for r in rows]),
        product=col([r.product_id for r in rows]), position=col([r.position for r in rows], np.int64),
        random_arm=col([("=random" in (r.variant or "")) for r in rows], bool), X=X,
        click=col([counts.get((r.id, "click"), 0) for r in rows], np.int64),
        cart=col([counts.get((r.id, "add_to_cart"), 0) for r in rows], np.int64),
        like=col([counts.get((r.id, "like"), 0) for r in rows], np.int64),
        dislike=col([counts.get((r.id, "dislike"), 0) for r in rows], np.int64),
    )
    return logged.subset(keep)

"""Shopper profiles and their events in SQL (`rk_profiles`, `rk_events`), next to the conversations.

Only the persistence lives here: what a profile is and how an event changes it
(decay, affinities, the interest vector) is ranking's (`ranking.profile`), and
ranking reads profiles through its `ProfileSource` protocol without knowing
this module. `record_event` validates the product first, then writes the event row and the
updated profile in one transaction: a rejected event writes nothing, and the
next `get` already reflects an accepted one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.storage.engine import Database, insert_for
from assistant.storage.schema import MAX_ID, ProfileEventRow, ProfileRow
from ranking.errors import RankingInputError, UnknownProductError
from ranking.events import Event, EventType, parse_event_type
from ranking.profile import FAMILIES, ProfileConfig, StaticAttributes, UserProfile, apply_event
from retrieval.catalog import Catalog, Product

ProductLookup = Callable[[str], Product | None]
EmbedFn = Callable[[Product], np.ndarray]


def _check_user(user_id: str) -> str:
    if not isinstance(user_id, str) or not user_id.strip():
        raise RankingInputError("user id must be a non-empty string")
    user_id = user_id.strip()
    if len(user_id) > MAX_ID:
        raise RankingInputError(f"user id longer than {MAX_ID} characters")
    return user_id


@dataclass
class ProfileStore:
    """Reads and updates profiles. `products` validates event product ids (a Catalog or a lookup)."""

    db: Database
    products: Catalog | ProductLookup
    embed: EmbedFn | None = None  # product -> embedding for the dense interest vector
    config: ProfileConfig = field(default_factory=ProfileConfig)
    clock: Callable[[], float] = time.time

    @classmethod
    def from_url(cls, url: str, products: Catalog | ProductLookup, **kwargs: object) -> ProfileStore:
        return cls(Database.open(url), products, **kwargs)  # type: ignore[arg-type]

    def _lookup(self, product_id: str) -> Product | None:
        if isinstance(self.products, Catalog):
            return self.products.get(product_id)
        return self.products(product_id)

    # ---------------------------------------------------------------- reads

    def get(self, user_id: str) -> UserProfile:
        """The stored profile, or a fresh cold-start profile for an unknown user (nothing written)."""
        user_id = _check_user(user_id)
        with Session(self.db.engine) as session:
            row = session.get(ProfileRow, user_id)
            return _to_profile(row) if row is not None else UserProfile(user_id=user_id)

    def events(self, user_id: str, limit: int = 100) -> list[Event]:
        user_id = _check_user(user_id)
        with Session(self.db.engine) as session:
            rows = session.scalars(
                select(ProfileEventRow).where(ProfileEventRow.user_id == user_id)
                .order_by(ProfileEventRow.id.desc()).limit(limit)
            ).all()
            rows = list(reversed(rows))
            return [Event(r.user_id, EventType(r.event_type), r.product_id, r.ts, r.weight) for r in rows]

    # ---------------------------------------------------------------- writes

    def record_event(
        self, user_id: str, event_type: str | EventType, product: Product | str, ts: float | None = None
    ) -> UserProfile:
        """Validate, store the event and fold it into the profile at once; returns the new profile.

        Raises `UnknownProductError` (nothing written) when the catalog does not know the product.
        Future timestamps are clamped to now; older-than-profile timestamps are handled as out of order.
        """
        return self.record_events(user_id, [(event_type, product)], ts)

    def record_events(
        self, user_id: str, events: Sequence[tuple[str | EventType, Product | str]], ts: float | None = None
    ) -> UserProfile:
        """Several events of one moment (the cards of one answer are all viewed) in ONE transaction:
        every product is validated first, so an unknown one writes nothing (`UnknownProductError`)."""
        user_id = _check_user(user_id)
        checked: list[tuple[EventType, str, Product]] = []
        for event_type, product in events:
            etype = parse_event_type(event_type)
            pid = product.id if isinstance(product, Product) else str(product)
            known = self._lookup(pid)
            if known is None:
                raise UnknownProductError(pid)
            checked.append((etype, pid, known))
        now = self.clock()
        when = now if ts is None else float(ts)
        if not np.isfinite(when):
            raise RankingInputError(f"event timestamp is not a number: {ts!r}")
        when = min(when, now)
        with Session(self.db.engine) as session, session.begin():
            row = _locked_row(session, user_id)
            profile = _to_profile(row)
            for etype, pid, known in checked:
                embedding = self.embed(known) if self.embed is not None else None
                apply_event(profile, etype, known, when, self.config, embedding)
                session.add(
                    ProfileEventRow(
                        user_id=user_id,
                        event_type=etype.value,
                        product_id=pid,
                        weight=self.config.event_weights.get(etype, 0.0),
                        ts=when,
                        recorded_at=now,
                    )
                )
            _write_profile(row, profile)
        return profile

    def set_static(self, user_id: str, static: StaticAttributes) -> UserProfile:
        user_id = _check_user(user_id)
        with Session(self.db.engine) as session, session.begin():
            row = _locked_row(session, user_id)
            row.static_json = json.dumps(static.to_dict())
            session.flush()
            return _to_profile(row)


def _locked_row(session: Session, user_id: str) -> ProfileRow:
    """The shopper's row, created empty when missing, locked until the transaction ends (PostgreSQL; SQLite
    has one writer at a time): two workers folding events into one profile at once must not lose either,
    and creating it is an upsert, so neither fails on the primary key."""
    table = ProfileRow.__table__
    session.execute(insert_for(session.get_bind(), table)  # type: ignore[arg-type]
                    .values(user_id=user_id, static_json="{}", affinities_json="{}", recent_json="[]", n_events=0)
                    .on_conflict_do_nothing())
    return session.execute(select(ProfileRow).where(ProfileRow.user_id == user_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()


def _to_profile(row: ProfileRow) -> UserProfile:
    aff = json.loads(row.affinities_json or "{}")
    interest = np.frombuffer(row.interest, dtype=np.float32).copy() if row.interest else None
    recent, disliked = _read_ids(row.recent_json)
    return UserProfile(
        user_id=row.user_id,
        static=StaticAttributes.from_dict(json.loads(row.static_json or "{}")),
        interest=interest,
        updated_at=row.updated_at,
        n_events=row.n_events or 0,
        recent=recent,
        disliked=disliked,
        **{f: {str(k): float(v) for k, v in aff.get(f, {}).items()} for f in FAMILIES},
    )


def _read_ids(text: str | None) -> tuple[list[str], list[str]]:
    """The recent and the disliked product ids: the column holds a JSON object of both, or, in rows written
    before dislikes were kept, a bare list of the recent ones."""
    value = json.loads(text or "[]")
    if isinstance(value, list):
        value = {"recent": value}
    return [str(p) for p in value.get("recent", [])], [str(p) for p in value.get("disliked", [])]


def _write_profile(row: ProfileRow, profile: UserProfile) -> None:
    row.affinities_json = json.dumps(profile.affinities_to_dict())
    row.recent_json = json.dumps({"recent": profile.recent, "disliked": profile.disliked})
    row.interest = profile.interest.astype(np.float32).tobytes() if profile.interest is not None else None
    row.updated_at = profile.updated_at
    row.n_events = profile.n_events

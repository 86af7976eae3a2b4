"""The store owner's tables: what shoppers were shown and did (`in_*`), experiment assignments (`ex_*`) and
the ranker promotion decisions (`rk_promotions`). On the one `MetaData` of `schema`, created with the rest.

Kept flat and simple on purpose (plain columns, no JSON to parse in SQL, no foreign keys), so the
insights queries are portable GROUP BYs over indexed columns and the tables can be added to a
migration history as they are (`migrations/versions/0001_initial.py`). Strings are `Key`/`Words`, stored alike
on SQLite and PostgreSQL. `day` is the UTC date of `ts` ("2025-03-07"): grouping by a stored
string is portable, where date functions differ between SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, Index, Integer, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from assistant.storage.schema import MAX_ID, Base, Key, Words


class TurnLogRow(Base):
    """One answered shopper message."""

    __tablename__ = "in_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[float] = mapped_column(Float)
    day: Mapped[str] = mapped_column(Key(10))
    conversation_id: Mapped[str] = mapped_column(Key(64))
    user_id: Mapped[str] = mapped_column(Key(MAX_ID))
    scene: Mapped[str] = mapped_column(Key(32))
    language: Mapped[str] = mapped_column(Key(8))
    query: Mapped[str] = mapped_column(Words, default="")  # the (masked) message, for the unanswered lists
    query_key: Mapped[str] = mapped_column(Key(120), default="")  # normalized, to group equal questions
    rank_query: Mapped[str] = mapped_column(Words, default="")  # the text the ranker scored (for retraining)
    result_count: Mapped[int] = mapped_column(Integer, default=0)
    unanswered: Mapped[str] = mapped_column(Key(32), default="")  # no_results | out_of_scope | ...
    first_card_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    first_token_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    elapsed_ms: Mapped[float] = mapped_column(Float, default=0.0)
    model_calls: Mapped[int] = mapped_column(Integer, default=0)
    model_sentences: Mapped[int] = mapped_column(Integer, default=0)
    template_fallbacks: Mapped[int] = mapped_column(Integer, default=0)
    removed_sentences: Mapped[int] = mapped_column(Integer, default=0)
    variant: Mapped[str] = mapped_column(Key(200), default="")  # "exp=arm,exp2=arm" | "holdout" | ""

    # The dashboard's counts come from the daily counters (`DailyCountRow`); these serve the lists.
    __table_args__ = (
        Index("ix_in_turns_day_conversation", "day", "conversation_id"),  # is this the day's first turn?
        Index("ix_in_turns_unanswered", "unanswered", "day", "query_key"),  # the unanswered questions
    )


class ImpressionRow(Base):
    """One product card shown, with the relevance features the ranker saw (for retraining)."""

    __tablename__ = "in_impressions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[int] = mapped_column(Integer)
    ts: Mapped[float] = mapped_column(Float)
    day: Mapped[str] = mapped_column(Key(10))
    conversation_id: Mapped[str] = mapped_column(Key(64))
    user_id: Mapped[str] = mapped_column(Key(MAX_ID))
    product_id: Mapped[str] = mapped_column(Key(MAX_ID))
    position: Mapped[int] = mapped_column(Integer)  # 1-based, as on the card
    scene: Mapped[str] = mapped_column(Key(32))
    variant: Mapped[str] = mapped_column(Key(200), default="")
    features: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # float32 RELEVANCE_FEATURES

    __table_args__ = (
        Index("ix_in_impressions_conversation_product", "conversation_id", "product_id"),  # action attribution
    )


class ActionRow(Base):
    """A click, add to cart, like, dislike, wishlist or remove, attributed to the card it came from."""

    __tablename__ = "in_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[float] = mapped_column(Float)
    day: Mapped[str] = mapped_column(Key(10))
    conversation_id: Mapped[str] = mapped_column(Key(64))
    user_id: Mapped[str] = mapped_column(Key(MAX_ID))
    product_id: Mapped[str] = mapped_column(Key(MAX_ID))
    action: Mapped[str] = mapped_column(Key(16))
    impression_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: not from a shown card
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scene: Mapped[str] = mapped_column(Key(32), default="")
    variant: Mapped[str] = mapped_column(Key(200), default="")

    __table_args__ = (Index("ix_in_actions_impression", "impression_id"),)


class HandoffLogRow(Base):
    """A handoff ticket's life: why it opened, when a person picked it up, whether it was resolved."""

    __tablename__ = "in_handoffs"

    ticket_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[float] = mapped_column(Float, index=True)
    day: Mapped[str] = mapped_column(Key(10))
    conversation_id: Mapped[str] = mapped_column(Key(64), index=True)  # the desk's moves find it by this
    kind: Mapped[str] = mapped_column(Key(32))  # explicit | frustration | repeated_failures | scene_rule
    reason: Mapped[str] = mapped_column(Words, default="")
    picked_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    resolved_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class AssignmentLogRow(Base):
    """A shopper's arm in one experiment (or in the holdout, experiment `_holdout`), kept for good, with what
    the shopper has done since."""

    __tablename__ = "ex_assignments"

    experiment: Mapped[str] = mapped_column(Key(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(Key(MAX_ID), primary_key=True)
    variant: Mapped[str] = mapped_column(Key(64))
    assigned_at: Mapped[float] = mapped_column(Float)
    # The shopper's totals since assignment (cards shown, clicks and adds to cart on them), kept as they
    # happen: an experiment's statistics are one aggregate over this table's rows of that experiment.
    shown: Mapped[int] = mapped_column(Integer, default=0)
    clicks: Mapped[int] = mapped_column(Integer, default=0)
    carts: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_ex_assignments_user", "user_id"),
                      Index("ix_ex_assignments_totals", "experiment", "variant", "shown", "clicks", "carts"))


class PromotionRow(Base):
    """One retrain-from-events decision: the candidate, the served model, the offline figures, promoted or not."""

    __tablename__ = "rk_promotions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[float] = mapped_column(Float)
    candidate: Mapped[str] = mapped_column(Key(120))
    current: Mapped[str] = mapped_column(Key(120))
    promoted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Words)
    figures_json: Mapped[str] = mapped_column(Words, default="{}")
    model_path: Mapped[str] = mapped_column(Words, default="")


class DailyCountRow(Base):
    """Counters per UTC day, kept as the logs are written, so the dashboard reads a few hundred rows instead
    of scanning a month of turns. `kind` names the counter, `key` its breakdown:

    - `turns` "scene|language", `conversations` "" (conversations with a turn that day)
    - `shown` and each action ("click", "add_to_cart", ...) "position|scene|variant"
    - `model_calls`, `model_sentences`, `template_fallbacks`, `removed_sentences`, `turns_with_fallback` ""
    - `first_card_ms` / `first_token_ms`: a latency histogram, key = the bucket (`latency_bucket`)
    """

    __tablename__ = "in_daily_counts"

    day: Mapped[str] = mapped_column(Key(10), primary_key=True)
    kind: Mapped[str] = mapped_column(Key(32), primary_key=True)
    key: Mapped[str] = mapped_column(Key(300), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)

"""`StateStore`: the assistant's records over one database, one repository per aggregate.

    store = StateStore.from_url(settings.resolved_database_url())
    conv = store.conversations.create("asha")
    store.conversations.add_message(conv.id, "user", "running shoes")
    store.carts.add("asha", "p1")
    ticket, position = store.handoffs.open(conv.id, "asha", "wants a person")

SQLite in the data directory by default, PostgreSQL by URL (`Settings.database_url`).
Database failures arrive as `StorageError`s with a sentence for the shopper and a
reason for the operator (`health`, shown by `/readyz`); see `engine` and `errors`.
Shopper profiles (`ProfileStore`) use the same database but need the catalog, so
`Services` carries them separately.
"""

from __future__ import annotations

import time

from sqlalchemy import Engine

from assistant.storage.agents import AgentRepository
from assistant.storage.carts import CartRepository
from assistant.storage.conversations import ConversationRepository
from assistant.storage.engine import Clock, Database
from assistant.storage.event_log import EventLog
from assistant.storage.handoffs import HandoffRepository
from assistant.storage.insights_log import InsightsLog
from assistant.storage.orders import OrderChanges


class StateStore:
    """All assistant-side persistence. Thread-safe (one session per call)."""

    def __init__(self, db: Database, clock: Clock = time.time) -> None:
        self.db = db
        self.conversations = ConversationRepository(db, clock)  # + messages and dialogue state
        self.carts = CartRepository(db, clock)  # + wishlists
        self.events = EventLog(db, clock)
        self.handoffs = HandoffRepository(db, clock)
        self.order_changes = OrderChanges(db, clock)
        self.agents = AgentRepository(db, clock)  # + sessions, assignments, notes
        self.insights = InsightsLog(db, clock)  # turns, cards shown, actions, experiments (the owner's view)

    @classmethod
    def from_url(cls, url: str, startup_wait_s: float = 10.0, clock: Clock = time.time) -> StateStore:
        return cls(Database.open(url, startup_wait_s), clock)

    @property
    def engine(self) -> Engine:
        return self.db.engine

    def health(self) -> tuple[bool, str]:
        return self.db.health()

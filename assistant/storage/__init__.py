"""The one owner of persistence: every table, the engine, the storage errors and a repository per aggregate.

| module | job |
|---|---|
| `schema` | every table on one `MetaData` (with a naming convention); `Key`/`Words`, strings stored alike everywhere |
| `migrate` | `ensure_schema` (Alembic to head at start, under a lock, once for all workers), `upgrade`, `current` |
| `migrations` | the packaged Alembic environment and its revisions (`versions/`) |
| `engine` | `make_engine`, `Database` (errors translated, schema at head, startup wait, health), `Repository` |
| `errors` | the `StorageError` family and `classify` |
| `status` | `ConversationStatus` and its one `transition` table; `TicketStatus` |
| `conversations` | conversations, messages and dialogue state |
| `carts`, `event_log`, `handoffs`, `orders`, `agents`, `profiles` | one aggregate each |
| `limits` | token buckets every worker shares (the API's rate limits) |
| `store` | `StateStore`, the repositories over one database (what `Services` carries) |
"""

from assistant.storage.errors import StorageBusy, StorageCorrupt, StorageError, StorageFull, classify
from assistant.storage.status import ConversationStatus, IllegalTransition, Move, TicketStatus, transition

__all__ = [
    "ConversationStatus",
    "IllegalTransition",
    "Move",
    "StorageBusy",
    "StorageCorrupt",
    "StorageError",
    "StorageFull",
    "TicketStatus",
    "classify",
    "transition",
]

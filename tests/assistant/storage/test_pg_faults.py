"""PostgreSQL unreachable or restarting: the shopper's "unavailable" sentence, the operator's cause (never the
host and port: `/readyz` is public), and service back by itself once the server answers."""

from __future__ import annotations

import pytest

from assistant.storage.engine import Database
from assistant.storage.errors import StorageError
from assistant.storage.store import StateStore
from evaluation.load.server import free_port

pytestmark = pytest.mark.postgres


def test_a_server_that_refuses_connections_is_unavailable_with_a_sentence_for_the_shopper() -> None:
    port = free_port()
    with pytest.raises(StorageError) as caught:
        Database.open(f"postgresql://shop@127.0.0.1:{port}/shop")
    error = caught.value
    assert error.kind == "unavailable" and error.status == 503
    assert error.message.startswith("Our records are temporarily unavailable")
    assert "refused the connection" in error.reason
    assert str(port) not in error.reason and "127.0.0.1" not in error.reason


def test_an_outage_mid_service_is_unavailable_then_over_by_itself(pg_server) -> None:  # type: ignore[no-untyped-def]
    """(`pg_server` only so that this test skips, or fails in CI, without PostgreSQL, as the others do.)"""
    from evaluation.load.engines import PostgresServer

    with PostgresServer() as pg:  # its own server: this test stops it
        store = StateStore.from_url(pg.create_database("shop"))
        conv = store.conversations.create("asha")
        pg.pause()
        with pytest.raises(StorageError) as caught:
            store.conversations.add_message(conv.id, "user", "running shoes")
        assert caught.value.kind == "unavailable" and caught.value.status == 503
        ok, reason = store.health()
        assert not ok and "127.0.0.1" not in reason
        pg.resume()
        store.conversations.add_message(conv.id, "user", "running shoes")  # a stale pooled connection: pre-ping
        assert [m.content for m in store.conversations.messages(conv.id)] == ["running shoes"]
        assert store.health() == (True, "ok")
        store.engine.dispose()

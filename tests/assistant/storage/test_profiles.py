"""Shopper profiles in SQL: events fold into the profile at once, rejected events write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from assistant.storage.engine import Database
from assistant.storage.profiles import ProfileStore
from ranking.errors import RankingInputError, UnknownProductError
from ranking.profile import StaticAttributes


def test_unknown_user_gets_cold_profile_and_nothing_is_written(store):
    prof = store.get("nobody")
    assert prof.is_cold and prof.brands == {}
    assert store.events("nobody") == []


def test_event_updates_profile_immediately(store, products):
    returned = store.record_event("alice", "click", products[0])
    loaded = store.get("alice")
    assert loaded.brands == pytest.approx(returned.brands)
    assert loaded.brands["acme"] > 0 and loaded.n_events == 1
    assert loaded.interest is not None and loaded.interest.shape == (32,)
    assert [e.product_id for e in store.events("alice")] == ["p0"]


def test_unknown_product_is_rejected_and_nothing_written(store):
    with pytest.raises(UnknownProductError, match="unknown product id 'ghost'"):
        store.record_event("bob", "purchase", "ghost")
    assert store.get("bob").is_cold
    assert store.events("bob") == []


def test_bad_event_type_and_user_id(store, products):
    with pytest.raises(RankingInputError):
        store.record_event("bob", "teleport", products[0])
    with pytest.raises(RankingInputError):
        store.record_event("  ", "click", products[0])
    assert store.events("bob") == []


def test_future_timestamp_is_clamped_to_now(store, products, clock):
    store.record_event("carol", "view", products[1], ts=clock.now + 10 * 86400)
    (event,) = store.events("carol")
    assert event.ts == clock.now
    assert store.get("carol").updated_at == clock.now


def test_out_of_order_events_are_accepted(store, products, clock):
    store.record_event("dan", "click", products[0], ts=clock.now)
    store.record_event("dan", "click", products[1], ts=clock.now - 30 * 86400)
    prof = store.get("dan")
    assert prof.updated_at == clock.now
    assert prof.brands["acme"] > prof.brands["bolt"] > 0


def test_persists_across_stores_and_shares_a_database(tmp_path, catalog, products):
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    db = Database.open(url)
    ProfileStore(db, catalog).record_event("erin", "purchase", products[2])
    ProfileStore(db, catalog).set_static("erin", StaticAttributes(gender="f", budget_max=2000))
    again = ProfileStore.from_url(url, catalog.get)
    prof = again.get("erin")
    assert prof.brands["corex"] > 0 and prof.static.budget_max == 2000
    assert {"rk_profiles", "rk_events", "as_conversations", "ag_agents"} <= set(inspect(db.engine).get_table_names())


def test_events_of_one_answer_are_written_in_one_transaction_or_not_at_all(store, products):
    one_by_one = store.record_event("gil", "view", products[0])
    one_by_one = store.record_event("gil", "view", products[1])
    batched = store.record_events("hana", [("view", products[0]), ("view", products[1])])
    assert batched.n_events == one_by_one.n_events == 2
    assert batched.brands == pytest.approx(one_by_one.brands)  # same profile as two single events
    assert [e.product_id for e in store.events("hana")] == ["p0", "p1"]
    with pytest.raises(UnknownProductError):
        store.record_events("ivy", [("view", products[0]), ("view", "ghost")])
    assert store.events("ivy") == [] and store.get("ivy").is_cold  # the known product was not written either


def test_dislikes_are_kept_and_rows_written_before_them_still_read(store, products):
    store.record_event("dora", "click", products[0])
    store.record_event("dora", "dislike", products[1])
    loaded = store.get("dora")
    assert (loaded.recent, loaded.disliked) == (["p0"], ["p1"])
    from sqlalchemy import update

    from assistant.storage.schema import ProfileRow

    with store.db.engine.begin() as conn:  # the shape of an older release's row
        conn.execute(update(ProfileRow).where(ProfileRow.user_id == "dora").values(recent_json='["p2", "p0"]'))
    old = store.get("dora")
    assert (old.recent, old.disliked) == (["p2", "p0"], [])

"""What a turn, a card action and a handoff leave in the owner's log, and the queries over it."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from assistant.conversation.turn import Conversation
from assistant.desk.queue import AgentDesk
from assistant.experiments.config import ExperimentsConfig
from assistant.insights.record import features_of
from assistant.insights.report import build_insights, period_of
from assistant.settings import ExperimentsSettings
from assistant.storage.insights_rollup import rebuild
from assistant.storage.insights_schema import ActionRow, DailyCountRow, HandoffLogRow, ImpressionRow, TurnLogRow
from assistant.testing import demo_products, make_services
from ranking.features import RELEVANCE_FEATURES


def _rows(services, table):  # type: ignore[no-untyped-def]
    with services.store.engine.connect() as conn:
        return conn.execute(select(table)).all()


def test_a_search_turn_logs_the_turn_its_cards_with_features_and_a_click_keeps_its_position() -> None:
    services = make_services(demo_products())
    conv = Conversation.start(services, "asha")
    list(conv.turn("running shoes"))
    (turn,) = _rows(services, TurnLogRow)
    assert (turn.scene, turn.language, turn.result_count, turn.unanswered) == ("search", "en", 5, "")
    assert turn.first_card_ms is not None and turn.first_card_ms <= turn.elapsed_ms
    assert turn.model_calls == 1 and turn.first_token_ms is not None and turn.rank_query
    cards = _rows(services, ImpressionRow)
    assert [c.position for c in cards] == [1, 2, 3, 4, 5]
    assert all(len(features_of(c.features)) == len(RELEVANCE_FEATURES) for c in cards)
    third = cards[2].product_id
    conv.act("click", third)
    conv.act("add_to_cart", third)
    conv.act("like", "w1")  # never shown in this conversation: logged, not attributed
    actions = {(a.action, a.product_id): a for a in _rows(services, ActionRow)}
    assert actions[("click", third)].position == 3 and actions[("add_to_cart", third)].position == 3
    assert actions[("like", "w1")].position is None


def test_questions_the_assistant_could_not_answer_are_marked() -> None:
    services = make_services(demo_products())
    conv = Conversation.start(services, "ben")
    for message in ("running shoes", "what is the weather today", "is the first one waterproof",
                    "unicorn saddle xyzzy under 10"):
        list(conv.turn(message))
    marked = [(t.scene, t.unanswered) for t in _rows(services, TurnLogRow)]
    assert ("out_of_scope", "out_of_scope") in marked
    assert ("product_qa", "listing_silent") in marked
    assert ("search", "no_results") in marked
    report = build_insights(services.store.engine, ExperimentsConfig(), period_of(7))
    groups = {g["kind"]: g for g in report["unanswered"]["groups"]}
    assert groups["out_of_scope"]["conversations"] == [conv.id]
    assert report["activity"]["turns"] == 4 and report["activity"]["days"][0]["conversations"] == 1


def test_handoffs_log_why_when_picked_up_and_resolved() -> None:
    services = make_services(demo_products())
    desk = AgentDesk(services.store)
    alice = desk.auth.create_agent("alice", "password1")
    conv = Conversation.start(services, "cy")
    list(conv.turn("this is useless and terrible"))  # frustration -> automatic handoff
    other = Conversation.start(services, "di")
    other.act("handoff", "wants a person")
    desk.take_over(conv.id, alice)
    desk.resolve(conv.id, alice)
    rows = {r.conversation_id: r for r in _rows(services, HandoffLogRow)}
    assert rows[conv.id].kind == "frustration" and rows[other.id].kind == "explicit"
    assert rows[conv.id].picked_at is not None and rows[conv.id].resolved_at is not None
    assert rows[other.id].picked_at is None
    report = build_insights(services.store.engine, ExperimentsConfig(), period_of(7))["handoffs"]
    assert report["count"] == 2 and report["by_kind"] == {"frustration": 1, "explicit": 1}
    assert report["resolved_share"] == 0.5 and report["pickup_p50_s"] is not None


def test_experiment_arms_reach_the_funnel_and_the_statistics_and_counters_rebuild_the_same() -> None:
    services = make_services(demo_products())
    cfg = ExperimentsConfig.from_settings(ExperimentsSettings.model_validate(
        {"holdout_share": 0.1, "experiments": [{"name": "rk", "factor": "ranker",
                                                "variants": {"learned": 1, "random": 1}}]}))
    services = dataclasses.replace(services, config=dataclasses.replace(services.config, experiments=cfg))
    for u in range(24):
        conv = Conversation.start(services, f"shopper{u}")
        list(conv.turn("running shoes"))
        conv.act("click", conv.state.last_shown[0])
    report = build_insights(services.store.engine, cfg, period_of(7))
    variants = set(report["funnel"]["variant"])
    assert variants <= {"rk=learned", "rk=random", "holdout"} and {"rk=learned", "rk=random"} <= variants
    (exp,) = report["experiments"]["experiments"]
    arms = {a["arm"]: a for a in exp["arms"]}
    assert set(arms) == {"learned", "random"} and arms["random"]["ctr_vs_control"] is not None
    holdout = {a["arm"]: a["shoppers"] for a in report["experiments"]["holdout"]}
    assert sum(holdout.values()) == 24 and arms["learned"]["shoppers"] + arms["random"]["shoppers"] == holdout["in"]
    assert report["funnel"]["position"]["1"]["click"] == 24
    before = sorted(tuple(r) for r in _rows(services, DailyCountRow))
    rebuild(services.store.engine)
    assert sorted(tuple(r) for r in _rows(services, DailyCountRow)) == before
    assert build_insights(services.store.engine, cfg, period_of(7))["experiments"] == report["experiments"]

"""Support: policy answers with a citation, and the order status / cancel / return flows.

Order actions go through the store's order source: a file source (the demo store)
books cancellations and returns (and the change persists in the state store); a
read-only one (SQL, HTTP) says what the shopper can do instead; an unreachable one
says so and offers a person. Questions are answered by the support answerer from the
policy section its intent routes to, worded by the model and checked by the grounding guard.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.conversation.events import Event, TextDeltaEvent
from assistant.conversation.skills import safety
from assistant.conversation.skills.base import Services, TurnContext, say
from assistant.insights.trace import NO_POLICY
from assistant.support.answer import NO_ORDER_LOOKUP, SupportAnswer, SupportTopic

_CANCEL = re.compile(r"\bcancel\b|取消", re.I)
_RETURN = re.compile(r"\breturn\b|退货|退回", re.I)
# "can I cancel ...?" asks about the rule; "cancel order AB-100233" asks for the action
_ORDER_INTENTS = ("track_order", "cancel_order", "change_order", "get_refund", "track_refund", "get_invoice")
_QUESTION = re.compile(
    r"^\s*(can|could|is it|how|what|when|why|do|does|will)\b|能不能|可以.*吗|能.*吗|能否|是否|怎么|如何", re.I)


def _order_id(ctx: TurnContext, services: Services) -> str | None:
    """The order number in the message, as this store writes them (or as the scene slots read it)."""
    raw = ctx.result.slots.order_number
    if services.orders is None:
        return raw or None
    found = services.orders.find_order_id(ctx.message)
    if found:
        return found
    return raw if raw and services.orders.accepts(raw) else None


def _order_action(ctx: TurnContext, services: Services, order_id: str) -> Iterator[Event] | None:
    orders = services.orders
    if orders is None:
        return None
    intent = ctx.result.sub_intent or ""
    asking = _QUESTION.search(ctx.message) is not None
    acting = (_CANCEL.search(ctx.message) or _RETURN.search(ctx.message)) and not asking
    refused = safety.refusal(ctx.message, ctx.zh) if acting else None
    if refused:  # an order change the shopper did not ask for directly, or on someone else's order
        return say(refused)
    if _CANCEL.search(ctx.message) and not asking and (intent in ("cancel_order", "") or "fee" not in ctx.message):
        result = orders.cancel(order_id, ctx.user_id)
    elif _RETURN.search(ctx.message) and not asking:
        result = orders.start_return(order_id, ctx.user_id)
    else:
        return None
    if result.ok and result.order is not None and orders.can_change:
        services.store.order_changes.record(result.order.order_id, result.order.status)
    if services.support is not None:  # a follow-up ("what can I do then?") continues this order's topic
        section = services.support.index.routing.actions.get(result.topic, "")
        ctx.memory[TOPIC] = SupportTopic(ctx.message, section, order_id if result.order else "").as_dict()
    head = ctx.t("", "（以下为订单系统的原文）\n")
    cite = services.citations.get(result.topic, "")
    return say(head + result.message + ("\n\n" + cite if cite and not result.unreachable else ""))


TOPIC = "support_topic"  # ctx.memory key of the open support topic (SupportTopic.as_dict)


def open_topic(ctx: TurnContext) -> SupportTopic | None:
    """The support topic a follow-up continues: the last support answer's, when the previous turn was support."""
    topic = SupportTopic.from_dict(ctx.memory.get(TOPIC))
    return topic if topic and ctx.state.last_scene == "support" else None


# Below both, no policy section really covers the question (a heuristic: the intent model is unsure and
# the best section's text is far from the message).
NO_POLICY_CONFIDENCE = 0.5
NO_POLICY_SIMILARITY = 0.35


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    order_id = _order_id(ctx, services)
    if order_id and services.orders is None and ctx.result.sub_intent in _ORDER_INTENTS:
        yield from say(NO_ORDER_LOOKUP.format(order=order_id))
        return
    if order_id:
        action = _order_action(ctx, services, order_id)
        if action is not None:
            yield from action
            return
    if services.support is None:
        ctx.trace.unanswered = NO_POLICY
        yield from say(ctx.t("I can't look up store policies right now. Press \u201cTalk to a person\u201d and "
                             "someone from the team will help.",
                             "暂时无法查询店铺政策。请点击“转人工”，客服会为您处理。"))
        return
    topic = open_topic(ctx)
    plan = services.support.plan(ctx.message, user_id=ctx.user_id, intent=ctx.result.sub_intent,
                                 confidence=ctx.result.confidence if ctx.result.sub_intent else None,
                                 language=ctx.language, topic=topic)
    ctx.memory[TOPIC] = plan.topic().as_dict()
    if ctx.zh:
        first = plan.messages[0]
        plan.messages[0] = {"role": first["role"], "content": first["content"] + " Answer in Simplified Chinese."}
    answer = SupportAnswer("", plan.intent.intent, plan.intent.confidence, plan.section.id, plan.citation)
    if plan.order is None and plan.intent.confidence < NO_POLICY_CONFIDENCE and (
            not plan.hits or plan.hits[0].similarity < NO_POLICY_SIMILARITY):
        ctx.trace.unanswered = NO_POLICY  # the closest section is a weak match: the owner should see the question
    for piece in services.support.stream(plan, answer):
        yield TextDeltaEvent(text=piece)
    ctx.record_generation(answer.report, answer.ttft_s)


def apply_saved_statuses(services: Services) -> None:
    """Re-apply order changes (cancelled, returned) saved by earlier runs to a file order source."""
    if services.orders is None or not services.orders.can_change:
        return
    for order_id, status in services.store.order_changes.all().items():
        services.orders.source.set_status(order_id, status)

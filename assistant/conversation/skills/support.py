"""Support: policy answers with a citation, and the order status / cancel / return flows.

Order actions change the demo store's order records (and the change persists in
the state store); questions are answered by the support answerer from the policy
section its intent routes to, worded by the model and checked by the grounding guard.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from assistant.conversation.events import Event, TextDeltaEvent
from assistant.conversation.skills import safety
from assistant.conversation.skills.base import Services, TurnContext, say
from assistant.support.answer import SupportAnswer

_CANCEL = re.compile(r"\bcancel\b|取消", re.I)
_RETURN = re.compile(r"\breturn\b|退货|退回", re.I)
# "can I cancel ...?" asks about the rule; "cancel order SA-100233" asks for the action
_QUESTION = re.compile(r"^\s*(can|could|is it|how|what|when|why|do|does|will)\b|能不能|可以.*吗|怎么|如何", re.I)


def _order_id(ctx: TurnContext) -> str | None:
    from assistant.support.orders import find_order_id

    found = find_order_id(ctx.message)
    if found:
        return found
    raw = ctx.result.slots.order_number
    if raw and re.fullmatch(r"SA-?\d{6}", raw, re.I):
        return "SA-" + raw.upper().removeprefix("SA").lstrip("-")
    return None


def _citation(section_id: str) -> str:
    from assistant.support.policies import section_by_id

    try:
        return f"(Source: {section_by_id(section_id).citation})"
    except Exception:
        return ""


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
    if result.ok and result.order is not None:
        services.store.order_changes.record(result.order.order_id, result.order.status)
    head = ctx.t("", "（以下为订单系统的原文）\n")
    return say(head + result.message + "\n\n" + _citation(result.policy_section))


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    order_id = _order_id(ctx)
    if order_id:
        action = _order_action(ctx, services, order_id)
        if action is not None:
            yield from action
            return
    if services.support is None:
        yield from say(ctx.t("I can't look up store policies right now. Press \u201cTalk to a person\u201d and "
                             "someone from the team will help.",
                             "暂时无法查询店铺政策。请点击“转人工”，客服会为您处理。"))
        return
    plan = services.support.plan(ctx.message, user_id=ctx.user_id, intent=ctx.result.sub_intent,
                                 confidence=ctx.result.confidence if ctx.result.sub_intent else None)
    if ctx.zh:
        first = plan.messages[0]
        plan.messages[0] = {"role": first["role"], "content": first["content"] + " Answer in Simplified Chinese."}
    answer = SupportAnswer("", plan.intent.intent, plan.intent.confidence, plan.section.id, plan.citation)
    for piece in services.support.stream(plan, answer):
        yield TextDeltaEvent(text=piece)
    ctx.record_generation(answer.report, answer.ttft_s)


def apply_saved_statuses(services: Services) -> None:
    """Re-apply order changes (cancelled, returned) saved by earlier runs to the in-memory order book."""
    if services.orders is None:
        return
    for order_id, status in services.store.order_changes.all().items():
        order = services.orders.orders.get(order_id)
        if order is not None:
            services.orders.orders[order_id] = replace(order, status=status)

"""Handoff: queue the conversation for a person, with the shopper's reason; the bot steps back."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.conversation.events import Event, HandoffEvent
from assistant.conversation.skills.base import Services, TurnContext, say
from assistant.insights.record import record_handoff


def open_ticket(ctx: TurnContext, services: Services, reason: str, automatic: bool = False) -> Iterator[Event]:
    ticket, position = services.store.handoffs.open(ctx.conversation_id, ctx.user_id, reason)
    record_handoff(services.store, ticket, ctx.conversation_id, reason, automatic)
    ctx.memory["handoff_ticket"] = ticket
    yield HandoffEvent(ticket_id=ticket, reason=reason, queue_position=position)
    yield from say(ctx.t(
        f"I've asked a person from our team to join (ticket #{ticket}, number {position} in the queue). "
        "They will see this whole conversation, so you won't need to repeat yourself.",
        f"已为您转接人工客服（工单#{ticket}，排队第{position}位）。客服可以看到完整的对话记录，您无需重复说明。",
    ))


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    yield from open_ticket(ctx, services, ctx.message.strip()[:500] or "shopper asked for a person")

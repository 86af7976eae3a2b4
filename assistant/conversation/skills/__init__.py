"""One skill per scene. `SKILLS[scene](ctx, services)` yields the turn's events."""

from __future__ import annotations

from assistant.conversation.skills import (
    cart,
    chitchat,
    compare,
    handoff,
    out_of_scope,
    product_qa,
    promotion,
    recommend,
    search,
    support,
)
from assistant.conversation.skills.base import Services, Skill, TurnContext, detect_language

SKILLS: dict[str, Skill] = {
    "search": search.run,
    "recommend": recommend.run,
    "compare": compare.run,
    "product_qa": product_qa.run,
    "support": support.run,
    "promotion": promotion.run,
    "cart": cart.run,
    "handoff": handoff.run,
    "chitchat": chitchat.run,
    "out_of_scope": out_of_scope.run,
}

__all__ = ["SKILLS", "Services", "Skill", "TurnContext", "detect_language"]

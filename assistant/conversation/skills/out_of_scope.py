"""Out of scope: a polite refusal that steers back to shopping (also the answer to prompt injection)."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.conversation.events import Event
from assistant.conversation.skills.base import Services, TurnContext, say


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    if ctx.result.slots.prompt_injection:
        reply = ctx.t("I can't change how I work, but I'm happy to help you shop. What are you looking for?",
                      "我不能改变我的工作方式，但很乐意帮您购物。您想找什么？")
    else:
        reply = ctx.t(
            f"Sorry, I can only help with shopping at {services.config.store_name}: finding and comparing products, "
            "your cart, orders, returns and offers. What can I find for you?",
            f"抱歉，我只能帮您处理{services.config.store_name}的购物相关问题：找商品、比较、购物车、订单、退货和优惠。"
            "需要我帮您找点什么吗？",
        )
    yield from say(reply)

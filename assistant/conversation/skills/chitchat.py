"""Small talk: a short friendly reply that says what the assistant can do."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.conversation.events import Event
from assistant.conversation.skills.base import Services, TurnContext, say

_THANKS = re.compile(r"\b(thanks?|thank you|thx|cheers)\b|谢谢|多谢|感谢", re.I)
_BYE = re.compile(r"\b(bye|goodbye|see you|good night)\b|再见|拜拜", re.I)
_WHO = re.compile(r"\b(who|what) are you\b|\bare you (a )?(bot|human|robot|real)\b|\byour name\b|你是谁|机器人", re.I)


def run(ctx: TurnContext, services: Services) -> Iterator[Event]:
    text = ctx.message
    if _THANKS.search(text):
        reply = ctx.t("You're welcome! Anything else I can find for you?", "不客气！还需要帮您找点什么吗？")
    elif _BYE.search(text):
        reply = ctx.t("Bye, and happy shopping! Your cart is saved for next time.",
                      "再见，购物愉快！购物车会为您保存。")
    elif _WHO.search(text):
        reply = ctx.t(
            f"I'm the shopping assistant of {services.config.store_name}, a bot. I can find products, compare them, "
            "answer questions about them, manage your cart and help with orders. A person is one click away "
            "(\u201cTalk to a person\u201d).",
            f"我是{services.config.store_name}的购物助手（机器人）。我可以帮您找商品、比较、解答商品问题、管理购物车和处理订单。"
            "需要人工时点击“转人工”即可。",
        )
    else:
        budget = services.config.money(services.example_budget)
        reply = ctx.t(
            f"Hi! I can help you find products (\u201crunning shoes under {budget}\u201d), compare them, answer "
            "questions, manage your cart and orders. What are you shopping for today?",
            f"您好！我可以帮您找商品（比如“{budget}以内的跑鞋”）、比较商品、解答问题、管理购物车和订单。今天想买点什么？",
        )
    yield from say(reply)

"""Chinese renderings of the short machine-made phrases shown next to cards (ranker reasons, filter chips)."""

from __future__ import annotations

import re

_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^matches: (.+)$", re.I), r"匹配：\1"),
    (re.compile(r"^you often choose (.+)$", re.I), r"您常选\1"),
    (re.compile(r"^you disliked (.+) before$", re.I), r"您曾不喜欢\1"),
    (re.compile(r"^you like (.+)$", re.I), r"您喜欢\1"),
    (re.compile(r"^similar to items you liked$", re.I), "与您喜欢的商品相似"),
    (re.compile(r"^top rated ([\d.]+)$", re.I), r"高评分\1"),
    (re.compile(r"^rated ([\d.]+)$", re.I), r"评分\1"),
    (re.compile(r"^popular pick$", re.I), "热门推荐"),
    (re.compile(r"^popular$", re.I), "热门"),
    (re.compile(r"^(\d+)% off$", re.I), r"优惠\1%"),
    (re.compile(r"^within budget$", re.I), "符合预算"),
    (re.compile(r"^(\d+)% over budget$", re.I), r"超出预算\1%"),
)
_CHIPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^under (.+)$"), r"\1以内"),
    (re.compile(r"^over (.+)$"), r"\1以上"),
    (re.compile(r"^brand: (.+)$"), r"品牌：\1"),
    (re.compile(r"^category: (.+)$"), r"类别：\1"),
    (re.compile(r"^colour: (.+)$"), r"颜色：\1"),
    (re.compile(r"^rating ≥ (.+)$"), r"评分≥\1"),
    (re.compile(r"^on sale$"), "促销中"),
    (re.compile(r"^in stock$"), "有货"),
)


def _apply(text: str, rules: tuple[tuple[re.Pattern[str], str], ...]) -> str:
    for rx, repl in rules:
        if rx.match(text):
            return rx.sub(repl, text)
    return text


def reason(text: str) -> str:
    return _apply(text.strip(), _REASONS)


def chip(text: str) -> str:
    return _apply(text.strip(), _CHIPS)

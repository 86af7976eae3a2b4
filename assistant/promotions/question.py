"""What a message asks about coupons: which term of a coupon ("max discount with that?", 什么时候到期),
whether it points at the coupon in focus ("that one", 这张), whether it asks for the list ("any coupons?"),
and the coupon codes it names (from the store's own coupons).

The words are the vocabulary of coupon terms (cap, minimum, expiry, scope, first order, saving) and of
the store's promotions policy (combining coupons, how to use one), in English and Chinese; the codes come
from the store's promotions file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.promotions.rules import Coupon

# Term of a coupon -> how shoppers ask about it.
ASPECTS: dict[str, re.Pattern[str]] = {
    "cap": re.compile(r"\b(?:max(?:imum)?|cap(?:ped)?|upper limit|up to|at most|most (?:i|it|you) (?:can|could)"
                      r"|(?:biggest|largest|highest) (?:discount|saving))\b|最高|最多|封顶|上限", re.I),
    "minimum": re.compile(r"\b(?:min(?:imum)?|spend|threshold|at least|order value|min order)\b"
                          r"|门槛|最低|最少|满多少|起用", re.I),
    "expiry": re.compile(r"\b(?:expir\w*|valid|validity|until|till|deadline|end date|ends?|still (?:on|good))\b"
                         r"|到期|有效期|截止|过期|什么时候结束|还能用|多久", re.I),
    "scope": re.compile(r"\b(?:appl(?:y|ies) to|valid (?:on|for)|works? (?:on|for)|which (?:items|products|categories)"
                        r"|what (?:items|products|can i use it))\b|适用|哪些商品|能用在|可以用在|用于", re.I),
    "first_order": re.compile(r"\b(?:first order|first purchase|new customers?|existing customers?)\b"
                              r"|首单|新用户|新客|老用户|老客户", re.I),
    "saving": re.compile(r"\b(?:how much (?:would|will|can|do|does) (?:i|it|that) save|how much off|save me"
                         r"|saving on my cart|how much more|what(?:'s| is) missing|do i qualify|does my cart)\b"
                         r"|省多少|能省|减多少|优惠多少|还差多少|够不够", re.I),
}
# Questions the store's promotions policy answers, not the coupon's own terms.
POLICY: dict[str, re.Pattern[str]] = {
    "combine": re.compile(r"\b(?:combine|combined|combining|stack\w*|together|at the same time|more than one"
                          r"|two coupons|multiple coupons|both coupons|another coupon|with (?:another|other))\b"
                          r"|叠加|同时使用|一起用|一起使用|多张|两张", re.I),
    "use": re.compile(r"\bhow (?:do|can|to|would) (?:i )?(?:use|apply|redeem|enter)\b|\bwhere do i (?:enter|put)\b"
                      r"|怎么用|如何使用|怎么使用|在哪里输入", re.I),
}
_REFERS = re.compile(r"\b(?:it|that|this|that one|this one|the code|the coupon|that code|this code|that coupon"
                     r"|this coupon)\b|那个|这个|那张|这张|它|该券|这券", re.I)
_LISTS = re.compile(r"\b(?:coupons|codes|deals|offers|promos|promotions|vouchers|discounts|other|others"
                    r"|else|all|list)\b|有什么|有哪些|有没有|还有|其他|其它|所有|全部", re.I)


@dataclass(frozen=True)
class CouponQuestion:
    aspects: tuple[str, ...]  # terms of a coupon asked about, in ASPECTS order
    policy: tuple[str, ...]  # policy questions (combine, use)
    refers: bool  # points at a coupon already talked about ("that one")
    lists: bool  # asks for coupons in general ("any coupons?", "what else?")

    @property
    def follows_up(self) -> bool:
        """Asks about the coupon in focus rather than for a list."""
        return (bool(self.aspects) or self.refers) and not self.lists


def read_question(text: str) -> CouponQuestion:
    return CouponQuestion(
        aspects=tuple(name for name, rx in ASPECTS.items() if rx.search(text)),
        policy=tuple(name for name, rx in POLICY.items() if rx.search(text)),
        refers=bool(_REFERS.search(text)),
        lists=bool(_LISTS.search(text)),
    )


def named_codes(text: str, coupons: Iterable[Coupon]) -> list[Coupon]:
    """The store's coupons whose code the message names (any letter case)."""
    return [c for c in coupons
            if re.search(rf"(?<![A-Za-z0-9]){re.escape(c.code)}(?![A-Za-z0-9])", text, re.I)]

"""The store's live coupons in words: what each gives and what it needs, in English or Chinese.

Every term is rendered from the coupon's fields, never from its free-text `description` (written once, in
one language, possibly with amounts in another format): amounts by the store's money formatter, dates by
Babel (English in the store's territory, or Chinese), category names in Chinese where the store's Chinese
term tables have a word for them, else as the catalog writes them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from assistant.promotions.rules import AppliedCoupon, Cart, Coupon, NearMiss, PromoProfile, evaluate_coupon
from retrieval.filters import CATEGORY_SYNONYMS
from retrieval.money import Money
from retrieval.product_types import singular
from retrieval.zh_terms import GLOSSARY, has_cjk


def is_live(coupon: Coupon, now: datetime) -> bool:
    """Started and not expired at `now`."""
    return not (coupon.starts and now < coupon.starts) and not (coupon.expires and now > coupon.expires)


def live_coupons(coupons: Iterable[Coupon], now: datetime) -> list[Coupon]:
    """The coupons a shopper can use at `now`, in the store's order."""
    return [c for c in coupons if is_live(c, now)]


def is_general(coupon: Coupon) -> bool:
    """Valid on any item (no category or brand condition)."""
    return not coupon.categories and not coupon.brands


@functools.cache
def category_zh(category: str) -> str:
    """The Chinese word for a catalog category, from the Chinese term tables; the category itself when none.

    The glossary maps Chinese words to English search terms: a word whose term is the category (or its
    singular: "watches" -> "watch" -> 手表) names it. Else the category's Chinese synonyms, preferring one
    listed first (a word rather than a single character of the same meaning: 鞋子 over 鞋)."""
    low = " ".join(category.lower().split())
    wanted = {low, singular(low)} if " " not in low else {low}
    for zh, term in GLOSSARY.items():
        if term in wanted and len(zh) > 1:
            return zh
    listed = {" ".join(k.split()): words for k, words in CATEGORY_SYNONYMS.items()}
    synonyms = [w for w in listed.get(low, ()) if has_cjk(w)]
    if synonyms:
        first = synonyms[0]
        # A one-character word reads better as the listed word that contains it and means the same (鞋 -> 鞋子).
        longer = [w for w in synonyms if len(first) == 1 and len(w) > 1 and first in w
                  and GLOSSARY.get(w) == GLOSSARY.get(first)]
        return longer[0] if longer else first
    return category


def _english_locale(locale: str) -> str:
    """English in the store's territory ("en_IN", "en_SE"), for dates in English answers."""
    try:
        parsed = Locale.parse(locale)
        if parsed.language == "en":
            return str(parsed)
        if parsed.territory:
            return str(Locale.parse(f"en_{parsed.territory}"))
    except (UnknownLocaleError, ValueError, TypeError):
        pass
    return "en"


def render_date(when: datetime, money: Money, zh: bool) -> str:
    """A date as the shopper reads it: "10 November 2026" (en_IN), "November 10, 2026" (en_US), 2026年11月10日."""
    return format_date(when.date(), "long", locale="zh_CN" if zh else _english_locale(money.locale))


class CouponWords:
    """One coupon's terms as sentences, in the answer's language and the store's money format."""

    def __init__(self, coupon: Coupon, money: Money, zh: bool) -> None:
        self.coupon, self.money, self.zh = coupon, money, zh

    # ----------------------------------------------------------------- pieces

    @property
    def code(self) -> str:
        return self.coupon.code

    def scope(self) -> str:
        """What it applies to: "footwear", "speedwav items", "鞋子"; "" for any item."""
        c = self.coupon
        if self.zh:
            return "、".join([category_zh(x) for x in c.categories] + list(c.brands))
        cats = _and(c.categories)
        brands = _and(c.brands)
        if cats and brands:
            return f"{cats} from {brands}"
        return cats or (f"{brands} items" if brands else "")

    def amount_off(self) -> str:
        c = self.coupon
        return f"{c.value:g}%" if c.kind == "percent" else self.money(c.value)

    def _cap(self) -> float | None:
        c = self.coupon
        return c.max_discount if c.kind == "percent" and c.max_discount is not None else None

    # ----------------------------------------------------------------- the whole coupon

    def line(self) -> str:
        """Code, what it gives, what it needs, its cap and end date, as one sentence."""
        return self._line_zh() if self.zh else self._line_en()

    def _line_en(self) -> str:
        c, scope = self.coupon, self.scope()
        target = scope or ("your first order" if c.first_order_only else "any order")
        parts = [f"{c.code}: {self.amount_off()} off {target}"]
        if c.min_basket:
            parts.append(f"needs {self.money(c.min_basket)} or more of those in the cart" if scope
                         else f"needs a cart of {self.money(c.min_basket)} or more")
        if c.first_order_only and scope:
            parts.append("first order only")
        if (cap := self._cap()) is not None:
            parts.append(f"saves at most {self.money(cap)}")
        if c.expires:
            parts.append(f"ends {render_date(c.expires, self.money, False)}")
        return "; ".join(parts) + "."

    def _line_zh(self) -> str:
        c, scope = self.coupon, self.scope()
        off = self.amount_off()
        if c.kind == "flat":
            gives = f"满{self.money(c.min_basket)}减{off}" if c.min_basket else f"立减{off}"
        else:
            gives = f"满{self.money(c.min_basket)}享{off}优惠" if c.min_basket else f"享{off}优惠"
        parts = [f"{c.code}：{gives}"]
        if (cap := self._cap()) is not None:
            parts.append(f"最高优惠{self.money(cap)}")
        if c.categories:
            parts.append("适用品类：" + "、".join(category_zh(x) for x in c.categories))
        if c.brands:
            parts.append("适用品牌：" + "、".join(c.brands))
        if not scope:
            parts.append("全场通用")
        if c.first_order_only:
            parts.append("仅限首单")
        if c.expires:
            parts.append(f"有效期至{render_date(c.expires, self.money, True)}")
        return "，".join(parts) + "。"

    # ----------------------------------------------------------------- one term ("max discount with that?")

    def has(self, aspect: str) -> bool:
        """Whether the coupon has a condition of this kind (a cap, a minimum, an end date, first order only)."""
        c = self.coupon
        return {"cap": self._cap() is not None, "minimum": bool(c.min_basket), "expiry": c.expires is not None,
                "first_order": c.first_order_only}.get(aspect, True)

    def none_has(self, aspect: str) -> str:
        """For several coupons of which none has the condition ("None of them has a cap.")."""
        en = {"cap": "None of them has a cap beyond its own amount.", "minimum": "None of them has a minimum spend.",
              "expiry": "None of them has an end date set.", "first_order": "None of them is limited to a first order."}
        zh = {"cap": "它们都没有额外的优惠上限。", "minimum": "它们都没有最低消费要求。",
              "expiry": "它们都没有设定截止日期。", "first_order": "它们都不限首单。"}
        return (zh if self.zh else en).get(aspect, "")

    def cap(self) -> str:
        c = self.coupon
        if (cap := self._cap()) is not None:
            return (f"{c.code}最高优惠{self.money(cap)}（{self.amount_off()}优惠）。" if self.zh
                    else f"{c.code} saves at most {self.money(cap)} ({self.amount_off()} off).")
        if c.kind == "flat":
            return (f"{c.code}固定立减{self.money(c.value)}，最多就减这么多。" if self.zh
                    else f"{c.code} takes a flat {self.money(c.value)} off, so that is the most it saves.")
        base = self.scope() or ("订单金额" if self.zh else "the cart")
        return (f"{c.code}没有优惠上限：按{base}的{self.amount_off()}计算。" if self.zh
                else f"{c.code} has no cap: it takes {self.amount_off()} off {base}.")

    def minimum(self) -> str:
        c, scope = self.coupon, self.scope()
        if not c.min_basket:
            return f"{c.code}没有最低消费要求。" if self.zh else f"{c.code} has no minimum spend."
        if self.zh:
            return f"{c.code}需要{scope + '商品' if scope else '订单'}满{self.money(c.min_basket)}才能使用。"
        where = f"of {scope} in the cart" if scope else "in the cart"
        return f"{c.code} needs {self.money(c.min_basket)} or more {where}."

    def expiry(self, now: datetime) -> str:
        c = self.coupon
        if c.expires and now > c.expires:
            date = render_date(c.expires, self.money, self.zh)
            return f"{c.code}已于{date}结束。" if self.zh else f"{c.code} ended on {date}."
        if c.starts and now < c.starts:
            date = render_date(c.starts, self.money, self.zh)
            return f"{c.code}从{date}开始可用。" if self.zh else f"{c.code} starts on {date}."
        if c.expires:
            date = render_date(c.expires, self.money, self.zh)
            return f"{c.code}有效期至{date}。" if self.zh else f"{c.code} is valid until {date}."
        return f"{c.code}目前没有设定截止日期。" if self.zh else f"{c.code} has no end date set."

    def applies_to(self) -> str:
        c, scope = self.coupon, self.scope()
        if not scope:
            return f"{c.code}全场通用。" if self.zh else f"{c.code} works on any item."
        return f"{c.code}适用于{scope}。" if self.zh else f"{c.code} applies to {scope} only."

    def first_order(self) -> str:
        c = self.coupon
        if c.first_order_only:
            return f"{c.code}仅限首单使用。" if self.zh else f"{c.code} is for your first order only."
        return f"{c.code}不限首单。" if self.zh else f"{c.code} is not limited to a first order."

    def on_cart(self, cart: Cart, profile: PromoProfile, now: datetime) -> str:
        """What it does for this cart: the saving, what is missing, or why it cannot apply."""
        c = self.coupon
        if not cart.lines:
            return (f"您的购物车是空的；加入商品后我可以算出{c.code}能省多少。" if self.zh
                    else f"Your cart is empty; add items and I can work out what {c.code} saves.")
        outcome = evaluate_coupon(c, cart, profile, now, money=self.money)
        if isinstance(outcome, AppliedCoupon):
            return (f"用在您的购物车上，{c.code}可节省{self.money(outcome.saving)}。" if self.zh
                    else f"On your cart, {c.code} saves {self.money(outcome.saving)}.")
        if isinstance(outcome, NearMiss):
            return self.missing(outcome)
        if c.first_order_only and is_live(c, now):
            return (f"{c.code}仅限首单，您的账户已有订单。" if self.zh
                    else f"{c.code} is for a first order only, and your account already has orders.")
        return self.expiry(now)

    def missing(self, miss: NearMiss) -> str:
        """What the cart lacks for this coupon ("add $X more for SAVE10")."""
        c, scope = self.coupon, self.scope()
        if miss.shortfall:
            if self.zh:
                return f"再买{self.money(miss.shortfall)}{scope + '商品' if scope else ''}即可使用{c.code}。"
            return f"Add {self.money(miss.shortfall)} more{' of ' + scope if scope else ''} to use {c.code}."
        return (f"{c.code}需要购物车里有{scope}商品。" if self.zh
                else f"{c.code} needs {scope} in the cart.")


def _and(names: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def lines(coupons: Sequence[Coupon], money: Money, zh: bool) -> list[str]:
    return [CouponWords(c, money, zh).line() for c in coupons]

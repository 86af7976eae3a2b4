"""Routing of service messages over the scene model: order numbers, support and promotion threads,
coupon words and policy words (EN and ZH), for any store.

The scene model reads one message. It cannot know that "and UPI?" follows a question about refund times,
that "AB-100231" is one of this store's order numbers, or that "do watches come with a warranty?" asks
about a policy although it names a product. In order:

1. a message with one of the store's order numbers is support (an order lookup), in any language;
2. a short or elliptical follow-up in a support or promotion thread ("and X?", "what about X", "X呢",
   "how long", "who pays", "it hasn't arrived") stays in that scene, unless it asks for products, changes
   the cart, asks for a person, points at a product in view or is small talk (`thread_scene`);
3. coupon words ("coupons?", "any promo codes for jewellery?", 优惠券) are promotion; "deals on <product>"
   stays a product search with a sale filter (deal words are not coupon words);
4. a message whose content is service words (scene.support_words) and that does not ask for products is
   support; a product named inside a policy question ("do watches come with a warranty?") does not make
   it a product question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scene.mentions import cart_verb
from scene.need_reading import is_product_request
from scene.slots import SceneSlots
from scene.state import DialogueState
from scene.support_words import COUPONS, DEALS, PROBLEM, ZH_STRONG, ServiceReading, SupportLexicon, content_words

THREAD_SCENES = ("support", "promotion")
_PRODUCT_SCENES = ("search", "recommend", "compare", "product_qa")
_WEAK_REFERENCE = ("it", "this", "that", "they", "them", "these", "those", "它", "这个", "那个")
SHORT_WORDS = 8
SHORT_CJK = 14

# Asking for products: a verb of finding or buying (with a product named, checked by the caller).
_SEARCH = re.compile(
    r"\b(?:show|find|search|browse|recommend|suggest|looking\s+for|look\s+for|shop\s+for|get\s+me|buy|purchase"
    r"|order\s+(?:me\s+)?(?:an?|some|more|the|two|three)\b|i\s+(?:need|want)|need\s+an?|want\s+an?)\b"
    r"|推荐|找|想买|要买|给我看|看看|来一?[个双件款]",
    re.I,
)
# Follow-up shapes that lean on the previous turn.
_ELLIPTIC = re.compile(
    r"^\W*(?:and|or|but|so|also|then|ok(?:ay)?\s*,?\s*(?:and|what|how|who|when|will|can|is|does|do)|what\s+about"
    r"|how\s+about|what\s+if|any|which|same)\b|\bfor\s+(?:the\s+)?\w+\s*\?\s*$|\binstead\b"
    r"|呢\s*[?？]?\s*$|哪个|哪张|哪一个|用哪|那.{0,6}呢|还有",
    re.I,
)
_OPENER = re.compile(
    r"^\W*(?:ok(?:ay)?\W+|so\W+|and\W+|but\W+)?(?:how|when|who|what|whats|what's|where|which|why|is|are|does|do|did"
    r"|can|could|will|would|should|has|have|hasn't|haven't|isn't|didn't|doesn't)\b"
    r"|多久|多少|什么时候|几天|几号|谁|怎么|哪|能不能|可不可以|可以吗|吗\s*[?？]?\s*$|是多少",
    re.I,
)
# The shopper's own situation or a thing already talked about.
_SITUATION = re.compile(r"\b(?:it|that|this|they|them|mine|my|i|i'm|i've|we|our|the\s+order|the\s+package"
                        r"|never|still|already|not\s+yet|\w+n't)\b|它|这个|那个|我|还没|已经|没有?|还是", re.I)
# Asking for a person: what makes a handoff in a thread ("and to a village?" is no request for one).
_PERSON = re.compile(r"\b(?:person|people|human|agent|someone|somebody|representative|staff|manager|operator"
                     r"|real|call\s+me|speak|talk)\b|人工|真人|客服人员|转接|打电话|经理", re.I)
# A yes/no question about the thread's subject, and asking whether the store has a product.
_YES_NO = re.compile(r"^\W*(?:is|are|does|do|did|can|could|will|would|should)\b|吗\s*[?？]?\s*$|可以|能不能|行不行"
                     r"|\b(?:included?|apply|applies|count|covered|eligible)\b|包括|适用|算", re.I)
_AVAILABLE = re.compile(r"\b(?:do|does)\s+(?:you|u|the\s+store)\s+(?:have|sell|stock|carry|got)\b|\bis\s+there\b"
                        r"|\bhave\s+you\s+got\b|有没有|有.{0,8}吗|卖不卖|卖.{0,8}吗", re.I)
_CART = re.compile(r"\b(?:cart|basket|bag)\b|购物车", re.I)
_ASKS = re.compile(r"[?？]|^\W*(?:is|are|does|do|did|can|could|will|would|should|how|what|whats|what's|when|who"
                   r"|which|why|where)\b|多久|多少|什么|怎么|怎样|如何|哪|吗|呢|能不能|可不可以|有没有|是否", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")


# Bitext support intents about one order: a message with an order number asks one of these.
ORDER_INTENTS = frozenset({"track_order", "cancel_order", "change_order", "get_refund", "track_refund",
                           "change_shipping_address", "check_cancellation_fee", "get_invoice", "check_invoice"})


def order_intent(sub_intent: str | None, state: DialogueState | None) -> str:
    """The support intent of a message with an order number: the model's when it is about an order, else the
    previous turn's order intent ("sorry, I meant AB-100233" corrects the number of the same question), else
    the order's status."""
    if sub_intent in ORDER_INTENTS:
        return sub_intent
    previous = state.turns[-1].sub_intent if state is not None and state.turns else None
    return previous if previous in ORDER_INTENTS else "track_order"


def has_order_number(text: str, slots: SceneSlots, order_pattern: re.Pattern[str] | None) -> bool:
    """Whether `text` carries one of the store's order numbers (its pattern, or the slots' reading of it)."""
    if order_pattern is None:
        return False
    return bool(order_pattern.search(text) or (slots.order_number and (
        order_pattern.fullmatch(slots.order_number) or order_pattern.fullmatch("#" + slots.order_number))))


@dataclass(frozen=True)
class Routed:
    scene: str
    reason: str
    inherit_intent: bool = False  # a support follow-up keeps the previous turn's support intent


def is_short(text: str) -> bool:
    return len(text.split()) <= SHORT_WORDS and len(_CJK.findall(text)) <= SHORT_CJK


def asks_for_products(text: str, slots: SceneSlots) -> bool:
    """A verb of finding or buying with a product named ("show me running shoes", "推荐一款手表"), or a plain
    product request ("running shoes under 3000")."""
    named = bool(slots.filters.types or slots.filters.brands or slots.filters.categories
                 or (slots.need is not None and slots.need.wishes))
    return (named and _SEARCH.search(text) is not None) or is_product_request(slots)


def _points_at_products(slots: SceneSlots) -> bool:
    return bool(slots.positions) or (slots.reference_text is not None and bool(slots.references)
                                     and slots.reference_text.lower() not in _WEAK_REFERENCE)


def thread_scene(text: str, scene: str, slots: SceneSlots, state: DialogueState,
                 reading: ServiceReading) -> Routed | None:
    """Keep a short follow-up in the support or promotion thread it continues (see the module docstring)."""
    previous = state.last_scene
    if previous not in THREAD_SCENES or scene == previous or (scene == "handoff" and _PERSON.search(text)):
        return None
    coupons = COUPONS.search(text) is not None
    if previous == "support" and coupons:
        return None  # a coupon question opens a promotion thread
    if previous == "promotion" and reading.strong and not coupons:
        return None  # "how do refunds work?" after coupons: a policy question
    if scene == "cart" and (cart_verb(text) is not None or _CART.search(text)):
        return None
    if _points_at_products(slots) or slots.relative_price is not None or not is_short(text):
        return None
    elliptic = _ELLIPTIC.search(text) is not None
    if asks_for_products(text, slots) and (_SEARCH.search(text) or not (
            elliptic or (_YES_NO.search(text) and not _AVAILABLE.search(text)))):
        return None  # "show me running shoes", "do you have sandals?"; not "any for watches?" in a coupon thread
        # or "鞋子也可以吗" ("shoes too?") after a question about returns
    if scene == "chitchat" and not content_words(text) and not reading.any and not elliptic and not (
            _OPENER.search(text) or "?" in text or "？" in text):
        return None  # "ok thanks", "好的谢谢"; not "what should I do now?"
    if slots.references and scene in _PRODUCT_SCENES and not reading.any:
        return None  # "is it waterproof?" about the product in view
    # a product question with no product in view and none named is no product question ("the link expired")
    no_product = scene in ("product_qa", "compare") and not (state.last_shown or state.focus) and not (
        slots.filters.types or slots.filters.brands)
    if not (elliptic or no_product or _OPENER.search(text) or _SITUATION.search(text) or reading.any or coupons):
        return None  # something new altogether
    return Routed(previous, f"context:{previous}_thread", inherit_intent=previous == "support")


def service_scene(
    text: str,
    scene: str,
    slots: SceneSlots,
    state: DialogueState | None,
    lexicon: SupportLexicon,
    order_pattern: re.Pattern[str] | None,
    reread: Callable[[str], SceneSlots] | None = None,
) -> Routed | None:
    """The scene a service message calls for over the model's `scene`, or None to keep it. `reread` gives
    the slots of another text (a Chinese service word may hide a product word: 包邮 is no bag)."""
    if slots.prompt_injection or (scene == "handoff" and _PERSON.search(text)):
        return None
    if has_order_number(text, slots, order_pattern):
        return None if scene == "support" else Routed("support", "guard:order_number")
    reading = lexicon.read(text)
    if state is not None:
        routed = thread_scene(text, scene, slots, state, reading)
        if routed is not None:
            return routed
    if scene in ("support", "handoff") or (scene == "promotion" and (DEALS.search(text) or not reading.strong)):
        return None  # "运费怎么算" is no promotion; "free shipping offers?" is
    wants_cart = scene == "cart" and (cart_verb(text) is not None or _CART.search(text) is not None)
    if COUPONS.search(text):
        if wants_cart and cart_verb(text) is not None:
            return None
        named = bool(slots.filters.types or slots.filters.brands)
        return None if named and _SEARCH.search(text) else Routed("promotion", "context:coupon_words")
    if not reading.is_service or wants_cart:
        return None
    if asks_for_products(text, slots):
        hidden = PROBLEM.sub(" ", ZH_STRONG.sub(" ", text))
        if hidden == text or reread is None or asks_for_products(hidden, reread(hidden)):
            return None
    if not reading.strong and scene not in ("out_of_scope", "chitchat"):
        return None  # weak words alone ("what does it cost?") do not take a message from a product scene
    if (slots.filters.types or slots.filters.brands) and not (
            _ASKS.search(text) or _SITUATION.search(text) or PROBLEM.search(text)):
        return None  # "waterproof watches with a 2 year warranty": a product described, not a policy question
    if _points_at_products(slots) and not reading.strong:
        return None
    return Routed("support", "context:policy_words")

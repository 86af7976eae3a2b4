"""How a message points at products, and what it asks the cart to do, read from the words (EN and ZH).

    parse_mention("put the cheaper one in my cart")   -> Mention(kind="extreme", ordering="price_asc", comparative)
    parse_mention("第三个也要")                         -> Mention(kind="positions", positions=(3,), also=True)
    parse_quantity("make the second one 3")           -> Quantity(3, "set")
    cart_verb("两个都要")                               -> "add"

Text only: which products the words mean is decided by the assistant
(`assistant.conversation.referents`) against the dialogue's referent sets (scene.referents) and
the catalog's facts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from retrieval.money import CURRENCY_SIGNS
from scene.slots import find_positions

Kind = Literal["none", "positions", "extreme", "both", "all", "other", "it", "them"]
Ordering = Literal["price_asc", "price_desc", "discount", "rating", "popularity", "weight_asc", "weight_desc"]
CartVerb = Literal["add", "remove", "quantity"]


@dataclass(frozen=True)
class Mention:
    """One way of pointing at products. `comparative`: "the cheaper one" (between two) vs "the cheapest"."""

    kind: Kind = "none"
    positions: tuple[int, ...] = ()
    ordering: Ordering | None = None
    comparative: bool = False
    phrase: str = ""
    in_cart: bool = False  # "in my cart", "购物车里的": the cart lines, whatever is on screen
    standalone: bool = False  # a superlative naming one of the products in view ("the cheapest one?"), no new noun
    also: bool = False  # "too", "as well", "也": the previous action again, on another product


@dataclass(frozen=True)
class Quantity:
    """`add` n (more) of it, `set` the line to n, or `more`: n more than the cart holds."""

    n: int
    mode: Literal["add", "set", "more"]


_CL = "个双件款台条本部只套种辆把张瓶盒份包支块"
_EN_N = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "a couple of": 2, "a couple": 2, "another": 1, "a": 1, "an": 1, "a dozen": 12, "dozen": 12}
_ZH_N = {"一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_NUM = r"\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|a couple(?: of)?|a dozen"
_ZH_NUM = r"[一二两俩三四五六七八九十]|\d{1,3}"

# ---------------------------------------------------------------- superlatives and comparatives

# (ordering, superlative, comparative). A comparative names a product only as "the cheaper one", "the
# cheaper of the two", "便宜的那个": "cheaper ones?" and "再便宜点的" are refinements of a search.
_EXTREMES: tuple[tuple[Ordering, str, str], ...] = (
    ("discount",
     r"\b(?:biggest|largest|highest|best|greatest|deepest|maximum|max|most)\s+(?:discount|saving|savings|markdown|"
     r"reduction|price\s+drop|%\s*off|percent\s+off)\b|\bmost\s+discounted\b|\bbest\s+deal\b"
     r"|折扣最[大多高]|优惠最[大多]|打折最多|最划算|最优惠|省(?:得)?最多|降价最多",
     r"\b(?:bigger|larger|higher|better|deeper|more)\s+(?:discount|saving|savings|deal)\b|\bmore\s+discounted\b"
     r"|折扣(?:更)?大|优惠(?:更)?多|更划算|更优惠"),
    ("price_asc",
     r"\bcheapest\b|\bleast\s+(?:expensive|pricey|costly)\b|\blowest[-\s]+(?:price|priced|cost)\b|\bmost\s+affordable\b"
     r"|\bbest\s+price\b|最便宜|价格最低|最低价|最实惠|价钱最低",
     r"\bcheaper\b|\bless\s+(?:expensive|pricey|costly)\b|\blower[-\s]+(?:price|priced|cost)\b|\bmore\s+affordable\b"
     r"|(?:更|比较)?便宜(?:一?点|一些|些)?|(?:更)?实惠(?:一?点)?"),
    ("price_desc",
     r"\bmost\s+(?:expensive|pricey|costly)\b|\bpriciest\b|\bcostliest\b|\bdearest\b|\bhighest[-\s]+(?:price|priced)\b"
     r"|最贵|价格最高|最高价|价钱最高",
     r"\bmore\s+(?:expensive|pricey|costly)\b|\bpricier\b|\bcostlier\b|\bdearer\b|\bhigher[-\s]+(?:price|priced)\b"
     r"|(?:更|比较)?贵(?:一?点|一些|些)?"),
    ("rating",
     r"\b(?:best|highest|top)[-\s]+(?:rated|reviewed|rating|ratings|reviews)\b|\bmost\s+(?:stars|liked)\b"
     r"|\bbest\s+one\b|评分最[高好]|评价最[好高]|好评最多|口碑最好|最受好评|星级最高"
     r"|最好的(?=\s*(?:那|这)?\s*一?[个款件双只条])|(?<=哪个)最好|(?<=哪款)最好|(?<=哪一个)最好",
     r"\b(?:better|higher)[-\s]+(?:rated|reviewed|rating|ratings|reviews)\b|\bbetter\s+one\b"
     r"|评分(?:更)?高|评价(?:更)?好|口碑(?:更)?好|(?:更)?好"),
    ("popularity",
     r"\bmost\s+(?:popular|reviewed|reviews|ratings)\b|\bbest[-\s]?sell(?:ing|er)\b|最受欢迎|评价最多|评论最多|最热门|卖得最好",
     r"\bmore\s+popular\b|更受欢迎|评价(?:更)?多"),
    ("weight_asc", r"\blightest\b|\bleast\s+heavy\b|最轻", r"\blighter\b|(?:更)?轻(?:一?点)?"),
    ("weight_desc", r"\bheaviest\b|最重", r"\bheavier\b|(?:更)?重(?:一?点)?"),
)
_EXTREME_RX = tuple((o, re.compile(s, re.I), re.compile(c, re.I)) for o, s, c in _EXTREMES)

_TAIL_REF = re.compile(  # what may follow a superlative that names one of the products in view
    r"\s*(?:one|ones|pair|option|item|piece|model|choice|of\b|among|in\b|from|on\b|between|here|there|and\b|"
    r"please|pls|plz|to\b|for\s+me|instead|too|also|as\s+well|,|\.|\?|!|$)", re.I)
_TAIL_REF_ZH = re.compile(rf"\s*(?:的)?\s*(?:那|这)?\s*一?\s*(?:[{_CL}]|加入|放|是|吗|呢|？|\?|。|，|,|！|$|"
                          r"也|给|帮|吧|要)")
_THE_BEFORE = re.compile(r"\b(?:the|whichever(?:\s+one)?\s+is|which(?:\s+one)?\s+is|"
                         r"one\s+(?:that'?s|that\s+is|which\s+is)|"
                         r"one\s+with\s+the|with\s+the|has\s+the|one\s+with\s+a|has\s+a)\s*$", re.I)
_ONE_AFTER = re.compile(r"\s*(?:one\b|pair\b|option\b|item\b|of\s+the\b|of\s+(?:them|these|those)\b|\?|$|,|\.)")
_ZH_THAT_AFTER = re.compile(rf"^\s*(?:的)?\s*(?:那|这)\s*(?:一)?\s*[{_CL}]")
_WHICH = re.compile(r"\bwhich\b|\bwhat'?s\s+the\b|\bwhat\s+is\s+the\b|哪(?:一)?[个款件双只条]|哪个|谁", re.I)


def asks_which(text: str) -> bool:
    """"which one is the cheapest?", "哪个评分最高": a question whose answer is one of the products in view."""
    return bool(_WHICH.search(text))


def parse_extreme(text: str) -> Mention | None:
    """The superlative or comparative of `text` even when it also names card numbers ("compare the cheapest
    and the second")."""
    return _extreme(text.lower(), verb=cart_verb(text) is not None)


def _extreme(text: str, verb: bool) -> Mention | None:
    low = text.lower()
    which = asks_which(low)
    for ordering, sup, comp in _EXTREME_RX:
        for m in sup.finditer(low):
            tail = low[m.end():]
            zh = not m.group(0).isascii()
            standalone = bool(_TAIL_REF_ZH.match(tail) if zh else _TAIL_REF.match(tail))
            if verb or which or standalone:
                return Mention("extreme", ordering=ordering, phrase=m.group(0), standalone=standalone)
        for m in comp.finditer(low):
            zh = not m.group(0).isascii()
            if zh:
                named = bool(_ZH_THAT_AFTER.match(low[m.end():])) or (which and m.group(0) != "好")
            else:
                after = low[m.end():]
                the_one = (bool(_THE_BEFORE.search(low[:m.start()])) and bool(_ONE_AFTER.match(after))) or (
                    bool(re.match(r"\s*(?:one|pair|option|item)\b", after))
                    and not re.search(r"\b(?:a|an|any|another|some)\s*$", low[:m.start()]))  # "cheaper one please"
                named = the_one or (which and bool(re.match(r"\s*(?:\?|$|,|\.)", after)))
            if named:
                return Mention("extreme", ordering=ordering, comparative=True, phrase=m.group(0), standalone=True)
    return None


# ---------------------------------------------------------------- other ways of pointing

_OTHER = re.compile(r"\b(?:the\s+)?other\s+(?:one|pair|option|item|model)\b|\bthe\s+other\b(?!\s+\w+s\b)"
                    rf"|\bthe\s+remaining\s+one\b|另(?:外)?一?[{_CL}]|另外那[{_CL}]|另一款|另外的", re.I)
_BOTH = re.compile(r"\b(?:both|these\s+two|those\s+two|the\s+two(?!\s+of\s+us)|them\s+both|either\s+of\s+them)\b"
                   rf"|两[{_CL}]?都|这两[{_CL}]?|那两[{_CL}]?|两[{_CL}]一起|俩都", re.I)
_ALL = re.compile(r"\ball\s+(?:of\s+)?(?:them|these|those|three|four|five|the\s+\w+)\b|\beverything\b|\bthe\s+lot\b"
                  r"|\ball\b(?=\s+(?:to|in|into)\s+(?:my\s+|the\s+)?(?:cart|basket))|\bthem\s+all\b"
                  rf"|全部|全都(?:要|加|买|放)|所有(?:的)?(?:这些|商品|产品)|都要|都加|都放|都买|这几[{_CL}]"
                  r"|这些都", re.I)
_IT = re.compile(r"\b(?:it|this\s+one|that\s+one|this|that|this\s+pair|that\s+pair|the\s+same(?:\s+one)?)\b"
                 rf"|它(?!们)|这[{_CL}]|那[{_CL}]|这一[{_CL}]|那一[{_CL}]|这款|那款", re.I)
_THEM = re.compile(r"\b(?:them|these|those|they)\b|它们|这些|那些", re.I)
# "add 2", "remove 3": a bare number after a verb is a card number ("add 2 of them" is a quantity)
_VERB_NUMBER = re.compile(r"\b(?:add|remove|delete|drop|take|want|get|buy|compare|pick|choose)\s+#?([1-9])\b"
                          r"(?!\s*(?:of|more|x\b|×|pairs?|pieces?|pcs|units?|items?|packs?|sets?|boxes|bottles?|"
                          r"%|percent|stars?|rs|rupees|dollars|k\b|\d))", re.I)
_IN_CART = re.compile(r"\b(?:in|from|of)\s+(?:my|the)\s+(?:cart|basket)\b|购物车(?:里|中|内)(?:的)?", re.I)
_ALSO = re.compile(r"\b(?:too|also|as\s+well)\b|也|还要|再加", re.I)


def parse_mention(text: str) -> Mention:
    """How `text` points at products (kind "none" when it does not)."""
    low = text.lower()
    in_cart = bool(_IN_CART.search(low))
    also = bool(_ALSO.search(low))
    positions, phrase, _ = find_positions(low)
    if not positions:
        m = _VERB_NUMBER.search(low)
        positions, phrase = ([int(m.group(1))], m.group(0)) if m else ([], None)
    if positions:
        return Mention("positions", positions=tuple(positions), phrase=phrase or "", in_cart=in_cart, also=also)
    ext = _extreme(low, verb=cart_verb(low) is not None)
    if ext is not None:
        return Mention(ext.kind, ordering=ext.ordering, comparative=ext.comparative, phrase=ext.phrase,
                       in_cart=in_cart, also=also, standalone=ext.standalone)
    for kind, rx in (("other", _OTHER), ("both", _BOTH), ("all", _ALL), ("it", _IT), ("them", _THEM)):
        m = rx.search(low)
        if m:
            if kind == "them" and _quantity_span(low, m.start()):
                continue  # "2 of them" is a quantity, not a reference to every product
            return Mention(kind, phrase=m.group(0), in_cart=in_cart, also=also)  # type: ignore[arg-type]
    return Mention(in_cart=in_cart, also=also)


# ---------------------------------------------------------------- quantities

_MORE = (
    re.compile(rf"\b({_EN_NUM})\s+more\b|\banother\s+(one|pair|\d{{1,3}})\b|\b(another)\b(?=\s*(?:$|[.!,]|please|pls))",
               re.I),
    re.compile(rf"(?:再|多)(?:来|加|要|买|拿)\s*(?:({_ZH_NUM})\s*[{_CL}]|[{_CL}]|(?=$|[，。！,.!]))"),
)
_SET = (
    re.compile(rf"\bmake\s+(?:it|that|this|them|those|these|the\s+[\w\s#]{{1,25}}?|#\s*\d|number\s+\w+)\s+({_EN_NUM})\b"
               r"(?=\s*(?:$|[.,!?;]|pieces?|pcs|units?|pairs?|items?|instead|please|pls|each|of\b|in\b|then\b))", re.I),
    re.compile(r"\b(?:change|set|update|increase|reduce|decrease|bump|lower|raise|up)\s+"
               r"(?:it|that|this|them|those|these|(?:the\s+|my\s+)?(?:quantity|qty|amount|number)(?:\s+of\s+[\w\s]{1,25}?)?"
               r"|the\s+\w+(?:\s+\w+)?\s+one|the\s+(?:first|second|third|fourth|fifth|last|other)\b[\w\s]{0,15}?"
               r"|#\s*\d|number\s+\w+)\s+(?:quantity\s+)?to\s+"
               rf"({_EN_NUM})\b(?!\s*(?:%|percent|star|rs|rupees|dollars))", re.I),
    re.compile(r"\b(?:quantity|qty)\s*(?:to|of|=|:|is|should\s+be)?\s*(\d{1,3})\b", re.I),
    re.compile(rf"(?:改成|改为|改到|换成|调成|调到|调整为|变成|设为)\s*({_ZH_NUM})"),
    re.compile(rf"数量\s*(?:改成|改为|是|为|要|设为|:|：)?\s*({_ZH_NUM})"),
)
_ADD = (
    re.compile(rf"\b({_EN_NUM})\s+(?:of\s+(?:them|those|these|it|that|this|the\b)|pairs?|pieces?|pcs|units?|items?|"
               r"packs?|boxes|bottles?|sets?|copies|nos)\b", re.I),
    re.compile(r"\b(\d{1,3})\s*(?:x|×)(?!\w)|(?<!\w)(?:x|×)\s*(\d{1,3})\b", re.I),
    re.compile(rf"(?:要|来|买|加|拿|订)\s*({_ZH_NUM})\s*[{_CL}]"),
    re.compile(rf"(?<![第前这那最哪另再每一])({_ZH_NUM})\s*[{_CL}](?!都|一起)"),
)


def _to_int(raw: str) -> int | None:
    raw = raw.strip().lower()
    if raw.isdigit():
        return int(raw)
    if raw in _EN_N:
        return _EN_N[raw]
    if raw in _ZH_N:
        return _ZH_N[raw]
    if len(raw) == 2 and raw[0] == "十" and raw[1] in _ZH_N:
        return 10 + _ZH_N[raw[1]]
    return None


def _quantity_span(low: str, at: int) -> bool:
    """True when position `at` ("them" in "2 of them") is inside a quantity phrase."""
    return any(m.start() <= at < m.end() for m in _ADD[0].finditer(low))


def parse_quantity(text: str, masked: Sequence[tuple[int, int]] = ()) -> Quantity | None:
    """The quantity asked for, and whether it sets the cart line, adds more, or comes with an add."""
    low = text.lower()
    if masked == ():
        _, _, spans = find_positions(low)
        masked = spans

    def hits(patterns: Sequence[re.Pattern[str]]) -> int | None:
        for rx in patterns:
            for m in rx.finditer(low):
                if any(s <= m.start() < e for s, e in masked) and not m.group(0).startswith(("make", "change", "set")):
                    continue
                raw = next((g for g in m.groups() if g), None)
                n = _to_int(raw) if raw else 1
                if n is not None and 0 < n <= 999:
                    if rx is _ADD[3] and n < 2:
                        continue
                    return n
        return None

    for mode, patterns in (("set", _SET), ("more", _MORE), ("add", _ADD)):
        n = hits(patterns)
        if n is not None:
            return Quantity(n, mode)  # type: ignore[arg-type]
    return None


# ---------------------------------------------------------------- what the cart should do

_REF_OBJ = r"(?:the\b|it\b|that\b|this\b|both\b|them\b|all\b|one\b|#|number\b|no\.|\d|those\b|these\b|another\b)"
_REMOVE = re.compile(r"\b(?:remove|delete|drop|discard|take\s+(?:out|off)|get\s+rid\s+of|don'?t\s+want|do\s+not\s+want|"
                     r"no\s+longer\s+want|scrap)\b"
                     r"|删除|删掉|删了|删去|移除|去掉|拿掉|拿走|不要了|不想要|退掉(?!.*订单)", re.I)
_ADD_VERB = re.compile(
    rf"\badd\b|\b(?:put|throw|toss|pop|stick)\b(?=.*\b(?:cart|basket|bag)\b)|\bi'?ll\s+(?:take|have|get|buy)\b"
    rf"|\bgimme\s+{_REF_OBJ}|\b(?:i'?ll|let'?s|i\s+will)\s+go\s+(?:with|for)\b|\bi\s+(?:choose|pick)\b"
    rf"|\bi\s+will\s+(?:take|have|get|buy)\b|\blet\s+me\s+(?:have|get)\b"
    rf"|\b(?:take|buy|purchase|grab|want|order)\s+(?:me\s+|us\s+)?{_REF_OBJ}|\bget\s+(?:me\s+)?{_REF_OBJ}|\bi'?d\s+like\s+{_REF_OBJ}"
    r"|(?:加入|加到|放进|放入|放到|放|进|加)(?:我的)?(?:购物车|购物篮)|加入(?=$|[，。！,.!吧第这那最它])|加购|也要|都要"
    r"|要了|(?:我|就|想)要(?!知道|了解|问|看|找|退|换|查|别的|其他)|(?<![需想重主只不])要(?!多少|几|什么|怎么|求|是|不|看|找|退|换|查|问|知道|了解)"
    rf"|来(?:[一两二三四五六七八九十\d]+)[{_CL}]|再来|再要|再加|再买|买(?!单|家|过|了吗|的)"
    r"|拿(?:这|那|第|最)", re.I)
_QUESTION = re.compile(
    r"^\s*(?:should|would|is|are|does|do|did|what|which|how|why|when|where|who|will)\b|\bshould\s+i\b|\bwhat\s+if\b"
    r"|什么|多少|怎么|为什么|哪|是否|能不能(?!帮)|好不好|值不值|吗[？?]?\s*$|呢[？?]?\s*$", re.I)
_POLITE = re.compile(r"^\s*(?:can|could|would)\s+you\b|^\s*please\b|帮我|请|麻烦", re.I)


def cart_verb(text: str) -> CartVerb | None:
    """The cart change the words ask for: remove, set a quantity, add; None when none."""
    low = text.lower()
    if _REMOVE.search(low):
        return "remove"
    q = parse_quantity(low)
    if q is not None and q.mode == "set":
        return "quantity"
    if (q is not None and q.mode == "more") or _ADD_VERB.search(low):
        return "add"
    return None


def is_question(text: str) -> bool:
    """A question about products ("should I take the first?", "第二个多少钱"), not a polite request."""
    return bool(_QUESTION.search(text)) and not _POLITE.search(text)


_SIGNS = re.escape(CURRENCY_SIGNS)
# a price the shopper names ("sell it to me for 10", "按10元卖给我") is bargaining, never a cart change
_PRICE_TALK = re.compile(rf"\d+\s*(?:元|块|rs\b|rupees|[{_SIGNS}]|dollars|bucks)|(?:[{_SIGNS}]|\brs\.?)\s*\d"
                         r"|免费|\bfree\b|\bfor\s+nothing\b", re.I)
_SUPPORT = re.compile(r"\b(?:return|refund|exchange|cancel|track|deliver(?:y|ed)?|ship(?:ping|ped)?|order\s+status)\b"
                      r"|退货|退款|退第|退这|退那|换货|取消|订单|发货|物流|快递", re.I)


_BROWSE = re.compile(r"\b(?:show|see|find|look|list|options?|results?|similar|like\s+(?:this|these))\b"
                     r"|看看|找|类似|推荐", re.I)


def wants_cart_change(text: str, previous_scene: str | None = None) -> bool:
    """The shopper asks to change the cart about products in view, whatever the scene model says:
    "i'll take the cheaper one", "第三个也要", "两个都要", "make the second one 3"; "再来一个" and
    "数量改成2" right after a cart change; "the third one too" repeats a cart change."""
    low = text.lower()
    if _SUPPORT.search(low) or _PRICE_TALK.search(low) or is_question(low):
        return False
    mention = parse_mention(low)
    verb = cart_verb(low)
    after_cart = previous_scene == "cart"
    quantity = parse_quantity(low)
    if verb is not None and mention.kind != "none":
        return True
    if not after_cart or _BROWSE.search(low):
        return False
    if quantity is not None and (quantity.mode in ("set", "more") or mention.kind != "none"):
        return True  # "数量改成2", "再来一个", "two of the second" right after a cart change
    return mention.also and mention.kind in ("positions", "extreme", "other", "it")


def asks_about_one_in_view(text: str) -> bool:
    """"which one is the cheapest?", "what about the lightest?", "哪个评分最高": a question whose answer is one
    of the products in view (not "what's the cheapest running shoe you have?", a new search)."""
    mention = parse_mention(text)
    low = text.strip()
    if mention.kind != "extreme" or not mention.standalone or cart_verb(low) is not None:
        return False
    if mention.comparative:  # "which is cheaper?" asks; "cheaper one?" may ask for cheaper products
        return asks_which(low)
    return asks_which(low) or low.endswith(("?", "？")) or is_question(low)


_FILLER = re.compile(
    r"\b(?:ok(?:ay)?|then|please|pls|plz|yes|yeah|yep|sure|so|and|actually|hmm+|um+|the|one|ones|just|also|too|"
    r"as\s+well|what\s+about|how\s+about|i'?ll\s+go\s+with|go\s+with|i\s+choose|i\s+pick|with|has|having|is|"
    r"that'?s|which)\b"
    r"|好的|好吧|嗯|那么|那|就|吧|呢|吗|还有|也|[\s,.!?;:，。！？；：]", re.I)


def is_bare(text: str) -> bool:
    """Nothing but a reference ("the cheaper one", "第二个呢", "and the other one?", "both please")."""
    mention = parse_mention(text)
    if mention.kind == "none":
        return False
    low = text.lower()
    if mention.phrase:
        low = low.replace(mention.phrase.lower(), " ")
    low = re.sub(r"#\s*\d+|\b(?:number|no\.)\s*\w+|\b\d\b|第?[一二两三四五六七八九十\d]+[个双件款只条]?", " ", low)
    return not _FILLER.sub("", low).strip()

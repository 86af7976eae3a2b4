"""Who a product is for, as the catalog says it, and who the shopper is buying for, as they say it.

Catalogs encode the audience in an "ideal for" / gender attribute ("Men", "Women's",
"Men, Boys", "Baby Girls", "Unisex"), else in the category path ("mens footwear",
"kids clothing") or the title ("... watch - for boys"). Shoppers name it directly
("for men", "women's", "男士") or through a person ("my husband", "给女儿", "a 10 year
old boy"). Both sides map onto the same few groups, so "a watch for my husband" keeps
boys' watches out and "a dress for my daughter" shows girls' dresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.catalog import Product

AUDIENCES = ("men", "women", "boys", "girls", "kids", "baby")

# Catalog words (attribute values, category segments, titles) -> groups.
_PRODUCT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bbaby\s+boy'?s?\b", ("baby", "boys")),
    (r"\bbaby\s+girl'?s?\b", ("baby", "girls")),
    (r"\b(?:infants?|babies|baby|newborns?|toddlers?)\b", ("baby",)),
    (r"\b(?:boy'?s?|schoolboys?)\b", ("boys",)),
    (r"\bgirl'?s?\b", ("girls",)),
    (r"\b(?:kids?|children|child|junior)\b", ("boys", "girls")),
    (r"\b(?:women'?s?|ladies|lady|womens|female|femme)\b", ("women",)),
    (r"(?<![a-z])(?:men'?s?|mens|male|gents|gentlemen)\b", ("men",)),
    (r"\b(?:unisex|couple|everyone|all)\b", ("unisex",)),
    (r"\bseniors?\b", ("men", "women")),
)


_PRODUCT_RE = re.compile("|".join(f"(?P<g{i}>{p})" for i, (p, _) in enumerate(_PRODUCT_WORDS)))


def product_audiences(product: Product) -> frozenset[str]:
    """Groups the catalog says a product is for; "unisex" fits everyone; empty when it says nothing.

    The gender attribute decides when present; otherwise the category path, then the title."""
    gender = product.attributes.get("gender", "")
    if gender:
        return _groups(gender)
    path = " ".join(product.category_path)
    return _groups(path) or _groups(product.title)


def _groups(text: str) -> frozenset[str]:
    """One scan (this runs for every product when an index opens); earlier alternatives win ("baby boys")."""
    found: set[str] = set()
    for m in _PRODUCT_RE.finditer(text.lower()):
        found.update(_PRODUCT_WORDS[int(str(m.lastgroup)[1:])][1])
    return frozenset(found)


def fits(product_groups: frozenset[str] | set[str], wanted: list[str], unknown_ok: bool = False) -> bool:
    """Whether a product for `product_groups` suits a shopper buying for any of `wanted`."""
    if not wanted:
        return True
    if not product_groups:
        return unknown_ok
    if "unisex" in product_groups:
        return True
    for who in wanted:
        if who == "kids" and product_groups & {"boys", "girls", "baby"}:
            return True
        if who in product_groups:
            return True
    return False


# ------------------------------------------------------------------ the shopper's words

# (pattern, group, named through a person?) Checked in order; a span is used once.
_EN: tuple[tuple[str, str, bool], ...] = (
    (r"\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[- ]?(?:years?|yrs?|months?)"
     r"[- ]?old\s+(?:boy|son|nephew|grandson)\b", "boys", True),
    (r"\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)[- ]?(?:years?|yrs?|months?)"
     r"[- ]?old\s+(?:girl|daughter|niece|granddaughter)\b", "girls", True),
    (r"\b(?:newborn|new born|infant|baby|babies|toddler)s?\b", "baby", False),
    (r"\b(?:my|our|his|her|for a|for the)\s+(?:little\s+|baby\s+|teenage\s+|young\s+)?"
     r"(?:son|nephew|grandson|boy)s?\b", "boys", True),
    (r"\b(?:my|our|his|her|for a|for the)\s+(?:little\s+|baby\s+|teenage\s+|young\s+)?"
     r"(?:daughter|niece|granddaughter|girl)s?\b", "girls", True),
    (r"\b(?:my|our)\s+(?:kids?|children|child|little ones?)\b", "kids", True),
    (r"\b(?:husband|hubby|boyfriend|bf|dad|daddy|father|papa|grandpa|grandfather|brother|bro|uncle|"
     r"father-in-law|fiance|groom)\b", "men", True),
    (r"\b(?:wife|girlfriend|gf|mom|mommy|mum|mummy|mother|mama|grandma|grandmother|sister|sis|aunt|auntie|"
     r"mother-in-law|fiancee|bride)\b", "women", True),
    (r"\bfor\s+him\b", "men", True),
    (r"\bfor\s+her\b", "women", True),
    (r"\b(?:boys?'?s?|schoolboys?)\b", "boys", False),
    (r"\b(?:girls?'?s?|schoolgirls?)\b", "girls", False),
    (r"\b(?:kids?'?s?|children'?s?|child'?s?|junior)\b", "kids", False),
    (r"\b(?:women'?s?|womens|woman'?s?|ladies|lady|female|feminine)\b", "women", False),
    (r"(?<![a-z])(?:men'?s?|mens|man'?s?|male|gents?|gentlemen|guys?)\b", "men", False),
)
_ZH: tuple[tuple[str, str, bool], ...] = (
    (r"儿子|外甥|孙子|侄子|小男孩|男孩|男童|男宝", "boys", True),
    (r"女儿|闺女|外甥女|孙女|侄女|小女孩|女孩|女童|女宝", "girls", True),
    (r"宝宝|婴儿|新生儿|婴幼儿", "baby", False),
    (r"孩子|小孩|儿童|童装|童款|小朋友", "kids", False),
    (r"老公|丈夫|先生|男朋友|男友|爸爸|父亲|老爸|爷爷|外公|姥爷|哥哥|弟弟|叔叔|舅舅|公公|岳父|(?<=[我给])爸",
     "men", True),
    (r"老婆|妻子|太太|媳妇|女朋友|女友|妈妈|母亲|老妈|奶奶|外婆|姥姥|姐姐|妹妹|闺蜜|阿姨|婆婆|岳母|(?<=[我给])妈",
     "women", True),
    (r"男士|男式|男款|男性|男生|男人|男装|男鞋|男表", "men", False),
    (r"女士|女式|女款|女性|女生|女人|女装|女鞋|女表|女靴", "women", False),
    (r"(?<![男女])男(?![女])", "men", False),
    (r"(?<![男女])女(?![男儿])", "women", False),
)
# A group named after one of these is excluded, not wanted ("not for kids", "不要儿童款").
_NEGATION = re.compile(r"(?:\bnot\b|\bno\b|\bwithout\b|\bexcept\b|\bnon\b|不要|不是|别|非|除了)[^,.;，。；]{0,12}$")


_SHOPPER_RES = tuple((re.compile(p), g, person) for p, g, person in (*_EN, *_ZH))


_SELF = re.compile(r"\bfor\s+(me|myself)\b|\bmy\s+own\b|给我自己|我自己|自己用")


@dataclass
class AudienceReading:
    wanted: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    person: bool = False  # named through a person ("my wife"): the same person across product types
    spans: list[tuple[int, int]] = field(default_factory=list)
    self_named: bool = False  # "for me", "给我自己": the shopper, whoever was meant before


def read_audience(text: str) -> AudienceReading:
    """Who the shopper is buying for, from their words in English or Chinese."""
    low = text.lower()
    reading = AudienceReading()
    for pattern, group, person in _SHOPPER_RES:
        for m in pattern.finditer(low):
            if any(s < m.end() and m.start() < e for s, e in reading.spans):
                continue
            reading.spans.append(m.span())
            if _NEGATION.search(low[: m.start()]):
                if group not in reading.excluded:
                    reading.excluded.append(group)
                continue
            if group not in reading.wanted:
                reading.wanted.append(group)
            reading.person = reading.person or person
    reading.self_named = bool(_SELF.search(low))
    # "kids" next to a boy or a girl says no more than the boy or the girl does
    if "kids" in reading.wanted and ({"boys", "girls"} & set(reading.wanted)):
        reading.wanted.remove("kids")
    return reading

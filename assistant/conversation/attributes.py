"""Which catalog attribute a product question asks about, in English or Chinese.

    match_attribute("is the first one microwave safe?", product, vocab)  -> Match(keys=("microwave safe",))
    match_attribute("第二个是什么表盘形状？", product, vocab)              -> Match(keys=("dial shape",))

The question's words (Chinese attribute words first translated with `ZH_WORDS`) are matched against
the words of attribute keys, never loosely: "microwave safe" is not "freezer safe", so a product that
lists only "freezer safe" gets "the listing doesn't say" for a microwave question. The catalog-wide
vocabulary (`Vocabulary.of(catalog)`) tells a known attribute this product lacks from a word that is
no attribute at all.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from retrieval.catalog import Product

# Chinese attribute words -> the English words of catalog attribute keys (longest first when applied).
ZH_WORDS: dict[str, str] = {
    "表盘形状": "dial shape", "表盘颜色": "dial color", "表盘尺寸": "dial size", "表盘": "dial",
    "表带材质": "strap material", "表带颜色": "strap color", "表带类型": "strap type", "表带": "strap",
    "表壳": "case bezel material", "表镜": "scratch resistant", "机芯": "mechanism",
    "材质": "material", "面料": "material", "材料": "material", "布料": "material", "外层材质": "outer material",
    "鞋底": "sole material", "内衬": "lining", "内里": "inner material", "鞋垫": "insole material",
    "颜色": "color", "色号": "shade", "尺码": "size", "尺寸": "size", "大小": "size", "戒指尺寸": "ring size",
    "重量": "weight", "多重": "weight", "宽度": "width", "多宽": "width", "高度": "height", "多高": "height",
    "长度": "length", "多长": "length", "深度": "depth", "直径": "diameter", "厚度": "thickness",
    "容量": "capacity", "鞋跟高度": "heel height", "跟高": "heel height", "鞋跟": "heel height",
    "靴筒高度": "boot shaft height", "袖长": "sleeve", "袖子": "sleeve", "领口": "neck", "领型": "neck",
    "闭合方式": "closure", "开合方式": "closure", "扣子": "closure", "图案": "pattern", "花色": "pattern",
    "场合": "occasion", "款式": "style", "风格": "style", "类型": "type", "型号": "model number", "系列": "series",
    "保修": "warranty summary", "质保": "warranty summary", "防刮": "scratch resistant", "防震": "shock resistance",
    "抗震": "shock resistance", "夜光": "luminous", "计时": "chronograph", "日期显示": "date display",
    "日历": "calendar", "闹钟": "alarm clock", "指南针": "compass", "气压计": "barometer", "高度计": "altimeter",
    "防水深度": "water resistance depth", "防水": "water resistant",
    "微波炉": "microwave safe", "冷冻": "freezer safe", "冰箱": "freezer safe", "洗碗机": "dishwasher safe",
    "隔层": "number of compartments", "口袋": "pockets", "卡槽": "card slots", "宝石": "gemstone",
    "钻石净度": "diamond clarity", "钻石": "diamond", "纯度": "purity", "含金量": "gold purity",
    "金纯度": "gold purity", "镀层": "plating", "电镀": "plating", "包装清单": "sales package",
    "包装内容": "sales package", "包装": "sales package",
    "几件装": "pack of", "件装": "pack of", "适用人群": "ideal for", "适合": "suitable for", "适用": "suitable for",
    "性别": "gender", "电源": "power source", "电池": "battery", "蓝牙": "bluetooth", "无线": "wireless",
    "镜片": "lens", "偏光": "lens polarization", "防紫外线": "uv protection", "紫外线": "uv protection",
    "镜框": "frame material", "护理": "care instructions", "洗涤": "care instructions", "机洗": "machine washable",
    "认证": "certification", "有机": "organic", "功率": "power output", "电压": "operating voltage",
    "年龄": "age group", "版型": "fit", "合身": "fit", "腰头": "waistband", "连帽": "hooded", "香味": "fragrance",
    "形状": "shape", "盖子": "lid included", "把手": "handle",
}

# English phrasings of attribute questions -> key words
_EN_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bmade\s+(?:of|from|out\s+of)\b|\bwhat'?s\s+it\s+made\b", "material"),
    (r"\bwater[-\s]?proof\b|\bwater[-\s]resistant\b", "water resistant"),
    (r"\bhow\s+heavy\b|\bweighs?\b", "weight"), (r"\bhold\b|\bhow\s+much\s+(?:water|liquid)\b", "capacity"),
    (r"\bhow\s+wide\b", "width"), (r"\bhow\s+(?:tall|high)\b", "height"),
    (r"\bhow\s+big\b|\bdimensions?\b", "size dimensions"), (r"\bhow\s+thick\b", "thickness"),
    (r"\bin\s+the\s+box\b|\bcomes?\s+with\b|\bincluded\b", "sales package"),
    (r"\bfor\s+(?:men|women|boys|girls|kids)\b|\bunisex\b", "ideal for gender"),
    (r"\bhow\s+many\s+in\s+(?:a|the|one)\s+pack\b", "pack of"),
)
GENERIC = frozenset({"of", "the", "and", "in", "or", "with", "for", "by", "per", "on", "no", "num", "number", "type",
                     "other", "general", "details", "d", "h", "w", "x", "is", "a", "total", "primary", "secondary",
                     "main", "product", "feature", "features", "can", "available", "required", "important",
                     "note", "common", "present", "used", "use", "made", "it", "one", "three"})
_SYNONYMS = {"colour": "color", "fabric": "material", "resistance": "resist", "resistant": "resist", "proof": "resist",
             "compartments": "compartment", "pockets": "pocket", "diamonds": "diamond", "gemstones": "gemstone"}


def stem(word: str) -> str:
    w = _SYNONYMS.get(word.lower(), word.lower())
    if w in _SYNONYMS.values():
        return w
    if len(w) > 6 and w.endswith("able"):
        return w[:-4]
    if len(w) > 5 and w.endswith(("ing", "ed")):  # plated / plating, coated / coating
        return w[:-3] if w.endswith("ing") else w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us")):
        return w[:-1]
    return w


def tokens(text: str) -> list[str]:
    return [stem(t) for t in re.findall(r"[a-z]+", text.lower())]


def key_words(key: str) -> tuple[frozenset[str], frozenset[str]]:
    """(all words, informative words) of an attribute key."""
    words = frozenset(tokens(key.replace("_", " ")))
    informative = words - GENERIC
    return words, informative or words


@dataclass(frozen=True)
class Vocabulary:
    """Every attribute key of a catalog, with its words: what a question can ask about."""

    keys: tuple[str, ...]
    words: frozenset[str]
    siblings: Mapping[str, frozenset[str]]  # a key's last word -> informative words of every key ending in it

    @classmethod
    def of(cls, attribute_keys: Iterable[str]) -> Vocabulary:
        keys = tuple(sorted(set(attribute_keys)))
        siblings: dict[str, set[str]] = {}
        for k in keys:
            words = tokens(k)
            if words:
                siblings.setdefault(words[-1], set()).update(key_words(k)[1])
        return cls(keys, frozenset(w for k in keys for w in key_words(k)[0]),
                   {h: frozenset(ws) for h, ws in siblings.items()})


_VOCABULARIES: weakref.WeakKeyDictionary[object, Vocabulary] = weakref.WeakKeyDictionary()


def catalog_vocabulary(catalog: Iterable[Product]) -> Vocabulary:
    """The attribute vocabulary of a catalog, computed once per catalog object."""
    vocab = _VOCABULARIES.get(catalog)
    if vocab is None:
        vocab = _VOCABULARIES[catalog] = Vocabulary.of(k for p in catalog for k in p.attributes)
    return vocab


def question_words(question: str) -> set[str]:
    """The English key words a question uses (Chinese attribute words translated, phrasings mapped)."""
    text = question.lower()
    extra: list[str] = []
    for zh in sorted(ZH_WORDS, key=len, reverse=True):
        if zh in text:
            extra.append(ZH_WORDS[zh])
            text = text.replace(zh, " ")
    for pattern, words in _EN_PHRASES:
        if re.search(pattern, text):
            extra.append(words)
    return set(tokens(text + " " + " ".join(extra)))


@dataclass(frozen=True)
class Match:
    """Keys of the product that answer the question (`keys`), or the attribute asked about that the
    product does not list (`missing`: a catalog key, or the question's own words)."""

    keys: tuple[str, ...] = ()
    missing: str = ""
    level: int = 0  # 3 all of the key's words asked, 2 its head word asked, 1 the question is a part of the key
    asked: frozenset[str] = field(default_factory=frozenset)
    related: tuple[str, ...] = ()  # listed keys near a missing one ("material" when "strap material" was asked)


def _rank(keys: Iterable[str], asked: set[str], vocab: Vocabulary) -> tuple[int, list[str]]:
    """The best match level of `keys` for the asked words, and the keys at that level (best first)."""
    scored: list[tuple[int, int, int, str]] = []
    for key in keys:
        words, info = key_words(key)
        if info <= asked:
            scored.append((3, len(info), -len(words - asked), key))
            continue
        head = tokens(key)[-1] if tokens(key) else ""
        if head in asked and head in info and not asked & (vocab.siblings.get(head, frozenset()) - info):
            scored.append((2, len(info & asked), -len(words), key))  # no sibling's own word was asked
            continue
        if asked and asked <= words:
            scored.append((1, 0, -len(words), key))
    if not scored:
        return 0, []
    scored.sort(reverse=True)
    level = scored[0][0]
    best = [s for s in scored if s[0] == level]
    if level == 3:
        best = [s for s in best if s[1:3] == scored[0][1:3]]
    return level, [s[3] for s in best[:3]]


def match_attribute(question: str, attributes: Mapping[str, str], vocab: Vocabulary,
                    hint: str = "") -> Match | None:
    """The product attributes a question asks about; `missing` when it asks about a catalog attribute this
    product does not list; None when the question names no attribute at all. `hint`: words of a topic
    already recognised ("material" for "what's it made of")."""
    asked = question_words(question + " " + hint) & (vocab.words | frozenset(tokens(" ".join(attributes))))
    asked -= GENERIC
    if not asked:
        return None
    present = [k for k, v in attributes.items() if v.strip()]
    level, keys = _rank(present, asked, vocab)
    c_level, c_keys = _rank(vocab.keys, asked, vocab)
    if keys:
        covered = len(key_words(keys[0])[1] & asked)
        better = [k for k in c_keys if k not in attributes and len(key_words(k)[1] & asked) > covered]
        if c_level == 3 and better:  # "strap material" asked, only "material" listed: not the same attribute
            return Match(missing=better[0], level=c_level, asked=frozenset(asked), related=tuple(keys))
        return Match(tuple(keys), level=level, asked=frozenset(asked))
    if c_keys and c_level == 3:
        return Match(missing=c_keys[0], level=c_level, asked=frozenset(asked))
    if c_keys:
        return Match(missing=" ".join(sorted(asked)), level=c_level, asked=frozenset(asked))
    return None


_ZH_LABELS = {"microwave safe": "可否用微波炉", "freezer safe": "可否冷冻", "dishwasher safe": "可否用洗碗机",
              "water_resistant": "防水", "number of compartments": "隔层数量", "pack of": "每包件数"}


def zh_label(key: str) -> str:
    """A Chinese name for an attribute key (the key itself when the glossary has none)."""
    if key in _ZH_LABELS:
        return _ZH_LABELS[key]
    want = " ".join(tokens(key.replace("_", " ")))
    for zh, en in ZH_WORDS.items():
        if " ".join(tokens(en)) == want:
            return zh
    return key.replace("_", " ")

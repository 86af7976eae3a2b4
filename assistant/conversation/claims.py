"""Claims about a product that its facts must support, and the language a sentence is written in.

Praise: a sentence that calls a product high-quality, durable, comfortable, stylish, popular,
trusted... (English or Chinese) passes only when the product's own text (title, brand, category,
attributes, description, the ranker's reasons) names that quality, or, for "well rated", when its
rating is high. The model is shown a product's facts, not its reputation: praise nothing backs is
invented.

Language: an explanation must be in the shopper's language. A sentence is read by script once the
product's own names (titles, brands, attribute values, which may be in any script) are taken out:
a Chinese shopper's sentence needs Chinese characters and more of them than Latin words; an
English (or other Latin-script) shopper's sentence may not be mostly Chinese. Replacement
characters, letters of an unrelated script and long runs of one character read as garbled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from retrieval.catalog import Product

WELL_RATED = 4.0  # the lowest rating "well rated" may be said of
POPULAR_REVIEWS = 100  # the fewest reviews "popular" may be said of, when no fact says so


@dataclass(frozen=True)
class QualityClaim:
    name: str
    said: re.Pattern[str]  # how a sentence claims it
    backed: re.Pattern[str] | None  # what the product's text must contain (None: rating/reviews decide)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


CLAIMS: tuple[QualityClaim, ...] = (
    QualityClaim("quality", _rx(r"\b(?:high|top|great|superior|excellent|good)[- ]quality\b|\bquality "
                                r"(?:materials?|build|craftsmanship|construction|product)\b|\bwell[- ]made\b|"
                                r"\bwell[- ]crafted\b|\bcraftsmanship\b|高品质|高质量|优质|"
                                r"(?:品质|质量)(?:很|非常|极)?(?:好|优|高|上乘|出色)|"
                                r"做工(?:精|好)"),
                 _rx(r"quality|premium|craft|高品质|高质量|优质|品质")),
    QualityClaim("premium", _rx(r"\bpremium\b|\bluxur\w*|\bhigh[- ]end\b|\bupscale\b|高端|奢华|豪华"),
                 _rx(r"premium|luxur|high[- ]end|高端|奢华")),
    QualityClaim("durable", _rx(r"\bdurab\w*|\blong[- ]lasting\b|\bsturdy\b|\brugged\b|\brobust\b|\bbuilt to last\b|"
                                r"耐用|结实|经久|坚固|耐磨"),
                 _rx(r"durab|long[- ]lasting|sturdy|rugged|robust|reinforced|heavy[- ]duty|耐用|结实|坚固|耐磨")),
    QualityClaim("comfortable", _rx(r"\bcomfort\w*|\bcushion\w*|\bcosy\b|\bcozy\b|舒适|舒服"),
                 _rx(r"comfort|cushion|soft|padded|memory foam|ergonomic|cosy|cozy|舒适|舒服|柔软")),
    QualityClaim("stylish", _rx(r"\bstylish\b|\bfashionable\b|\btrendy\b|\belegant\b|\bchic\b|\bsleek\b|时尚|潮流|"
                                r"优雅|时髦|漂亮|好看"),
                 _rx(r"stylish|fashion|trendy|elegant|chic|sleek|时尚|潮流|优雅")),
    QualityClaim("perfect", _rx(r"\bperfect(?:ly)?\b|\bflawless\b|完美"), _rx(r"perfect|完美")),
    QualityClaim("best", _rx(r"\b(?:the )?best\b(?! (?:for|suited|if|when))|\bunbeatable\b|\bunmatched\b|最好|最佳|"
                             r"顶级|第一"),
                 _rx(r"\bbest\b|最佳")),
    QualityClaim("reputation", _rx(r"\bknown for\b|\brenowned\b|\breputa\w*|\btrusted\b|\bfamous\b|"
                                   r"\bwell[- ]known\b|\biconic\b|\bleading brand\b|\bbeloved\b|知名|著名|信赖|"
                                   r"口碑|大牌|名牌"),
                 _rx(r"known for|renowned|trusted|famous|iconic|知名|著名")),
    QualityClaim("popular", _rx(r"\bpopular\b|\bbest[- ]?sell\w*|\bloved by\b|\bcustomers? love\b|\bfan favou?rite\b|"
                                r"\bin (?:high )?demand\b|\bsells? out\b|受欢迎|畅销|热门|热销|爆款"),
                 _rx(r"popular|best[- ]?sell|热门|畅销|热销")),
    QualityClaim("well_rated", _rx(r"\b(?:highly|well|top|best)[- ]rated\b|\bgreat reviews\b|\bpositive reviews\b|"
                                   r"\brave reviews\b|好评|高评分|评分很高|评价很高|评价高"), None),
    QualityClaim("lightweight", _rx(r"\blight[- ]?weight\b|\bfeather[- ]?light\b|轻便|轻巧|轻盈"),
                 _rx(r"light[- ]?weight|ultra[- ]?light|轻")),
    QualityClaim("waterproof", _rx(r"\bwater[- ]?(?:proof|resistant)\b|防水"), _rx(r"water[- ]?(?:proof|resist)|防水")),
    QualityClaim("breathable", _rx(r"\bbreathab\w*|透气"), _rx(r"breathab|mesh|透气")),
)


def product_text(product: Product, extra: Iterable[str] = ()) -> str:
    """Everything the store says about a product, as one lowercase blob."""
    parts = [product.title, product.brand, product.description, *product.category_path, *extra]
    parts += [f"{k} {v}" for k, v in product.attributes.items()]
    return " ".join(parts).lower()


def _backed(claim: QualityClaim, products: Sequence[Product], texts: Sequence[str]) -> bool:
    for p in products:
        if claim.name == "well_rated" and p.rating is not None and p.rating >= WELL_RATED:
            return True
        if claim.name == "popular" and p.rating_count >= POPULAR_REVIEWS:
            return True
        if claim.backed is not None and claim.backed.search(product_text(p, texts)):
            return True
    return not products and claim.backed is not None and bool(claim.backed.search(" ".join(texts).lower()))


def praise_problems(sentence: str, products: Sequence[Product], texts: Sequence[str] = ()) -> list[str]:
    """The quality claims in `sentence` that none of `products`' facts supports."""
    out = []
    for claim in CLAIMS:
        m = claim.said.search(sentence)
        if m and not _backed(claim, products, texts):
            out.append(f"praise '{m.group().strip()}' ({claim.name}) is not in the product's facts")
    return out


_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")
_OTHER_LETTERS = {  # letters that do not belong in a sentence of these languages
    "zh": re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u0400-\u04ff\u0600-\u06ff\u0900-\u097f]"),
}
_SCRIPT_OF = {"zh": _HAN, "hi": re.compile(r"[\u0900-\u097f]")}
_GARBLE = re.compile(r"\ufffd|(.)\1{4,}|Ã.|â€")
LANGUAGE_NAMES = {"zh": "Chinese", "hi": "Hindi", "en": "English", "es": "Spanish", "fr": "French", "de": "German"}


def _without(text: str, names: Iterable[str]) -> str:
    for name in sorted({n for n in names if len(n) >= 3}, key=len, reverse=True):
        text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    return text


def script_problems(sentence: str, language: str, names: Iterable[str] = ()) -> list[str]:
    """Why `sentence` is not (readably) in `language`: empty when it is."""
    if not language or not sentence.strip():
        return []
    if _GARBLE.search(sentence):
        return ["garbled text"]
    text = _without(sentence, names)
    other = _OTHER_LETTERS.get(language)
    if other is not None and other.search(text):
        return [f"letters of another script in a {LANGUAGE_NAMES.get(language, language)} sentence"]
    latin = len(_LATIN_WORD.findall(text))
    own = _SCRIPT_OF.get(language)
    if own is not None:  # a non-Latin language: its script must carry the sentence
        native = len(own.findall(text))
        if native < 2 or latin > native:
            return [f"not written in {LANGUAGE_NAMES.get(language, language)}"]
        return []
    if len(_HAN.findall(text)) > max(latin, 1):
        return [f"not written in {LANGUAGE_NAMES.get(language, language)}"]
    return []

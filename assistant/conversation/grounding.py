"""Grounding guard: nothing the model writes reaches the shopper unless the facts back it.

The model's text is cut into sentences as it streams. Each sentence is checked
against the facts the model was given:

- every number must occur in the facts (prices, list prices, savings, discount
  percentages, ratings, stock counts, policy numbers, numbers in product titles);
- money amounts must equal a price-like fact, in the store currency, read with the
  store's number format (a "$1" on a rupee store, or "kr" on a dollar store, is never
  grounded; "1 349 kr" is 1349 on a Swedish one);
- percentages must equal a discount or a policy percentage;
- ratings ("4.2 stars", "rated 4.2") must equal a product's rating;
- stock claims ("in stock", "sold out", "only 3 left") must match the products' stock;
- brands the catalog knows but the facts do not mention are invented products;
- text that repeats the system prompt, or talks about it, is a prompt leak;
- with `cited` texts (a support answer's policy sections and order record), a sentence may not
  contradict them: a number in another unit or off the matching clause, can/cannot, free/fee,
  before/after (`contradiction`);
- with `check_praise` (explanations), praise of a product needs its facts (`claims`);
- with `language`, the sentence must be written in the shopper's language (`claims`).

A failing sentence is dropped; if nothing is left, the caller's template answer
(built from the same facts) is emitted instead. Sentences are released only when
complete, so an ungrounded clause never reaches the user half-way.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.conversation.claims import praise_problems, script_problems
from assistant.conversation.contradiction import policy_problems
from retrieval.catalog import Product
from retrieval.money import Money, currency_of, marker_regex

_LEAK_TALK = re.compile(
    r"\b(?:system prompt|my instructions|i was instructed|i am instructed|i'm instructed|"
    r"my (?:hidden |secret )?rules|as an ai(?: language)? model|developer message)\b|系统提示",
    re.IGNORECASE,
)
_ONLY_LEFT = re.compile(r"\bonly\s+(\d+)\s+(?:units?\s+|pieces?\s+|items?\s+)?(?:left|remaining)", re.IGNORECASE)
_OUT_OF_STOCK = re.compile(r"\b(?:out of stock|sold out|unavailable|not available)\b|缺货|无货", re.IGNORECASE)
_IN_STOCK = re.compile(r"\b(?:in stock|available now|ready to ship)\b|有货", re.IGNORECASE)
_CODE = re.compile(r"\b[A-Z]{2,}-?\d+[A-Z0-9]*\b")  # coupon codes, order ids: SAVE10, AB-100233
_ABBREV = ("rs.", "mr.", "mrs.", "dr.", "no.", "vs.", "e.g.", "i.e.", "approx.", "inc.", "st.")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class _Patterns:
    """The number and money regexes of one store's money format."""

    money_before: re.Pattern[str]
    money_after: re.Pattern[str]
    percent: re.Pattern[str]
    rating: re.Pattern[str]
    any_num: re.Pattern[str]


@lru_cache(maxsize=32)
def patterns(money: Money) -> _Patterns:
    """Amounts are read as the store writes them ("1 349 kr", "$24.99", Indian "1,23,456") and in any other
    currency's symbols and words, so an amount in a currency that is not the store's is caught."""
    num = money.number_pattern()
    loose = money.number_pattern(loose_spaces=True)
    marks = marker_regex(money.markers)
    return _Patterns(
        money_before=re.compile(rf"({marks})\s*({loose})", re.IGNORECASE),
        money_after=re.compile(rf"({loose})\s*({marks})", re.IGNORECASE),
        percent=re.compile(rf"({num})\s*(?:%|percent|per cent)", re.IGNORECASE),
        rating=re.compile(rf"(?:rated|rating(?: of| is)?|scores?)\s*(?:of\s*)?({num})|({num})\s*"
                          r"(?:/\s*5|out of 5|stars?|星)", re.IGNORECASE),
        any_num=re.compile(num),
    )


@dataclass
class Facts:
    """Everything the model was told. Only these may appear in what the user reads."""

    products: list[Product] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # policy sections, order records, promotion facts
    amounts: list[float] = field(default_factory=list)  # extra money amounts (coupon values, order totals)
    money: Money = field(kw_only=True)  # the store's money format: its currency and how numbers are written
    known_brands: set[str] = field(default_factory=set)  # catalog-wide, to spot invented products
    system_prompt: str = ""
    request: str = ""  # the shopper's words: never evidence, and not to be parroted back
    cited: list[str] = field(default_factory=list)  # texts the answer cites: a sentence may not contradict them
    lead: str = ""  # the answer's extracted first sentence ("it"/"they" in a model sentence refer to it)
    check_praise: bool = False  # quality claims ("durable", "known for") need the products' own facts
    language: str = ""  # the shopper's language: a sentence in another script is dropped

    def __post_init__(self) -> None:
        self.patterns = patterns(self.money)
        num = self.money.parse_number
        self.numbers: set[float] = set()
        self.amounts_seen: set[float] = set(self.amounts)
        self.percents: set[float] = set()
        self.ratings: set[float] = set()
        self.stock: dict[str, int] = {}
        self.brands = {p.brand.lower() for p in self.products if p.brand}
        fact_text: list[str] = list(self.texts) + [t for t in [*self.cited, self.lead] if t and t not in self.texts]
        for p in self.products:
            price_like = [p.price] + ([p.list_price] if p.list_price else [])
            if p.list_price and p.list_price > p.price:
                price_like.append(round(p.list_price - p.price, 2))
            self.amounts_seen.update(price_like)
            self.numbers.update(price_like)
            if p.discount_pct:
                self.percents.update({p.discount_pct, float(round(p.discount_pct)), float(int(p.discount_pct))})
            if p.rating is not None:
                self.ratings.update({p.rating, round(p.rating, 1)})
                self.numbers.update({p.rating, round(p.rating, 1)})
            self.numbers.update({float(p.rating_count), float(p.stock), 5.0})
            self.stock[p.id] = p.stock
            fact_text += [p.title, p.brand, *p.attributes.values()]
        self.numbers.update(self.percents)
        self.numbers.update(float(i) for i in range(1, len(self.products) + 1))  # "[2]", "both 2"
        pat = self.patterns
        for t in fact_text:
            for m in pat.any_num.finditer(t):
                self.numbers.add(num(m.group()))
            for m in pat.percent.finditer(t):
                self.percents.add(num(m.group(1)))
            for m in pat.money_before.finditer(t):
                self.amounts_seen.add(num(m.group(2)))
            for m in pat.money_after.finditer(t):
                self.amounts_seen.add(num(m.group(1)))
        self.numbers.update(self.amounts_seen)
        self._fact_blob = " ".join(fact_text)
        self._fact_words = set(_WORD.findall(" ".join(fact_text).lower()))
        self._prompt_ngrams = self._ngrams(self.system_prompt) - self._ngrams(" ".join(fact_text))
        self._request_ngrams = self._ngrams(self.request, 3) - self._ngrams(" ".join(fact_text), 3)

    @staticmethod
    def _ngrams(text: str, n: int = 6) -> set[tuple[str, ...]]:
        words = _WORD.findall(text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    def echoes_request(self, sentence: str) -> bool:
        """Mostly a copy of the shopper's words (e.g. an injected instruction read back)."""
        grams = self._ngrams(sentence, 3)
        return bool(grams and self._request_ngrams) and len(grams & self._request_ngrams) >= 0.5 * len(grams)

    def leaks_prompt(self, sentence: str) -> bool:
        if _LEAK_TALK.search(sentence):
            return True
        return bool(self._prompt_ngrams and self._ngrams(sentence) & self._prompt_ngrams)


def _close(x: float, pool: Iterable[float], tol: float = 0.011) -> bool:
    return any(abs(x - y) <= tol for y in pool)


def check_sentence(sentence: str, facts: Facts) -> list[str]:
    """Reasons `sentence` is not backed by `facts` (empty when it is grounded)."""
    reasons: list[str] = []
    if facts.leaks_prompt(sentence):
        return ["prompt leak"]
    covered: list[tuple[int, int]] = []
    pat, num, money = facts.patterns, facts.money.parse_number, facts.money
    for rx, cur_group, num_group in ((pat.money_before, 1, 2), (pat.money_after, 2, 1)):
        for m in rx.finditer(sentence):
            if any(a <= m.start(num_group) < b for a, b in covered):
                continue
            covered.append(m.span(num_group))
            if currency_of(m.group(cur_group), money) != money.currency:
                reasons.append(f"currency {m.group(cur_group).strip()} is not the store's")
            elif not _close(num(m.group(num_group)), facts.amounts_seen, 0.51):
                reasons.append(f"price {m.group(0).strip()} not in facts")
    for m in pat.percent.finditer(sentence):
        covered.append(m.span(1))
        if not _close(num(m.group(1)), facts.percents, 0.51):
            reasons.append(f"percentage {m.group(0)} not in facts")
    for m in pat.rating.finditer(sentence):
        group = 1 if m.group(1) else 2
        covered.append(m.span(group))
        value = num(m.group(group))
        if value <= 5 and not _close(value, facts.ratings, 0.051):
            reasons.append(f"rating {value:g} not in facts")
    for m in pat.any_num.finditer(sentence):
        if any(a <= m.start() < b for a, b in covered):
            continue
        if not _close(num(m.group()), facts.numbers, 0.011):
            reasons.append(f"number {m.group()} not in facts")
    for m in _CODE.finditer(sentence):
        if m.group() not in facts._fact_blob:
            reasons.append(f"code {m.group()} not in facts")
    reasons += _stock_problems(sentence, facts)
    reasons += _brand_problems(sentence, facts)
    if facts.echoes_request(sentence):
        reasons.append("echoes the request")
    if facts.cited:
        reasons += policy_problems(sentence, facts.cited, facts.lead, facts.money)
    if facts.check_praise:
        reasons += praise_problems(sentence, facts.products, facts.texts)
    if facts.language:
        names = [n for p in facts.products for n in (p.title, p.brand, *p.attributes.values())]
        reasons += script_problems(sentence, facts.language, names)
    return reasons


def _stock_problems(sentence: str, facts: Facts) -> list[str]:
    stocks = list(facts.stock.values())
    if not stocks:
        return ["stock claim without product facts"] if _ONLY_LEFT.search(sentence) else []
    out: list[str] = []
    for m in _ONLY_LEFT.finditer(sentence):
        if int(m.group(1)) not in stocks:
            out.append(f"stock '{m.group(0)}' not in facts")
    if _OUT_OF_STOCK.search(sentence) and all(s > 0 for s in stocks):
        out.append("claims out of stock, facts say in stock")
    elif _IN_STOCK.search(sentence) and not _OUT_OF_STOCK.search(sentence) and all(s == 0 for s in stocks):
        out.append("claims in stock, facts say out of stock")
    return out


def _brand_problems(sentence: str, facts: Facts) -> list[str]:
    if not facts.known_brands:
        return []
    words = " " + " ".join(_WORD.findall(sentence.lower())) + " "
    out = []
    for brand in facts.known_brands:
        if brand in facts.brands or len(brand) < 4 or brand in facts._fact_words:
            continue
        if f" {brand} " in words:
            out.append(f"brand {brand} is not among the facts")
    return out


class SentenceSplitter:
    """Incremental sentence splitter for streamed text (Latin and CJK punctuation)."""

    _END = re.compile(r"[.!?](?=\s)|[。！？]|\n")

    def __init__(self) -> None:
        self._buf = ""

    def feed(self, piece: str) -> list[str]:
        self._buf += piece
        out: list[str] = []
        start = 0
        for m in self._END.finditer(self._buf):
            end = m.end()
            candidate = self._buf[start:end]
            words = candidate.lower().split()
            last = words[-1] if words else ""
            if m.group() == "." and (last in _ABBREV or re.fullmatch(r"[a-z]\.", last)):
                continue
            if not candidate.strip():
                continue  # a bare line break opens the next sentence (a list item keeps its own line)
            out.append(candidate)
            start = end
        self._buf = self._buf[start:]
        return out

    def flush(self) -> list[str]:
        rest, self._buf = self._buf, ""
        return [rest] if rest.strip() else []


@dataclass
class GuardReport:
    kept: list[str] = field(default_factory=list)
    removed: list[tuple[str, list[str]]] = field(default_factory=list)
    leaks: int = 0
    used_fallback: bool = False


class GroundingGuard:
    """Filter a stream of model text pieces into grounded sentences.

    `fallback` is the template answer from the same facts, emitted when the model's
    text had no grounded sentence at all (or failed before saying anything).
    """

    def __init__(self, facts: Facts, fallback: str = "") -> None:
        self.facts = facts
        self.fallback = fallback
        self.report = GuardReport()

    def _check(self, sentence: str) -> str | None:
        reasons = check_sentence(sentence, self.facts)
        if reasons:
            self.report.removed.append((sentence.strip(), reasons))
            if reasons == ["prompt leak"]:
                self.report.leaks += 1
            return None
        self.report.kept.append(sentence.strip())
        return sentence

    def filter(self, pieces: Iterable[str]) -> Generator[str, None, None]:
        splitter = SentenceSplitter()
        emitted = False
        for piece in pieces:
            for sentence in splitter.feed(piece):
                ok = self._check(sentence)
                if ok is not None:
                    emitted = True
                    yield ok
        for sentence in splitter.flush():
            ok = self._check(sentence)
            if ok is not None:
                emitted = True
                yield ok
        if not emitted and self.fallback:
            self.report.used_fallback = True
            yield self.fallback

    def check_text(self, text: str) -> str:
        return "".join(self.filter([text]))


def strip_prompt_leaks(text: str, system_prompt: str) -> str:
    """Drop sentences of `text` that repeat or discuss `system_prompt`."""
    facts = Facts(system_prompt=system_prompt, money=Money("XXX"))  # XXX: ISO 4217 "no currency"; no amounts
    splitter = SentenceSplitter()
    sentences = splitter.feed(text) + splitter.flush()
    return "".join(s for s in sentences if not facts.leaks_prompt(s)).strip()


def ungrounded_sentences(text: str, facts: Facts) -> list[tuple[str, list[str]]]:
    """Audit helper for benchmarks: the sentences of `text` that the guard would drop."""
    splitter = SentenceSplitter()
    out = []
    for s in splitter.feed(text) + splitter.flush():
        reasons = check_sentence(s, facts)
        if reasons:
            out.append((s.strip(), reasons))
    return out


def currency_rule(money: Money) -> str:
    """The prompt sentence that names the store's currency ("Prices are in US dollars ($).")."""
    return f"Prices are in {money.name} ({money.symbol})."


def product_fact_lines(products: Sequence[Product], money: Money) -> list[str]:
    """The facts block shown to the model, one product per line, amounts in the store's format."""
    lines = []
    for i, p in enumerate(products, 1):
        bits = [f"[{i}] {p.title}"]
        if p.brand:
            bits.append(f"brand {p.brand}")
        bits.append(f"price {money(p.price)}")
        if p.on_sale and p.list_price:
            bits.append(f"was {money(p.list_price)} ({p.discount_pct:g}% off)")
        if p.rating is not None:
            bits.append(f"rating {p.rating:g}/5")
        bits.append("in stock" if p.in_stock else "out of stock")
        lines.append("; ".join(bits))
    return lines


def known_brands(products: Iterable[Product]) -> set[str]:
    """Catalog brands that identify a product when named (for the invented-product check).

    Brands shorter than 4 letters, or whose words also occur in other brands' product
    titles ("slim", "style"), are left out: naming them proves nothing.
    """
    items = list(products)
    title_words: dict[str, set[str]] = {}
    for p in items:
        for w in set(_WORD.findall(p.title.lower())):
            title_words.setdefault(w, set()).add(p.brand.lower())
    out = set()
    for p in items:
        brand = p.brand.lower().strip()
        if len(brand) < 4:
            continue
        words = _WORD.findall(brand)
        if any(title_words.get(w, set()) - {brand} for w in words):
            continue
        out.add(brand)
    return out

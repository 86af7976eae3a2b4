"""Product-type words, learned from the catalog: which words name *what* a product is.

English noun phrases are head-final: "ten ten women's black knee length boots" is a
kind of boot, "coffee mug" a kind of mug, "watch box" a box. So a product's type keys
are the last content word (the head) of its title and of each category segment, with
the word before it ("coffee mug", "running shoe", "hand bag"). Across the catalog a
word is a *type word* when it heads several products and, where it appears, it is
mostly the head ("watch" is; "casual", "running" and "coffee" are modifiers).

Keys are compact (no spaces or hyphens) so "handbag", "hand bag" and "hand-bag" are
one key. Nothing here is specific to one store: the demo catalog and a hardware
catalog get their own type words from their own titles and categories.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field

from retrieval.catalog import Product

_TOKEN = re.compile(r"[a-z]+(?:['-][a-z]+)*")
_IN_FINISH = re.compile(r"\s+in\s+\S+(?:\s+\S+){0,2}\s*$")
_TITLE_CUT = re.compile(r"\s(?:-|–|\|)\s|\s(?:for|with|by|compatible)\s|\(|\[|:")
# Words that never head a product type: units, packaging, grammar, who it is for.
_NOT_HEADS = {
    "ml", "ltr", "litre", "liter", "cm", "mm", "inch", "inches", "kg", "gm", "gram", "grams", "pcs", "pc",
    "size", "pack", "piece", "pieces", "free", "new", "the", "and", "of", "a", "an", "in", "on", "for", "with",
    "set", "combo", "kit", "edition", "series", "model", "design", "style", "print", "printed", "solid",
    "men", "women", "boy", "girl", "kid", "baby", "unisex", "man", "woman", "ladies", "lady", "gents",
    "mens", "womens", "infant", "infants", "toddler", "couple", "senior", "wear", "boys", "girls", "kids",
    "babies", "toddlers", "only", "included", "ft", "feet", "count",
}
# Shopper words for why or how they buy, never what: "a gift for my dad" is not a product called "gift".
_NOT_TYPES = {"gift", "present", "item", "product", "thing", "stuff", "something", "anything", "need", "want",
              "like", "help", "option", "one", "piece", "pair", "range", "collection", "brand", "price"}
MAX_NODE_WORDS = 3  # a category segment this short is a taxonomy node ("coffee mugs"), longer ones name items
MIN_PRODUCTS = 2  # a type word heads at least this many products
MIN_HEAD_SHARE = 0.3  # ... and is the head in at least this share of the products that mention it


@functools.lru_cache(maxsize=65536)
def singular(word: str) -> str:
    """A plural noun's singular, by rule ("watches" -> "watch", "bellies" -> "belly", "dress" stays)."""
    w = word.lower()
    if len(w) <= 3 or w.endswith(("ss", "us", "is", "'s")):
        return w.removesuffix("'s")
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "sses", "xes", "zes")):
        return w[:-2]
    if w.endswith("s"):
        return w[:-1]
    return w


@functools.lru_cache(maxsize=65536)
def compact(phrase: str) -> str:
    """The key of a phrase: singular words, no spaces or hyphens ("Hand Bags" -> "handbag")."""
    words = [singular(w) for w in _TOKEN.findall(phrase.lower())]
    if words:
        words[-1] = singular(words[-1])
    return "".join(words).replace("-", "").replace("'", "")


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if len(t) > 2 and not t.endswith("'s")]


def head_keys(segment: str, colours: Set[str] = frozenset(), modifiers: bool = True) -> list[str]:
    """Type keys of one title or category segment: its head word, and the head with the word before it.

    Trailing words that cannot be a head (units, colours, "pack") are passed over; a colour word may
    modify a head only when `modifiers` says so (taxonomy nodes such as "coffee mugs", not titles,
    where "black boots" are boots that are black)."""
    tokens = _tokens(segment)
    while tokens and (tokens[-1] in _NOT_HEADS or tokens[-1] in colours):
        tokens.pop()
    if not tokens:
        return []
    head = singular(tokens[-1])
    keys = [compact(head)]
    if len(tokens) >= 2 and tokens[-2] not in _NOT_HEADS and (modifiers or tokens[-2] not in colours):
        keys.append(compact(f"{tokens[-2]} {head}"))
    return keys


def _title_head(title: str) -> str:
    """The part of a title that names the product: before " - ", "for", "with"..., and before a short
    trailing finish ("... shower head in brushed nickel")."""
    return _IN_FINISH.sub("", _TITLE_CUT.split(title.lower(), maxsplit=1)[0])


def _title_keys(title: str, colours: Set[str]) -> list[str]:
    """The title's head keys, and the head word again with each other modifier the title gives it
    ("sports running shoes, cycling shoes" is a running shoe and a cycling shoe)."""
    keys = head_keys(title, colours, modifiers=False)
    if keys:
        tokens = _tokens(title)
        for i in range(1, len(tokens)):
            if compact(tokens[i]) == keys[0] and tokens[i - 1] not in _NOT_HEADS and tokens[i - 1] not in colours:
                keys.append(compact(f"{tokens[i - 1]} {tokens[i]}"))
    return list(dict.fromkeys(keys))


def _keyed_segments(product: Product, colours: Set[str]) -> list[list[str]]:
    """Type keys of the title (before " - ", "for", "with"...), then of each category segment but the
    top-level department ("watches" also holds watch boxes)."""
    return _segment_keys(product.title, tuple(product.category_path), frozenset(colours))


@functools.lru_cache(maxsize=131072)  # an index and its vocabulary both read every product's keys
def _segment_keys(title: str, path: tuple[str, ...], colours: frozenset[str]) -> list[list[str]]:
    out = [_title_keys(_title_head(title), colours)]
    for i, segment in enumerate(path):
        if i or len(path) == 1:
            out.append(head_keys(segment, colours, modifiers=len(_tokens(segment)) <= MAX_NODE_WORDS))
    return out


def product_type_keys(product: Product, colours: Set[str] = frozenset()) -> set[str]:
    """Every type key of one product."""
    return {key for keys in _keyed_segments(product, colours) for key in keys}


@dataclass(frozen=True)
class TypeMatch:
    key: str  # compact type key ("runningshoe")
    words: str  # the words as written in the text ("running shoes")
    start: int
    end: int


@dataclass
class TypeVocabulary:
    """The catalog's type keys (with how many products each heads) and the words of its titles."""

    counts: dict[str, int] = field(default_factory=dict)
    known_words: set[str] = field(default_factory=set)
    nouns: set[str] = field(default_factory=set)  # words that head at least one title
    category_words: set[str] = field(default_factory=set)  # words of taxonomy nodes ("mobile accessories")
    head_of: dict[str, str] = field(default_factory=dict)  # "runningshoe" -> "shoe"
    _deletes: dict[str, set[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_products(cls, products: Iterable[Product], colours: Set[str] = frozenset()) -> TypeVocabulary:
        heads: Counter[str] = Counter()  # products a key is a type key of
        title_heads: set[str] = set()  # words that head at least one title: nouns that name products
        head_of: dict[str, str] = {}  # a two-word key -> its head word's key
        mentions: Counter[str] = Counter()
        words: set[str] = set()
        nodes: set[str] = set()
        for p in products:
            for segment in p.category_path[1:]:
                node = _TOKEN.findall(segment.lower())
                if len(node) <= MAX_NODE_WORDS:
                    nodes.update(compact(t) for t in node)
            keys: set[str] = set()
            for n, found in enumerate(_keyed_segments(p, colours)):
                if found:
                    keys.update(found)
                    for key in found[1:]:
                        head_of[key] = found[0]
                    if n == 0:
                        title_heads.add(found[0])
            heads.update(keys)
            path = p.category_path
            said = p.title.lower() + " " + " ".join(path[1:] if len(path) > 1 else path).lower()
            tokens = {compact(t) for t in _TOKEN.findall(said)}
            words.update(tokens)
            words.update(compact(t) for t in _TOKEN.findall(" ".join(path[:1]).lower()))
            mentions.update(tokens)

        def is_type_word(key: str) -> bool:
            if key in _NOT_TYPES or key not in title_heads or heads[key] < MIN_PRODUCTS:
                return False
            said = mentions.get(key, 0)
            return not said or heads[key] / said >= MIN_HEAD_SHARE  # "casual", "coffee": mostly modifiers

        counts = {k: n for k, n in heads.items()
                  if n >= MIN_PRODUCTS and (is_type_word(k) if k not in head_of else is_type_word(head_of[k]))}
        vocab = cls(counts=counts, known_words=words | set(counts), nouns=title_heads - _NOT_TYPES,
                    category_words=nodes - _NOT_HEADS,
                    head_of={k: h for k, h in head_of.items() if k in counts and h in counts})
        for key in counts:
            if len(key) >= 4 and key.isalpha():
                for d in _deletes(key):
                    vocab._deletes.setdefault(d, set()).add(key)
        return vocab

    def __contains__(self, key: object) -> bool:
        return key in self.counts

    def __bool__(self) -> bool:
        return bool(self.counts)

    def correct(self, word: str) -> str | None:
        """The type key a misspelt word means ("wacth" -> "watch"): one edit away, and not a catalog word."""
        w = singular(word)
        if len(w) < 4 or w in self.known_words or not w.isalpha():
            return None
        found = {k for d in (w, *_deletes(w)) for k in self._deletes.get(d, ())}
        found |= {w} & set(self.counts)
        close = sorted((k for k in found if _one_edit(w, k)), key=lambda k: -self.counts[k])
        return close[0] if close else None

    def find(self, text: str, skip: Sequence[tuple[int, int]] = (), collapse: bool = True) -> list[TypeMatch]:
        """The type phrases of a shopper's (English) text, longest first; a modifier type before a head type
        ("watch box") is not a type of its own unless `collapse` is off (a list of alternatives)."""
        tokens = [m for m in _TOKEN.finditer(text.lower()) if not any(s <= m.start() < e for s, e in skip)]
        found: list[TypeMatch] = []
        i = 0
        while i < len(tokens):
            match = None
            for size in (3, 2, 1):
                if i + size > len(tokens):
                    continue
                span = tokens[i : i + size]
                if any(span[j + 1].start() - span[j].end() > 1 for j in range(size - 1)):
                    continue  # the words must be adjacent
                key = compact(" ".join(t.group(0) for t in span))
                if key in self.counts:
                    match = TypeMatch(key, text[span[0].start() : span[-1].end()], span[0].start(), span[-1].end())
                    break
            if match is None:
                fixed = self.correct(tokens[i].group(0))
                if fixed is not None:
                    match = TypeMatch(fixed, tokens[i].group(0), tokens[i].start(), tokens[i].end())
            if match is not None and collapse:
                used = len(_TOKEN.findall(match.words))
                after = tokens[i + used] if i + used < len(tokens) else None
                if after is not None and after.start() - match.end <= 1 and compact(after.group(0)) in self.nouns:
                    match = None  # "watch box", "dress material": the word after names the product
            if match is not None:
                if collapse and found and match.start - found[-1].end <= 1:
                    found[-1] = match  # "watch box": the head wins
                else:
                    found.append(match)
                i += max(1, len(_TOKEN.findall(match.words)))
            else:
                i += 1
        return found


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Whether two words are one dropped, doubled or swapped letter apart ("wacth", "wtch", "watchh").

    A changed letter is not a typo here: "sneaker" is not a misspelt "speaker"."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))

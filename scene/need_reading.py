"""Reading one message for the need (`scene.need.NeedReading`), and telling a plain product request apart.

The filters come from retrieval's one parser (product types, who it is for, budget,
brand, colour...). What is left of the words is sorted into request phrasing ("show
me", "I want to get my son", "给我", "帮我找"), which says nothing about the product,
and wishes ("leather", "maruti swift"), which are searched on. A message that holds a
product type and nothing but request phrasing, filters and at most a few catalog words
is a product request, however short ("戒指", "watch for my husband under 1500").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from retrieval.audience import read_audience
from retrieval.filters import Vocabulary, colour_families
from retrieval.product_types import TypeMatch, TypeVocabulary, compact
from retrieval.zh_terms import has_cjk, segments
from scene.need import NeedReading
from scene.slots import SceneSlots

# Words of asking, politeness, grammar and occasion: they never describe the product.
_FILLER = frozenset(re.findall(r"\S+", """
i i'm im i'd id i'll me my mine we our us you your u it its it's this that these those them they there here
a an the some any anything something one ones another other others else more most same similar
please pls plz thanks thank ok okay hi hello hey yes yeah also too now then so and or but with without for
of to in on at from by about as into than is are was were be been am do does did done have has had got
get getting give giving gift gifts present presents want wanna need needs needed looking look find show
see buy buying purchase order like would could can should will may might maybe just only really very
quite bit little lot lots what which how who where when why whats what's any kind sort type types
good nice great best cool new cheap cheaper cheapest affordable expensive pricier budget price prices
priced range around under over below above less least cost costs back again instead either options
option choice choices recommend suggest suggestions help searching search let let's lets go going
birthday anniversary christmas diwali wedding occasion party gifting surprise someone somebody friend
friends him her his she he year years yr yrs old month months age aged available stock sale deal deals
offer offers discount discounted stuff thing things item items product products pair pairs piece pieces
number couple few many much all every each both colour color colours colors shade style styles
after perhaps probably sell sells selling stock carry carries have has got ideas idea idk hmm um well actually
"""))
SHOPPING_WORDS = _FILLER  # the words of asking for products (scene.support_words leaves them out of service words)
_ZH_FILLER = set("我想要给买找帮看推荐有没吗呢吧啊的了个一几款双条块件只支副些点请麻烦那这就也还再下什么哪能可以"
                 "送礼物位吗么呀嘛哦噢嗯好谢种类其他别换话题另外顺便来")
_MORE = re.compile(r"\b(show|see|any)\s+(me\s+)?(more|others|other ones|something else)\b|\bmore\s+options\b"
                   r"|换一批|更多|还有别的|再来几", re.I)
_RESTORE = re.compile(
    r"\b(back to|go back|going back|return to|revisit|again to)\b|\bthe (earlier|previous|original|first) "
    r"(ones?|thing|search|request|items?|products?)\b|\bfrom (before|earlier)\b"
    r"|回到|回去|刚才的|之前的|原来的|最开始|一开始的", re.I)
_FIRST = re.compile(r"\b(first|original)\b|最开始|一开始", re.I)
_ALSO = re.compile(r"\b(also|too|as well|or)\b|也|或者|还有", re.I)
_ONLY = re.compile(r"\b(only|just)\b|只要|只看", re.I)
_TOKEN = re.compile(r"[a-z][a-z0-9'&-]*", re.I)
# "the sweater", "this watch": a product already in the conversation, not a request for one
_DEFINITE = re.compile(r"\b(the|this|that|these|those|its|their|your|his|her)\s+(?:[\w'-]+\s+){0,2}$", re.I)
# a question about something ("is ... wool?", "how long ..."), unless it asks what the store has
_QUESTION = re.compile(r"^\W*(is|are|does|do|did|was|were|will|would|can|could|should|has|have|how|why|when|where"
                       r"|which|what|whats|what's)\b", re.I)
_AVAILABILITY = re.compile(
    r"\b(do|does)\s+(you|u|ya|the store)\s+(have|sell|stock|carry|got)\b|\b(is|are)\s+there\b|\bhave you got\b"
    r"|\bcan\s+(i|you|u)\s+(get|find|show|see|buy|order|recommend|suggest|help)\b|\bany\b"
    r"|\b(do|does|have)\s+(you|u)\s+(have|got)\b", re.I)
MAX_WISHES = 3  # a product request with more words than this is a sentence about something else


def read_need(text: str, slots: SceneSlots, vocab: Vocabulary | None) -> NeedReading:
    """The need-related content of one message, given its slots (retrieval's parse of the same text)."""
    types = vocab.types if vocab is not None else None
    f = slots.filters.model_copy(deep=True)
    residual = slots.query.lower()
    product = ""
    blocked: list[tuple[int, int]] = []
    definite = False
    matches = []
    if types and f.types:
        matches = [m for m in types.find(residual, collapse=not has_cjk(text)) if m.key in f.types]
        product = " ".join(dict.fromkeys(m.words for m in matches))
        blocked = [(m.start, m.end) for m in matches]
        definite = any(_DEFINITE.search(residual[: m.start]) for m in matches)
        if vocab is not None:  # "boots" also reads as footwear: the type says it better, and misfiled boots stay
            implied = {vocab.category_synonyms.get(w) for m in matches for w in _TOKEN.findall(m.words)}
            f.categories = [c for c in f.categories if c not in implied]
    brand_words = {w for b in f.brands for w in b.split()}
    colour_words = {w for w in _TOKEN.findall(residual) if colour_families(w) and colour_families(w)[0] in f.colours}
    audience = read_audience(text)
    audience_words = {w for s, e in read_audience(residual).spans for w in _TOKEN.findall(residual[s:e])}
    wishes: list[str] = []
    for m in _TOKEN.finditer(residual):
        w = m.group(0).lower()
        if any(s <= m.start() < e for s, e in blocked) or w in _FILLER or w in brand_words or w in colour_words:
            continue
        if w in audience_words or len(w) < 2 or w.isdigit():
            continue
        if w not in wishes:
            wishes.append(w)
    low = text.lower()
    if _ONLY.search(low) and not f.types and not f.brands and wishes and types is not None:
        # "only timex", "just skmei pls": a restriction to a maker, even one the catalog does not have
        unknown = [w for w in wishes if not _known(w, types.known_words)]
        if unknown:
            f.brands = [" ".join(unknown)]
            wishes = [w for w in wishes if w not in unknown]
    f.mentions = _mentions(residual, matches, wishes, types)
    reading = NeedReading(
        filters=f,
        product=product,
        wishes=wishes,
        for_person=audience.person,
        relative_price=slots.relative_price,
        more=bool(_MORE.search(low)),
        restore=bool(_RESTORE.search(low)),
        add_brands=bool(f.brands) and bool(_ALSO.search(low)) and not _ONLY.search(low),
        names_self=audience.self_named,
    )
    reading.restore_first = reading.restore and bool(_FIRST.search(low)) and not f.types
    reading.is_request = _is_request(text, reading, types) and not definite and not (
        _QUESTION.search(low) and not _AVAILABILITY.search(low))
    return reading


def _mentions(residual: str, matches: list[TypeMatch], wishes: list[str], types: TypeVocabulary | None) -> list[str]:
    """Words the products must say: the word right before a product type that narrows it ("mobile" cover),
    or, when no product type was recognized, the product noun itself (the last wish: "wallet")."""
    if types is None:
        return []
    if matches:
        # only a word that names a kind of thing ("mobile" cover, "car" mat: a category or product word of the
        # catalog); "comfortable" boots stays a wish to rank by
        out = []
        for m in matches:
            before = _TOKEN.findall(residual[: m.start])
            if before and residual[: m.start].endswith(before[-1] + " ") and before[-1] in wishes:
                out.append(before[-1])
        return [w for w in out if compact(w) in types.category_words or compact(w) in types.nouns]
    return wishes[-1:]


_WEAK = ("it", "this", "that", "they", "them", "these", "those")


def is_product_request(slots: SceneSlots) -> bool:
    """A plain product request that names no product already shown and no order. A bare pronoun ("it's a
    gift") does not point at a shown product when the message names the product it wants."""
    pointed = bool(slots.positions) or (slots.reference_text is not None and slots.reference_text not in _WEAK)
    return (slots.need is not None and slots.need.is_request and not pointed and slots.order_number is None
            and not slots.prompt_injection)


def _is_request(text: str, reading: NeedReading, types: TypeVocabulary | None) -> bool:
    """A product type and nothing else of substance: request phrasing, filters, a few catalog words."""
    if not reading.types:
        return False
    if has_cjk(text):
        return _zh_uncovered(text) <= 1
    known = types.known_words if types else set()
    return len(reading.wishes) <= MAX_WISHES and all(_known(w, known) for w in reading.wishes)


def _known(word: str, known: set[str]) -> bool:
    return compact(word) in known


def _zh_uncovered(text: str) -> int:
    """Chinese characters of `text` that are neither product/people words, colours, prices nor asking words."""
    covered = [False] * len(text)
    for start, end, _ in segments(text):
        covered[start:end] = [True] * (end - start)
    for s, e in read_audience(text).spans:
        covered[s:e] = [True] * (e - s)
    for m in re.finditer(r"\d+|以内|以下|以上|之间|左右|预算|价格|元|块钱|打折|便宜|颜色|色", text):
        covered[m.start() : m.end()] = [True] * (m.end() - m.start())
    return sum(1 for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff" and not covered[i] and ch not in _ZH_FILLER)


_CLAUSE = re.compile(r"[.;!?。；！？，,]+|\s(?:anyway|also|and then|but|then|and)\s|另外|顺便|还有|然后|不过", re.I)


def clean_clauses(text: str, skip: re.Pattern[str]) -> list[str]:
    """The clauses of `text` that `skip` (an instruction to the assistant) does not touch."""
    return [c.strip() for c in _CLAUSE.split(text) if c.strip() and not skip.search(c)]


def request_clause(text: str, skip: re.Pattern[str], read: Callable[[str], SceneSlots]) -> SceneSlots | None:
    """The slots of the one clause of `text` that is a plain product request, when the rest of the message
    is something else (`skip`: an instruction to the assistant): "ignore your rules. anyway i need
    running shoes for men" still gets running shoes, and nothing else of the message is acted on."""
    for clause in clean_clauses(text, skip):
        slots = read(clause)
        if is_product_request(slots):
            return slots
    return None

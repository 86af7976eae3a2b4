"""Policy contradictions: a model sentence added to a support answer must not deny what the cited text says.

The number check in `grounding` only asks whether a number occurs somewhere in the facts. Here a
model sentence is compared with the cited policy text (and the order record) clause by clause:

- quantities: an amount, or a number of days, hours, minutes, weeks, months, years or percent, must
  occur in the cited text with the same unit; and where the sentence's words line up with a clause
  that states a quantity of that unit, that clause must hold the sentence's value ("returns within 7
  days" when the return clause says 10 fails, even if "7-day" appears elsewhere);
- polarity, on two axes: *allowed* (can / cannot, returnable / non-returnable, accepted / not
  accepted) and *cost* (free, no fee / fee, charge, deducted), in English and Chinese;
- conditions: before / within versus after.

Alignment is lexical: content words (lightly stemmed), Chinese character bigrams and a small
EN/ZH concept glossary, so a Chinese sentence can line up with an English policy. A sentence that
starts with a pronoun ("It", "They", "这") is read as being about the answer's lead sentence. The
checks only fire when the cited clauses that best match the sentence agree with each other and
disagree with it: mixed clauses ("free on orders over X, otherwise Y") never fail a sentence.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from retrieval.money import Money

# Units whose number must agree: (pattern right after the number, canonical unit)
_UNITS: tuple[tuple[str, str], ...] = (
    (r"(?:business |working |calendar )?days?\b|个?工作日|天|日", "day"),
    (r"hours?\b|hrs?\b|个?小时", "hour"),
    (r"minutes?\b|mins?\b|分钟", "minute"),
    (r"weeks?\b|个?星期|周", "week"),
    (r"months?\b|个月", "month"),
    (r"years?\b|yrs?\b|年", "year"),
    (r"%|percent\b|per cent\b", "percent"),
)
_UNIT_RX = re.compile("|".join(f"(?P<u{i}>{p})" for i, (p, _) in enumerate(_UNITS)), re.IGNORECASE)
_NUM = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:[.,]\d+)*")
_RANGE = re.compile(r"\s*(?:-|–|—|to|and|or|至|到|~)\s*\d+(?:[.,]\d+)*", re.IGNORECASE)

# Polarity. "allowed": a negated ability or eligibility first, then a plain one.
_NOT_ALLOWED = re.compile(
    r"\b(?:cannot|can ?not|can't|could not|may not|must not|won't|will not|is not|are not|isn't|aren't|"
    r"not (?:be |been )?(?:\w+ )?(?:allowed|accepted|eligible|possible|available|returnable|refundable|permitted|"
    r"returned|refunded|cancell?ed|changed|exchanged)|no longer|never|unable|ineligible|excluded|"
    r"non-?\w+able)\b|不能|不可|无法|不支持|不予|不接受|不允许|不得|不再|不退|不换",
    re.IGNORECASE,
)
_ALLOWED = re.compile(
    r"\b(?:can|may|could|allowed|accepted|accepts?|eligible|possible|permitted|able to|available|"
    r"(?:return|refund|exchange|cancel)l?able)\b|可以|可(?=[退换取用])|能够|支持|接受|允许",
    re.IGNORECASE,
)
_FREE = re.compile(
    r"\b(?:free(?: of charge)?|no (?:\w+ ){0,2}(?:fees?|charges?|costs?)|at no (?:extra )?cost|without (?:any )?"
    r"(?:charge|fee)|waived|complimentary)\b|免费|免运费|包邮|不收费|不收取|无需(?:支付)?费用|无手续费",
    re.IGNORECASE,
)
_CHARGE = re.compile(
    r"\b(?:fees?|charges?|charged|deducted|surcharge|costs?|payable)\b|收费|收取|费用|手续费|扣除|运费",
    re.IGNORECASE,
)
_BEFORE = re.compile(r"\b(?:before|within|until|prior to|no later than|up to)\b|以内|之内|之前|以前|"
                     r"(?<=[天时日月周年])内", re.IGNORECASE)
_AFTER = re.compile(r"\b(?:after|beyond|later than)\b|之后|以后|(?<![然售最之以])后", re.IGNORECASE)
_BELOW = re.compile(r"\b(?:below|under|less than|lower than|at most)\s+\S*\d|(?:低于|不满|未满|少于|不足)\s*\S?\d|"
                    r"\d[\d,.]*\s+or (?:less|below|under)|\d[\d,.]*\s*\S{0,3}以下", re.IGNORECASE)
_ABOVE = re.compile(r"\b(?:over|above|more than|at least|minimum(?: order)?(?: value)? of)\s+\S*\d|"
                    r"\d[\d,.]*\s+or (?:more|above)|"
                    r"(?:满|超过|高于|至少)\s*\S?\d|\d[\d,.]*\s*\S{0,3}(?:及)?以上", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|never|no longer|cannot)\b|n't\b|不|没有|未", re.IGNORECASE)
_BOTH_WAYS = re.compile(r"\botherwise\b|否则", re.IGNORECASE)
_ANAPHOR = re.compile(r"^\s*(?:it|they|them|this|that|these|those|yes|no|so|which|它|这|那|是的|可以的)\b",
                      re.IGNORECASE)

_STOP = frozenset(
    re.findall(r"\S+", "a an the and or of to in on at by for from with is are was were be been being it its this "
               "that these those you your we our us they them their i my me he she his her as if then than so such "
               "any all each every some more most less up out about into over under also just only very too yes will "
               "would should shall do does did done has have had there here what which who when where how why "
               "please get gets got")
)
_POLAR_WORDS = frozenset(
    re.findall(r"\S+", "not no never cannot can may could must won unable ineligible excluded allowed accepted "
               "accept accepts eligible possible permitted able available free fee fees charge charges charged "
               "deducted surcharge cost costs payable waived complimentary before within until prior after beyond "
               "later longer non")
)
# A few support concepts in Chinese, mapped to the English stems they align with.
_GLOSSARY: tuple[tuple[str, str], ...] = (
    ("退货", "return"), ("退回", "return"), ("退款", "refund"), ("取消", "cancel"), ("换货", "exchange"),
    ("运费", "ship"), ("配送", "delivery"), ("送达", "delivery"), ("发货", "ship"), ("快递", "express"),
    ("加急", "express"), ("标准", "standard"), ("当日", "same-day"), ("订单", "order"), ("商品", "item"),
    ("保修", "warranty"), ("发票", "invoice"), ("货到付款", "cash"), ("礼品卡", "gift"), ("化妆品", "cosmetic"),
    ("内衣", "innerwear"), ("袜子", "sock"), ("优惠券", "coupon"), ("会员", "member"), ("地址", "address"),
    ("密码", "password"), ("账户", "account"), ("账号", "account"), ("支付", "payment"), ("付款", "payment"),
    ("钱包", "wallet"), ("银行", "bank"), ("损坏", "damag"), ("质检", "quality"), ("上门取件", "pickup"),
    ("包装", "packag"), ("吊牌", "tag"), ("手机", "mobile"), ("笔记本", "laptop"), ("家电", "applianc"),
    ("服装", "cloth"), ("鞋", "footwear"), ("客服", "customer"), ("人工", "agent"), ("邮件", "email"),
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ed", "ches", "shes", "sses", "xes", "s")
_WORD = re.compile(r"[a-z][a-z'-]*", re.IGNORECASE)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Chinese polarity and condition words, left out of the bigrams so a flipped sentence still lines up
_POLAR_CJK = re.compile(r"不能|不可以?|无法|不支持|不予|不接受|不允许|不得|不再|不退|不换|可以|能够|支持|接受|允许|"
                        r"免费|免运费|包邮|不收费|不收取|收费|收取|费用|手续费|扣除|以内|之内|之前|以前|之后|以后")

NOUN = "w:"  # unit prefix of a number counted in a plain noun ("20 items")
MIN_COVER = 0.34  # share of a sentence's content words a clause must hold to count as "about the same thing"
NEAR_BEST = 0.75  # clauses this close to the best match are all read as candidates
SAME_CLAUSE = 0.8  # a sentence this much covered by one clause restates it: a bare negation flip contradicts it


def _stem(word: str) -> str:
    w = word.lower().strip("'-")
    if len(w) > 4:
        for suf in _SUFFIXES:
            if w.endswith(suf) and len(w) - len(suf) >= 3 and not w.endswith("ss"):
                w = w[: -len(suf) + (2 if len(suf) > 2 and suf.endswith("es") else 0)]
                break
        if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
            w = w[:-1]  # cancell -> cancel, shipp -> ship
        if w.endswith("abl"):
            w = w[:-3]  # returnable -> return
    return w


def content_tokens(text: str, polar: bool = False) -> frozenset[str]:
    """The words a sentence is about: stems without stop, unit and (unless `polar`) polarity words; Chinese
    bigrams and glossary concepts."""
    out: set[str] = set()
    for m in _WORD.finditer(text):
        for part in m.group().lower().split("-"):
            if part.startswith("non") and len(part) > 6:
                part = part[3:]
            if part and part not in _STOP and (polar or part not in _POLAR_WORDS) and not _UNIT_RX.fullmatch(part):
                out.add(_stem(part))
    for zh, en in _GLOSSARY:
        if zh in text:
            out.add(_stem(en))
    for run in _CJK_RUN.findall(_POLAR_CJK.sub(" ", text)):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(t for t in out if t)


@dataclass(frozen=True)
class Clause:
    """One sentence or clause of a cited text (or a model sentence) read for the checks."""

    text: str
    words: frozenset[str]
    quantities: frozenset[tuple[float, str]]
    allowed: bool | None
    free: bool | None
    when: str | None  # "before" | "after" | None (none or both)
    side: str | None  # "below" | "above" a threshold amount | None
    negated: bool  # any negation at all (compared only between closely matching clauses)
    number_words: frozenset[str]  # words with the polarity words kept: "fee" tells which amount is meant


def occurrences(text: str, money: Money) -> list[tuple[float, str, int]]:
    """(value, unit, position) of each quantity: store-currency amounts as unit "money", numbers followed by a
    unit word, "NOUN+stem" for a number followed by a plain noun, and a range ("1 to 2 business days") also as
    one quantity of unit "range:<unit>" valued lo * 1e6 + hi, so a changed end of a range is caught."""
    from assistant.conversation.grounding import patterns

    pat = patterns(money)
    out: list[tuple[float, str, int]] = []
    covered: list[tuple[int, int]] = []
    for rx, num_group in ((pat.money_before, 2), (pat.money_after, 1)):
        for m in rx.finditer(text):
            if any(a <= m.start(num_group) < b for a, b in covered):
                continue
            covered.append(m.span(num_group))
            out.append((money.parse_number(m.group(num_group)), "money", m.start()))
    pending: list[tuple[float, int]] = []
    for m in _NUM.finditer(text):
        if any(a <= m.start() < b for a, b in covered):
            continue
        try:
            value = float(m.group().replace(",", ""))
        except ValueError:
            continue
        pending.append((value, m.start()))
        rest = text[m.end():]
        rng = _RANGE.match(rest)
        if rng and len(pending) == 1:
            continue  # "1 to 2 business days": the unit comes after the second number
        unit_m = _UNIT_RX.match(rest.lstrip(" -\u00a0"))
        noun = re.match(r"[\s-]*([a-z]{3,})", rest, re.IGNORECASE)
        unit = ""
        if unit_m:
            unit = _UNITS[int(next(k for k, v in unit_m.groupdict().items() if v is not None)[1:])][1]
        elif noun and noun.group(1).lower() not in _STOP and noun.group(1).lower() not in ("am", "pm"):
            unit = NOUN + _stem(noun.group(1))  # "10 addresses": aligned, not required
        if unit:
            out.extend((v, unit, pos) for v, pos in pending)
            if len(pending) == 2 and not unit.startswith(NOUN):
                out.append((pending[0][0] * 1e6 + pending[1][0], "range:" + unit, pending[0][1]))
        pending = []
    return out


def quantities(text: str, money: Money) -> set[tuple[float, str]]:
    """The (value, unit) pairs of `occurrences`."""
    return {(v, u) for v, u, _ in occurrences(text, money)}


def _axis(text: str, neg: re.Pattern[str], pos: re.Pattern[str]) -> bool | None:
    """False when the negative reading is present, True for the positive one, None for neither."""
    if neg.search(text):
        return False
    return True if pos.search(text) else None


def read_clause(text: str, money: Money) -> Clause:
    free_hit = _FREE.search(text) is not None
    charge_hit = _CHARGE.search(_FREE.sub(" ", text)) is not None
    free = None if free_hit == charge_hit else free_hit
    before, after = bool(_BEFORE.search(text)), bool(_AFTER.search(text))
    when = None if before == after else ("before" if before else "after")
    allowed = _axis(_FREE.sub(" ", text), _NOT_ALLOWED, _ALLOWED)
    below, above = bool(_BELOW.search(text)), bool(_ABOVE.search(text))
    side = None if below == above else ("below" if below else "above")
    if _BOTH_WAYS.search(text):  # "free over X, otherwise Y": the clause states both branches
        free = side = allowed = None
    return Clause(text, content_tokens(text), frozenset(quantities(text, money)), allowed, free, when, side,
                  bool(_NEGATION.search(text)), content_tokens(text, polar=True))


_CLAUSE_SPLIT = re.compile(r"(?<=[.!?;:])\s+|(?<=[。！？；：])|\n+|\s+(?=(?:except|unless|but)\b)|(?=但|除非)",
                           re.IGNORECASE)


@lru_cache(maxsize=256)
def _cited_clauses(text: str, money: Money) -> tuple[Clause, ...]:
    parts = [p.strip(" *#") for p in _CLAUSE_SPLIT.split(text) if p and p.strip(" *#")]
    return tuple(read_clause(p, money) for p in parts if len(p) > 2)


@lru_cache(maxsize=256)
def _number_clauses(text: str, money: Money) -> tuple[Clause, ...]:
    """Clauses for the number check: a sentence listing parallel quantities ("UPI refunds take 1 to 2 days,
    card refunds 5 to 7 days, ...") is split at its commas so each quantity keeps its own subject."""
    out: list[Clause] = []
    for c in _cited_clauses(text, money):
        parts = [p for p in re.split(r"[,;]\s+|[，；]", c.text) if p.strip()]
        if len(parts) > 1 and all(quantities(p, money) for p in parts):
            out.extend(read_clause(p, money) for p in parts)
        else:
            out.append(c)
    return tuple(out)


@lru_cache(maxsize=256)
def _comma_clauses(text: str, money: Money) -> tuple[Clause, ...]:
    """Clauses cut at every comma too: for the negation check, where "not" must sit in the matched part."""
    return tuple(read_clause(p, money) for c in _cited_clauses(text, money)
                 for p in re.split(r"[,;]\s+|[，；]", c.text) if len(p.strip()) > 2)


def _cover(sentence: frozenset[str], clause: Clause, numbers: bool = False) -> float:
    return len(sentence & (clause.number_words if numbers else clause.words)) / len(sentence) if sentence else 0.0


def _candidates(words: frozenset[str], clauses: tuple[Clause, ...], numbers: bool = False,
                least: float = MIN_COVER) -> list[Clause]:
    """The clauses `words` are about: the best match and those nearly as good (none when nothing matches)."""
    scored = [(_cover(words, c, numbers), c) for c in clauses]
    best = max((s for s, _ in scored), default=0.0)
    if best < least or len(words) < 2:
        return []
    return [c for s, c in scored if s >= NEAR_BEST * best]


def _sub_clause(sentence: str, start: int) -> str:
    """The part of `sentence` around position `start`, between commas and conjunctions."""
    bounds = [0] + [m.end() for m in re.finditer(r"[,;:，；、]|\s(?:and|but|while)\s", sentence)] + [len(sentence)]
    lo = max(b for b in bounds if b <= start)
    hi = min((b for b in bounds if b > start), default=len(sentence))
    return sentence[lo:hi]


def _show(value: float, unit: str) -> str:
    if unit.startswith("range:"):
        return f"{value // 1e6:g} to {value % 1e6:g} {unit[6:]}"
    return f"{value:g} {unit.removeprefix(NOUN)}"


def _number_problems(sentence: str, words: frozenset[str], clauses: tuple[Clause, ...],
                     number_clauses: tuple[Clause, ...], money: Money) -> list[str]:
    out: list[str] = []
    cited_q = {q for c in clauses for q in c.quantities}
    for value, unit, pos in occurrences(sentence, money):
        if (value, unit) not in cited_q and not unit.startswith(NOUN):
            out.append(f"{_show(value, unit)} is not in the cited policy")
            continue
        # the clause this part of the sentence is about must hold this value, if it states that unit at all
        local = content_tokens(_sub_clause(sentence, pos), polar=True)
        with_unit = tuple(c for c in number_clauses if any(u == unit for _, u in c.quantities))
        cands = _candidates(local if len(local) >= 2 else words, with_unit, numbers=True)
        if cands and not any((value, unit) in c.quantities for c in cands):
            said = sorted({v for c in cands for v, u in c.quantities if u == unit})
            out.append(f"{_show(value, unit)}: the cited clause says {', '.join(_show(v, unit) for v in said)}")
    return out


# Words whose change turns a copied policy sentence into its opposite ("free" -> "charged", "or more" -> "or less").
_TURNING = frozenset([
    "free", "charged", "charge", "fee", "fees", "paid", "more", "less", "over", "under", "above", "below", "before",
    "after", "within", "not", "no", "never", "cannot", "can", "can't", "only", "except", "all", "none", "every",
    "any", "minimum", "maximum", "least", "most", "refundable", "non-returnable", "returnable", "included",
    "excluded", "allowed", "accepted", "available", "unavailable"
])
_DROPPED_NEGATIONS = frozenset(["not", "no", "never", "cannot", "can't", "不", "没", "无"])
_TURNING_CJK = re.compile(r"免费|收费|不|可以|以上|以下|之前|之后|以内|超过|低于|至少|最多")
NEAR_COPY = 0.8  # a sentence this close, word by word, to a cited sentence is a copy of it


def _near_copy_flip(sentence: str, cited: list[str]) -> str:
    """The turned words when `sentence` copies a cited sentence but for words that reverse its meaning ("" if none):
    the clause checks read a long list sentence as a whole, where one flipped item hides among the others."""
    mine = re.findall(r"[\w'-]+|[\u4e00-\u9fff]", sentence.lower())
    if len(mine) < 6:
        return ""
    for text in cited:
        for original in re.split(r"(?<=[.!?。！？])\s*", text):
            theirs = re.findall(r"[\w'-]+|[\u4e00-\u9fff]", original.lower())
            matcher = difflib.SequenceMatcher(a=theirs, b=mine, autojunk=False)
            if matcher.ratio() < NEAR_COPY:
                continue
            changed: list[str] = []
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag in ("replace", "insert"):
                    changed += theirs[i1:i2] + mine[j1:j2]
                elif tag == "delete":  # a shortened copy may leave words out, but not a negation
                    changed += [w for w in theirs[i1:i2] if w in _DROPPED_NEGATIONS]
            turned = [w for w in changed if w in _TURNING or _TURNING_CJK.search(w)]
            if turned:
                return ", ".join(dict.fromkeys(turned))
    return ""


def policy_problems(sentence: str, cited: list[str], lead: str, money: Money) -> list[str]:
    """Reasons `sentence` contradicts the cited texts (empty when it does not)."""
    clauses = tuple(c for t in cited for c in _cited_clauses(t, money))
    if not clauses:
        return []
    number_clauses = tuple(c for t in cited for c in _number_clauses(t, money))
    me = read_clause(sentence, money)
    out = _number_problems(sentence, me.number_words, clauses, number_clauses, money)
    lead_clauses = _cited_clauses(lead, money) if lead else ()
    fine = tuple(c for t in cited for c in _comma_clauses(t, money))
    parts = [read_clause(p, money) for p in _CLAUSE_SPLIT.split(sentence) if p and len(p.strip()) > 2]
    for part in parts if len(parts) > 1 else [me]:
        words = part.words if len(part.words) >= 2 else me.words
        for axis in ("allowed", "free", "when", "side"):
            mine = getattr(part, axis)
            if mine is None:
                continue
            cands = []
            if _ANAPHOR.match(part.text) and lead_clauses:
                cands = [c for c in lead_clauses if getattr(c, axis) is not None]
            if not cands:
                cands = [c for c in _candidates(words, clauses) if getattr(c, axis) is not None]
            values = {getattr(c, axis) for c in cands}
            if values and mine not in values:
                out.append(f"{axis}: says {mine}, the cited policy says {values.pop()} ({cands[0].text[:60]!r})")
    for piece in re.split(r"[,;]\s+|[，；]", sentence):
        bit = read_clause(piece, money)
        close = _candidates(bit.words, fine, least=SAME_CLAUSE)
        if close and all(c.negated != bit.negated for c in close):
            out.append(f"negation: {'adds' if bit.negated else 'drops'} a 'not' to {close[0].text[:60]!r}")
    if not out and (turned := _near_copy_flip(sentence, cited)):
        out.append(f"copies a cited sentence but turns {turned}")
    return out

"""Words of policy text and questions, in any language, and the kind of fact a question asks for.

Policy retrieval needs a lexical signal beside the embedder: the embedder is English-first, and a
question such as "what's the handling fee" is decided by the words the policy itself uses. Latin
words are lower-cased and cut to a short stem (so "refunds" meets "refund" and "delivered" meets
"delivery"); Chinese is cut into words with jieba when it is installed, else into character bigrams.

`asked_kind` says which kind of fact a question wants (a duration, an amount, a yes/no condition),
so the answer can lead with the policy sentence that states that kind of fact.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Literal

log = logging.getLogger(__name__)

Kind = Literal["duration", "amount", "condition", ""]

_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[^\W_]+", re.UNICODE)
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s", "y", "e")
_STEM = 7  # at most this many letters of a stem are compared

# Function words that say nothing about the topic (English and Chinese question words included: the
# kind of question is read by `asked_kind`, not by the word overlap).
_STOP_WORDS = """
a an the and or but if of to in on at by for from with about as is are was were be been being am do does did
done can could will would shall should may might must have has had having i me my mine we our us you your
it its this that these those there here what which who whom whose when where why how any some all no not
than then so too very just also only still yet again please pls plz thanks thank hi hello ok okay get got
much many long whats what's i'm i'd don't doesn't can't isn't u ur pls policy policies rule rules
的 了 吗 呢 吧 啊 是 我 你 您 他 她 它 我们 你们 这 那 这个 那个 什么 怎么 怎么样 如何 为什么 哪 哪里 哪个 多少
多久 几 能 可以 会 要 想 有 没有 在 和 与 或 就 都 也 还 请 一下 吗？ 呢？ 请问 一个 个 把 被 给 对 吧
政策 规则 规定
"""
_STOP = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=1)
def _jieba() -> Any:
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        return jieba
    except ImportError:  # pragma: no cover - jieba is a dependency, bigrams are the fallback
        return None


def _cjk_words(run: str) -> list[str]:
    jieba = _jieba()
    if jieba is not None:
        return [w for w in jieba.lcut_for_search(run) if w.strip()]
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def words(text: str) -> list[str]:
    """The topic words of `text`: Latin words stemmed, Chinese words segmented, function words dropped."""
    out: list[str] = []
    lowered = text.lower()
    pos = 0
    for m in _CJK_RUN.finditer(lowered):
        out.extend(_latin_words(lowered[pos : m.start()]))
        out.extend(w for w in _cjk_words(m.group()) if w not in _STOP)
        pos = m.end()
    out.extend(_latin_words(lowered[pos:]))
    return out


def stem(word: str) -> str:
    """A light English stem: "delivered", "delivery" -> "deliver"; "cancellation", "cancelled" -> "cancel"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # "shipp" -> "ship", "cancell" -> "cancel"
    return word[:_STEM]


def _latin_words(text: str) -> list[str]:
    return [stem(w) for w in _LATIN.findall(text) if w not in _STOP and not w.isdigit()]


class LexicalScorer:
    """How much of a question's vocabulary a text covers, weighted by how rare each word is among `docs`.

    Scores are in [0, 1]: 1 when every topic word of the question appears in the text."""

    def __init__(self, docs: Iterable[str]) -> None:
        bags = [set(words(d)) for d in docs]
        self.n = max(len(bags), 1)
        self.df: Counter[str] = Counter(w for bag in bags for w in bag)

    def idf(self, word: str) -> float:
        return math.log(1.0 + self.n / (1.0 + self.df.get(word, 0)))

    def score(self, query_words: Sequence[str], text_words: Iterable[str]) -> float:
        q = set(query_words)
        if not q:
            return 0.0
        have = set(text_words)
        # A word no policy uses (a typo, a product name) neither helps nor dilutes the score.
        known = [w for w in q if self.df.get(w, 0)]
        total = sum(self.idf(w) for w in known)
        if not total:
            return 0.0
        return sum(self.idf(w) for w in known if w in have) / total


_DURATION_Q = re.compile(
    r"\bhow\s+(?:long|soon|quickly|fast)\b|\bhow\s+many\s+(?:days?|hours?|weeks?|months?|years?|minutes?)\b"
    r"|\bwhen\b|\bwithin\b|\bby when\b|\btime\s?(?:frame|line|limit)s?\b|\bdeadline\b|\bvalid\b"
    r"|几天|多少天|多久|多长时间|多长|什么时候|何时|几个小时|几小时|几年|多少年|时限|期限|几个工作日", re.I)
_AMOUNT_Q = re.compile(
    r"\bfees?\b|\bhow\s+much\b|\bcharge[sd]?\b|\bcosts?\b|\bprices?\b|\bpay\b|\bpays\b|\bfree\b|\bamount\b"
    r"|\bvalue\b|\bminimum\b|\bmaximum\b|\blimit\b|\bup\s+to\b|\bextra\b"
    r"|多少钱|费用|手续费|运费|收费|免费|价格|金额|花钱|付多少|多少|最多|最少|最低|最高|谁出|谁付", re.I)
_CONDITION_Q = re.compile(
    r"^\s*(?:and\s+)?(?:can|could|is|are|do|does|will|may|am)\b|\bam i able\b|\ballowed\b|\beligible\b"
    r"|能不能|可不可以|可以.*吗|能.*吗|是否|有没有|会不会|吗[？?]?\s*$", re.I)

_DURATION_FACT = re.compile(
    r"\d[\d,.]*\s*(?:(?:to|-|–)\s*\d+\s*)?(?:business\s+|working\s+)?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?)\b|\d+-(?:day|hour|week|month|year)\b"
    r"|\d+\s*(?:(?:到|至|-)\s*\d+\s*)?(?:个)?(?:工作日|天|小时|分钟|周|个月|年)"
    r"|\binstant(?:ly)?\b|即时", re.I)
_FREE_FACT = re.compile(r"\bfree\b|\bno\s+(?:\w+\s+)?(?:fee|charge)s?\b|免费|不收取", re.I)


def asked_kind(message: str) -> Kind:
    """The kind of fact `message` asks for: a duration, an amount, a yes/no condition, or "" (open)."""
    if _DURATION_Q.search(message):
        return "duration"
    if _AMOUNT_Q.search(message):
        return "amount"
    if _CONDITION_Q.search(message):
        return "condition"
    return ""


def amount_pattern(markers: Sequence[str]) -> re.Pattern[str]:
    """An amount of money written with one of the store currency's `markers` ("$", "usd", "dollars")."""
    alts = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True) if m)
    if not alts:
        return re.compile(r"(?!x)x")
    return re.compile(rf"(?:{alts})\s?\d|\d[\d,.]*\s?(?:{alts})(?![^\W\d_])", re.I)


HOW_MUCH = re.compile(r"\bhow much\b|\bwhat(?:'s| is| are)? the (?:cost|price|fee|charge)|多少钱|多少费用|收费多少|"
                      r"费用是多少|要多少", re.I)


def states_kind(sentence: str, kind: Kind, amount: re.Pattern[str], priced: bool = False) -> bool:
    """Whether `sentence` states a fact of `kind` (a number of days, an amount or "free", a rule). `priced`: the
    question asks what something costs, so only an amount answers it (a "free" elsewhere does not)."""
    if kind == "duration":
        return bool(_DURATION_FACT.search(sentence))
    if kind == "amount":
        return bool(amount.search(sentence) or (not priced and _FREE_FACT.search(sentence)))
    if kind == "condition":
        return bool(re.search(r"\b(?:can|cannot|can't|must|only|need|not|free|unless|if|except)\b"
                              r"|可以|不能|不可|必须|仅|只有|除非|如果|免费", sentence, re.I))
    return False


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[^a-z\s])|(?<=[。！？])")


def sentences(text: str) -> list[str]:
    """`text` cut into sentences (English and Chinese punctuation)."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


_PHRASE_WORD = re.compile(r"[A-Za-z]+")


def acronyms(texts: Iterable[str], longest: int = 4) -> dict[str, str]:
    """Initialisms of the phrases `texts` use ("cash on delivery" / "Cash-on-delivery" -> {"cod": ...}), for
    phrases of 2 to `longest` words whose initials are not themselves a word of the texts."""
    found: dict[str, str] = {}
    vocabulary: set[str] = set()
    for text in texts:
        tokens = _PHRASE_WORD.findall(text)
        vocabulary.update(t.lower() for t in tokens)
        for n in range(2, longest + 1):
            for i in range(len(tokens) - n + 1):
                phrase = tokens[i : i + n]
                if phrase[-1].lower() in _STOP or phrase[0].lower() in _STOP:
                    continue
                initials = "".join(w[0] for w in phrase).lower()
                found.setdefault(initials, " ".join(phrase).lower())
    return {k: v for k, v in found.items() if k not in vocabulary and len(k) >= 3}


def expand_acronyms(text: str, table: dict[str, str]) -> str:
    """`text` with the phrase of each initialism it writes added ("COD fee" -> "COD fee (cash on delivery)")."""
    extra = [table[w.lower()] for w in _PHRASE_WORD.findall(text) if w.isupper() and w.lower() in table]
    return f"{text} ({'; '.join(extra)})" if extra else text


# How shoppers say what policies write (any store's policies use the standard words): the policy word is added
# to the question beside the shopper's, for the lexical score and the embedder alike.
_SHOPPER_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.I), add) for p, add in (
    (r"\b(?:send|give|take|ship|mail)\s+(?:\w+\s+){0,2}back\b|\bsend\s+back\b", "return"),
    (r"\b(?:broken|broke|cracked|smashed|shattered|defective|faulty|not working|doesn'?t work|stopped working|torn|"
     r"dented|scratched)\b", "damaged defective"),
    (r"\bmoney back\b|\breimburse", "refund"),
    (r"\b(?:doesn'?t|don'?t|didn'?t|won'?t)\s+fit\b|\btoo (?:small|big|large|tight|loose)\b|\bwrong size\b",
     "return exchange size"),
    (r"\bhow (?:long|soon|fast)\b.*\b(?:arrive|get here|come|reach|ship)|\bwhen will (?:it|they|my)\b.*\b(?:arrive|"
     r"come|ship)", "delivery time"),
    (r"(?:发货|寄出|发出|送到|到货).{0,3}(?:要)?(?:多久|几天|多长时间)|(?:多久|几天|什么时候)(?:能)?(?:发货|到|送到)",
     "配送时间"),
    (r"坏了|碎了|摔坏|破了|裂了|不能用|用不了|有问题", "损坏 质量问题"),
    (r"寄回|退回|退掉|退了", "退货"),
    (r"退钱|钱退|返还", "退款"),
))


def expand_shopper_words(text: str) -> str:
    """`text` with the policy words for the shopper's own phrasing added ("send it back" -> "... (return)")."""
    extra = [add for pattern, add in _SHOPPER_WORDS if pattern.search(text) and add not in text]
    return f"{text} ({' '.join(extra)})" if extra else text

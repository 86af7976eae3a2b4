"""Slot extraction: filters (from retrieval's one parser), quantity, order number,
product references (ordinals, "both", "the first two", anaphora) and relative price.

References resolve against the product ids last shown to the shopper. A
reference that cannot be resolved (an ordinal past the end of the list, or no
list at all) is reported in `unresolved_reference`, never raised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from retrieval.filters import QueryFilters, Vocabulary
from retrieval.money import CURRENCY_SIGNS
from retrieval.query_parser import parse_query
from scene.need import NeedReading

ORDINAL_NAMES = (
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
)
LAST = -1

_EN_ORD = {name: i for i, name in enumerate(ORDINAL_NAMES) if i}
_EN_ORD.update({"1st": 1, "2nd": 2, "3rd": 3, **{f"{i}th": i for i in range(4, 11)}})
_EN_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "a couple of": 2, "a couple": 2, "a pair of": 2, "a few": 3, "a": 1, "an": 1, "another": 1}
_ZH_NUM = {"一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ZH_CL = "个双件款台条本部只套种辆把张瓶盒份包支块"

_ORD_WORD = "|".join(sorted(map(re.escape, _EN_ORD), key=len, reverse=True))
_RE_EN_FIRST_N = re.compile(r"\b(?:the\s+)?(?:first|top)\s+(two|three|four|five|2|3|4|5)\b")
_RE_EN_LAST_N = re.compile(r"\b(?:the\s+)?last\s+(two|three|2|3)\b")
_RE_EN_ORD = re.compile(rf"\b(?:the\s+)?({_ORD_WORD}|last)\b(?!\s+(?:time|week|month|year|order|name))")
_NUM_WORD = "one|two|three|four|five|six|seven|eight|nine|ten"
_SIGNS = re.escape(CURRENCY_SIGNS)  # "$", "€"... inside a character class
_RE_EN_NUMBERED = re.compile(
    rf"(?:\b(?:number|no\.|option|item|product|choice)\s*|#\s*)(\d{{1,2}}|{_NUM_WORD})\b"
    r"(?!\s*(?:\$|dollars|rs|rupees|%))"
)
# "compare 1 and 3", "add 2, 4": single digits joined by and/or/commas are card numbers (not "rated 4 or 5 stars")
_RE_BARE_LIST = re.compile(
    rf"(?<![\w.,{_SIGNS}])(?<!rated )(?<!between )(?<!from )(?<!size )([1-9])"
    r"((?:\s*(?:,|&|and|or|vs\.?|versus|with|和|与|跟)"
    r"\s*(?:#\s*)?[1-9])+)(?![\d.,%]|\s*(?:stars?|k\b|thousand|lakh|people|persons?|years?|yrs?|months?|days?|rs|rupees|"
    rf"dollars|[{_SIGNS}]|元|块|岁|人|天|个月|pcs|pieces?|packs?|sets?|pairs?|seater|kg|g\b|ml|l\b|litres?|inch|cm|mm|gb|tb))"
)
_RE_EN_BOTH = re.compile(r"\b(both|these two|those two|the two|either of them|all of them|all three|all of these)\b")
_RE_EN_IT = re.compile(r"\b(it|this one|that one|this|that|them|these|those|they)\b")
_RE_ZH_FIRST_N = re.compile(rf"前([两二三四五2345])[{_ZH_CL}]?")
_RE_ZH_ORD = re.compile(
    rf"第([一二三四五六七八九十\d]{{1,2}})[{_ZH_CL}]?|([1-9]|10|[一二三四五六七八九十])号|最后一[{_ZH_CL}]"
)
_RE_ZH_BOTH = re.compile(rf"(两[{_ZH_CL}]都|这两[{_ZH_CL}]|那两[{_ZH_CL}]|这几[{_ZH_CL}]|都加|全部)")
_RE_ZH_IT = re.compile(rf"(它|这[{_ZH_CL}]|那[{_ZH_CL}]|这个|那个)")

_RE_ORDER = re.compile(
    r"(?:order|订单|单号)\s*(?:number|no\.?|num|id|号码|号)?\s*(?:is|是|为)?\s*[:：#]?\s*([A-Za-z]{0,4}-?\d[\dA-Za-z-]{3,})",
    re.IGNORECASE,
)
_RE_HASH_NUM = re.compile(r"#\s?(\d{4,})")

_QTY_UNIT = (
    r"(?:pairs?|pieces?|pcs|units?|items?|packs?|boxes|bottles?|sets?|of (?:these|those|them|it|this|that)|more)"
)
_RE_EN_QTY = re.compile(
    rf"\b(\d{{1,3}}|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a pair of|another)\s+{_QTY_UNIT}\b"
    r"|\bquantity\s+(?:to\s+|of\s+)?(\d{1,3})\b|\b(\d{1,3})\s*x\b|\bx\s*(\d{1,3})\b"
)
_RE_ZH_QTY = re.compile(
    rf"(?<![第前这那最])([一二两三四五六七八九十\d]{{1,2}})[{_ZH_CL}](?!都)|数量(?:改成|改为|是|为)?\s*(\d{{1,3}})"
)

_CHEAPER = re.compile(r"\b(cheaper|less expensive|more affordable|lower price|lower priced|budget|less pricey)\b"
                      r"|更便宜|便宜点|便宜一点|便宜些|再便宜|实惠一点|价格低一点")
_PRICIER = re.compile(r"\b(pricier|more expensive|higher end|high-end|premium|fancier|upmarket)\b"
                      r"|贵一点|更贵|高端一点|高档一点|好一点的")


class SceneSlots(BaseModel):
    """What a message says beyond its scene. `filters` is retrieval's QueryFilters (one parser)."""

    filters: QueryFilters = Field(default_factory=QueryFilters)
    query: str = Field(default="", description="the message without filter phrases (retrieval's residual)")
    quantity: int | None = None
    order_number: str | None = None
    reference_text: str | None = Field(default=None, description='the reference as typed: "second", "第二双", "it"')
    positions: list[int] = Field(default_factory=list, description="1-based positions referred to; -1 is the last")
    references: list[str] = Field(default_factory=list, description="product ids the references resolve to")
    unresolved_reference: str | None = Field(default=None, description='e.g. "third" when only two were shown')
    reference_ambiguous: bool = False
    relative_price: Literal["cheaper", "pricier"] | None = None
    prompt_injection: bool = False
    need: NeedReading | None = Field(default=None, description="what the message says about the need (scene.need)")


def _zh_int(s: str) -> int | None:
    if s.isdigit():
        return int(s)
    if s in _ZH_NUM:
        return _ZH_NUM[s]
    if len(s) == 2 and s[0] == "十" and s[1] in _ZH_NUM:
        return 10 + _ZH_NUM[s[1]]
    return None


def _en_int(s: str) -> int | None:
    return int(s) if s.isdigit() else _EN_NUM.get(s)


def find_positions(text: str) -> tuple[list[int], str | None, list[tuple[int, int]]]:
    """(positions, the phrase as typed, spans used) of explicit ordinal references."""
    low = text.lower()
    positions: list[int] = []
    phrase: str | None = None
    spans: list[tuple[int, int]] = []

    def use(m: re.Match[str], pos: list[int]) -> None:
        nonlocal phrase
        for p in pos:
            if p not in positions:
                positions.append(p)
        phrase = phrase or m.group(0).strip()
        spans.append(m.span())

    for m in _RE_EN_FIRST_N.finditer(low):
        n = _en_int(m.group(1)) or 0
        use(m, list(range(1, n + 1)))
    for m in _RE_ZH_FIRST_N.finditer(low):
        n = _zh_int(m.group(1)) or 0
        use(m, list(range(1, n + 1)))
    if not positions:
        for m in _RE_EN_LAST_N.finditer(low):
            n = _en_int(m.group(1)) or 0
            use(m, [-(i + 1) for i in range(n)][::-1])
    if not positions:
        for m in _RE_EN_ORD.finditer(low):
            word = m.group(1)
            use(m, [LAST if word == "last" else _EN_ORD[word]])
        for m in _RE_EN_NUMBERED.finditer(low):
            use(m, [_en_int(m.group(1)) or 0])
        for m in _RE_BARE_LIST.finditer(low):
            if not any(s <= m.start() < e for s, e in spans):
                use(m, [int(d) for d in re.findall(r"[1-9]", m.group(0))])
        for m in _RE_ZH_ORD.finditer(low):
            if m.group(0).startswith("最后"):
                use(m, [LAST])
            else:
                k = _zh_int(m.group(1) or m.group(2) or "")
                if k:
                    use(m, [k])
    return positions, phrase, spans


def _ordinal_name(p: int) -> str:
    if p == LAST:
        return "last"
    return ORDINAL_NAMES[p] if 0 < p < len(ORDINAL_NAMES) else f"#{p}"


def resolve_references(text: str, shown: Sequence[str], focus: Sequence[str] = ()) -> dict[str, object]:
    """Reference slots of `text` against the ids last shown (and the ids last referred to)."""
    positions, phrase, spans = find_positions(text)
    out: dict[str, object] = {}
    low = text.lower()
    if positions:
        ids: list[str] = []
        missing: list[str] = []
        for p in positions:
            idx = len(shown) + p if p < 0 else p - 1
            if 0 <= idx < len(shown):
                if shown[idx] not in ids:
                    ids.append(shown[idx])
            else:
                missing.append(_ordinal_name(p))
        out.update(positions=positions, reference_text=phrase, references=ids)
        if missing:
            out["unresolved_reference"] = missing[0] if len(missing) == 1 else " and ".join(missing)
        out["_spans"] = spans
        return out
    m = _RE_EN_BOTH.search(low) or _RE_ZH_BOTH.search(low)
    if m:
        every = any(w in m.group(0) for w in ("all", "几", "全部"))
        want = list(shown) if every else list(focus if len(focus) >= 2 else shown[:2])
        out.update(reference_text=m.group(0), references=want, positions=[] if every else [1, 2])
        if not shown:
            out["unresolved_reference"] = m.group(0)
        out["_spans"] = [m.span()]
        return out
    m = _RE_EN_IT.search(low) or _RE_ZH_IT.search(low)
    if m:
        plural = m.group(0) in ("them", "these", "those", "they")
        if focus:
            want = list(focus)
        elif plural:
            want = list(shown)
        else:
            want = list(shown[:1])
            out["reference_ambiguous"] = len(shown) > 1
        out.update(reference_text=m.group(0), references=want)
        if not shown and not focus:
            out["unresolved_reference"] = m.group(0)
        out["_spans"] = [m.span()]
    return out


def find_quantity(text: str, masked: Sequence[tuple[int, int]] = ()) -> int | None:
    low = text.lower()
    for rx in (_RE_EN_QTY, _RE_ZH_QTY):
        for m in rx.finditer(low):
            if any(s <= m.start() < e for s, e in masked):
                continue
            raw = next(g for g in m.groups() if g)
            n = _en_int(raw) if rx is _RE_EN_QTY else _zh_int(raw)
            if n is None and raw.isdigit():
                n = int(raw)
            if n and 0 < n <= 999:
                return n
    return None


def find_order_number(text: str) -> str | None:
    m = _RE_ORDER.search(text) or _RE_HASH_NUM.search(text)
    return m.group(1).upper() if m else None


def find_relative_price(text: str) -> Literal["cheaper", "pricier"] | None:
    low = text.lower()
    if _CHEAPER.search(low):
        return "cheaper"
    if _PRICIER.search(low):
        return "pricier"
    return None


def extract(
    text: str,
    shown: Sequence[str] = (),
    focus: Sequence[str] = (),
    vocab: Vocabulary | None = None,
    store_currency: str = "",
    fx_to_store: Mapping[str, float] | None = None,
) -> SceneSlots:
    """All slots of one message. Never raises on any string."""
    parsed = parse_query(text, vocab, store_currency=store_currency, fx_to_store=fx_to_store)
    refs = resolve_references(text, shown, focus)
    spans = list(refs.pop("_spans", []))  # type: ignore[call-overload]
    order = find_order_number(text)
    if order:
        spans += [m.span() for m in _RE_ORDER.finditer(text.lower())]
    quantity = find_quantity(text, spans)
    return SceneSlots(
        filters=parsed.filters,
        query=parsed.residual,
        quantity=quantity,
        order_number=order,
        relative_price=find_relative_price(text),
        **refs,  # type: ignore[arg-type]
    )

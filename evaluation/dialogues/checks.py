"""Judging one turn: each check of the JSON vocabulary against what the shopper got and the catalog's facts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evaluation.dialogues import facts
from evaluation.dialogues.schema import (
    AdmitsUnknownCheck,
    CardsCheck,
    CartCheck,
    Check,
    CitesCheck,
    ComparedCheck,
    ExplainsWithFactsCheck,
    HandoffCheck,
    LanguageCheck,
    NeverSaysCheck,
    ProductRef,
    SaysCheck,
    SceneCheck,
    StatesSpecCheck,
)
from evaluation.dialogues.transcript import TurnRecord
from retrieval.catalog import Product


@dataclass(frozen=True)
class CheckResult:
    kind: str
    passed: bool
    expected: str
    got: str


class Unresolved(Exception):
    """A product reference that names nothing (the earlier turn showed too few products)."""


@dataclass
class Context:
    """What a check may read besides this turn: the catalog and the dialogue's earlier turns (oldest first)."""

    catalog: Mapping[str, Product]
    earlier: Sequence[TurnRecord]
    extra_titles: Sequence[str] = ()  # product titles the text may quote besides shown ones (order lines)

    def product(self, product_id: str) -> Product | None:
        return self.catalog.get(product_id)

    def shown_by_turn(self) -> dict[int, list[str]]:
        return {i: t.shown for i, t in enumerate(self.earlier, 1)}

    def resolve(self, ref: ProductRef) -> str:
        if ref.id is not None:
            return ref.id
        assert ref.turn is not None
        if ref.turn > len(self.earlier):
            raise Unresolved(f"turn {ref.turn} has not been played")
        shown = self.earlier[ref.turn - 1].shown
        if not shown:
            raise Unresolved(f"turn {ref.turn} showed no products")
        if ref.position is not None:
            if ref.position > len(shown):
                raise Unresolved(f"turn {ref.turn} showed {len(shown)} products, no #{ref.position}")
            return shown[ref.position - 1]
        positions = ref.among or list(range(1, len(shown) + 1))
        if max(positions) > len(shown):
            raise Unresolved(f"turn {ref.turn} showed {len(shown)} products, not #{max(positions)}")
        pool = [(p, prod) for p in positions if (prod := self.product(shown[p - 1])) is not None]
        if not pool:
            raise Unresolved(f"turn {ref.turn}'s products are not in the catalog")
        key: Callable[[tuple[int, Product]], Any] = {
            "cheapest": lambda x: (x[1].price, x[0]),
            "priciest": lambda x: (-x[1].price, x[0]),
            "biggest_discount": lambda x: (-x[1].discount_pct, x[0]),
            "best_rated": lambda x: (-(x[1].rating or 0.0), -x[1].rating_count, x[0]),
        }[str(ref.pick)]
        return min(pool, key=key)[1].id

    def describe(self, product_id: str) -> str:
        p = self.product(product_id)
        return f"{product_id[:8]} ({p.title[:40]}, ₹{p.price:g})" if p else product_id


# ---------------------------------------------------------------- text helpers


def normalize(text: str) -> str:
    """Lower case, NFKC (full-width to ASCII), straight quotes, no thousands separators, single spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"(?<=\d),(?=\d{2,3}(?!\d))", "", text)  # also before Chinese ("₹50,000可")
    return " ".join(text.split())


def contains(text: str, phrase: str) -> bool:
    return normalize(phrase) in normalize(text)


_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_NOISE = re.compile(r"\(source:[^)]*\)|https?://\S+|§\s*\d+(\.\d+)?|\bSA-?\d{6}\b|[₹$]\s?[\d,.]+", re.IGNORECASE)
_CODE = re.compile(r"\b[A-Z]+\d+[A-Z0-9]*\b")  # coupon codes (WELCOME10): case-sensitive on purpose


def reply_language(text: str, quoted: Sequence[str] = ()) -> str:
    """"zh", "en" or "none" for the shopper-facing text, after removing what any language quotes verbatim:
    product titles, brands and attribute values, citations, order ids, coupon codes, prices, links."""
    work = text
    for phrase in sorted({q for q in quoted if len(q) >= 3}, key=len, reverse=True):
        work = re.sub(re.escape(phrase), " ", work, flags=re.IGNORECASE)
    work = _CODE.sub(" ", _NOISE.sub(" ", work))
    cjk = len(_CJK.findall(work))
    latin = len(_LATIN_WORD.findall(work))
    if not cjk and not latin:
        return "none"
    return "zh" if cjk >= latin else "en"


ADMISSIONS = (
    "i don't know", "i do not know", "don't have that information", "do not have that information",
    "doesn't say", "does not say", "doesn't mention", "does not mention", "not mentioned", "isn't listed",
    "is not listed", "not listed", "no information", "not sure", "can't tell", "cannot tell", "can't confirm",
    "cannot confirm", "unable to confirm", "don't have details", "not specified", "isn't specified",
    "不知道", "不确定", "没有提到", "没有相关信息", "无法确认", "未提及", "没有说明", "不清楚", "未注明", "没有注明",
)


def admits_unknown(text: str) -> bool:
    low = normalize(text)
    return any(normalize(a) in low for a in ADMISSIONS)


def _quoted_phrases(record: TurnRecord, ctx: Context) -> list[str]:
    ids = set(record.card_ids) | set(record.compared) | {pid for pid, _ in record.cart or []}
    for turn in ctx.earlier:
        ids |= set(turn.shown)
    out = list(ctx.extra_titles)
    for pid in ids:
        p = ctx.product(pid)
        if p is None:
            continue
        out += [p.title, p.brand, *p.attributes.values()]
    out += [str(c.get("title", "")) for c in record.cards]
    return out


def _shown_titles(record: TurnRecord, ctx: Context) -> list[str]:
    ids = set(record.card_ids) | set(record.compared)
    for turn in ctx.earlier:
        ids |= set(turn.shown)
    return [p.title for pid in ids if (p := ctx.product(pid)) is not None]


def card_facts(product: Product) -> list[str]:
    """Concrete catalog facts an explanation of this product could state."""
    out = facts.price_text(product.price)
    if product.on_sale:
        out += [f"{product.discount_pct:g}%", *facts.price_text(product.list_price or product.price)]
    if product.rating is not None:
        r = f"{product.rating:g}"
        out += [f"{r}/5", f"rated {r}", f"{r} star", f"评分{r}"]
    if product.brand and len(product.brand) >= 3:
        out.append(product.brand)
    out += [v for v in product.attributes.values() if len(v) >= 3 and v.lower() not in ("yes", "no", "pack of 1")]
    return out


# ---------------------------------------------------------------- the checks


def _ok(kind: str, passed: bool, expected: str, got: str) -> CheckResult:
    return CheckResult(kind, passed, expected, got)


def judge(check: Check, record: TurnRecord, ctx: Context) -> CheckResult:
    """One check's verdict, with what was expected and what the shopper got."""
    try:
        return _judge(check, record, ctx)
    except Unresolved as exc:
        return _ok(check.kind, False, "a product the shopper was shown", f"unresolvable reference: {exc}")


def _judge(check: Check, record: TurnRecord, ctx: Context) -> CheckResult:
    if isinstance(check, SceneCheck):
        return _ok("scene", record.scene in check.any_of, " | ".join(check.any_of), record.scene or "(no scene)")
    if isinstance(check, CardsCheck):
        return _cards(check, record, ctx)
    if isinstance(check, CartCheck):
        want: dict[str, int] = {}
        unavailable: list[str] = []
        for line in check.lines:
            pid = ctx.resolve(line.product)
            product = ctx.product(pid)
            if product is not None and not product.in_stock:
                unavailable.append(pid)  # out of stock: the right answer says so and adds nothing
                continue
            want[pid] = want.get(pid, 0) + line.qty
        expected = ", ".join(f"{q} x {ctx.describe(p)}" for p, q in want.items()) or "an empty cart"
        if unavailable:
            expected += " (out of stock, so not in the cart: " + ", ".join(map(ctx.describe, unavailable)) + ")"
        if record.cart is None:
            return _ok("cart", False, expected, "cart unknown (could not be read)")
        got = dict(record.cart)
        got_text = ", ".join(f"{q} x {ctx.describe(p)}" for p, q in got.items()) or "an empty cart"
        return _ok("cart", got == want, expected, got_text)
    if isinstance(check, HandoffCheck):
        return _ok("handoff", record.handoff == check.opened, "handoff opened" if check.opened else "no handoff",
                   "handoff opened" if record.handoff else "no handoff")
    if isinstance(check, LanguageCheck):
        lang = reply_language(record.text, _quoted_phrases(record, ctx))
        return _ok("language", lang == check.is_, check.is_, f"{lang}: {record.text[:120]!r}")
    if isinstance(check, CitesCheck):
        found = re.findall(r"§\s*(\d+\.\d+)", record.text)
        return _ok("cites", any(s in found for s in check.any_of), "§" + " | §".join(check.any_of),
                   ", ".join("§" + s for s in found) or "no citation")
    if isinstance(check, SaysCheck):
        missing = [group for group in check.all if not any(contains(record.text, p) for p in group)]
        return _ok("says", not missing, " AND ".join(" | ".join(g) for g in check.all),
                   ("missing " + " AND ".join(" | ".join(g) for g in missing) + ": " if missing else "")
                   + repr(record.text[:200]))
    if isinstance(check, NeverSaysCheck):
        said = [p for p in check.any if contains(record.text, p)]
        return _ok("never_says", not said, "none of " + " | ".join(check.any),
                   ("said " + " | ".join(said) + ": " if said else "") + repr(record.text[:160]))
    if isinstance(check, AdmitsUnknownCheck):
        return _ok("admits_unknown", admits_unknown(record.text), "admits not knowing", repr(record.text[:200]))
    if isinstance(check, StatesSpecCheck):
        return _spec(check, record, ctx)
    if isinstance(check, ComparedCheck):
        want_ids = {ctx.resolve(r) for r in check.products}
        got_ids = set(record.compared)
        return _ok("compared", got_ids == want_ids, ", ".join(sorted(ctx.describe(i) for i in want_ids)),
                   ", ".join(sorted(ctx.describe(i) for i in got_ids)) or "no comparison")
    if isinstance(check, ExplainsWithFactsCheck):
        return _explains(check, record, ctx)
    raise TypeError(f"unknown check {check!r}")  # pragma: no cover - the schema forbids it


def _cards(check: CardsCheck, record: TurnRecord, ctx: Context) -> CheckResult:
    n = len(record.cards)
    bound = f"{check.min}..{'' if check.max is None else check.max} cards"
    problems: list[str] = []
    if n < check.min or (check.max is not None and n > check.max):
        problems.append(f"{n} cards")
    if check.where is not None:
        earlier = ctx.shown_by_turn()
        ceiling = _mean_price(ctx, check.where.cheaper_than_turn)
        for card in record.cards:
            product = ctx.product(str(card.get("id", "")))
            bad = ["not in the catalog"] if product is None else facts.violations(product, check.where, earlier)
            if product is not None and check.where.cheaper_than_turn is not None:
                if ceiling is None:
                    bad.append(f"turn {check.where.cheaper_than_turn} showed no prices to be cheaper than")
                elif product.price >= ceiling:
                    bad.append(f"price {product.price:g} not below turn {check.where.cheaper_than_turn}'s "
                               f"mean {ceiling:g}")
            if bad:
                problems.append(f"#{card.get('position', '?')} {str(card.get('title', ''))[:40]!r}: {'; '.join(bad)}")
    expected = bound + (f", each {check.where.model_dump(exclude_defaults=True)}" if check.where else "")
    return _ok("cards", not problems, expected, "; ".join(problems) if problems else f"{n} cards, all fit")


def _mean_price(ctx: Context, turn: int | None) -> float | None:
    if turn is None or turn > len(ctx.earlier):
        return None
    prices = [float(c["price"]) for c in ctx.earlier[turn - 1].cards if c.get("price") is not None]
    return round(sum(prices) / len(prices), 2) if prices else None


def _spec(check: StatesSpecCheck, record: TurnRecord, ctx: Context) -> CheckResult:
    pid = ctx.resolve(check.product)
    product = ctx.product(pid)
    if product is None:
        return _ok("states_spec", False, f"{check.attribute} of {pid}", "product not in the catalog")
    value = facts.spec_value(product, check.attribute)
    if value is None:
        return _ok("states_spec", admits_unknown(record.text),
                   f"admits the catalog has no {check.attribute} for {ctx.describe(pid)}", repr(record.text[:200]))
    return _ok("states_spec", contains(record.text, value), f"{check.attribute} = {value!r} ({ctx.describe(pid)})",
               repr(record.text[:200]))


def _explains(check: ExplainsWithFactsCheck, record: TurnRecord, ctx: Context) -> CheckResult:
    if check.product is not None:
        product = ctx.product(ctx.resolve(check.product))
    elif len(record.cards) < check.position:
        return _ok("explains_with_facts", False, f"an explanation of card #{check.position}",
                   f"{len(record.cards)} cards")
    else:
        product = ctx.product(str(record.cards[check.position - 1].get("id", "")))
    if product is None:
        return _ok("explains_with_facts", False, "a catalog product", "card not in the catalog")
    text = record.text
    # Echoing the request or naming products proves nothing (and other products' titles hold words such as
    # "printed" that would pass for this product's attribute values).
    titles = {record.message, product.title, *_shown_titles(record, ctx)}
    for phrase in sorted(titles, key=len, reverse=True):
        text = re.sub(re.escape(phrase), " ", text, flags=re.IGNORECASE)
    stated = [f for f in card_facts(product) if contains(text, f) and not contains(record.message, f)]
    return _ok("explains_with_facts", bool(stated), f"a catalog fact of {product.title[:40]!r}",
               ("states " + ", ".join(stated[:3])) if stated else f"no fact: {record.text[:160]!r}")

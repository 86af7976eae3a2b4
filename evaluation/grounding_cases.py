"""Model-free grounding cases: policy contradictions and unsupported praise, generated from the store's data.

Policy cases. For every sentence of every policy section that states a number (with a unit or an
amount), a polarity (can / cannot, free / fee) or a condition (before / within / after), we write:

- contradicting sentences, by rule from the text itself: each number changed (doubled, and swapped for
  another value of the same unit stated elsewhere in the policies), the polarity flipped, the
  condition flipped;
- faithful sentences: the sentence itself and a shortened copy (its clause that holds the fact).

Each goes through the guard exactly as a model sentence added to a support answer citing that
section (the section as cited text, its first sentence as the lead). A contradiction the guard keeps
reaches the shopper (`contradictions_reaching_shopper`, must be 0); a faithful sentence it keeps
counts for `faithful_kept_rate`.

Praise cases. For sampled catalog products and every quality claim of the lexicon, an English and a
Chinese sentence claiming it: a claim the product's text does not name must be dropped
(`praise_unsupported_reaching_shopper`, must be 0); a claim built from a word of the product's own
text must be kept (`praise_supported_kept_rate`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.conversation.claims import CLAIMS, product_text
from assistant.conversation.contradiction import NOUN, quantities, read_clause
from assistant.conversation.grounding import Facts, check_sentence
from assistant.support.policies import PolicySection
from retrieval.catalog import Product
from retrieval.money import Money

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*])")
_FLIPS: tuple[tuple[str, str], ...] = (  # polarity and condition flips, applied once each where they occur
    (r"\bcannot\b", "can"), (r"\bcan no longer\b", "can still"), (r"\bcan not\b", "can"),
    (r"\bcan\b(?! no longer| not)", "cannot"),
    (r"\bare not\b", "are"), (r"\bis not\b", "is"), (r"\bno (\w+ )?fee\b", r"a \1fee"),
    (r"\bfree of charge\b", "for a fee"), (r"\bis free\b", "costs a fee"), (r"\bare free\b", "cost a fee"),
    (r"\bfree\b", "charged"), (r"\bnon-(\w+)", r"\1"), (r"\bbefore\b", "after"), (r"\bafter\b", "before"),
    (r"\bwithin\b", "after"), (r"\bor more\b", "or less"), (r"\bbelow\b", "above"),
)
_ZH_PRAISE = {"quality": "质量很高", "premium": "是高端产品", "durable": "非常耐用", "comfortable": "穿着很舒适",
              "stylish": "非常时尚", "perfect": "很完美", "best": "是最好的选择", "reputation": "这个品牌很知名",
              "popular": "非常受欢迎", "well_rated": "好评很多", "lightweight": "很轻便", "waterproof": "可以防水",
              "breathable": "很透气"}
_EN_PRAISE = {"quality": "is made of high-quality materials", "premium": "is a premium product",
              "durable": "is very durable", "comfortable": "is comfortable to wear", "stylish": "looks stylish",
              "perfect": "is perfect", "best": "is the best choice", "reputation": "comes from a brand known for it",
              "popular": "is very popular", "well_rated": "is highly rated", "lightweight": "is lightweight",
              "waterproof": "is waterproof", "breathable": "is breathable"}


@dataclass
class Case:
    section: str
    kind: str  # "faithful" | "number" | "polarity" | "condition"
    sentence: str
    kept: bool = False


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _changed_numbers(sentence: str, money: Money, by_unit: dict[str, set[float]]) -> list[str]:
    out = []
    for value, unit in sorted(quantities(sentence, money)):
        if unit.startswith((NOUN, "range:")):
            continue
        num = f"{value:g}"
        written = next((m.group() for m in re.finditer(r"\d[\d,]*(?:\.\d+)?", sentence)
                        if abs(money.parse_number(m.group()) - value) < 1e-9), num)
        others = sorted(v for v in by_unit.get(unit, set()) if v != value)
        for new in {value * 2 if value else 1.0, *(others[:1])}:
            new_text = money.format(new).strip(money.symbol).strip() if unit == "money" else f"{new:g}"
            changed = re.sub(rf"(?<![\d,.]){re.escape(written)}(?![\d,])", new_text, sentence, count=1)
            if changed != sentence:
                out.append(changed)
    return out


def _flipped(sentence: str) -> list[tuple[str, str]]:
    out = []
    for pattern, repl in _FLIPS:
        if re.search(pattern, sentence, re.IGNORECASE):
            kind = "condition" if pattern in (r"\bbefore\b", r"\bafter\b", r"\bwithin\b") else "polarity"
            flipped = re.sub(pattern, repl, sentence, count=1, flags=re.IGNORECASE)
            if flipped != sentence:
                out.append((kind, flipped))
    return out


def _shortened(sentence: str) -> str:
    """The sentence cut after its first clause that still states the fact (first number or marker)."""
    parts = re.split(r"(?<=[,;])\s+", sentence)
    short = parts[0].rstrip(",;")
    return short + "." if len(parts) > 1 and len(short.split()) >= 4 else ""


def policy_cases(sections: Sequence[PolicySection], money: Money) -> list[Case]:
    by_unit: dict[str, set[float]] = {}
    for s in sections:
        for v, u in quantities(s.text, money):
            by_unit.setdefault(u, set()).add(v)
    cases: list[Case] = []
    for section in sections:
        for sentence in _sentences(section.text):
            clause = read_clause(sentence, money)
            numbered = any(not u.startswith(NOUN) for _, u in clause.quantities)
            marked = clause.allowed is False or clause.free is not None or clause.when is not None
            if not (numbered or marked):
                continue
            cases.append(Case(section.id, "faithful", sentence))
            if short := _shortened(sentence):
                cases.append(Case(section.id, "faithful", short))
            cases += [Case(section.id, "number", s) for s in _changed_numbers(sentence, money, by_unit)]
            cases += [Case(section.id, kind, s) for kind, s in _flipped(sentence)]
    return cases


def run_policy_cases(sections: Sequence[PolicySection], money: Money) -> dict[str, float | int]:
    """Every generated sentence through the guard as a model sentence of a support answer citing its section."""
    by_id = {s.id: s for s in sections}
    cases = policy_cases(sections, money)
    for case in cases:
        text = by_id[case.section].text
        facts = Facts(texts=[text], cited=[text], lead=_sentences(text)[0], money=money)
        case.kept = not check_sentence(case.sentence, facts)
    faithful = [c for c in cases if c.kind == "faithful"]
    bad = [c for c in cases if c.kind != "faithful"]
    return {
        "policy_cases": len(cases),
        "contradiction_cases": len(bad),
        "contradictions_reaching_shopper": sum(c.kept for c in bad),
        **{f"contradictions_reaching_shopper_{k}": sum(c.kept for c in bad if c.kind == k)
           for k in ("number", "polarity", "condition")},
        "faithful_cases": len(faithful),
        "faithful_kept_rate": round(sum(c.kept for c in faithful) / len(faithful), 4) if faithful else 0.0,
    }


def praise_cases(products: Sequence[Product]) -> list[tuple[Product, str, bool]]:
    """(product, sentence, supported) for every claim of the lexicon, in English and Chinese."""
    out = []
    for p in products:
        blob = product_text(p)
        for claim in CLAIMS:
            if claim.name in ("well_rated", "popular"):
                supported = claim.name == "well_rated" and p.rating is not None and p.rating >= 4.0
            else:
                supported = claim.backed is not None and bool(claim.backed.search(blob))
            out.append((p, f"The {p.title} {_EN_PRAISE[claim.name]}.", supported))
            out.append((p, f"{p.title}{_ZH_PRAISE[claim.name]}。", supported))
        words = [w for w in re.findall(r"[a-z]{5,}", blob) if any(c.said.search(w) for c in CLAIMS)]
        for w in sorted(set(words))[:2]:  # praise in the product's own words is supported
            out.append((p, f"The {p.title} is {w}.", True))
    return out


def run_praise_cases(products: Sequence[Product], money: Money) -> dict[str, float | int]:
    rows = praise_cases(products)
    unsupported = supported = reached = kept = 0
    for product, sentence, ok in rows:
        zh = bool(re.search(r"[\u4e00-\u9fff]", sentence))
        facts = Facts(products=[product], money=money, check_praise=True, language="zh" if zh else "en")
        passed = not check_sentence(sentence, facts)
        if ok:
            supported += 1
            kept += passed
        else:
            unsupported += 1
            reached += passed
    return {
        "praise_cases": len(rows),
        "praise_unsupported_cases": unsupported,
        "praise_unsupported_reaching_shopper": reached,
        "praise_supported_cases": supported,
        "praise_supported_kept_rate": round(kept / supported, 4) if supported else 0.0,
    }


def run_grounding_cases(n_products: int = 36) -> dict[str, float | int]:
    """The policy and praise cases over the demo store's policies and a sample of its catalog (no model)."""
    from assistant.store_profile import DEMO_DIR, demo_config
    from assistant.support.policies import load_policies
    from evaluation.grounding import _sample_products
    from retrieval.ingest import load_demo_catalog

    money = demo_config().money
    sections = load_policies(DEMO_DIR / "policies")
    products = _sample_products(load_demo_catalog(), n_products)
    return {**run_policy_cases(sections, money), **run_praise_cases(products, money)}

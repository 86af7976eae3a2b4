"""The dataset's honesty check: every expectation must be satisfiable by the demo catalog, policies and orders.

- a `cards` check with constraints needs at least `max(min, 1)` catalog products (in stock) meeting them;
- a reference to position N of an earlier turn needs that turn to require at least N cards;
- a product named by id must exist;
- a cited policy section must exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from evaluation.dialogues import facts
from evaluation.dialogues.schema import CardsCheck, CitesCheck, Constraints, Dialogue, ProductRef, _refs
from retrieval.catalog import Product


def matching(products: Sequence[Product], where: Constraints) -> list[Product]:
    """Catalog products a card could be, for constraints that do not depend on the conversation."""
    static = where.model_copy(update={"not_in_turn": None, "cheaper_than_turn": None})
    return [p for p in products if p.in_stock and facts.satisfies(p, static)]


def problems(dialogue: Dialogue, products: Sequence[Product], sections: set[str]) -> list[str]:
    by_id: Mapping[str, Product] = {p.id: p for p in products}
    out: list[str] = []
    min_cards: dict[int, int] = {}
    for i, turn in enumerate(dialogue.turns, 1):
        for check in turn.checks:
            if isinstance(check, CardsCheck):
                min_cards[i] = max(min_cards.get(i, 0), check.min)
                if check.where is not None:
                    need = max(check.min, 1)
                    found = len(matching(products, check.where))
                    if found < need:
                        out.append(f"turn {i}: only {found} in-stock products fit "
                                   f"{check.where.model_dump(exclude_defaults=True)} (need {need})")
            if isinstance(check, CitesCheck):
                out += [f"turn {i}: no policy section {s}" for s in check.any_of if s not in sections]
            for ref in _refs(check):
                out += _ref_problems(i, ref, by_id, min_cards)
    return out


def _ref_problems(turn: int, ref: ProductRef, by_id: Mapping[str, Product], min_cards: dict[int, int]) -> list[str]:
    if ref.id is not None:
        return [] if ref.id in by_id else [f"turn {turn}: no product {ref.id}"]
    assert ref.turn is not None
    needed = ref.position or max(ref.among or [1])
    have = min_cards.get(ref.turn, 0)
    if have < needed:
        return [f"turn {turn}: refers to #{needed} of turn {ref.turn}, which only requires {have} cards"]
    return []

"""The dialogue file format: one JSON object per line, validated here.

A dialogue is a short conversation (2-5 turns) with checks per turn. Check kinds
(`kind` field): scene, cards, cart, handoff, language, cites, says, never_says,
admits_unknown, states_spec, compared, explains_with_facts. Products are named
either by catalog id (fixed when the dataset was written) or by a reference to
the cards an earlier turn showed, resolved with the catalog's prices, discounts
and ratings when the check runs (`ProductRef`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Language = Literal["en", "zh"]
Pick = Literal["cheapest", "priciest", "biggest_discount", "best_rated"]
Audience = Literal["men", "women", "boys", "girls", "kids"]

DEFAULT_DATA = Path(__file__).parent / "data" / "dialogues.jsonl"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProductRef(Strict):
    """A catalog id, or product(s) an earlier turn showed: `position` (1-based) or the `pick` among positions.

    `turn` is the 1-based turn of this dialogue whose list is meant: its product cards, or, for a turn
    without cards, the products it compared."""

    id: str | None = None
    turn: int | None = Field(default=None, ge=1)
    position: int | None = Field(default=None, ge=1)
    among: list[int] | None = Field(default=None, description="positions to pick from; empty or None: all shown")
    pick: Pick | None = None

    @model_validator(mode="after")
    def _one_way(self) -> ProductRef:
        if self.id is not None:
            if self.turn is not None or self.position is not None or self.pick is not None:
                raise ValueError("a product ref is either an id or a turn reference, not both")
            return self
        if self.turn is None:
            raise ValueError("a product ref needs an id or a turn")
        if (self.position is None) == (self.pick is None):
            raise ValueError("a turn reference needs exactly one of position or pick")
        return self


class Constraints(Strict):
    """What every card must satisfy, judged on the catalog's facts for the card's product id."""

    min_price: float | None = None
    max_price: float | None = None
    type_any: list[str] = Field(default_factory=list, description="a word of the title or category path")
    type_none: list[str] = Field(default_factory=list, description="none of these words in title/category path")
    category_any: list[str] = Field(default_factory=list, description="top-level catalog categories")
    colour: str | None = Field(default=None, description="a colour family: black, white, red, blue, brown, ...")
    brand_any: list[str] = Field(default_factory=list, description="the brand field, or the title's first words")
    audience: Audience | None = None
    in_stock: bool = False
    on_sale: bool = False
    min_rating: float | None = None
    not_in_turn: int | None = Field(default=None, ge=1, description="no card shown in that earlier turn")
    cheaper_than_turn: int | None = Field(default=None, ge=1,
                                          description="each card costs less than the mean price of that turn's cards")


class SceneCheck(Strict):
    kind: Literal["scene"]
    any_of: list[str]


class CardsCheck(Strict):
    kind: Literal["cards"]
    min: int = 0
    max: int | None = None
    where: Constraints | None = None


class CartLine(Strict):
    product: ProductRef
    qty: int = Field(default=1, ge=1)


class CartCheck(Strict):
    kind: Literal["cart"]
    lines: list[CartLine]


class HandoffCheck(Strict):
    kind: Literal["handoff"]
    opened: bool


class LanguageCheck(Strict):
    kind: Literal["language"]
    is_: Language = Field(alias="is")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CitesCheck(Strict):
    kind: Literal["cites"]
    any_of: list[str] = Field(description='policy section ids, e.g. "3.1"; the text must show "§3.1"')


class SaysCheck(Strict):
    kind: Literal["says"]
    all: list[list[str]] = Field(description="each group: at least one of its phrases appears")


class NeverSaysCheck(Strict):
    kind: Literal["never_says"]
    any: list[str]


class AdmitsUnknownCheck(Strict):
    kind: Literal["admits_unknown"]


class StatesSpecCheck(Strict):
    kind: Literal["states_spec"]
    product: ProductRef
    attribute: str = Field(description="a catalog attribute key; when the product lacks it, the text must admit it")


class ComparedCheck(Strict):
    kind: Literal["compared"]
    products: list[ProductRef]


class ExplainsWithFactsCheck(Strict):
    """The text states a concrete catalog fact (price, discount, rating, brand, an attribute value) of a product:
    card `position` of this turn, or `product` (an earlier one the shopper asks about)."""

    kind: Literal["explains_with_facts"]
    position: int = Field(default=1, ge=1)
    product: ProductRef | None = None


Check = Annotated[
    SceneCheck | CardsCheck | CartCheck | HandoffCheck | LanguageCheck | CitesCheck | SaysCheck | NeverSaysCheck
    | AdmitsUnknownCheck | StatesSpecCheck | ComparedCheck | ExplainsWithFactsCheck,
    Field(discriminator="kind"),
]


class Turn(Strict):
    message: str = Field(min_length=1)
    checks: list[Check] = Field(default_factory=list)


class Dialogue(Strict):
    id: str
    category: str
    language: Language
    split: Literal["dev", "test"]
    user: Literal["visitor", "demo"] = "visitor"
    note: str = ""
    turns: list[Turn] = Field(min_length=1)

    @model_validator(mode="after")
    def _refs_point_back(self) -> Dialogue:
        for i, turn in enumerate(self.turns, 1):
            for check in turn.checks:
                for ref in _refs(check):
                    if ref.turn is not None and ref.turn > i:
                        raise ValueError(f"{self.id} turn {i}: a reference to turn {ref.turn} points forward")
        return self


def _refs(check: Check) -> Iterator[ProductRef]:
    if isinstance(check, CartCheck):
        yield from (line.product for line in check.lines)
    elif isinstance(check, StatesSpecCheck):
        yield check.product
    elif isinstance(check, ComparedCheck):
        yield from check.products
    elif isinstance(check, ExplainsWithFactsCheck) and check.product is not None:
        yield check.product


def load_dialogues(path: Path = DEFAULT_DATA) -> list[Dialogue]:
    """Every dialogue of a JSONL file; a bad line raises ValueError naming its line number."""
    out: list[Dialogue] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            dialogue = Dialogue.model_validate(json.loads(line))
        except ValueError as exc:
            raise ValueError(f"{path}:{n}: {exc}") from exc
        if dialogue.id in seen:
            raise ValueError(f"{path}:{n}: duplicate dialogue id {dialogue.id!r}")
        seen.add(dialogue.id)
        out.append(dialogue)
    return out


def dump_dialogues(dialogues: Iterable[Dialogue], path: Path) -> None:
    """One line per dialogue: id, category, language, split and user always; other defaults left out."""
    lines = []
    for d in dialogues:
        data = d.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        head = {k: data.pop(k, getattr(d, k)) for k in ("id", "category", "language", "split", "user")}
        lines.append(json.dumps({**head, **data}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

"""Short constructors for dialogues and checks, so the corpus reads like the conversations it holds."""

from __future__ import annotations

from typing import Any

from evaluation.dialogues.schema import (
    AdmitsUnknownCheck,
    CardsCheck,
    CartCheck,
    CartLine,
    Check,
    CitesCheck,
    ComparedCheck,
    Constraints,
    ExplainsWithFactsCheck,
    HandoffCheck,
    LanguageCheck,
    NeverSaysCheck,
    ProductRef,
    SaysCheck,
    SceneCheck,
    StatesSpecCheck,
    Turn,
)

# Product families as the catalog names them (words of titles or category paths), checked by `verify`.
WATCH: dict[str, Any] = {"type_any": ["watch"], "type_none": ["watch box"]}
BOOTS: dict[str, Any] = {"type_any": ["boots"]}
SHOES: dict[str, Any] = {"type_any": ["footwear", "shoe", "boots", "loafers", "bellies", "sandals", "heels",
                                      "wedges", "flats", "slippers", "clogs"]}
RUNNING: dict[str, Any] = {"type_any": ["running shoes", "sports shoes"]}
RING: dict[str, Any] = {"type_any": ["ring"]}
NECKLACE: dict[str, Any] = {"type_any": ["necklace"]}
MUG: dict[str, Any] = {"type_any": ["mug"]}
BAG: dict[str, Any] = {"type_any": ["handbag", "hand bag", "hand-held bag", "shoulder bag", "sling bag", "clutch",
                                    "potli", "backpack", "tote"]}
DRESS: dict[str, Any] = {"type_any": ["dress"]}
TOP: dict[str, Any] = {"type_any": ["top", "tunic"]}
KURTA: dict[str, Any] = {"type_any": ["kurta", "kurti"]}
JEANS: dict[str, Any] = {"type_any": ["jeans"]}
SKIRT: dict[str, Any] = {"type_any": ["skirt"]}
SUNGLASSES: dict[str, Any] = {"type_any": ["sunglasses"]}
LIPSTICK: dict[str, Any] = {"type_any": ["lipstick", "lip pencil", "lip color", "lip colour", "lip liner",
                                         "lip gloss"]}
NAIL_POLISH: dict[str, Any] = {"type_any": ["nail polish", "nail paint", "nail lacquer", "nail enamel"]}
BOTTLE: dict[str, Any] = {"type_any": ["bottle", "sipper"]}
LUNCH_BOX: dict[str, Any] = {"type_any": ["lunch box"]}
SUN_SHADE: dict[str, Any] = {"type_any": ["sun shade"]}
CHARGER: dict[str, Any] = {"type_any": ["charger"]}
CANDLE: dict[str, Any] = {"type_any": ["candle", "aroma burner", "diffuser"]}
CRICKET: dict[str, Any] = {"type_any": ["cricket", "bat", "ball"]}
BRACELET: dict[str, Any] = {"type_any": ["bracelet", "bangle"]}
LEGGINGS: dict[str, Any] = {"type_any": ["leggings", "legging", "jegging"]}

GENERIC_PRAISE = ["perfect choice", "excellent choice", "top-notch", "best in class", "you can't go wrong",
                  "high-quality", "premium quality", "great choice"]
SHOWN_NOTHING = ["haven't shown you any", "还没有给您展示"]


def T(message: str, *checks: Check | list[Check]) -> Turn:
    flat: list[Check] = []
    for c in checks:
        flat.extend(c if isinstance(c, list) else [c])
    return Turn(message=message, checks=flat)


def scene(*names: str) -> SceneCheck:
    return SceneCheck(kind="scene", any_of=list(names))


def cards(min: int = 1, max: int | None = None, **where: Any) -> CardsCheck:
    return CardsCheck(kind="cards", min=min, max=max, where=Constraints(**where) if where else None)


def no_cards() -> CardsCheck:
    return CardsCheck(kind="cards", min=0, max=0)


def ref(turn: int, position: int | None = None, pick: str | None = None, among: list[int] | None = None,
        ) -> ProductRef:
    return ProductRef(turn=turn, position=position, pick=pick, among=among)  # type: ignore[arg-type]


def pid(product_id: str) -> ProductRef:
    return ProductRef(id=product_id)


def cart(*lines: tuple[ProductRef, int] | ProductRef) -> CartCheck:
    out = []
    for line in lines:
        product, qty = line if isinstance(line, tuple) else (line, 1)
        out.append(CartLine(product=product, qty=qty))
    return CartCheck(kind="cart", lines=out)


def empty_cart() -> CartCheck:
    return CartCheck(kind="cart", lines=[])


def handoff(opened: bool = True) -> HandoffCheck:
    return HandoffCheck(kind="handoff", opened=opened)


def lang(language: str) -> LanguageCheck:
    return LanguageCheck.model_validate({"kind": "language", "is": language})


def cites(*sections: str) -> CitesCheck:
    return CitesCheck(kind="cites", any_of=list(sections))


def says(*groups: str | list[str]) -> SaysCheck:
    return SaysCheck(kind="says", all=[[g] if isinstance(g, str) else list(g) for g in groups])


def never(*phrases: str) -> NeverSaysCheck:
    return NeverSaysCheck(kind="never_says", any=list(phrases))


def unknown() -> AdmitsUnknownCheck:
    return AdmitsUnknownCheck(kind="admits_unknown")


def spec(product: ProductRef, attribute: str) -> StatesSpecCheck:
    return StatesSpecCheck(kind="states_spec", product=product, attribute=attribute)


def compared(*products: ProductRef) -> ComparedCheck:
    return ComparedCheck(kind="compared", products=list(products))


def explains(position: int = 1, product: ProductRef | None = None) -> list[Check]:
    """The explanation of a card (or of an earlier product) states a catalog fact of it and no praise that
    no fact supports."""
    return [ExplainsWithFactsCheck(kind="explains_with_facts", position=position, product=product),
            never(*GENERIC_PRAISE)]


def D(slug: str, category: str, language: str, *turns: Turn, user: str = "visitor",
      note: str = "") -> dict[str, Any]:
    """A dialogue without its split (generate assigns dev/test, stratified)."""
    return {"id": slug, "category": category, "language": language, "user": user, "note": note,
            "turns": list(turns)}

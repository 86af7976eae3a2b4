"""What the shopper can point at: the referent sets of the dialogue state (issue 15).

A reference ("the cheaper one", "第三个", "remove the first one", "make it 3") is resolved against
one of these sets, never against a guess:

- `DialogueState.last_shown`: the product cards of the latest list, in card order (card numbers);
- `compared`: the products of the latest comparison table (cleared by a new list);
- `focus`: the product(s) the conversation is about now: the last singled-out product (the one a
  question was asked about, the answer to "which is the cheapest?", the product just added), or the
  set a plural reference named ("compare the first two" -> both);
- `cart_view`: the cart lines in the order the shopper last saw them;
- `on_screen`: what the shopper looked at last: a product list, a comparison or the cart. It decides
  what "the first one" means for a cart change: the first cart line after the shopper viewed the cart,
  the first card otherwise.

Skills change these sets through the methods below (never by assigning the lists), so the
conversation knows the skill decided them and does not overwrite them with the detector's guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

OnScreen = Literal["products", "comparison", "cart"]


class Referents(BaseModel):
    """The sets references resolve against (see the module docstring)."""

    on_screen: OnScreen = "products"
    compared: list[str] = Field(default_factory=list, description="ids of the latest comparison table")
    focus: list[str] = Field(default_factory=list, description="ids the conversation is about now")
    cart_view: list[str] = Field(default_factory=list, description="cart line ids in the order last shown")
    _decided: bool = PrivateAttr(default=False)  # a skill set the referents during the current turn

    @property
    def decided(self) -> bool:
        return self._decided

    def keep(self) -> None:
        """The skill looked at the referents and leaves them as they are (it asked which one was meant)."""
        self._decided = True

    def focus_on(self, ids: Sequence[str]) -> None:
        """The conversation is now about these products (a resolved reference, a picked winner)."""
        self.focus = list(dict.fromkeys(ids))
        self._decided = True

    def show_list(self) -> None:
        """A new product list replaced the old one: comparisons and focus referred to the old list."""
        self.on_screen = "products"
        self.compared = []
        self.focus = []
        self._decided = True

    def show_comparison(self, ids: Sequence[str]) -> None:
        self.on_screen = "comparison"
        self.compared = list(ids)
        self.focus_on(ids)

    def show_cart(self, ids: Sequence[str]) -> None:
        """The shopper looked at their cart (a cart view or a checkout summary)."""
        self.on_screen = "cart"
        self.cart_view = list(ids)
        self._decided = True

    def cart_changed(self, ids: Sequence[str]) -> None:
        """The cart changed; when the shopper is looking at it, the panel now shows these lines."""
        if self.on_screen == "cart":
            self.cart_view = list(ids)
        self._decided = True

    def end_turn(self) -> None:
        self._decided = False

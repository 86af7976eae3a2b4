"""Dialogue state the detector reads: earlier turns and the products last shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, model_validator

from scene.need import MAX_PAST, Need, NeedUpdate
from scene.referents import Referents

MAX_SEEN = 50

if TYPE_CHECKING:
    from scene.detector import SceneResult

MAX_TURNS = 20


class Turn(BaseModel):
    text: str
    scene: str
    sub_intent: str | None = None
    shown_ids: list[str] = Field(default_factory=list)


class DialogueState(BaseModel):
    """Earlier user turns (newest last), the product ids last shown and what references resolve
    against (`refs`: comparison, focus, cart view, what is on screen; see scene.referents).

    The assistant and the benchmark update it the same way: `state.record(result, shown_ids=...)`
    after each turn.
    """

    turns: list[Turn] = Field(default_factory=list)
    last_shown: list[str] = Field(default_factory=list)
    last_shown_prices: list[float] = Field(default_factory=list)
    refs: Referents = Field(default_factory=Referents)
    need: Need | None = Field(default=None, description="what the shopper is looking for now (scene.need)")
    past_needs: list[Need] = Field(default_factory=list, description="earlier needs, oldest first")
    coupons: list[str] = Field(default_factory=list,
                               description="codes of the coupons the conversation is about (\"that coupon\")")

    @model_validator(mode="before")
    @classmethod
    def _focus_moved_into_refs(cls, data: object) -> object:
        """States saved before `refs` existed kept the focus at the top level."""
        if isinstance(data, dict) and "focus" in data:
            data = dict(data)
            focus = data.pop("focus")
            refs = dict(data.get("refs") or {})
            refs.setdefault("focus", focus)
            data["refs"] = refs
        return data

    @property
    def focus(self) -> list[str]:
        """Ids the conversation is about now (`refs.focus`)."""
        return self.refs.focus

    @focus.setter
    def focus(self, ids: Sequence[str]) -> None:
        self.refs.focus_on(ids)

    @property
    def last_scene(self) -> str | None:
        return self.turns[-1].scene if self.turns else None

    @property
    def last_product_scene(self) -> str | None:
        """Scene of the turn that showed the current product list."""
        for turn in reversed(self.turns):
            if turn.shown_ids:
                return turn.scene
        return None

    def record(
        self,
        result: SceneResult,
        shown_ids: Sequence[str] | None = None,
        shown_prices: Sequence[float] | None = None,
        text: str | None = None,
    ) -> None:
        """Add one turn. `shown_ids` (if given) replaces the last shown list; a new list clears the focus
        and the comparison. Otherwise the detector's references become the focus, unless a skill decided
        the referents itself this turn."""
        self.turns.append(
            Turn(text=(text if text is not None else result.text)[:500], scene=result.scene,
                 sub_intent=result.sub_intent, shown_ids=list(shown_ids or []))
        )
        del self.turns[:-MAX_TURNS]
        if shown_ids:
            self.last_shown = list(shown_ids)
            self.last_shown_prices = list(shown_prices or [])
            self.refs.show_list()
        elif result.slots.references and not result.slots.reference_ambiguous and not self.refs.decided:
            self.refs.focus_on(result.slots.references)
        self.refs.end_turn()

    def apply_need(self, update: NeedUpdate, shown_ids: Sequence[str] = (),
                   shown_prices: Sequence[float] = ()) -> None:
        """Make `update.need` the current need (with the cards shown for it, if any); a switch or restore
        files the old one among the past needs."""
        need = update.need.model_copy(deep=True)
        if shown_ids:
            need.shown_ids, need.shown_prices = list(shown_ids), list(shown_prices)
            need.seen_ids = list(dict.fromkeys([*need.seen_ids, *shown_ids]))[-MAX_SEEN:]
        old = self.need
        if old is not None and update.change in ("switch", "restore", "new"):
            others = [n for n in self.past_needs if n.filters.types != old.filters.types or n.query != old.query]
            self.past_needs = [*others[-(MAX_PAST - 1):], old]
        if update.change == "restore":
            self.past_needs = [n for n in self.past_needs if n.filters.types != need.filters.types]
        self.need = need

"""What a conversation needs to know about the store and its rules, built once from `Settings`.

`Settings` is the operator's view (environment, TOML, defaults; secrets; every knob). The
conversation layer reads this small frozen value instead, carried by `Services`, so a skill
never reaches for settings, globals or attributes set on shared objects from outside.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.settings import Settings


@dataclass(frozen=True)
class AssistantConfig:
    store_name: str = "ShopAssist Demo Store"
    currency: str = "INR"
    candidates: int = 60  # retrieval candidates the ranker re-orders per search
    cards_per_turn: int = 5
    explain_top: int = 1  # products the model explains per search turn (each is one model call)
    handoff_scenes: tuple[str, ...] = ()  # scenes that always go to a person

    @classmethod
    def from_settings(cls, settings: Settings) -> AssistantConfig:
        conv = settings.conversation
        site_scenes = {s for site in settings.api.sites.values() for s in site.handoff_scenes}
        return cls(
            store_name=settings.store_name,
            currency=settings.store_currency,
            candidates=settings.retrieval.candidates,
            cards_per_turn=conv.cards_per_turn,
            explain_top=conv.explain_top,
            handoff_scenes=tuple(sorted(set(conv.handoff_scenes) | site_scenes)),
        )

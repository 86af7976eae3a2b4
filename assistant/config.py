"""What a conversation needs to know about the store and its rules, built once from `Settings`.

`Settings` is the operator's view (environment, TOML, defaults; secrets; every knob). The
conversation layer reads this small frozen value instead, carried by `Services`, so a skill
never reaches for settings, globals or attributes set on shared objects from outside. Every
amount a skill writes goes through `config.money`, the store's one money format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from assistant.experiments.config import ExperimentsConfig
from assistant.settings import Settings
from retrieval.money import Money

TEMPLATE_LANGUAGES = ("en", "zh")  # languages the template answers are written in


@dataclass(frozen=True)
class AssistantConfig:
    store_name: str = "ShopAssist"
    currency: str = "USD"
    locale: str = "en_US"
    languages: tuple[str, ...] = ("en",)  # languages the store answers in, the first is the default
    candidates: int = 60  # retrieval candidates the ranker re-orders per search
    cards_per_turn: int = 5
    explain_top: int = 1  # products the model explains per search turn (each is one model call)
    handoff_scenes: tuple[str, ...] = ()  # scenes that always go to a person
    policies_dir: str = ""  # the store's folder of policy Markdown files ("" = none)
    experiments: ExperimentsConfig = field(default_factory=ExperimentsConfig)  # A/B arms and the holdout

    @cached_property
    def money(self) -> Money:
        """The store's money format ("$24.99", "1 349 kr")."""
        return Money(self.currency, self.locale)

    def answer_language(self, detected: str) -> str:
        """The language to answer a message written in `detected`: it, when the store speaks it and
        templates exist for it; else the store's first such language; else English."""
        spoken = [lang for lang in self.languages if lang in TEMPLATE_LANGUAGES]
        if detected in spoken:
            return detected
        return spoken[0] if spoken else "en"

    @classmethod
    def from_settings(cls, settings: Settings) -> AssistantConfig:
        conv = settings.conversation
        store = settings.store
        site_scenes = {s for site in settings.api.sites.values() for s in site.handoff_scenes}
        return cls(
            store_name=store.name,
            currency=store.currency,
            locale=store.locale,
            languages=tuple(store.languages),
            candidates=settings.retrieval.candidates,
            cards_per_turn=conv.cards_per_turn,
            explain_top=conv.explain_top,
            handoff_scenes=tuple(sorted(set(conv.handoff_scenes) | site_scenes)),
            policies_dir=str(store.policies or ""),
            experiments=ExperimentsConfig.from_settings(settings.experiments),
        )

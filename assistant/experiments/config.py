"""The experiments a conversation runs under, as a frozen value built once from `Settings.experiments`."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.settings import EXPERIMENT_ARMS, ExperimentsSettings

HOLDOUT = "_holdout"  # the pseudo-experiment whose assignment marks the permanent holdout


@dataclass(frozen=True)
class Experiment:
    name: str
    factor: str  # ranker | diversity | explanation
    variants: tuple[tuple[str, float], ...]  # (arm, share), shares summing to 1

    @property
    def control(self) -> str:
        """The factor's default arm: what the holdout and every shopper outside the experiment get."""
        return EXPERIMENT_ARMS[self.factor][0]

    @property
    def arms(self) -> tuple[str, ...]:
        return tuple(a for a, _ in self.variants)


@dataclass(frozen=True)
class ExperimentsConfig:
    holdout_share: float = 0.05
    experiments: tuple[Experiment, ...] = ()  # the enabled ones

    @classmethod
    def from_settings(cls, settings: ExperimentsSettings) -> ExperimentsConfig:
        experiments = []
        for spec in settings.experiments:
            if not spec.enabled:
                continue
            total = sum(spec.variants.values())
            experiments.append(Experiment(spec.name, spec.factor,
                                          tuple((arm, share / total) for arm, share in spec.variants.items())))
        return cls(settings.holdout_share, tuple(experiments))

    def get(self, name: str) -> Experiment | None:
        return next((e for e in self.experiments if e.name == name), None)

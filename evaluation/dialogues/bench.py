"""Play every dialogue, judge every turn, and keep the verdicts (the numbers are `report`'s job)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from evaluation.dialogues.checks import CheckResult, Context, judge
from evaluation.dialogues.schema import Dialogue
from evaluation.dialogues.transcript import TurnRecord
from retrieval.catalog import Product

Player = Callable[[Dialogue], list[TurnRecord]]


@dataclass
class DialogueResult:
    dialogue: Dialogue
    records: list[TurnRecord]
    verdicts: list[list[CheckResult]] = field(default_factory=list)  # per turn

    @property
    def passed(self) -> bool:
        return all(r.passed for turn in self.verdicts for r in turn) and not any(r.failure for r in self.records)

    @property
    def checks(self) -> list[CheckResult]:
        return [r for turn in self.verdicts for r in turn]


def judge_dialogue(dialogue: Dialogue, records: Sequence[TurnRecord], catalog: Mapping[str, Product],
                   extra_titles: Sequence[str] = ()) -> DialogueResult:
    """Verdicts of every check; a turn's checks see that turn and the ones before it."""
    result = DialogueResult(dialogue, list(records))
    for i, turn in enumerate(dialogue.turns):
        if i >= len(records):
            result.verdicts.append([CheckResult(c.kind, False, "the turn to be played", "not played")
                                    for c in turn.checks])
            continue
        ctx = Context(catalog=catalog, earlier=records[: i + 1], extra_titles=extra_titles)
        result.verdicts.append([judge(check, records[i], ctx) for check in turn.checks])
    return result


def order_titles() -> list[str]:
    """Titles of the demo orders' lines (order answers quote them in any language)."""
    from assistant.store_profile import DEMO_DIR
    from assistant.support.order_sources.file import FileOrderSource

    return [line.title for o in FileOrderSource.load(DEMO_DIR / "orders.json").orders.values() for line in o.lines]


def run_dialogues(dialogues: Iterable[Dialogue], play: Player, catalog: Mapping[str, Product],
                  progress: Callable[[DialogueResult], None] | None = None) -> list[DialogueResult]:
    titles = order_titles()
    results = []
    for dialogue in dialogues:
        result = judge_dialogue(dialogue, play(dialogue), catalog, titles)
        results.append(result)
        if progress is not None:
            progress(result)
    return results

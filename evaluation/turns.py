"""`shopassist bench turns`: scripted multi-turn conversations over the demo store.

Per turn it measures the time to the first event (the scene), to the first
product card, to the first text piece and to the end of the turn, and whether
the turn was routed to the scene the script expects (scene-switch accuracy:
follow-ups, topic changes and language changes included). With the fake LLM
(default) the numbers are the assistant's own cost; `--llm embedded` adds the
local model's generation time to the text and turn columns (never to the cards,
which are sent before the model is called).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.conversation.events import ProductsEvent, SceneEvent, TextDeltaEvent
from assistant.conversation.skills import Services
from assistant.conversation.turn import Conversation
from assistant.llm.base import Message
from assistant.llm.fake import FakeChatModel
from evaluation.metrics import percentile

# (message, expected scene); each inner list is one conversation
SCRIPTS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("hi there", "chitchat"),
        ("running shoes for men under 2000", "search"),
        ("cheaper ones?", "search"),
        ("compare the first two", "compare"),
        ("is the second one waterproof?", "product_qa"),
        ("add the second one to my cart", "cart"),
        ("any coupons for my cart?", "promotion"),
        ("show my cart", "cart"),
        ("I want to talk to a human agent", "handoff"),
    ),
    (
        ("analog watch for women", "search"),
        ("what is the rating of the first one?", "product_qa"),
        ("recommend something for me", "recommend"),
        ("where is my order SA-100232?", "support"),
        ("how do I return an item?", "support"),
        ("what's the weather in paris tomorrow?", "out_of_scope"),
    ),
    (
        ("我想买一块手表，预算3000元", "search"),
        ("第二个多少钱？", "product_qa"),
        ("比较前两个", "compare"),
        ("把第一个加入购物车", "cart"),
        ("有什么优惠券吗？", "promotion"),
        ("谢谢", "chitchat"),
    ),
    (
        ("a gift", "search"),
        ("for my sister, earrings", "search"),
        ("add the first one to my cart", "cart"),
        ("checkout", "cart"),
        ("cancel my order SA-100233", "support"),
    ),
)


@dataclass
class TurnTiming:
    scene_expected: str
    scene: str
    first_event_ms: float
    first_card_ms: float | None
    first_text_ms: float | None
    turn_ms: float


@dataclass
class BenchResult:
    turns: list[TurnTiming] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        cards = [t.first_card_ms for t in self.turns if t.first_card_ms is not None]
        texts = [t.first_text_ms for t in self.turns if t.first_text_ms is not None]
        acc = statistics.fmean(t.scene == t.scene_expected for t in self.turns) if self.turns else 0.0
        return {
            "p95_first_card_ms": percentile(cards, 95),
            "p95_first_token_ms": percentile(texts, 95),
            "p95_turn_ms": percentile([t.turn_ms for t in self.turns], 95),
            "scene_switch_accuracy": round(acc, 4),
        }

    def per_scene(self) -> list[dict[str, Any]]:
        rows = []
        for scene in sorted({t.scene_expected for t in self.turns}):
            ts = [t for t in self.turns if t.scene_expected == scene]
            cards = [t.first_card_ms for t in ts if t.first_card_ms is not None]
            texts = [t.first_text_ms for t in ts if t.first_text_ms is not None]
            rows.append({
                "scene": scene,
                "turns": len(ts),
                "accuracy": round(statistics.fmean(t.scene == scene for t in ts), 3),
                "p95_first_event_ms": percentile([t.first_event_ms for t in ts], 95),
                "p95_first_card_ms": percentile(cards, 95),
                "p95_first_token_ms": percentile(texts, 95),
                "p95_turn_ms": percentile([t.turn_ms for t in ts], 95),
            })
        return rows

    def misrouted(self) -> list[tuple[str, str]]:
        return sorted({(t.scene_expected, t.scene) for t in self.turns if t.scene != t.scene_expected})


def bench_chat_model() -> FakeChatModel:
    """A fake model with a short grounded-looking answer (the guard may still replace it by a template)."""

    def respond(messages: Sequence[Message]) -> str:
        return "It matches what you asked for."

    return FakeChatModel(respond)


def time_turn(conv: Conversation, message: str, expected: str) -> TurnTiming:
    t0 = time.perf_counter()
    first_event = first_card = first_text = None
    scene = ""
    for event in conv.turn(message):
        now = (time.perf_counter() - t0) * 1000.0
        if first_event is None:
            first_event = now
        if isinstance(event, SceneEvent):
            scene = event.scene
        elif isinstance(event, ProductsEvent) and first_card is None:
            first_card = now
        elif isinstance(event, TextDeltaEvent) and first_text is None and event.text:
            first_text = now
    total = (time.perf_counter() - t0) * 1000.0
    return TurnTiming(expected, scene, round(first_event or total, 2), first_card, first_text, round(total, 2))


def run_turns_bench(
    services: Services,
    repeat: int = 3,
    scripts: Sequence[Sequence[tuple[str, str]]] = SCRIPTS,
    progress: Callable[[int], None] | None = None,
) -> BenchResult:
    """Play every script `repeat` times, each time in fresh conversations of fresh users."""
    result = BenchResult()
    for r in range(repeat):
        for i, script in enumerate(scripts):
            user = "demo" if any("SA-" in m for m, _ in script) else f"bench-{r}-{i}"
            conv = Conversation.start(services, user)
            for message, expected in script:
                result.turns.append(time_turn(conv, message, expected))
                if progress:
                    progress(1)
            services.store.carts.clear(user)
    return result


def bench_services(
    data_dir: Path, llm: str = "fake", settings: Any = None
) -> tuple[Services, tempfile.TemporaryDirectory[str]]:
    """Services on the demo store with a throwaway database (the shopper's data is never touched)."""
    from assistant.services import build_services
    from assistant.store_profile import demo_settings

    tmp = tempfile.TemporaryDirectory(prefix="shopassist-bench-")
    cfg = settings or demo_settings()
    cfg = cfg.model_copy(update={"database_url": f"sqlite:///{Path(tmp.name) / 'bench.db'}", "data_dir": data_dir})
    model: Any = bench_chat_model() if llm == "fake" else "auto"
    return build_services(cfg, chat_model=model), tmp

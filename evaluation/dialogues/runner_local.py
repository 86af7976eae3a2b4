"""Play dialogues in process: the real services (demo catalog index, MiniLM, scene model, ranker, support)
behind `Conversation.turn`, with a throwaway database so no shopper's data is touched.

Shoppers get the ids the HTTP API would give them (`<site>:v:<visitor>` for a widget visitor,
`<site>:u:<user>` for an identified store user such as the demo shopper `demo`), so the two modes
measure the same product.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.support.order_sources.file import FileOrderSource
from evaluation.dialogues.schema import Dialogue
from evaluation.dialogues.transcript import TurnRecord


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000.0, 2)


def user_id_for(dialogue: Dialogue, site_id: str, run_id: str) -> str:
    """The id the API gives this dialogue's shopper."""
    if dialogue.user == "demo":
        return f"{site_id}:u:demo"
    return f"{site_id}:v:{run_id}-{dialogue.id}"[:200]


@dataclass
class LocalPlayer:
    """Builds the services once; `play(dialogue)` runs one dialogue in a new conversation."""

    services: Any
    site_id: str = "demo"
    run_id: str = "dlg"
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, data_dir: Path, llm: str = "fake", settings: Any = None, site_key: str = "pk_demo") -> LocalPlayer:
        """`llm`: fake (no model: the grounded template answers) | embedded (the configured chat model)."""
        from assistant.services import build_services
        from assistant.store_profile import demo_settings

        tmp = tempfile.TemporaryDirectory(prefix="shopassist-dialogues-")
        cfg = settings or demo_settings()  # the dialogues are written against the demo store
        cfg = cfg.model_copy(update={"database_url": f"sqlite:///{Path(tmp.name) / 'dialogues.db'}",
                                     "data_dir": data_dir})
        services = build_services(cfg, chat_model=None if llm == "fake" else "auto")
        site = cfg.api.sites.get(site_key)
        player = cls(services=services, site_id=site.site_id if site else "demo", _tmp=tmp)
        if llm != "fake":
            player.wait_for_model()
        return player

    def model_state(self) -> str:
        from assistant.llm.base import model_status

        return model_status(self.services.model).state

    def wait_for_model(self, timeout_s: float = 900.0) -> None:
        """The embedded model loads in the background; judging its answers before it is ready would judge
        the template fallback instead. Raises RuntimeError when it does not become ready in time."""
        deadline = time.monotonic() + timeout_s
        while (state := self.model_state()) in ("loading", "restarting"):
            if time.monotonic() > deadline:
                break
            time.sleep(2.0)
        if state != "ready":
            self.close()
            raise RuntimeError(f"the chat model is {state!r}, not ready (`shopassist doctor` says why); "
                               "run with --llm fake to judge the template answers")

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _reset(self, user_id: str) -> None:
        """Every dialogue starts from the demo store as shipped: an empty cart and the demo orders unchanged."""
        services = self.services
        services.store.carts.clear(user_id)
        source = services.orders.source if services.orders is not None else None
        if isinstance(source, FileOrderSource):
            from assistant.store_profile import DEMO_DIR

            assert services.orders is not None
            for order in FileOrderSource.load(DEMO_DIR / "orders.json", today=services.orders.today).orders.values():
                source.add(order)

    def play(self, dialogue: Dialogue) -> list[TurnRecord]:
        from assistant.conversation.turn import Conversation

        user_id = user_id_for(dialogue, self.site_id, self.run_id)
        self._reset(user_id)
        conv = Conversation.start(self.services, user_id)
        records = []
        for turn in dialogue.turns:
            record = TurnRecord(message=turn.message)
            t0 = time.perf_counter()
            try:
                for event in conv.turn(turn.message):
                    data = event.to_dict()
                    if data.get("type") == "products" and record.first_card_ms is None:
                        record.first_card_ms = _ms(t0)
                    record.add(data)
            except Exception as exc:  # a bug that escapes the turn: the shopper got nothing more
                record.failure = f"{type(exc).__name__}: {exc}"
            record.turn_ms = _ms(t0)
            record.cart = list(self.services.store.carts.items(user_id))
            records.append(record)
        return records

"""Play dialogues through the HTTP API exactly as the widget does: a conversation per dialogue, each
message POSTed and its server-sent events read as they stream, the cart read back after the turn.

Visitors send `X-Site-Key` and a fresh `X-Visitor-Id`; the demo shopper is an identified store user
(`X-User-Id: demo` with `X-User-Hash = hex(HMAC-SHA256(site secret, "demo"))`).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from evaluation.dialogues.schema import Dialogue
from evaluation.dialogues.transcript import TurnRecord

MAX_RETRIES = 5


class ApiError(RuntimeError):
    """The API refused a request the widget would make (the message says which and why)."""


def _ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000.0, 2)


def sse_events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """The JSON payloads of a `text/event-stream`, one per `event:`/`data:` block."""
    data: list[str] = []
    for line in lines:
        if line.startswith("data:"):
            data.append(line[5:].lstrip())
        elif not line.strip() and data:
            yield json.loads("\n".join(data))
            data = []
    if data:
        yield json.loads("\n".join(data))


@dataclass
class ApiPlayer:
    base_url: str
    site_key: str = "pk_demo"
    hmac_secret: str = "demo-secret"
    timeout_s: float = 120.0
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    client: httpx.Client | None = None

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = httpx.Client(base_url=self.base_url.rstrip("/"), timeout=self.timeout_s)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    def model_state(self) -> str:
        """The server's generator state from `/readyz` (ready | loading | off | ...)."""
        assert self.client is not None
        body = self.client.get("/readyz").json()
        return str((body.get("model") or {}).get("state", "unknown"))

    def wait_for_model(self, timeout_s: float = 900.0) -> str:
        """Wait while the server's model is loading, so its answers (not the template fallback) are judged."""
        deadline = time.monotonic() + timeout_s
        while (state := self.model_state()) in ("loading", "restarting") and time.monotonic() < deadline:
            time.sleep(2.0)
        return state

    def headers(self, dialogue: Dialogue) -> dict[str, str]:
        h = {"X-Site-Key": self.site_key, "X-Visitor-Id": f"dlg-{self.run_id}-{dialogue.id}"[:128]}
        if dialogue.user == "demo":
            from ui.api.security import user_hash

            h.update({"X-User-Id": "demo", "X-User-Hash": user_hash(self.hmac_secret, "demo")})
        return h

    def _request(self, method: str, path: str, headers: dict[str, str], **kw: Any) -> httpx.Response:
        assert self.client is not None
        for _ in range(MAX_RETRIES):
            resp = self.client.request(method, path, headers=headers, **kw)
            if resp.status_code != 429:
                return resp
            time.sleep(min(10.0, float(resp.headers.get("Retry-After", "1"))))
        return resp

    def _cart(self, headers: dict[str, str]) -> list[tuple[str, int]] | None:
        resp = self._request("GET", "/v1/cart", headers)
        if resp.status_code != 200:
            return None
        return [(str(ln["product_id"]), int(ln["quantity"])) for ln in resp.json().get("lines", [])]

    def _empty_cart(self, headers: dict[str, str]) -> None:
        for pid, _ in self._cart(headers) or []:
            self._request("DELETE", f"/v1/cart/items/{pid}", headers)

    def _turn(self, conversation_id: str, message: str, headers: dict[str, str]) -> TurnRecord:
        assert self.client is not None
        record = TurnRecord(message=message)
        t0 = time.perf_counter()
        try:
            for _ in range(MAX_RETRIES):
                with self.client.stream("POST", f"/v1/conversations/{conversation_id}/messages", headers=headers,
                                        json={"message": message}) as resp:
                    if resp.status_code == 429:
                        resp.read()
                        time.sleep(min(10.0, float(resp.headers.get("Retry-After", "1"))))
                        continue
                    if resp.status_code != 200:
                        resp.read()
                        record.failure = f"HTTP {resp.status_code}: {resp.text[:200]}"
                        break
                    for event in sse_events(resp.iter_lines()):
                        if event.get("type") == "products" and record.first_card_ms is None:
                            record.first_card_ms = _ms(t0)
                        record.add(event)
                    break
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            record.failure = f"{type(exc).__name__}: {exc}"
        record.turn_ms = _ms(t0)
        record.cart = self._cart(headers)
        return record

    def play(self, dialogue: Dialogue) -> list[TurnRecord]:
        headers = self.headers(dialogue)
        resp = self._request("POST", "/v1/conversations", headers, json={})
        if resp.status_code != 201:
            raise ApiError(f"POST /v1/conversations answered {resp.status_code}: {resp.text[:200]}")
        conversation_id = str(resp.json()["id"])
        if dialogue.user == "demo":
            self._empty_cart(headers)
        return [self._turn(conversation_id, t.message, headers) for t in dialogue.turns]

"""Orders from the store's HTTP API: `GET {url}/orders/{number}` with a bearer token, read-only.

The JSON answer is mapped to our fields with `[store.orders.fields]` (dotted keys reach into
nested objects: `status = "fulfillment.status"`, `lines = "line_items"`). 404 means no such
order; a timeout, a refused connection or a 5xx is retried `retries` times with a short pause,
then becomes an `OrderSourceError` (the shopper hears the order system cannot be reached).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from assistant.support.order_sources.records import RecordError, pick, read_order
from assistant.support.orders import Order, OrderSourceError

RETRY_PAUSE_S = 0.2


class HttpOrderSource:
    kind = "http"
    can_change = False

    def __init__(self, base_url: str, *, token: str = "", fields: Mapping[str, str] | None = None,
                 line_fields: Mapping[str, str] | None = None, timeout_s: float = 3.0, retries: int = 1,
                 today: date | None = None, transport: httpx.BaseTransport | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise OrderSourceError(f"order API URL must start with http:// or https://, not {base_url[:40]!r}")
        headers = {"Accept": "application/json", "User-Agent": "shopassist-orders"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s,
                                   transport=transport, trust_env=False, follow_redirects=False)
        self.fields, self.line_fields = dict(fields or {}), dict(line_fields or {})
        self.retries, self.today = retries, today

    def _fetch(self, path: str) -> Any:
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(RETRY_PAUSE_S * attempt)
            try:
                response = self.client.get(path)
            except httpx.HTTPError as exc:  # timeout, refused, reset
                last = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code == 404:
                return None
            if response.status_code >= 500 or response.status_code == 429:
                last = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                raise OrderSourceError(f"order API refused the request: HTTP {response.status_code} "
                                       "(check [store.orders] token and url)")
            try:
                return response.json()
            except ValueError as exc:
                raise OrderSourceError("order API answered with something that is not JSON") from exc
        raise OrderSourceError(f"order API unreachable after {self.retries + 1} attempt(s): {last}")

    def get(self, order_id: str) -> Order | None:
        number = order_id.strip().lstrip("#")
        data = self._fetch(f"/orders/{quote(number, safe='')}")
        if data is None:
            return None
        if not isinstance(data, Mapping):
            raise OrderSourceError("order API answered with JSON that is not an object")
        if pick(data, self.fields.get("order_id", "order_id")) in (None, ""):
            data = {**data, self.fields.get("order_id", "order_id"): number}
        try:
            return read_order(data, self.fields, self.line_fields, self.today or date.today())
        except RecordError as exc:
            raise OrderSourceError(f"order API record: {exc}") from exc

    def for_user(self, user_id: str) -> list[Order]:
        return []  # the connector looks orders up by number only

    def set_status(self, order_id: str, status: str) -> Order | None:
        return None

    def close(self) -> None:
        self.client.close()

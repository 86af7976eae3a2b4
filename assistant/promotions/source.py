"""The store's coupons, read from its promotions file (TOML): data, never code.

    [[coupon]]
    code = "SAVE10"
    kind = "flat"            # flat | percent
    value = 10
    min_basket = 50          # optional, store currency
    max_discount = 20        # optional, percent coupons
    categories = ["shoes"]   # optional: top-level categories; brands = [...] likewise
    first_order_only = false
    starts = 2026-12-01T00:00:00Z   # optional validity window (TOML datetimes)
    expires = 2027-01-05T00:00:00Z
    description = "..."      # optional; written from the fields, in the store's currency, when absent

A store without a promotions file has no coupons: the assistant then says so and shows items on sale.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from assistant.promotions.rules import Coupon

_FIELDS = {"code", "description", "kind", "value", "max_discount", "min_basket", "categories", "brands",
           "first_order_only", "starts", "expires"}


class PromotionsError(ValueError):
    """The promotions file cannot be read; the message names the file, the coupon and the problem."""


def _when(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise PromotionsError(f"{where}: dates are TOML dates or datetimes, e.g. 2026-12-01T00:00:00Z")


def coupon_from(data: dict[str, Any], where: str = "coupon") -> Coupon:
    unknown = set(data) - _FIELDS
    if unknown:
        raise PromotionsError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    code = str(data.get("code", "")).strip().upper()
    kind = str(data.get("kind", "")).strip().lower()
    if not code:
        raise PromotionsError(f"{where}: a coupon needs a code")
    if kind not in ("flat", "percent"):
        raise PromotionsError(f"{where} ({code}): kind must be flat or percent, not {kind!r}")
    try:
        value = float(data["value"])
        max_discount = float(data["max_discount"]) if data.get("max_discount") is not None else None
        min_basket = float(data.get("min_basket", 0))
    except (KeyError, TypeError, ValueError) as exc:
        raise PromotionsError(f"{where} ({code}): value, min_basket and max_discount are numbers") from exc
    if value <= 0 or (kind == "percent" and value > 100):
        raise PromotionsError(f"{where} ({code}): value must be above 0 (and at most 100 for percent)")
    return Coupon(
        code=code,
        description=str(data.get("description", "")).strip(),
        kind=kind,
        value=value,
        max_discount=max_discount,
        min_basket=min_basket,
        categories=tuple(str(c) for c in data.get("categories", ())),
        brands=tuple(str(b) for b in data.get("brands", ())),
        first_order_only=bool(data.get("first_order_only", False)),
        starts=_when(data.get("starts"), f"{where} ({code}) starts"),
        expires=_when(data.get("expires"), f"{where} ({code}) expires"),
    )


def load_promotions(path: Path | str | None) -> tuple[Coupon, ...]:
    """The coupons of a promotions file; none for no file. A broken file raises `PromotionsError`."""
    if not path:
        return ()
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PromotionsError(f"promotions file not found: {file}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PromotionsError(f"{file}: not valid TOML ({exc})") from exc
    coupons = [coupon_from(c, f"{file.name} coupon {i}") for i, c in enumerate(data.get("coupon", []), 1)]
    codes = [c.code for c in coupons]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise PromotionsError(f"{file}: coupon code(s) listed twice: {', '.join(duplicates)}")
    return tuple(coupons)

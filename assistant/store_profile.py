"""Store profiles: the demo store's, and writing a new store's `shopassist.toml` (`shopassist init`).

A profile is the TOML file `Settings` reads (see `assistant/settings.py`): the store's name,
currency, locale and languages, its catalog exports, policies folder, promotions file and order
source, and the keys of the site that embeds the widget. The demo store is one profile like any
other (`assistant/demo_store/`): nothing of it is a default of the product.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.settings import Settings, config_path, load_settings
from retrieval.money import check_currency, check_locale

DEMO_DIR = Path(__file__).resolve().parent / "demo_store"
DEMO_PROFILE = DEMO_DIR / "shopassist.toml"

NO_SITE_KEYS = ("This assistant has no site keys yet, so it refuses widget and server calls. Run "
                "`shopassist init` to write shopassist.toml with fresh keys, or set SHOPASSIST_API__SITES "
                "(see the README).")


def demo_settings(**overrides: Any) -> Settings:
    """The demo store's settings (environment variables still apply on top, keyword arguments win)."""
    return load_settings(DEMO_PROFILE, **overrides)


def demo_config() -> Any:
    """The demo store's `AssistantConfig` (for tests and benchmarks on the demo catalog)."""
    from assistant.config import AssistantConfig

    return AssistantConfig.from_settings(demo_settings())


def use_demo_unless_configured() -> bool:
    """Point this process at the demo profile when no profile is configured (`shopassist run`,
    scripts/run.sh). True when the demo is used."""
    if config_path() is not None:
        return False
    os.environ["SHOPASSIST_CONFIG"] = str(DEMO_PROFILE)
    return True


def slug(text: str) -> str:
    """A catalog / site id from a store name ("Acme Outdoor!" -> "acme-outdoor")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "store"


def new_site_keys() -> tuple[str, str, str]:
    """(publishable key, secret key, HMAC secret), random from the `secrets` module."""
    return f"pk_live_{secrets.token_urlsafe(18)}", f"sk_live_{secrets.token_urlsafe(32)}", secrets.token_urlsafe(32)


@dataclass
class NewProfile:
    """What `shopassist init` asks for. Paths are written as given (relative ones are read from the
    profile's folder)."""

    name: str
    currency: str
    locale: str
    languages: Sequence[str] = ("en",)
    catalog_files: Sequence[str] = ()
    policies: str = ""
    promotions: str = ""
    orders: str = ""  # "" | a .json file | an SQLAlchemy URL | an http(s) base URL
    origins: Sequence[str] = ()
    catalog: str = ""
    keys: tuple[str, str, str] = field(default_factory=new_site_keys)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("the store needs a name")
        self.currency = check_currency(self.currency)
        self.locale = check_locale(self.locale)
        self.languages = [lang.strip().lower() for lang in self.languages if lang.strip()] or ["en"]
        self.catalog = self.catalog or slug(self.name)
        for origin in self.origins:
            if not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"origin {origin!r}: give scheme and host only, e.g. https://shop.example")


def order_source_table(orders: str) -> dict[str, Any]:
    """The `[store.orders]` table for an order source written as one string."""
    if not orders:
        return {"kind": "none"}
    if re.match(r"https?://", orders):
        return {"kind": "http", "url": orders.rstrip("/"), "token": ""}
    if "://" in orders or orders.startswith(("sqlite:", "postgresql", "mysql")):
        return {"kind": "sql", "url": orders, "table": "orders"}
    return {"kind": "file", "path": orders}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _table(name: str, values: dict[str, Any]) -> list[str]:
    return [f"[{name}]", *(f"{k} = {_toml_value(v)}" for k, v in values.items()), ""]


def render_profile(profile: NewProfile) -> str:
    """The `shopassist.toml` text for `profile`."""
    pk, sk, hmac_secret = profile.keys
    site = slug(profile.name)
    store: dict[str, Any] = {"name": profile.name, "currency": profile.currency, "locale": profile.locale,
                             "languages": list(profile.languages), "catalog_files": list(profile.catalog_files),
                             "policies": profile.policies, "promotions": profile.promotions}
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        f"# ShopAssist store profile of {profile.name}, written by `shopassist init` on {stamp}.",
        "# Keep this file private: it holds the site's secret keys. Paths are read from this file's folder.",
        "",
        *_table("store", store),
        *_table("store.orders", order_source_table(profile.orders)),
        *_table("retrieval", {"catalog": profile.catalog}),
        "# The widget's publishable key (data-site-key), the secret key for server-to-server calls",
        "# (Authorization: Bearer ...) and the HMAC secret for ShopAssist.identify().",
        *_table(f'api.sites."{pk}"', {"site_id": site, "origins": list(profile.origins),
                                      "hmac_secret": hmac_secret, "secret_keys": [sk]}),
    ]
    return "\n".join(lines)


def write_profile(profile: NewProfile, path: Path, *, overwrite: bool = False) -> Settings:
    """Write `profile` to `path` (mode 0600) and read it back as `Settings` (which validates it)."""
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass --force to replace it (its keys stop working)")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_profile(profile), encoding="utf-8")
    tmp.chmod(0o600)
    try:
        settings = load_settings(tmp)
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
    return settings

"""All settings in one typed object.

Precedence (highest first): explicit keyword arguments, environment variables
prefixed `SHOPASSIST_` (nested with `__`, e.g. `SHOPASSIST_LLM__BASE_URL`), a
TOML config file (`SHOPASSIST_CONFIG` or `./shopassist.toml`), then defaults.
Lower layers (retrieval, ranking, scene) never read settings themselves: the
front ends read them here and pass plain values down.

The TOML file is the store's profile (`shopassist init` writes one; the demo
store's is `assistant/demo_store/shopassist.toml`): its `[store]` section names
the store, its currency, locale and languages, its policies folder, promotions
file and order source, and `[api.sites.*]` holds its site keys. Relative paths
in it are read from the file's own folder. No default is the demo store's: a
server without a profile has no catalog, no policies, no coupons and no site keys.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_data_dir() -> Path:
    """`$XDG_DATA_HOME/shopassist`, i.e. `~/.local/share/shopassist` by default."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "shopassist"


class LLMSettings(BaseModel):
    """Which generator to use. An empty `base_url` selects the embedded model (a supervised llama-server)."""

    backend: str = Field(default="auto", description="auto | openai | llamacpp | fake")
    base_url: str = Field(default="", description="OpenAI-compatible server, e.g. http://gpu-host:8000/v1 (vLLM)")
    api_key: SecretStr = SecretStr("")
    model: str = Field(default="", description="model name; discovered from /v1/models when empty")
    gguf_path: str = Field(
        default="",
        description="a GGUF path or a bundled model name (qwen2.5-coder-0.5b default, qwen2.5-coder-1.5b)",
    )
    server_binary: str = Field(default="", description="llama-server to run; default: the one setup built in .venv")
    slots: int = Field(default=4, ge=1, le=64, description="answers the embedded model decodes at once")
    n_ctx: int = Field(default=2048, ge=256, description="context tokens per answer (per slot)")
    n_threads: int = Field(default=2, ge=1)
    timeout_s: float = Field(default=30.0, gt=0, description="longest answer; then the template answer")
    first_token_s: float = Field(default=15.0, gt=0, description="longest wait for the first token")
    idle_s: float = Field(default=6.0, gt=0, description="longest pause between tokens (a hung model)")
    breaker_failures: int = Field(default=3, ge=1, description="failures in a row that open the circuit")
    breaker_backoff_s: float = Field(default=5.0, gt=0, description="first wait before probing the model again")
    max_retries: int = Field(default=1, ge=0)
    max_tokens: int = 256
    temperature: float = 0.2


class RetrievalSettings(BaseModel):
    catalog: str = Field(default="", description="catalog index inside the data directory (the profile names it)")
    chroma_url: str = Field(default="", description="Chroma server URL for multi-process deployments")
    candidates: int = Field(default=60, ge=1, le=1000, description="search results the ranker re-orders")
    # Fixed rates for prices a shopper types in another currency than the store's ("under $150" on a
    # rupee store): store-currency units per unit of each currency, or, when the store's own currency is
    # listed too, units of one common base. A price typed in a currency without a rate is not converted
    # but dropped with a note. Empty by default.
    fx_to_store: dict[str, float] = Field(default_factory=dict)


class RankingSettings(BaseModel):
    cross_encoder: bool = Field(default=True, description="re-read the top 10 with the cross-encoder")
    # ONNX Runtime threads per scoring call; 0 = min(2, cores). Two threads give the lowest latency
    # for one shopper; with one uvicorn worker per core, 1 avoids oversubscribing the cores.
    cross_encoder_threads: int = Field(default=0, ge=0, le=64)


class ConversationSettings(BaseModel):
    cards_per_turn: int = Field(default=5, ge=1, le=20)
    explain_top: int = Field(default=1, ge=0, le=10, description="products the model explains per search turn")
    handoff_scenes: list[str] = Field(default_factory=list, description="scenes that always go to a person "
                                      "(added to those of each site)")


class OrderSourceSettings(BaseModel):
    """Where the store's orders are read: nowhere, a JSON file (the demo), an SQL table or the store's HTTP API.

    `fields` maps our order fields (order_id, user_id, status, placed_on, promised_on, delivered_on, total,
    payment, courier, tracking_url, lines) to the table's columns or the JSON response's (dotted) keys.
    """

    kind: Literal["none", "file", "sql", "http"] = "none"
    path: str = Field(default="", description="file: the orders JSON file")
    url: str = Field(default="", description="sql: SQLAlchemy URL; http: base URL (GET {url}/orders/{number})")
    token: SecretStr = Field(default=SecretStr(""), description="http: bearer token")
    table: str = Field(default="orders", description="sql: the orders table")
    lines_table: str = Field(default="", description="sql: a table with one row per order line (optional)")
    fields: dict[str, str] = Field(default_factory=dict, description="our field -> their column or JSON key")
    line_fields: dict[str, str] = Field(default_factory=dict, description="order line field -> column or key")
    timeout_s: float = Field(default=3.0, gt=0, le=60, description="http/sql: longest wait for one lookup")
    retries: int = Field(default=1, ge=0, le=5, description="http: extra attempts after a timeout or 5xx")
    number_pattern: str = Field(default=r"#\d{3,12}", description="regex for an order number in a message")
    return_days: int = Field(default=30, ge=0, description="file: days after delivery a return can be booked")


class StoreSettings(BaseModel):
    """The store this assistant serves: what every answer, card and prompt says about money and policy."""

    name: str = "ShopAssist"
    currency: str = Field(default="USD", description="ISO 4217 code of the catalog's prices")
    locale: str = Field(default="en_US", description="how amounts are written (Babel/CLDR locale)")
    languages: list[str] = Field(default_factory=lambda: ["en"], description="languages the assistant answers in")
    catalog_files: list[str] = Field(default_factory=list, description="catalog exports `shopassist index` reads")
    policies: str = Field(default="", description="folder of Markdown policy files; empty: no policy answers")
    promotions: str = Field(default="", description="TOML file of coupons; empty: the store has no coupons")
    orders: OrderSourceSettings = Field(default_factory=OrderSourceSettings)
    chat_examples: list[str] = Field(default_factory=lambda: [
        "running shoes", "compare the first two", "is the second one waterproof?", "add the first one to my cart",
        "any coupons for my cart?", "how do I return an item?"], description="example prompts in the chat UI")
    chat_shoppers: dict[str, str] = Field(default_factory=lambda: {"guest": "Guest"},
                                          description="user id -> label of the chat UI's shopper picker")
    chat_tastes: dict[str, list[str]] = Field(default_factory=dict,
                                              description="categories a chat shopper starts out liking")

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        from retrieval.money import check_currency

        return check_currency(value)

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        from retrieval.money import check_locale

        return check_locale(value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return [v.strip().lower() for v in value if v.strip()] or ["en"]


class SiteSettings(BaseModel):
    """One store embedding the widget: its publishable key, allowed origins and secrets."""

    site_id: str = "site"  # namespaces this site's shoppers ("<site_id>:v:<visitor>")
    origins: list[str] = Field(default_factory=list, description="exact origins allowed for CORS (never '*')")
    hmac_secret: SecretStr = SecretStr("")  # empty: identify() is off for this site
    secret_keys: list[SecretStr] = Field(default_factory=list, description="sk_... keys for server-to-server calls")
    handoff_scenes: list[str] = Field(default_factory=list, description="scenes that always go to a person")


class ApiSettings(BaseModel):
    """The HTTP API for the widget (ui/api). Site keys map `pk_...` to a `SiteSettings`."""

    sites: dict[str, SiteSettings] = Field(default_factory=dict, description="`shopassist init` writes one")
    rate_site_per_s: float = 20.0
    rate_site_burst: int = 100
    rate_visitor_per_s: float = 1.0
    rate_visitor_burst: int = 10
    rate_limit_store: Literal["database", "memory"] = Field(
        default="database", description="database: one set of buckets for every worker (table rl_buckets); "
        "memory: each worker its own (N workers admit N times the rate)")
    max_body_bytes: int = 16_384
    agent_session_hours: float = 12.0


EXPERIMENT_ARMS: dict[str, tuple[str, ...]] = {
    # factor -> its arms; the first is today's default, the control of every experiment on that factor
    "ranker": ("learned", "retrieval", "random"),
    "diversity": ("on", "off"),
    "explanation": ("model", "none"),
}


class ExperimentSpec(BaseModel):
    """One A/B experiment: shoppers outside the holdout are split between `variants` by a hash of their id."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    factor: Literal["ranker", "diversity", "explanation"]
    variants: dict[str, float] = Field(description="arm -> relative share; must include the factor's default arm")
    enabled: bool = True

    @model_validator(mode="after")
    def _arms(self) -> ExperimentSpec:
        arms = EXPERIMENT_ARMS[self.factor]
        unknown = [v for v in self.variants if v not in arms]
        if unknown or arms[0] not in self.variants or len(self.variants) < 2:
            raise ValueError(f"experiment {self.name!r}: variants of '{self.factor}' are {', '.join(arms)}; "
                             f"list at least two including the control '{arms[0]}'")
        if any(w <= 0 for w in self.variants.values()):
            raise ValueError(f"experiment {self.name!r}: shares must be positive")
        return self


class ExperimentsSettings(BaseModel):
    """A/B experiments over ranking and explanations, with a permanent holdout that always gets the defaults."""

    holdout_share: float = Field(default=0.05, ge=0.0, le=0.5, description="shoppers never in any treatment")
    experiments: list[ExperimentSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_per_factor(self) -> ExperimentsSettings:
        factors = [e.factor for e in self.experiments if e.enabled]
        if len(factors) != len(set(factors)):
            raise ValueError("only one enabled experiment per factor (ranker, diversity, explanation)")
        if len({e.name for e in self.experiments}) != len(self.experiments):
            raise ValueError("experiment names must be unique")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPASSIST_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite in data_dir")
    store: StoreSettings = Field(default_factory=StoreSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    ranking: RankingSettings = Field(default_factory=RankingSettings)
    conversation: ConversationSettings = Field(default_factory=ConversationSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    experiments: ExperimentsSettings = Field(default_factory=ExperimentsSettings)
    simulation: bool = Field(default=False, description="accept the simulator's X-Sim-Time header (tests and "
                             "`shopassist simulate` only; never in production)")
    host: str = "127.0.0.1"
    port: int = 7860
    log_level: str = "INFO"
    _profile: Path | None = PrivateAttr(default=None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = config_path()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if config is not None:
            sources.append(ProfileTomlSource(settings_cls, toml_file=config))
        return tuple(sources)

    @model_validator(mode="before")
    @classmethod
    def _legacy_store_keys(cls, data: Any) -> Any:
        """`store_currency` / `store_name` (top-level keys or SHOPASSIST_STORE_CURRENCY / _NAME, the spelling
        before the `[store]` section) still set the store's currency and name."""
        if not isinstance(data, dict):
            return data
        store = data.get("store")
        store = dict(store) if isinstance(store, dict) else ({} if store is None else store)
        for old, new in (("store_currency", "currency"), ("store_name", "name")):
            value = data.pop(old, None) or os.environ.get(f"SHOPASSIST_{old.upper()}")
            if value and isinstance(store, dict) and new not in store:
                store[new] = value
        if isinstance(store, dict) and store:
            data["store"] = store
        return data

    @property
    def store_currency(self) -> str:
        return self.store.currency.upper()

    @property
    def store_name(self) -> str:
        return self.store.name

    @model_validator(mode="after")
    def _remember_profile(self) -> Settings:
        self._profile = config_path()
        return self

    @property
    def config_file(self) -> Path | None:
        """The profile these settings were read from (None without one)."""
        return self._profile

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'shopassist.db'}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


_PROFILE_OVERRIDE: ContextVar[Path | None] = ContextVar("shopassist_profile", default=None)


def config_path() -> Path | None:
    """The profile file: the one `load_settings(config=...)` is reading, else `SHOPASSIST_CONFIG`, else
    `./shopassist.toml`; None when it does not exist."""
    override = _PROFILE_OVERRIDE.get()
    if override is not None:
        return override
    path = Path(os.environ.get("SHOPASSIST_CONFIG", "shopassist.toml")).expanduser()
    return path.resolve() if path.is_file() else None


# Settings whose values are paths; in a profile they are relative to the profile's folder.
_PATH_KEYS: tuple[tuple[str, ...], ...] = (
    ("store", "policies"), ("store", "promotions"), ("store", "orders", "path"), ("data_dir",),
)


class ProfileTomlSource(TomlConfigSettingsSource):
    """The TOML profile, with relative paths read from the profile's folder (not the working directory)."""

    def __init__(self, settings_cls: type[BaseSettings], toml_file: Path) -> None:
        self.folder = toml_file.parent
        super().__init__(settings_cls, toml_file=toml_file)

    def __call__(self) -> dict[str, Any]:
        data = super().__call__()
        for keys in _PATH_KEYS:
            node: Any = data
            for key in keys[:-1]:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, dict) and isinstance(node.get(keys[-1]), str) and node[keys[-1]]:
                node[keys[-1]] = str(self.folder / Path(node[keys[-1]]).expanduser())
        store = data.get("store")
        if isinstance(store, dict) and isinstance(store.get("catalog_files"), list):
            store["catalog_files"] = [str(self.folder / Path(f).expanduser()) for f in store["catalog_files"]]
        return data


def load_settings(config: Path | str | None = None, **overrides: Any) -> Settings:
    """Settings from the environment and the profile; `config` reads that profile file instead of the
    configured one (the demo store's, a test's)."""
    if config is None:
        return Settings(**overrides)
    path = Path(config).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"store profile not found: {path}")
    token = _PROFILE_OVERRIDE.set(path)
    try:
        return Settings(**overrides)
    finally:
        _PROFILE_OVERRIDE.reset(token)

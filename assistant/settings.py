"""All settings in one typed object.

Precedence (highest first): explicit keyword arguments, environment variables
prefixed `SHOPASSIST_` (nested with `__`, e.g. `SHOPASSIST_LLM__BASE_URL`), a
TOML config file (`SHOPASSIST_CONFIG` or `./shopassist.toml`), then defaults.
Lower layers (retrieval, ranking, scene) never read settings themselves: the
front ends read them here and pass plain values down.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
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
    catalog: str = Field(default="demo", description="catalog name inside the data directory")
    chroma_url: str = Field(default="", description="Chroma server URL for multi-process deployments")
    candidates: int = Field(default=60, ge=1, le=1000, description="search results the ranker re-orders")
    # Fixed conversion rates into the store currency for prices typed in another one
    # ("under $150" on an INR store). A real store sets its own.
    fx_to_store: dict[str, float] = Field(default_factory=lambda: {"USD": 83.0, "EUR": 90.0, "CNY": 11.5, "GBP": 105.0})


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


class SiteSettings(BaseModel):
    """One store embedding the widget: its publishable key, allowed origins and secrets."""

    site_id: str = "demo"
    origins: list[str] = Field(default_factory=list, description="exact origins allowed for CORS (never '*')")
    hmac_secret: SecretStr = SecretStr("")  # empty: identify() is off for this site
    secret_keys: list[SecretStr] = Field(default_factory=list, description="sk_... keys for server-to-server calls")
    handoff_scenes: list[str] = Field(default_factory=list, description="scenes that always go to a person")


class ApiSettings(BaseModel):
    """The HTTP API for the widget (ui/api). Site keys map `pk_...` to a `SiteSettings`."""

    sites: dict[str, SiteSettings] = Field(
        default_factory=lambda: {"pk_demo": SiteSettings(site_id="demo", hmac_secret=SecretStr("demo-secret"),
                                                         secret_keys=[SecretStr("sk_demo")])})
    rate_site_per_s: float = 20.0
    rate_site_burst: int = 100
    rate_visitor_per_s: float = 1.0
    rate_visitor_burst: int = 10
    rate_limit_store: Literal["database", "memory"] = Field(
        default="database", description="database: one set of buckets for every worker (table rl_buckets); "
        "memory: each worker its own (N workers admit N times the rate)")
    max_body_bytes: int = 16_384
    agent_session_hours: float = 12.0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPASSIST_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite in data_dir")
    store_currency: str = "INR"
    store_name: str = "ShopAssist Demo Store"
    llm: LLMSettings = Field(default_factory=LLMSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    ranking: RankingSettings = Field(default_factory=RankingSettings)
    conversation: ConversationSettings = Field(default_factory=ConversationSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    host: str = "127.0.0.1"
    port: int = 7860
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = Path(os.environ.get("SHOPASSIST_CONFIG", "shopassist.toml"))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if config.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config))
        return tuple(sources)

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'shopassist.db'}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def load_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)

"""`shopassist init` writes a store profile with fresh random keys that a server then accepts; a server
without site keys refuses widget and server calls with the sentence that says how to set them."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.services import Assistant
from assistant.settings import load_settings
from assistant.store_profile import NO_SITE_KEYS
from assistant.testing import demo_products, make_services, store_settings
from ui.api.app import create_app
from ui.cli.app import app

runner = CliRunner()
SHOP = "https://acme.example"


def init(path: Path, *extra: str) -> Any:
    return runner.invoke(app, ["init", "--name", "Acme Outdoor", "--currency", "usd", "--locale", "en_US",
                               "--catalog-file", "products_export.csv", "--orders", "https://acme.example/api",
                               "--origin", SHOP, "--output", str(path), "--yes", *extra])


def test_init_writes_a_profile_with_random_keys(tmp_path: Path) -> None:
    result = init(tmp_path / "shopassist.toml")
    assert result.exit_code == 0, result.output
    path = tmp_path / "shopassist.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["store"]["currency"] == "USD" and data["store"]["locale"] == "en_US"
    assert data["store"]["orders"] == {"kind": "http", "url": "https://acme.example/api", "token": ""}
    assert data["retrieval"]["catalog"] == "acme-outdoor"
    (pk, site), = data["api"]["sites"].items()
    assert pk.startswith("pk_live_") and len(pk) > 24 and site["origins"] == [SHOP]
    assert site["secret_keys"][0].startswith("sk_live_") and len(site["hmac_secret"]) >= 32
    assert "$1,349 and $24.99" in result.output and f'data-site-key="{pk}"' in result.output
    assert "shopassist index --file products_export.csv --catalog acme-outdoor" in result.output

    again = init(tmp_path / "other.toml")
    other = tomllib.loads((tmp_path / "other.toml").read_text(encoding="utf-8"))
    assert again.exit_code == 0 and set(other["api"]["sites"]).isdisjoint(data["api"]["sites"])
    refused = init(path)
    assert refused.exit_code == 2 and "exists; pass --force" in refused.output
    assert init(path, "--force").exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--currency", "dollars"], "unknown currency 'dollars'"),
    (["--locale", "xx_YY"], "unknown locale 'xx_YY'"),
    (["--origin", "acme.example/shop"], "give scheme and host only"),
])
def test_init_refuses_bad_values_with_a_sentence(tmp_path: Path, args: list[str], message: str) -> None:
    result = init(tmp_path / "shopassist.toml", *args)
    assert result.exit_code == 2 and message in result.output and not (tmp_path / "shopassist.toml").exists()


def test_init_without_a_terminal_needs_the_name(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--output", str(tmp_path / "p.toml")])
    assert result.exit_code == 2 and "--name is required" in result.output


def test_a_server_on_the_new_profile_accepts_its_keys(tmp_path: Path) -> None:
    assert init(tmp_path / "shopassist.toml").exit_code == 0
    settings = load_settings(tmp_path / "shopassist.toml")
    (pk, site), = settings.api.sites.items()
    services = make_services(demo_products(), settings=store_settings("USD", "en_US"))
    client = TestClient(create_app(Assistant(services), settings))
    widget = {"X-Site-Key": pk, "X-Visitor-Id": "v_1", "Origin": SHOP}
    assert client.post("/v1/conversations", headers=widget).status_code == 201
    server = {"Authorization": f"Bearer {site.secret_keys[0].get_secret_value()}", "X-User-Id": "cust-9"}
    assert client.post("/v1/conversations", headers=server).status_code == 201
    assert client.post("/v1/conversations", headers={**widget, "X-Site-Key": "pk_demo"}).status_code == 401
    assert client.post("/v1/conversations", headers={**widget, "Origin": "https://evil.example"}).status_code == 403
    assert f'data-site-key="{pk}"' in client.get("/demo").text


def test_a_server_without_site_keys_refuses_with_the_sentence() -> None:
    settings = store_settings("USD", "en_US")
    assert settings.api.sites == {}  # no demo keys by default
    client = TestClient(create_app(Assistant(make_services(demo_products(), settings=settings)), settings))
    for headers in ({"X-Site-Key": "pk_demo", "X-Visitor-Id": "v_1"},
                    {"Authorization": "Bearer sk_demo", "X-User-Id": "u1"}):
        r = client.post("/v1/conversations", headers=headers)
        assert r.status_code == 503 and r.json()["error"] == {"code": "no_site_keys", "message": NO_SITE_KEYS}
    assert "shopassist init" in NO_SITE_KEYS and "SHOPASSIST_API__SITES" in NO_SITE_KEYS
    assert client.get("/healthz").status_code == 200  # the process is up; it is the keys that are missing

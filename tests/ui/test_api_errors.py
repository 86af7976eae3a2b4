"""An uncaught person-facing error becomes a 4xx JSON error with its sentence; a bug stays a bare 500."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ranking.errors import UnknownProductError
from retrieval.hybrid import QueryError
from ui.api import errors


def _client() -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.get("/query")
    def _query() -> None:
        raise QueryError("The query is empty: type what you are looking for.")

    @app.get("/product")
    def _product() -> None:
        raise UnknownProductError("p9")

    @app.get("/bug")
    def _bug() -> None:
        raise RuntimeError("secret internals")

    return TestClient(app, raise_server_exceptions=False)


def test_user_errors_are_4xx_with_their_sentence() -> None:
    client = _client()
    r = client.get("/query")
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "invalid_query", "message": "The query is empty: type what you are "
                                                                      "looking for."}}
    r = client.get("/product")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_product"
    r = client.get("/bug")
    assert r.status_code == 500 and "secret" not in r.text

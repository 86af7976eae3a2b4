"""The HTTP API for the embeddable widget and server-to-server calls (FastAPI): `create_app()`."""

"""The OpenAI-compatible backend against a tiny scripted HTTP server (errors) and a real llama-server (slow)."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.llm import GenerationOptions, LLMAuthError, LLMBadResponse, LLMUnavailable, OpenAIChatModel
from assistant.llm.llama_server import free_port
from assistant.llm.openai_backend import discover_model

MSGS = [{"role": "user", "content": "hello"}]
SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


def _completion(content: str) -> dict:
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class Scripted(BaseHTTPRequestHandler):
    mode = "ok"
    requests: list[dict] = []  # noqa: RUF012 - shared by design

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != "Bearer good-key":
            self._send(401, b'{"error": {"message": "invalid api key"}}')
        else:
            self._send(200, json.dumps({"object": "list", "data": [{"id": "fake-model"}]}).encode())

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Scripted.requests.append(body)
        mode = Scripted.mode
        content = '{"name": "Asha", "age": 30}' if body.get("response_format") or mode == "json" else "Hello there."
        if self.headers.get("Authorization") != "Bearer good-key":
            self._send(401, b'{"error": {"message": "invalid api key", "type": "auth"}}')
        elif mode == "context" and len(Scripted.requests) == 1:
            self._send(400, b'{"error": {"message": "This model\'s maximum context length is 512 tokens"}}')
        elif not body.get("stream"):
            self._send(200, json.dumps(_completion(content)).encode())
        else:
            if mode == "bad_json_content":
                content = '{"name": "Asha", "ag'
            pieces = [content[i:i + 6] for i in range(0, len(content), 6)]
            chunks = [
                {
                    "id": "c",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "fake-model",
                    "choices": [{"index": 0, "delta": {"content": w, **({"role": "assistant"} if not i else {})},
                                 "finish_reason": None}],
                }
                for i, w in enumerate(pieces)
            ]
            payload = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
            if mode == "truncated":
                payload = payload[:60]
            self._send(200, payload.encode(), "text/event-stream")


@pytest.fixture
def server() -> Iterator[str]:
    Scripted.mode = "ok"
    Scripted.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def _model(url: str, key: str = "good-key", **kw: object) -> OpenAIChatModel:
    opts: dict = {"timeout_s": 5, "max_retries": 0, **kw}
    return OpenAIChatModel(url, api_key=key, **opts)


def test_model_name_is_discovered_and_text_streams(server: str) -> None:
    model = _model(server)
    assert "".join(model.stream(MSGS, GenerationOptions(max_tokens=7))) == "Hello there."
    assert model.name == "openai:fake-model"
    # llama.cpp's server reads only `max_tokens`; LangChain alone would send just `max_completion_tokens`
    assert Scripted.requests[-1]["max_tokens"] == 7


def test_schema_goes_out_as_response_format_json_schema(server: str) -> None:
    out = json.loads(_model(server, model="fake-model").complete(MSGS, GenerationOptions(schema=SCHEMA)))
    assert out == {"name": "Asha", "age": 30}
    sent = Scripted.requests[-1]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"] == SCHEMA
    assert "guided_json" not in json.dumps(sent)


def test_wrong_api_key(server: str) -> None:
    with pytest.raises(LLMAuthError, match="rejected the API key"):
        discover_model(server, "bad-key")
    with pytest.raises(LLMAuthError):
        _model(server, key="bad-key", model="fake-model").complete(MSGS)


def test_unreachable_server_is_one_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    model = _model(f"http://127.0.0.1:{port}/v1", model="m")
    with pytest.raises(LLMUnavailable, match="unreachable"):
        list(model.stream(MSGS))
    with pytest.raises(LLMUnavailable):
        discover_model(f"http://127.0.0.1:{port}/v1")


def test_truncated_response_body_under_a_schema(server: str) -> None:
    Scripted.mode = "truncated"
    with pytest.raises(LLMBadResponse):
        _model(server, model="fake-model").complete(MSGS, GenerationOptions(schema=SCHEMA))


def test_truncated_json_content_under_a_schema(server: str) -> None:
    Scripted.mode = "bad_json_content"
    with pytest.raises(LLMBadResponse, match="truncated or invalid JSON"):
        _model(server, model="fake-model").complete(MSGS, GenerationOptions(schema=SCHEMA))


def test_context_too_long_retries_with_fewer_turns(server: str) -> None:
    Scripted.mode = "context"
    history = []
    for i in range(40):
        history += [{"role": "user", "content": f"q{i} " + "x " * 200}, {"role": "assistant", "content": "a"}]
    history.append({"role": "user", "content": "last"})
    model = _model(server, model="fake-model", n_ctx=8192)
    assert model.complete(history) == "Hello there."
    first, second = Scripted.requests
    assert len(second["messages"]) < len(first["messages"])
    assert second["messages"][-1]["content"] == "last"


def test_bad_base_url() -> None:
    with pytest.raises(LLMUnavailable, match="http"):
        OpenAIChatModel("gpu-host:8000")


@pytest.mark.slow
def test_against_a_real_llama_server() -> None:
    """The vLLM code path, exercised against llama.cpp's OpenAI-compatible server on 127.0.0.1."""
    from assistant.llm.llama_server import find_binary
    from assistant.llm.models import BUNDLED_MODELS, single_file

    gguf = single_file(BUNDLED_MODELS["smollm2-135m"])
    port = free_port()
    proc = subprocess.Popen(
        [str(find_binary()), "--model", str(gguf), "--alias", "smol", "--host", "127.0.0.1", "--port", str(port),
         "--ctx-size", "2048", "--threads", "2", "--api-key", "good-key", "--no-webui"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 90
        while True:
            try:
                name = discover_model(url, "good-key", timeout_s=2)
                model = _model(url, max_tokens=24, timeout_s=60)
                assert model.model == name == "smol"
                hello = [{"role": "user", "content": "Say hello."}]
                pieces = list(model.stream(hello, GenerationOptions(max_tokens=16)))
                break
            except LLMUnavailable:  # still loading (503) or not listening yet
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.5)
        assert len(pieces) > 1 and "".join(pieces).strip()
        # the limit reaches the server: a long essay stops after 8 tokens (one piece per token)
        essay = list(model.stream([{"role": "user", "content": "Write a long essay about shoes."}],
                                  GenerationOptions(max_tokens=8)))
        assert 1 <= len(essay) <= 8
        data = json.loads(model.complete([{"role": "user", "content": "A person called Asha, aged 30, as JSON."}],
                                         GenerationOptions(schema=SCHEMA, max_tokens=48)))
        assert set(data) == {"name", "age"} and isinstance(data["age"], int)  # the schema is enforced
        with pytest.raises(LLMAuthError):
            _model(url, key="wrong", model=name).complete(MSGS)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()

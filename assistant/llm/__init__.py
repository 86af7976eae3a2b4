"""Chat generators behind one `ChatModel` seam: vLLM/OpenAI-compatible HTTP, the embedded model in a
supervised llama-server process, and a fake; middleware (privacy mask, circuit breaker, deadlines)
assembled in `assistant.llm.chain`.

Nothing heavy is imported here: backends start their processes and clients lazily.
"""

from assistant.llm.base import ChatMiddleware, ChatModel, GenerationOptions, Message, ModelStatus
from assistant.llm.chain import backend_name, build_chain, build_chat_model, make_backend
from assistant.llm.errors import LLMAuthError, LLMBadResponse, LLMError, LLMUnavailable, ModelFileError
from assistant.llm.fake import FakeChatModel
from assistant.llm.openai_backend import OpenAIChatModel

__all__ = [
    "ChatMiddleware",
    "ChatModel",
    "FakeChatModel",
    "GenerationOptions",
    "LLMAuthError",
    "LLMBadResponse",
    "LLMError",
    "LLMUnavailable",
    "Message",
    "ModelFileError",
    "ModelStatus",
    "OpenAIChatModel",
    "backend_name",
    "build_chain",
    "build_chat_model",
    "make_backend",
]

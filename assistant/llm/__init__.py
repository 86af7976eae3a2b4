"""Chat generators behind one `ChatModel` seam: vLLM/OpenAI-compatible HTTP, embedded llama.cpp, fake.

Nothing heavy is imported here: backends load their libraries and models lazily.
"""

from assistant.llm.base import ChatModel, Message
from assistant.llm.errors import LLMAuthError, LLMBadResponse, LLMError, LLMUnavailable, ModelFileError
from assistant.llm.factory import backend_name, make_chat_model
from assistant.llm.fake import FakeChatModel
from assistant.llm.llamacpp_backend import LlamaCppChatModel
from assistant.llm.openai_backend import OpenAIChatModel

__all__ = [
    "ChatModel",
    "FakeChatModel",
    "LLMAuthError",
    "LLMBadResponse",
    "LLMError",
    "LLMUnavailable",
    "LlamaCppChatModel",
    "Message",
    "ModelFileError",
    "OpenAIChatModel",
    "backend_name",
    "make_chat_model",
]

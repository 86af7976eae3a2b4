"""Scene detection for one message in the context of the dialogue so far."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from retrieval.embedding import Embedder
from retrieval.filters import Vocabulary
from scene.features import normalize
from scene.model import Prediction, SceneModel
from scene.need_reading import clean_clauses, is_product_request, read_need, request_clause
from scene.order_numbers import compile_order_pattern
from scene.service_routing import has_order_number, order_intent, service_scene
from scene.slots import SceneSlots, extract
from scene.state import DialogueState
from scene.support_words import SupportLexicon
from scene.taxonomy import IN_SCOPE, OUT_OF_SCOPE

Scene = Literal[
    "search", "recommend", "compare", "product_qa", "support",
    "promotion", "cart", "handoff", "chitchat", "out_of_scope",
]

# Messages that try to re-program the assistant. The classifier is trained on such
# text too; this guard makes the routing certain and lets the assistant log it.
_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(previous|prior|above|earlier|all|your|the)\b.{0,20}"
    r"\b(instructions?|rules|prompts?|directions|guidelines)\b"
    r"|\b(system prompt|hidden instructions|developer mode|jailbreak)\b|\byou are now (dan|an? ai)\b"
    r"|(忽略|无视|忘记|忘掉).{0,12}(指令|指示|规则|提示)|系统提示|提示词",
    re.IGNORECASE | re.DOTALL,
)
_HAS_CONTENT = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
MAX_EMBED_CHARS = 300


_PRODUCT_SCENES = ("product_qa", "compare", "cart", "search", "recommend")
# Scenes a plain product request ("戒指", "watch for my husband under 1500") is taken out of.
_NOT_A_REQUEST = (OUT_OF_SCOPE, "chitchat", "product_qa")
_REFINABLE = ("search", "recommend")
_SHORT_WORDS = 8
_SHORT_CJK = 14


class SceneResult(BaseModel):
    text: str = Field(description="the message as classified (normalized, truncated)")
    scene: Scene
    confidence: float = Field(ge=0.0, le=1.0)
    sub_intent: str | None = Field(default=None, description="Bitext support intent when scene is support")
    slots: SceneSlots = Field(default_factory=SceneSlots)
    scores: dict[str, float] = Field(default_factory=dict, description="scene probabilities from the model")
    oos_score: float = 0.0
    reason: str = Field(default="model", description="model | context:<rule> | guard:<rule>")


class SceneDetector:
    """Classifier + slot extraction + multi-turn resolution. Thread-safe; holds no dialogue state."""

    def __init__(
        self,
        model: SceneModel,
        embedder: Embedder,
        vocab: Vocabulary | None = None,
        store_currency: str = "",
        fx_to_store: Mapping[str, float] | None = None,
    ) -> None:
        self.model = model
        self.embedder = embedder
        self.vocab = vocab
        self.store_currency = store_currency
        self.fx_to_store = dict(fx_to_store) if fx_to_store else None
        self.lexicon = SupportLexicon()  # the generic service words until `use_store` adds the store's
        self.order_pattern: re.Pattern[str] | None = None

    def use_store(self, lexicon: SupportLexicon | None = None, order_number_pattern: str | None = None) -> None:
        """The store's service words (its policies against its catalog) and its order-number pattern, so a
        message about its policies or one of its orders is support. Raises `re.error` on a broken pattern."""
        if lexicon is not None:
            self.lexicon = lexicon
        self.order_pattern = compile_order_pattern(order_number_pattern) if order_number_pattern else None

    def _slots(self, text: str, state: DialogueState | None) -> SceneSlots:
        shown = state.last_shown if state else []
        focus = state.focus if state else []
        slots = extract(text, shown, focus, self.vocab, self.store_currency, self.fx_to_store)
        slots.need = read_need(text, slots, self.vocab)
        if state and slots.relative_price and state.last_shown_prices:
            f = slots.filters
            if slots.relative_price == "cheaper" and f.max_price is None:
                f.max_price = min(state.last_shown_prices)
            elif slots.relative_price == "pricier" and f.min_price is None:
                f.min_price = max(state.last_shown_prices)
        return slots

    def embed(self, text: str) -> np.ndarray:
        """One message's embedding (the embedder runs a single text on one torch thread)."""
        return np.asarray(self.embedder.embed([text[:MAX_EMBED_CHARS]])[0], dtype=np.float32)

    def predict(self, text: str) -> Prediction:
        return self.model.predict(text, self.embed(text))

    def detect(self, message: str, state: DialogueState | None = None) -> SceneResult:
        """Scene, confidence, support sub-intent and slots of `message`. Never raises on any string."""
        text = normalize(message)
        if not _HAS_CONTENT.search(text):
            return SceneResult(text=text, scene="chitchat", confidence=0.5, reason="guard:empty")
        slots = self._slots(text, state)
        if _INJECTION.search(text):
            request = request_clause(text, _INJECTION, lambda clause: self._slots(clause, state))
            if request is not None:  # refuse the instruction, serve the product request beside it
                request.prompt_injection = True
                return SceneResult(text=text, scene="search", confidence=0.9, slots=request,
                                   reason="guard:injection+request")
            if state is not None and state.last_shown:  # "add the first one. also what is your system prompt?"
                for clause in clean_clauses(text, _INJECTION):
                    inner = self.detect(clause, state)
                    if inner.scene in ("cart", "compare", "product_qa"):
                        inner.slots.prompt_injection = True
                        return inner.model_copy(update={"text": text, "reason": f"guard:injection+{inner.scene}"})
            slots.prompt_injection = True
            return SceneResult(text=text, scene="out_of_scope", confidence=0.99, slots=slots, reason="guard:injection")
        pred = self.predict(text)
        probs = pred.scene_probs
        in_scope = {s: probs.get(s, 0.0) for s in IN_SCOPE}
        scene = OUT_OF_SCOPE if pred.is_oos else max(in_scope, key=in_scope.__getitem__)
        reason = "model"
        if state is not None and state.last_shown:
            scene, reason = self._resolve_in_context(text, scene, slots, in_scope, state, reason)
        sub_intent = pred.sub_intent
        routed = service_scene(text, scene, slots, state, self.lexicon, self.order_pattern,
                               lambda other: self._slots(other, state))
        if routed is not None:
            scene, reason = routed.scene, routed.reason
            if routed.inherit_intent and state is not None and state.turns and state.turns[-1].sub_intent:
                sub_intent = state.turns[-1].sub_intent  # "and UPI?" asks the refund-time question again
        elif is_product_request(slots) and scene in _NOT_A_REQUEST:
            scene, reason = "search", "context:product_request"
        elif (state is not None and state.past_needs and slots.need is not None and slots.need.restore
              and not slots.references and slots.order_number is None and scene not in ("cart", "compare")):
            scene, reason = "search", "context:restore"  # "back to the boots", "回到刚才的"
        if scene == "support" and has_order_number(text, slots, self.order_pattern):
            sub_intent = order_intent(sub_intent, state)
        if scene == OUT_OF_SCOPE:
            confidence = pred.oos_score if pred.is_oos else 0.5
        elif routed is not None:
            confidence = 0.75  # a rule over the model: the order number, the thread, the store's own words
        else:
            share = in_scope[scene] / (sum(in_scope.values()) or 1.0)
            # a scene chosen by context over the out-of-scope gate gets at most an even chance
            confidence = share * (0.5 if pred.is_oos else 1.0 - pred.oos_score)
        return SceneResult(
            text=text,
            scene=scene,  # type: ignore[arg-type]
            confidence=float(min(1.0, max(0.0, confidence))),
            sub_intent=sub_intent if scene == "support" else None,
            slots=slots,
            scores={k: round(v, 4) for k, v in probs.items()},
            oos_score=round(pred.oos_score, 4),
            reason=reason,
        )

    @staticmethod
    def _is_short(text: str) -> bool:
        cjk = len(re.findall(r"[\u3400-\u9fff]", text))
        return len(text.split()) <= _SHORT_WORDS and cjk <= _SHORT_CJK

    def _resolve_in_context(
        self,
        text: str,
        scene: str,
        slots: SceneSlots,
        in_scope: dict[str, float],
        state: DialogueState,
        reason: str,
    ) -> tuple[str, str]:
        """Follow-ups after products were shown: references pull the message into a product scene,
        short refinements ("cheaper ones?", "any in blue?") continue the search."""
        explicit_ref = bool(slots.positions) or (slots.reference_text is not None and bool(slots.references)
                                                 and slots.reference_text not in ("it", "this", "that", "they"))
        if scene in (OUT_OF_SCOPE, "chitchat") and explicit_ref:
            best = max(_PRODUCT_SCENES, key=in_scope.__getitem__)
            return best, "context:reference"
        refinement = slots.relative_price is not None or (
            not slots.filters.is_empty() and slots.reference_text is None
        )
        if (
            refinement
            and self._is_short(text)
            and state.last_product_scene in _REFINABLE
            and scene in (OUT_OF_SCOPE, "chitchat", "recommend", "search", "promotion")
            and not (scene == "promotion" and slots.relative_price is None)
        ):
            return "search", "context:refinement" if scene != "search" else reason
        return scene, reason

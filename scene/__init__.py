"""Scene and intent detection: which skill should answer a shopper's message.

    from scene import detect, DialogueState
    state = DialogueState()
    result = detect("我想买一双防水的登山鞋", state)      # scene="search"
    state.record(result, shown_ids=[...])
    detect("第二双多少钱？", state)                       # scene="product_qa", slots.references=[id 2]

The model loads lazily on the first `detect` call, never at import.
"""

from scene.detector import SceneDetector, SceneResult
from scene.loader import default_detector, detect, make_detector
from scene.slots import SceneSlots
from scene.state import DialogueState, Turn
from scene.taxonomy import SCENES, SUPPORT_INTENTS

__all__ = [
    "SCENES",
    "SUPPORT_INTENTS",
    "DialogueState",
    "SceneDetector",
    "SceneResult",
    "SceneSlots",
    "Turn",
    "default_detector",
    "detect",
    "make_detector",
]

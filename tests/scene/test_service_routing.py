"""Service routing over the scene model: order numbers, support/promotion threads, coupon and policy words."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.catalog import Product
from retrieval.embedding import HashingEmbedder
from retrieval.filters import Vocabulary
from scene.detector import SceneDetector
from scene.model import Prediction
from scene.order_numbers import compile_order_pattern, find_order_number
from scene.state import DialogueState, Turn
from scene.support_words import SupportLexicon, catalog_words, stem
from scene.taxonomy import SCENES

PRODUCTS = [
    Product(id="1", title="Oakwood three seater sofa", price=20000, category_path=["Furniture", "Sofas"]),
    Product(id="2", title="Linen two seater sofa grey", price=15000, category_path=["Furniture", "Sofas"]),
    Product(id="3", title="Brass table lamp warm light", price=1800, category_path=["Lighting", "Lamps"]),
    Product(id="4", title="Ceramic floor lamp white", price=2500, category_path=["Lighting", "Lamps"]),
]
POLICIES = [
    "# Payments\nWe accept ZetaPay, net banking and cards. Sofas and lamps bought with ZetaPay are refunded to "
    "ZetaPay within 2 days.",
    "# Delivery\nFurniture is delivered by Hoplite Freight to serviceable postcodes.",
]


class ScriptedModel:
    """The scene model's answer is set by the test; anything else reads as out of scope."""

    embedder_name = HashingEmbedder().name

    def __init__(self) -> None:
        self.scene = "out_of_scope"

    def predict(self, text: str, embedding: np.ndarray) -> Prediction:
        probs = {s: 0.02 for s in SCENES}
        probs[self.scene] = 0.8
        oos = self.scene == "out_of_scope"
        return Prediction(probs, "check_payment_methods", 0.9, 0.97 if oos else 0.03, oos)


@pytest.fixture
def model() -> ScriptedModel:
    return ScriptedModel()


@pytest.fixture
def detector(model: ScriptedModel) -> SceneDetector:
    d = SceneDetector(model, HashingEmbedder(), vocab=Vocabulary.from_products(PRODUCTS))  # type: ignore[arg-type]
    d.use_store(SupportLexicon.from_texts(POLICIES, catalog_words(PRODUCTS, min_products=1)), r"\bQX-?\d{5}\b")
    return d


def after(scene: str, sub_intent: str | None = None) -> DialogueState:
    return DialogueState(turns=[Turn(text="earlier", scene=scene, sub_intent=sub_intent)])


# ---------------------------------------------------------------- order numbers


def test_the_order_pattern_matches_next_to_chinese_and_not_inside_longer_numbers() -> None:
    pattern = compile_order_pattern(r"\bQX-?\d{5}\b")
    assert find_order_number("我的订单QX-40213到哪了", pattern) == "QX-40213"
    assert find_order_number("where is qx40213 pls", pattern) == "qx40213"
    assert find_order_number("QX-402131234", pattern) is None


def test_a_store_order_number_is_support_in_any_language(detector: SceneDetector, model: ScriptedModel) -> None:
    model.scene = "search"
    for text in ("status of QX-40213 please", "查一下QX40213", "ok and QX-55555?"):
        r = detector.detect(text)
        assert (r.scene, r.reason) == ("support", "guard:order_number"), text


# ---------------------------------------------------------------- policy words


def test_the_store_words_are_its_policy_words_that_the_catalog_does_not_use() -> None:
    lexicon = SupportLexicon.from_texts(POLICIES, catalog_words(PRODUCTS, min_products=1))
    assert {stem("zetapay"), stem("hoplite"), stem("banking")} <= lexicon.store_words
    assert stem("sofas") not in lexicon.store_words and stem("lamps") not in lexicon.store_words


def test_policy_questions_without_a_product_are_support(detector: SceneDetector) -> None:
    for text in ("how long until my money is back after a return", "is there a fee if i pay cash at the door",
                 "does zetapay work?", "hoplite freight?", "能开发票吗", "运费怎么算"):
        assert detector.detect(text).scene == "support", text


def test_a_product_inside_a_policy_question_does_not_make_it_a_product_question(
        detector: SceneDetector, model: ScriptedModel) -> None:
    model.scene = "product_qa"
    assert detector.detect("do sofas come with a warranty?").scene == "support"
    assert detector.detect("台灯保修多久").scene == "support"
    model.scene = "search"
    assert detector.detect("my lamp arrived damaged").scene == "support"


def test_product_requests_stay_searches(detector: SceneDetector, model: ScriptedModel) -> None:
    model.scene = "search"
    for text in ("show me sofas with free delivery", "oakwood sofa with 5 year warranty", "deals on lamps"):
        assert detector.detect(text).scene == "search", text


def test_everyday_words_alone_stay_out_of_scope(detector: SceneDetector) -> None:
    for text in ("cancel my table booking at the restaurant", "what's the weather tomorrow"):
        assert detector.detect(text).scene == "out_of_scope", text


# ---------------------------------------------------------------- coupons


def test_coupon_words_are_promotion(detector: SceneDetector, model: ScriptedModel) -> None:
    model.scene = "search"
    for text in ("coupons?", "any promo codes for lamps?", "有优惠券吗"):
        r = detector.detect(text)
        assert (r.scene, r.reason) == ("promotion", "context:coupon_words"), text


# ---------------------------------------------------------------- threads


def test_an_elliptical_follow_up_stays_in_the_support_thread(detector: SceneDetector, model: ScriptedModel) -> None:
    state = after("support", "track_refund")
    for scene, text in (("search", "and by net banking?"), ("out_of_scope", "who pays for that"),
                        ("out_of_scope", "it still hasn't come"), ("cart", "加急呢"),
                        ("product_qa", "多久能回复我"), ("product_qa", "the link expired")):
        model.scene = scene
        r = detector.detect(text, state)
        assert (r.scene, r.reason) == ("support", "context:support_thread"), text
        assert r.sub_intent == "track_refund"  # the same question, about another case


def test_a_support_thread_lets_go_of_product_requests_cart_changes_and_small_talk(
        detector: SceneDetector, model: ScriptedModel) -> None:
    state = after("support")
    for scene, text in (("search", "show me floor lamps"), ("search", "brass table lamp"),
                        ("cart", "add it to my cart"), ("chitchat", "ok thanks"),
                        ("handoff", "let me talk to a person")):
        model.scene = scene
        assert detector.detect(text, state).scene == scene, text
    model.scene = "search"
    assert detector.detect("any coupons?", state).scene == "promotion"


def test_a_promotion_thread_keeps_its_follow_ups(detector: SceneDetector, model: ScriptedModel) -> None:
    state = after("promotion")
    for scene, text in (("search", "any for lamps?"), ("search", "which for sofas"), ("compare", "台灯用哪个"),
                        ("product_qa", "max discount with that?")):
        model.scene = scene
        r = detector.detect(text, state)
        assert (r.scene, r.reason) == ("promotion", "context:promotion_thread"), text
    model.scene = "search"
    assert detector.detect("show me floor lamps", state).scene == "search"
    model.scene = "product_qa"
    assert detector.detect("how do refunds work?", state).scene == "support"


def test_a_message_with_an_order_number_asks_about_that_order(detector: SceneDetector, model: ScriptedModel) -> None:
    model.scene = "support"  # the scripted model's support intent is about payment methods
    assert detector.detect("QX-40213 please").sub_intent == "track_order"
    assert detector.detect("sorry, I meant QX-40214", after("support", "cancel_order")).sub_intent == "cancel_order"


def test_something_received_in_a_bad_state_is_support_whatever_it_names(
        detector: SceneDetector, model: ScriptedModel) -> None:
    model.scene = "search"
    assert detector.detect("my lamp arrived cracked").scene == "support"
    assert detector.detect("收到的台灯是坏的").scene == "support"
    assert detector.detect("ripped linen sofa cover").scene == "search"  # a state word alone describes a product


def test_a_thread_follow_up_the_model_calls_handoff_stays_unless_it_asks_for_a_person(
        detector: SceneDetector, model: ScriptedModel) -> None:
    model.scene = "handoff"
    state = after("support", "delivery_period")
    assert detector.detect("and to a village?", state).scene == "support"
    assert detector.detect("can I talk to a real person", state).scene == "handoff"


def test_a_yes_no_question_naming_a_product_in_a_support_thread_asks_about_the_policy(
        detector: SceneDetector, model: ScriptedModel) -> None:
    model.scene = "search"
    state = after("support", "check_refund_policy")
    assert detector.detect("台灯也可以吗", state).scene == "support"
    assert detector.detect("does that apply to sofas?", state).scene == "support"
    assert detector.detect("do you have floor lamps?", state).scene == "search"

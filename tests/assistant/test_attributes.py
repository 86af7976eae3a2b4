"""Product questions name one attribute; the answer is that attribute's catalog value or "the listing doesn't say"."""

from __future__ import annotations

import pytest

from assistant.conversation.attributes import Vocabulary, match_attribute, zh_label
from assistant.conversation.skills.product_qa import answer
from retrieval.catalog import Product
from tests.assistant.conftest import INR

CATALOG_KEYS = ["microwave safe", "freezer safe", "dishwasher safe", "mug capacity", "capacity", "dial shape",
                "dial color", "strap color", "material", "sole material", "number of compartments", "colour",
                "gender", "ideal for", "water_resistant", "water resistance depth", "bluetooth version", "weight"]
VOCAB = Vocabulary.of(CATALOG_KEYS)

MUG = Product(id="m1", title="Akup Ceramic Mug", price=259, attributes={
    "freezer safe": "Yes", "mug capacity": "300 ml", "material": "Ceramic", "colour": "White"})
WATCH = Product(id="w1", title="Sonata Analog Watch", price=1599, attributes={
    "dial shape": "Round", "dial color": "Black", "strap color": "Brown", "gender": "Men", "water_resistant": "Yes"})
BAG = Product(id="b1", title="Lavie Sling Bag", price=1299, attributes={"number of compartments": "2",
                                                                        "material": "PU"})


@pytest.mark.parametrize(
    ("product", "question", "keys", "missing"),
    [
        (MUG, "is the first one microwave safe?", (), "microwave safe"),  # never "freezer safe: Yes"
        (MUG, "可以用微波炉加热吗", (), "microwave safe"),
        (MUG, "can it go in the freezer?", ("freezer safe",), ""),
        (MUG, "dishwasher safe?", (), "dishwasher safe"),
        (MUG, "how much does it hold? what's the capacity", ("mug capacity",), ""),
        (MUG, "容量多大", ("mug capacity",), ""),
        (MUG, "what's it made of", ("material",), ""),
        (WATCH, "what shape is the dial", ("dial shape",), ""),
        (WATCH, "第二个是什么表盘形状？", ("dial shape",), ""),
        (WATCH, "表盘是什么颜色", ("dial color",), ""),
        (WATCH, "what colour is the strap", ("strap color",), ""),
        (WATCH, "does it have bluetooth", (), "bluetooth"),  # the words asked when no key is exactly it
        (WATCH, "is it for men?", ("gender",), ""),
        (BAG, "how many compartments does it have", ("number of compartments",), ""),
        (BAG, "有几个隔层", ("number of compartments",), ""),
        (BAG, "what's the sole made of", (), "sole material"),
    ],
)
def test_the_asked_attribute_and_only_that(product: Product, question: str, keys: tuple[str, ...],
                                          missing: str) -> None:
    found = match_attribute(question, product.attributes, VOCAB)
    assert found is not None
    assert (found.keys, found.missing) == (keys, missing)


def test_a_question_without_attribute_words_matches_nothing() -> None:
    assert match_attribute("is it good for gifting?", MUG.attributes, VOCAB) is None


@pytest.mark.parametrize(
    ("product", "question", "language", "says", "never"),
    [
        (MUG, "is it microwave safe?", "en", "I don't know", "freezer"),
        (MUG, "能用微波炉吗", "zh", "我不知道", "Yes"),
        (WATCH, "what's the dial shape?", "en", "dial shape: Round", "I don't know"),
        (WATCH, "第二个是什么表盘形状？", "zh", "表盘形状：Round", "不知道"),
        (WATCH, "is it water resistant?", "en", "water resistant: Yes", "I don't know"),
        (BAG, "第一个有几个隔层", "zh", "隔层数量：2", "不知道"),
    ],
)
def test_answers_say_the_value_or_admit_not_knowing(product: Product, question: str, language: str, says: str,
                                                    never: str) -> None:
    text, _known = answer(product, question, language, VOCAB, money=INR)
    assert says in text and never not in text


def test_chinese_labels() -> None:
    assert zh_label("dial shape") == "表盘形状"
    assert zh_label("material") == "材质"
    assert zh_label("some new key") == "some new key"


def test_how_much_it_holds_is_its_capacity_not_its_price() -> None:
    text, _known = answer(MUG, "how much does the first one hold?", "en", VOCAB, money=INR)
    assert "300 ml" in text and "₹" not in text

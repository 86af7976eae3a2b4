"""The shopper's need across turns: what a follow-up keeps, what a new product resets, what comes back."""

from __future__ import annotations

import pytest

from retrieval.filters import Vocabulary
from scene.need import Need, NeedReading, NeedUpdate, update_need
from scene.need_reading import is_product_request, read_need
from scene.slots import extract
from scene.state import DialogueState
from tests.shop_words import shop_products


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.from_products(shop_products())


def read(text: str, vocab: Vocabulary) -> NeedReading:
    slots = extract(text, vocab=vocab)
    return read_need(text, slots, vocab)


class Talk:
    """A dialogue state fed one message at a time, as the conversation does after each search."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.state = DialogueState()
        self.last: NeedUpdate | None = None

    def say(self, text: str, shown_prices: tuple[float, ...] = (500.0, 1000.0, 1500.0),
            fits: bool = True) -> Need:
        update = update_need(self.state.need, self.state.past_needs, read(text, self.vocab),
                             fits=lambda need, word: fits)
        ids = [f"{text[:8]}-{i}" for i in range(len(shown_prices))]
        self.state.apply_need(update, ids, list(shown_prices))
        self.last = update
        assert self.state.need is not None
        return self.state.need


def test_a_colour_follow_up_keeps_the_product_and_who_it_is_for(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("boots for my wife under 2000")
    for follow_up in ("in brown?", "any in brown", "brown ones?", "棕色的呢"):
        need = talk.say(follow_up)
        assert talk.last is not None and talk.last.change == "refine"
        assert need.filters.types == ["boot"] and need.filters.audiences == ["women"]
        assert need.filters.colours == ["brown"] and need.filters.max_price == 2000


def test_a_new_colour_replaces_the_old_one(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("a black dress")
    assert talk.say("in blue?").filters.colours == ["blue"]


def test_cheaper_keeps_everything_and_lowers_the_budget_below_what_was_shown(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("running shoes for men under 2000", shown_prices=(500, 600, 1000, 1900))
    need = talk.say("cheaper ones?", shown_prices=(300, 400))
    assert talk.last is not None and talk.last.exclude_shown and talk.last.relative_price == "cheaper"
    assert need.filters.types == ["runningshoe"] and need.filters.audiences == ["men"]
    assert need.filters.max_price is not None and need.filters.max_price < 800  # under the middle and the mean
    assert talk.say("再便宜点的").filters.max_price == pytest.approx(349.99)  # under what the last answer showed


def test_pricier_raises_the_floor(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("watches for men", shown_prices=(500, 700, 900))
    need = talk.say("something more expensive")
    assert need.filters.min_price is not None and need.filters.min_price > 700 and need.filters.types == ["watch"]


def test_a_new_product_resets_what_belonged_to_the_old_one(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("brown boots for women under 3000")
    need = talk.say("now some running shoes for men")
    assert talk.last is not None and talk.last.change == "switch"
    assert need.filters.types == ["runningshoe"] and need.filters.audiences == ["men"]
    assert need.filters.colours == [] and need.filters.max_price is None
    assert [n.filters.types for n in talk.state.past_needs] == [["boot"]]


def test_the_same_person_is_kept_for_another_product(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("boots for my wife under 2000")
    need = talk.say("and a necklace?")
    assert need.filters.types == ["necklace"] and need.filters.audiences == ["women"] and need.for_person
    assert need.filters.max_price is None  # the boots' budget is not the necklace's
    assert talk.say("给老公看看手表").filters.audiences == ["men"]  # another person named: theirs


def test_a_descriptive_audience_is_not_carried_to_another_product(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("womens boots")
    assert talk.say("coffee mugs").filters.audiences == []


def test_a_chinese_switch_to_another_product_and_person(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("给我老公买块手表")
    need = talk.say("再给女儿买条裙子")
    assert set(need.filters.types) == {"skirt", "dress"} and need.filters.audiences == ["girls"]


def test_back_to_an_earlier_product_restores_its_need(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("boots for women under 3000", shown_prices=(999, 1899, 2650))
    talk.say("also show me necklaces", shown_prices=(349, 990))
    need = talk.say("back to the boots - cheaper ones?")
    assert talk.last is not None and talk.last.change == "restore"
    assert need.filters.types == ["boot"] and need.filters.audiences == ["women"]
    assert need.filters.max_price is not None and need.filters.max_price < 1899  # cheaper than the boots shown
    assert [n.filters.types for n in talk.state.past_needs] == [["necklace"]]


def test_back_without_naming_it_restores_the_previous_need(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("连衣裙")
    talk.say("换成戒指")
    assert talk.say("回到刚才的").filters.types == ["dress"]


def test_brand_restrictions(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("watches for men")
    need = talk.say("just skmei pls")
    assert need.filters.brands == ["skmei"] and need.filters.types == ["watch"]
    assert talk.say("only titan").filters.brands == ["titan"]
    assert talk.say("or skmei too").filters.brands == ["skmei", "titan"]
    assert talk.say("only timex").filters.brands == ["timex"]  # a brand the store lacks: relaxed later, with a note


def test_words_that_describe_the_product_refine_others_start_over(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("watches for men")
    need = talk.say("anything leather?", fits=True)
    assert need.filters.types == ["watch"] and "leather" in need.wishes
    talk2 = Talk(vocab)
    talk2.say("watches for men")
    need = talk2.say("something for camping", fits=False)
    assert talk2.last is not None and talk2.last.change == "switch" and need.filters.types == []


def test_show_more_excludes_everything_seen_for_this_need(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    talk.say("mugs", shown_prices=(1, 2))
    talk.say("show me more", shown_prices=(3, 4))
    assert talk.state.need is not None and len(talk.state.need.seen_ids) == 4
    assert talk.say("more options").filters.types == ["mug"]


@pytest.mark.parametrize(
    "text",
    ["戒指", "项链", "女士靴子", "watch for my husband under 1500", "i want to get my son a watch", "handbags",
     "looking for a coffee mug, it's a gift for my dad", "do you have boots for women?", "那帮我找双女靴",
     "给我老公买块手表", "any running shoes under 1000?", "a wrist wacth for my dad"],
)
def test_plain_product_requests(text: str, vocab: Vocabulary) -> None:
    assert is_product_request(extract_with_need(text, vocab)), text


@pytest.mark.parametrize(
    "text",
    ["do watches come with a warranty?", "is the sweater 100% wool?", "手表保修多久",
     "the shoes are too small, can i exchange for another size", "is the first watch waterproof?",
     "how long do boots take to arrive", "这双靴子是真皮的吗", "what's the weather like", "tell me a joke"],
)
def test_questions_and_other_business_are_not_product_requests(text: str, vocab: Vocabulary) -> None:
    assert not is_product_request(extract_with_need(text, vocab)), text


def extract_with_need(text: str, vocab: Vocabulary):  # type: ignore[no-untyped-def]
    slots = extract(text, shown=["a", "b", "c"], vocab=vocab)
    slots.need = read_need(text, slots, vocab)
    return slots


def test_the_product_noun_the_catalog_has_no_type_for_is_a_mention(vocab: Vocabulary) -> None:
    reading = read("a watch box", vocab)
    assert reading.types == [] and reading.filters.mentions == ["box"]
    assert read("mobile cover for samsung", vocab).filters.mentions  # the noun, "cover", is not a type here


def test_need_summary_for_people(vocab: Vocabulary) -> None:
    talk = Talk(vocab)
    need = talk.say("brown boots for my wife under 2000")
    assert need.summary() == "boots · for women (a person) · under 2,000 · brown"
    assert DialogueState.model_validate(talk.state.model_dump()).need == need  # stored with the conversation

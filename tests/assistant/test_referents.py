"""Reference resolution over fixed referent sets: utterances (EN and ZH) -> the products they mean.

Shown list (card order): s1 Puma ₹1,999 (50% off, 4.3) · s2 Adidas ₹2,499 (17% off, 4.5) · s3 Nike ₹3,499
(no discount, 4.1) · s4 Bata ₹799 (20% off, 3.9) · s5 Sparx ₹999 (23% off, 4.0, out of stock).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assistant.conversation.referents import Purpose, resolve
from assistant.conversation.skills.base import Services, TurnContext, detect_language
from assistant.testing import demo_products, make_services
from scene.detector import SceneResult
from scene.state import DialogueState

SHOWN = ["s1", "s2", "s3", "s4", "s5"]


@pytest.fixture(scope="module")
def services() -> Services:
    return make_services(demo_products(), with_profiles=False)


def context(services: Services, message: str, *, compared: Sequence[str] = (), focus: Sequence[str] = (),
            cart: Sequence[str] = (), on_screen: str = "products", user: str = "u-ref") -> TurnContext:
    services.store.carts.clear(user)
    for pid in cart:
        services.store.carts.add(user, pid, 1)
    state = DialogueState(last_shown=list(SHOWN))
    if compared:
        state.refs.show_comparison(compared)
    if focus:
        state.refs.focus_on(focus)
    if on_screen == "cart":
        state.refs.show_cart(cart)
    state.refs.end_turn()
    result = SceneResult(text=message, scene="cart", confidence=1.0)
    return TurnContext(message=message, result=result, state=state, memory={}, user_id=user,
                       conversation_id="c-ref", language=detect_language(message))


def ids(services: Services, message: str, purpose: Purpose = "add", **sets: object) -> list[str] | str:
    res = resolve(context(services, message, **sets), services, purpose)  # type: ignore[arg-type]
    return [p.id for p in res.products] if res.ok else res.status


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("add the 2nd one", ["s2"]),
        ("#3 please", ["s3"]),
        ("put number four in my cart", ["s4"]),
        ("add 1 and 3", ["s1", "s3"]),
        ("the last one", ["s5"]),
        ("第二个加入购物车", ["s2"]),
        ("第2款也要", ["s2"]),
        ("add the cheapest one", ["s4"]),
        ("i'll take the most expensive", ["s3"]),
        ("add the one with the biggest discount", ["s1"]),
        ("best rated one please", ["s2"]),
        ("最便宜的那个加入购物车", ["s4"]),
        ("评分最高的那双", ["s2"]),
        ("折扣最大的那件", ["s1"]),
        ("add the 7th", "unresolved"),
        ("add it", "ambiguous"),
        ("add the lightest", "no_fact"),
        ("add them all", SHOWN),
    ],
)
def test_references_over_the_shown_list(services: Services, message: str, expected: object) -> None:
    assert ids(services, message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("ok add the cheaper one", ["s1"]),
        ("the pricier one", ["s3"]),
        ("whichever is better rated", ["s1"]),
        ("便宜的那个加入购物车", ["s1"]),
        ("贵的那个", ["s3"]),
        ("i'll take both", ["s1", "s3"]),
        ("两个都要", ["s1", "s3"]),
        ("add the second one", ["s2"]),  # card numbers stay card numbers after a comparison
        ("add it", "ambiguous"),  # two products in focus: which one?
    ],
)
def test_references_after_comparing_1_and_3(services: Services, message: str, expected: object) -> None:
    assert ids(services, message, compared=["s1", "s3"]) == expected


@pytest.mark.parametrize(
    ("message", "focus", "expected"),
    [
        ("add it", ["s2"], ["s2"]),
        ("that one", ["s4"], ["s4"]),
        ("这个加入购物车", ["s4"], ["s4"]),
        ("the other one too", ["s1"], ["s3"]),
        ("另一个也要", ["s3"], ["s1"]),
    ],
)
def test_focus_and_the_other_one(services: Services, message: str, focus: list[str], expected: list[str]) -> None:
    assert ids(services, message, compared=["s1", "s3"], focus=focus) == expected


def test_a_question_about_it_with_nothing_in_focus_is_about_the_first_card(services: Services) -> None:
    assert ids(services, "is it waterproof?", "ask") == ["s1"]


@pytest.mark.parametrize(
    ("message", "cart", "on_screen", "expected"),
    [
        # looking at the cart: ordinals count cart lines
        ("remove the first one", ["w1", "s2"], "cart", ["w1"]),
        ("把第二个删掉", ["w1", "s2"], "cart", ["s2"]),
        ("remove the most expensive one", ["w1", "w2"], "cart", ["w2"]),
        ("make it 3", ["w1"], "cart", ["w1"]),
        # looking at products: card numbers, unless that card is not in the cart
        ("remove the first one", ["s2", "s1"], "products", ["s1"]),
        ("remove the second one", ["s1", "w1"], "products", ["w1"]),
        ("remove the cheapest one from my cart", ["w1", "w3"], "products", ["w3"]),
        ("remove the 3rd", ["s1"], "cart", "unresolved"),
    ],
)
def test_cart_lines(services: Services, message: str, cart: list[str], on_screen: str, expected: object) -> None:
    assert ids(services, message, "cart_line", cart=cart, on_screen=on_screen) == expected


def test_compare_defaults_to_the_first_two(services: Services) -> None:
    assert ids(services, "compare them", "compare", focus=["s2", "s4"]) == ["s2", "s4"]
    assert ids(services, "compare both", "compare") == ["s1", "s2"]


def test_a_comparative_picks_between_two_in_focus_a_superlative_from_the_list(services: Services) -> None:
    assert ids(services, "the cheaper one", focus=["s1", "s3"]) == ["s1"]
    assert ids(services, "add the cheapest one too", focus=["s1", "s3"]) == ["s4"]

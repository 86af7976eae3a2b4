from __future__ import annotations

import numpy as np
import pytest

from ranking.errors import RankingInputError
from ranking.events import EventType, parse_event_type
from ranking.profile import ProfileConfig, UserProfile, apply_event, price_band

DAY = 86400.0


def test_click_builds_affinities_and_dislike_pushes_down(products):
    cfg = ProfileConfig()
    prof = UserProfile("u")
    apply_event(prof, EventType.CLICK, products[0], 1000.0, cfg)
    assert prof.brands["acme"] > 0
    assert prof.categories["footwear"] > 0
    assert prof.attributes["colour=black"] > 0
    assert prof.price_bands[price_band(products[0].price)] > 0
    apply_event(prof, EventType.DISLIKE, products[5], 1001.0, cfg)  # also acme
    assert prof.brands["acme"] < 0.2
    prof2 = UserProfile("v")
    apply_event(prof2, EventType.DISLIKE, products[5], 1000.0, cfg)
    assert prof2.brands["acme"] < 0


def test_update_rule_decays_with_half_life(products):
    cfg = ProfileConfig(half_life_days=10, max_retain=0.99)
    prof = UserProfile("u")
    apply_event(prof, EventType.PURCHASE, products[0], 0.0, cfg)
    first = prof.brands["acme"]
    # Ten days later an event on another brand: P_t = a * P_{t-1} + (1 - a) * I_t with a = 0.5.
    apply_event(prof, EventType.PURCHASE, products[1], 10 * DAY, cfg)
    assert prof.brands["acme"] == pytest.approx(0.5 * first)
    assert prof.brands["bolt"] == pytest.approx(0.5 * 1.5)


def test_back_to_back_events_still_move_the_profile(products):
    cfg = ProfileConfig()
    prof = UserProfile("u")
    values = []
    for t in range(3):
        apply_event(prof, EventType.CLICK, products[0], 100.0 + t, cfg)
        values.append(prof.brands["acme"])
    assert values[0] < values[1] < values[2]


def test_out_of_order_event_never_rewinds_time(products):
    cfg = ProfileConfig()
    prof = UserProfile("u")
    apply_event(prof, EventType.CLICK, products[0], 100 * DAY, cfg)
    apply_event(prof, EventType.CLICK, products[1], 10 * DAY, cfg)  # 90 days older than the profile
    assert prof.updated_at == 100 * DAY
    assert 0 < prof.brands["bolt"] < prof.brands["acme"]
    assert all(v >= 0 for v in prof.brands.values())


def test_interest_vector_is_a_decayed_mean(products):
    cfg = ProfileConfig()
    prof = UserProfile("u")
    v = np.zeros(4, dtype=np.float32)
    v[0] = 1
    apply_event(prof, EventType.CLICK, products[0], 0.0, cfg, embedding=v)
    assert prof.interest is not None and prof.interest[0] > 0 and prof.interest[1] == 0


def test_event_type_parsing():
    assert parse_event_type("Add-To-Cart") is EventType.ADD_TO_CART
    with pytest.raises(RankingInputError, match="unknown event type"):
        parse_event_type("teleport")


def test_price_band_is_log_scale():
    assert price_band(0) == ""
    assert price_band(130) == price_band(250) != price_band(260)

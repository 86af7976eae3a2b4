"""`TurnTrace`: what a turn notes down for the owner's log as its skills run (one per `TurnContext`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.experiments.assign import Treatment

# Why a question went unanswered (the owner's "could not answer" list); "" = answered.
NO_RESULTS = "no_results"  # a search found nothing under the filters
OUT_OF_SCOPE = "out_of_scope"  # not something the store's assistant does
NO_POLICY = "support_no_policy"  # a support question no policy section matched
LISTING_SILENT = "listing_silent"  # the product's listing does not say ("the listing doesn't say")
UNANSWERED_KINDS = (NO_RESULTS, OUT_OF_SCOPE, NO_POLICY, LISTING_SILENT)


@dataclass
class TurnTrace:
    treatment: Treatment = field(default_factory=Treatment)
    unanswered: str = ""
    rank_query: str = ""  # the text the ranker ordered the cards for
    features: dict[str, bytes] = field(default_factory=dict)  # product id -> float32 relevance features
    first_card_ms: float | None = None

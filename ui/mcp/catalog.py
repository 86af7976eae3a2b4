"""The catalog tools' logic: search, one product, comparison and recommendations, as typed results.

Search is retrieval's hybrid search with its filter parser (the chat's own path); the structured
filters an agent passes are merged over the ones read from the words (the arguments win).
Comparison rows are the chat's comparison rows; recommendation reasons are the ranker's.
"""

from __future__ import annotations

from collections.abc import Sequence

from mcp.server.mcpserver.exceptions import ToolError

from assistant.conversation.skills import Services, TurnContext
from assistant.conversation.skills.compare import comparison_rows, verdict
from assistant.conversation.skills.recommend import popular_picks
from assistant.conversation.skills.safety import refusal
from assistant.conversation.skills.showing import rank_hits
from retrieval.catalog import Product
from retrieval.filters import QueryFilters, colour_families
from retrieval.hybrid import QueryError, clean_query
from scene.detector import SceneResult
from scene.slots import SceneSlots
from scene.state import DialogueState
from ui.mcp import untrusted
from ui.mcp.models import (
    ComparisonOut,
    ComparisonRow,
    FiltersOut,
    PickOut,
    ProductDetail,
    ProductSummary,
    RecommendOut,
    SearchOut,
)
from ui.mcp.money import money
from ui.mcp.sources import store_currency, variants_of

MAX_RESULTS = 20
ANONYMOUS = "mcp:anonymous"  # a caller without a cart identity: a cold profile, never written
INSTRUCTION_NOTE = ("The query contained an instruction; search_products only searches (it never changes a cart), "
                    "so it was searched as words.")


def summary(product: Product, currency: str) -> ProductSummary:
    """A product as agents see it; `currency` is the store's (a catalog may not name one per product)."""
    title_flagged = untrusted.addresses_agents(product.title)
    code = product.currency or currency
    return ProductSummary(
        id=product.id, title=product.title, brand=product.brand, category=product.category,
        price=money(product.price, code),
        list_price=money(product.list_price, code) if product.on_sale and product.list_price else None,
        discount_pct=product.discount_pct, availability="in_stock" if product.in_stock else "out_of_stock",
        rating=product.rating, rating_count=product.rating_count, url=product.url,
        image_url=product.image_urls[0] if product.image_urls else "", variants=variants_of(product),
        flags=[untrusted.FLAG] if title_flagged else [],
    )


def detail(product: Product, currency: str) -> ProductDetail:
    base = summary(product, currency)
    description, flagged = untrusted.clean(product.description)
    attributes: dict[str, str] = {}
    for key, value in product.attributes.items():
        attributes[key], hit = untrusted.clean(value)
        flagged = flagged or hit
    flags = base.flags if base.flags or not flagged else [untrusted.FLAG]
    return ProductDetail(**{**base.model_dump(), "flags": flags}, category_path=list(product.category_path),
                         description=description, attributes=attributes, image_urls=list(product.image_urls))


def require_product(services: Services, product_id: str) -> Product:
    product = services.product(product_id.strip())
    if product is None:
        raise ToolError(f"No product with id {product_id!r}; call search_products first and use an id it returns.")
    return product


def filters_out(filters: QueryFilters, currency: str) -> FiltersOut:
    return FiltersOut(min_price=filters.min_price, max_price=filters.max_price, currency=currency,
                      brands=list(filters.brands), categories=list(filters.categories), colours=list(filters.colours),
                      min_rating=filters.min_rating, on_sale=filters.on_sale, in_stock=filters.in_stock)


def explicit_filters(services: Services, *, min_price: float | None = None, max_price: float | None = None,
                     currency: str | None = None, brand: Sequence[str] = (), category: Sequence[str] = (),
                     colour: Sequence[str] = (), min_rating: float | None = None, on_sale: bool = False,
                     in_stock: bool = False) -> tuple[QueryFilters, list[str]]:
    """Structured arguments as `QueryFilters` in the catalog's own terms (brands and categories lower-cased,
    "shoes" mapped to the catalog's category, colour words to colour families, prices into the store currency),
    with a note for each value the catalog cannot filter on."""
    searcher = services.searcher
    vocab = searcher.index.vocabulary
    notes: list[str] = []
    store = store_currency(services)
    rate = _rate_to_store(searcher.fx_to_store, currency or store, store)
    if rate is None:
        notes.append(f"unknown currency {currency!r}; prices were read as {store}")
        rate = 1.0
    if min_price is not None and max_price is not None and min_price > max_price:
        min_price, max_price = max_price, min_price
    brands = sorted({b.strip().lower() for b in brand if b.strip()})
    if brands:
        known_brands = {p.brand.lower() for p in searcher.index.catalog if p.brand}
        notes += [f"no product of brand {b!r} in this catalog" for b in brands if b not in known_brands]
    categories: set[str] = set()
    for c in category:
        canon = vocab.category_synonyms.get(c.strip().lower())
        if canon is None:
            notes.append(f"no category {c!r} in this catalog; known: {', '.join(sorted(vocab.categories)[:12])}")
            canon = c.strip().lower()
        categories.add(canon)
    colours: set[str] = set()
    for c in colour:
        families = colour_families(c)
        if not families:
            notes.append(f"colour {c!r} is not one the catalog is filtered on; it was ignored")
        colours.update(families)
    filters = QueryFilters(
        min_price=round(min_price * rate, 2) if min_price is not None else None,
        max_price=round(max_price * rate, 2) if max_price is not None else None,
        price_currency=currency.upper() if currency else None, brands=brands, categories=sorted(categories),
        colours=sorted(colours), min_rating=min_rating, on_sale=on_sale, in_stock=in_stock)
    return filters, notes


def _rate_to_store(fx: dict[str, float], currency: str, store: str) -> float | None:
    """The factor from `currency` to the store currency: the store's configured rates (store-currency units
    per unit, as the filter parser reads them); None when the store has no rate for it."""
    code = currency.strip().upper()
    if code == store:
        return 1.0
    return fx.get(code)


def search(services: Services, query: str, explicit: QueryFilters, notes: list[str], limit: int = 10) -> SearchOut:
    try:
        text = clean_query(query)
    except QueryError as exc:
        raise ToolError(f"search_products needs a few words to search for ({exc}), e.g. 'running shoes'.") from exc
    currency = store_currency(services)
    searcher = services.searcher
    k = max(1, min(limit, MAX_RESULTS))
    parsed = searcher.parse(text)  # parsed once: the words' filters are reported apart from the arguments'
    words = parsed.filters.model_copy(deep=True)
    if parsed.residual:  # the searcher's own path, without parsing the text a second time
        response = searcher.search(parsed.residual, k=k, filters=parsed.filters.merged(explicit), parse=False)
    else:  # only filter words ("under 500 on sale"): the searcher browses the matches by popularity
        response = searcher.search(text, k=k, filters=explicit)
    if refusal(text, zh=False):
        notes = [INSTRUCTION_NOTE, *notes]
    money = services.config.money
    return SearchOut(query=text, matched_text=response.parsed.residual, filters=filters_out(response.filters, currency),
                     from_words=words.describe(money), from_arguments=explicit.describe(money),
                     products=[summary(p, currency) for p in in_stock_first([h.product for h in response.hits])],
                     notes=[*notes, *response.notes])


def in_stock_first(products: Sequence[Product]) -> list[Product]:
    """Out-of-stock products stay listed (shoppers ask about them) but after available ones, as in the chat."""
    return [p for p in products if p.in_stock] + [p for p in products if not p.in_stock]


def compare(services: Services, product_ids: Sequence[str]) -> ComparisonOut:
    ids = list(dict.fromkeys(pid.strip() for pid in product_ids if pid.strip()))
    if not 2 <= len(ids) <= 4:
        raise ToolError("compare_products takes 2 to 4 different product ids from search_products.")
    products = [require_product(services, pid) for pid in ids]
    rows = [ComparisonRow(attribute=name, values=[untrusted.clean(v)[0] for v in values])
            for name, values in comparison_rows(products, money=services.config.money)]
    return ComparisonOut(products=[summary(p, store_currency(services)) for p in products], rows=rows,
                         verdict=verdict(products, money=services.config.money))


def recommend(services: Services, need: str, explicit: QueryFilters, notes: list[str], user_id: str | None,
              limit: int = 5) -> RecommendOut:
    """Hybrid search for the need, ordered by the ranker for this shopper (their profile when known);
    popular in-stock picks when nothing matches."""
    try:
        text = clean_query(need)
    except QueryError as exc:
        raise ToolError("recommend needs the shopper's need in a few words, e.g. 'a gift for a runner'.") from exc
    k = max(1, min(limit, MAX_RESULTS))
    response = services.searcher.search(text, k=services.config.candidates, filters=explicit)
    ctx = _ranking_context(text, user_id)
    budget = (response.filters.min_price, response.filters.max_price)
    picks = rank_hits(ctx, services, response.parsed.residual or text, response.hits, k, budget)
    if not picks:
        notes = [*notes, "nothing matched the need and filters; these are popular in-stock picks"]
        picks = popular_picks(services, k, set())
    profile = services.profile(user_id) if user_id else None
    return RecommendOut(need=text, filters=filters_out(response.filters, store_currency(services)),
                        picks=[PickOut(product=summary(p.product, store_currency(services)), reasons=list(p.reasons))
                               for p in picks],
                        personalized=bool(profile is not None and not profile.is_cold and services.ranker),
                        notes=[*notes, *response.notes])


def _ranking_context(text: str, user_id: str | None) -> TurnContext:
    """The little of a chat turn the ranker reads: whose profile to use."""
    result = SceneResult(text=text, scene="recommend", confidence=1.0, slots=SceneSlots())
    return TurnContext(message=text, result=result, state=DialogueState(), memory={},
                       user_id=user_id or ANONYMOUS, conversation_id="")

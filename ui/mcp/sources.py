"""Where the MCP server reads the store's own facts: profile, policies, promotions, orders, variants.

Each is one thin function over the store's profile as the app loaded it (`AssistantConfig`: name,
currency, languages, the policies folder; `Services`: the coupons file, the order source, the policy
index), so the server says exactly what the store's own chat says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.conversation.skills import Services
from assistant.promotions import Cart, CartLine, PromoProfile, PromotionResult, eligible_promotions
from assistant.support.orders import Order
from assistant.support.policies import PolicySection, parse_policy
from retrieval.catalog import Product
from ui.mcp.models import PolicyDocumentRef, StoreProfileOut, Variant

ENDPOINTS = {"mcp": "/mcp", "llms_txt": "/llms.txt", "merchant_feed": "/feeds/google-merchant.xml",
             "api_docs": "/docs", "openapi": "/openapi.json", "http_api": "/v1", "widget": "/widget.js"}
AUTHENTICATION = {
    "site_key": "X-Site-Key: pk_... (publishable) or Authorization: Bearer sk_... (the store's servers)",
    "visitor_token": "from the start_session tool; the cart tools' visitor_token argument or X-Visitor-Token",
    "shopper_identity": "X-User-Id and X-User-Hash = hex(HMAC-SHA256(site hmac_secret, user id)), for order_status",
}
_SECTION_ID = re.compile(r"^\s*(?:§|section\s+|policy\s+)?(\d+\.\d+)\s*$", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]")


@dataclass(frozen=True)
class PolicyDocument:
    slug: str  # "01-orders"
    title: str  # "Orders"
    markdown: str
    sections: tuple[PolicySection, ...]

    @property
    def uri(self) -> str:
        return f"store://policies/{self.slug}"


def policy_documents(services: Services) -> tuple[PolicyDocument, ...]:
    """The store's policy files, one document each (the MCP resources); none when the profile names none."""
    folder = services.config.policies_dir
    return _documents(Path(folder)) if folder else ()


@lru_cache(maxsize=4)
def _documents(folder: Path) -> tuple[PolicyDocument, ...]:
    docs = []
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        sections = tuple(parse_policy(text))
        title = sections[0].document if sections else path.stem
        docs.append(PolicyDocument(path.stem, title, text, sections))
    return tuple(docs)


def document_of(services: Services, section: PolicySection) -> PolicyDocument | None:
    return next((d for d in policy_documents(services) if section in d.sections), None)


def find_policy(services: Services, topic: str, k: int = 3) -> list[PolicySection]:
    """Sections for a topic, best first: an exact section id ("1.3", "§3.1"), else the support index's
    search by meaning, else word overlap (when support is off)."""
    sections = [s for d in policy_documents(services) for s in d.sections]
    exact = _SECTION_ID.match(topic)
    if exact:
        return [s for s in sections if s.id == exact.group(1)][:1]
    if services.support is not None:
        try:
            return [h.section for h in services.support.index.search(topic, k=k)]
        except Exception:  # the policy index is a convenience: word overlap still answers
            pass
    words = set(_WORD.findall(topic.lower()))
    scored = [(len(words & set(_WORD.findall(f"{s.title} {s.title} {s.text}".lower()))), s) for s in sections]
    return [s for score, s in sorted(scored, key=lambda t: -t[0]) if score > 0][:k]


def store_name(services: Services) -> str:
    return services.config.store_name


def store_currency(services: Services) -> str:
    return services.config.currency


def offers(services: Services, lines: Sequence[tuple[Product, int]], user_id: str | None) -> PromotionResult:
    """The promotion engine's verdict for these items and this shopper, now (as the chat's promotion skill)."""
    profile = services.profile(user_id) if user_id else None
    cats = tuple(c for c, w in profile.top("categories", 3) if w > 0) if profile else ()
    brands = tuple(b for b, w in profile.top("brands", 2) if w > 0) if profile else ()
    store_user = user_id.split(":u:", 1)[1] if user_id and ":u:" in user_id else None
    orders = len(orders_of(services, store_user)) if store_user else 0
    cart = Cart([CartLine(p, q) for p, q in lines])
    return eligible_promotions(cart, PromoProfile(user_id or "", orders, cats, brands), services.catalog,
                               services.now(), services.coupons, money=services.config.money)


def orders_of(services: Services, store_user_id: str) -> list[Order]:
    """The shopper's orders, newest first. The demo order book keys orders by the store's own user id."""
    return services.orders.for_user(store_user_id) if services.orders is not None else []


def order_citation(services: Services) -> str:
    """The policy section that order status answers cite (what the chat's order flow cites; the policies'
    routing names it), or "" when the store's policies name none."""
    return services.citations.get("order_status", "").removeprefix("(Source: ").removesuffix(")")


def variants_of(product: Product) -> list[Variant]:
    """The product's variants; catalogs carry none yet (the importers add them)."""
    return []


def store_profile(services: Services) -> StoreProfileOut:
    """The store as agents see it (the `store://profile` resource and /llms.txt)."""
    docs = [PolicyDocumentRef(title=d.title, uri=d.uri, sections=[s.id for s in d.sections])
            for d in policy_documents(services)]
    return StoreProfileOut(name=store_name(services), currency=store_currency(services),
                           languages=list(services.config.languages),
                           policies=docs, endpoints=dict(ENDPOINTS), authentication=dict(AUTHENTICATION))

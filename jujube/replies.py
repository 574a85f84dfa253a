"""What the shop says: recommendations, outcomes and need records."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from jujube.knowledge import Knowledge, Product
from jujube.profile import Profile
from jujube.ranking import Scored


def product_line(kb: Knowledge, product: Product) -> str:
    """Name with price and unit, e.g. 'Green kiwi fruit, ¥28/kg'."""
    unit = f"/{product.unit}" if product.unit and product.unit != "each" else " each"
    return f"{product.name}, {kb.price(product.price)}{unit}"


def recommendation_text(kb: Knowledge, profile: Profile, picks: list[Scored], intro: Optional[str] = None) -> str:
    """One message proposing the picks, each with its price and a reason tied to the need."""
    if intro is None:
        wishes = [k for e, k in profile.prefers if e in ("taste", "texture")]
        if profile.kinds and not any(set(profile.kinds) & set(s.product.kinds) for s in picks):
            intro = f"You asked for {profile.stated_request or profile.kinds[0]}; for {profile.summary(kb)}, I'd suggest:"
        elif wishes or profile.situations or profile.recipient:
            intro = f"For {profile.summary(kb)}, I'd suggest:"
        else:
            intro = "Here's what I'd suggest:"
    lines = [intro]
    for i, s in enumerate(picks, 1):
        lines.append(f"{i}. {product_line(kb, s.product)}: {s.reason()}")
    if profile.quantity and picks and set(profile.kinds) & set(picks[0].product.kinds):
        lines.append(f"You asked for {profile.quantity.lower()}; I can put that aside for you.")
    lines.append("Would you like one of these? You can also ask for something cheaper or something else.")
    return "\n".join(lines)


def recommendation_buttons(count: int) -> list[dict[str, str]]:
    """Shortcuts under a recommendation: take one of them, something else, cheaper."""
    buttons = [{"title": f"Take #{i}", "payload": f"I'll take number {i}"} for i in range(1, count + 1)]
    return buttons + [{"title": "Something else", "payload": "/ask_other"},
                      {"title": "Cheaper", "payload": "/ask_cheaper"}]


def product_details(kb: Knowledge, product: Product) -> str:
    """Price and facts about one product."""
    facts = []
    if product.origin:
        facts.append(f"from {product.origin}")
    for tag in ("organic", "imported", "local", "premium", "gift-packaged", "sugar-free", "low-sugar",
                "lactose-free", "gluten-free", "vegan", "caffeine-free"):
        if tag in product.tags:
            facts.append(tag.replace("-", " "))
    if product.allergens:
        facts.append("contains " + ", ".join(product.allergens))
    detail = "; ".join(facts)
    return f"{product_line(kb, product)}. {product.reason}" + (f" ({detail})." if detail else "")


def need_record(
    kb: Knowledge,
    conversation_id: str,
    discovery_no: int,
    channel: str,
    profile: Profile,
    picks: list[Product],
    reasons: dict[str, str],
    outcome: str,
    unmet: bool,
    chosen_sku: Optional[str] = None,
    language: Optional[str] = None,
) -> dict[str, Any]:
    """The need record written to the needs log (the export contract's shape)."""
    return {
        "conversation_id": conversation_id,
        "discovery_no": discovery_no,
        "channel": channel,
        "language": language,
        "captured_at": datetime.now(timezone.utc).isoformat(),
        "stated_request": profile.stated_request or (profile.unknown_item or ""),
        "underlying_need": profile.summary(kb),
        "recipient": profile.recipient,
        "situation": profile.situation_text(),
        "occasion": profile.occasion,
        "needs": profile.dimensions(kb),
        "recommendations": [
            {"sku": p.sku, "name": p.name, "price": p.price, "reason": reasons.get(p.sku, p.reason)} for p in picks
        ],
        "chosen_sku": chosen_sku,
        "outcome": outcome,
        "unmet": unmet,
    }

"""What the shop says about products, and the need record it logs."""
from __future__ import annotations

from typing import Any, Optional

from jujube.knowledge import Knowledge, Product
from jujube.messages import Messages, get_messages
from jujube.profile import Profile
from jujube.ranking import Scored
from jujube.shop import Shop

INFO_TAGS = ("organic", "imported", "local", "premium", "gift-packaged", "sugar-free", "low-sugar", "lactose-free",
             "gluten-free", "vegan", "caffeine-free")
# Tags that tell two products apart when a shopper asks for the difference.
CONTRAST_TAGS = ("sweet", "sour", "tangy", "salty", "spicy", "mild", "rich", "crunchy", "crisp", "soft", "chewy",
                 "creamy", "juicy", "fresh") + INFO_TAGS


def product_line(kb: Knowledge, product: Product, msgs: Messages) -> str:
    """Name with price and unit, e.g. 'Green kiwi fruit, ¥28/kg'."""
    each = (kb.canonical or kb).by_sku[product.sku].unit in ("each", "")
    price = msgs.text("price_each", price=kb.price(product.price)) if each else \
        msgs.text("price_per", price=kb.price(product.price), unit=product.unit)
    return msgs.text("product_line", name=product.name, price=price)


def recommendation_lines(kb: Knowledge, picks: list[Scored], msgs: Messages) -> list[str]:
    """One numbered line per pick: name, price and a reason tied to the need."""
    return [msgs.text("pick_line", n=i, line=product_line(kb, s.product, msgs), reason=s.reason())
            for i, s in enumerate(picks, 1)]


def pick_buttons(msgs: Messages, count: int) -> list[dict[str, str]]:
    """Shortcuts under a recommendation: take one of them, something else, cheaper."""
    return [msgs.button("take", n=i) for i in range(1, count + 1)] + [msgs.button("other"), msgs.button("cheaper")]


def traits(product: Product, kb: Knowledge, msgs: Messages) -> list[str]:
    """Plain facts about a product: origin, notable tags, allergens."""
    out = [msgs.text("info_origin", origin=product.origin)] if product.origin else []
    out += [kb.tag_label(t) for t in INFO_TAGS if t in product.tags]
    if product.allergens:
        out.append(msgs.text("info_allergens", allergens=msgs.text("list_sep").join(
            kb.tag_label(a) for a in product.allergens)))
    return out


def product_details(kb: Knowledge, shop: Shop, product: Product, msgs: Messages) -> str:
    """Price, facts, allergens and storage of one product."""
    facts = traits(product, kb, msgs)
    if not product.allergens:
        facts.append(msgs.text("info_no_allergens"))
    reason = product.reason[:1].upper() + product.reason[1:]
    text = msgs.text("info_line", line=product_line(kb, product, msgs), reason=reason)
    text += msgs.text("info_facts", facts=msgs.text("detail_sep").join(facts)) if facts else msgs.text("full_stop")
    storage = shop.storage_note(product.section, kb.language)
    return text + (" " + msgs.text("info_storage", storage=storage) if storage else "")


def need_record(
    kb: Knowledge,
    conversation_id: str,
    discovery_id: str,
    channel: str,
    profile: Profile,
    picks: list[Product],
    reasons: dict[str, str],
    outcome: str,
    unmet: bool,
    chosen_sku: Optional[str] = None,
    language: Optional[str] = None,
    unmet_items: Optional[list[str]] = None,
    msgs: Optional[Messages] = None,
) -> dict[str, Any]:
    """The need record written to the needs log (the export contract's shape, without captured_at).

    The four dimensions and the products are kept in the shop's canonical words; the stated request and
    the underlying need in the shopper's language (`kb` and `msgs` are that language's)."""
    canon = kb.localized(None)
    stated = profile.stated_request or profile.unknown_item or (unmet_items[0] if unmet_items else "")
    return {
        "conversation_id": conversation_id,
        "discovery_id": discovery_id,
        "channel": channel,
        "language": language,
        "stated_request": stated,
        "underlying_need": profile.summary(kb, msgs or get_messages(language)),
        "recipient": profile.recipient,
        "situation": profile.situation_text(),
        "occasion": profile.occasion,
        "needs": profile.dimensions(canon),
        "recommendations": [
            {"sku": p.sku, "name": canon.by_sku[p.sku].name, "price": p.price, "reason": reasons.get(p.sku, p.reason)}
            for p in picks
        ],
        "chosen_sku": chosen_sku,
        "outcome": outcome,
        "unmet": unmet,
        "unmet_items": list(unmet_items or []),
    }


def difference(a: Product, b: Product, kb: Knowledge, msgs: Messages) -> str:
    """One sentence on what sets two products apart: price and the traits only one of them has."""
    only_a = [kb.tag_label(t) for t in CONTRAST_TAGS if t in a.tags and t not in b.tags][:2]
    only_b = [kb.tag_label(t) for t in CONTRAST_TAGS if t in b.tags and t not in a.tags][:2]
    cheaper, dearer = (a, b) if a.price <= b.price else (b, a)
    text = msgs.text("compare_price", cheaper=cheaper.name, dearer=dearer.name, low=kb.price(cheaper.price),
                     high=kb.price(dearer.price)) if a.price != b.price else msgs.text("compare_same_price")
    if only_a or only_b:
        text += " " + msgs.text("compare_traits", a=a.name, ta=msgs.text("and").join(only_a) or msgs.text("compare_plainer"),
                                b=b.name, tb=msgs.text("and").join(only_b) or msgs.text("compare_plainer"))
    return text

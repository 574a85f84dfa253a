"""Ranking the catalog against a need profile: exclusions first, then fit on each dimension, then budget."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

from jujube.knowledge import Concept, GiftTaboo, Knowledge, NeedItem, Product
from jujube.messages import Messages
from jujube.profile import Profile

# How much a matched need counts, by where it came from.
WEIGHTS = {"taste": 3.0, "texture": 3.0, "quality": 2.0, "situation": 3.0, "recipient": 1.0, "occasion": 1.5,
           "emotion": 1.5}
PARTIAL = 0.3  # share of a need's weight for a product carrying only its commonest tags
KIND_MATCH, SECTION_MATCH, HINT, MISSED_WISH, UNWANTED = 4.0, 2.0, 1.0, -3.0, -4.0
NAME_MATCH = 2.0
BUDGET_TOLERANCE = 1.15
RELATIVE_FLOOR = 0.5  # a pick must score at least this share of the best pick


@dataclass
class Scored:
    """A product with its score and the needs it serves."""

    product: Product
    score: float
    serves: list[str] = field(default_factory=list)

    def reason(self) -> str:
        """A short reason tied to the need."""
        fits = ", ".join(self.serves[:2])
        base = self.product.reason
        return f"{base} ({fits})" if fits and base else (base or fits)


def hard_exclusions(profile: Profile, kb: Knowledge) -> set[str]:
    """Tags no recommendation may carry: allergies, conditions, things the shopper ruled out."""
    tags: set[str] = set()
    for concept in profile.concepts(kb):
        tags |= concept.avoid_tags
    for kind in profile.excluded_kinds:
        tags.add(kind)
        tags.add(kind.rstrip("s"))
    return tags


def gift_taboos(profile: Profile, kb: Knowledge) -> list[GiftTaboo]:
    """The gift customs that hold for this purchase: none unless it is a present."""
    if not profile.is_gift(kb):
        return []
    recipient = kb.concept("recipient", profile.recipient) if profile.recipient else None
    who = {profile.recipient or "", recipient.group if recipient else ""}
    context = set(profile.emotions) | set(profile.situations) | ({profile.occasion} if profile.occasion else set())
    return [t for t in kb.taboos if any(t.holds_for(kb.customer_cultures, w, context) for w in who)]


def match_strength(product: Product, item: NeedItem, kb: Knowledge) -> float:
    """How fully a product serves one need: 0 when it carries none of the need's tags, 1 when it carries all.

    Tags count by how rare they are in the catalog: "calming" says more about sleep than "caffeine-free".
    """
    key = (product.sku, item)
    found = kb.memo.get(key)
    if found is None:
        matched = product.tags.intersection(item.prefer)
        total = sum(kb.tag_weight(t) for t in set(item.prefer))
        found = PARTIAL + (1 - PARTIAL) * sum(kb.tag_weight(t) for t in matched) / total if matched else 0.0
        kb.memo[key] = found
    return found


@dataclass
class _Plan:
    """What ranking needs from one profile, worked out once for all products."""

    kinds: frozenset[str]
    sections: set[str]
    items: list[tuple[float, Concept, NeedItem]]
    hints: list[tuple[str, ...]]
    explicit: set[tuple[str, str]]
    unwanted: list[set[str]]


def _plan(profile: Profile, kb: Knowledge, concepts: Optional[list[Concept]] = None) -> _Plan:
    concepts = profile.concepts(kb) if concepts is None else concepts
    unwanted = [c.prefer_tags for c in (kb.concept(e, k) for e, k in profile.avoids) if c]
    return _Plan(kinds=kb.kind_skus(tuple(profile.kinds)), sections=kb.covered(profile.sections),
                 items=[(WEIGHTS.get(c.entity, 1.0), c, item) for c in concepts for _, item in c.items() if item.prefer],
                 hints=[c.hints for c in concepts if c.hints], explicit=set(profile.prefers), unwanted=unwanted)


def score_product(product: Product, profile: Profile, kb: Knowledge,
                  concepts: Optional[list[Concept]] = None) -> Scored:
    """How well one product serves the profile (higher is better)."""
    return _score(product, profile, kb, _plan(profile, kb, concepts))


def _score(product: Product, profile: Profile, kb: Knowledge, plan: _Plan) -> Scored:
    scored = Scored(product, 0.0)
    if product.sku in plan.kinds:
        scored.score += KIND_MATCH
        if len(profile.stated_request) > 3 and profile.stated_request in product.name.lower():
            scored.score += NAME_MATCH  # "lactose-free milk" is that very product
    if product.section in plan.sections:
        scored.score += SECTION_MATCH
    for weight, concept, item in plan.items:
        strength = match_strength(product, item, kb)
        if strength:
            scored.score += weight * strength
            if item.text not in scored.serves:
                scored.serves.append(item.text)
        elif (concept.entity, concept.key) in plan.explicit and concept.entity in ("taste", "texture"):
            scored.score += MISSED_WISH
    for hints in plan.hints:
        if product.tags.intersection(hints):
            scored.score += HINT
    for tags in plan.unwanted:
        if product.tags & tags:
            scored.score += UNWANTED
    budget = profile.budget
    if budget is not None:
        if budget.sensitivity == "high":
            scored.score -= min(product.price / 100.0, 2.0)
        elif budget.sensitivity == "low" and "premium" in product.tags:
            scored.score += 0.5
    return scored


def _fits_budget(product: Product, profile: Profile, cheaper_than: Optional[float]) -> bool:
    if cheaper_than is not None and product.price >= cheaper_than:
        return False
    budget = profile.budget
    if budget is None:
        return True
    if budget.max is not None and product.price > budget.max * BUDGET_TOLERANCE:
        return False
    return True


def rank(
    profile: Profile,
    kb: Knowledge,
    exclude_skus: Iterable[str] = (),
    cheaper_than: Optional[float] = None,
    limit: int = 3,
) -> list[Scored]:
    """The best 0 to `limit` products for the profile; empty when nothing fits."""
    banned = hard_exclusions(profile, kb)
    skip = set(exclude_skus) | {sku for t in gift_taboos(profile, kb) for sku in kb.taboo_skus(t)} \
        | kb.kind_skus(tuple(profile.excluded_kinds))
    wishes: dict[str, set[str]] = {}  # per entity: a product must meet one taste wish and one texture wish
    for e, k in profile.prefers:
        concept = kb.concept(e, k) if e in ("taste", "texture") else None
        if concept and concept.prefer_tags:
            wishes.setdefault(e, set()).update(concept.prefer_tags)
    plan = _plan(profile, kb)
    candidates: list[Scored] = []  # what was asked for by name is weighed, not filtered, against a wish
    for product in kb.products:
        if product.sku in skip or product.tags & banned or not _fits_budget(product, profile, cheaper_than):
            continue
        if wishes and product.sku not in plan.kinds and not product.tags & set().union(*wishes.values()):
            continue  # an explicit wish must be met ("sweet or crunchy": either will do; both score higher)
        scored = _score(product, profile, kb, plan)
        relevant = scored.serves or scored.score >= SECTION_MATCH
        if relevant and scored.score > 0:
            candidates.append(scored)
    candidates.sort(key=lambda s: (-s.score, s.product.price, s.product.sku))
    if candidates:
        floor = candidates[0].score * RELATIVE_FLOOR
        candidates = [s for s in candidates if s.score >= floor]
    asked_for = {s.product.section for s in candidates if kb.is_kind(s.product, profile.kinds)}
    if asked_for:  # what was asked for is there: stay in its sections
        sections = asked_for | kb.covered(profile.sections)
        candidates = [s for s in candidates if s.product.section in sections]
    picked: list[Scored] = []
    seen_kinds: set[str] = set()
    for scored in candidates:
        first_kind = scored.product.kinds[0] if scored.product.kinds else scored.product.sku
        if first_kind in seen_kinds:
            continue
        seen_kinds.add(first_kind)
        picked.append(scored)
        if len(picked) == limit:
            break
    if len(picked) < limit:
        picked += [s for s in candidates if s not in picked][: limit - len(picked)]
    return picked


def popular(profile: Profile, kb: Knowledge, skus: Iterable[str], exclude_skus: Iterable[str] = (),
            limit: int = 3) -> list[Scored]:
    """The shop's best sellers that the known facts allow (budget, allergies, wishes), for a need not yet known."""
    banned = hard_exclusions(profile, kb)
    skip = set(exclude_skus) | {sku for t in gift_taboos(profile, kb) for sku in kb.taboo_skus(t)}
    out = []
    for sku in skus:
        product = kb.by_sku.get(sku)
        if product and sku not in skip and not product.tags & banned and _fits_budget(product, profile, None):
            out.append(Scored(product, 0.0))
    return out[:limit]


def why_not_requested(profile: Profile, kb: Knowledge, msgs: Messages) -> Optional[str]:
    """Why none of the requested kind can be offered, as a short clause; None when some can."""
    products = [p for k in profile.kinds for p in kb.products_of_kind(k)]
    if not products:
        return None
    if any(kb.is_kind(s.product, profile.kinds) for s in rank(profile, kb, limit=50)):
        return None
    kind = profile.stated_request or profile.kinds[0]
    if profile.is_gift(kb):
        for taboo in gift_taboos(profile, kb):
            if all(taboo.applies(p) for p in products):
                return taboo.reason
    for concept in profile.concepts(kb):
        if concept.avoid_tags and all(p.tags & concept.avoid_tags for p in products):
            return msgs.text("why_unsuited_many" if kind.endswith("s") else "why_unsuited_one", kind=kind,
                             need=concept.summary or kb.label(concept.key))
    for entity, key in profile.prefers:
        wish = kb.concept(entity, key)
        if entity in ("taste", "texture") and wish and all(not p.tags & wish.prefer_tags for p in products):
            return msgs.text("why_wish", wish=kb.label(key))
    if profile.budget and profile.budget.max is not None and all(
            p.price > profile.budget.max * BUDGET_TOLERANCE for p in products):
        return msgs.text("why_price", price=kb.price(profile.budget.max))
    return None

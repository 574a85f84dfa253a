"""Ranking the catalog against a need profile: exclusions first, then fit on each dimension, then budget."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

import numpy as np

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


def hard_exclusions(profile: Profile, kb: Knowledge, concepts: Optional[list[Concept]] = None) -> set[str]:
    """Tags no recommendation may carry: allergies, conditions, things the shopper ruled out."""
    tags: set[str] = set()
    for concept in profile.concepts(kb) if concepts is None else concepts:
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


class CatalogIndex:
    """The catalog as arrays, one entry per product, so one profile scores every product at once.

    Built once per knowledge view; the masks and need strengths it hands out are cached.
    """

    def __init__(self, kb: Knowledge) -> None:
        self.kb = kb
        self.products = kb.products
        self.skus = [p.sku for p in kb.products]
        self.position = {sku: i for i, sku in enumerate(self.skus)}
        self.price = np.array([p.price for p in kb.products], dtype=float)
        self.first_kind = [p.kinds[0] if p.kinds else p.sku for p in kb.products]
        self.sku_order = np.argsort(np.argsort(np.array(self.skus)))  # each product's place by sku
        self._cache: dict[Any, np.ndarray] = {}
        self._fits: dict[tuple[str, str, str, bool], _Fit] = {}

    def _cached(self, key: Any, make: Callable[[], np.ndarray]) -> np.ndarray:
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 8192:
                self._cache.clear()
            found = self._cache[key] = make()
        return found

    def with_tags(self, tags: Iterable[str]) -> np.ndarray:
        """True for the products carrying any of `tags`."""
        tags = frozenset(tags)
        return self._cached(("tags", tags), lambda: np.array([bool(p.tags & tags) for p in self.products]))

    def among(self, skus: Iterable[str]) -> np.ndarray:
        """True for the products whose sku is in `skus`."""
        skus = frozenset(skus)
        return self._cached(("skus", skus), lambda: np.array([p.sku in skus for p in self.products]))

    def in_sections(self, sections: Iterable[str]) -> np.ndarray:
        """True for the products in any of `sections`."""
        sections = frozenset(sections)
        return self._cached(("sections", sections), lambda: np.array([p.section in sections for p in self.products]))

    def strength(self, item: NeedItem) -> np.ndarray:
        """How fully each product serves one need: 0 when it carries none of the need's tags, 1 when it carries all.

        Tags count by how rare they are in the catalog: "calming" says more about sleep than "caffeine-free".
        """
        def served(matched: set[str], total: float) -> float:
            return PARTIAL + (1 - PARTIAL) * sum(self.kb.tag_weight(t) for t in matched) / total if matched else 0.0

        def make() -> np.ndarray:
            total = sum(self.kb.tag_weight(t) for t in set(item.prefer))
            return np.array([served(p.tags.intersection(item.prefer), total) for p in self.products])
        return self._cached(("strength", item.prefer), make)

    def fit(self, concept: Concept, explicit: bool) -> "_Fit":
        """How well each product serves one concept's needs (hints included); `explicit` for a stated wish."""
        key = ("fit", concept.entity, concept.key, explicit)
        found = self._fits.get(key)
        if found is None:
            score = np.zeros(len(self.products))
            serves_any = np.zeros(len(self.products), dtype=bool)
            items = []
            for _, item in concept.items():
                if item.prefer:
                    strength = self.strength(item)
                    items.append((item, strength))
                    score = score + WEIGHTS.get(concept.entity, 1.0) * strength
                    serves_any |= strength > 0
                    if explicit and concept.entity in ("taste", "texture"):
                        score = score + MISSED_WISH * (strength == 0)  # a stated wish it does not meet
            if concept.hints:
                score = score + HINT * self.with_tags(concept.hints)
            found = self._fits[key] = _Fit(score, serves_any, tuple(items))
        return found


@dataclass(frozen=True)
class _Fit:
    """One concept's contribution to every product's score."""

    score: np.ndarray
    serves_any: np.ndarray
    items: tuple[tuple[NeedItem, np.ndarray], ...]


def catalog_index(kb: Knowledge) -> CatalogIndex:
    """The catalog index of one knowledge view (built on first use)."""
    index = kb.memo.get(CatalogIndex)
    if index is None:
        index = kb.memo[CatalogIndex] = CatalogIndex(kb)
    return index


@dataclass
class _Plan:
    """Every product's score against one profile, and what ranking needs to say why."""

    score: np.ndarray
    serves_any: np.ndarray
    items: list[tuple[NeedItem, np.ndarray]]

    def serves(self, i: int) -> list[str]:
        """The needs product `i` serves, in the profile's order."""
        out: list[str] = []
        for item, strength in self.items:
            if strength[i] and item.text not in out:
                out.append(item.text)
        return out


def _plan(profile: Profile, kb: Knowledge, index: CatalogIndex, concepts: list[Concept]) -> _Plan:
    """Score every product: kind, section, fit on each need, hints, unwanted traits, then price sensitivity."""
    kinds = kb.kind_skus(tuple(profile.kinds))
    score = KIND_MATCH * index.among(kinds)
    if len(profile.stated_request) > 3:  # "lactose-free milk" is that very product
        score = score + NAME_MATCH * index.among(
            sku for sku in kinds if profile.stated_request in kb.by_sku[sku].name.lower())
    score = score + SECTION_MATCH * index.in_sections(kb.covered(profile.sections))
    explicit = set(profile.prefers)
    items: list[tuple[NeedItem, np.ndarray]] = []
    serves_any = np.zeros(len(index.products), dtype=bool)
    for concept in concepts:
        fit = index.fit(concept, (concept.entity, concept.key) in explicit)
        score = score + fit.score
        serves_any |= fit.serves_any
        items += fit.items
    for entity, key in profile.avoids:
        unwanted = kb.concept(entity, key)
        if unwanted:
            score = score + UNWANTED * index.with_tags(unwanted.prefer_tags)
    budget = profile.budget
    if budget is not None and budget.sensitivity == "high":
        score = score - np.minimum(index.price / 100.0, 2.0)
    elif budget is not None and budget.sensitivity == "low":
        score = score + 0.5 * index.with_tags(("premium",))
    return _Plan(score, serves_any, items)


def score_products(products: Iterable[Product], profile: Profile, kb: Knowledge) -> list[Scored]:
    """How well each product serves the profile (higher is better), the profile worked out once."""
    index = catalog_index(kb)
    plan = _plan(profile, kb, index, profile.concepts(kb))
    out = []
    for product in products:
        i = index.position[product.sku]
        out.append(Scored(product, float(plan.score[i]), plan.serves(i)))
    return out


def _price_cap(profile: Profile) -> Optional[float]:
    """The highest price the budget allows (with some tolerance), if it says one."""
    return profile.budget.max * BUDGET_TOLERANCE if profile.budget and profile.budget.max is not None else None


def _skipped(profile: Profile, kb: Knowledge, exclude_skus: Iterable[str]) -> set[str]:
    """The skus left out: those excluded by the caller and those that are unlucky gifts for the recipient."""
    return set(exclude_skus) | {sku for t in gift_taboos(profile, kb) for sku in kb.taboo_skus(t)}


def _allowed(profile: Profile, index: CatalogIndex, cheaper_than: Optional[float]) -> np.ndarray:
    """The products within the budget (with some tolerance) and below `cheaper_than`."""
    ok = np.ones(len(index.products), dtype=bool)
    if cheaper_than is not None:
        ok &= index.price < cheaper_than
    cap = _price_cap(profile)
    if cap is not None:
        ok &= index.price <= cap
    return ok


def rank(
    profile: Profile,
    kb: Knowledge,
    exclude_skus: Iterable[str] = (),
    cheaper_than: Optional[float] = None,
    limit: int = 3,
) -> list[Scored]:
    """The best 0 to `limit` products for the profile; empty when nothing fits."""
    index = catalog_index(kb)
    concepts = profile.concepts(kb)
    skip = _skipped(profile, kb, exclude_skus) | kb.kind_skus(tuple(profile.excluded_kinds))
    ok = _allowed(profile, index, cheaper_than) & ~index.with_tags(hard_exclusions(profile, kb, concepts))
    if skip:
        ok &= ~index.among(skip)
    wished: set[str] = set()  # the tags of every taste and texture wish
    for e, k in profile.prefers:
        concept = kb.concept(e, k) if e in ("taste", "texture") else None
        if concept:
            wished |= concept.prefer_tags
    kinds = kb.kind_skus(tuple(profile.kinds))
    if wished:  # a wish must be met ("sweet or crunchy": either will do, both score higher), but by the kind asked for
        ok &= index.with_tags(wished) | index.among(kinds)
    plan = _plan(profile, kb, index, concepts)
    score = np.round(plan.score, 9)  # equal fits tie exactly, whatever order their parts were added in
    found = np.flatnonzero(ok & (plan.serves_any | (score >= SECTION_MATCH)) & (score > 0))
    if not len(found):
        return []
    found = found[np.lexsort((index.sku_order[found], index.price[found], -score[found]))]  # best first
    order = found[score[found] >= score[found[0]] * RELATIVE_FLOOR].tolist()
    asked_for = {index.products[i].section for i in order if index.skus[i] in kinds}
    if asked_for:  # what was asked for is there: stay in its sections
        sections = asked_for | kb.covered(profile.sections)
        order = [i for i in order if index.products[i].section in sections]
    picked: list[int] = []
    seen_kinds: set[str] = set()
    for i in order:
        if index.first_kind[i] in seen_kinds:
            continue
        seen_kinds.add(index.first_kind[i])
        picked.append(i)
        if len(picked) == limit:
            break
    if len(picked) < limit:
        picked += [i for i in order if i not in picked][: limit - len(picked)]
    return [Scored(index.products[i], float(score[i]), plan.serves(i)) for i in picked]


def popular(profile: Profile, kb: Knowledge, skus: Iterable[str], exclude_skus: Iterable[str] = (),
            limit: int = 3) -> list[Scored]:
    """The shop's best sellers that the known facts allow (budget, allergies, wishes), for a need not yet known."""
    banned = hard_exclusions(profile, kb)
    skip = _skipped(profile, kb, exclude_skus)
    most = _price_cap(profile)
    out = []
    for sku in skus:
        product = kb.by_sku.get(sku)
        if product and sku not in skip and not product.tags & banned and (most is None or product.price <= most):
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

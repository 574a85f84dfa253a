"""Ranking the catalog against a profile."""
from __future__ import annotations

from jujube.budget import Budget
from jujube.facts import extract_facts
from jujube.profile import Profile
from jujube.ranking import rank


def profile_of(kb, matcher, *texts: str) -> Profile:
    p = Profile()
    for t in texts:
        p.apply(extract_facts(t, matcher.extract(t), kb))
    return p


def skus(picks) -> list[str]:
    return [s.product.sku for s in picks]


def test_sour_for_pregnancy_beats_the_literal_dates(kb, matcher) -> None:
    p = profile_of(kb, matcher, "do you have dates?", "for my daughter-in-law, she's pregnant",
                   "not the sweet ones, something sour")
    picks = rank(p, kb)
    assert picks and "FR-DATE-MED" not in skus(picks)
    assert set(skus(picks)) <= {"FR-KIWI-GRN", "FR-JUJ-SOUR"}
    assert any("pregnancy" in s.reason() or "sour" in s.reason() for s in picks)


def test_diabetes_excludes_sugar(kb, matcher) -> None:
    p = profile_of(kb, matcher, "some snacks for my dad", "he has diabetes", "he likes crunchy things")
    picks = rank(p, kb)
    assert picks
    assert all(s.product.sugar not in ("high",) and "added-sugar" not in s.product.tags for s in picks)
    assert skus(picks)[0] == "SN-SF-BISCUIT"


def test_allergy_is_a_hard_exclusion(kb, matcher) -> None:
    p = profile_of(kb, matcher, "snacks for my dad, he has diabetes and a nut allergy, crunchy please")
    assert "NT-WALNUT" not in skus(rank(p, kb))


def test_budget_and_cheaper(kb, matcher) -> None:
    p = profile_of(kb, matcher, "a present for my boss", "premium please")
    assert "TE-LONGJING" in skus(rank(p, kb))
    p.budget = Budget(max=200)
    assert all(s.product.price <= 230 for s in rank(p, kb))
    cheaper = rank(p, kb, cheaper_than=150)
    assert all(s.product.price < 150 for s in cheaper)


def test_nothing_fits_returns_empty(kb, matcher) -> None:
    p = profile_of(kb, matcher, "something sour and crunchy for my diabetic dad")
    p.budget = Budget(max=5)
    assert rank(p, kb) == []


def test_soft_fruit_for_elderly_mother(kb, matcher) -> None:
    p = profile_of(kb, matcher, "some fruit for my mum", "She's 86 and has trouble chewing.",
                   "she likes sweet things but it has to be soft")
    picks = rank(p, kb)
    assert skus(picks)[0] == "FR-BANANA"
    assert all("soft" in s.product.tags for s in picks)

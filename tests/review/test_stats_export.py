"""Statistics, exports and the synthetic seeder."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.models import Conversation, Message, Need
from jujube.db.needs import iter_needs, save_need
from jujube.db.session import get_sessionmaker
from jujube.review import ReviewError
from jujube.review.export import CSV_COLUMNS, csv_row, iter_csv, write_csv, write_jsonl
from jujube.review.filters import NeedFilter
from jujube.review.queries import iter_records
from jujube.review.seed import generate, seed_needs
from jujube.review.stats import compute_stats

from .data import CONTACT_ID, NOW, XSS


@pytest.fixture(scope="module")
def records(seeded: sessionmaker[Session]) -> list[dict[str, Any]]:
    """Every stored need through the core's export query (the oracle)."""
    return list(iter_needs(seeded))


def test_stats_match_the_records(seeded, records) -> None:
    stats = compute_stats(seeded, top=5, reveal=True)
    outcomes = Counter(r["outcome"] for r in records)
    assert stats.total == len(records)
    assert stats.by_outcome == {o: outcomes.get(o, 0) for o in ("pending", "accepted", "declined", "no_match", "abandoned")}
    assert stats.unmet == sum(r["unmet"] for r in records)
    assert stats.acceptance_rate == pytest.approx(outcomes["accepted"] / (outcomes["accepted"] + outcomes["declined"]))
    assert stats.with_recommendations == sum(bool(r["recommendations"]) for r in records)
    assert sum(n for _, n in stats.per_day) == len(records)
    assert stats.by_channel == dict(Counter(r["channel"] for r in records))
    for dim in ("functional", "formal", "emotional"):
        assert stats.dimensions[dim]["items"] == sum(len(r["needs"].get(dim) or []) for r in records)
        assert stats.dimensions[dim]["needs"] == sum(bool(r["needs"].get(dim)) for r in records)
    assert stats.dimensions["price"]["needs"] == sum(bool((r["needs"].get("price") or {}).get("max")) for r in records)
    assert sum(stats.dimension_shares().values()) == pytest.approx(1.0)

    pairs = Counter((r["stated_request"], r["underlying_need"]) for r in records)
    assert [(s, u, n) for s, u, n in stats.top_pairs] == [
        (s, u, n) for (s, u), n in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    ]
    assert stats.top_pairs[0][:2] == ("dates", "something sour for a pregnant daughter-in-law's cravings")
    needs = Counter(r["underlying_need"] for r in records)
    assert stats.top_needs[0] == needs.most_common(1)[0]
    unmet = Counter(r["stated_request"].lower() for r in records if r["unmet"])
    assert [n for _, n in stats.top_unmet] == sorted(unmet.values(), reverse=True)[:5]
    assert stats.top_unmet[0][0].lower() == unmet.most_common(1)[0][0]


def test_stats_respect_filters_and_mask(seeded) -> None:
    unmet = compute_stats(seeded, NeedFilter(unmet=True))
    assert unmet.total == unmet.unmet > 0
    only = compute_stats(seeded, NeedFilter(conversation=CONTACT_ID))
    assert only.total == 1 and only.top_unmet == [("durian", 1)]
    assert "8000" not in only.top_needs[0][0]
    assert "138 0013 8000" in compute_stats(seeded, NeedFilter(conversation=CONTACT_ID), reveal=True).top_needs[0][0]
    nothing = compute_stats(seeded, NeedFilter(keyword="no such thing at all"))
    assert nothing.total == 0 and nothing.acceptance_rate is None and nothing.top_pairs == []


def test_jsonl_is_the_contract_format_and_masks_contacts(seeded, records) -> None:
    out = io.StringIO()
    n = write_jsonl(iter_records(seeded, NeedFilter()), out)
    lines = out.getvalue().splitlines()
    assert n == len(lines) == len(records)
    parsed = [json.loads(line) for line in lines]
    required = {"conversation_id", "channel", "captured_at", "stated_request", "underlying_need", "recipient",
                "situation", "needs", "recommendations", "outcome", "unmet"}
    assert all(required <= set(p) for p in parsed)
    # Without contact details the lines are byte for byte what the core's export query gives.
    plain = [json.dumps(r, ensure_ascii=False) for r in records]
    contact_lines = [i for i, r in enumerate(records) if r["conversation_id"] == CONTACT_ID]
    assert [line for i, line in enumerate(lines) if i not in contact_lines] == [
        line for i, line in enumerate(plain) if i not in contact_lines]
    assert "8000" not in lines[contact_lines[0]] and "li.wei@example.com" not in lines[contact_lines[0]]
    assert "红枣" in out.getvalue() and XSS in out.getvalue()


def test_jsonl_round_trip_through_save_need(seeded, records, empty_url) -> None:
    recent = NeedFilter(since="2026-11-15")
    out = io.StringIO()
    write_jsonl(iter_records(seeded, recent, reveal=True), out)
    target = get_sessionmaker(empty_url)
    for line in out.getvalue().splitlines():
        save_need(target, json.loads(line))
    again = list(iter_needs(target))

    def strip(r: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in r.items() if k not in ("id", "updated_at")}

    expected = [strip(r) for r in records if r["captured_at"] >= "2026-11-15"]
    assert 50 < len(expected) < len(records)
    assert {r["conversation_id"] for r in expected} >= {"tg:1001", CONTACT_ID, "tg:2002"}
    assert [strip(r) for r in again] == expected


def test_csv_has_one_row_per_need_and_guards_formulas(seeded, records) -> None:
    text = "".join(iter_csv(iter_records(seeded, NeedFilter()), rows_per_chunk=7))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [int(r["id"]) for r in rows] == [r["id"] for r in records]
    jujube = next(r for r in rows if r["conversation_id"] == "tg:1001")
    assert jujube["functional"] == "sour taste; safe during pregnancy"
    assert jujube["recommendations"].startswith("Sour jujubes (FR-JUJ-SOUR, 35.0); Green kiwi fruit")
    assert jujube["unmet"] == "false" and jujube["price_max"] == "50"
    contact = next(r for r in rows if r["conversation_id"] == CONTACT_ID)
    assert "8000" not in contact["underlying_need"]
    assert csv_row({"stated_request": "=HYPERLINK(\"x\")", "needs": {}})[CSV_COLUMNS.index("stated_request")] == \
        "'=HYPERLINK(\"x\")"
    buf = io.StringIO()
    assert write_csv(records[:3], buf) == 3
    assert buf.getvalue().count("\r\n") == 4


def test_seeder_is_deterministic_and_appends(empty_url) -> None:
    one = [c.records for c in generate(50, seed=3, now=NOW)]
    two = [c.records for c in generate(50, seed=3, now=NOW)]
    assert one == two and sum(len(r) for r in one) == 50
    factory = get_sessionmaker(empty_url)
    assert seed_needs(factory, 120, seed=3, now=NOW) == 120
    assert seed_needs(factory, 30, seed=3, now=NOW) == 30
    with factory() as session:
        assert session.scalar(select(func.count(Need.id))) == 150
        convs = session.scalar(select(func.count(Conversation.id)))
        assert 120 <= convs < 150
        assert session.scalar(select(func.count(Message.id))) >= 150 * 5
        typed = session.scalars(select(Message.text).where(Message.role == "user")).all()
    assert any("@example.com" in t or "+86" in t for t in typed)
    with pytest.raises(ReviewError, match="count must be at least 1"):
        seed_needs(factory, 0)


@pytest.mark.parametrize("params", [
    {}, {"since": "2026-11-05"}, {"channel": "telegram,web", "until": "2026-11-12"},
    {"since": "2026-11-01T12:00:00Z", "until": "2026-11-15T00:00:00Z", "channel": "rest"},
])
def test_dimension_sizes_come_from_the_expression_index(seeded, records, params) -> None:
    from datetime import datetime, timezone

    from jujube.review.stats import sqlite_sizes_sql

    flt = NeedFilter.from_mapping(params)
    with seeded() as session:
        sql, args = sqlite_sizes_sql(flt, session.get_bind().dialect)
        plan = " ".join(str(r[-1]) for r in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql, args))
    assert "ix_needs_dimension_sizes" in plan
    start, end = flt.start, flt.end

    def keep(r: dict[str, Any]) -> bool:
        when = datetime.fromisoformat(r["captured_at"].replace("Z", "+00:00")).astimezone(timezone.utc)
        return ((start is None or when >= start) and (end is None or when < end)
                and (not flt.channels or r["channel"] in flt.channels))

    chosen = [r for r in records if keep(r)]
    stats = compute_stats(seeded, flt)
    assert stats.total == len(chosen)
    for dim in ("functional", "formal", "emotional"):
        assert stats.dimensions[dim]["items"] == sum(len(r["needs"].get(dim) or []) for r in chosen)
        assert stats.dimensions[dim]["needs"] == sum(bool(r["needs"].get(dim)) for r in chosen)
    assert stats.with_recommendations == sum(bool(r["recommendations"]) for r in chosen)
    assert sqlite_sizes_sql(NeedFilter(keyword="x"), None) is None

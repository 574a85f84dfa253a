"""The query layer on PostgreSQL: a server the tests start themselves (or JUJUBE_TEST_POSTGRES_URL's)."""
from __future__ import annotations

import contextlib
import os
import uuid
from collections import Counter
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jujube.db.migrate import upgrade
from jujube.db.needs import iter_needs
from jujube.db.pgserver import PgServer
from jujube.db.session import get_sessionmaker
from jujube.review.filters import NeedFilter
from jujube.review.queries import count_needs, data_version, get_need, iter_records, list_needs
from jujube.review.seed import seed_needs
from jujube.review.stats import compute_stats

from .data import CONTACT, CONTACT_LINES, JUJUBE, JUJUBE_LINES, NOW, UNICODE, add_need



@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """URL of a PostgreSQL server where the tests may create databases."""
    given = os.environ.get("JUJUBE_TEST_POSTGRES_URL", "")
    if given:
        yield given
        return
    pg = PgServer()
    pg.start()
    try:
        yield pg.url()
    finally:
        pg.destroy()


@contextlib.contextmanager
def scratch_database(server: str, prefix: str) -> Iterator[str]:
    """The URL of a new, migrated database on the server; dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def pg(server: str) -> Iterator:
    """A scratch database on the server, migrated and seeded."""
    with scratch_database(server, "jujube_review") as url:
        factory = get_sessionmaker(url)
        seed_needs(factory, 300, seed=11, days=30, now=NOW)
        for record, lines in ((JUJUBE, JUJUBE_LINES), (CONTACT, CONTACT_LINES), (UNICODE, [("user", "有红枣吗？")])):
            add_need(factory, record, lines)
        yield factory
        factory.kw["bind"].dispose()


@pytest.mark.parametrize("params", [
    {"since": "2026-11-10"}, {"until": "2026-11-05"}, {"dimension": "formal"}, {"dimension": "price"},
    {"dimension": "functional=SOUR"}, {"keyword": "Pregnant"}, {"keyword": "补血"}, {"recipient": "mother"},
    {"unmet": True, "channel": "telegram,rest", "outcome": "no_match,abandoned"},
    {"language": "zh"}, {"language": "en,unknown", "unmet": True},
])
def test_filters_agree_with_the_records(pg, params) -> None:
    records = list(iter_needs(pg))
    got = {r["id"] for r in iter_records(pg, NeedFilter.from_mapping(params), reveal=True)}
    sqlite_like = {r["id"] for r in records if _keep(r, params)}
    assert got == sqlite_like and count_needs(pg, NeedFilter.from_mapping(params)) == len(got)


def _keep(r: dict, params: dict) -> bool:
    if "since" in params:
        return r["captured_at"] >= "2026-11-10"
    if "until" in params:
        return r["captured_at"] < "2026-11-06"
    if params.get("dimension") == "formal":
        return bool(r["needs"].get("formal"))
    if params.get("dimension") == "price":
        price = r["needs"].get("price") or {}
        return any(price.get(k) not in (None, "") for k in ("max", "sensitivity", "note"))
    if params.get("dimension") == "functional=SOUR":
        return "sour" in " ".join(r["needs"].get("functional") or []).lower()
    if params.get("keyword") == "Pregnant":
        return "pregnant" in (" ".join(str(r.get(k) or "") for k in ("stated_request", "underlying_need", "recipient",
                                                                    "situation", "occasion")) + str(r["needs"])).lower()
    if params.get("keyword") == "补血":
        return "补血" in str(r["needs"]) or "补血" in r["underlying_need"]
    if "recipient" in params:
        return "mother" in (r["recipient"] or "").lower()
    if params.get("language") == "zh":
        return r["language"] == "zh"
    if "language" in params:
        return r["unmet"] and r["language"] in ("en", None)
    return r["unmet"] and r["channel"] in ("telegram", "rest") and r["outcome"] in ("no_match", "abandoned")


def test_stats_and_pages(pg) -> None:
    records = list(iter_needs(pg))
    stats = compute_stats(pg, top=3)
    assert stats.total == len(records)
    assert stats.by_outcome["accepted"] == sum(r["outcome"] == "accepted" for r in records)
    assert stats.dimensions["formal"]["items"] == sum(len(r["needs"].get("formal") or []) for r in records)
    assert stats.with_recommendations == sum(bool(r["recommendations"]) for r in records)
    assert sum(n for _, n in stats.per_day) == len(records)
    assert stats.by_language == dict(Counter(r["language"] or "unknown" for r in records))
    assert stats.languages["zh"]["unmet"] == sum(r["unmet"] for r in records if r["language"] == "zh")
    pairs = Counter((r["stated_request"], r["underlying_need"]) for r in records)
    assert stats.top_pairs[0] == (*pairs.most_common(1)[0][0], pairs.most_common(1)[0][1])
    page = list_needs(pg, NeedFilter(), sort="-underlying_need", per_page=20)
    assert [r.underlying_need for r in page.rows] == sorted((r.underlying_need for r in page.rows), reverse=True)
    contact = get_need(pg, list_needs(pg, NeedFilter(conversation=CONTACT["conversation_id"])).rows[0].id)
    assert contact.has_contact and "8000" not in str(contact.record) + str(contact.transcript)
    assert data_version(pg)[0] == len(records)


def test_language_migration_down_and_up(server) -> None:
    """0005 on PostgreSQL: downgrade drops needs.language; upgrade fills it again from the conversations."""
    from alembic import command
    from sqlalchemy import inspect

    from jujube.db.migrate import alembic_config

    with scratch_database(server, "jujube_lang") as url:
        engine = create_engine(url)
        factory = get_sessionmaker(url)
        try:
            add_need(factory, UNICODE, [("user", "有红枣吗？")])
            add_need(factory, CONTACT, CONTACT_LINES)
            cfg = alembic_config(url)
            command.downgrade(cfg, "0004")
            assert "language" not in {c["name"] for c in inspect(engine).get_columns("needs")}
            command.upgrade(cfg, "head")
            assert "ix_needs_language" in {i["name"] for i in inspect(engine).get_indexes("needs")}
            assert {r["conversation_id"]: r["language"] for r in iter_needs(factory)} == {
                UNICODE["conversation_id"]: "zh", CONTACT["conversation_id"]: None}
        finally:
            factory.kw["bind"].dispose()
            engine.dispose()


@pytest.fixture()
def empty_pg(server: str) -> Iterator:
    """An empty, migrated scratch database on the server."""
    with scratch_database(server, "jujube_save") as url:
        factory = get_sessionmaker(url)
        yield factory
        factory.kw["bind"].dispose()


def test_saving_needs_on_postgresql(empty_pg) -> None:
    """Insert, update by discovery id (language and number kept when unsaid), races, another conversation's id."""
    from concurrent.futures import ThreadPoolExecutor

    from jujube.db.needs import save_need

    base = {"conversation_id": "tg:1", "discovery_id": "d-1", "discovery_no": 2, "channel": "telegram",
            "language": "zh", "stated_request": "枣", "needs": {"price": {"max": 50, "currency": "CNY"}},
            "recommendations": [{"sku": "kiwi-gold"}], "outcome": "pending"}
    first = save_need(empty_pg, base)
    assert save_need(empty_pg, {**base, "language": None, "discovery_no": None, "outcome": "accepted",
                                "chosen_sku": "kiwi-gold"}) == first
    [row] = list(iter_needs(empty_pg))
    assert (row["language"], row["discovery_no"], row["outcome"], row["chosen_sku"]) == ("zh", 2, "accepted", "kiwi-gold")
    assert row["needs"]["price"]["max"] == 50 and row["recommendations"] == [{"sku": "kiwi-gold"}]
    with pytest.raises(ValueError, match="another conversation"):
        save_need(empty_pg, {**base, "conversation_id": "tg:2"})
    race = {**base, "conversation_id": "race", "discovery_id": "d-race"}
    with ThreadPoolExecutor(6) as pool:  # six first writes of one discovery at once; any error is raised here
        ids = list(pool.map(lambda _: save_need(empty_pg, race), range(6)))
    assert len(set(ids)) == 1 and len(list(iter_needs(empty_pg, conversation_id="race"))) == 1

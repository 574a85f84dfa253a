"""The language of each need: migration, save and outbox paths, filter, per-language figures, export, CLI, dashboard."""
from __future__ import annotations

import csv
import io
import json
import uuid
import warnings
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette would rather have httpx2 for its test client
    from starlette.testclient import TestClient

from jujube.cli.main import main
from jujube.dashboard.app import create_app
from jujube.db.migrate import alembic_config, upgrade
from jujube.db.needs import iter_needs, save_need
from jujube.db.session import get_sessionmaker
from jujube.db.store import NeedsLog
from jujube.review.export import CSV_COLUMNS, iter_csv, write_jsonl
from jujube.review.filters import NeedFilter
from jujube.review.queries import count_needs, iter_records, list_needs
from jujube.review.stats import compute_stats, sqlite_sizes_sql
from jujube.review.text import stats_text

from .data import CONTACT_ID, UNICODE_ID
from .test_dashboard_http import settings, sign_in


@pytest.fixture(scope="module")
def records(seeded: sessionmaker[Session]) -> list[dict[str, Any]]:
    """Every stored need through the core's export query (the oracle)."""
    return list(iter_needs(seeded))


def _lang(record: dict[str, Any]) -> str:
    return record["language"] or "unknown"


# --- migration 0005 ---------------------------------------------------------------------

def _columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("needs")}


def _indexes(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_migration_fills_language_from_the_conversation_and_downgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0004")
    engine = sa.create_engine(url)
    assert "language" not in _columns(engine)
    meta = sa.MetaData()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)  # the expression index is not reflected
        convs = sa.Table("conversations", meta, autoload_with=engine)
        needs = sa.Table("needs", meta, autoload_with=engine)
    now = datetime(2026, 11, 20, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(convs.insert(), [
            {"id": "c-zh", "channel": "telegram", "language": "zh", "started_at": now, "last_seen_at": now},
            {"id": "c-en", "channel": "rest", "language": "EN", "started_at": now, "last_seen_at": now},
            {"id": "c-none", "channel": "rest", "language": None, "started_at": now, "last_seen_at": now},
            {"id": "c-tg", "channel": "telegram", "language": "zh-Hans", "started_at": now, "last_seen_at": now},
        ])
        conn.execute(needs.insert(), [
            {"conversation_id": conv, "discovery_id": str(uuid.uuid4()), "discovery_no": 1, "channel": "rest",
             "captured_at": now, "updated_at": now, "stated_request": stated, "underlying_need": "",
             "needs": {}, "recommendations": [], "outcome": "pending", "unmet": False}
            for conv, stated in (("c-zh", "枣"), ("c-zh", "月饼"), ("c-en", "dates"), ("c-none", "figs"),
                                 ("c-tg", "礼盒"))
        ])

    command.upgrade(cfg, "head")
    assert "language" in _columns(engine)
    assert {"ix_needs_language", "ix_needs_dimension_sizes"} <= _indexes(engine)
    with engine.connect() as conn:
        got = dict(conn.execute(sa.text("SELECT stated_request, language FROM needs")).tuples().all())
    assert got == {"枣": "zh", "月饼": "zh", "dates": "en", "figs": None, "礼盒": "zh"}
    assert count_needs(get_sessionmaker(url), NeedFilter(language="zh")) == 3

    command.downgrade(cfg, "0004")
    assert "language" not in _columns(engine)
    indexes = _indexes(engine)
    assert "ix_needs_language" not in indexes and "ix_needs_dimension_sizes" in indexes
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM needs")).scalar() == 5
        assert conn.execute(sa.text("SELECT language FROM conversations WHERE id = 'c-zh'")).scalar() == "zh"
    command.upgrade(cfg, "head")  # and up again
    assert "language" in _columns(engine)
    engine.dispose()


# --- saving ----------------------------------------------------------------------------

def _record(conv: str, **over: Any) -> dict[str, Any]:
    return {"conversation_id": conv, "discovery_id": f"d-{conv}", "channel": "telegram", "stated_request": "枣",
            "underlying_need": "酸的", "needs": {}, "recommendations": [], "outcome": "pending", "unmet": False,
            **over}


def test_save_need_keeps_the_language_of_each_need(empty_url: str) -> None:
    factory = get_sessionmaker(empty_url)
    save_need(factory, _record("c1", language="zh-Hans "))
    save_need(factory, _record("c1", discovery_id="d-c1-2", stated_request="dates", language="en"))
    save_need(factory, _record("c2"))  # no language said
    got = {r["discovery_id"]: r["language"] for r in iter_needs(factory)}
    assert got == {"d-c1": "zh", "d-c1-2": "en", "d-c2": None}
    # An update without a language (e.g. the outcome only) keeps the known one; a new one replaces it.
    save_need(factory, _record("c1", outcome="accepted", language=None))
    save_need(factory, _record("c2", language="en"))
    got = {r["discovery_id"]: (r["language"], r["outcome"]) for r in iter_needs(factory)}
    assert got["d-c1"] == ("zh", "accepted") and got["d-c2"] == ("en", "pending")


class _Down:
    """A session factory that is unreachable until `up` is set."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.up = False

    def __call__(self) -> sessionmaker[Session]:
        if not self.up:
            raise OperationalError("connect", {}, ConnectionRefusedError("connection refused"))
        return get_sessionmaker(self.url)


def test_a_need_waiting_in_the_outbox_keeps_its_language(empty_url: str, tmp_path: Path) -> None:
    switch = _Down(empty_url)
    log = NeedsLog(tmp_path / "outbox.jsonl", factory=switch, background=False)
    assert log.save_need(_record("tg:9", language="zh")) is False
    assert log.pending_entries()[0]["record"]["language"] == "zh"
    switch.up = True
    assert log.flush() == 1
    [row] = list(iter_needs(get_sessionmaker(empty_url)))
    assert row["language"] == "zh" and row["stated_request"] == "枣"


# --- figures and export -----------------------------------------------------------------

def test_stats_by_language_match_the_records(seeded, records) -> None:
    stats = compute_stats(seeded)
    assert stats.by_language == dict(Counter(_lang(r) for r in records))
    assert set(stats.by_language) == {"en", "zh", "unknown"} and sum(stats.by_language.values()) == stats.total
    assert list(stats.by_language.values()) == sorted(stats.by_language.values(), reverse=True)
    for lang, fig in stats.languages.items():
        mine = [r for r in records if _lang(r) == lang]
        accepted = sum(r["outcome"] == "accepted" for r in mine)
        answered = accepted + sum(r["outcome"] == "declined" for r in mine)
        assert fig["needs"] == len(mine) and fig["unmet"] == sum(r["unmet"] for r in mine)
        assert fig["share"] == pytest.approx(len(mine) / len(records))
        assert fig["unmet_share"] == pytest.approx(fig["unmet"] / len(mine))
        assert fig["acceptance_rate"] == (pytest.approx(accepted / answered) if answered else None)
    data = json.loads(json.dumps(stats.as_dict()))
    assert data["by_language"] == stats.by_language and data["languages"]["zh"]["needs"] == stats.by_language["zh"]


def test_a_language_filter_narrows_every_figure(seeded, records) -> None:
    zh = [r for r in records if r["language"] == "zh"]
    stats = compute_stats(seeded, NeedFilter(language="zh"), reveal=True)
    assert stats.total == len(zh) and stats.by_language == {"zh": len(zh)}
    assert stats.unmet == sum(r["unmet"] for r in zh)
    assert stats.by_channel == dict(Counter(r["channel"] for r in zh))
    # The expression index holds no language: the figures come from the general query, and still agree.
    assert sqlite_sizes_sql(NeedFilter(language="zh"), None) is None
    for dim in ("functional", "formal", "emotional"):
        assert stats.dimensions[dim]["items"] == sum(len(r["needs"].get(dim) or []) for r in zh)
    assert {s for s, _u, _n in stats.top_pairs} <= {r["stated_request"] for r in zh}
    assert stats.top_unmet and all(s in ("无糖月饼", "榴莲") for s, _n in stats.top_unmet)
    report = stats_text(compute_stats(seeded), 140)
    assert "By language" in report and any(line.split()[:2] == ["zh", str(len(zh))] for line in report.splitlines())


def test_export_carries_the_language(seeded, records) -> None:
    out = io.StringIO()
    write_jsonl(iter_records(seeded, NeedFilter(language="zh")), out)
    parsed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(parsed) == sum(r["language"] == "zh" for r in records) > 0
    assert {p["language"] for p in parsed} == {"zh"}
    assert any(p["conversation_id"] == UNICODE_ID and p["stated_request"] == "红枣" for p in parsed)
    rows = list(csv.DictReader(io.StringIO("".join(iter_csv(iter_records(seeded, NeedFilter()))))))
    assert "language" in CSV_COLUMNS and [r["language"] for r in rows] == [r["language"] or "" for r in records]


# --- command line -----------------------------------------------------------------------

def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_filters_by_language(capsys, seeded_url, records) -> None:
    zh = [r for r in records if r["language"] == "zh"]
    code, out, _ = run(capsys, "needs", "export", "--url", seeded_url, "--language", "zh")
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == [r["id"] for r in zh]
    code, out, _ = run(capsys, "needs", "export", "--url", seeded_url, "--language", "unknown", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["conversation_id"] for r in rows} == {r["conversation_id"] for r in records
                                                                  if r["language"] is None}
    assert CONTACT_ID in {r["conversation_id"] for r in rows}
    code, out, _ = run(capsys, "needs", "list", "--url", seeded_url, "--language", "zh", "--per-page", "500")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[3] == "LANG"
    assert len(lines) == 2 + len(zh) + 1 and {line.split()[4] for line in lines[2:-1]} == {"zh"}
    code, out, _ = run(capsys, "needs", "show", str(zh[0]["id"]), "--url", seeded_url)
    assert code == 0 and f"({zh[0]['channel']}, language zh)" in out.splitlines()[0]
    code, out, _ = run(capsys, "needs", "stats", "--url", seeded_url, "--language", "en", "--unmet", "--json")
    data = json.loads(out)
    assert code == 0 and data["by_language"] == {"en": sum(r["language"] == "en" and r["unmet"] for r in records)}


# --- dashboard ----------------------------------------------------------------------------

@pytest.fixture()
def client(seeded) -> TestClient:
    return TestClient(create_app(settings(), seeded), follow_redirects=False)


def test_dashboard_needs_table_filters_by_language(client, seeded) -> None:
    sign_in(client)
    html = client.get("/needs?language=zh&per_page=200").text
    total = count_needs(seeded, NeedFilter(language="zh"))
    assert f'<span id="result-count">{total:,}</span>' in html
    cells = html.count('<td class="language">')
    assert cells == min(200, total) == html.count('<td class="language">zh</td>')
    assert '<select name="language" id="f-language">' in html
    for lang in ("en", "unknown"):
        assert f'<option value="{lang}" >' in html
    assert '<option value="zh" selected>zh (中文)</option>' in html
    everything = client.get("/needs?per_page=200").text
    assert '<td class="language">en</td>' in everything and '<td class="language">zh</td>' in everything
    sorted_rows = list_needs(seeded, NeedFilter(), sort="language", per_page=5).rows
    assert client.get("/needs?sort=language").status_code == 200 and sorted_rows[0].language is None
    csv_text = client.get("/needs.csv?language=zh").text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == total and {r["language"] for r in rows} == {"zh"}


def test_dashboard_overview_has_a_by_language_block(client, seeded) -> None:
    sign_in(client)
    html = client.get("/").text
    stats = compute_stats(seeded)
    assert 'id="by-language"' in html
    for lang, n in stats.by_language.items():
        assert f'<tr data-language="{lang}">' in html
        assert f'href="/needs?language={lang}"' in html
    block = html.split('id="by-language"')[1].split("</section>")[0]
    zh_row = block.split('data-language="zh"')[1].split("</tr>")[0]
    assert f'<td class="num">{stats.by_language["zh"]:,}</td>' in zh_row
    assert f'{100 * stats.languages["zh"]["unmet_share"]:.1f}%' in zh_row
    narrowed = client.get("/?language=zh").text
    assert f'id="kpi-total">{stats.by_language["zh"]:,}</span>' in narrowed
    assert '<tr data-language="en">' not in narrowed


def test_dashboard_need_page_shows_the_language(client, seeded) -> None:
    sign_in(client)
    zh_id = list_needs(seeded, NeedFilter(conversation=UNICODE_ID)).rows[0].id
    assert '<dd id="language">zh (中文)</dd>' in client.get(f"/needs/{zh_id}").text
    unknown_id = list_needs(seeded, NeedFilter(conversation=CONTACT_ID)).rows[0].id
    assert '<dd id="language">unknown</dd>' in client.get(f"/needs/{unknown_id}").text


def test_a_hostile_language_value_stays_text(empty_url: str) -> None:
    factory = get_sessionmaker(empty_url)
    save_need(factory, _record("rest:x", language='"><script>x'))
    client = TestClient(create_app(settings(), factory), follow_redirects=False)
    sign_in(client)
    need_id = list_needs(factory, NeedFilter()).rows[0].id
    for url in ("/", "/needs", f"/needs/{need_id}"):
        html = client.get(url).text
        assert "<script>" not in html and "&lt;script&gt;x" in html, url

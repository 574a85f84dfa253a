"""The query layer on a seeded needs log: filters, sorting, paging, details, masking."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.needs import iter_needs
from jujube.review import ReviewError
from jujube.review.filters import NeedFilter
from jujube.review.masking import mask_text
from jujube.review.queries import count_needs, get_need, iter_records, list_needs

from .data import CONTACT_ID, JUJUBE_ID, SEEDED, XSS

TOTAL = SEEDED + 4


@pytest.fixture(scope="module")
def records(seeded: sessionmaker[Session]) -> list[dict[str, Any]]:
    """Every stored need, read through the core's own export query (the oracle)."""
    return list(iter_needs(seeded))


def _when(record: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(record["captured_at"].replace("Z", "+00:00"))


def _dims(record: dict[str, Any], dim: str) -> str:
    return " ".join(str(v) for v in record["needs"].get(dim) or []).lower()


CASES: list[tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
    ({}, lambda r: True),
    ({"channel": "telegram"}, lambda r: r["channel"] == "telegram"),
    ({"channel": "rest,web"}, lambda r: r["channel"] in ("rest", "web")),
    ({"language": "zh"}, lambda r: r["language"] == "zh"),
    ({"language": "EN, zh"}, lambda r: r["language"] in ("en", "zh")),
    ({"language": "unknown"}, lambda r: r["language"] is None),
    ({"language": "zh,unknown"}, lambda r: r["language"] in ("zh", None)),
    ({"language": "fr"}, lambda r: False),
    ({"language": "zh", "unmet": True, "channel": "telegram"},
     lambda r: r["language"] == "zh" and r["unmet"] and r["channel"] == "telegram"),
    ({"outcome": "no_match"}, lambda r: r["outcome"] == "no_match"),
    ({"outcome": "accepted, declined"}, lambda r: r["outcome"] in ("accepted", "declined")),
    ({"unmet": True}, lambda r: r["unmet"]),
    ({"since": "2026-11-10"}, lambda r: _when(r) >= datetime(2026, 11, 10, tzinfo=timezone.utc)),
    ({"until": "2026-11-10"}, lambda r: _when(r) < datetime(2026, 11, 11, tzinfo=timezone.utc)),
    ({"since": "2026-11-01T06:00:00Z", "until": "2026-11-05T18:00:00+00:00"},
     lambda r: datetime(2026, 11, 1, 6, tzinfo=timezone.utc) <= _when(r) <= datetime(2026, 11, 5, 18, tzinfo=timezone.utc)),
    ({"dimension": "formal"}, lambda r: bool(r["needs"].get("formal"))),
    ({"dimension": "emotional"}, lambda r: bool(r["needs"].get("emotional"))),
    ({"dimension": "functional=SOUR"}, lambda r: "sour" in _dims(r, "functional")),
    ({"keyword": "Pregnant"}, lambda r: "pregnant" in " ".join(
        str(r.get(k) or "") for k in ("stated_request", "underlying_need", "recipient", "situation", "occasion")
    ).lower() or any("pregnant" in _dims(r, d) for d in ("functional", "formal", "emotional"))),
    ({"keyword": "补血"}, lambda r: "补血" in r["underlying_need"] or "补血" in _dims(r, "functional")),
    ({"keyword": "100%_"}, lambda r: False),
    ({"recipient": "MOTHER"}, lambda r: "mother" in (r["recipient"] or "").lower()),
    ({"conversation": JUJUBE_ID}, lambda r: r["conversation_id"] == JUJUBE_ID),
    ({"unmet": True, "channel": "telegram", "since": "2026-11-05"},
     lambda r: r["unmet"] and r["channel"] == "telegram" and _when(r) >= datetime(2026, 11, 5, tzinfo=timezone.utc)),
]


@pytest.mark.parametrize("params,keep", CASES, ids=[str(c[0]) for c in CASES])
def test_filters_select_exactly_the_matching_needs(seeded, records, params, keep) -> None:
    expected = {r["id"] for r in records if keep(r)}
    flt = NeedFilter.from_mapping(params)
    got = {r["id"] for r in iter_records(seeded, flt, reveal=True)}
    assert got == expected
    assert count_needs(seeded, flt) == len(expected)


def test_seeded_log_is_varied(records) -> None:
    assert len(records) == TOTAL
    assert {r["channel"] for r in records} >= {"telegram", "rest", "web"}
    assert {r["language"] for r in records} == {"en", "zh", None}
    assert 0.15 < sum(r["language"] == "zh" for r in records) / len(records) < 0.45
    assert {"枣", "月饼", "礼盒"} <= {r["stated_request"] for r in records if r["language"] == "zh"}
    assert {r["outcome"] for r in records} == {"accepted", "declined", "pending", "no_match", "abandoned"}
    assert 0.05 < sum(r["unmet"] for r in records) / len(records) < 0.4
    assert len({(r["stated_request"], r["underlying_need"]) for r in records}) > 15


@pytest.mark.parametrize("params,message", [
    ({"outcome": "sold"}, "unknown outcome 'sold'"),
    ({"dimension": "taste"}, "unknown dimension 'taste'"),
    ({"since": "yesterday"}, "since wants a date"),
    ({"until": "2026-02-30"}, "until wants a date"),
    ({"since": "2026-11-10", "until": "2026-11-01"}, "is not before until"),
    ({"keyword": "x" * 300}, "too long"),
])
def test_bad_filters_are_refused_with_a_clear_message(params, message) -> None:
    with pytest.raises(ReviewError, match=message):
        NeedFilter.from_mapping(params)


def test_list_pages_are_sorted_and_disjoint(seeded) -> None:
    first = list_needs(seeded, NeedFilter(), sort="-captured_at", page=1, per_page=25)
    second = list_needs(seeded, NeedFilter(), sort="-captured_at", page=2, per_page=25)
    assert first.total == TOTAL and first.pages == -(-TOTAL // 25)
    stamps = [r.captured_at for r in first.rows + second.rows]
    assert stamps == sorted(stamps, reverse=True)
    assert not {r.id for r in first.rows} & {r.id for r in second.rows}
    assert (first.first, first.last, second.first) == (1, 25, 26)
    by_request = list_needs(seeded, NeedFilter(), sort="stated_request", per_page=500)
    names = [r.stated_request for r in by_request.rows]
    assert names == sorted(names)
    past = list_needs(seeded, NeedFilter(), page=999, per_page=50)
    assert past.rows == [] and past.total == TOTAL


@pytest.mark.parametrize("kwargs,message", [
    ({"sort": "price"}, "cannot sort by 'price'"),
    ({"page": 0}, "page numbers start at 1"),
    ({"per_page": 0}, "per page must be between"),
    ({"per_page": 10_000}, "per page must be between"),
])
def test_bad_listing_requests(seeded, kwargs, message) -> None:
    with pytest.raises(ReviewError, match=message):
        list_needs(seeded, NeedFilter(), **kwargs)


def test_need_detail_has_card_transcript_and_siblings(seeded) -> None:
    page = list_needs(seeded, NeedFilter(conversation=JUJUBE_ID))
    detail = get_need(seeded, page.rows[0].id)
    assert detail.record["stated_request"] == "dates"
    assert detail.record["needs"]["functional"] == ["sour taste", "safe during pregnancy"]
    assert [line["role"] for line in detail.transcript] == ["user", "bot", "user", "bot", "user"]
    assert "pregnant" in detail.transcript[2]["text"]
    assert not detail.has_contact
    with pytest.raises(ReviewError, match="no need with id 987654"):
        get_need(seeded, 987654)


def test_contact_details_are_masked_unless_revealed(seeded) -> None:
    need_id = list_needs(seeded, NeedFilter(conversation=CONTACT_ID)).rows[0].id
    masked = get_need(seeded, need_id)
    text = " ".join(line["text"] for line in masked.transcript) + str(masked.record)
    assert masked.has_contact
    assert "138 0013 8000" not in text and "li.wei@example.com" not in text
    assert "***00" in text and "l***@***.com" in text
    assert masked.record["conversation_id"] == CONTACT_ID
    shown = get_need(seeded, need_id, reveal=True)
    assert "+86 138 0013 8000" in shown.transcript[2]["text"]
    assert shown.record["needs"]["price"]["note"] == "mail li.wei@example.com"
    row = list_needs(seeded, NeedFilter(conversation=CONTACT_ID)).rows[0]
    assert "8000" not in row.underlying_need


@pytest.mark.parametrize("text,masked", [
    ("call me at 138 0013 8000 please", "call me at ***00 please"),
    ("+86 138-0013-8000", "+***00"),
    ("(555) 123-4567", "***67"),
    ("write to Li.Wei+shop@mail.example.cn.", "write to L***@***.cn."),
    ("around 50 CNY, at most 1200", "around 50 CNY, at most 1200"),
    ("by 2026-11-22 or 24/12/2026", "by 2026-11-22 or 24/12/2026"),
    ("Green kiwi fruit 28.0 FR-KIWI-GRN", "Green kiwi fruit 28.0 FR-KIWI-GRN"),
    ("手机13800138000", "手机***00"),
    ("手机号13800138000，谢谢", "手机号***00，谢谢"),
    ("电话：+86 138 0013 8000", "电话：+***00"),
    ("+8613800138000", "+***00"),
    ("call 138-0013-8000 pls", "call ***00 pls"),
    ("1 3 8 0 0 1 3 8 0 0 0", "***00"),
    ("微信 138 0013 8000 联系", "微信 ***00 联系"),
    ("预算200元，订单2026-11-30", "预算200元，订单2026-11-30"),
    ("", ""),
])
def test_mask_text(text, masked) -> None:
    assert mask_text(text) == masked


def test_xss_text_is_stored_verbatim(seeded) -> None:
    rows = list_needs(seeded, NeedFilter(keyword="<script>")).rows
    assert [r.stated_request for r in rows] == [XSS]


def test_filters_round_trip_through_query_parameters() -> None:
    flt = NeedFilter(since="2026-11-01", channel="telegram", language="zh", unmet=True, dimension="functional=sour",
                     keyword="x")
    assert NeedFilter.from_mapping(flt.params()) == flt
    assert flt.params()["language"] == "zh" and "language=zh" in flt.describe()
    assert NeedFilter().describe() == "all needs"
    assert NeedFilter(until="2026-11-10").end == datetime(2026, 11, 11, tzinfo=timezone.utc)
    assert NeedFilter(until="2026-11-10T10:00:00Z").end == datetime(2026, 11, 10, 10, tzinfo=timezone.utc) + timedelta(
        microseconds=1)

"""The dashboard over HTTP (in process): access control, escaping, masking, filters, CSV."""
from __future__ import annotations

import csv
import io
import logging
import time
import warnings
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette would rather have httpx2 for its test client
    from starlette.testclient import TestClient

from jujube.dashboard import DashboardError
from jujube.dashboard.app import create_app
from jujube.dashboard.settings import DashboardSettings
from jujube.review.filters import NeedFilter
from jujube.review.queries import count_needs, list_needs

from .data import CONTACT_ID, JUJUBE_ID, SEEDED, XSS_ID

PASSWORD = "kiwi-and-jujubes"
TOKEN = "t0ken-for-scripts"


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def settings(**kw: Any) -> DashboardSettings:
    """Dashboard settings for tests."""
    base: dict[str, Any] = {"password": PASSWORD, "token": TOKEN, "secret": "test-secret", "session_minutes": 30}
    return DashboardSettings(**{**base, **kw})


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def client(seeded, clock) -> TestClient:
    return TestClient(create_app(settings(), seeded, clock=clock), follow_redirects=False)


def sign_in(client: TestClient, password: str = PASSWORD, next_url: str = "/") -> Any:
    return client.post("/login", data={"password": password, "next": next_url})


def need_id(seeded, conversation: str) -> int:
    return list_needs(seeded, NeedFilter(conversation=conversation)).rows[0].id


def test_refuses_to_start_without_a_password(seeded) -> None:
    with pytest.raises(DashboardError, match="JUJUBE_DASHBOARD_PASSWORD"):
        create_app(settings(password=None, token=None), seeded)


def test_nothing_is_shown_without_signing_in(client, seeded) -> None:
    for path in ("/", "/needs", "/needs?keyword=dates", f"/needs/{need_id(seeded, JUJUBE_ID)}", "/needs.csv"):
        resp = client.get(path)
        assert resp.status_code == 303, path
        assert resp.headers["location"].startswith("/login?next=")
        assert "dates" not in resp.text and "pregnant" not in resp.text
    assert client.get("/healthz").text == "ok"
    assert client.get("/needs.csv", headers={"Authorization": "Bearer wrong"}).status_code == 303


def test_sign_in_with_wrong_then_right_password(client) -> None:
    resp = sign_in(client, "guess")
    assert resp.status_code == 401 and "Wrong password." in resp.text
    assert "jujube_session" not in resp.cookies
    resp = sign_in(client, next_url="/needs?unmet=1")
    assert resp.status_code == 303 and resp.headers["location"] == "/needs?unmet=1"
    assert "httponly" in resp.headers["set-cookie"].lower() and "samesite=lax" in resp.headers["set-cookie"].lower()
    page = client.get("/")
    assert page.status_code == 200 and "Needs captured" in page.text
    assert client.post("/logout").status_code == 303
    assert client.get("/").status_code == 303


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_sign_in_never_redirects_off_site(client, target) -> None:
    assert sign_in(client, next_url=target).headers["location"] == "/"


def test_sessions_expire(client, clock) -> None:
    sign_in(client)
    clock.now += 29 * 60
    assert client.get("/").status_code == 200
    clock.now += 2 * 60
    resp = client.get("/")
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")


def test_repeated_failures_lock_the_client_out(client, clock) -> None:
    for _ in range(5):
        assert sign_in(client, "nope").status_code == 401
    assert sign_in(client).status_code == 429
    clock.now += 301
    assert sign_in(client).status_code == 303


def test_bearer_token_downloads_csv(client, seeded) -> None:
    resp = client.get("/needs.csv?unmet=1", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"].startswith('attachment; filename="jujube-needs-')
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert len(rows) == count_needs(seeded, NeedFilter(unmet=True))
    assert all(r["unmet"] == "true" for r in rows)


def test_security_headers(client) -> None:
    sign_in(client)
    resp = client.get("/")
    csp = resp.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["cache-control"] == "no-store"


def test_overview_shows_the_figures(client, seeded) -> None:
    sign_in(client)
    html = client.get("/").text
    assert f"{SEEDED + 4:,}" in html
    assert 'id="chart-timeline"' in html and 'id="chart-outcomes"' in html and 'id="chart-dimensions"' in html
    assert "something sour for a pregnant daughter-in-law&#39;s cravings" in html
    assert 'id="top-unmet"' in html and "durian" in html
    narrowed = client.get(f"/?conversation={JUJUBE_ID}").text
    assert 'id="kpi-total">1</span>' in narrowed


def test_table_filters_sorts_and_pages(client, seeded) -> None:
    sign_in(client)
    html = client.get("/needs?outcome=no_match&per_page=25&sort=-stated_request").text
    total = count_needs(seeded, NeedFilter(outcome="no_match"))
    assert f'<span id="result-count">{total:,}</span>' in html
    assert html.count('<span class="badge no_match">') == min(25, total)
    assert "page 1 of" in html and 'id="next-page"' in html
    html = client.get("/needs?dimension=functional&dimension_text=sour").text
    assert f'<span id="result-count">{count_needs(seeded, NeedFilter(dimension="functional=sour")):,}</span>' in html
    bad = client.get("/needs?since=not-a-date")
    assert bad.status_code == 400 and "since wants a date" in bad.text
    assert client.get("/needs?page=zero").status_code == 400
    assert client.get("/needs/99999999").status_code == 404


def test_xss_is_shown_as_text(client, seeded) -> None:
    sign_in(client)
    html = client.get(f"/needs/{need_id(seeded, XSS_ID)}").text
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>boss</b>" not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    table = client.get("/needs?keyword=%3Cscript%3E").text
    assert "<script>" not in table and "&lt;script&gt;" in table


def test_contacts_masked_until_revealed_and_reveal_is_logged(client, seeded, caplog) -> None:
    sign_in(client)
    nid = need_id(seeded, CONTACT_ID)
    html = client.get(f"/needs/{nid}").text
    assert "138 0013 8000" not in html and "li.wei@example.com" not in html
    assert 'id="reveal"' in html
    with caplog.at_level(logging.WARNING, logger="jujube.dashboard.app"):
        shown = client.get(f"/needs/{nid}?reveal=1").text
    assert "+86 138 0013 8000" in shown and "li.wei@example.com" in shown
    assert any("revealed" in r.getMessage() for r in caplog.records)
    masked_csv = client.get(f"/needs.csv?conversation={CONTACT_ID}").text
    assert "8000" not in masked_csv and "example.com" not in masked_csv
    assert "li.wei@example.com" in client.get(f"/needs.csv?conversation={CONTACT_ID}&reveal=1").text


def test_overview_follows_new_and_updated_needs(empty_url) -> None:
    from jujube.db.needs import save_need
    from jujube.db.session import get_sessionmaker
    from jujube.review.seed import seed_needs

    factory = get_sessionmaker(empty_url)
    client = TestClient(create_app(settings(), factory), follow_redirects=False)
    sign_in(client)
    assert "No needs captured" in client.get("/").text
    seed_needs(factory, 20, seed=5)
    assert 'id="kpi-total">20</span>' in client.get("/").text
    record = {"conversation_id": "rest:late", "channel": "rest", "stated_request": "figs",
              "underlying_need": "a late-night snack", "outcome": "pending"}
    save_need(factory, record)
    html = client.get("/").text
    assert 'id="kpi-total">21</span>' in html
    before = client.get("/").text.split('id="kpi-acceptance">', 1)[1].split("<", 1)[0]
    save_need(factory, {**record, "outcome": "accepted"})
    after = client.get("/").text.split('id="kpi-acceptance">', 1)[1].split("<", 1)[0]
    assert before != after


def test_slow_figures_are_served_stale_while_refreshing(empty_url) -> None:
    from jujube.dashboard.cache import StatsCache
    from jujube.db.needs import save_need
    from jujube.db.session import get_sessionmaker

    factory = get_sessionmaker(empty_url)
    record = {"conversation_id": "rest:a", "stated_request": "tea", "underlying_need": "sleep", "outcome": "pending"}
    save_need(factory, record)
    slow = StatsCache(factory, slow_seconds=0.0)  # every computation counts as slow
    first = slow.get(NeedFilter())
    assert first.stats.total == 1 and not first.stale
    assert slow.get(NeedFilter()) is first
    save_need(factory, {**record, "conversation_id": "rest:b"})
    stale = slow.get(NeedFilter())
    assert stale.stale and stale.stats.total == 1
    deadline = time.monotonic() + 30  # the refresh runs in the background; a loaded machine may take a while
    while True:
        fresh = slow.get(NeedFilter())
        if not fresh.stale or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert fresh.stats.total == 2 and not fresh.stale
    quick = StatsCache(factory, slow_seconds=60.0)
    assert quick.get(NeedFilter()).stats.total == 2
    save_need(factory, {**record, "conversation_id": "rest:c"})
    assert quick.get(NeedFilter()).stats.total == 3

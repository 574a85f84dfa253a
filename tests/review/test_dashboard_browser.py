"""The dashboard in a real headless Chromium (Debian's chromium driven by Playwright)."""
from __future__ import annotations

import csv
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from jujube.dashboard.app import create_app
from jujube.dashboard.settings import DashboardSettings
from jujube.review.filters import NeedFilter
from jujube.review.queries import count_needs

from .data import XSS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "kiwi-and-jujubes"

if not CHROMIUM.exists():
    if os.environ.get("JUJUBE_SKIP_BROWSER_TESTS") == "1":
        pytest.skip("no /usr/bin/chromium (JUJUBE_SKIP_BROWSER_TESTS=1)", allow_module_level=True)
    raise RuntimeError("Debian's chromium is missing: run `make install` (apt-get install -y chromium)")

sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(seeded) -> Iterator[str]:
    """The dashboard served by uvicorn on a free local port."""
    import uvicorn

    settings = DashboardSettings(password=PASSWORD, token=None, secret="browser-secret", session_minutes=30)
    port = _free_port()
    config = uvicorn.Config(create_app(settings, seeded), host="127.0.0.1", port=port, log_level="warning",
                            ws="none", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # generous: a loaded machine starts slowly
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, base_url) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)  # a wait for the page, not a speed requirement
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    context.close()


def sign_in(page: Any) -> None:
    page.goto("/login")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/")


def test_refused_without_signing_in(page) -> None:
    page.goto("/needs?keyword=dates")
    assert "/login" in page.url
    assert page.locator("#needs-table").count() == 0
    page.fill("#password", "wrong")
    page.click("#login-form button[type=submit]")
    assert page.locator(".error").inner_text() == "Wrong password."
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/needs?keyword=dates")
    assert page.locator("#needs-table tbody tr").count() > 0


def test_overview_has_charts_and_the_jujube_need(page, seeded, artifacts_dir) -> None:
    sign_in(page)
    assert page.locator("#chart-timeline rect").count() >= 20
    assert page.locator("#chart-outcomes rect").count() == 5
    assert page.locator("#chart-dimensions rect").count() == 4
    assert page.locator("#kpi-total").inner_text() == f"{count_needs(seeded, NeedFilter()):,}"
    assert page.locator("#kpi-acceptance").inner_text().endswith("%")
    first_pair = page.locator("#pairs tbody tr, #pairs tr").nth(1).inner_text()
    assert "dates" in first_pair and "something sour for a pregnant daughter-in-law's cravings" in first_pair
    unmet = page.locator("#top-unmet tr").all_inner_texts()
    assert len(unmet) >= 5 and any("durian" in row for row in unmet)
    shot = artifacts_dir / "dashboard-overview.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000


def test_filter_sort_open_conversation_and_download_csv(page, seeded, tmp_path) -> None:
    sign_in(page)
    page.click("nav >> text=Needs")
    page.fill("#f-keyword", "pregnant")
    page.select_option("#f-outcome", "accepted")
    page.click("#apply-filters")
    page.wait_for_url("**/needs?**keyword=pregnant**")
    expected = count_needs(seeded, NeedFilter(keyword="pregnant", outcome="accepted"))
    assert page.locator("#result-count").inner_text() == f"{expected:,}"
    assert set(page.locator("#needs-table tbody td:nth-child(7)").all_inner_texts()) == {"accepted"}
    page.click("a.sort[data-sort=channel]")
    page.wait_for_url("**sort=-channel**")
    channels = page.locator("#needs-table tbody td:nth-child(2)").all_inner_texts()
    assert channels == sorted(channels, reverse=True)
    assert page.locator("#result-count").inner_text() == f"{expected:,}"

    with page.expect_download() as info:
        page.click("#download-csv")
    target = tmp_path / "needs.csv"
    info.value.save_as(target)
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == expected and {r["outcome"] for r in rows} == {"accepted"}

    page.locator("#needs-table tbody tr").first.locator("td.underlying a").click()
    page.wait_for_url("**/needs/*")
    assert "something sour for a pregnant daughter-in-law" in page.locator("#underlying").inner_text()
    assert page.locator("#transcript .msg.shopper").count() >= 2
    assert page.locator("#need-card .dim-functional .chip").count() >= 1


def test_language_filter_and_by_language_block(page, seeded) -> None:
    sign_in(page)
    rows = page.locator("#by-language tr[data-language]").all_inner_texts()
    assert any(r.startswith("en") for r in rows) and any(r.startswith("zh (中文)") for r in rows)
    page.click("nav >> text=Needs")
    page.select_option("#f-language", "zh")
    page.click("#apply-filters")
    page.wait_for_url("**/needs?**language=zh**")
    expected = count_needs(seeded, NeedFilter(language="zh"))
    assert page.locator("#result-count").inner_text() == f"{expected:,}"
    assert set(page.locator("#needs-table tbody td.language").all_inner_texts()) == {"zh"}
    stated = set(page.locator("#needs-table tbody td.stated").all_inner_texts())
    assert stated & {"枣", "月饼", "礼盒", "红枣", "茶叶", "牛奶", "无糖月饼", "榴莲"}


def test_xss_string_stays_text(page, seeded) -> None:
    sign_in(page)
    page.goto("/needs?keyword=%3Cscript%3E")
    assert page.locator("#needs-table tbody td.stated").first.inner_text() == XSS
    page.locator("#needs-table tbody td.underlying a").first.click()
    page.wait_for_url("**/needs/*")
    assert page.locator("#stated").inner_text() == XSS
    assert XSS in page.locator("#transcript").inner_text()
    assert page.locator("script").count() == 0
    assert page.locator("img").count() == 0
    assert page.dialogs == []  # type: ignore[attr-defined]

"""Progress for managers: each trainee's scores over time by rubric line, in the report, the CLI and the dashboard."""
from __future__ import annotations

import warnings

import pytest

from jujube.cli.rehearsal import progress_text, spark
from jujube.dashboard.app import create_app
from jujube.dashboard.settings import DashboardSettings
from jujube.rehearsal.report import by_line, progress

from . import scripts, trainees

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PASSWORD = "practice-makes-perfect"


@pytest.fixture
def played(service, library):  # type: ignore[no-untyped-def]
    """`tg:improver` goes from pushing to asking well; `tg:steady` asks only yes/no questions each time."""
    idx = library.index
    for key, script in (("jujube", trainees.pusher), ("boss-gift", trainees.guesser), ("sore-throat", trainees.kind),
                        ("housewarming", trainees.textbook)):
        scripts.play(service, "tg:improver", key, script(library.personas[key], idx))
    for _ in range(3):  # the same customer, told another way each time, the same yes/no checks
        scripts.play(service, "tg:steady", "boss-gift", trainees.checklist(library.personas["boss-gift"], idx))
    return service


def test_progress_by_rubric_line_shows_who_improves_and_on_what(played):
    rows = {r["trainee_id"]: r for r in progress(played.factory)}
    up, steady = rows["tg:improver"], rows["tg:steady"]
    assert up["rehearsals"] == 4 and [s["persona"] for s in up["series"]] == [
        "jujube", "boss-gift", "sore-throat", "housewarming"]
    assert up["change"] >= 50 and up["recent"] > up["earlier"]
    lines = {ln["key"]: ln for ln in up["lines"]}
    assert len(lines) == 10 and all(len(ln["scores"]) == 4 for ln in lines.values())
    assert lines["functional"]["scores"][0] == 0 and lines["functional"]["scores"][-1] == 100
    assert {"functional", "recipient", "no_premature_pitch"} <= set(up["improving"])
    assert steady["change"] == 0 and not steady["improving"] and steady["rehearsals"] == 3
    assert "open_questions" in steady["weakest"] or "functional" in steady["weakest"]


def test_by_line_of_one_rehearsal_has_no_change():
    row = {"started_at": "2026-01-01T10:00:00", "percent": 40.0, "persona": "jujube",
           "lines": {"recipient": {"label": "Asked who", "points": 10, "max": 10},
                     "price": {"label": "Budget", "points": 0, "max": 10}}}
    out = by_line([row])
    assert out["change"] == 0 and not out["improving"] and out["weakest"] == ["price"]
    assert [ln["scores"] for ln in out["lines"]] == [[100.0], [0.0]]


def test_report_text_shows_every_rubric_line_over_time(played):
    up = next(r for r in progress(played.factory) if r["trainee_id"] == "tg:improver")
    text = progress_text(up)
    for ln in up["lines"]:
        assert ln["label"][:40] in text
    assert "improving on:" in text and "Functional need uncovered" in text.split("improving on:")[1]
    assert spark([0, 50, 100]) == "▁▅█"


def test_dashboard_shows_progress_per_trainee(played):
    settings = DashboardSettings(password=PASSWORD, token=None, secret="s", session_minutes=30)
    client = TestClient(create_app(settings, played.factory), follow_redirects=False)
    assert client.get("/trainees").status_code == 303  # managers only
    client.post("/login", data={"password": PASSWORD, "next": "/trainees"})
    page = client.get("/trainees")
    assert page.status_code == 200
    html = page.text
    assert html.index('data-trainee="tg:improver"') < html.index('data-trainee="tg:steady"')  # most improved first
    assert "<polyline" in html and 'data-line="functional"' in html
    assert "Functional need uncovered" in html.split('data-trainee="tg:improver"')[1].split("</tr>")[0]
    one = client.get("/trainees", params={"trainee": "tg:steady"}).text
    assert 'data-trainee="tg:steady"' in one and "tg:improver" not in one
    assert "No scored rehearsals" in client.get("/trainees", params={"trainee": "nobody"}).text

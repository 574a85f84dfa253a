"""Records of the review tests: the jujube story, contact details, an XSS attempt, unicode."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from jujube.db.migrate import upgrade
from jujube.db.needs import record_messages, save_need
from jujube.db.session import get_sessionmaker
from jujube.review.seed import seed_needs

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
SEEDED = 600
XSS = "<script>alert('xss')</script>"
JUJUBE_ID = "tg:1001"
CONTACT_ID = "rest:contact-1"
XSS_ID = "rest:xss-1"
UNICODE_ID = "tg:2002"

JUJUBE = {
    "conversation_id": JUJUBE_ID, "channel": "telegram", "language": "en", "captured_at": "2026-11-19T14:03:11Z",
    "stated_request": "dates", "underlying_need": "something sour for a pregnant daughter-in-law's cravings",
    "recipient": "daughter-in-law", "situation": "pregnant, craving sour food",
    "needs": {"functional": ["sour taste", "safe during pregnancy"], "formal": ["fresh"],
              "emotional": ["caring for an expecting family member"],
              "price": {"max": 50, "currency": "CNY", "sensitivity": "medium", "note": "around 50"}},
    "recommendations": [
        {"sku": "FR-JUJ-SOUR", "name": "Sour jujubes", "price": 35.0, "reason": "tart and fresh"},
        {"sku": "FR-KIWI-GRN", "name": "Green kiwi fruit", "price": 28.0, "reason": "tangy, rich in folate"},
    ],
    "chosen_sku": "FR-KIWI-GRN", "outcome": "accepted", "unmet": False,
}
JUJUBE_LINES = [
    ("user", "Do you have dates?"), ("bot", "What kind of dates are you after?"),
    ("user", "My daughter-in-law is pregnant and craves something sour."),
    ("bot", "Sour jujubes at 35 CNY, or green kiwi fruit at 28 CNY: tangy and rich in folate."),
    ("user", "I'll take the kiwi."),
]
CONTACT = {
    "conversation_id": CONTACT_ID, "channel": "rest", "captured_at": "2026-11-18T09:00:00Z",
    "stated_request": "durian", "underlying_need": "a durian for a birthday, call 138 0013 8000",
    "recipient": "friend", "situation": "birthday party",
    "needs": {"functional": ["ripe"], "formal": [], "emotional": ["celebration"],
              "price": {"max": 200, "currency": "CNY", "sensitivity": "low", "note": "mail li.wei@example.com"}},
    "recommendations": [], "outcome": "no_match", "unmet": True,
}
CONTACT_LINES = [
    ("user", "Do you have durian?"), ("bot", "Sorry, we have no durian at the moment."),
    ("user", "Call me on +86 138 0013 8000 or write to li.wei@example.com when it arrives."),
]
XSS_NEED = {
    "conversation_id": XSS_ID, "channel": "rest", "captured_at": "2026-11-17T10:00:00Z",
    "stated_request": XSS, "underlying_need": f"needs {XSS} & \"quotes\"", "recipient": "<b>boss</b>",
    "needs": {"functional": [XSS], "formal": [], "emotional": [], "price": {}},
    "recommendations": [{"sku": "X-1", "name": "<img src=x onerror=alert(1)>", "price": 1.0, "reason": XSS}],
    "outcome": "declined", "unmet": False,
}
XSS_LINES = [("user", f"I want {XSS}"), ("bot", "Tell me more?")]
# CONTACT and XSS_NEED carry no language, like needs written before the needs log kept one.
UNICODE = {
    "conversation_id": UNICODE_ID, "channel": "telegram", "language": "zh", "captured_at": "2026-11-16T08:30:00Z",
    "stated_request": "红枣", "underlying_need": "补血的零食给产后的姐姐", "recipient": "姐姐",
    "needs": {"functional": ["补血"], "formal": ["无添加"], "emotional": [], "price": {"max": 60, "currency": "CNY"}},
    "recommendations": [], "outcome": "pending", "unmet": False,
}


def add_need(factory: sessionmaker[Session], record: dict[str, Any], lines: list[tuple[str, str]]) -> int:
    """Store one need and its transcript the way the discovery actions do."""
    need_id = save_need(factory, record)
    start = datetime.fromisoformat(record["captured_at"].replace("Z", "+00:00"))
    record_messages(factory, record["conversation_id"], record["channel"], [
        {"role": role, "text": text, "sent_at": start.timestamp() + 5 * i} for i, (role, text) in enumerate(lines)
    ])
    return need_id


def make_db(path: Path, seeded: int = 0) -> str:
    """A migrated SQLite database under `path`, optionally seeded; returns its URL."""
    url = f"sqlite:///{path}"
    upgrade(url)
    if seeded:
        seed_needs(get_sessionmaker(url), seeded, seed=11, days=30, now=NOW)
    return url

"""The state of a conversation's current discovery, kept in one slot between turns."""
from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Optional

from jujube.profile import Profile

STATE_SLOT = "discovery"


def new_discovery_id() -> str:
    """A fresh, stable id for one discovery."""
    return str(uuid.uuid4())


@dataclass
class DiscoveryState:
    """Everything the policy needs to know about the current discovery."""

    discovery_id: str = field(default_factory=new_discovery_id)
    discovery_no: int = 1
    profile: Profile = field(default_factory=Profile)
    asked: list[str] = field(default_factory=list)
    last_question: Optional[str] = None
    shown: list[str] = field(default_factory=list)
    recommended: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # why each shown product fits the need
    outcome: str = "pending"
    chosen_sku: Optional[str] = None
    wants_suggestion: bool = False
    awaiting: Optional[str] = None  # "choice" after a vague yes to several picks, "confirm" to one
    unsure: int = 0
    last_reply: str = ""
    unmet: list[str] = field(default_factory=list)  # things asked for that the shop does not sell
    channel: str = "rest"
    language: Optional[str] = None  # the language of the latest message: replies are in it
    told_in: Optional[str] = None  # the language the need was told in: the need record is in it
    seen_until: float = 0.0  # timestamp of the last shopper message taken in

    def next_discovery(self) -> "DiscoveryState":
        """A fresh discovery in the same conversation."""
        return DiscoveryState(discovery_no=self.discovery_no + 1, channel=self.channel, language=self.language,
                              seen_until=self.seen_until, last_reply=self.last_reply)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy for the state slot."""
        out = asdict(self)
        out["profile"] = self.profile.to_dict()
        return out

    def to_slot(self) -> str:
        """The state as the slot's value: compact JSON text.

        Rasa checks every event an action returns against its event schema; a dict value is checked field by
        field on every turn (most of the Rasa server's time per message), a string in one step.
        """
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_slot(cls, value: Any) -> "DiscoveryState":
        """The state `to_slot` wrote (or a dict, as older conversations kept it); a fresh one when damaged."""
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return cls()
        return cls.from_dict(value)

    @classmethod
    def from_dict(cls, data: Optional[dict[str, Any]]) -> "DiscoveryState":
        """The state `to_dict` wrote; a fresh one for None or a damaged value."""
        if not isinstance(data, dict):
            return cls()
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["profile"] = Profile.from_dict(values.get("profile") or {})
        try:
            return cls(**values)
        except TypeError:
            return cls()


def latest_user_event(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The last shopper message event (empty dict if none)."""
    for ev in reversed(events):
        if ev.get("event") == "user":
            return ev
    return {}


def since_last_state(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events from the last setting of the discovery state on (all of them when it was never set).

    The state has taken in every shopper message before it, so `unseen_user_events` finds the same
    messages in these events as in the whole conversation.
    """
    for i in range(len(events) - 1, -1, -1):
        if events[i].get("event") == "slot" and events[i].get("name") == STATE_SLOT:
            return events[i:]
    return events


def unseen_user_events(events: list[dict[str, Any]], seen_until: float) -> list[dict[str, Any]]:
    """Shopper messages since the last restart or session start that the state has not taken in yet."""
    out: list[dict[str, Any]] = []
    for ev in events:
        kind = ev.get("event")
        if kind in ("restart", "session_started"):
            out = []
        elif kind == "user" and float(ev.get("timestamp") or 0.0) > seen_until:
            out.append(ev)
    return out

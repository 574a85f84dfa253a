"""Progress of trainees over time, read from stored rehearsals (for the CLI and a dashboard)."""
from __future__ import annotations

import logging
from collections import Counter, defaultdict
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.needs import iso
from jujube.rehearsal.models import RehearsalScorecard, RehearsalSession
from jujube.rehearsal.personas import DIMENSIONS

logger = logging.getLogger(__name__)


def _row(card: RehearsalScorecard, rehearsal: RehearsalSession) -> dict[str, Any]:
    m = card.metrics or {}
    return {
        "session_id": rehearsal.id,
        "trainee_id": card.trainee_id,
        "persona": card.persona_key,
        "channel": rehearsal.channel,
        "started_at": iso(rehearsal.started_at),
        "ended_at": iso(rehearsal.ended_at) if rehearsal.ended_at else None,
        "status": rehearsal.status,
        "ended": rehearsal.end_reason,
        "score": card.score,
        "max_score": card.max_score,
        "percent": card.percent,
        "grade": card.grade,
        "dimensions": card.dimensions or {},
        "questions": int(m.get("questions", 0)),
        "follow_ups": int(m.get("follow_ups", 0)),
        "premature_pitches": int(m.get("premature_pitches", 0)),
        "fit": (card.recommendation or {}).get("fit", "none"),
        "missed": [i["key"] for i in card.items or [] if i["points"] < i["max"]],
        "lines": {i["key"]: {"label": i["label"], "points": i["points"], "max": i["max"]} for i in card.items or []},
        "advice": list(card.advice or []),
    }


def history(factory: sessionmaker[Session], trainee_id: Optional[str] = None) -> list[dict[str, Any]]:
    """Every scored rehearsal (of one trainee, or all), oldest first."""
    stmt = (select(RehearsalScorecard, RehearsalSession)
            .join(RehearsalSession, RehearsalSession.id == RehearsalScorecard.session_id)
            .order_by(RehearsalSession.started_at, RehearsalSession.id))
    if trainee_id:
        stmt = stmt.where(RehearsalScorecard.trainee_id == trainee_id)
    with factory() as session:
        return [_row(card, rehearsal) for card, rehearsal in session.execute(stmt)]


def progress(factory: sessionmaker[Session], trainee_id: Optional[str] = None) -> list[dict[str, Any]]:
    """Per trainee: rehearsals, average / first / last / best score, dimension rates, most missed items."""
    by_trainee: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in history(factory, trainee_id):
        by_trainee[row["trainee_id"]].append(row)
    out = []
    for trainee, rows in sorted(by_trainee.items()):
        scores = [r["percent"] for r in rows]
        missed = Counter(k for r in rows for k in r["missed"])
        out.append({
            "trainee_id": trainee,
            "rehearsals": len(rows),
            "average": round(sum(scores) / len(scores), 1),
            "first": scores[0],
            "last": scores[-1],
            "best": max(scores),
            "trend": round(scores[-1] - scores[0], 1),
            "premature_pitches": sum(r["premature_pitches"] for r in rows),
            "dimension_rates": {d: round(sum(bool(r["dimensions"].get(d)) for r in rows) / len(rows), 2)
                                for d in DIMENSIONS},
            "most_missed": [k for k, _ in missed.most_common(3)],
            "last_at": rows[-1]["started_at"],
            **by_line(rows),
        })
    return out


CHANGE = 20.0  # points (of 100) a rubric line must move between earlier and recent rehearsals to count


def _halves(values: list[float]) -> tuple[float, float]:
    """Average of the earlier and of the recent half of a series (the same value for one rehearsal)."""
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    half = len(values) // 2
    early, recent = values[:len(values) - half], values[-half:]
    return sum(early) / len(early), sum(recent) / len(recent)


def by_line(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One trainee's rehearsals (oldest first) by rubric line: each line's scores over time, what improved."""
    series = [{"at": r["started_at"], "percent": r["percent"], "persona": r["persona"]} for r in rows]
    order: list[str] = []
    labels: dict[str, str] = {}
    for r in rows:
        for key, line in r["lines"].items():
            if key not in labels:
                order.append(key)
                labels[key] = line["label"]
    lines = []
    for key in order:
        scores = [round(100.0 * r["lines"][key]["points"] / r["lines"][key]["max"], 1)
                  for r in rows if key in r["lines"] and r["lines"][key]["max"]]
        early, recent = _halves(scores)
        lines.append({"key": key, "label": labels[key], "scores": scores, "earlier": round(early, 1),
                      "recent": round(recent, 1), "change": round(recent - early, 1)})
    early, recent = _halves([r["percent"] for r in rows])
    return {
        "series": series,
        "lines": lines,
        "earlier": round(early, 1),
        "recent": round(recent, 1),
        "change": round(recent - early, 1),
        "improving": [ln["key"] for ln in sorted(lines, key=lambda ln: -ln["change"]) if ln["change"] >= CHANGE],
        "slipping": [ln["key"] for ln in sorted(lines, key=lambda ln: ln["change"]) if ln["change"] <= -CHANGE],
        "weakest": [ln["key"] for ln in sorted(lines, key=lambda ln: ln["recent"])[:2] if ln["recent"] < 100.0],
    }


def transcript(factory: sessionmaker[Session], session_id: int) -> Optional[dict[str, Any]]:
    """One rehearsal with its transcript and scorecard text, or None."""
    with factory() as session:
        rehearsal = session.get(RehearsalSession, session_id)
        if rehearsal is None:
            return None
        return {
            "session_id": rehearsal.id,
            "trainee_id": rehearsal.trainee_id,
            "persona": rehearsal.persona_key,
            "status": rehearsal.status,
            "started_at": iso(rehearsal.started_at),
            "turns": [{"seq": t.seq, "role": t.role, "text": t.text, "label": t.label, "event": t.event}
                      for t in rehearsal.turns],
            "scorecard": rehearsal.scorecard.text if rehearsal.scorecard else None,
        }

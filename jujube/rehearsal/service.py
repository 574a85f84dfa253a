"""RehearsalService: start, play and score rehearsals; every step is stored per trainee."""
from __future__ import annotations

import logging
import random
import threading
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from jujube.db.models import utcnow
from jujube.db.session import get_sessionmaker
from jujube.messages import get_messages, reply_language
from jujube.rehearsal.card import render
from jujube.rehearsal.classifier import get_classifier
from jujube.rehearsal.cues import ByLanguage, Reads, cue_readers
from jujube.rehearsal.customer import Customer, CustomerState
from jujube.rehearsal.models import RehearsalScorecard, RehearsalSession, RehearsalTurn
from jujube.rehearsal.personas import Persona, PersonaLibrary, load_library
from jujube.rehearsal.scoring import Rubric, load_rubric, score

logger = logging.getLogger(__name__)

MAX_TEXT = 1000
STOP_WORDS = frozenset({"/stop", "/quit"})


class RehearsalService:
    """The rehearsal coach behind Telegram's /rehearse and `jujube rehearsal play`."""

    def __init__(
        self,
        factory: sessionmaker[Session] | None = None,
        library: PersonaLibrary | None = None,
        rubric: Rubric | None = None,
        classifier: Reads | None = None,
    ) -> None:
        self._factory = factory
        self.library = library or load_library()
        self.rubric = rubric or load_rubric()
        self._classifier = classifier
        self._reader: Reads | None = None
        self._lock = threading.RLock()

    @property
    def factory(self) -> sessionmaker[Session]:
        """The database session factory (DATABASE_URL unless one was given)."""
        if self._factory is None:
            self._factory = get_sessionmaker()
        return self._factory

    @property
    def classifier(self) -> Reads:
        """The trainee-question classifier (trained on first use, then cached)."""
        if self._classifier is None:
            self._classifier = get_classifier(normalizer=self.library.index.mask)
        return self._classifier

    @property
    def reader(self) -> Reads:
        """How a trainee message is read: by its language's cues (knowledge/<language>/), else the classifier."""
        if self._reader is None:
            self._reader = ByLanguage(self.classifier, cue_readers())
        return self._reader

    def warm_up(self) -> None:
        """Load (or on the very first run, train) the question classifier now rather than on first use."""
        _ = self.classifier

    def personas(self) -> list[tuple[str, str]]:
        """(key, short title) of every rehearsal customer."""
        return [(p.key, p.title) for p in self.library.personas.values()]

    def active(self, trainee_id: str) -> bool:
        """True when the trainee has a rehearsal running."""
        with self.factory() as session:
            return self._active(session, trainee_id) is not None

    def start(self, trainee_id: str, persona_key: str | None = None, channel: str = "terminal",
              language: str | None = None) -> list[str]:
        """Begin a rehearsal (a running one is closed first); returns the intro and the customer's opening.

        `language` is a hint (Telegram's language_code, or the language of the words naming the customer);
        from the trainee's first message on, the customer answers in the language of the latest one.
        """
        language = reply_language("", None, language) or reply_language(persona_key or "", None)
        say = get_messages(language).rehearsal_text
        with self._lock, self.factory.begin() as session:
            persona = self._choose(session, trainee_id, persona_key)
            if persona is None:
                return [say("no_customer", asked=persona_key, keys=", ".join(self.library.keys()))]
            out = []
            old = self._active(session, trainee_id)
            if old is not None:
                out.append(self._close(session, old, "switched"))
            voiced = persona.localized(language)
            # Each new rehearsal with the same customer hears the story told another way.
            met = session.scalar(select(func.count(RehearsalSession.id)).where(
                RehearsalSession.trainee_id == trainee_id, RehearsalSession.persona_key == persona.key)) or 0
            rehearsal = RehearsalSession(trainee_id=trainee_id, persona_key=persona.key, channel=channel[:32],
                                         status="active",
                                         state=CustomerState(telling=met % persona.tellings, language=language).to_dict())
            session.add(rehearsal)
            session.flush()
            session.add(RehearsalTurn(session_id=rehearsal.id, seq=1, role="customer", text=voiced.opening,
                                      event="opening"))
            logger.info("rehearsal %d started: trainee %s, persona %s, language %s",
                        rehearsal.id, trainee_id, persona.key, language or "en")
            out += [say("intro", title=voiced.title, name=voiced.name),
                    say("line", name=voiced.name, text=voiced.opening)]
            return out

    def handle(self, trainee_id: str, text: str) -> list[str] | None:
        """The customer's reaction to one trainee message (and the scorecard when it ends); None if idle."""
        with self._lock, self.factory.begin() as session:
            rehearsal = self._active(session, trainee_id)
            if rehearsal is None:
                return None
            text = " ".join((text or "").split())[:MAX_TEXT]
            if text.lower() in STOP_WORDS:
                return [self._close(session, rehearsal, "stopped")]
            state = CustomerState.from_dict(rehearsal.state)
            say = get_messages(reply_language(text, state.language)).rehearsal_text
            if not text:
                return [say("waiting")]
            persona = self.library.personas.get(rehearsal.persona_key)
            if persona is None:
                self._close(session, rehearsal, "stopped")
                return [say("gone")]
            pred = self.reader.predict(text)
            customer = Customer(persona, self.library.index, self.rubric.rules)
            turn = customer.respond(state, text, pred)
            seq = self._next_seq(session, rehearsal.id)
            session.add_all([
                RehearsalTurn(session_id=rehearsal.id, seq=seq, role="trainee", text=text, label=turn.label,
                              confidence=round(turn.confidence, 4), event=turn.event),
                RehearsalTurn(session_id=rehearsal.id, seq=seq + 1, role="customer", text=turn.reply,
                              event=turn.event),
            ])
            rehearsal.state = state.to_dict()
            replies = [say("line", name=customer.voice.name, text=turn.reply)]
            if state.ended:
                replies.append(self._finish(session, rehearsal, persona, state))
            return replies

    def stop(self, trainee_id: str) -> list[str]:
        """End the running rehearsal; returns the scorecard text."""
        with self._lock, self.factory.begin() as session:
            rehearsal = self._active(session, trainee_id)
            if rehearsal is None:
                return [get_messages().rehearsal_text("none_running")]
            return [self._close(session, rehearsal, "stopped")]

    # -- internals -------------------------------------------------------------------------------
    @staticmethod
    def _active(session: Session, trainee_id: str) -> Optional[RehearsalSession]:
        stmt = (select(RehearsalSession)
                .where(RehearsalSession.trainee_id == trainee_id, RehearsalSession.status == "active")
                .order_by(RehearsalSession.id.desc()).limit(1))
        return session.scalar(stmt)

    @staticmethod
    def _next_seq(session: Session, session_id: int) -> int:
        last = session.scalar(select(func.max(RehearsalTurn.seq)).where(RehearsalTurn.session_id == session_id))
        return int(last or 0) + 1

    def _choose(self, session: Session, trainee_id: str, key: str | None) -> Persona | None:
        if key and key.strip():
            return self.library.get(key)
        done = dict(session.execute(
            select(RehearsalSession.persona_key, func.count(RehearsalSession.id))
            .where(RehearsalSession.trainee_id == trainee_id).group_by(RehearsalSession.persona_key)
        ).all())
        fewest = min(done.get(k, 0) for k in self.library.keys())
        return self.library.personas[random.choice([k for k in self.library.keys() if done.get(k, 0) == fewest])]

    def _close(self, session: Session, rehearsal: RehearsalSession, reason: str) -> str:
        """End a rehearsal early (stopped or switched): scored if the trainee said anything."""
        state = CustomerState.from_dict(rehearsal.state)
        persona = self.library.personas.get(rehearsal.persona_key)
        if state.turns == 0 or persona is None:
            rehearsal.status, rehearsal.end_reason, rehearsal.ended_at = "abandoned", reason, utcnow()
            name = persona.localized(state.language).name if persona else rehearsal.persona_key
            return get_messages(state.language).rehearsal_text("nothing_to_score", name=name)
        state.ended = state.ended or reason
        text = self._finish(session, rehearsal, persona, state)
        if reason == "switched":
            rehearsal.status = "abandoned"
        return text

    def _finish(self, session: Session, rehearsal: RehearsalSession, persona: Persona, state: CustomerState) -> str:
        card = score(persona, state, self.rubric, self.library.index)  # stored as data: the English rubric's words
        voiced, rubric = persona.localized(state.language), self.rubric.localized(state.language)
        shown = card if voiced is persona and rubric is self.rubric else score(
            voiced, state, rubric, self.library.index, state.language)  # in English the card is already shown as is
        text = render(shown, voiced, get_messages(state.language))
        rehearsal.state = state.to_dict()
        rehearsal.status = "finished"
        rehearsal.end_reason = state.ended
        rehearsal.ended_at = utcnow()
        session.add(RehearsalScorecard(
            session_id=rehearsal.id, trainee_id=rehearsal.trainee_id, persona_key=persona.key,
            score=card["score"], max_score=card["max_score"], percent=card["percent"], grade=card["grade"],
            dimensions=card["dimensions"], metrics=card["metrics"], items=card["items"], advice=card["advice"],
            recommendation=card["recommendation"], text=text,
        ))
        logger.info("rehearsal %d finished (%s): %s%%", rehearsal.id, state.ended, card["percent"])
        return text

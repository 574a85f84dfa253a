"""The Rasa server checks action server replies with a kept validator: same verdicts, Rasa's own error."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from jujube.rasa_speed import install

GOOD = {"events": [{"event": "slot", "name": "discovery", "value": "{}", "timestamp": None}],
        "responses": [{"text": "Which one would you like?", "buttons": [{"title": "Kiwi", "payload": "kiwi"}]}]}
BAD = [{"events": "not a list"}, {"events": [{"name": "discovery"}]}, {"responses": "x"}]


def test_the_kept_validator_gives_rasas_verdicts() -> None:
    install()
    install()  # idempotent
    action = RemoteAction("action_turn", None)
    spec = RemoteAction.action_response_format_spec()
    assert action._validate_action_result(GOOD) is True
    for reply in BAD:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(reply, spec)  # stock jsonschema agrees that the reply is bad...
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(reply)  # ...and the patched check raises Rasa's own error


def test_event_types_are_kept_by_name_and_read_as_rasa_reads_them() -> None:
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

    install()
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("slot") is SlotSet and Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("no such event", default=ActionExecuted) is ActionExecuted
    assert Event.resolve_by_type("topic") is None  # Rasa's old topic events
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no such event")
    event = Event.from_parameters({"event": "slot", "name": "discovery", "value": "{}", "timestamp": 1.0})
    assert isinstance(event, SlotSet) and event.key == "discovery"


def test_the_action_server_gets_the_events_from_the_last_discovery_state_on() -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    install()
    domain = Domain.from_yaml('version: "3.1"\nslots:\n  discovery:\n    type: text\n    mappings: [{type: custom}]')
    events = [ActionExecuted("action_listen"), UserUttered("dates?", {"name": "request_product"}),
              ActionExecuted("action_turn"), SlotSet("discovery", '{"seen_until": 1}'),
              ActionExecuted("action_listen"), UserUttered("for my mum", {"name": "inform_recipient"})]
    tracker = DialogueStateTracker.from_events("shopper", events, domain.slots)
    body = RemoteAction("action_turn", None)._action_call_format(tracker, domain)
    assert [e["event"] for e in body["tracker"]["events"]] == ["slot", "action", "user"]
    assert body["tracker"]["events"][-1]["text"] == "for my mum"
    assert body["tracker"]["slots"]["discovery"] == '{"seen_until": 1}'  # the slots are all there


def test_one_connection_is_kept_and_a_restarted_server_is_reached_again() -> None:
    import asyncio
    import socket

    import aiohttp
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    install()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    peers: list[int] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"events": [], "responses": []})

    async def serve() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    async def scenario() -> None:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        runner = await serve()
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "action_turn"}, method="post") == {
                "events": [], "responses": []}
        assert len(peers) == 3 and len(set(peers)) == 1  # three calls, one connection
        await runner.cleanup()  # the action server restarts
        runner = await serve()
        await endpoint.request(json={}, method="post")
        assert len(set(peers)) == 2  # a new connection, without an error
        await runner.cleanup()
        with pytest.raises(aiohttp.ClientConnectorError):  # nobody listening: Rasa's failure, as before
            await endpoint.request(json={}, method="post")

    asyncio.run(scenario())


MESSAGES = ["Do you have dates?", "they're for my pregnant daughter-in-law, she wants something sour",
            "under 50 yuan please", "ok", "the second one", "老板，有枣吗？", "给我婆婆买的，她牙不好", "😀😀", "",
            "what time do you close?", "asdfgh", "not too sweet, and no nuts"]


@pytest.fixture(scope="module")
def agent():
    """The trained model (make test trains it first)."""
    import asyncio
    from pathlib import Path

    from rasa.core.agent import Agent

    from jujube.config import PROJECT_ROOT

    model = Path(PROJECT_ROOT) / "models" / "jujube.tar.gz"
    if not model.exists():
        pytest.skip("no trained model (make train)")
    loop = asyncio.new_event_loop()
    yield loop, Agent.load(str(model))
    loop.close()


def test_the_graphs_run_in_order_give_what_dasks_scheduler_gives(agent, monkeypatch) -> None:
    from rasa.core.actions.action import ACTION_LISTEN_NAME
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    install()
    loop, model = agent

    def both(what):  # (kept order, dask's scheduler)
        kept = loop.run_until_complete(what())
        with monkeypatch.context() as m:
            m.setattr(DaskGraphRunner, "run", DaskGraphRunner.run.rasa_run)
            return kept, loop.run_until_complete(what())

    for text in MESSAGES:
        kept, dask = both(lambda: model.parse_message(text))
        assert kept == dask, text
        parse = kept
        events = [SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME), UserUttered(text, parse["intent"],
                                                                                    parse["entities"], parse)]
        for expected in ("action_turn", ACTION_LISTEN_NAME):
            tracker = DialogueStateTracker.from_events("graph-test", events, model.domain.slots)

            async def predict():
                prediction = model.processor._predict_next_with_tracker(tracker)
                return prediction.max_confidence_index, prediction.policy_name, prediction.probabilities

            kept, dask = both(predict)
            assert kept == dask and model.domain.action_names_or_texts[kept[0]] == expected, (text, kept[:2])
            events += [ActionExecuted("action_turn"), SlotSet("discovery", "{}")]

"""Less work per message inside the Rasa server (Rasa 3.6), each with Rasa's own behaviour kept.

- **Action replies.** Rasa checks every reply of the action server against its response schema with
  `jsonschema.validate`, which first checks the schema itself against the JSON-Schema meta-schema, on
  every call: about 45% of the Rasa server's CPU time per Jujube message (bench/README.md). Here the
  schema is checked once and the same validator is kept; a reply that fails goes through Rasa's own
  check, which raises its usual error.
- **Event types.** Reading an event from JSON looks its class up by walking every subclass of `Event`
  (31 us an event, 1.2 ms to read a 40-event conversation); the classes found are kept by name.
- **Connections to the action server.** Rasa opens a new HTTP session and connection per action call;
  one session per event loop is kept, its idle connections reused for less time than the action
  server keeps them open. A kept connection the action server closed as it was reused (a restart) is
  retried once on a new one; a refused connection fails as before.
- **Running the model's graphs.** Every message runs the NLU graph once and the policy graph twice
  through dask's scheduler, which first works out the graph's needed part again (recursively, per
  run), then orders and queues its tasks: about 1 ms of each message's NLU. The same nodes run here in
  an order worked out once per set of targets, each called with its needs' results, as dask calls it.
- **The conversation sent to the action server.** Only its events from the last discovery state on
  (`jujube.state.since_last_state`): the action takes in just the messages after that state.
"""
from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

from jujube.state import since_last_state

logger = logging.getLogger(__name__)

KEEP_IDLE_S = 2.0  # below the action server's keep-alive (Sanic: 5 s), so it never closes one we reuse


@lru_cache(maxsize=1)
def _validator() -> Any:
    """A validator for Rasa's action response schema, the schema checked once."""
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def install() -> None:
    """All of the above (idempotent)."""
    from rasa.core.actions.action import RemoteAction

    rasa_check = RemoteAction._validate_action_result
    if getattr(rasa_check, "kept_validator", False):
        return
    _keep_event_types()
    _run_graphs_in_order()
    _keep_connections()
    _send_since_last_state()

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if _validator().is_valid(result):
            return True
        return rasa_check(self, result)  # Rasa's own check, for its error message

    validate_action_result.kept_validator = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def _keep_event_types() -> None:
    """Event classes looked up by name once, then kept."""
    from rasa.shared.core.events import Event

    rasa_resolve = Event.resolve_by_type
    known: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = known.get(type_name)
        if cls is None:
            cls = rasa_resolve(type_name, default)
            if cls is not None and getattr(cls, "type_name", None) == type_name:
                known[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def _run_graphs_in_order() -> None:
    """Rasa's graph runner runs the needed nodes in an order it keeps, without dask's scheduler."""
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def order(runner: DaskGraphRunner, targets: list[str]) -> list[str]:
        """The nodes the targets need, each after its needs (inputs are not nodes)."""
        kept = runner.__dict__.setdefault("_order_by_targets", {})
        if tuple(targets) not in kept:
            nodes, out, seen = runner._graph_schema.nodes, [], set()

            def visit(name: str) -> None:
                if name in seen or name not in nodes:
                    return
                seen.add(name)
                for need in nodes[name].needs.values():
                    visit(need)
                out.append(name)

            for target in targets:
                visit(target)
            kept[tuple(targets)] = out
        return kept[tuple(targets)]

    def run(self: DaskGraphRunner, inputs: dict[str, Any] | None = None,
            targets: list[str] | None = None) -> dict[str, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        results = {name: (name, value) for name, value in (inputs or {}).items()}  # as dask gets an input
        nodes = self._graph_schema.nodes
        try:
            for name in order(self, run_targets):
                if name not in results:  # an input named like a node stands in for it, as with dask
                    results[name] = self._instantiated_nodes[name](*(results[n] for n in nodes[name].needs.values()))
            return dict(results[target] for target in run_targets)
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    run.rasa_run = DaskGraphRunner.run  # type: ignore[attr-defined]
    DaskGraphRunner.run = run  # type: ignore[method-assign]


class _KeptSession:
    """`async with` hands out the kept session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: Any) -> None:
        return None


def _keep_connections() -> None:
    """One HTTP session per event loop and endpoint settings; a connection closed on reuse is retried once."""
    import weakref

    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    rasa_request = EndpointConfig.request
    by_loop: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()

    def kept(endpoint: EndpointConfig) -> tuple[dict[tuple[Any, ...], Any], tuple[Any, ...]]:
        sessions = by_loop.setdefault(asyncio.get_running_loop(), {})
        return sessions, (tuple(sorted(endpoint.headers.items())), tuple(sorted(endpoint.basic_auth.items())))

    def session(self: EndpointConfig) -> _KeptSession:
        sessions, settings = kept(self)
        current = sessions.get(settings)
        if current is None or current.closed:  # Rasa's session settings, with a keep-alive connector
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) \
                if self.basic_auth else None
            current = sessions[settings] = aiohttp.ClientSession(
                headers=self.headers, auth=auth, timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_IDLE_S))
        return _KeptSession(current)

    async def request(self: EndpointConfig, *args: Any, **kwargs: Any) -> Any:
        try:
            return await rasa_request(self, *args, **kwargs)
        except aiohttp.ClientConnectorError:
            raise  # nobody listening: fail as Rasa does
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            logger.info("%s closed a kept connection (%s); sending again on a new one", self.url, exc)
            sessions, settings = kept(self)
            stale = sessions.pop(settings, None)
            if stale is not None:
                await stale.close()
            return await rasa_request(self, *args, **kwargs)

    EndpointConfig.session = session  # type: ignore[method-assign]
    EndpointConfig.request = request  # type: ignore[method-assign]


def _send_since_last_state() -> None:
    """The action server gets the conversation's events from the last discovery state on."""
    from rasa.core.actions.action import RemoteAction

    rasa_format = RemoteAction._action_call_format

    def action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
        body = rasa_format(self, tracker, domain)
        body["tracker"]["events"] = since_last_state(body["tracker"]["events"])
        return body

    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]

"""The dashboard's web application: sign-in, overview, needs table, need detail, CSV download, trainees."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlencode

import jinja2
from sqlalchemy import distinct, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jujube.dashboard import DashboardError, charts
from jujube.dashboard.auth import Gate, client_of, safe_next
from jujube.dashboard.cache import StatsCache
from jujube.dashboard.settings import DashboardSettings, load_settings
from jujube.db.models import OUTCOMES, Need
from jujube.db.session import get_sessionmaker
from jujube.rehearsal.report import progress as rehearsal_progress
from jujube.review import ReviewError
from jujube.review.export import iter_csv
from jujube.review.filters import UNKNOWN_LANGUAGE, NeedFilter
from jujube.review.queries import get_need, iter_records, list_needs, parse_sort
from jujube.review.sqlfuncs import DIMENSIONS

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PER_PAGE_CHOICES = (25, 50, 100, 200)
LANGUAGE_NAMES = {"en": "English", "zh": "中文", UNKNOWN_LANGUAGE: "not recorded"}
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


class SecurityHeaders:
    """Adds a strict Content-Security-Policy (no scripts at all) and related headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if not scope["path"].startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["pct"] = lambda v: "n/a" if v is None else f"{100 * v:.1f}%"
    env.filters["num"] = lambda v: f"{v:,}"
    env.filters["langname"] = language_name
    env.globals["qs"] = query_string
    env.globals["outcome_colours"] = charts.OUTCOME_COLOURS
    return Jinja2Templates(env=env)


def language_name(code: Optional[str]) -> str:
    """`zh (中文)` for a language code; the code alone when its name is not known."""
    code = code or UNKNOWN_LANGUAGE
    name = LANGUAGE_NAMES.get(code)
    return code if name is None or code == UNKNOWN_LANGUAGE else f"{code} ({name})"


def query_string(params: dict[str, Any], *more: dict[str, Any], **extra: Any) -> str:
    """URL query of `params` updated with `more` and `extra` (empty values dropped)."""
    merged: dict[str, Any] = dict(params)
    for update in (*more, extra):
        merged.update(update)
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def filter_from(request: Request) -> NeedFilter:
    """The filter in a request's query (a `dimension` select plus `dimension_text` become DIM=TEXT)."""
    data: dict[str, Any] = dict(request.query_params)
    text = data.pop("dimension_text", "").strip()
    if text and data.get("dimension"):
        data["dimension"] = f"{data['dimension']}={text}"
    return NeedFilter.from_mapping(data)


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name, "")
    try:
        return int(raw) if raw.strip() else default
    except ValueError:
        raise ReviewError(f"{name} must be a whole number, not {raw!r}") from None


def create_app(settings: Optional[DashboardSettings] = None, factory: Optional[sessionmaker[Session]] = None,
               clock: Callable[[], float] = time.time, warm: bool = False) -> Starlette:
    """The dashboard application; refuses to start without a manager password or token."""
    settings = settings or load_settings()
    if not settings.credentials:
        raise DashboardError(
            "no manager password is configured: set JUJUBE_DASHBOARD_PASSWORD (or JUJUBE_DASHBOARD_TOKEN) "
            "in the environment or in .env, e.g. `JUJUBE_DASHBOARD_PASSWORD=change-me make dashboard`"
        )
    db = factory or get_sessionmaker(settings.database_url)
    gate = Gate(settings, clock)
    cache = StatsCache(db)
    if warm:
        cache.warm()
    templates = _templates()

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> Response:
        """A rendered template for a signed-in manager."""
        return templates.TemplateResponse(request, name, {"signed_in": True, "error": None, **ctx},
                                          status_code=status)

    def guarded(view: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """`view`, reachable only after signing in."""
        def wrapper(request: Request) -> Response:
            if not gate.signed_in(request):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
            return view(request)

        return wrapper

    def channels() -> list[str]:
        """Every channel seen in the needs log (for the filter menus)."""
        with db() as session:
            return sorted(c for c in session.scalars(select(distinct(Need.channel))) if c)

    def languages() -> list[str]:
        """Every language seen in the needs log (for the filter menus); `unknown` when some needs have none."""
        with db() as session:
            seen = list(session.scalars(select(distinct(Need.language))))
        return sorted(lang for lang in seen if lang) + ([UNKNOWN_LANGUAGE] if None in seen else [])

    async def login(request: Request) -> Response:
        """The sign-in form; checks the password and starts a session."""
        nxt = safe_next(request.query_params.get("next"))
        ctx: dict[str, Any] = {"signed_in": False, "next": nxt, "error": None}
        if request.method == "GET":
            if gate.signed_in(request):
                return RedirectResponse(nxt, status_code=303)
            return templates.TemplateResponse(request, "login.html", ctx)
        client = client_of(request)
        if gate.locked(client):
            ctx["error"] = "Too many failed attempts. Wait a few minutes and try again."
            return templates.TemplateResponse(request, "login.html", ctx, status_code=429)
        form = await request.form()
        nxt = safe_next(str(form.get("next") or nxt))
        if not gate.check(str(form.get("password") or "")):
            gate.failed(client)
            ctx.update(error="Wrong password.", next=nxt)
            return templates.TemplateResponse(request, "login.html", ctx, status_code=401)
        gate.sign_in(request)
        logger.info("dashboard: manager signed in from %s", client)
        return RedirectResponse(nxt, status_code=303)

    async def logout(request: Request) -> Response:
        """Ends the session."""
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    def overview(request: Request) -> Response:
        """Charts and top lists a manager reads at a glance."""
        try:
            flt = filter_from(request)
            figures = cache.get(flt, top=10)
            stats = figures.stats
        except ReviewError as exc:
            return page(request, "overview.html", 400, flt=NeedFilter(), stats=None, figures=None, error=str(exc),
                        channels=channels(), languages=languages())
        dims = stats.dimension_shares()
        return page(
            request, "overview.html", flt=flt, stats=stats, figures=figures, channels=channels(), languages=languages(),
            timeline=charts.timeline(stats.per_day),
            outcomes=charts.stacked([(o, stats.by_outcome.get(o, 0)) for o in OUTCOMES], colours=charts.OUTCOME_COLOURS),
            dimensions=charts.stacked([(d, dims.get(d, 0.0)) for d in DIMENSIONS]),
            top_needs=charts.hbars(stats.top_needs),
            pairs=list(zip(stats.top_pairs, charts.hbars([(u, n) for _s, u, n in stats.top_pairs],
                                                         colour=charts.PALETTE[2]))),
            top_unmet=charts.hbars(stats.top_unmet, colour=charts.PALETTE[5]),
        )

    def needs(request: Request) -> Response:
        """The filterable, sortable, paginated needs table."""
        ctx: dict[str, Any] = {"channels": channels(), "languages": languages(), "outcomes": OUTCOMES,
                               "dimensions": DIMENSIONS, "per_page_choices": PER_PAGE_CHOICES}
        try:
            flt = filter_from(request)
            sort = request.query_params.get("sort", "-captured_at")
            parse_sort(sort)
            result = list_needs(db, flt, sort=sort, page=_int(request, "page", 1),
                                per_page=_int(request, "per_page", 50))
        except ReviewError as exc:
            return page(request, "needs.html", 400, flt=NeedFilter(), result=None, sort="-captured_at",
                        error=str(exc), **ctx)
        return page(request, "needs.html", flt=flt, result=result, sort=sort, **ctx)

    def need_detail(request: Request) -> Response:
        """One need's card and its conversation's transcript."""
        need_id = int(request.path_params["need_id"])
        reveal = request.query_params.get("reveal") == "1"
        try:
            detail = get_need(db, need_id, reveal=reveal)
        except ReviewError as exc:
            return page(request, "not_found.html", 404, error=str(exc))
        if reveal:
            logger.warning("dashboard: contact details revealed for need %d to %s", need_id, client_of(request))
        return page(request, "need.html", detail=detail, record=detail.record, reveal=reveal)

    def needs_csv(request: Request) -> Response:
        """CSV of the needs the current filter lets through."""
        try:
            flt = filter_from(request)
        except ReviewError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        reveal = request.query_params.get("reveal") == "1"
        if reveal:
            logger.warning("dashboard: CSV with contact details revealed to %s (%s)", client_of(request), flt.describe())
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
        return StreamingResponse(
            iter_csv(iter_records(db, flt, reveal=reveal)), media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="jujube-needs-{stamp}.csv"'},
        )

    def trainees(request: Request) -> Response:
        """Rehearsal progress: each trainee's scores over time, by rubric line; who improves, and on what."""
        trainee = (request.query_params.get("trainee") or "").strip() or None
        rows = rehearsal_progress(db, trainee)
        for row in rows:
            row["chart"] = charts.sparkline([r["percent"] for r in row["series"]])
            row["label_of"] = {ln["key"]: ln["label"] for ln in row["lines"]}
        rows.sort(key=lambda r: (-r["change"], r["trainee_id"]))  # who improves most, first
        return page(request, "trainees.html", rows=rows, trainee=trainee)

    def health(request: Request) -> Response:
        """Liveness check (no data)."""
        return PlainTextResponse("ok")

    routes = [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", guarded(overview)),
        Route("/needs", guarded(needs)),
        Route("/needs.csv", guarded(needs_csv)),
        Route("/needs/{need_id:int}", guarded(need_detail)),
        Route("/trainees", guarded(trainees)),
        Route("/healthz", health),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=settings.secret, session_cookie="jujube_session",
                   max_age=gate.max_age, same_site="lax", https_only=settings.secure_cookie),
    ]
    return Starlette(routes=routes, middleware=middleware)
